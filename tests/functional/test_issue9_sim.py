# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 9, items 1-9: never touch the wrong object, never overrun the budget, one result contract, and the resource
behaviours a new user found wrong. Each test drives the real module in-process against the simulator; the
simulator's request log and its object store (``/_sim/state``, never the API under test) are the witnesses.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import time

import pytest
import requests

from urllib.parse import parse_qs

from ontap_sim import testing

from ansible_collections.ontap.rest.plugins.modules import request, snapshot, svm, volume

GiB = 1024 ** 3
MiB = 1024 ** 2
WRITES = ('POST', 'PATCH', 'DELETE')


@pytest.fixture(scope='module')
def sim():
    with testing.SimServer(job_seconds=0.3) as server:
        yield server


@pytest.fixture
def run(sim, module_main):
    """``run(module, check=False, diff=False, **args) -> result`` (the module's JSON answer)."""
    sim.reset()

    def _run(module, check=False, diff=False, **args):
        base = dict(hostname=sim.host, port=sim.port, username=sim.username, password=sim.password,
                    ca_path=sim.ca_path, validate_certs=True, poll_interval=0.2, max_poll_interval=0.5,
                    job_timeout=20.0)
        base.update(args)
        return module_main(module, base, check=check, diff=diff)
    return _run


def _return_timeout(entry):
    """The ``return_timeout`` a logged request carried (int)."""
    query = entry['query']
    query = parse_qs(query) if isinstance(query, str) else dict((key, [value]) for key, value in query.items())
    return int(query['return_timeout'][0])


def _writes(sim):
    return [entry for entry in sim.log() if entry['method'] in WRITES]


def _state(sim, kind):
    """The simulator's ground truth: every object of ``kind`` (``volumes``, ``snapshots``, ``svms``)."""
    return sim.control('GET', '/state')[kind]


def _volume(sim, name, svm_name='svm1'):
    found = [vol for vol in _state(sim, 'volumes') if vol['name'] == name and vol['svm']['name'] == svm_name]
    return found[0] if found else None


def _make_volume(run, name, **extra):
    args = dict(name=name, svm='svm1', size='1GiB', aggregates=['aggr1'])
    args.update(extra)
    result = run(volume, **args)
    assert result['changed'] and not result.get('failed'), result
    return result


# -- item 1: a name is data, never a query -------------------------------------------------------------------------

def test_item1_volume_name_with_a_wildcard_never_changes_another_volume(sim, run):
    _make_volume(run, 'data1', comment='keep')
    sim.clear_log()
    result = run(volume, name='data*', svm='svm1', size='2GiB', aggregates=['aggr1'], comment='overwritten')
    assert result['failed'] and "'*'" in result['msg'] and result['msg'].startswith('name:'), result
    assert _writes(sim) == [] and [e for e in sim.log() if e['path'] == '/api/storage/volumes'] == []
    data1 = _volume(sim, 'data1')
    assert data1['comment'] == 'keep' and data1['size'] == GiB


def test_item1_snapshot_named_star_absent_deletes_no_snapshot(sim, run):
    _make_volume(run, 'data1')
    assert run(snapshot, svm='svm1', volume='data1', name='nightly_keep')['changed']
    sim.clear_log()
    result = run(snapshot, svm='svm1', volume='data1', name='*', state='absent')
    assert result['failed'] and 'name' in result['msg'] and sim.log() == [], result
    assert [snap['name'] for snap in _state(sim, 'snapshots')] == ['nightly_keep']


@pytest.mark.parametrize('check', [False, True])
def test_item1_negated_volume_name_absent_deletes_nothing_and_plans_nothing(sim, run, check):
    _make_volume(run, 'data1')
    sim.clear_log()
    result = run(volume, name='!svm1_root', svm='svm1', state='absent', check=check)
    assert result['failed'] and "'!'" in result['msg'] and not result.get('would_send'), result
    assert sim.log() == [] and _volume(sim, 'data1') is not None


