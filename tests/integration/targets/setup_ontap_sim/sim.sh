# shellcheck shell=bash
# The ONTAP simulator for an ansible-test integration target. A target that needs it lists
# needs/target/setup_ontap_sim (and needs/file/tests/integration/playbooks/<its playbook>) in its aliases; its
# runme.sh sources this file and calls
#
#   ontap_sim_playbook <name>.yml [ansible-playbook arguments, e.g. ansible-test's -v]
#
# which starts a simulator of its own in the background (scripts/sim_session.py: HTTPS with its own CA, a free port,
# the seed state), exports the connection (ONTAP_HOSTNAME, ONTAP_PORT, ONTAP_USERNAME, ONTAP_PASSWORD, ONTAP_CA_PATH,
# ONTAP_VALIDATE_CERTS, ONTAP_SIM_URL: what the modules and tests/integration/playbooks/vars/sim.yml read) and
# writes it as variables to $ONTAP_SIM_VARS (ontap_sim_hostname, ontap_sim_port, ontap_sim_username,
# ontap_sim_password, ontap_sim_ca_path, ontap_sim_validate_certs, ontap_sim_url; passed with -e @file), runs
# tests/integration/playbooks/<name>.yml on localhost, and stops the simulator when the target's shell exits
# (EXIT trap: no process is left behind, whatever happens). The target fails unless ansible-playbook exits 0, its
# recap has no failure (failures under ignore_errors or rescued on purpose do not count) and at least one task ran
# (the tests/integration/callback_plugins/ontap_results report).

ONTAP_SIM_TARGET_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ONTAP_SIM_ROOT=$(cd "$ONTAP_SIM_TARGET_DIR/../../../.." && pwd)   # the collection (or ansible-test's copy of it)
# shellcheck source=scripts/lib.sh
. "$ONTAP_SIM_ROOT/scripts/lib.sh"

ONTAP_SIM_WORK=$(mktemp -d "${TMPDIR:-/tmp}/ontap-sim-target.XXXXXX")
ONTAP_SIM_VARS="$ONTAP_SIM_WORK/sim_vars.yml"
# SIM_PYTHON: the Python ansible-test runs the target with (the controller's, which has ontap_sim and requests).
SIM_PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(command -v python || command -v python3)}
export ONTAP_SIM_VARS SIM_PYTHON

ontap_sim_cleanup() {
    sim_stop
    rm -rf "$ONTAP_SIM_WORK"
}
trap ontap_sim_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ontap_sim_start() {  # the simulator's options: $ONTAP_SIM_OPTIONS (words, e.g. "--time-scale 10"), default none
    # shellcheck disable=SC2086  # word splitting wanted
    sim_start "$ONTAP_SIM_WORK/sim.env" ${ONTAP_SIM_OPTIONS:-} || return 1
    "$SIM_PYTHON" - "$ONTAP_SIM_VARS" <<'PY'
import json, os, sys
names = ('ONTAP_HOSTNAME', 'ONTAP_PORT', 'ONTAP_USERNAME', 'ONTAP_PASSWORD', 'ONTAP_CA_PATH', 'ONTAP_VALIDATE_CERTS',
         'ONTAP_SIM_URL')
with open(sys.argv[1], 'w') as handle:
    json.dump(dict(('ontap_sim_' + name[len('ONTAP_'):].lower().replace('sim_', '', 1), os.environ[name])
                   for name in names if name in os.environ), handle)  # JSON is YAML
PY
    echo "simulator: $ONTAP_SIM_URL (user $ONTAP_USERNAME, CA ${ONTAP_CA_PATH:-none})"
}

ontap_sim_playbook() {  # ontap_sim_playbook <playbook under tests/integration/playbooks> [ansible-playbook args]
    local playbook="$ONTAP_SIM_ROOT/tests/integration/playbooks/$1" report="$ONTAP_SIM_WORK/results.json" rc=0
    shift
    [ -f "$playbook" ] || { echo "error: no $playbook (needs/file/tests/integration/playbooks/... in aliases?)" >&2; return 1; }
    ontap_sim_start || return 1
    # Modules run with the controller's Python (requests); the results callback next to ansible-test's own (junit).
    ANSIBLE_PYTHON_INTERPRETER=$SIM_PYTHON \
    ANSIBLE_CALLBACK_PLUGINS="$ONTAP_SIM_ROOT/tests/integration/callback_plugins${ANSIBLE_CALLBACK_PLUGINS:+:$ANSIBLE_CALLBACK_PLUGINS}" \
    ANSIBLE_CALLBACKS_ENABLED="ontap_results${ANSIBLE_CALLBACKS_ENABLED:+,$ANSIBLE_CALLBACKS_ENABLED}" \
    ONTAP_REST_RESULTS_FILE=$report ANSIBLE_RETRY_FILES_ENABLED=false ANSIBLE_NOCOLOR=1 PYTHONDONTWRITEBYTECODE=1 \
        timeout "${ONTAP_REST_PLAYBOOK_TIMEOUT:-600}" ansible-playbook -i localhost, -c local \
            -e "@$ONTAP_SIM_VARS" "$playbook" "$@" || rc=$?
    [ "$rc" = 0 ] || { echo "error: ansible-playbook $(basename "$playbook") exited $rc" >&2; return 1; }
    "$SIM_PYTHON" - "$report" <<'PY'
import json, sys
with open(sys.argv[1]) as handle:
    report = json.load(handle)
stats = report.get('stats') or {}
failures = dict((host, c) for host, c in stats.items() if c.get('failures') or c.get('unreachable'))
problems = []
if not stats:
    problems.append('no recap: the playbook did not run to its end')
if failures:
    problems.append('failures in the recap: %s' % failures)
if not report.get('tasks'):
    problems.append('the playbook ran no task')
for problem in problems:
    sys.stderr.write('error: %s\n' % problem)
if not problems:
    print('%d tasks, recap %s' % (len(report['tasks']), stats))
sys.exit(1 if problems else 0)
PY
}
