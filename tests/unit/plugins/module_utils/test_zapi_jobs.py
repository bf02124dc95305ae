# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 12: the ZAPI job reader and start parser (pure; no netapp-lib, no network), driven through the shared poller
with a fake clock, and the Python 3.9 syntax of the new module code.

The 16-state table is NetApp's ONTAPI-to-REST mapping (job page), quoted in shared/ONTAP_ZAPI.md 2.3.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import os

import pytest

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapError, OntapJobStateError, OntapNoRestError
from ansible_collections.ontap.rest.plugins.module_utils.job_poller import JobPoller, WaitOptions
from ansible_collections.ontap.rest.plugins.module_utils.zapi_jobs import (
    ZAPI_JOB_STATES,
    OntapZapiError,
    OntapZapiJobStateError,
    OntapZapiTransportError,
    parse_start,
    read_zapi_job,
    zapi_job,
    zapi_job_reader,
)

#: (ZAPI job-state, REST state, terminal?) -- NetApp's mapping, all 16 rows.
TABLE = [
    ('initial', 'queued', False), ('queued', 'queued', False),
    ('running', 'running', False), ('waiting', 'running', False), ('pausing', 'running', False),
    ('quitting', 'running', False), ('reschedule', 'running', False), ('restart', 'running', False),
    ('dormant', 'running', False), ('unknown', 'running', False),
    ('paused', 'paused', False),
    ('success', 'success', True),
    ('failure', 'failure', True), ('error', 'failure', True), ('quit', 'failure', True), ('dead', 'failure', True),
]


class FakeClock(object):
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def info(state, job_id=1369, **more):
    out = {'job-id': str(job_id), 'job-uuid': 'b89bc5dd-94a3-11e8-a7a3-0050568edf84', 'job-state': state,
           'job-status-code': '0', 'job-vserver': 'svm1', 'job-start-time': '1700000000'}
    out.update(more)
    return out


class Connection(object):
    """``call(api, args)`` fake: answers ``job-get-iter`` from a list of job-info dicts (the last repeats)."""

    def __init__(self, *infos):
        self.infos = list(infos)
        self.calls = []

    def call(self, api, args):
        self.calls.append((api, args))
        answer = self.infos.pop(0) if len(self.infos) > 1 else self.infos[0]
        if isinstance(answer, Exception):
            raise answer
        if answer is None:
            return {'num-records': '0'}
        return {'attributes-list': [{'job-info': dict(answer)}], 'num-records': '1'}


def zapi_poller(clock, connection, **options):
    options.setdefault('poll_interval', 1.0)
    options.setdefault('max_poll_interval', 4.0)
    options.setdefault('job_timeout', 600.0)
    return JobPoller(zapi_job_reader(connection), WaitOptions(**options), clock=clock, sleep=clock.sleep,
                     rand=lambda: 0.5, key='id')


def test_the_map_has_exactly_the_16_zapi_states():
    assert sorted(ZAPI_JOB_STATES) == sorted(row[0] for row in TABLE)
    assert len(ZAPI_JOB_STATES) == 16


@pytest.mark.parametrize('zapi_state,rest_state,terminal', TABLE)
def test_table_each_zapi_state_maps_as_netapp_maps_it(zapi_state, rest_state, terminal):
    job = zapi_job(info(zapi_state, **{'job-completion' if terminal else 'job-progress': 'text of %s' % zapi_state}))
    assert job['state'] == rest_state and job['zapi_state'] == zapi_state
    assert job['message'] == 'text of %s' % zapi_state
    assert job['id'] == 1369 and job['uuid'] == 'b89bc5dd-94a3-11e8-a7a3-0050568edf84'
    assert job['svm'] == {'name': 'svm1'} and job['code'] == 0
    assert job['start_time'] == '2023-11-14T22:13:20+00:00'