def _name_filters(sim):
    """The ``name`` filter values the logged requests carried (a name matched on this side never shows here)."""
    found = []
    for entry in sim.log():
        query = entry['query']
        query = parse_qs(query) if isinstance(query, str) else dict((key, [value]) for key, value in query.items())
        found.extend(query.get('name', []))
    return found


def test_item1_a_volume_named_null_is_found_again_and_never_sent_as_the_keyword(sim, run):
    # As a filter, name=null would match "field not set": the volume would be created, then never found again.
    sim.clear_log()
    result = run(volume, name='null', svm='svm1', size='100MiB', aggregates=['aggr1'])
    assert result['changed'] and not result.get('failed'), result
    again = run(volume, name='null', svm='svm1', size='100MiB', aggregates=['aggr1'])
    assert not again['changed'] and not again.get('failed'), again
    gone = run(volume, name='null', svm='svm1', state='absent')
    assert gone['changed'] and _volume(sim, 'null') is None, gone
    assert 'null' not in _name_filters(sim) and _volume(sim, 'svm1_root') is not None


@pytest.mark.parametrize('check', [False, True])
def test_item1_a_snapshot_name_holding_a_range_is_data_and_touches_no_other_snapshot(sim, run, check):
    # ONTAP accepts 'a..c' as a snapshot name; as a filter value it reads it as the range a..c, which holds 'b'.
    _make_volume(run, 'data1')
    assert run(snapshot, svm='svm1', volume='data1', name='b')['changed']
    sim.clear_log()
    made = run(snapshot, svm='svm1', volume='data1', name='a..c', check=check)
    assert made['changed'] and not made.get('failed'), made
    names = sorted(snap['name'] for snap in _state(sim, 'snapshots'))
    assert names == (['b'] if check else ['a..c', 'b'])
    if check:
        assert _writes(sim) == []
        return
    assert not run(snapshot, svm='svm1', volume='data1', name='a..c')['changed']
    gone = run(snapshot, svm='svm1', volume='data1', name='a..c', state='absent')
    assert gone['changed'] and [snap['name'] for snap in _state(sim, 'snapshots')] == ['b'], gone
    assert not run(snapshot, svm='svm1', volume='data1', name='a..c', state='absent')['changed']
    assert 'a..c' not in _name_filters(sim) and 'data1' in _name_filters(sim)     # the volume is still looked up by name


def test_item1_alternation_in_a_name_is_refused_before_anything_is_sent(sim, run):
    sim.clear_log()
    result = run(volume, name='a|b', svm='svm1', size='100MiB', aggregates=['aggr1'])
    assert result['failed'] and "'|'" in result['msg'] and sim.log() == [], result
    assert _volume(sim, 'a|b') is None


@pytest.mark.parametrize('option, value', [('svm', 'svm*'), ('volume', 'data<2'), ('from_name', 'data|9')])
def test_item1_parent_and_rename_values_are_matched_exactly_too(sim, run, option, value):
    args = dict(svm='svm1', volume='data1', name='s1')
    args[option] = value
    sim.clear_log()
    result = run(snapshot, **args)
    assert result['failed'] and result['msg'].startswith(option + ':') and sim.log() == [], result


# -- item 2: job_timeout is the budget of the whole task ----------------------------------------------------------

def test_item2_return_timeout_never_exceeds_what_is_left_of_job_timeout(sim, run):
    sim.hold_jobs('POST', '/api/storage/volumes')          # the job runs until released: no race with the clock
    sim.clear_log()
    started = time.monotonic()
    result = run(volume, name='budget2', svm='svm1', size='100MiB', aggregates=['aggr1'], job_timeout=3)
    took = time.monotonic() - started
    posts = [e for e in sim.log() if e['method'] == 'POST']
    assert _return_timeout(posts[0]) in (2, 3), posts  # not the default 120: what the lookup left of 3 s, rounded down
    assert result['failed'] and result['job_wait']['outcome'] == 'timed_out' and result['changed'], result
    assert result['job']['uuid'] and result['job']['state'] == 'running'
    # ONTAP would have held a return_timeout=120 request for 120 s; the task ends at its 3 s budget (+ round trips).
    assert took < 3 + 15, took
    sim.release()


