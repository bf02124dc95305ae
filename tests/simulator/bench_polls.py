#!/usr/bin/env python
"""Benchmark: job-poll requests per second from N concurrent keep-alive clients (target >= 300/s with 50).

Starts a simulator (HTTPS by default, ``--http`` for plain HTTP) unless ``--url`` points at a running one, creates a
long job, then N threads each poll ``GET /api/cluster/jobs/{uuid}?fields=state,message`` on their own
``requests.Session`` for ``--seconds`` seconds. Prints requests/s, latency percentiles (ms) and the number of TCP
connections the server saw (from ``/_sim/log``; with keep-alive it equals the client count).

    python tests/simulator/bench_polls.py --clients 50 --seconds 5
"""

import argparse
import statistics
import sys
import threading
import time
from typing import List, Optional

import requests
import urllib3

from ontap_sim.testing import SimServer


def run(url: str, username: str, password: str, verify: object, clients: int, seconds: float,
        control: Optional[SimServer]) -> int:
    """Run the benchmark against ``url``; returns 0 when the 300 req/s target is met."""
    setup = requests.Session()
    setup.auth = (username, password)
    setup.verify = verify  # type: ignore[assignment]
    setup.trust_env = False
    if control is not None:
        control.set_job("POST", "/api/storage/volumes", seconds=3600)
        control.clear_log()
    resp = setup.post(url + "/api/storage/volumes", json={"name": "bench%d" % int(time.time()),
                                                          "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}]})
    resp.raise_for_status()
    href = resp.json()["job"]["_links"]["self"]["href"]
    counts: List[int] = [0] * clients
    errors: List[int] = [0] * clients
    latencies: List[List[float]] = [[] for dummy in range(clients)]
    start = threading.Event()
    stop_at: List[float] = [0.0]

    def worker(index: int) -> None:
        session = requests.Session()
        session.auth = (username, password)
        session.verify = verify  # type: ignore[assignment]
        session.trust_env = False
        target = url + href + "?fields=state,message"
        start.wait()
        while time.monotonic() < stop_at[0]:
            began = time.perf_counter()
            try:
                ok = session.get(target, timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            latencies[index].append(time.perf_counter() - began)
            if ok:
                counts[index] += 1
            else:
                errors[index] += 1
        session.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    stop_at[0] = began + seconds
    start.set()
    for thread in threads:
        thread.join()
    return report(time.monotonic() - began, counts, errors, latencies, control)


def report(elapsed: float, counts: List[int], errors: List[int], latencies: List[List[float]],
           control: Optional[SimServer]) -> int:
    """Print the result line; 0 when the rate reaches 300 requests/s."""
    total = sum(counts)
    rate = total / elapsed
    every = sorted(x for lat in latencies for x in lat)
    p50 = statistics.median(every) * 1000 if every else 0.0
    p99 = every[int(len(every) * 0.99) - 1] * 1000 if every else 0.0
    line = "job polls: %.0f requests/s (%d ok, %d errors, %d clients, %.1f s; latency p50 %.1f ms, p99 %.1f ms)" % (
        rate, total, sum(errors), len(counts), elapsed, p50, p99)
    if control is not None:
        log = [e for e in control.log() if e["path"].startswith("/api/cluster/jobs/")]
        line += "; TCP connections seen by the server: %d" % len({e["connection"] for e in log})
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    return 0 if rate >= 300 else 1


def main(argv: Optional[List[str]] = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent keep-alive clients (default 50)")
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time in seconds (default 5)")
    parser.add_argument("--http", action="store_true", help="start the simulator with plain HTTP")
    parser.add_argument("--url", help="use a running simulator at this URL instead of starting one")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="netapp1!")
    args = parser.parse_args(argv)
    if args.url:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        return run(args.url.rstrip("/"), args.username, args.password, False, args.clients, args.seconds, None)
    with SimServer(http=args.http, username=args.username, password=args.password) as srv:
        verify = srv.ca_path if srv.ca_path else True
        return run(srv.url, srv.username, srv.password, verify, args.clients, args.seconds, srv)


if __name__ == "__main__":
    sys.exit(main())
