# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The truth harness's own tests: the checker finds each kind of lie (and passes honest outcomes), scenarios are
reproducible from their seed, the CI set draws every fault kind, and the regression seeds run clean.

The CI set itself is run by ``scripts/test.sh chaos`` (``python tests/chaos/run.py --ci``), not here.
"""

from __future__ import absolute_import, division, print_function

import copy
import os
import shutil
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import checker  # noqa: E402  pylint: disable=wrong-import-position
import run  # noqa: E402  pylint: disable=wrong-import-position
import scenarios  # noqa: E402  pylint: disable=wrong-import-position

JOB = '11111111-2222-3333-4444-555555555555'
MIB = 1024 * 1024


def volume(name='cv1', size=100 * MIB, comment=''):
    return {'name': name, 'svm': {'name': 'svm1'}, 'size': size, 'comment': comment}


def scenario(**changes):
    base = {'seed': 1, 'module': 'volume', 'secret': 'pw-secret', 'check_mode': False, 'state': 'present',
            'args': {'name': 'cv1', 'svm': 'svm1', 'size': '100MiB'},
            'target': {'kind': 'volume', 'name': 'cv1', 'size': 100 * MIB}}
    base.update(changes)
    return base


def record(status='ok', result=None, before=(), after=(), log=(), jobs=(), faults=()):
    empty = {'volumes': [], 'svms': [], 'snapshots': [], 'qtrees': []}
    return {'seed': 1, 'status': status, 'result': result or {}, 'setup_error': None, 'raw_has_secret': False,
            'baseline': {'state': dict(empty, volumes=list(before)), 'jobs': [], 'extra': {}},
            'truth': {'state': dict(empty, volumes=list(after)), 'jobs': list(jobs), 'log': list(log),
                      'faults': list(faults), 'processes': []}}


def write(method='POST', path='/api/storage/volumes', status=202, job=JOB, seq=1, query='return_timeout=120'):
    return {'seq': seq, 'method': method, 'path': path, 'query': query, 'status': status, 'job': job}


def job(state='success', uuid=JOB):
    return {'uuid': uuid, 'state': state}


CREATED = dict(log=[write()], jobs=[job()], after=[volume()])
SUCCESS = {'changed': True, 'job': {'uuid': JOB, 'state': 'success'}, 'job_wait': {'outcome': 'success'}}


def lies_of(scen, rec):
    return checker.judge(scen, rec)[1]


def test_an_honest_create_is_no_lie():
    assert lies_of(scenario(), record(result=SUCCESS, **CREATED)) == []


def test_ok_whose_object_does_not_exist_is_a_lie():
    rec = record(result=SUCCESS, log=[write()], jobs=[job()])
    assert [lie.split(':')[0] for lie in lies_of(scenario(), rec)] == ['end-state']


def test_ok_whose_object_differs_is_a_lie():
    rec = record(result=SUCCESS, log=[write()], jobs=[job()], after=[volume(size=200 * MIB)])
    assert lies_of(scenario(), rec)[0].startswith('end-state: reported changed but size')


def test_ok_absent_while_the_object_exists_is_a_lie():
    rec = record(result={'changed': False}, before=[volume()], after=[volume()])
    assert lies_of(scenario(state='absent'), rec)[0].startswith('end-state')


def test_changed_false_after_a_write_took_effect_is_a_lie():
    rec = record(result={'changed': False}, **CREATED)
    assert lies_of(scenario(), rec)[0].startswith('unchanged')


def test_a_failure_claiming_nothing_happened_is_a_lie():
    rec = record(status='failed', result={'changed': False, 'msg': 'ONTAP refused the create.'}, **CREATED)
    assert lies_of(scenario(), rec)[0].startswith('nothing-happened')


def test_an_honest_unknown_is_no_lie():
    result = {'changed': False, 'msg': 'The outcome of the create is unknown: job %s could not be read.' % JOB}
    assert lies_of(scenario(), record(status='failed', result=result, **CREATED)) == []


def test_unknown_without_the_job_uuid_is_a_lie():
    result = {'changed': True, 'msg': 'The outcome is unknown.', 'job_wait': {'outcome': 'timed_out'}}
    rec = record(status='failed', result=result, log=[write()], jobs=[job('running')])
    assert lies_of(scenario(), rec)[0].startswith('unknown-without-job')


def test_unknown_after_a_lost_answer_need_not_name_the_job():
    result = {'changed': True, 'msg': 'The outcome is unknown: the answer was lost; not resent.'}
    rec = record(status='failed', result=result, log=[write(status=0)], jobs=[job()], after=[volume()])
    assert lies_of(scenario(), rec) == []


def test_not_waited_without_the_job_uuid_is_a_lie():
    scen = scenario(args={'name': 'cv1', 'wait_for_completion': False})
    rec = record(result={'changed': True, 'job_wait': {'outcome': 'not_waited'}}, log=[write()], jobs=[job('running')])
    assert lies_of(scen, rec)[0].startswith('unknown-without-job: not waited')
    rec['result']['job'] = {'uuid': JOB, 'state': 'running'}
    assert lies_of(scen, rec) == []


def test_a_blind_resend_is_a_lie():
    rec = record(result=SUCCESS, log=[write(status=500), write(seq=2, status=409, job=None)], jobs=[job()],
                 after=[volume()])
    assert lies_of(scenario(), rec)[0].startswith('resend')


def test_a_resend_after_busy_is_no_lie():
    rec = record(result=SUCCESS, log=[write(status=429, job=None), write(seq=2, query='return_timeout=3')],
                 jobs=[job()], after=[volume()])
    assert lies_of(scenario(), rec) == []


def test_a_write_in_check_mode_is_a_lie():
    rec = record(result={'changed': True}, **CREATED)
    assert lies_of(scenario(check_mode=True), rec)[0].startswith('check-mode-write')


def test_a_job_reported_success_that_failed_is_a_lie():
    rec = record(result=SUCCESS, log=[write()], jobs=[job('failure')], after=[volume()])
    assert any(lie.startswith('job-state') for lie in lies_of(scenario(), rec))


def test_the_secret_in_a_result_is_a_lie():
    rec = record(result=dict(SUCCESS, msg='sent with password pw-secret'), **CREATED)
    assert lies_of(scenario(), rec)[0].startswith('secret')


def test_a_401_mid_wait_not_reported_is_a_lie():
    faults = [{'kind': 'job_get_unauthorized', 'hits': 1, 'method': 'GET'}]
    log = [write(), {'seq': 2, 'method': 'GET', 'path': '/api/cluster/jobs/' + JOB, 'query': '', 'status': 401,
                     'job': None}]
    rec = record(status='failed', result={'changed': True, 'msg': 'The job %s could not be read.' % JOB}, log=log,
                 jobs=[job('running')], faults=faults)
    assert lies_of(scenario(), rec)[0].startswith('auth-not-reported')
    honest = copy.deepcopy(rec)
    honest['result']['msg'] = 'HTTP 401 Unauthorized reading job %s: the credentials were refused.' % JOB
    assert lies_of(scenario(), honest) == []


def test_a_request_logged_after_the_set_up_emptied_the_log_is_not_the_tasks():
    """A request held back by a slow fault of the previous task is logged late: it started before the log was
    emptied for this task, so it is not this task's write (regression of seeds 1304, 1305)."""
    late = dict(write(), time=1000.0, duration_ms=1500.0)
    rec = record(result={'changed': False}, before=[volume()], after=[volume()], log=[late], jobs=[job()])
    rec['baseline']['log_cleared_at'] = 999.0
    assert lies_of(scenario(), rec) == []
    rec['truth']['log'][0]['duration_ms'] = 500.0       # started after the log was emptied: the task's own
    assert lies_of(scenario(), rec)[0].startswith('unchanged')