def test_item2_a_budget_below_one_second_sends_return_timeout_zero(sim, run):
    sim.hold_jobs('POST', '/api/storage/volumes')
    sim.clear_log()
    result = run(volume, name='budget2b', svm='svm1', size='100MiB', aggregates=['aggr1'], job_timeout=0.5)
    posts = [e for e in sim.log() if e['method'] == 'POST']
    assert _return_timeout(posts[0]) == 0, posts
    assert result['job_wait']['outcome'] == 'timed_out', result
    sim.release()


# -- item 3: one result contract, whatever the timing --------------------------------------------------------------

CONTRACT_JOB_KEYS = ('uuid', 'state', 'message', 'code')


@pytest.mark.parametrize('return_timeout', [10, 0], ids=['failure_within_return_timeout', 'failure_after_202'])
def test_item3_a_failed_job_reports_job_and_job_wait_the_same_way_whatever_the_timing(sim, run, return_timeout):
    sim.set_job('POST', '/api/storage/volumes', seconds=0.3, outcome='failure', code=917536, message='Not enough space')
    result = run(volume, name='fail3', svm='svm1', size='100MiB', aggregates=['aggr1'], return_timeout=return_timeout)
    assert result['failed'] and result['changed'] is False, result
    assert result['job_wait']['outcome'] == 'failure' and 'elapsed' in result['job_wait'] and 'polls' in result['job_wait']
    job = result['job']
    assert all(key in job for key in CONTRACT_JOB_KEYS), job
    assert job['state'] == 'failure' and job['code'] == 917536 and job['message'] == 'Not enough space', job
    assert job['error']['code'] == '917536'
    assert 'status_code' not in result and 'Not enough space' in result['msg']


def test_item3_a_fast_success_reports_the_job_state(sim, run):
    result = run(volume, name='ok3', svm='svm1', size='100MiB', aggregates=['aggr1'], return_timeout=10)
    assert result['changed'] and result['job']['state'] == 'success' and result['job']['uuid'], result
    assert result['job_wait']['outcome'] == 'success' and result['job_wait']['polls'] == 0


def test_item3_request_module_failure_within_return_timeout_has_job_wait(sim, run):
    sim.set_job('POST', '/api/storage/volumes', seconds=0.2, outcome='failure', code=917536, message='No space')
    result = run(request, method='POST', path='storage/volumes', return_timeout=10,
                 body={'name': 'req3', 'svm': {'name': 'svm1'}, 'size': 100 * MiB, 'aggregates': [{'name': 'aggr1'}]})
    assert result['failed'] and result['job_wait']['outcome'] == 'failure', result
    assert result['job']['state'] == 'failure' and result['job']['code'] == 917536


# -- item 4: junction_path "" converges ----------------------------------------------------------------------------

def test_item4_unmount_with_an_empty_junction_path_converges(sim, run):
    _make_volume(run, 'mnt4', junction_path='/mnt4')
    first = run(volume, name='mnt4', svm='svm1', junction_path='')
    assert first['changed'] and not first.get('failed'), first
    sim.clear_log()
    second = run(volume, name='mnt4', svm='svm1', junction_path='')
    assert second['changed'] is False and not second.get('failed') and _writes(sim) == [], second
    created = run(volume, name='unmounted4', svm='svm1', size='100MiB', aggregates=['aggr1'], junction_path='')
    assert created['changed'] and not created.get('failed'), created
    assert run(volume, name='unmounted4', svm='svm1', junction_path='')['changed'] is False


# -- item 5: absent on a mounted volume unmounts it first -----------------------------------------------------------

