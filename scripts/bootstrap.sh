#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment in .venv:
#   - Python 3.11+ (ansible-core 2.19 needs 3.11 on the controller),
#   - requirements-dev.txt (ansible-core, pytest, flask, ... and tests/unit/requirements.txt),
#   - the ONTAP simulator as an editable package (tests/simulator, command `ontap-sim`), once it exists.
# Idempotent and fast: a stamp file keyed on the hash of every input is checked first.
# Usage: bash scripts/bootstrap.sh [--force]
# Environment: PYTHON=/path/to/python3.11 to choose the interpreter.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
STAMP="$VENV/.bootstrap-stamp"
SIM="$ROOT/tests/simulator"

log() { printf '[bootstrap] %s\n' "$*" >&2; }

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

PY=$(pick_python) || { log "error: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)"; exit 1; }

# Everything that decides the content of the venv goes into the stamp.
inputs_hash() {
    {
        "$PY" -c 'import sys; print(sys.version)'
        for f in "$ROOT/requirements-dev.txt" "$ROOT/tests/unit/requirements.txt" \
                 "$SIM/pyproject.toml" "$SIM/setup.cfg" "$SIM/setup.py" "$SIM/requirements.txt"; do
            if [ -f "$f" ]; then
                printf '%s\n' "${f#"$ROOT"/}"
                cat "$f"
            fi
        done
        # An editable install records the package layout (a package without __init__.py is kept as a
        # namespace package): reinstall when that layout changes.
        if [ -d "$SIM" ]; then
            (cd "$SIM" && find . -name '__init__.py' -not -path '*/build/*' | LC_ALL=C sort)
        fi
    } | sha256sum | cut -d' ' -f1
}

want=$(inputs_hash)
if [ "${1:-}" != "--force" ] && [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    log "up to date ($VENV)"
    exit 0
fi

# A venv made by another interpreter (or a broken one) is rebuilt from scratch.
if [ -e "$VENV" ] && [ "$("$VENV/bin/python" -c 'import sys; print(sys.version)' 2>/dev/null)" != "$("$PY" -c 'import sys; print(sys.version)')" ]; then
    log "rebuilding $VENV (made by another Python, or broken)"
    rm -rf "$VENV"
fi
[ -x "$VENV/bin/python" ] || log "creating $VENV with $("$PY" -V 2>&1)"
ensure_venv "$PY" "$VENV"
rm -f "$STAMP"

# pip in .venv, minus one harmless warning per package that some machines' pip configuration causes (lib.sh).
pip_() { pip_in "$VENV" "$@"; }

log "installing requirements-dev.txt"
pip_ install --quiet --upgrade pip
pip_ install --quiet -r "$ROOT/requirements-dev.txt"

if [ -f "$SIM/pyproject.toml" ] || [ -f "$SIM/setup.py" ]; then
    log "installing the simulator (editable): tests/simulator"
    pip_ install --quiet -e "$SIM"
else
    log "tests/simulator has no pyproject.toml/setup.py yet: simulator not installed"
fi

pip_ check >/dev/null || { pip_ check; log "error: inconsistent dependencies in $VENV"; exit 1; }
printf '%s\n' "$want" > "$STAMP"
log "ready: $("$VENV/bin/ansible" --version 2>/dev/null | sed -n 1p)"
