# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenarios from a seed: one module task, its options, the object's starting state, job behaviour and faults.

``generate(seed)`` is deterministic (``random.Random(seed)``): the same seed is the same scenario on every machine.
A scenario is a JSON-able dict:

``seed``, ``module`` (volume|snapshot|svm|qtree|request|job|wait_for), ``args`` (the task's module arguments, without the
connection), ``check_mode``, ``target`` (``kind``, ``name``, the fields the task asks for), ``parents`` (objects
created first), ``start`` (``kind`` absent|present_same|present_different|in_flight, ``object``), ``job_rules``,
``faults`` (fault rules, ``tests/simulator/ontap_sim/faults.py``), ``config`` (simulator settings such as a short
``job_retention``: jobs purged early), ``users`` (a restricted account the task runs as), ``process_rules``.

Seeds from :data:`WAIT_FOR_BASE` up are a second family (issue 11's note: adding a module to the first family's
draw would change every documented seed): ``ontap.rest.wait_for`` waiting for a volume move the set-up started,
with its freshness guard, the move's phases, process faults (a stale terminal state of the last move, a stall, a
failure, a cutover that waits for an action) and read faults. The first family is unchanged.

Durations in the simulator are simulated seconds; the runner runs the simulator at ``TIME_SCALE`` simulated seconds
per real second. The task's own options (``job_timeout``, ``poll_interval``, ``http_timeout``) are real seconds.
"""

from __future__ import absolute_import, division, print_function

import random

__metaclass__ = type

#: Simulated seconds per real second in every chaos run.
TIME_SCALE = 20.0

#: Every fault kind the simulator has (ontap_sim.faults.KINDS) plus the configuration and account faults the
#: harness adds: ``purged`` (jobs dropped right after they end), ``jobs_forbidden``/``jobs_hidden`` (job reads 403 /
#: 404 for the account the task runs as).
FAULT_KINDS = ('job_failure', 'job_stuck', 'ambiguous', 'busy', 'locked', 'slow', 'connection_limit',
               'read_after_write_lag', 'truncated_collection', 'job_get_forbidden', 'job_get_not_found',
               'job_get_unauthorized', 'not_found_version', 'process_fail', 'process_stall',
               'process_needs_action', 'stale_terminal', 'reboot_window', 'purged', 'jobs_forbidden', 'jobs_hidden')
PROCESS_FAULTS = ('process_fail', 'process_stall', 'process_needs_action', 'stale_terminal')
GENERAL_FAULTS = tuple(k for k in FAULT_KINDS if k not in PROCESS_FAULTS)

MODULES = ('volume', 'volume', 'snapshot', 'svm', 'qtree', 'request', 'request', 'job')
#: The second family's first seed (``ontap.rest.wait_for`` on a volume move).
WAIT_FOR_BASE = 100001
#: Read faults of the second family (the task only reads).
WAIT_FOR_READ_FAULTS = ('busy', 'slow', 'connection_limit', 'reboot_window', 'not_found_version')
PARENT_VOLUME = 'chaos_parent'
MIB = 1024 * 1024

COLLECTIONS = {
    'volume': '/api/storage/volumes',
    'snapshot': '/api/storage/volumes/*/snapshots',
    'svm': '/api/svm/svms',
    'qtree': '/api/storage/qtrees',
}


def _wait_options(rng):
    """Random valid waiting options (real seconds)."""
    opts = {
        'return_timeout': rng.choice([0, 0, 1, 5, 30, 120]),
        'poll_interval': rng.choice([0.05, 0.1, 0.3]),
        'job_timeout': rng.choice([1, 2, 4, 8]),
    }
    opts['max_poll_interval'] = max(opts['poll_interval'], rng.choice([0.2, 0.5, 1.0]))
    if rng.random() < 0.12:
        opts['wait_for_completion'] = False
    return opts


def _volume(rng, seed):
    name = 'cv%d' % seed
    size = rng.choice([100, 200, 300]) * MIB
    want = {'name': name, 'size': size}
    args = {'name': name, 'svm': 'svm1', 'size': '%dMiB' % (size // MIB), 'aggregates': ['aggr1']}
    if rng.random() < 0.5:
        args['allow_shrink'] = True
    if rng.random() < 0.5:
        want['comment'] = args['comment'] = rng.choice(['chaos', 'gold', ''])
    if rng.random() < 0.3:
        want['junction_path'] = args['junction_path'] = '/' + name
    other = dict(want, size=rng.choice([s for s in (100, 200, 300) if s * MIB != size]) * MIB)
    if 'comment' in want:
        other['comment'] = want['comment'] + '_old'
    return args, want, other, []


def _snapshot(rng, seed):
    name = 'cs%d' % seed
    want = {'name': name, 'volume': PARENT_VOLUME}
    args = {'name': name, 'svm': 'svm1', 'volume': PARENT_VOLUME}
    if rng.random() < 0.6:
        want['comment'] = args['comment'] = rng.choice(['chaos', 'daily'])
    other = dict(want, comment=(want.get('comment') or 'x') + '_old')
    return args, want, other, [{'kind': 'volume', 'name': PARENT_VOLUME, 'size': 100 * MIB}]


def _svm(rng, seed):
    name = 'csvm%d' % seed
    want = {'name': name}
    args = {'name': name}
    if rng.random() < 0.6:
        want['comment'] = args['comment'] = rng.choice(['chaos', 'tenant'])
    other = dict(want, comment=(want.get('comment') or 'x') + '_old')
    return args, want, other, []


def _qtree(rng, seed):
    name = 'cq%d' % seed
    want = {'name': name, 'volume': PARENT_VOLUME}
    args = {'name': name, 'svm': 'svm1', 'volume': PARENT_VOLUME}
    if rng.random() < 0.6:
        want['security_style'] = args['security_style'] = rng.choice(['unix', 'ntfs', 'mixed'])
    other = dict(want, security_style={'unix': 'ntfs'}.get(want.get('security_style'), 'unix'))
    return args, want, other, [{'kind': 'volume', 'name': PARENT_VOLUME, 'size': 100 * MIB}]


def _fault(rng, kind, collection, target_kind):
    """One fault rule (control-API body) of ``kind`` aimed at the task's resource (or any request)."""
    count = rng.choice([1, 1, 2, 3, None])
    record_glob = collection + '*'
    if kind == 'job_failure':
        return {'kind': kind, 'path': record_glob, 'count': 1, 'code': rng.choice([917536, 460770, 2])}
    if kind == 'job_stuck':
        return {'kind': kind, 'path': record_glob, 'count': 1, 'state': rng.choice(['running', 'paused']),
                'seconds': rng.choice([5, 40, 200])}
    if kind == 'ambiguous':
        return {'kind': kind, 'path': record_glob, 'count': 1, 'response': rng.choice(['500', '504', 'drop'])}
    if kind == 'busy':
        return {'kind': kind, 'method': rng.choice(['*', 'POST|PATCH|DELETE', 'GET']),
                'path': rng.choice([record_glob, '/api/cluster/jobs/*', '*']), 'count': rng.choice([1, 2, 3]),
                'status': rng.choice([429, 503]), 'retry_after': rng.choice([1, 10, 20])}
    if kind == 'locked':
        return {'kind': kind, 'path': record_glob, 'count': rng.choice([1, 2])}
    if kind == 'slow':
        # Past the task's read timeout (http_timeout 1 s real = 20 simulated): the request's answer is lost.
        return {'kind': kind, 'method': rng.choice(['*', 'POST|PATCH|DELETE', 'GET']),
                'path': rng.choice([record_glob, '/api/cluster/jobs/*']), 'count': 1,
                'seconds': rng.choice([5, 30])}
    if kind == 'connection_limit':
        return {'kind': kind, 'limit': 1, 'count': count, 'status': rng.choice([429, 503])}
    if kind == 'read_after_write_lag':
        return {'kind': kind, 'path': record_glob, 'seconds': rng.choice([5, 40, 200])}
    if kind == 'truncated_collection':
        return {'kind': kind, 'path': rng.choice([collection, '*']), 'count': count}
    if kind in ('job_get_forbidden', 'job_get_not_found', 'job_get_unauthorized'):
        return {'kind': kind, 'count': count}
    if kind == 'not_found_version':
        return {'kind': kind, 'count': 1}
    if kind == 'reboot_window':
        return {'kind': kind, 'seconds': rng.choice([5, 10, 30]), 'response': rng.choice(['503', 'drop'])}
    if kind == 'process_fail':
        return {'kind': kind, 'process': 'move', 'code': 917860}
    if kind == 'process_stall':
        return {'kind': kind, 'process': 'move', 'seconds': rng.choice([10, 100])}
    if kind == 'process_needs_action':
        return {'kind': kind, 'process': 'move'}
    if kind == 'stale_terminal':
        return {'kind': kind, 'process': 'move', 'reads': rng.choice([1, 3])}
    raise ValueError(kind)