def test_a_failed_job_purged_before_the_capture_is_no_lie():
    """Seeds 1514, 1530: the job failed, the task said so, and the simulator dropped it (retention 1 s) before the
    capture; the object is as it was."""
    result = {'changed': False, 'msg': 'Job %s failed.' % JOB, 'job': {'uuid': JOB, 'state': 'failure'},
              'job_wait': {'outcome': 'failure'}}
    rec = record(status='failed', result=result, before=[volume(size=200 * MIB)], after=[volume(size=200 * MIB)],
                 log=[write('PATCH', '/api/storage/volumes/u1')], jobs=[])
    purged = scenario(config={'job_retention': 1})
    assert lies_of(purged, rec) == []
    rec['truth']['state']['volumes'] = [volume()]           # the object changed after all: the failure lied
    assert lies_of(purged, rec)[0].startswith('nothing-happened')


def test_scenarios_are_reproducible_from_their_seed():
    assert scenarios.generate(42, secret='x') == scenarios.generate(42, secret='x')
    assert scenarios.generate(42, secret='x') != scenarios.generate(43, secret='x')


def test_the_ci_set_draws_every_fault_kind_and_module():
    drawn, modules, starts = set(), set(), set()
    for seed in range(1, run.CI_COUNT + 1):
        scen = scenarios.generate(seed)
        drawn.update(scen['fault_kinds'])
        modules.add(scen['module'])
        starts.add(scen['start']['kind'])
    assert drawn == set(scenarios.FAULT_KINDS)
    assert modules == set(scenarios.MODULES)
    assert starts == {'absent', 'present_same', 'present_different', 'in_flight'}