def test_item5_absent_on_a_mounted_volume_unmounts_then_deletes(sim, run):
    _make_volume(run, 'mnt5', junction_path='/mnt5')
    planned = run(volume, name='mnt5', svm='svm1', state='absent', check=True)
    assert planned['changed'] and [(w['method'], w['body']) for w in planned['would_send']] == [
        ('PATCH', {'nas': {'path': ''}}), ('DELETE', None)], planned
    sim.clear_log()
    result = run(volume, name='mnt5', svm='svm1', state='absent')
    assert result['changed'] and not result.get('failed'), result
    writes = [(e['method'], e['status']) for e in _writes(sim)]
    assert [method for method, dummy in writes] == ['PATCH', 'DELETE'], writes
    assert _volume(sim, 'mnt5') is None


# -- item 6: create-only options that differ are reported -----------------------------------------------------------

def test_item6_a_different_create_only_aggregate_is_reported_not_ignored(sim, run):
    _make_volume(run, 'agg6')
    sim.clear_log()
    result = run(volume, name='agg6', svm='svm1', size='1GiB', aggregates=['aggr2'])
    assert result['changed'] is False and not result.get('failed') and _writes(sim) == [], result
    warning = json.dumps(result.get('warnings', []))
    assert 'aggregates' in warning and 'aggr1' in warning and 'aggr2' in warning and 'volume move' in warning, result


def test_item6_a_different_create_only_ipspace_is_reported_not_ignored(sim, run):
    assert run(svm, name='svm6', ipspace='Default')['changed']
    result = run(svm, name='svm6', ipspace='ips_other')
    warning = json.dumps(result.get('warnings', []))
    assert result['changed'] is False and 'ipspace' in warning and 'Default' in warning and 'ips_other' in warning


# -- item 7: required-at-create options are enforced ----------------------------------------------------------------

@pytest.mark.parametrize('check', [False, True])
def test_item7_creating_a_volume_without_size_is_a_clear_error(sim, run, check):
    sim.clear_log()
    result = run(volume, name='nosize7', svm='svm1', aggregates=['aggr1'], check=check)
    assert result['failed'] and result['msg'].startswith('size is required to create volume'), result
    assert _writes(sim) == [] and not result.get('would_send')


# -- item 8: diff before a delete and before a restore, gated on diff mode ---------------------------------------

@pytest.mark.parametrize('check', [False, True])
def test_item8_delete_diff_shows_the_object_before(sim, run, check):
    _make_volume(run, 'del8', comment='before')
    result = run(volume, name='del8', svm='svm1', state='absent', diff=True, check=check)
    assert result['changed'] and result['diff']['after'] == {}, result
    before = result['diff']['before']
    assert before['name'] == 'del8' and before['svm.name'] == 'svm1' and before['size'] == GiB and before['comment'] == 'before'


def test_item8_no_diff_outside_diff_mode(sim, run):
    _make_volume(run, 'nodiff8')
    assert 'diff' not in run(volume, name='nodiff8', svm='svm1', comment='x')
    assert 'diff' in run(volume, name='nodiff8', svm='svm1', comment='y', diff=True)


def test_item8_restore_diff_lists_the_snapshots_it_destroys_in_check_mode_too(sim, run):
    _make_volume(run, 'rst8')
    for name in ('s1', 's2', 's3'):
        assert run(snapshot, svm='svm1', volume='rst8', name=name)['changed']
        sim.advance_clock(2)      # ONTAP's create_time has whole seconds: distinct times make the plan exact
    sim.clear_log()
    planned = run(snapshot, svm='svm1', volume='rst8', name='s1', restore=True, check=True, diff=True)
    assert planned['changed'] and planned['snapshots_destroyed'] == ['s2', 's3'], planned
    assert planned['diff']['before']['snapshots'] == ['s1', 's2', 's3']
    assert planned['diff']['after'] == {'snapshots': ['s1'], 'restored_to': 's1'}
    assert _writes(sim) == [] and len(_state(sim, 'snapshots')) == 3
    done = run(snapshot, svm='svm1', volume='rst8', name='s1', restore=True)
    assert done['changed'] and done['snapshots_destroyed'] == ['s2', 's3'], done
    assert [snap['name'] for snap in _state(sim, 'snapshots')] == ['s1']


