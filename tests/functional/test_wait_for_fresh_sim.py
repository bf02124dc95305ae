# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""D2: ``ontap.rest.wait_for`` and the previous operation's stale terminal state (ONTAP_LONG_OPERATIONS "Stale-state
trap", SM-04), against the simulator's volume move.

The move is held in ``replicating`` by a ``process_stall`` fault (until released through the control API) and its
first read after the PATCH shows the last move's ``success`` (``stale_terminal`` fault). The module runs in-process;
the simulator's process view and request log are the witnesses. Nothing waits on a timer: the one release happens
when the request log shows the module has read the volume twice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import threading
import time

import pytest

from ontap_sim import testing

from ansible_collections.ontap.rest.plugins.modules import wait_for as wait_for_module


@pytest.fixture(scope='module')
def sim():
    with testing.SimServer(job_seconds=0.3) as server:
        yield server


@pytest.fixture
def run(sim, module_main, connection_args):
    """``run(**args) -> result dict`` of one in-process ``ontap.rest.wait_for`` run."""
    def run_module(**args):
        base = connection_args(sim, poll_interval=0.05, max_poll_interval=0.2, job_timeout=30.0)
        base.update(args)
        return module_main(wait_for_module, base)
    return run_module


def create_volume(api, name):
    answer = api('POST', 'storage/volumes', params={'return_timeout': 30, 'return_records': 'true'},
                 json={'name': name, 'svm': {'name': 'svm1'}, 'aggregates': [{'name': 'aggr1'}], 'size': 104857600})
    assert answer.status_code == 201, answer.text
    return answer.json()['records'][0]['uuid']


def start_held_move(sim, api, vol_uuid, stale_reads=1):
    """Start moving the volume to aggr2, held in ``replicating`` until released, its first ``stale_reads`` reads
    showing the last move's success. Returns (the time just before the PATCH, the move process's uuid)."""
    sim.set_process('move', phases={'queued': 0.1, 'cutover_pending': 0.1, 'cutover': 0.1}, count=1)
    sim.add_fault('process_stall', process='move', phase='replicating', seconds=0, count=1)
    sim.add_fault('stale_terminal', process='move', reads=stale_reads, count=1)
    before = datetime.datetime.now(datetime.timezone.utc).isoformat()
    answer = api('PATCH', 'storage/volumes/%s' % vol_uuid, params={'return_timeout': 10},
                 json={'movement': {'destination_aggregate': {'name': 'aggr2'}}})
    assert answer.status_code == 200, answer.text          # job mode accept: the job ends, the move runs on
    moves = [p for p in sim.processes() if p['target'] == 'volume/' + vol_uuid and not p['outcome']]
    assert len(moves) == 1, sim.processes()
    return before, moves[0]['uuid']


def move_state(sim, process_uuid):
    return [p for p in sim.processes() if p['uuid'] == process_uuid][0]


def test_d2_stale_success_of_the_last_move_does_not_end_the_wait(sim, api, run):
    vol_uuid = create_volume(api, 'fresh_mv1')
    path = 'storage/volumes/%s' % vol_uuid
    before, process_uuid = start_held_move(sim, api, vol_uuid)
    sim.clear_log()
    done = threading.Event()

    def release_after_two_reads():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not done.is_set():
            # Released once the task has read twice (the stale read, then a fresh one) and the move sits in its
            # stalled phase; an assert here would die in this thread and leave the move stalled.
            reads = len([e for e in sim.log() if e['method'] == 'GET' and e['path'] == '/api/' + path])
            if reads >= 2 and move_state(sim, process_uuid)['state'] == 'replicating':
                sim.process_action(process_uuid, 'release')
                return
            time.sleep(0.01)
    releaser = threading.Thread(target=release_after_two_reads)
    releaser.start()
    try:
        result = run(path=path, field='movement.state', values=['success'], failure_values=['failed', 'aborted'],
                     fresh=dict(field='movement.start_time', after=before))
    finally:
        done.set()
        releaser.join()
    assert not result.get('failed') and result['changed'] is False, result
    assert result['value'] == 'success' and result['wait']['outcome'] == 'reached', result
    assert result['wait']['fresh'] is True and result['wait']['stale_reads'] == 1, result
    assert '1 stale read ignored' in result['msg'], result
    reads = [e for e in sim.log() if e['method'] == 'GET' and e['path'] == '/api/' + path]
    assert len(reads) >= 3 and 'movement.start_time' in reads[0]['query'], reads
    # what the task said is true: this move has ended, and the volume is on the destination
    assert move_state(sim, process_uuid)['outcome'] == 'success'
    volume = api('GET', path, params={'fields': 'aggregates.name,movement'}).json()
    assert volume['aggregates'][0]['name'] == 'aggr2', volume
    assert volume['movement']['start_time'] == result['resource']['movement']['start_time']


