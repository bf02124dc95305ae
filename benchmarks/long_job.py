# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 4 and the defaults sweep: our real job poller against a time-scaled simulator.

Runs ``job_poller.send_and_wait`` (the code every ontap.rest module uses, through the real ``client.OntapClient``,
one keep-alive session, real HTTPS) against ``ontap-sim --time-scale K``. Only the poller's clock and sleep are
mapped to simulated time: ``clock() = K * time.monotonic()`` and ``sleep(s) = time.sleep(s / K)``; the simulator
interprets ``return_timeout`` and job durations in the same simulated seconds. So every figure below is in
simulated seconds, as if the job had really run that long, at 1/K of the real cost.

Usage (run by bench.py, with ansible_collections/ontap/rest importable)::

    python long_job.py --scale 20 --out result.json --candidates '[[30,2,30],[120,2,30]]' --durations '[1,600]'

For every duration one simulator is started (a job rule applies to an endpoint, not to one request), and every
candidate ``[return_timeout, poll_interval, max_poll_interval]`` is run ``--reps`` times against it at the same time,
in threads (each run logs in as its own user, so the request log tells them apart).
A second pass runs the shipped defaults untouched (``job_timeout`` included) for D = ``--default-run`` seconds.
Printed/written JSON: one entry per (candidate, duration) with ``outcome``, ``polls``, ``requests``,
``connections``, ``detect_delay`` (s from job end to the answer that showed it ended), ``elapsed``.
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


def shipped_defaults():
    """The async option defaults as shipped (from the argument spec builder, so this follows any change)."""
    spec = options_mod.async_job_spec()
    return dict((name, spec[name]['default']) for name in
                ('wait_for_completion', 'return_timeout', 'poll_interval', 'max_poll_interval', 'job_timeout'))


def one(sim, scale, user, name, duration, opts, out):
    """One create through send_and_wait; appends a result dict to ``out``."""
    sim.add_user(user, PASSWORD)
    client = client_mod.OntapClient('127.0.0.1', port=sim.port, username=user, password=PASSWORD,
                                    validate_certs=False)
    options = job_poller.WaitOptions(**opts)

    def clock():
        return time.monotonic() * scale

    def sleep(seconds):
        time.sleep(seconds / scale)

    body = {'name': name, 'svm': {'name': 'svm1'}, 'size': 104857600, 'aggregates': [{'name': 'aggr1'}]}
    real0 = time.monotonic()
    error = None
    result = None
    try:
        response, result = job_poller.send_and_wait(client, 'POST', 'storage/volumes', body=body, options=options,
                                                    clock=clock, sleep=sleep)
    except Exception as exc:  # pylint: disable=broad-except
        error = '%s: %s' % (type(exc).__name__, exc)
    real1 = time.monotonic()
    client.close()
    out.append(dict(user=user, duration=duration, options=opts, real_wall=real1 - real0,
                    outcome=result.outcome if result else 'error', polls=result.polls if result else None,
                    elapsed=result.elapsed if result else None, message=(result.message if result else error)))


def analyse(sim, scale, results):
    """Add request/connection counts and the detection delay (simulated s) from the simulator's request log."""
    log = sim.log()
    for res in results:
        mine = [e for e in log if e['user'] == res['user']]
        res['requests'] = len(mine)
        res['connections'] = len(set(e['connection'] for e in mine))
        res['job_gets'] = sum(1 for e in mine if e['path'].startswith('/api/cluster/jobs/'))
        posts = [e for e in mine if e['method'] == 'POST']
        res['detect_delay'] = None
        if not posts:
            continue
        post = posts[0]
        post_start = post['time'] - post['duration_ms'] / 1000.0
        job_end = post_start + res['duration'] / scale
        if post['status'] in (200, 201):
            seen = post['time']
        else:
            gets = [e for e in mine if e['path'].startswith('/api/cluster/jobs/') and e['status'] == 200]
            seen = max(e['time'] for e in gets) if gets and res['outcome'] == 'success' else None
        if seen is not None:
            res['detect_delay'] = max(0.0, (seen - job_end) * scale)
        res['post_status'] = post['status']


def run_duration(scale, duration, candidates, tag, default_run=False, reps=1):
    """All candidates (``reps`` times each) for one duration against one simulator (started for it)."""
    results = []
    with SimServer(time_scale=scale, job_retention=100000, job_seconds=duration) as sim:
        sim.set_job('POST', '/api/storage/volumes', seconds=duration)
        threads = []
        for rep in range(reps):
            for index, cand in enumerate(candidates):
                opts = dict(shipped_defaults())
                if not default_run:
                    opts.update(return_timeout=int(cand[0]), poll_interval=float(cand[1]),
                                max_poll_interval=float(cand[2]), job_timeout=float(duration) + 7200.0)
                user = 'u%s%dc%dr%d' % (tag, int(duration), index, rep)
                thread = threading.Thread(target=one, args=(sim, scale, user, 'lj_%s' % user, duration, opts,
                                                            results))
                threads.append(thread)
                thread.start()
                time.sleep(0.05)
        for thread in threads:
            thread.join()
        analyse(sim, scale, results)
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--scale', type=float, default=20.0)
    parser.add_argument('--candidates', default='[[30,2,30]]')
    parser.add_argument('--durations', default='[600]')
    parser.add_argument('--default-run', type=float, default=600.0,
                        help='simulated seconds of the job waited for with every shipped default (0 = skip)')
    parser.add_argument('--reps', type=int, default=3, help='runs of every (candidate, duration) (default 3)')
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    # The client silences urllib3's InsecureRequestWarning per call with warnings.catch_warnings(), which is not
    # thread-safe; this harness runs many clients in threads (a module runs one), so silence it once here.
    import urllib3  # pylint: disable=import-outside-toplevel
    urllib3.disable_warnings()
    candidates = json.loads(args.candidates)
    durations = json.loads(args.durations)

    all_results = []
    lock = threading.Lock()

    def worker(duration, cands, tag, default_run=False):
        res = run_duration(args.scale, duration, cands, tag, default_run, 1 if default_run else args.reps)
        with lock:
            all_results.extend(dict(r, kind='default' if default_run else 'sweep') for r in res)

    threads = [threading.Thread(target=worker, args=(d, candidates, 's')) for d in durations]
    if args.default_run:
        threads.append(threading.Thread(target=worker, args=(args.default_run, [None], 'd', True)))
    for thread in threads:
        thread.start()
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    with open(args.out, 'w') as handle:
        json.dump(dict(scale=args.scale, reps=args.reps, shipped=shipped_defaults(), results=all_results), handle,
                  indent=1)


if __name__ == '__main__':
    main()
