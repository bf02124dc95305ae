# shellcheck shell=bash
# Sourced by scripts/bootstrap.sh and benchmarks/run.sh: pick_python prints the first Python 3.11+ among $PYTHON,
# python3.11, python3.12, python3.13 and python3 (ansible-core 2.19 needs 3.11 on the controller); returns 1 if none.
pick_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}