def _draw_faults(rng, scenario, pool):
    """Zero, one or two faults (10% none, 60% one, 30% two)."""
    roll = rng.random()
    howmany = 0 if roll < 0.1 else (1 if roll < 0.7 else 2)
    kinds = rng.sample(pool, howmany)
    _apply_faults(rng, scenario, kinds)


def _apply_faults(rng, scenario, kinds):
    scenario['fault_kinds'] = list(kinds)
    faults = []
    for kind in kinds:
        if kind == 'purged':
            scenario['config'] = {'job_retention': rng.choice([0, 1])}
        elif kind in ('jobs_forbidden', 'jobs_hidden'):
            scenario['users'] = [{'name': 'chaos_%s' % kind, 'password': scenario['secret'], 'role': kind}]
            scenario['run_as'] = 'chaos_%s' % kind
        else:
            faults.append(_fault(rng, kind, scenario['collection_path'], scenario['target']['kind']))
            if kind == 'slow':
                scenario['args']['http_timeout'] = 1
    scenario['faults'] = faults


def _job_rules(rng, collection):
    """Random job durations and outcomes for the task's writes (simulated seconds)."""
    roll = rng.random()
    if roll < 0.35:
        return []
    rule = {'method': '*', 'path': collection + '*', 'seconds': rng.choice([0, 2, 10, 40, 100, 400])}
    if rng.random() < 0.12:
        rule.update(outcome='failure', code=rng.choice([917536, 13]), message='Chaos job failure.')
    if rng.random() < 0.3:
        rule['count'] = 1
    return [rule]