@pytest.mark.parametrize('zapi_state,rest_state,terminal', TABLE)
def test_table_through_the_poller_non_terminal_keeps_waiting_terminal_ends_with_its_message(
        zapi_state, rest_state, terminal):
    clock = FakeClock()
    texts = {'job-progress': 'step', 'job-completion': 'done: %s' % zapi_state}
    connection = Connection(info('running'), info(zapi_state, **texts), info('success', **{'job-completion': 'finally done'}))
    result = zapi_poller(clock, connection).wait_zapi([{'status': 'in_progress', 'jobid': 1369}], clock())
    if terminal:
        assert result.outcome == rest_state and result.polls == 2, result
        assert 'done: %s' % zapi_state in result.message
        assert result.job['zapi_state'] == zapi_state
    else:
        # the ZAPI-only state did not end the wait: the next read (success) did
        assert result.outcome == 'success' and result.polls == 3, result
        assert result.job['zapi_state'] == 'success' and 'finally done' in result.message
    assert all(api == 'job-get-iter' for api, dummy in connection.calls)
    assert connection.calls[0][1] == {'query': {'job-info': {'job-id': '1369'}}}


def test_all_eleven_non_terminal_states_in_a_row_then_dead_ends_with_the_message():
    clock = FakeClock()
    states = [row[0] for row in TABLE if not row[2]]
    connection = Connection(*([info(state) for state in states] + [info('dead', **{'job-completion': 'Node died'})]))
    result = zapi_poller(clock, connection).wait_zapi([{'status': 'in_progress', 'jobid': 1369}], clock())
    assert result.outcome == 'failure' and result.polls == 12
    assert 'Node died' in result.message and 'Job 1369 failed' in result.message


def test_an_unknown_or_missing_state_is_an_error_never_a_guess():
    with pytest.raises(OntapZapiJobStateError) as caught:
        zapi_job(info('done'))
    assert isinstance(caught.value, OntapJobStateError)
    assert "'done'" in str(caught.value) and 'dormant' in str(caught.value) and 'not verified' in str(caught.value)
    with pytest.raises(OntapZapiJobStateError):
        zapi_job({'job-id': '5'})
    clock = FakeClock()
    with pytest.raises(OntapJobStateError):
        zapi_poller(clock, Connection(info('finished'))).wait_zapi([{'status': 'in_progress', 'jobid': 1}], clock())


def test_message_is_completion_else_progress():
    assert zapi_job(info('running', **{'job-progress': 'p'}))['message'] == 'p'
    assert zapi_job(info('failure', **{'job-progress': 'p', 'job-completion': 'c'}))['message'] == 'c'
    assert 'message' not in zapi_job(info('running'))


def test_start_succeeded_is_success_without_a_read_failed_keeps_ontaps_reason():
    clock = FakeClock()
    connection = Connection(info('running'))
    result = zapi_poller(clock, connection).wait_zapi(parse_start({'result-status': 'succeeded', 'result-jobid': '7'}),
                                                      clock())
    assert result.outcome == 'success' and result.polls == 0 and connection.calls == []
    assert result.as_result()['job'] == {'id': 7, 'uuid': None, 'state': 'success'}
    assert 'result-status succeeded' in result.message
    starts = parse_start({'result-status': 'failed', 'result-error-code': '917536',
                          'result-error-message': 'Aggregate aggr9 not found'})
    result = zapi_poller(clock, connection).wait_zapi(starts, clock())
    assert result.outcome == 'failure' and result.polls == 0
    assert 'Aggregate aggr9 not found' in result.message and '917536' in result.message
    assert result.job['code'] == 917536 and result.job['message'] == 'Aggregate aggr9 not found'


def test_start_not_waited_reads_nothing():
    clock = FakeClock()
    connection = Connection(info('running'))
    result = zapi_poller(clock, connection, wait_for_completion=False).wait_zapi(
        parse_start({'result-status': 'in_progress', 'result-jobid': '8'}), clock())
    assert result.outcome == 'not_waited' and connection.calls == [] and result.job['id'] == 8


def test_iter_async_lists_are_jobs_too():
    starts = parse_start(
        {'success-list': [{'volume-modify-iter-async-info': {'status': 'in_progress', 'jobid': '11'}},
                          {'volume-modify-iter-async-info': {'status': 'succeeded', 'jobid': '12'}}],
         'failure-list': [{'volume-modify-iter-async-info': {'error-code': '13001', 'error-message': 'nope'}}]})
    assert [(s['status'], s['jobid']) for s in starts] == [('in_progress', 11), ('succeeded', 12), ('failed', None)]
    assert starts[2]['error_message'] == 'nope' and starts[2]['error_code'] == 13001