def test_d2_timeout_on_stale_reads_says_the_last_value_was_stale_and_why(sim, api, run):
    vol_uuid = create_volume(api, 'fresh_mv2')
    path = 'storage/volumes/%s' % vol_uuid
    before, process_uuid = start_held_move(sim, api, vol_uuid, stale_reads=1000)
    try:
        result = run(path=path, field='movement.state', values=['success'], failure_values=['failed', 'aborted'],
                     fresh=dict(field='movement.start_time', after=before), job_timeout=1.0)
        assert result['failed'] and result['wait']['outcome'] == 'timed_out', result
        assert result['value'] == 'success' and result['wait']['fresh'] is False, result
        assert result['wait']['stale_reads'] == result['wait']['polls'] >= 2, result
        assert "last seen: movement.state='success', a stale read: movement.start_time=" in result['msg'], result
        assert 'is before' in result['msg'] and 'reads were stale' in result['msg'], result
        assert move_state(sim, process_uuid)['state'] == 'replicating'      # the move was indeed still running
    finally:
        sim.process_action(process_uuid, 'abort')


def test_d2_changed_from_guard_on_the_last_moves_start_time(sim, api, run):
    """``changed_from`` needs no clock: the start_time read before the request must change."""
    vol_uuid = create_volume(api, 'fresh_mv3')
    path = 'storage/volumes/%s' % vol_uuid
    dummy, process_uuid = start_held_move(sim, api, vol_uuid, stale_reads=1000)
    try:
        stale = api('GET', path, params={'fields': 'movement'}).json()['movement']
        assert stale['state'] == 'success'
        result = run(path=path, field='movement.state', values=['success'], job_timeout=0.5,
                     fresh=dict(field='movement.start_time', changed_from=stale['start_time']))
        assert result['failed'] and result['wait']['fresh'] is False, result
        assert 'the value before the request' in result['msg'], result
    finally:
        sim.process_action(process_uuid, 'abort')


@pytest.mark.parametrize('fresh, option', [
    (dict(field='movement.start_time', after='yesterday at noon'), 'fresh.after'),
    (dict(field='movement.start_time', after=True), 'fresh.after'),
    (dict(field='movement..start_time', after='2026-12-02T01:02:03Z'), 'fresh.field'),
    (dict(field='movement.start_time', after='2026-12-02T01:02:03Z', changed_from='x'), 'mutually exclusive'),
    (dict(field='movement.start_time'), 'one of the following is required'),
])
def test_bad_fresh_options_are_errors_naming_the_option_before_any_read(sim, api, run, fresh, option):
    sim.clear_log()
    result = run(path='storage/volumes', query={'name': 'x'}, field='movement.state', values=['success'], fresh=fresh)
    assert result['failed'] and option in result['msg'] and 'Traceback' not in result['msg'], result
    assert sim.log() == [], sim.log()


def test_a_fresh_field_refused_by_ontap_is_named_as_the_fresh_field(sim, api, run, monkeypatch):
    # ONTAP before 9.9 has no movement.start_time; a refused fields= name ends the wait at the first read
    from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError
    from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule

    def refuse(self, path, query=None):
        assert query['fields'] == 'movement.state,movement.start_time'
        raise OntapApiError(400, code='262197', message='Unexpected argument "movement.start_time".',
                            target='movement.start_time', url=sim.url + '/api/x')
    monkeypatch.setattr(OntapModule, 'read', refuse)
    result = run(path='storage/volumes/x', field='movement.state', values=['success'],
                 fresh=dict(field='movement.start_time', after='2026-12-02T01:02:03Z'))
    assert result['failed'] and "The fresh.field 'movement.start_time' does not exist" in result['msg'], result
    assert result['status_code'] == 400 and result['error']['code'] == '262197', result