def generate(seed, secret='chaos-secret'):
    """The scenario of ``seed`` (a dict, see the module docstring). ``secret`` is the password the task uses."""
    rng = random.Random(seed)
    if seed >= WAIT_FOR_BASE:
        return _wait_for(rng, seed, secret)
    module = rng.choice(MODULES)
    scenario = {'seed': seed, 'module': module, 'secret': secret, 'check_mode': rng.random() < 0.12,
                'parents': [], 'job_rules': [], 'faults': [], 'users': [], 'process_rules': []}
    if module in ('volume', 'snapshot', 'svm', 'qtree'):
        args, want, other, parents = {'volume': _volume, 'snapshot': _snapshot, 'svm': _svm,
                                      'qtree': _qtree}[module](rng, seed)
        state = 'present' if rng.random() < 0.7 else 'absent'
        start_kind = rng.choice(['absent', 'present_same', 'present_different', 'in_flight'])
        start = {'kind': start_kind}
        if start_kind == 'present_same':
            start['object'] = dict(want)
        elif start_kind in ('present_different', 'in_flight'):
            start['object'] = dict(other if start_kind == 'present_different' else rng.choice([want, other]))
        if start_kind == 'in_flight':
            start['hold'] = rng.random() < 0.5
            start['seconds'] = rng.choice([10, 40, 100])
            if state == 'absent':
                # Another actor's create that ends while the task runs makes "absent" true at the answer and false
                # a moment later, through no write of the task's; whether it ended before the task's lookup
                # depends on the machine's speed. Held, the other create is in flight for the whole task.
                start['hold'] = True
        if state == 'absent':
            args['state'] = 'absent'
        args.update(_wait_options(rng))
        scenario.update(args=args, parents=parents, start=start, state=state,
                        target=dict(want, kind=module), collection_path=COLLECTIONS[module])
        scenario['job_rules'] = _job_rules(rng, COLLECTIONS[module].replace('/*', '/*'))
        _draw_faults(rng, scenario, GENERAL_FAULTS)
    elif module == 'request':
        _request(rng, scenario)
    else:
        _job(rng, scenario)
    return scenario


