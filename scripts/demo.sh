#!/usr/bin/env bash
# THE demo command of ontap.rest (README.md names it):
#   1. bootstrap .venv (scripts/bootstrap.sh),
#   2. build the collection and install it into .venv's own collections path
#      (<site-packages>/ansible_collections, which ansible in .venv finds without configuration),
#   3. start the ONTAP simulator on a free port, HTTPS with its generated certificate,
#   4. run playbooks/demo.yml against it with certificate validation on (ONTAP_CA_PATH = the simulator's CA),
#   5. print the outcome; the simulator is stopped on exit, whatever happens.
# Usage: bash scripts/demo.sh [extra ansible-playbook arguments, e.g. -v]
# cleanup is called by the EXIT trap, which shellcheck does not count as a call:
# shellcheck disable=SC2329
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PLAYBOOK="$ROOT/playbooks/demo.yml"

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ontap-rest-demo.XXXXXX")
cleanup() {
    sim_stop
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "bootstrap (.venv)"
bash "$ROOT/scripts/bootstrap.sh"
export PATH="$VENV/bin:$PATH"
unset ANSIBLE_COLLECTIONS_PATHS ANSIBLE_CONFIG PYTHONPATH

say "build and install ontap.rest into .venv"
BUILD=$(bash "$ROOT/scripts/build_tree.sh")
(cd "$BUILD" && ansible-galaxy collection build --force --output-path "$WORK/dist" >/dev/null)
SITE=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
# Use exactly that copy (not one in ~/.ansible/collections).
export ANSIBLE_COLLECTIONS_PATH="$SITE"
# ansible-galaxy warns about any site-packages path because the pip package `ansible` (the community bundle)
# keeps its collections there; .venv has only ansible-core, so that one warning does not apply.
ansible-galaxy collection install --offline --force -p "$SITE" "$WORK"/dist/ontap-rest-*.tar.gz \
    2> >(grep -v "appears to be part of the pip Ansible package" >&2)
ansible-galaxy collection list ontap.rest 2>/dev/null | tail -n +2

say "start the ONTAP simulator"
python -c 'import ontap_sim.testing' 2>/dev/null \
    || { echo "error: the simulator (tests/simulator, ontap_sim.testing) is not installed" >&2; exit 1; }
sim_start "$WORK/sim.env" || exit 1
echo "simulator: $ONTAP_SIM_URL (user $ONTAP_USERNAME, validate_certs=$ONTAP_VALIDATE_CERTS, CA ${ONTAP_CA_PATH:-none})"

say "ansible-playbook playbooks/demo.yml"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=false ANSIBLE_PYTHON_INTERPRETER="$VENV/bin/python"
set +e
ansible-playbook -i localhost, -c local "$PLAYBOOK" "$@"
rc=$?
set -e

if [ "$rc" = 0 ]; then
    say "demo outcome: SUCCESS (playbooks/demo.yml, ansible-playbook exit 0)"
else
    say "demo outcome: FAILED (playbooks/demo.yml, ansible-playbook exit $rc)"
fi
exit "$rc"
