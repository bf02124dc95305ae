# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ontap.rest tooling: run the ONTAP simulator for a shell script (scripts/demo.sh) or an interactive session.
"""Start the ONTAP simulator with ``ontap_sim.testing.SimServer`` and keep it up until SIGTERM/SIGINT.

Usage: ``python scripts/sim_session.py ENV_FILE [--time-scale N] [--job-seconds S] [--users NAME:PW:ROLE[:SVM]] ...``
(``--help`` lists every option; they are the simulator's own, passed through to SimServer).

Once the simulator answers, writes ``ENV_FILE`` (shell syntax, values quoted) with the variables the modules read:
``ONTAP_HOSTNAME``, ``ONTAP_PORT``, ``ONTAP_USERNAME``, ``ONTAP_PASSWORD``, ``ONTAP_VALIDATE_CERTS`` and
``ONTAP_CA_PATH`` (the simulator's CA bundle: HTTPS is verified; absent with ``--http``), plus ``ONTAP_SIM_URL``,
the simulator's effective settings ``ONTAP_SIM_JOB_SECONDS``, ``ONTAP_SIM_JOB_RETENTION``, ``ONTAP_SIM_TIME_SCALE``,
and with ``--mtls`` ``ONTAP_SIM_CLIENT_CERT`` / ``ONTAP_SIM_CLIENT_KEY`` (a client certificate for the admin user).
On SIGTERM or SIGINT, leaves the ``with SimServer()`` block, which stops the simulator.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import threading


def parse_args(argv: list) -> argparse.Namespace:
    """The command line: ENV_FILE plus the simulator's options (``ontap-sim --help``)."""
    parser = argparse.ArgumentParser(
        prog='sim_session.py',
        description='Run the ONTAP simulator until SIGTERM/SIGINT and write the ONTAP_* variables to ENV_FILE.')
    parser.add_argument('env_file', metavar='ENV_FILE', help='file to write (shell syntax: export NAME=value)')
    parser.add_argument('--host', help='address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=int, help='TCP port (default: a free one)')
    parser.add_argument('--http', action='store_true',
                        help='plain HTTP instead of HTTPS (for curl or other clients: the modules speak HTTPS only)')
    parser.add_argument('--mtls', action='store_true',
                        help='also accept client certificates (HTTPS only): a certificate for the admin user is issued '
                             'and its files are written as ONTAP_SIM_CLIENT_CERT and ONTAP_SIM_CLIENT_KEY')
    parser.add_argument('--cert-dir', help='where cert.pem (the CA bundle), key.pem and ca.pem go (default: a new '
                                           'temporary directory, removed at exit)')
    parser.add_argument('--username', help='cluster admin user (default admin)')
    parser.add_argument('--password', help='cluster admin password (default netapp1!)')
    parser.add_argument('--job-seconds', type=float, help='default job running time, simulated seconds (default 2)')
    parser.add_argument('--job-retention', type=float,
                        help='simulated seconds a finished job stays readable (default 300)')
    parser.add_argument('--time-scale', type=float, help='simulated seconds per real second (default 1)')
    parser.add_argument('--connection-limit', type=int,
                        help='requests in flight above which the simulator answers 503 (default: no limit)')
    parser.add_argument('--cluster-name', help='cluster name (default cluster1)')
    parser.add_argument('--users', action='append', default=[],
                        help='extra users NAME:PASSWORD:ROLE[:SVM], comma-separated and/or repeated; ROLE is '
                             'admin|readonly|svm|jobs_forbidden|jobs_hidden')
    args = parser.parse_args(argv)
    if args.mtls and args.http:
        parser.error('--mtls needs HTTPS (leave out --http)')
    if args.time_scale is not None and args.time_scale <= 0:
        parser.error('--time-scale must be > 0')
    for name in ('job_seconds', 'job_retention'):
        if getattr(args, name) is not None and getattr(args, name) < 0:
            parser.error('--%s must be >= 0' % name.replace('_', '-'))
    return args


def server_options(args: argparse.Namespace) -> dict:
    """The SimServer keyword arguments for the options given (others keep the simulator's defaults)."""
    options = {}
    for name in ('host', 'port', 'cert_dir', 'username', 'password', 'job_seconds', 'job_retention', 'time_scale',
                 'connection_limit', 'cluster_name'):
        value = getattr(args, name)
        if value is not None:
            options[name] = value
    if args.http:
        options['http'] = True
    if args.mtls:
        options['mtls'] = True
    if args.users:
        options['users'] = ','.join(args.users)
    return options


def environment(server, mtls=False) -> dict:
    """The ONTAP_* variables that point the modules at ``server`` (a started SimServer); with ``mtls``, also the
    files of a client certificate for the admin user (``ONTAP_SIM_CLIENT_CERT``, ``ONTAP_SIM_CLIENT_KEY``)."""
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
    if mtls:
        env['ONTAP_SIM_CLIENT_CERT'], env['ONTAP_SIM_CLIENT_KEY'] = server.client_certificate(server.username)
    config = server.config()
    for key in ('job_seconds', 'job_retention', 'time_scale'):
        env['ONTAP_SIM_' + key.upper()] = '%g' % config[key]
    return env


def main(argv: list) -> int:
    """Run the simulator until a signal arrives; return the exit status."""
    args = parse_args(argv[1:])
    env_file = args.env_file

    from ontap_sim.testing import SimServer  # pylint: disable=import-outside-toplevel

    stop = threading.Event()

    def on_signal(signum, frame):  # pylint: disable=unused-argument
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    with SimServer(**server_options(args)) as server:
        tmp = env_file + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as handle:
            for key, value in sorted(environment(server, args.mtls).items()):
                handle.write('export %s=%s\n' % (key, shlex.quote(value)))
        os.replace(tmp, env_file)  # the reader never sees a half-written file
        while not stop.wait(0.5):
            if server.proc is not None and server.proc.poll() is not None:
                sys.stderr.write('sim_session.py: the simulator exited:\n%s' % server.output)
                return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
