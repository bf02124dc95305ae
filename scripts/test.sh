#!/usr/bin/env bash
# THE test command of ontap.rest (README.md names it; .ci/run runs it).
#
#   bash scripts/test.sh                 all stages, in order
#   bash scripts/test.sh units sanity    only the named stages (bootstrap and the build tree are always prepared)
#   FAIL_FAST=1 bash scripts/test.sh     stop at the first failing stage
#
# Stages:
#   units        ansible-test units --local (tests/unit), from the build tree; fails when no test ran
#   functional   pytest tests/functional (the real modules in-process against the simulator), from the build tree
#   simulator    pytest tests/simulator (the ONTAP simulator's own tests); fails when no test ran
#   sanity       ansible-test sanity --requirements --venv, with zero entries in tests/sanity/ignore-*.txt
#   lint         scripts/lint.sh: ansible-lint (profile production) and antsibull-docs (docs/lint.md)
#   integration  ansible-test integration --local: the targets of tests/integration/targets (each starts and stops
#                its own simulator), then pytest tests/integration/test_runner.py (ansible-runner, as AWX runs it)
#   chaos        the truth harness (docs/chaos.md): pytest tests/chaos (the checker), then the fixed CI set of
#                random scenarios as real ansible-playbook tasks against the simulator; fails on any lie
#   changelog    antsibull-changelog lint (fragments) and lint-changelog-yaml
#   build        ansible-galaxy collection build + install --offline, then ansible-doc for every module
#   matrix       scripts/matrix.sh 2.16 2.17 2.18: sanity, units and integration on the other ansible-core releases
#
# Every stage runs even when an earlier one failed (unless FAIL_FAST=1); the exit status is non-zero when any
# stage failed, and a summary with each stage's result and duration is printed at the end.
# Works offline with a package index: ansible-test's pip bootstrap download is replaced by
# scripts/get_pip_standin.py (installed into ~/.ansible/test/cache).
# The stage_* functions are called by name (run_stage), which shellcheck cannot see:
# shellcheck disable=SC2329
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
BUILD="$ROOT/.build/ansible_collections/ontap/rest"
PYVER=3.11
JUNIT="$ROOT/.build/junit"                    # JUnit reports of the pytest stages
STAGE_TIMEOUT=${STAGE_TIMEOUT:-1800}          # seconds; a hung stage must not eat CI's whole budget
ALL_STAGES=(units functional simulator sanity lint integration chaos changelog build matrix)

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

# ---------------------------------------------------------------------------------------------------------------
# Results bookkeeping

declare -a SUMMARY=()
FAILED=0

record() {  # record <stage> <PASS|FAIL|SKIP> <seconds> <note>
    SUMMARY+=("$(printf '  %-12s %-5s %5ss  %s' "$1" "$2" "$3" "$4")")
    [ "$2" = FAIL ] && FAILED=1
    return 0
}

print_summary() {
    local total
    total=$(elapsed "$T0")
    printf '\n==================== ontap.rest test summary ====================\n'
    printf '  %-12s %-5s %6s  %s\n' stage result time note
    printf '%s\n' "${SUMMARY[@]}"
    printf '  %-12s %-5s %5ss\n' total "$([ "$FAILED" = 0 ] && echo PASS || echo FAIL)" "$total"
    printf '=================================================================\n'
}

# Each stage function prints its own output, sets NOTE (one line for the summary) and returns
# 0 (pass), 1 (fail) or 2 (skip: what it tests does not exist yet).
run_stage() {
    local name=$1 t rc
    say "stage: $name"
    NOTE=""
    t=$(now)
    "stage_$name"
    rc=$?
    case $rc in
        0) record "$name" PASS "$(elapsed "$t")" "$NOTE" ;;
        2) record "$name" SKIP "$(elapsed "$t")" "$NOTE" ;;
        *) record "$name" FAIL "$(elapsed "$t")" "${NOTE:-exit status $rc}" ;;
    esac
    if [ "$rc" = 1 ] || [ "$rc" -gt 2 ]; then
        echo "stage $name FAILED${NOTE:+: $NOTE}" >&2
        if [ "${FAIL_FAST:-0}" = 1 ]; then
            print_summary
            exit 1
        fi
    fi
    return 0
}

has_files() {  # has_files <find args...>: true when find prints at least one path
    [ -n "$(find "$@" -print -quit 2>/dev/null)" ]
}