def test_item8_restore_reports_what_is_actually_destroyed_when_creation_times_tie(sim, run):
    _make_volume(run, 'tie8')
    for name in ('t1', 't2'):
        assert run(snapshot, svm='svm1', volume='tie8', name=name)['changed']
    names = [snap['name'] for snap in _state(sim, 'snapshots')]
    done = run(snapshot, svm='svm1', volume='tie8', name='t1', restore=True, diff=True)
    gone = sorted(set(names) - set(snap['name'] for snap in _state(sim, 'snapshots')))
    assert done['changed'] and done['snapshots_destroyed'] == gone, (done, gone)
    assert done['diff']['after']['snapshots'] == sorted(snap['name'] for snap in _state(sim, 'snapshots'))


# -- item 9: resize guards --------------------------------------------------------------------------------------------

def _grow_behind_the_task(sim, name, size):
    """An autosize-like growth, sent straight to the simulator's API (not through the module under test)."""
    uuid = _volume(sim, name)['uuid']
    answer = requests.patch('%s/api/storage/volumes/%s' % (sim.url, uuid), json={'size': size},
                            params={'return_timeout': 10}, auth=(sim.username, sim.password), verify=sim.ca_path)
    assert answer.status_code in (200, 202), answer.text
    sim.wait_until_idle()


def test_item9_growth_within_size_change_threshold_is_not_undone(sim, run):
    _make_volume(run, 'grow9')
    _grow_behind_the_task(sim, 'grow9', GiB + 50 * MiB)              # +4.9 %
    sim.clear_log()
    result = run(volume, name='grow9', svm='svm1', size='1GiB')
    assert result['changed'] is False and not result.get('failed') and _writes(sim) == [], result
    zero = run(volume, name='grow9', svm='svm1', size='1GiB', size_change_threshold=0, allow_shrink=True)
    assert zero['changed'] and _volume(sim, 'grow9')['size'] == GiB, zero


def test_item9_shrinking_needs_allow_shrink(sim, run):
    _make_volume(run, 'shrink9', comment='same')
    sim.clear_log()
    refused = run(volume, name='shrink9', svm='svm1', size='512MiB')
    assert refused['failed'] and 'allow_shrink' in refused['msg'] and _writes(sim) == [], refused
    assert _volume(sim, 'shrink9')['size'] == GiB
    done = run(volume, name='shrink9', svm='svm1', size='512MiB', comment='same', allow_shrink=True, diff=True)
    assert done['changed'] and done['diff'] == {'before': {'size': GiB}, 'after': {'size': 512 * MiB}}, done
    assert _volume(sim, 'shrink9')['size'] == 512 * MiB


# -- F07 (found by a new user): a lost answer whose job failed -----------------------------------------------------

def test_F07_lost_answer_of_a_create_whose_job_failed_names_the_job_and_nothing_changed(sim, run):
    sim.set_job('POST', '/api/storage/volumes', seconds=0.5, outcome='failure', code=917536, message='Not enough space')
    sim.add_fault('ambiguous', method='POST', path='/api/storage/volumes', count=1, response='drop')
    started = time.monotonic()
    result = run(volume, name='amb7', svm='svm1', size='100MiB', aggregates=['aggr1'], return_timeout=0, job_timeout=60)
    assert result['failed'] and result['changed'] is False, result
    assert result['job']['state'] == 'failure' and result['job']['code'] == 917536 and 'Not enough space' in result['msg']
    assert result['job_wait']['outcome'] == 'failure' and _volume(sim, 'amb7') is None
    assert len([e for e in sim.log() if e['method'] == 'POST']) == 1              # never resent
    assert time.monotonic() - started < 30                                         # not a wait to the 60 s budget
