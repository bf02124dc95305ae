# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One budget (new-user findings D4, D5): ``job_timeout`` bounds the whole task - GET retries honouring a long
``Retry-After``, slow answers - and a query-based write cut short by it returns its resume point (``next``).

The real modules run in-process against the simulator; jobs are held through its control API (no race with the
clock), and the wall time of each task is measured against ``job_timeout``: the bounds are generous (3 s over
``job_timeout: 5``) yet far below what the task took before (30 s and more).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

import pytest

from ontap_sim import testing

from ansible_collections.ontap.rest.plugins.modules import request, volume

JOB_TIMEOUT = 5
#: Seconds over job_timeout a task may take here (one round trip of grace plus the module's own start, generously).
SLACK = 3


@pytest.fixture(scope='module')
def sim():
    with testing.SimServer(job_seconds=0.3) as server:
        yield server


@pytest.fixture
def run(sim, module_main, connection_args):
    """``run(module, **args) -> (result, seconds the task took)``."""
    sim.reset()

    def _run(module, **args):
        base = connection_args(sim, poll_interval=1, job_timeout=JOB_TIMEOUT)
        base.update(args)
        started = time.monotonic()
        result = module_main(module, base)
        return result, time.monotonic() - started
    return _run


def _volume(name):
    return dict(name=name, svm='svm1', size='100MiB', aggregates=['aggr1'])


def test_d4a_a_lookup_answered_503_retry_after_30_fails_at_once_naming_job_timeout(sim, run):
    sim.add_fault('busy', method='GET', path='/api/storage/volumes', status=503, retry_after=30, count=3)
    sim.clear_log()
    result, took = run(volume, **_volume('d4a'))
    assert took < JOB_TIMEOUT + SLACK, took                 # before: 3 retries x 30 s, 90 s and more
    assert result['failed'] and result['changed'] is False, result
    assert 'HTTP 503' in result['msg'] and 'Retry-After 30 s' in result['msg'], result['msg']
    assert 'would end after job_timeout (5 s' in result['msg'], result['msg']
    log = sim.log()
    assert [entry['method'] for entry in log] == ['GET'], log            # one lookup, not retried; nothing written


def test_d4b_a_slow_job_poll_is_cut_at_job_timeout_and_the_write_is_not_said_to_have_done_nothing(sim, run):
    sim.hold_jobs('POST', '/api/storage/volumes')           # the job runs until released
    sim.add_fault('slow', method='GET', path='/api/cluster/jobs/*', seconds=30)
    sim.clear_log()
    result, took = run(volume, **_volume('d4b'))
    assert took < JOB_TIMEOUT + SLACK, took                 # before: the poll's 30 s answer, 35 s and more
    assert result['failed'] and result['changed'] is True, result        # ONTAP accepted the create
    assert result['job_wait']['outcome'] in ('unreadable', 'timed_out'), result
    assert result['job']['uuid'] == sim.held_jobs()[0]['uuid'], result
    assert 'job_timeout (5 s)' in result['msg'] and 'read timeout' in result['msg'], result['msg']
    assert [entry['method'] for entry in sim.log()].count('POST') == 1
    sim.release()


def test_d5_a_query_patch_cut_by_job_timeout_returns_next_and_what_is_known(sim, api, run):
    for index in range(1, 5):
        answer = api('POST', 'storage/volumes', params={'return_timeout': 30},
                     json={'name': 'qp%d' % index, 'svm': {'name': 'svm1'}, 'aggregates': [{'name': 'aggr1'}],
                           'size': 104857600})
        assert answer.status_code == 201, answer.text
    sim.hold_jobs('PATCH', '/api/storage/volumes/*', count=1)   # the first record's job runs past job_timeout
    result, took = run(request, method='PATCH', path='storage/volumes', query={'name': 'qp*', 'svm.name': 'svm1'},
                       body={'comment': 'bulk'})
    assert took < JOB_TIMEOUT + SLACK, took
    assert result['failed'] and result['changed'] is True and result['job_wait']['outcome'] == 'timed_out', result
    assert 'start.uuid=' in result['next'] and result['next'].startswith('/api/storage/volumes?'), result
    assert result['next'] in result['msg'] and 'Of 1 job: 1 timed_out' in result['msg'], result['msg']
    held = sim.held_jobs()
    assert result['job']['uuid'] == held[0]['uuid'] and len(held) == 1, (result, held)
    sim.release()
    # the resume point works: once the job has ended, the same PATCH from `next` changes the rest
    deadline = time.monotonic() + 30
    while api('GET', 'cluster/jobs/%s' % held[0]['uuid'], params={'fields': 'state'}).json()['state'] != 'success':
        assert time.monotonic() < deadline
        time.sleep(0.05)
    resumed, _took = run(request, method='PATCH', path=result['next'], body={'comment': 'bulk'}, job_timeout=60)
    assert not resumed.get('failed') and resumed['changed'], resumed
    comments = dict((record['name'], record.get('comment')) for record in api(
        'GET', 'storage/volumes', params={'name': 'qp*', 'fields': 'comment'}).json()['records'])
    assert comments == dict(('qp%d' % index, 'bulk') for index in range(1, 5)), comments
