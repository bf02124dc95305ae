#!/usr/bin/env bash
# Benchmark ontap.rest against its peers (netapp.ontap, netapp-ontap) on the ONTAP simulator (issue 5).
# Not part of CI. Builds benchmarks/.venv-peers from PyPI on first use (ansible 12.3.0 = ansible-core 2.19 +
# netapp.ontap, netapp-ontap, matplotlib), runs every scenario, writes benchmarks/results/latest.json,
# docs/benchmarks.md and docs/benchmarks.png. About 27 minutes on 2 cores.
#
#   bash benchmarks/run.sh                      # everything (scenarios 1-6), 3 repetitions
#   bash benchmarks/run.sh --scenarios 1 --reps 1 --durations 1,10   # a quick partial run (report still written)
#   bash benchmarks/run.sh --report-only        # rewrite the docs from benchmarks/results/latest.json
#
# Environment: PYTHON=/path/to/python3.11 to choose the interpreter (3.11 or newer).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VENV="$HERE/.venv-peers"
STAMP="$VENV/.bench-stamp"

log() { printf '[bench] %s\n' "$*" >&2; }

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

PY=$(pick_python) || { log "error: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
want=$({ "$PY" -c 'import sys; print(sys.version)'; cat "$HERE/requirements.txt"; } | sha256sum | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
    log "building $VENV with $("$PY" -V 2>&1) (ansible, netapp-ontap, matplotlib from PyPI)"
    rm -rf "$VENV"
    ensure_venv "$PY" "$VENV"
    pip_in "$VENV" install --quiet --upgrade pip
    pip_in "$VENV" install --quiet -r "$HERE/requirements.txt"
    printf '%s\n' "$want" > "$STAMP"
fi
log "$("$VENV/bin/ansible" --version 2>/dev/null | head -n 1)"

RESULTS="$HERE/results/latest.json"
if [ "${1:-}" != "--report-only" ]; then
    BENCH_COMMAND="bash benchmarks/run.sh${*:+ $*}" "$VENV/bin/python" "$HERE/bench.py" --out "$RESULTS" "$@"
fi
"$VENV/bin/python" "$HERE/report.py" --results "$RESULTS" --markdown "$ROOT/docs/benchmarks.md" \
    --plot "$ROOT/docs/benchmarks.png"
log "report: docs/benchmarks.md, docs/benchmarks.png"
