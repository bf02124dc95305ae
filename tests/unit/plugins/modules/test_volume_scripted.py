# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real ontap.rest.volume ``main()`` (runner, engine, poller, client) against a scripted transport on a fake clock:
every request is named in order, every one must be sent, no test really sleeps (issue 10's test seam)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from scripted_transport import Seam, accepted, expect, job, records  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.ontap.rest.plugins.modules import volume  # noqa: E402 pylint: disable=wrong-import-position

VOLUMES = '/api/storage/volumes'
J1 = '11111111-2222-3333-4444-555555555555'
VOL = dict(uuid='v1', name='vol1', svm={'name': 'svm1'}, size=1073741824, aggregates=[{'name': 'aggr1'}])


@pytest.fixture
def seam(monkeypatch, capsys):
    return Seam(monkeypatch, capsys)


def lookup(*found):
    return expect('GET', VOLUMES, query={'name': 'vol1', 'svm.name': 'svm1'}, answer=records(*found))


def test_create_held_past_return_timeout_is_polled_then_read_back(seam):
    result = seam.run(volume, [
        lookup(),
        expect('POST', VOLUMES, query={'return_timeout': 120}, status=202, answer=accepted(J1), takes=120,
               body={'name': 'vol1', 'svm': {'name': 'svm1'}, 'size': 1073741824, 'aggregates': [{'name': 'aggr1'}]}),
        expect('GET', '/api/cluster/jobs/' + J1, answer=job(J1, 'running')),
        expect('GET', '/api/cluster/jobs/' + J1, answer=job(J1, 'success')),
        lookup(VOL),
    ], name='vol1', svm='svm1', size='1GiB', aggregates=['aggr1'])
    assert result['changed'] and result['job_wait']['outcome'] == 'success' and result['job_wait']['polls'] == 2
    assert result['volume']['uuid'] == 'v1' and result['actions'] == [dict(action='create', method='POST', path='storage/volumes')]
    # the read timeout of the held POST follows its return_timeout (http_timeout 60 + 120)
    assert seam.seen[1]['timeout'] == (60.0, 180.0)


def test_budget_caps_every_return_timeout_and_ends_at_job_timeout(seam):
    result = seam.run(volume, [
        lookup(),
        expect('POST', VOLUMES, query={'return_timeout': 5}, status=202, answer=accepted(J1), takes=5),
        expect('GET', '/api/cluster/jobs/' + J1, answer=job(J1, 'running')),
    ], name='vol1', svm='svm1', size='1GiB', aggregates=['aggr1'], job_timeout=5)
    assert result['failed'] and result['job_wait']['outcome'] == 'timed_out' and result['changed'] is True
    assert seam.time.now - seam.seen[1]['at'] <= 5.0 + 1e-9       # nothing ended after the budget


def test_d4_the_budget_starts_with_the_task_and_caps_every_request_lookup_included(seam):
    slow_lookup = lookup()
    slow_lookup['takes'] = 1.0                       # the lookup's second counts: the POST gets 4 s, not 5
    result = seam.run(volume, [
        slow_lookup,
        expect('POST', VOLUMES, query={'return_timeout': 4}, status=202, answer=accepted(J1), takes=4),
        expect('GET', '/api/cluster/jobs/' + J1, answer=job(J1, 'running')),     # the last poll, at the deadline
    ], name='vol1', svm='svm1', size='1GiB', aggregates=['aggr1'], job_timeout=5)
    assert result['failed'] and result['job_wait']['outcome'] == 'timed_out' and result['changed'] is True
    # connect/read timeouts: what the budget leaves plus one round trip (1 s), never http_timeout (60) + return_timeout
    assert [entry['timeout'] for entry in seam.seen] == [(6.0, 6.0), (5.0, 5.0), (1.0, 1.0)]
    assert seam.time.now - seam.seen[0]['at'] <= 5.0 + 1e-9


@pytest.mark.parametrize('option', ['http_timeout', 'job_timeout', 'poll_interval'])
@pytest.mark.parametrize('value', [float('inf'), float('nan'), -1.0])
def test_d7_an_infinite_nan_or_negative_number_is_an_option_error_and_nothing_is_sent(seam, option, value):
    result = seam.run(volume, [], name='vol1', svm='svm1', **{option: value})
    assert result['failed'] and result['msg'].startswith(option + ' must be '), result
    assert 'exception' not in result and seam.seen == []


def test_failure_within_return_timeout_reads_the_job_once_and_reports_it_like_a_polled_failure(seam):
    failure = {'error': {'message': 'Not enough space', 'code': '917536'}, 'job': accepted(J1)['job']}
    result = seam.run(volume, [
        lookup(),
        expect('POST', VOLUMES, status=400, answer=failure, takes=1),
        expect('GET', '/api/cluster/jobs/' + J1,
               answer=job(J1, 'failure', 'Not enough space', 917536, error={'code': '917536', 'message': 'Not enough space'})),
    ], name='vol1', svm='svm1', size='1GiB', aggregates=['aggr1'])
    assert result['failed'] and result['changed'] is False and result['job_wait'] == {'outcome': 'failure',
                                                                                      'elapsed': 1.0, 'polls': 1}
    assert result['job']['code'] == 917536 and 'Not enough space' in result['msg']


def test_delete_of_a_mounted_volume_unmounts_first_under_one_budget(seam):
    mounted = dict(VOL, nas={'path': '/vol1'})
    result = seam.run(volume, [
        lookup(mounted),
        expect('PATCH', VOLUMES + '/v1', query={'return_timeout': 10}, body={'nas': {'path': ''}}, status=200,
               answer=accepted('j-unmount'), takes=4),
        expect('DELETE', VOLUMES + '/v1', query={'return_timeout': 6}, body=None, status=200, answer=accepted('j-delete')),
    ], name='vol1', svm='svm1', state='absent', job_timeout=10, return_timeout=10, diff=True)
    # the DELETE's 200 is the end state: no read after it (issue 13)
    assert [entry['method'] for entry in seam.seen] == ['GET', 'PATCH', 'DELETE']
    assert result['changed'] and result['volume'] is None and [job_['uuid'] for job_ in result['jobs']] == [
        'j-unmount', 'j-delete']
    assert [action['action'] for action in result['actions']] == ['unmount', 'delete']
    assert result['diff']['after'] == {} and result['diff']['before']['junction_path'] == '/vol1'


def test_check_mode_is_the_plan_and_sends_no_write(seam):
    result = seam.run(volume, [lookup(dict(VOL, nas={'path': '/vol1'}))], name='vol1', svm='svm1', state='absent',
                      check=True)
    assert result['changed'] and [w['method'] for w in result['would_send']] == ['PATCH', 'DELETE']
    assert [entry['method'] for entry in seam.seen] == ['GET']


def test_a_second_identical_run_sends_only_the_lookup(seam):
    result = seam.run(volume, [lookup(VOL)], name='vol1', svm='svm1', size='1GiB', aggregates=['aggr1'])
    assert result['changed'] is False and 'job' not in result and len(seam.seen) == 1


def test_a_lost_answer_is_verified_never_resent(seam):
    import requests  # pylint: disable=import-outside-toplevel
    result = seam.run(volume, [
        lookup(dict(VOL, comment='old')),
        expect('PATCH', VOLUMES + '/v1', body={'comment': 'new'},
               error=requests.exceptions.ReadTimeout('read timed out'), takes=180),
        lookup(dict(VOL, comment='new')),
    ], name='vol1', svm='svm1', comment='new')
    assert result['changed'] and not result.get('failed') and len([e for e in seam.seen if e['method'] == 'PATCH']) == 1


def test_a_delete_refused_after_the_unmount_says_the_unmount_happened(seam):
    refusal = {'error': {'message': 'Volume is in use by a SnapMirror relationship', 'code': '917620'}}
    result = seam.run(volume, [
        lookup(dict(VOL, nas={'path': '/vol1'})),
        expect('PATCH', VOLUMES + '/v1', body={'nas': {'path': ''}}, status=200, answer=accepted('j-unmount')),
        expect('DELETE', VOLUMES + '/v1', status=409, answer=refusal),
    ], name='vol1', svm='svm1', state='absent')
    assert result['failed'] and result['changed'] is True, result           # the volume was unmounted: say so
    assert 'unmount' in result['msg'] and 'SnapMirror' in result['msg'] and 'not deleted' in result['msg']


def test_a_refused_unmount_changes_nothing_and_sends_no_delete(seam):
    refusal = {'error': {'message': 'Junction is in use', 'code': '917777'}}
    result = seam.run(volume, [
        lookup(dict(VOL, nas={'path': '/vol1'})),
        expect('PATCH', VOLUMES + '/v1', body={'nas': {'path': ''}}, status=400, answer=refusal),
    ], name='vol1', svm='svm1', state='absent')
    assert result['failed'] and result['changed'] is False and 'not deleted' in result['msg'], result
    assert [entry['method'] for entry in seam.seen] == ['GET', 'PATCH']


# -- the fewest requests (issue 13) --------------------------------------------------------------------------------

CREATE_BODY = {'name': 'vol1', 'svm': {'name': 'svm1'}, 'size': 1073741824, 'aggregates': [{'name': 'aggr1'}]}


def created(record):
    """ONTAP's 201 to a POST with ``return_records=true``: the record beside the job."""
    return dict(accepted(J1), num_records=1, records=[record])


def test_create_answered_201_with_its_record_is_two_requests_and_returns_that_record(seam):
    full = dict(VOL, state='online', comment='', space={'used': 1}, nas={'path': '/vol1'},
                _links={'self': {'href': VOLUMES + '/v1'}})
    result = seam.run(volume, [
        lookup(),
        expect('POST', VOLUMES, query={'return_timeout': 120, 'return_records': 'true'}, status=201,
               answer=created(full), body=CREATE_BODY),
    ], name='vol1', svm='svm1', size='1GiB', aggregates=['aggr1'])
    assert result['changed'] and result['job_wait'] == {'outcome': 'success', 'elapsed': 0.0, 'polls': 0}
    assert [entry['method'] for entry in seam.seen] == ['GET', 'POST']
    # cut down to what a lookup reads, so the result is the same as after a re-read
    assert result['volume']['uuid'] == 'v1' and result['volume']['nas'] == {'path': '/vol1'}
    assert 'space' not in result['volume'] and result['volume']['state'] == 'online'


@pytest.mark.parametrize('answer', [
    dict(VOL, size=None),                                      # a field the task sets is missing from the answer
    dict(VOL, size=2147483648),                                # ... or shows another value than the task asks for
    dict(VOL, name='other'),                                   # not the object the task names
], ids=['lacks-size', 'other-size', 'other-name'])
def test_create_answered_201_with_an_incomplete_record_is_read_again(seam, answer):
    answer = dict((key, value) for key, value in answer.items() if value is not None)
    result = seam.run(volume, [
        lookup(),
        expect('POST', VOLUMES, status=201, answer=created(answer), body=CREATE_BODY),
        lookup(VOL),
    ], name='vol1', svm='svm1', size='1GiB', aggregates=['aggr1'])
    assert result['changed'] and not result.get('failed') and result['volume']['uuid'] == 'v1'
    assert [entry['method'] for entry in seam.seen] == ['GET', 'POST', 'GET']


def test_create_answered_201_without_records_is_read_again(seam):
    result = seam.run(volume, [
        lookup(),
        expect('POST', VOLUMES, status=201, answer=accepted(J1), body=CREATE_BODY),
        lookup(VOL),
    ], name='vol1', svm='svm1', size='1GiB', aggregates=['aggr1'])
    assert result['changed'] and result['volume']['uuid'] == 'v1' and len(seam.seen) == 3


def test_create_answered_202_keeps_the_bounded_re_read_even_with_records(seam):
    # F16: after a 202 the job may end before the object is visible; the 202's records are what the POST fixed only
    result = seam.run(volume, [
        lookup(),
        expect('POST', VOLUMES, status=202, answer=created(dict(uuid='v1', name='vol1')), takes=120, body=CREATE_BODY),
        expect('GET', '/api/cluster/jobs/' + J1, answer=job(J1, 'success')),
        lookup(),
        lookup(VOL),
    ], name='vol1', svm='svm1', size='1GiB', aggregates=['aggr1'])
    assert result['changed'] and result['volume']['uuid'] == 'v1', result.get('warnings')


@pytest.mark.parametrize('status, polls', [(200, []), (202, [job(J1, 'success')])])
def test_delete_that_succeeded_is_two_requests_plus_its_polls(seam, status, polls):
    result = seam.run(volume, [lookup(VOL), expect('DELETE', VOLUMES + '/v1', status=status, answer=accepted(J1))]
                      + [expect('GET', '/api/cluster/jobs/' + J1, answer=answer) for answer in polls],
                      name='vol1', svm='svm1', state='absent')
    assert result['changed'] and result['volume'] is None and result['job_wait']['outcome'] == 'success'
    assert [entry['method'] for entry in seam.seen] == ['GET', 'DELETE'] + ['GET'] * len(polls)
