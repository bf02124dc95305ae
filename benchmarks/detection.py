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

Long operations without a job (issue 13, "the long operations of the other issues"): a volume move of D simulated
seconds (the simulator's move process, its phases stretched to D), waited for as ``ontap.rest.wait_for`` waits
(``state_waiter.wait_for_state`` on ``movement.state`` with its freshness guard on ``movement.start_time``), with the
shipped options. The delay is from the move's end (its process's ``end_time`` on the simulated clock) to the end of
the read that showed ``success``.

Usage (run by bench.py, with ansible_collections/ontap/rest importable)::

    python detection.py --out result.json --durations '[150,300,600,1800]' --reps 3
"""

import argparse
import datetime
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
from ansible_collections.ontap.rest.plugins.module_utils import state_waiter  # noqa: E402

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


def _session(sim, user, opts):
    """A client logged in as a new ``user`` (its requests counted apart), the wait options, and the simulator's clock
    and clock jump as ``clock()`` / ``sleep(s)``. :returns: ``(client, options, clock, sleep)``."""
    sim.add_user(user, PASSWORD)
    client = client_mod.OntapClient('127.0.0.1', port=sim.port, username=user, password=PASSWORD,
                                    validate_certs=False)

    def clock():
        return float(sim.control('POST', '/clock', {'advance': 0})['now'])

    def sleep(seconds):
        sim.advance_clock(seconds)
    return client, job_poller.WaitOptions(**opts), clock, sleep


def one(sim, user, duration, opts):
    """One create of a job of ``duration`` simulated seconds through send_and_wait. :returns: result dict."""
    client, options, clock, sleep = _session(sim, user, opts)

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


def move_one(sim, user, vol_uuid, duration, opts):
    """One volume move of ``duration`` simulated seconds, waited for with the state waiter. :returns: result dict."""
    client, options, clock, sleep = _session(sim, user, opts)

    # queued 1 s, cutover_pending and cutover 1 s each, replicating the rest (the simulator's move phases)
    sim.set_process('move', phases={'queued': 1.0, 'replicating': float(duration) - 3.0, 'cutover_pending': 1.0,
                                    'cutover': 1.0}, count=1)
    path = 'storage/volumes/%s' % vol_uuid
    current = client.get(path, query={'fields': 'aggregates.name'}).body['aggregates'][0]['name']
    destination = 'aggr2' if current == 'aggr1' else 'aggr1'
    before = datetime.datetime.now(datetime.timezone.utc).isoformat()
    started = clock()
    answer = client.request('PATCH', path, body={'movement': {'destination_aggregate': {'name': destination}}},
                            return_timeout=10)
    guard = state_waiter.FreshGuard('movement.start_time', after=before)

    def read():
        return client.get(path, query={'fields': 'movement.state,movement.start_time'}, retry=False).body

    result = error = None
    try:
        result = state_waiter.wait_for_state(read, 'movement.state', ['success'], ['failed', 'aborted'], options,
                                             started, clock=clock, sleep=sleep, fresh=guard)
    except Exception as exc:  # pylint: disable=broad-except
        error = '%s: %s' % (type(exc).__name__, exc)
    ended = clock()
    client.close()
    process = [p for p in sim.processes() if p['target'] == 'volume/' + vol_uuid][-1]
    mine = [e for e in sim.log() if e['user'] == user]
    reads = [e for e in mine if e['method'] == 'GET' and 'movement.state' in (e.get('query') or '')]
    # ``ended``: the simulated clock when the waiter returned, i.e. at the end of the read that showed success
    delay = (ended - started - duration) if result is not None and result.outcome == 'reached' else None
    return dict(user=user, duration=duration, options=opts, outcome=result.outcome if result else 'error',
                reads=result.polls if result else None, detect_delay=delay, move_end_time=process.get('end_time'), move_outcome=process.get('outcome'),
                stale_reads=result.stale_reads if result else None, patch_status=answer.status_code,
                message=result.message if result else error, requests=len(mine), read_requests=len(reads),
                connections=len(set(e['connection'] for e in mine)))


def moves(sim, durations, reps, shipped):
    """Volume moves of each length in ``durations`` (simulated s), ``reps`` times, shipped options."""
    results = []
    sim.set_job('POST', '/api/storage/volumes', seconds=0)
    admin = client_mod.OntapClient('127.0.0.1', port=sim.port, username=sim.username, password=sim.password,
                                   validate_certs=False)
    for duration in durations:
        for rep in range(reps):
            name = 'mv%d_%d' % (int(duration), rep)
            created = admin.request('POST', 'storage/volumes', query={'return_records': 'true'}, return_timeout=30,
                                    body={'name': name, 'svm': {'name': 'svm1'}, 'size': 104857600,
                                          'aggregates': [{'name': 'aggr1'}]})
            vol_uuid = created.body['records'][0]['uuid']
            opts = dict(shipped, job_timeout=float(duration) + JOB_TIMEOUT_MARGIN)
            res = move_one(sim, 'mov%d%d' % (int(duration), rep), vol_uuid, duration, opts)
            res.update(rep=rep)
            results.append(res)
    admin.close()
    return results


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
        sim.clear_jobs()
        move_results = moves(sim, durations, args.reps, shipped)
    with open(args.out, 'w') as handle:
        json.dump(dict(shipped=shipped, job_timeout_margin=JOB_TIMEOUT_MARGIN, reps=args.reps,
                       candidates=CANDIDATES, results=results, moves=move_results), handle, indent=1)


if __name__ == '__main__':
    main()
