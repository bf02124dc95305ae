# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A write that the next write of the task depends on is waited for, whatever ``wait_for_completion`` says.

A mounted volume's delete is two writes: the unmount (``PATCH nas.path ""``, its own job) and the DELETE, which ONTAP
refuses while the volume is mounted. With ``wait_for_completion: false`` the engine used to send the DELETE right
after a not-waited unmount: ONTAP refused it, the task said the unmount "had been carried out" (it was still running)
and the unmount's job was lost. Witnesses: the simulator's request log and object store (``/_sim``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import time

import pytest

from ontap_sim import testing

from ansible_collections.ontap.rest.plugins.modules import volume


@pytest.fixture(scope='module')
def sim():
    with testing.SimServer(job_seconds=0.3) as server:
        yield server


@pytest.fixture
def run(sim, module_main, connection_args):
    sim.reset()

    def _run(**args):
        base = connection_args(sim, poll_interval=0.2, max_poll_interval=0.5, job_timeout=20.0, svm='svm1')
        base.update(args)
        return module_main(volume, base)
    return _run


def _volume(sim, name):
    found = [vol for vol in sim.control('GET', '/state')['volumes'] if vol['name'] == name]
    return found[0] if found else None


def _writes(sim):
    return [(entry['method'], entry['status']) for entry in sim.log() if entry['method'] in ('POST', 'PATCH', 'DELETE')]


def _mounted(run, name):
    made = run(name=name, size='100MiB', aggregates=['aggr1'], junction_path='/' + name)
    assert made['changed'] and not made.get('failed'), made


def test_no_wait_delete_of_a_mounted_volume_waits_for_the_unmount_then_sends_the_delete(sim, run):
    _mounted(run, 'nw1')
    sim.clear_log()
    result = run(name='nw1', state='absent', wait_for_completion=False)
    assert result['changed'] and not result.get('failed'), result
    assert [method for method, dummy in _writes(sim)] == ['PATCH', 'DELETE'], _writes(sim)
    assert [action['action'] for action in result['actions']] == ['unmount', 'delete'], result
    # Both jobs are reported: the unmount's as it ended, the delete's (not waited for) to resume with ontap.rest.job.
    assert len(result['jobs']) == 2 and result['jobs'][0]['state'] == 'success', result
    assert result['job']['uuid'] == result['jobs'][1]['uuid'], result
    deadline = time.monotonic() + 10
    while _volume(sim, 'nw1') is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _volume(sim, 'nw1') is None


def test_no_wait_delete_whose_unmount_is_still_running_at_job_timeout_sends_nothing_more(sim, run):
    _mounted(run, 'nw2')
    sim.hold_jobs('PATCH', '/api/storage/volumes/*')
    sim.clear_log()
    try:
        result = run(name='nw2', state='absent', wait_for_completion=False, job_timeout=2.0)
    finally:
        sim.release()
    assert result.get('failed') and result['changed'], result
    assert [method for method, dummy in _writes(sim)] == ['PATCH'], _writes(sim)
    assert 'unmount' in result['msg'] and 'job_timeout' in result['msg'] and 'nothing more was sent' in result['msg'], \
        result['msg']
    assert result['job']['uuid'] and result['job_wait']['outcome'] == 'timed_out', result
    assert _volume(sim, 'nw2') is not None


def test_a_failed_delete_after_the_unmount_says_the_volume_was_unmounted_changed_true(sim, run):
    # The DELETE's job fails after the unmount was carried out: the volume is no longer mounted (its NFS clients lost
    # the path), so the task is changed and says so; never "failed, nothing changed".
    _mounted(run, 'nw3')
    sim.set_job('DELETE', '/api/storage/volumes/*', outcome='failure', code=917505,
                message='volume busy with clones', count=1)
    result = run(name='nw3', state='absent')
    assert result.get('failed') and result['changed'] is True, result
    assert 'unmount' in result['msg'] and 'not undone' in result['msg'] and 'busy with clones' in result['msg'], \
        result['msg']
    left = _volume(sim, 'nw3')
    assert left is not None and not (left.get('nas') or {}).get('path'), left


def test_no_wait_write_whose_answer_is_lost_returns_the_job_it_started_at_once(sim, run):
    # F03 with F07: wait_for_completion false and a 500 after ONTAP started the job. The task looks once (the
    # resource, the jobs), returns the job it finds as not waited for, and never blocks on verification.
    made = run(name='nw4', size='100MiB', aggregates=['aggr1'])
    assert made['changed'], made
    sim.hold_jobs('PATCH', '/api/storage/volumes/*')
    sim.add_fault('ambiguous', method='PATCH', path='/api/storage/volumes/*', response=500, count=1)
    sim.clear_log()
    started = time.monotonic()
    try:
        result = run(name='nw4', comment='nw', wait_for_completion=False, job_timeout=30.0)
    finally:
        took = time.monotonic() - started
        held = sim.held_jobs()
        sim.release()
        sim.clear_faults()
    assert not result.get('failed') and result['changed'] is True, result
    assert result['job_wait']['outcome'] == 'not_waited' and result['job']['uuid'] == held[0]['uuid'], result
    assert took < 10 and [m for m, dummy in _writes(sim)] == ['PATCH'], (took, _writes(sim))
    assert 'not waited for' in json.dumps(result.get('warnings', [])), result
