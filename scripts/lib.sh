# shellcheck shell=bash
# The shared shell library of ontap.rest's scripts: scripts/test.sh, matrix.sh, lint.sh, bootstrap.sh, build_tree.sh,
# demo.sh and benchmarks/run.sh source it (`. "$ROOT/scripts/lib.sh"`); it defines functions only (and LIB_ROOT, the
# repository root), sets no shell options and runs nothing.
#
#   pick_python                       the first Python 3.11+ among $PYTHON, python3.11, python3.12, python3.13, python3
#   say MESSAGE                       a "==> MESSAGE" heading (bold on a terminal)
#   now / elapsed START               a timestamp / whole seconds since START (a `now` value)
#   drop_pip_noise                    filter (stdin to stdout): drop pip's "Location ... is ignored" warnings
#   pip_in VENV ARGS...               VENV's pip (no version check), that noise dropped from stderr; pip's exit status
#   ensure_venv PYTHON VENV           create VENV with PYTHON unless it has a python
#   copy_collection DEST              DEST = the collection as a commit of the working tree would hold it
#   install_get_pip_standin [PYTHON]  ansible-test's pip bootstrap script, offline (scripts/get_pip_standin.py);
#                                     first removes broken ansible-test requirement venvs (heal_ansible_test_venvs)
#   no_ignore_entries                 fails (and lists them) when tests/sanity/ignore-*.txt has entries
#   junit_counts FILE|DIR...          prints "<tests> <failures> <skipped>" over JUnit reports (errors count as failures)
#   junit_summary FILE|DIR...         prints "<n> passed, <s> skipped, <f> failed"; fails when one failed or none ran

LIB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

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

if [ -t 1 ]; then LIB_BOLD=$'\033[1m' LIB_PLAIN=$'\033[0m'; else LIB_BOLD="" LIB_PLAIN=""; fi
say() { printf '\n%s==> %s%s\n' "$LIB_BOLD" "$*" "$LIB_PLAIN"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }

# Some machines' pip configuration names an extra index directory that lacks most packages; pip then warns once
# per package ("Location ... is ignored"), hundreds of lines while ansible-test fills its venvs. Drop only those.
drop_pip_noise() {
    grep --line-buffered -v "is ignored: it is neither a file nor a directory" || true
}

pip_in() {  # pip_in <venv> <pip args...>
    local venv=$1
    shift
    "$venv/bin/python" -m pip --disable-pip-version-check "$@" 2> >(drop_pip_noise >&2)
}

ensure_venv() {  # ensure_venv <python> <venv>
    [ -x "$2/bin/python" ] || "$1" -m venv "$2"
}

