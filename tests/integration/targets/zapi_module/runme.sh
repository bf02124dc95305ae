#!/usr/bin/env bash
# ansible-test integration target: the playbook of the same name in tests/integration/playbooks, against a
# simulator this target starts and stops itself (tests/integration/targets/setup_ontap_sim/sim.sh).
set -euo pipefail
# shellcheck source=tests/integration/targets/setup_ontap_sim/sim.sh
. ../setup_ontap_sim/sim.sh
ontap_sim_playbook "$(basename "$PWD").yml" "$@"