# check_junit <what> <junit files or directories...>: NOTE = "<n> passed, <s> skipped, <f> failed"; fails when
# anything failed or when no test ran (all skipped counts as none ran).
check_junit() {
    local what=$1
    shift
    NOTE=$(junit_summary "$@") && return 0
    case $NOTE in none\ ran*) NOTE="no $what ran (${NOTE#none ran (}" ;; esac
    return 1
}

# run_pytest <stage> <pytest args...>: pytest with a JUnit report; "no tests ran" (exit 5) is a failure.
run_pytest() {
    local stage=$1 rc report="$JUNIT/$1.xml"
    shift
    rm -f "$report"
    timeout "$STAGE_TIMEOUT" python -m pytest -p no:cacheprovider --junitxml="$report" "$@"
    rc=$?
    case $rc in
        0) check_junit "$stage tests" "$report" ;;
        5) NOTE="pytest collected no tests"; return 1 ;;
        124) NOTE="pytest killed after $STAGE_TIMEOUT s"; return 1 ;;
        *) check_junit "$stage tests" "$report"; NOTE="pytest exit status $rc; $NOTE"; return 1 ;;
    esac
}

# ---------------------------------------------------------------------------------------------------------------
# Stages

stage_units() {
    if ! has_files "$ROOT/tests/unit" -name 'test_*.py'; then
        if has_files "$ROOT/plugins" -name '*.py' ! -name '__init__.py'; then
            NOTE="plugins/ has code but tests/unit has no test_*.py"
            return 1
        fi
        NOTE="no plugins and no unit tests yet"
        return 2
    fi
    rm -rf "$BUILD/tests/output/junit"
    ansible_test_in "$VENV" "$BUILD" "$STAGE_TIMEOUT" units --python "$PYVER" --local \
        || { NOTE="ansible-test units failed"; return 1; }
    # ansible-test treats pytest's "no tests ran" as success: count what ran from its JUnit reports.
    check_junit "unit tests" "$BUILD"/tests/output/junit/*.xml
}

stage_functional() {
    # The real modules in-process against the simulator (tests/functional): they need a simulator, so they are not
    # unit tests. From the build tree, whose path gives ansible_collections.ontap.rest.
    has_files "$ROOT/tests/functional" -name 'test_*.py' || { NOTE="no tests in tests/functional"; return 1; }
    local rc=0
    cd "$BUILD" || return 1
    run_pytest functional tests/functional -q -ra || rc=$?
    cd "$ROOT" || return 1
    return "$rc"
}

stage_simulator() {
    if [ ! -f "$ROOT/tests/simulator/pyproject.toml" ] && [ ! -f "$ROOT/tests/simulator/setup.py" ]; then
        NOTE="tests/simulator is not a package yet"
        return 2
    fi
    run_pytest simulator tests/simulator -q -ra
}

stage_sanity() {
    no_ignore_entries || { NOTE="entries in tests/sanity/ignore-*.txt"; return 1; }
    install_get_pip_standin || { NOTE="cannot install the get-pip stand-in"; return 1; }
    py39_syntax || { NOTE="module code that Python 3.9 cannot parse"; return 1; }
    ansible_test_in "$VENV" "$BUILD" "$STAGE_TIMEOUT" sanity --python "$PYVER" --requirements --venv \
        || { NOTE="ansible-test sanity failed"; return 1; }
    NOTE="ansible-test sanity clean, no ignore entries"
}

stage_integration() {
    # ansible-test integration targets (tests/integration/targets: each playbook of tests/integration/playbooks,
    # against a simulator the target starts and stops itself, setup_ontap_sim), then the ansible-runner tests (pytest).
    local targets runner
    targets=$(integration_targets "$VENV" "$BUILD" | wc -l)
    [ "$targets" -gt 0 ] || { NOTE="no integration targets in tests/integration/targets"; return 1; }
    ansible_test_in "$VENV" "$BUILD" "$STAGE_TIMEOUT" integration --python "$PYVER" --local \
        || { NOTE="ansible-test integration failed ($targets targets)"; return 1; }
    run_pytest integration tests/integration/test_runner.py -v -ra || { NOTE="ansible-runner tests: $NOTE"; return 1; }
    runner=$NOTE
    NOTE="$targets ansible-test integration targets passed; ansible-runner tests: $runner"
}

stage_chaos() {
    # tests/chaos: the checker's own tests, then `python tests/chaos/run.py --ci` (docs/chaos.md). The table it
    # prints ends with the verdict; its last lines become the note.
    local out="$JUNIT/chaos.txt" rc tests
    has_files "$ROOT/tests/chaos" -name 'run.py' || { NOTE="no tests/chaos/run.py"; return 1; }
    run_pytest chaos tests/chaos -q -ra || return 1
    tests=$NOTE
    timeout "$STAGE_TIMEOUT" python "$ROOT/tests/chaos/run.py" --ci | tee "$out"
    rc=${PIPESTATUS[0]}
    NOTE="$tests; $(grep -E '^  scenarios' "$out" | sed 's/^ *//'); $(grep -E '^  lies' "$out" | sed 's/^ *//')"
    [ "$rc" = 0 ] || { NOTE="truth harness failed (exit $rc): $NOTE"; return 1; }
}