def test_start_parsing_never_guesses():
    assert parse_start({'num-records': '1'}) == []   # a synchronous answer
    with pytest.raises(OntapZapiError, match='result-status'):
        parse_start({'result-status': 'done', 'result-jobid': '1'}, 'volume-create-async')
    with pytest.raises(OntapZapiError, match='result-jobid'):
        parse_start({'result-status': 'in_progress'}, 'volume-create-async')


def test_unknown_id_is_not_found_and_bounded_by_the_poller():
    clock = FakeClock()
    result = zapi_poller(clock, Connection(None)).wait_zapi([{'status': 'in_progress', 'jobid': 99}], clock())
    assert result.outcome == 'unreadable' and result.polls == 3, result
    with pytest.raises(OntapZapiError) as caught:
        read_zapi_job(Connection(None).call, 99)
    assert caught.value.is_not_found and 'job-id 99' in str(caught.value)


def test_errno_errors_and_transport_errors_are_the_collections():
    not_found = OntapZapiError('job-get', errno='15661', message="entry doesn't exist", url='https://h:443/servlet')
    assert not_found.is_not_found and not not_found.is_forbidden and not not_found.outcome_unknown
    assert str(not_found) == "ZAPI job-get at https://h:443/servlet: errno 15661: entry doesn't exist."
    privilege = OntapZapiError('job-get-iter', errno='13003', message='Insufficient privileges')
    assert privilege.is_forbidden and not privilege.is_not_found
    assert OntapZapiError('volume-create-async', status=500, write=True).outcome_unknown
    assert not OntapZapiError('volume-get-iter', status=500).outcome_unknown
    assert 'HTTP 401' in str(OntapZapiError('system-get-version', status=401))
    assert OntapZapiTransportError('timeout', 'volume-size-async', 'https://h', 'timed out', write=True).outcome_unknown
    assert not OntapZapiTransportError('connect', 'volume-size-async', 'https://h', 'refused', write=True).outcome_unknown
    assert not OntapZapiTransportError('timeout', 'volume-get-iter', 'https://h', 'timed out').outcome_unknown


def test_privilege_error_while_polling_is_unreadable_not_a_retry_storm():
    clock = FakeClock()
    connection = Connection(OntapZapiError('job-get-iter', errno='13003', message='Insufficient privileges'))
    result = zapi_poller(clock, connection).wait_zapi([{'status': 'in_progress', 'jobid': 5}], clock())
    assert result.outcome == 'unreadable' and result.polls == 1 and 'Insufficient privileges' in result.message


def test_budget_bounds_a_job_stuck_in_a_zapi_only_state():
    clock = FakeClock()
    result = zapi_poller(clock, Connection(info('dormant')), job_timeout=10.0).wait_zapi(
        [{'status': 'in_progress', 'jobid': 5}], clock())
    assert result.outcome == 'timed_out' and clock.now - 100.0 <= 10.0 + 1e-9
    assert result.job['zapi_state'] == 'dormant'


def test_wait_for_an_existing_job_by_id():
    clock = FakeClock()
    connection = Connection(info('success', **{'job-completion': 'ok'}))
    job = zapi_job(info('waiting'))
    result = zapi_poller(clock, connection).wait_for([job], clock())
    assert result.outcome == 'success' and result.polls == 1 and result.job['id'] == 1369


def test_no_rest_error_names_the_zapi_door():
    text = str(OntapNoRestError('cluster1:443'))
    assert 'ontap.rest.zapi' in text and 'ontap.rest.job with id' in text


def test_tracked_rest_jobs_still_need_a_uuid():
    clock = FakeClock()
    rest = JobPoller(lambda uuid: {}, WaitOptions(), clock=clock, sleep=clock.sleep)
    with pytest.raises(OntapError, match='without a uuid'):
        rest.wait_for([{'id': 5}], clock())


NEW_MODULE_CODE = ['plugins/module_utils/zapi.py', 'plugins/module_utils/zapi_jobs.py', 'plugins/module_utils/job_poller.py',
                   'plugins/modules/zapi.py', 'plugins/modules/job.py']


@pytest.mark.parametrize('path', NEW_MODULE_CODE)
def test_new_module_code_parses_as_python_3_9(path):
    root = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..')
    with open(os.path.join(root, path)) as handle:
        ast.parse(handle.read(), path, feature_version=(3, 9))
