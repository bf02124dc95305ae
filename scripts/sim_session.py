# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ontap.rest tooling: run the ONTAP simulator for a shell script (scripts/demo.sh).
"""Start the ONTAP simulator with ``ontap_sim.testing.SimServer`` and keep it up until SIGTERM/SIGINT.

Usage: ``python scripts/sim_session.py ENV_FILE``

Once the simulator answers, writes ``ENV_FILE`` (shell syntax, values quoted) with the variables the modules read:
``ONTAP_HOSTNAME``, ``ONTAP_PORT``, ``ONTAP_USERNAME``, ``ONTAP_PASSWORD``, ``ONTAP_VALIDATE_CERTS`` and
``ONTAP_CA_PATH`` (the simulator's CA bundle: HTTPS is verified), plus ``ONTAP_SIM_URL``. On SIGTERM or SIGINT,
leaves the ``with SimServer()`` block, which stops the simulator.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
import threading


def environment(server) -> dict:
    """The ONTAP_* variables that point the modules at ``server`` (a started SimServer)."""
    env = {
        'ONTAP_SIM_URL': server.url,
        'ONTAP_HOSTNAME': server.host,
        'ONTAP_PORT': str(server.port),
        'ONTAP_USERNAME': server.username,
        'ONTAP_PASSWORD': server.password,
        'ONTAP_VALIDATE_CERTS': 'true' if server.ca_path else 'false',
    }
    if server.ca_path:
        env['ONTAP_CA_PATH'] = server.ca_path
    return env


def main(argv: list) -> int:
    """Run the simulator until a signal arrives; return the exit status."""
    if len(argv) != 2:
        sys.stderr.write('usage: %s ENV_FILE\n' % argv[0])
        return 2
    env_file = argv[1]

    from ontap_sim.testing import SimServer  # pylint: disable=import-outside-toplevel

    stop = threading.Event()

    def on_signal(signum, frame):  # pylint: disable=unused-argument
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    with SimServer() as server:
        tmp = env_file + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as handle:
            for key, value in sorted(environment(server).items()):
                handle.write('export %s=%s\n' % (key, shlex.quote(value)))
        os.replace(tmp, env_file)  # the reader never sees a half-written file
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
