#!/usr/bin/env bash
# Lint ontap.rest's Ansible content and documentation:
#
#   ansible-lint     profile `production` (.ansible-lint) over the collection: roles/, playbooks/,
#                    tests/integration/playbooks/, docs/awx/*.yml, meta/, galaxy.yml
#   antsibull-docs   lint-collection-docs --plugin-docs: module, doc fragment and role (argument_specs) docs,
#                    including semantic markup O(), V(), RV(), C(), M(), E() and its references
#
#   bash scripts/lint.sh                  both linters (exit status 1 when either fails)
#   bash scripts/lint.sh ansible-lint     only the named linter(s): ansible-lint, docs
#   VENV=/path/to/venv bash scripts/lint.sh
#
# The tools run from the virtual environment $VENV (default: .venv of the repository; scripts/bootstrap.sh
# prepares it, and is run here when VENV is that default). ansible-lint and antsibull-docs are installed into it
# with pip when missing, at the versions pinned below (a newer linter may add rules), without changing its
# ansible-core. Works offline given a package index: ansible-lint runs with `offline: true` (no Galaxy, no version
# check) and finds this collection as ontap.rest through a temporary ANSIBLE_COLLECTIONS_PATH whose
# ansible_collections/ontap/rest is a symlink to the working tree.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
ANSIBLE_LINT_VERSION=${ANSIBLE_LINT_VERSION:-26.10.1}
ANTSIBULL_DOCS_VERSION=${ANTSIBULL_DOCS_VERSION:-2.28.0}
ALL_LINTERS=(ansible-lint docs)

die() { printf 'lint.sh: %s\n' "$*" >&2; exit 2; }

LINTERS=("$@")
[ ${#LINTERS[@]} -gt 0 ] || LINTERS=("${ALL_LINTERS[@]}")
for linter in "${LINTERS[@]}"; do
    case "$linter" in ansible-lint|docs) ;; *) die "unknown linter '$linter' (known: ${ALL_LINTERS[*]})" ;; esac
done

# ---------------------------------------------------------------------------------------------------------------
# The virtual environment

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

if [ "$VENV" = "$ROOT/.venv" ]; then
    bash "$ROOT/scripts/bootstrap.sh" || die "scripts/bootstrap.sh failed"
elif [ ! -x "$VENV/bin/python" ]; then
    PY=$(pick_python) || die "Python 3.11 or newer is needed to create $VENV (set PYTHON=/path/to/python3.11)"
    say "creating $VENV"
    ensure_venv "$PY" "$VENV" || die "cannot create $VENV"
fi

# installed_version <distribution>: its version in $VENV, empty when it is not installed.
installed_version() {
    "$VENV/bin/python" - "$1" <<'EOF' 2>/dev/null
import sys
from importlib import metadata
try:
    print(metadata.version(sys.argv[1]))
except metadata.PackageNotFoundError:
    pass
EOF
}

if [ -z "$(installed_version ansible-core)" ]; then
    say "installing ansible-core into $VENV"
    pip_in "$VENV" install -q 'ansible-core>=2.19,<2.20' || die "pip install ansible-core failed"
fi
want=()
[ "$(installed_version ansible-lint)" = "$ANSIBLE_LINT_VERSION" ] || want+=("ansible-lint==$ANSIBLE_LINT_VERSION")
[ "$(installed_version antsibull-docs)" = "$ANTSIBULL_DOCS_VERSION" ] || want+=("antsibull-docs==$ANTSIBULL_DOCS_VERSION")
if [ ${#want[@]} -gt 0 ]; then
    say "installing ${want[*]} into $VENV"
    # Keep the venv's ansible-core: the linters must check against the version the project tests with.
    constraints=$(mktemp)
    printf 'ansible-core==%s\n' "$(installed_version ansible-core)" >"$constraints"
    pip_in "$VENV" install -q -c "$constraints" "${want[@]}"
    rc=$?
    rm -f "$constraints"
    [ $rc = 0 ] || die "pip install ${want[*]} failed"
fi

# ---------------------------------------------------------------------------------------------------------------
# The environment: this working tree as ontap.rest, nothing from the user's Ansible setup

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/collections/ansible_collections/ontap"
ln -s "$ROOT" "$TMP/collections/ansible_collections/ontap/rest"

export PATH="$VENV/bin:$PATH"
unset ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATHS PYTHONPATH
export ANSIBLE_COLLECTIONS_PATH="$TMP/collections"
# Only that tree (not a copy of ontap.rest that scripts/demo.sh installs into the venv's site-packages).
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_HOME="$TMP/ansible-home"
export ANSIBLE_LOCAL_TEMP="$TMP/ansible-tmp"
export ANSIBLE_NOCOLOR=1 NO_COLOR=1

# ---------------------------------------------------------------------------------------------------------------
# The linters

declare -a SUMMARY=()
FAILED=0

run_linter() {  # run_linter <name> <command...>
    local name=$1 start rc
    shift
    say "$name: $*"
    start=$(date +%s)
    (cd "$ROOT" && "$@")
    rc=$?
    if [ $rc = 0 ]; then
        SUMMARY+=("$(printf '  %-14s PASS %4ss' "$name" "$(($(date +%s) - start))")")
    else
        SUMMARY+=("$(printf '  %-14s FAIL %4ss  (exit status %s)' "$name" "$(($(date +%s) - start))" "$rc")")
        FAILED=1
    fi
}

for linter in "${LINTERS[@]}"; do
    case "$linter" in
        ansible-lint)
            # Configuration (profile production, offline, exclude_paths, mock_modules): .ansible-lint.
            run_linter ansible-lint ansible-lint --config-file "$ROOT/.ansible-lint" --project-dir "$ROOT" ;;
        docs)
            # 'dependent' also checks references to ansible.builtin (M(ansible.builtin.uri), ...).
            run_linter antsibull-docs antsibull-docs lint-collection-docs --plugin-docs \
                --validate-collection-refs dependent --disallow-unknown-collection-refs "$ROOT" ;;
    esac
done

printf '\n==================== ontap.rest lint summary ====================\n'
printf '%s\n' "${SUMMARY[@]}"
printf '  %-14s %s\n' total "$([ "$FAILED" = 0 ] && echo PASS || echo FAIL)"
printf '=================================================================\n'
exit "$FAILED"
