"""Command line: ``ontap-sim`` / ``python -m ontap_sim``."""

import argparse
import os
import signal
import sys
import tempfile
import threading
from typing import List, Optional

from .core import SimConfig, Simulator
from .server import build_server
from .tls import make_certificate


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line (see ``ontap-sim --help``)."""
    parser = argparse.ArgumentParser(prog="ontap-sim", description="Simulated NetApp ONTAP REST API server.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free port (default 0)")
    parser.add_argument("--http", action="store_true", help="serve plain HTTP instead of HTTPS")
    parser.add_argument("--cert-dir", default=None,
                        help="directory for the generated cert.pem (server cert + CA, usable as CA bundle), "
                             "key.pem and ca.pem (default: a new temporary directory)")
    parser.add_argument("--username", default="admin", help="cluster admin user (default admin)")
    parser.add_argument("--password", default="netapp1!", help="cluster admin password (default netapp1!)")
    parser.add_argument("--job-seconds", type=float, default=2.0,
                        help="default job running time in simulated seconds (default 2)")
    parser.add_argument("--job-retention", type=float, default=300.0,
                        help="simulated seconds terminal jobs stay readable (default 300)")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="simulated seconds per real second (default 1)")
    parser.add_argument("--connection-limit", type=int, default=None,
                        help="requests in flight above which the server answers 503 (default: no limit)")
    parser.add_argument("--cluster-name", default="cluster1", help="cluster name (default cluster1)")
    parser.add_argument("--mtls", action="store_true",
                        help="mutual TLS: accept client certificates signed by the generated CA (ca.pem; issue them "
                             "with ontap_sim.tls.make_client_certificate), CN = account; others are refused")
    parser.add_argument("--exit-with-stdin", action="store_true",
                        help="stop when standard input reaches end of file (the process that started the simulator "
                             "ended, even without stopping it: SimServer uses this so no simulator outlives its test)")
    parser.add_argument("--users", action="append", default=[],
                        help="extra users NAME:PASSWORD:ROLE[:SVM], comma-separated and/or repeated; ROLE is "
                             "admin|readonly|svm|jobs_forbidden|jobs_hidden (SVM only with svm); kept across reset")
    args = parser.parse_args(argv)
    args.user_specs = []
    for item in ",".join(args.users).split(","):
        if not item.strip():
            continue
        bits = item.strip().split(":")
        if len(bits) not in (3, 4):
            parser.error("--users: expected NAME:PASSWORD:ROLE[:SVM], got %r" % item)
        spec = {"name": bits[0], "password": bits[1], "role": bits[2]}
        if len(bits) == 4:
            spec["svm"] = bits[3]
        args.user_specs.append(spec)
    if args.time_scale <= 0:
        parser.error("--time-scale must be > 0")
    if args.job_seconds < 0 or args.job_retention < 0:
        parser.error("--job-seconds and --job-retention must be >= 0")
    return args


def _stop(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def _exit_with_stdin() -> None:
    """Wait (in a daemon thread) for end of file on standard input, then stop the server like SIGTERM."""
    def watch() -> None:
        try:
            while sys.stdin.read(4096):
                pass
        except (OSError, ValueError):
            pass
        os.kill(os.getpid(), signal.SIGTERM)
    threading.Thread(target=watch, name="ontap-sim-stdin-watch", daemon=True).start()


def main(argv: Optional[List[str]] = None) -> int:
    """Start the simulator and serve until SIGTERM/SIGINT."""
    args = parse_args(argv)
    config = SimConfig(job_seconds=args.job_seconds, job_retention=args.job_retention, time_scale=args.time_scale,
                       connection_limit=args.connection_limit, cluster_name=args.cluster_name)
    sim = Simulator(config, args.username, args.password)
    for spec in args.user_specs:
        try:
            sim.add_user(spec, base=True)
        except ValueError as err:
            sys.stderr.write("ontap-sim: --users: %s\n" % err)
            return 2
    cert_path = key_path = client_ca = None
    if not args.http:
        cert_dir = args.cert_dir or tempfile.mkdtemp(prefix="ontap-sim-")
        cert_path, key_path, ca_path = make_certificate(os.path.abspath(cert_dir), [args.host])
        client_ca = ca_path if args.mtls else None
    elif args.mtls:
        sys.stderr.write("ontap-sim: --mtls needs HTTPS (leave out --http)\n")
        return 2
    server = build_server(sim, args.host, args.port, cert_path, key_path, client_ca)
    scheme = "http" if args.http else "https"
    host = args.host if ":" not in args.host else "[%s]" % args.host
    url = "%s://%s:%d" % (scheme, host, server.port)
    signal.signal(signal.SIGTERM, _stop)
    if args.exit_with_stdin:
        _exit_with_stdin()
    sys.stdout.write("ONTAP simulator listening on %s (user %s)\n" % (url, args.username))
    sys.stdout.flush()
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0