stage_lint() {
    # ansible-lint (profile production) and antsibull-docs lint-collection-docs: scripts/lint.sh, docs/lint.md.
    VENV="$VENV" bash "$ROOT/scripts/lint.sh" || { NOTE="scripts/lint.sh failed"; return 1; }
    NOTE="ansible-lint (production) and antsibull-docs clean"
}

stage_matrix() {
    # ansible-test sanity and units on the other supported ansible-core releases (2.19 is the stages above):
    # scripts/matrix.sh, one venv and collection copy per release under .build/matrix/.
    bash "$ROOT/scripts/matrix.sh" 2.16 2.17 2.18 || { NOTE="scripts/matrix.sh failed (see its summary above)"; return 1; }
    NOTE="sanity, units and integration clean on ansible-core 2.16, 2.17, 2.18"
}

stage_changelog() {
    (cd "$BUILD" && antsibull-changelog lint && antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml) \
        || { NOTE="antsibull-changelog lint failed"; return 1; }
    NOTE="$(find "$BUILD/changelogs/fragments" -name '*.yml' | wc -l) fragments lint clean"
}

stage_build() {
    local tmp rc
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/ontap-rest-build.XXXXXX")
    build_and_check "$tmp"
    rc=$?
    rm -rf "$tmp"
    return "$rc"
}

build_and_check() {
    local tmp=$1 tarball modules m bad=0 count=0
    (cd "$BUILD" && ansible-galaxy collection build --output-path "$tmp/dist") || { NOTE="ansible-galaxy collection build failed"; return 1; }
    tarball=$(find "$tmp/dist" -name 'ontap-rest-*.tar.gz' | head -n 1)
    [ -n "$tarball" ] || { NOTE="no ontap-rest-*.tar.gz was built"; return 1; }
    if tar -tzf "$tarball" | grep -E '^(\./)?(\.venv|\.build|\.git|tests/output)(/|$)'; then
        NOTE="the tarball contains development files (listed above)"
        return 1
    fi
    # Only the temporary path counts: a copy installed elsewhere (e.g. in .venv by demo.sh) must not make the install
    # a no-op, nor be what ansible-doc reads.
    ANSIBLE_COLLECTIONS_PATH="$tmp/collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
        ansible-galaxy collection install --offline --force -p "$tmp/collections" "$tarball" \
        || { NOTE="ansible-galaxy collection install --offline failed"; return 1; }

    # Every module file, plus every module the action group in meta/runtime.yml promises.
    modules=$(python - "$BUILD" <<'EOF'
import glob, os, sys
import yaml
root = sys.argv[1]
names = {os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(root, 'plugins/modules/*.py'))}
names.discard('__init__')
with open(os.path.join(root, 'meta/runtime.yml')) as f:
    runtime = yaml.safe_load(f) or {}
for group in (runtime.get('action_groups') or {}).values():
    names.update(n for n in group if isinstance(n, str))
print('\n'.join(sorted(names)))
EOF
    ) || { NOTE="cannot list the modules"; return 1; }
    [ -n "$modules" ] || { NOTE="the collection has no modules"; return 1; }

    for m in $modules; do
        count=$((count + 1))
        # ansible-doc must succeed and return a real DOCUMENTATION (it exits 0 for some "not found" cases).
        if ANSIBLE_COLLECTIONS_PATH="$tmp/collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
                ansible-doc -t module --json "ontap.rest.$m" >"$tmp/ansible-doc.json" 2>"$tmp/ansible-doc.err" \
            && python -c '