# The tracked files plus the untracked, not ignored ones (`git ls-files -co --exclude-standard`), fresh at <dest>.
# Deleted-but-tracked files are still listed by git: only paths that exist (files or symlinks) are copied.
# Only ever deletes inside the repository's .build/ directory.
copy_collection() {  # copy_collection <dest>
    local dest=$1
    case "$dest" in
        "$LIB_ROOT"/.build/*ansible_collections/ontap/rest) ;;
        *) echo "copy_collection: refusing to use $dest" >&2; return 1 ;;
    esac
    rm -rf "$dest"
    mkdir -p "$dest"
    (cd "$LIB_ROOT" && git ls-files -z -co --exclude-standard \
        | while IFS= read -r -d '' path; do
            if [ -e "$path" ] || [ -L "$path" ]; then printf '%s\0' "$path"; fi
          done \
        | tar --null --no-recursion -T - -cf - \
        | tar -xf - -C "$dest")
}

# ansible-test --requirements bootstraps pip in each venv it makes with get_pip_<version>.py, downloaded from the
# internet unless cached: put the offline stand-in at the cache path for the pip version that ansible-test wants.
install_get_pip_standin() {  # install_get_pip_standin [python of the ansible-test's environment]
    heal_ansible_test_venvs
    "${1:-python}" "$LIB_ROOT/scripts/get_pip_standin.py" --install
}

# ansible-test keeps its requirement venvs in ~/.ansible/test/venv/<test>/<python>/<hash>/ and reuses them. One that
# an interrupted or concurrent install left half-made (a setuptools .pth without its module: "Error processing line
# 1 of .../distutils-precedence.pth", or no python at all) makes every later sanity run fail on its stderr. Remove
# those; ansible-test makes them again.
heal_ansible_test_venvs() {
    local dir
    for dir in "$HOME"/.ansible/test/venv/*/*/*/; do
        [ -d "$dir" ] || continue
        if [ ! -x "$dir/bin/python" ] || "$dir/bin/python" -c 'import sys' 2>&1 | grep -q 'Error processing line'; then
            echo "heal_ansible_test_venvs: removing the broken ansible-test venv ${dir%/}" >&2
            rm -rf "${dir%/}"
        fi
    done
}

# Zero ignore entries, for every version: ansible-test only reads ignore-<its version>.txt, so check them all.
no_ignore_entries() {
    local f n entries=0
    for f in "$LIB_ROOT"/tests/sanity/ignore-*.txt; do
        [ -f "$f" ] || continue
        n=$(grep -cvE '^[[:space:]]*(#|$)' "$f" || true)
        if [ "$n" -gt 0 ]; then
            echo "error: ${f#"$LIB_ROOT"/} has $n ignore entries; fix the code instead:" >&2
            grep -vE '^[[:space:]]*(#|$)' "$f" >&2
            entries=$((entries + n))
        fi
    done
    [ "$entries" = 0 ]
}

junit_counts() {  # junit_counts <file or directory...>
    python3 - "$@" <<'EOF'
import glob, os, sys
import xml.etree.ElementTree as ET
tests = failures = skipped = 0
for arg in sys.argv[1:]:
    for path in sorted(glob.glob(os.path.join(arg, '*.xml'))) if os.path.isdir(arg) else [arg]:
        if not os.path.exists(path):
            continue
        root = ET.parse(path).getroot()
        for suite in ([root] if root.tag == 'testsuite' else root.iter('testsuite')):
            tests += int(suite.get('tests', 0))
            failures += int(suite.get('failures', 0)) + int(suite.get('errors', 0))
            skipped += int(suite.get('skipped', 0))
print(tests, failures, skipped)
EOF
}

junit_summary() {  # junit_summary <file or directory...>
    local counts tests failures skipped
    counts=$(junit_counts "$@") || { echo "cannot read the JUnit reports"; return 1; }
    read -r tests failures skipped <<<"$counts"
    if [ "$tests" -le "$skipped" ]; then
        echo "none ran ($((tests - failures - skipped)) passed, $skipped skipped, $failures failed)"
        return 1
    fi
    echo "$((tests - failures - skipped)) passed, $skipped skipped, $failures failed"
    [ "$failures" = 0 ]
}

# ansible-test from <tree> (a .../ansible_collections/ontap/rest copy) with <venv> first on PATH, killed after
# <seconds>; output on stdout, pip noise dropped; the exit status is ansible-test's (124 when killed).
ansible_test_in() {  # ansible_test_in <venv> <tree> <seconds> <ansible-test args...>
    local venv=$1 tree=$2 seconds=$3
    shift 3
    (cd "$tree" && PATH="$venv/bin:$PATH" VIRTUAL_ENV="$venv" ANSIBLE_TEST_CONTENT_ROOT="$tree" \
        timeout "$seconds" "$venv/bin/ansible-test" "$@" --color no 2>&1) | drop_pip_noise
    return "${PIPESTATUS[0]}"
}

# The integration targets ansible-test would run from <tree> (tests/integration/targets/*, without the hidden ones
# such as setup_*): one name a line.
integration_targets() {  # integration_targets <venv> <tree>
    (cd "$2" && PATH="$1/bin:$PATH" ANSIBLE_TEST_CONTENT_ROOT="$2" "$1/bin/ansible-test" integration --list-targets 2>/dev/null)
}

# The ONTAP simulator in the background (scripts/sim_session.py with SIM_PYTHON, default `python`), for scripts/demo.sh
# and the integration targets (tests/integration/targets/setup_ontap_sim). sim_start waits until it answers (at most
# 30 s) and sources the ONTAP_* variables it writes to <env file> (exported); sim_stop stops it (TERM, then KILL after
# 5 s) and is safe to call twice: call it from an EXIT trap.
SIM_PID=""
sim_start() {  # sim_start <env file> [sim_session.py options...]
    local env_file=$1
    shift
    rm -f "$env_file"
    "${SIM_PYTHON:-python}" "$LIB_ROOT/scripts/sim_session.py" "$env_file" "$@" &
    SIM_PID=$!
    for _ in $(seq 1 300); do
        [ -f "$env_file" ] && break
        kill -0 "$SIM_PID" 2>/dev/null || { echo "error: the simulator exited early" >&2; SIM_PID=""; return 1; }
        sleep 0.1
    done
    [ -f "$env_file" ] || { echo "error: the simulator did not start within 30 s" >&2; sim_stop; return 1; }
    # shellcheck disable=SC1090  # written by sim_session.py: export NAME=value lines
    . "$env_file"
}

sim_stop() {
    if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill -TERM "$SIM_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SIM_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
        echo "simulator stopped"
    fi
    SIM_PID=""
}