def _request(rng, scenario):
    """``ontap.rest.request``: a create, a query-based PATCH, or a volume move (process faults)."""
    seed = scenario['seed']
    variant = rng.choice(['create', 'patch', 'move', 'move'])
    args = _wait_options(rng)
    scenario['parents'] = [{'kind': 'volume', 'name': PARENT_VOLUME, 'size': 100 * MIB}]
    scenario['start'] = {'kind': 'absent'}
    scenario['state'] = 'present'
    scenario['collection_path'] = COLLECTIONS['volume']
    if variant == 'create':
        name = 'cr%d' % seed
        args.update(method='POST', path='storage/volumes',
                    body={'name': name, 'svm': {'name': 'svm1'}, 'aggregates': [{'name': 'aggr1'}],
                          'size': 100 * MIB})
        scenario['target'] = {'kind': 'volume', 'name': name, 'size': 100 * MIB}
        pool = GENERAL_FAULTS
    elif variant == 'patch':
        comment = 'req%d' % seed
        args.update(method='PATCH', path='storage/volumes', query={'name': PARENT_VOLUME, 'svm.name': 'svm1'},
                    body={'comment': comment})
        scenario['target'] = {'kind': 'volume', 'name': PARENT_VOLUME, 'comment': comment}
        pool = GENERAL_FAULTS
    else:
        args.update(method='PATCH', path='storage/volumes/{uuid}',
                    body={'movement': {'destination_aggregate': {'name': 'aggr2'}}})
        scenario['needs_volume_uuid'] = PARENT_VOLUME
        scenario['target'] = {'kind': 'volume', 'name': PARENT_VOLUME, 'move_to': 'aggr2'}
        scenario['process_rules'] = [{'kind': 'move', 'job': rng.choice(['accept', 'covers']),
                                      'phases': {'replicating': rng.choice([2, 10, 60])}}]
        pool = None
    scenario['variant'] = variant
    scenario['args'] = args
    scenario['job_rules'] = _job_rules(rng, COLLECTIONS['volume'])
    if pool is not None:
        _draw_faults(rng, scenario, pool)
    elif rng.random() < 0.75:
        # A move: mostly a process fault, sometimes with a general one.
        kinds = [rng.choice(PROCESS_FAULTS)]
        if rng.random() < 0.3:
            kinds.append(rng.choice(GENERAL_FAULTS))
        _apply_faults(rng, scenario, kinds)
    else:
        _draw_faults(rng, scenario, GENERAL_FAULTS)


def _job(rng, scenario):
    """``ontap.rest.job`` resuming the wait for a job the set-up started (held or running)."""
    outcome = 'failure' if rng.random() < 0.2 else 'success'
    scenario['parents'] = [{'kind': 'volume', 'name': PARENT_VOLUME, 'size': 100 * MIB}]
    scenario['start'] = {'kind': 'absent'}
    scenario['state'] = 'present'
    scenario['collection_path'] = '/api/cluster/jobs'
    scenario['job'] = {'method': 'PATCH', 'path_glob': '/api/storage/volumes/*', 'volume': PARENT_VOLUME,
                       'comment': 'job%d' % scenario['seed'], 'seconds': rng.choice([0, 5, 20, 60, 400]),
                       'outcome': outcome, 'hold': rng.random() < 0.15}
    args = _wait_options(rng)
    args.pop('wait_for_completion', None)
    args.pop('return_timeout', None)
    args['action'] = 'wait'
    scenario['args'] = args
    scenario['target'] = {'kind': 'job'}
    _draw_faults(rng, scenario, ['busy', 'slow', 'connection_limit', 'job_get_forbidden', 'job_get_not_found',
                                 'job_get_unauthorized',
                                 'reboot_window', 'purged', 'jobs_forbidden', 'jobs_hidden', 'not_found_version'])


def _wait_for(rng, seed, secret):
    """The second family: ``ontap.rest.wait_for`` on ``movement.state`` of a volume whose move the set-up started
    (``move``: the process faults armed before the move, ``after``: the simulator's clock just before it, given to
    the task as ``fresh.after``: a controller clock in step with the cluster's)."""
    args = _wait_options(rng)
    args.pop('wait_for_completion', None)
    args.pop('return_timeout', None)
    args.update(path='storage/volumes/{uuid}', field='movement.state', values=['success'],
                failure_values=['failed', 'aborted'], fresh={'field': 'movement.start_time', 'after': '{after}'})
    scenario = {'seed': seed, 'module': 'wait_for', 'secret': secret, 'check_mode': rng.random() < 0.12,
                'parents': [{'kind': 'volume', 'name': PARENT_VOLUME, 'size': 100 * MIB}], 'job_rules': [],
                'faults': [], 'users': [], 'start': {'kind': 'moving'}, 'state': 'present',
                'collection_path': COLLECTIONS['volume'], 'needs_volume_uuid': PARENT_VOLUME,
                'target': {'kind': 'move', 'name': PARENT_VOLUME, 'move_to': 'aggr2'}, 'args': args,
                'process_rules': [{'kind': 'move', 'job': 'accept',
                                   'phases': {'replicating': rng.choice([2, 10, 60, 200])}}]}
    process_kinds = []
    if rng.random() < 0.7:
        process_kinds.append(rng.choice(PROCESS_FAULTS))
        if process_kinds[0] != 'stale_terminal' and rng.random() < 0.4:
            process_kinds.append('stale_terminal')
    read_kinds = [rng.choice(WAIT_FOR_READ_FAULTS)] if rng.random() < 0.5 else []
    _apply_faults(rng, scenario, read_kinds)
    scenario['process_faults'] = [_fault(rng, kind, scenario['collection_path'], 'move') for kind in process_kinds]
    scenario['fault_kinds'] = process_kinds + read_kinds
    return scenario
