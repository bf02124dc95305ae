# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 5: detection delay and polls of our real job poller for long jobs, on the simulator's clock control.

Runs ``job_poller.send_and_wait`` (the code every ontap.rest module uses, through the real ``client.OntapClient``,
one keep-alive HTTPS session) against ``ontap-sim`` at time scale 1. Nothing real is slept: the poller's
``sleep(s)`` is ``POST /_sim/clock {"advance": s}`` and its ``clock()`` is the simulator's clock, and the request ONTAP
holds for ``return_timeout`` is ended by one jump of ``return_timeout`` seconds (the simulator's held requests wait
on its clock). Real time still runs (time scale 1), so every request's own latency is in the figures. A job of 30
simulated minutes costs about a second.

The detection delay is ``elapsed - D``: from the job's end (D simulated seconds after the POST arrived) to the end of
the job read that showed it ended, in simulated seconds. Requests and TCP connections come from the simulator's
request log (each run logs in as its own user).

Usage (run by bench.py, with ansible_collections/ontap/rest importable)::

    python detection.py --out result.json --durations '[150,300,600,1800]' --reps 3
"""

import argparse
import json
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'tests', 'simulator'))

from ontap_sim.testing import SimServer  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.ontap.rest.plugins.module_utils import client as client_mod  # noqa: E402
from ansible_collections.ontap.rest.plugins.module_utils import job_poller  # noqa: E402
from ansible_collections.ontap.rest.plugins.module_utils import options as options_mod  # noqa: E402

PASSWORD = 'bench-pass1'

#: Option sets measured: the shipped defaults, and return_timeout 5 (the setting of issue 13's "before" figures).
CANDIDATES = {'shipped': {}, 'return_timeout 5': {'return_timeout': 5}}
#: job_timeout is the one shipped option changed: 600 s would end the longer jobs as timed_out (a budget, not pacing).
JOB_TIMEOUT_MARGIN = 600.0


def shipped_defaults():
    """The async option defaults as shipped (from the argument spec builder, so this follows any change)."""
    spec = options_mod.async_job_spec()
    return dict((name, spec[name]['default']) for name in
                ('wait_for_completion', 'return_timeout', 'poll_interval', 'max_poll_interval', 'job_timeout'))


def one(sim, user, duration, opts):
    """One create of a job of ``duration`` simulated seconds through send_and_wait. :returns: result dict."""
    sim.add_user(user, PASSWORD)
    client = client_mod.OntapClient('127.0.0.1', port=sim.port, username=user, password=PASSWORD,
                                    validate_certs=False)
    options = job_poller.WaitOptions(**opts)

    def clock():
        return float(sim.control('POST', '/clock', {'advance': 0})['now'])

    def sleep(seconds):
        sim.advance_clock(seconds)

    def hold():
        # ONTAP holds the POST until the job ends or return_timeout passes, whichever is first: once the job exists,
        # jump the clock that far (no further: ONTAP answers a job that ends in time the moment it ends).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(job.get('state') not in ('success', 'failure') for job in sim.control('GET', '/jobs')['jobs']):
                sim.advance_clock(min(float(options.return_timeout), float(duration)))
                return
            time.sleep(0.005)

    body = {'name': 'd_' + user, 'svm': {'name': 'svm1'}, 'size': 104857600, 'aggregates': [{'name': 'aggr1'}]}
    helper = threading.Thread(target=hold)
    helper.start()
    real0 = time.monotonic()
    result = error = None
    try:
        dummy, result = job_poller.send_and_wait(client, 'POST', 'storage/volumes', body=body, options=options,
                                                 clock=clock, sleep=sleep)
    except Exception as exc:  # pylint: disable=broad-except
        error = '%s: %s' % (type(exc).__name__, exc)
    real = time.monotonic() - real0
    helper.join()
    client.close()
    mine = [e for e in sim.log() if e['user'] == user]
    return dict(user=user, duration=duration, options=opts, real_wall=real,
                outcome=result.outcome if result else 'error', polls=result.polls if result else None,
                elapsed=result.elapsed if result else None,
                detect_delay=(result.elapsed - duration) if result and result.outcome == 'success' else None,
                message=result.message if result else error, requests=len(mine),
                connections=len(set(e['connection'] for e in mine)),
                post_status=next((e['status'] for e in mine if e['method'] == 'POST'), None))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--durations', default='[150,300,600,1800]')
    parser.add_argument('--reps', type=int, default=3)
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    import urllib3  # pylint: disable=import-outside-toplevel
    urllib3.disable_warnings()
    durations = json.loads(args.durations)
    shipped = shipped_defaults()
    results = []
    with SimServer(time_scale=1.0, job_retention=1000000) as sim:
        sim.set_job('POST', '/api/storage/volumes', seconds=max(durations))
        for duration in durations:
            sim.clear_jobs()
            sim.set_job('POST', '/api/storage/volumes', seconds=duration)
            for name, changes in CANDIDATES.items():
                opts = dict(shipped, job_timeout=float(duration) + JOB_TIMEOUT_MARGIN)
                opts.update(changes)
                for rep in range(args.reps):
                    user = 'det%d%s%d' % (int(duration), name.replace(' ', '').replace('_', ''), rep)
                    res = one(sim, user, duration, opts)
                    res.update(candidate=name, rep=rep)
                    results.append(res)
    with open(args.out, 'w') as handle:
        json.dump(dict(shipped=shipped, job_timeout_margin=JOB_TIMEOUT_MARGIN, reps=args.reps,
                       candidates=CANDIDATES, results=results), handle, indent=1)


if __name__ == '__main__':
    main()
