# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 9, items 10-12: the real wait_for, job, job_info and request modules run in-process against the simulator.

The module runs in-process (``main()`` with patched module arguments); the simulator's request log is the witness.
No assertion depends on how fast the machine is: jobs that must still be live are held by a job rule
(``hold_state`` with a hold far beyond any test's length) and released through ONTAP's own job action.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

import pytest

from ontap_sim import testing

from ansible_collections.ontap.rest.plugins.modules import job as job_module
from ansible_collections.ontap.rest.plugins.modules import job_info as job_info_module
from ansible_collections.ontap.rest.plugins.modules import request as request_module
from ansible_collections.ontap.rest.plugins.modules import wait_for as wait_for_module

#: Simulated seconds a held job stays held: far beyond any test (it is released explicitly, or the test ends).
HOLD = 100000


@pytest.fixture(scope='module')
def sim():
    with testing.SimServer(job_seconds=0.3) as server:
        yield server


@pytest.fixture
def run(sim, module_main):
    """``run(module, check_mode=False, **args) -> result dict`` of one in-process module run."""
    def run_module(module, check_mode=False, **args):
        base = dict(hostname=sim.host, port=sim.port, username=sim.username, password=sim.password,
                    ca_path=sim.ca_path, validate_certs=True, poll_interval=0.2, max_poll_interval=0.5,
                    job_timeout=20.0)
        base.update(args)
        return module_main(module, base, check=check_mode)
    return run_module


def create_volume(api, name):
    answer = api('POST', 'storage/volumes', params={'return_timeout': 30},
                 json={'name': name, 'svm': {'name': 'svm1'}, 'aggregates': [{'name': 'aggr1'}], 'size': 20971520})
    assert answer.status_code == 201, answer.text
    return answer.json()['job']['uuid']


def held_job(sim, api, name, state='running', **rule):
    """Start a volume create whose job is held in ``state`` until released (resumed) or the test ends."""
    sim.set_job('POST', '/api/storage/volumes', hold_state=state, hold_seconds=HOLD, count=1, **rule)
    answer = api('POST', 'storage/volumes', params={'return_timeout': 0},
                 json={'name': name, 'svm': {'name': 'svm1'}, 'aggregates': [{'name': 'aggr1'}], 'size': 20971520})
    assert answer.status_code == 202, answer.text
    uuid = answer.json()['job']['uuid']
    deadline = time.monotonic() + 30
    while job_state(api, uuid) != state:       # past its brief queued state (a condition, not a timer)
        assert time.monotonic() < deadline, 'job %s never reached %s' % (uuid, state)
        time.sleep(0.02)
    return uuid


def job_state(api, uuid):
    return api('GET', 'cluster/jobs/%s' % uuid, params={'fields': 'state'}).json()['state']


def writes(sim):
    return [entry for entry in sim.log() if entry['method'] in ('POST', 'PATCH', 'DELETE')]


# -- item 10: ontap.rest.wait_for ---------------------------------------------------------------------------------

def test_item10_wait_for_query_matching_several_records_says_so(sim, api, run):
    create_volume(api, 'wf_a')
    create_volume(api, 'wf_b')
    sim.clear_log()
    result = run(wait_for_module, path='storage/volumes', query={'name': 'wf_*', 'svm.name': 'svm1'}, field='state',
                 values=['online'], job_timeout=5)
    assert result['failed'] and result['changed'] is False, result
    assert '2 records' in result['msg'] and 'name=wf_*' in result['msg'] and 'svm.name=svm1' in result['msg'], result
    assert 'status_code' not in result and 'HTTP 400' not in result['msg'], result   # ONTAP answered 200
    assert [entry['status'] for entry in sim.log()] == [200]                          # said at the first read


def test_item10_wait_for_never_reports_a_status_ontap_did_not_send(sim, api, run):
    sim.clear_log()
    result = run(wait_for_module, path='storage/volumes', query={'name': 'wf_none', 'svm.name': 'svm1'}, field='state',
                 values=['online'], job_timeout=0.6)
    assert result['failed'] and result['wait']['outcome'] == 'timed_out', result
    assert set(entry['status'] for entry in sim.log()) == {200}
    assert 'status_code' not in result and 'HTTP 404' not in result['msg'], result
    assert 'no record matches' in result['msg'] and 'name=wf_none' in result['msg'], result


def test_item10_wait_for_unknown_field_is_an_error_at_the_first_read(sim, api, run):
    create_volume(api, 'wf_c')
    uuid = api('GET', 'storage/volumes', params={'name': 'wf_c'}).json()['records'][0]['uuid']
    for path, query in (('storage/volumes/%s' % uuid, None), ('storage/volumes', {'name': 'wf_c'})):
        sim.clear_log()
        result = run(wait_for_module, path=path, query=query, field='stat', values=['online'], job_timeout=30)
        assert result['failed'] and result['changed'] is False, result
        assert "'stat'" in result['msg'] and 'field' in result['msg'], result
        assert len(sim.log()) == 1, sim.log()       # not a wait until the budget: one read


def test_item10_wait_for_still_waits_for_a_record_that_does_not_exist_yet(sim, api, run):
    uuid = held_job(sim, api, 'wf_late', state='paused')      # released below by ONTAP's resume action
    sim.clear_log()
    result = run(wait_for_module, path='storage/volumes', query={'name': 'wf_late'}, field='state', values=['online'],
                 job_timeout=0.5)
    assert result['wait']['outcome'] == 'timed_out' and 'no record matches the query name=wf_late' in result['msg'], result
    assert api('PATCH', 'cluster/jobs/%s' % uuid, params={'action': 'resume'}).status_code == 200
    result = run(wait_for_module, path='storage/volumes', query={'name': 'wf_late'}, field='state', values=['online'])
    assert not result.get('failed') and result['value'] == 'online', result


# -- item 11: ontap.rest.job ----------------------------------------------------------------------------------------

def test_item11_job_wait_changes_nothing_whatever_the_outcome(sim, api, run):
    done = create_volume(api, 'jw_ok')
    result = run(job_module, uuid=done)
    assert result['job_wait']['outcome'] == 'success' and result['changed'] is False, result

    sim.set_job('POST', '/api/storage/volumes', seconds=0.1, outcome='failure', code=917536, message='No space', count=1)
    answer = api('POST', 'storage/volumes', params={'return_timeout': 30},
                 json={'name': 'jw_fail', 'svm': {'name': 'svm1'}, 'aggregates': [{'name': 'aggr1'}], 'size': 20971520})
    assert answer.status_code == 400, answer.text      # the job failed while ONTAP held the request
    failed = answer.json()['job']['uuid']
    result = run(job_module, uuid=failed)
    assert result['failed'] and result['job_wait']['outcome'] == 'failure' and result['changed'] is False, result

    running = held_job(sim, api, 'jw_running')
    result = run(job_module, uuid=running, job_timeout=0.5)
    assert result['failed'] and result['job_wait']['outcome'] == 'timed_out', result
    assert result['changed'] is False, result


def test_item11_job_actions_are_changed_only_when_the_job_state_changes(sim, api, run):
    uuid = held_job(sim, api, 'ja_vol')
    steps = [('pause', True, 'paused'), ('pause', False, 'paused'), ('resume', True, 'running'),
             ('resume', False, 'running'), ('cancel', True, 'failure'), ('cancel', False, 'failure'),
             ('pause', False, 'failure'), ('resume', False, 'failure')]
    for action, changed, state in steps:
        before = len(writes(sim))
        predicted = run(job_module, check_mode=True, uuid=uuid, action=action)
        assert len(writes(sim)) == before, 'check mode sent a write'
        result = run(job_module, uuid=uuid, action=action)
        assert not result.get('failed'), (action, result)
        assert result['changed'] is changed, (action, state, result)
        assert predicted['changed'] is changed and not predicted.get('failed'), (action, state, predicted)
        assert result['job']['state'] == state == job_state(api, uuid), (action, result)
        if not changed:
            assert result['msg'] and len(writes(sim)) == before, (action, result)   # nothing sent, and said why
            assert uuid in result['msg'], result


def test_item11_job_check_mode_reads_the_job_and_sends_no_patch(sim, api, run):
    uuid = held_job(sim, api, 'jc_vol')
    sim.clear_log()
    result = run(job_module, check_mode=True, uuid=uuid, action='pause')
    assert result['changed'] is True and result['job']['state'] == 'running', result
    assert result['would_send'][0]['method'] == 'PATCH', result
    assert [(entry['method'], entry['path']) for entry in sim.log()] == [('GET', '/api/cluster/jobs/%s' % uuid)]
    assert job_state(api, uuid) == 'running'


def test_item11_resume_of_a_job_paused_by_its_own_hold_is_a_change(sim, api, run):
    uuid = held_job(sim, api, 'jh_vol', state='paused')
    assert job_state(api, uuid) == 'paused'
    result = run(job_module, uuid=uuid, action='resume')
    assert result['changed'] is True and result['job']['state'] in ('running', 'success'), result


def test_item11_refusal_after_a_stale_read_is_not_a_change(sim, api, run, monkeypatch):
    uuid = held_job(sim, api, 'js_vol')
    api('PATCH', 'cluster/jobs/%s' % uuid, params={'action': 'pause'})
    real_read = job_module.read_job
    reads = []

    def stale_then_real(ontap, job_uuid):
        job = real_read(ontap, job_uuid)
        reads.append(job['state'])
        if len(reads) == 1:
            job = dict(job, state='running')      # the job was paused by someone else after this read
        return job
    monkeypatch.setattr(job_module, 'read_job', stale_then_real)
    result = run(job_module, uuid=uuid, action='pause')
    assert not result.get('failed') and result['changed'] is False, result
    assert '458776' in result['msg'] and result['job']['state'] == 'paused', result


# -- item 12: ontap.rest.request and malformed job uuids ---------------------------------------------------------

def test_item12_request_query_write_matching_nothing_is_not_changed(sim, api, run):
    for method, body in (('PATCH', {'comment': 'x'}), ('DELETE', None)):
        result = run(request_module, method=method, path='storage/volumes', query={'name': 'nothing_*', 'svm.name': 'svm1'},
                     body=body)
        assert not result.get('failed'), result
        assert result['response']['num_records'] == 0 and result['response']['jobs'] == [], result
        assert result['changed'] is False, result
        assert 'no record' in result['msg'], result


def test_item12_request_check_mode_predicts_a_query_write_like_the_real_run(sim, api, run):
    create_volume(api, 'rqc_a')
    for name, changed in (('nothing_*', False), ('rqc_*', True)):
        sim.clear_log()
        planned = run(request_module, check_mode=True, method='DELETE', path='storage/volumes',
                      query={'name': name, 'svm.name': 'svm1'})
        assert not planned.get('failed') and planned['changed'] is changed, planned
        assert [e['method'] for e in sim.log()] == ['GET'], sim.log()          # a read, never the write
    assert api('GET', 'storage/volumes', params={'name': 'rqc_a'}).json()['num_records'] == 1


def test_item12_request_query_write_matching_records_is_changed(sim, api, run):
    create_volume(api, 'rq_a')
    result = run(request_module, method='PATCH', path='storage/volumes', query={'name': 'rq_*'}, body={'comment': 'x'})
    assert result['changed'] is True and result['job_wait']['outcome'] == 'success', result


def test_item12_request_get_follow_next_returns_every_record(sim, api, run):
    for name in ('fn_1', 'fn_2', 'fn_3'):
        create_volume(api, name)
    query = {'svm.name': 'svm1', 'max_records': 2, 'fields': 'name'}
    one_page = run(request_module, path='storage/volumes', query=query)
    assert len(one_page['response']['records']) == 2 and one_page['response']['_links']['next'], one_page
    sim.clear_log()
    every = run(request_module, path='storage/volumes', query=query, follow_next=True)
    assert not every.get('failed') and every['changed'] is False, every
    names = sorted(record['name'] for record in every['response']['records'])
    assert names == ['fn_1', 'fn_2', 'fn_3', 'svm1_root'], every
    assert every['response']['num_records'] == 4 and 'next' not in every['response'].get('_links', {}), every
    assert every['status_code'] == 200
    assert len(sim.log()) == 2          # two pages, each read once


def test_item12_request_get_follow_next_of_a_record_is_the_record(sim, api, run):
    result = run(request_module, path='cluster', query={'fields': 'name'}, follow_next=True)
    assert not result.get('failed') and result['response']['name'], result


def test_item12_follow_next_is_for_get_only(sim, api, run):
    sim.clear_log()
    result = run(request_module, method='DELETE', path='storage/volumes', query={'name': 'x'}, follow_next=True)
    assert result['failed'] and 'follow_next' in result['msg'] and sim.log() == [], result


@pytest.mark.parametrize('module, args', [
    (job_module, dict(uuid='not-a-uuid')),
    (job_module, dict(uuid='not-a-uuid', action='cancel')),
    (job_info_module, dict(uuid='not-a-uuid')),
    (request_module, dict(path='cluster/jobs/not-a-uuid')),
    (request_module, dict(path='/api/cluster/jobs/not-a-uuid', method='PATCH', query={'action': 'cancel'})),
    (wait_for_module, dict(path='cluster/jobs/not-a-uuid', field='state', values=['success'])),
])
def test_item12_malformed_job_uuid_is_refused_before_anything_is_sent(sim, api, run, module, args):
    sim.clear_log()
    result = run(module, **args)
    assert result['failed'] and 'malformed' in result['msg'] and 'not-a-uuid' in result['msg'], result
    assert 'status_code' not in result, result
    assert sim.log() == []


def test_item12_well_formed_job_uuids_still_work(sim, api, run):
    uuid = create_volume(api, 'uu_vol')
    for module, args in ((job_module, dict(uuid=uuid)), (job_info_module, dict(uuid=uuid)),
                         (request_module, dict(path='cluster/jobs/%s' % uuid)), (request_module, dict(path='cluster/jobs'))):
        result = run(module, **args)
        assert not result.get('failed'), (module, result)


def test_item10_wait_for_field_refused_by_ontap_is_named_with_ontaps_own_status(sim, api, run, monkeypatch):
    # Real ONTAP may refuse a fields= name it does not know with 400 code 2 (the simulator leaves it out instead).
    from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError
    from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule

    def refuse(self, path, query=None):
        raise OntapApiError(400, code='2', message='Unexpected argument "stat".', target='stat', url=sim.url + '/api/x')
    monkeypatch.setattr(OntapModule, 'read', refuse)
    result = run(wait_for_module, path='storage/volumes/x', field='stat', values=['online'])
    assert result['failed'] and "'stat' does not exist" in result['msg'] and result['status_code'] == 400, result
    assert result['error']['code'] == '2'


def test_job_wait_rereads_a_live_job_whose_first_reads_answer_404(sim, api, run):
    # Amazon FSx and rebooting nodes answer 404 for a live job (F01, F13): the wait re-reads it inside job_timeout
    # instead of calling it deleted at the first read (new-user finding).
    running = held_job(sim, api, 'jw_hidden')
    sim.add_fault('job_get_not_found', count=2)
    try:
        result = run(job_module, uuid=running, job_timeout=3.0)
    finally:
        sim.clear_faults()
        sim.release()
    assert result['failed'] and result['job_wait']['outcome'] == 'timed_out', result
    assert result['job']['state'] == 'running' and 'not found' not in result['msg'], result
    assert result['changed'] is False


def test_job_wait_on_a_job_that_stays_not_found_says_both_readings(sim, run):
    gone = '0e4b8f36-8c5d-11ee-b9d1-0242ac120002'
    result = run(job_module, uuid=gone, job_timeout=5.0)
    assert result['failed'] and result['changed'] is False and result['job_wait']['outcome'] == 'unreadable', result
    assert 'was not found' in result['msg'] and '300 seconds' in result['msg'] and 'Amazon FSx' in result['msg'], \
        result['msg']


def test_request_refuses_return_timeout_in_the_path_before_anything_is_sent(sim, run):
    # It would be replaced by the option's value without a word (new-user finding); in query it is refused already.
    sim.reset()
    sim.clear_log()
    result = run(request_module, method='POST', path='storage/volumes?return_timeout=600',
                 body={'name': 'rt_path', 'svm': {'name': 'svm1'}, 'aggregates': [{'name': 'aggr1'}], 'size': 20971520})
    assert result['failed'] and 'path' in result['msg'] and 'job_timeout' in result['msg'], result
    assert [entry for entry in sim.log() if entry['path'].startswith('/api')] == []