import json, sys
name = sys.argv[1]
data = json.load(sys.stdin)
entry = data.get(name) or {}
doc = entry.get("doc") or {}
sys.exit(0 if doc.get("short_description") else 1)
' "ontap.rest.$m" <"$tmp/ansible-doc.json"; then
            echo "ansible-doc ontap.rest.$m: ok"
        else
            echo "ansible-doc ontap.rest.$m: FAILED" >&2
            cat "$tmp/ansible-doc.err" >&2
            bad=$((bad + 1))
        fi
    done
    [ "$bad" = 0 ] || { NOTE="ansible-doc failed for $bad of $count modules"; return 1; }

    # Every role with an argument spec renders too (ansible-doc -t role shows meta/argument_specs.yml).
    local roles=0 r
    for r in "$BUILD"/roles/*/meta/argument_specs.yml; do
        [ -f "$r" ] || continue
        r=$(basename "$(dirname "$(dirname "$r")")")
        roles=$((roles + 1))
        if ANSIBLE_COLLECTIONS_PATH="$tmp/collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
                ansible-doc -t role --json "ontap.rest.$r" 2>"$tmp/ansible-doc.err" \
            | python -c 'import json, sys; data = json.load(sys.stdin); sys.exit(0 if (data.get(sys.argv[1]) or {}).get("entry_points") else 1)' "ontap.rest.$r"; then
            echo "ansible-doc -t role ontap.rest.$r: ok"
        else
            echo "ansible-doc -t role ontap.rest.$r: FAILED" >&2
            cat "$tmp/ansible-doc.err" >&2
            bad=$((bad + 1))
        fi
    done
    [ "$bad" = 0 ] || { NOTE="ansible-doc failed for $bad of $roles roles"; return 1; }
    NOTE="$(basename "$tarball") installed offline; ansible-doc ok for $count modules and $roles role(s)"
}

# Modules and module_utils run on Python 3.9+ (tests/config.yml), but sanity's compile test only has 3.11 here:
# parse them with the 3.9 grammar (catches match statements, parenthesised context managers, ...).
py39_syntax() {
    python - "$BUILD" <<'EOF'
import ast, glob, os, sys
root = sys.argv[1]
bad = 0
for sub in ('modules', 'module_utils'):
    for path in sorted(glob.glob(os.path.join(root, 'plugins', sub, '**', '*.py'), recursive=True)):
        with open(path, encoding='utf-8') as handle:
            source = handle.read()
        try:
            ast.parse(source, path, feature_version=(3, 9))
        except SyntaxError as exc:
            bad += 1
            print('%s:%s:%s: not Python 3.9 syntax: %s' % (os.path.relpath(path, root), exc.lineno, exc.offset, exc.msg))
sys.exit(1 if bad else 0)
EOF
}

# ---------------------------------------------------------------------------------------------------------------
# Main

T0=$(now)
cd "$ROOT" || exit 1
if [ $# -gt 0 ]; then STAGES=("$@"); else STAGES=("${ALL_STAGES[@]}"); fi
for s in "${STAGES[@]}"; do
    declare -F "stage_$s" >/dev/null || { echo "unknown stage '$s' (stages: ${ALL_STAGES[*]})" >&2; exit 2; }
done

say "bootstrap (.venv)"
t=$(now)
if ! bash "$ROOT/scripts/bootstrap.sh"; then
    record bootstrap FAIL "$(elapsed "$t")" "scripts/bootstrap.sh failed"
    print_summary
    exit 1
fi
record bootstrap PASS "$(elapsed "$t")" "$("$VENV/bin/ansible" --version 2>/dev/null | sed -n 1p)"
export PATH="$VENV/bin:$PATH"
export VIRTUAL_ENV="$VENV"
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS PYTHONPATH

say "build tree (.build/ansible_collections/ontap/rest)"
t=$(now)
mkdir -p "$JUNIT"
if ! bash "$ROOT/scripts/build_tree.sh" >/dev/null; then
    record build-tree FAIL "$(elapsed "$t")" "scripts/build_tree.sh failed"
    print_summary
    exit 1
fi
record build-tree PASS "$(elapsed "$t")" "$(cd "$BUILD" && find . -type f | wc -l) files"

for s in "${STAGES[@]}"; do
    run_stage "$s"
done

print_summary
exit "$FAILED"