def test_another_actors_create_in_flight_is_held_when_the_task_wants_the_object_absent():
    """Not held, the other create could end before or after the task's lookup depending on the machine's speed
    (seed 108 once flagged "still exists" on a busy machine): absent scenarios hold it for the whole task, and the
    non-held kind stays drawn for present ones (attach and duplicate convergence)."""
    held = {True: 0, False: 0}
    for seed in range(1, 2001):
        scen = scenarios.generate(seed)
        if scen.get('start', {}).get('kind') != 'in_flight':
            continue
        if scen['state'] == 'absent':
            assert scen['start']['hold'] is True, seed
        else:
            held[scen['start']['hold']] += 1
    assert held[True] and held[False]


def test_every_simulator_fault_kind_is_drawn():
    from ontap_sim import faults  # pylint: disable=import-outside-toplevel
    assert set(faults.KINDS) <= set(scenarios.FAULT_KINDS)


def test_regression_seeds_tell_the_truth():
    """Seeds that once found a lie (run.REGRESSION_SEEDS), in one playbook in their order, run clean."""
    seeds = list(run.REGRESSION_SEEDS)
    report = run.run(seeds, batch_size=len(seeds), jobs=1)
    assert not report['errors'], report['errors']
    assert not report['lies'], report['lies']
    assert not report['secret_artefacts'], report['secret_artefacts']


def _lying_copy(tmp_path, module_util, old, new):
    """A copy of the collection (plugins, meta, galaxy.yml) whose ``module_utils/<module_util>`` has ``old`` replaced
    by ``new``; returns its root."""
    copy_root = tmp_path / 'rest'
    shutil.copytree(os.path.join(run.ROOT, 'plugins'), str(copy_root / 'plugins'))
    shutil.copytree(os.path.join(run.ROOT, 'meta'), str(copy_root / 'meta'))
    shutil.copy(os.path.join(run.ROOT, 'galaxy.yml'), str(copy_root / 'galaxy.yml'))
    path = copy_root / 'plugins' / 'module_utils' / module_util
    source = path.read_text()
    assert old in source
    path.write_text(source.replace(old, new))
    return copy_root


def _plain_creates(count):
    """Seeds of volume creates from nothing, no fault, no check mode, waited for (their truth is simple)."""
    seeds = []
    for seed in range(1, 5000):
        scen = scenarios.generate(seed)
        if (scen['module'] == 'volume' and scen['start']['kind'] == 'absent' and scen['state'] == 'present'
                and not scen['fault_kinds'] and not scen['check_mode'] and not scen['job_rules']
                and scen['args'].get('wait_for_completion', True)):
            seeds.append(seed)
        if len(seeds) == count:
            return seeds
    raise AssertionError('no plain create among the seeds')


@pytest.mark.parametrize('mutation, lie', [
    (('self.module.exit_json(changed=result.changed, **data)', 'self.module.exit_json(changed=False, **data)'),
     'unchanged'),
    (('self.module.exit_json(changed=result.changed, **data)',
      'data.pop("job", None)\n        self.module.fail_json(msg="ONTAP refused the request.", changed=False, **data)'),
     'nothing-happened'),
])
def test_the_harness_catches_a_lying_collection(tmp_path, mutation, lie):
    """The same scenarios against a copy of the collection whose runner lies: the checker reports it."""
    copy_root = _lying_copy(tmp_path, 'runner.py', mutation[0], mutation[1])
    seeds = _plain_creates(2)
    report = run.run(seeds, batch_size=2, jobs=1, collection=str(copy_root))
    assert not report['errors'], report['errors']
    kinds = {text.split(':')[0] for dummy, dummy2, text in report['lies']}
    assert lie in kinds, report['lies']


# -- the second family: ontap.rest.wait_for on a volume move ----------------------------------------------------

MOVE = 'aaaaaaaa-0000-1111-2222-333333333333'


def move_record(status, result, state):
    rec = record(status=status, result=result)
    rec['baseline']['extra'] = {'move': MOVE, 'volume_uuid': 'v1'}
    rec['truth']['processes'] = [{'uuid': MOVE, 'kind': 'move', 'target': 'volume/v1', 'state': state}]
    return rec


def wait_scenario():
    return scenarios.generate(scenarios.WAIT_FOR_BASE)


REACHED = {'changed': False, 'value': 'success', 'wait': {'outcome': 'reached'}}


def test_a_wait_reached_on_a_move_that_succeeded_is_no_lie():
    assert lies_of(wait_scenario(), move_record('ok', REACHED, 'success')) == []


def test_a_wait_reached_while_the_move_still_runs_is_a_lie():
    # the stale-state trap: the last move's success read as this one's
    assert 'wait-state' in lies_of(wait_scenario(), move_record('ok', REACHED, 'replicating'))[0]


def test_a_wait_failed_value_on_a_move_that_succeeded_is_a_lie():
    failed = {'failed': True, 'value': 'failed', 'wait': {'outcome': 'failed_value'}, 'msg': 'failure value'}
    assert 'wait-state' in lies_of(wait_scenario(), move_record('failed', failed, 'success'))[0]
    assert lies_of(wait_scenario(), move_record('failed', failed, 'failed')) == []


def test_a_write_by_a_wait_is_a_lie():
    rec = move_record('ok', REACHED, 'success')
    rec['truth']['log'] = [write(method='PATCH', path='/api/storage/volumes/v1', job=None)]
    assert 'check-mode-write' in lies_of(wait_scenario(), rec)[0]


def test_the_second_family_leaves_the_first_unchanged_and_draws_its_faults():
    assert scenarios.generate(42)['module'] != 'wait_for'
    seeds = range(scenarios.WAIT_FOR_BASE, scenarios.WAIT_FOR_BASE + run.CI_WAIT_FOR_COUNT)
    drawn = set()
    for seed in seeds:
        scen = scenarios.generate(seed)
        assert scen['module'] == 'wait_for' and scen['args']['fresh']['field'] == 'movement.start_time'
        drawn.update(scen['fault_kinds'])
    assert set(scenarios.PROCESS_FAULTS) <= drawn
    assert set(run.ci_seeds()[-run.CI_WAIT_FOR_COUNT:]) == set(seeds)


def test_the_harness_catches_a_wait_that_ignores_its_freshness_guard(tmp_path):
    """Against a copy of the collection whose state waiter takes every read as fresh: a stale success of the last
    move ends the wait while this move runs, and the checker says so. The moves wait for a cutover action nobody
    gives (``process_needs_action``), so they are still running whatever the machine's speed."""
    copy_root = _lying_copy(tmp_path, 'state_waiter.py', 'is_fresh = bool(fresh(record))', 'is_fresh = True')
    seeds = [seed for seed in range(scenarios.WAIT_FOR_BASE, scenarios.WAIT_FOR_BASE + 200)
             if _stale_and_held(scenarios.generate(seed))][:2]
    assert len(seeds) == 2
    report = run.run(seeds, batch_size=2, jobs=1, collection=str(copy_root))
    assert not report['errors'], report['errors']
    kinds = {text.split(':')[0] for dummy, dummy2, text in report['lies']}
    assert 'wait-state' in kinds, report['lies']


def _stale_and_held(scen):
    return sorted(scen['fault_kinds']) == ['process_needs_action', 'stale_terminal'] and not scen['check_mode']
