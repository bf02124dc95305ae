# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource base: busy resends, cut-off lookups (F19), parents, rename, order-insensitive compare (F27)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.ontap.rest.plugins.module_utils import errors as errors_mod
from ansible_collections.ontap.rest.plugins.module_utils import resource as resource_mod
from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError, OntapError, OntapTransportError
from ansible_collections.ontap.rest.plugins.module_utils.job_poller import Budget, JobWaitResult
from ansible_collections.ontap.rest.plugins.module_utils.resource import REREAD_PAUSES, Field, Resource, ResourceSpec, normalise


class Exited(Exception):
    def __init__(self, kind, result):
        super(Exited, self).__init__(kind)
        self.kind = kind
        self.result = result


class FakeOntap(object):
    """Records writes; ``answers`` is a list of exceptions or (response, wait_result) returned in turn."""

    def __init__(self, params, records=None, answers=None, check_mode=False):
        self.params = dict(state='present', job_timeout=60.0, from_name=None)
        self.params.update(params)
        self.records = records if records is not None else {}
        self.answers = list(answers or [])
        self.check_mode = check_mode
        self.diff_mode = True
        self.waited = []
        self.wait_outcome = None
        self.writes = []
        self.reads = []
        self.warnings = []
        self.now = 0.0
        self.sleeps = []
        self.job_timeouts = []
        self.wait_overrides = []
        #: simulated seconds a write takes (the job poller's share of the budget)
        self.write_seconds = 0.0
        self._budget = None

    def clock(self):
        return self.now

    def budget(self):
        """The task's one budget, as the runner's: ``job_timeout`` from the first call."""
        if self._budget is None:
            self._budget = Budget(self.params['job_timeout'], self.clock)
        return self._budget

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def read_records(self, path, query=None, retry=True):
        self.reads.append((path, dict(query or {})))
        value = self.records.get(path, [])
        if callable(value):
            return value(query)
        if isinstance(value, Exception):
            raise value
        return [r for r in value if all(r.get(k) == v for k, v in (query or {}).items() if k in ('name',))]

    def write(self, method, path, query=None, body=None, wait=None, budget=None):
        self.writes.append((method, path, body))
        self.wait_overrides.append(wait)
        self.job_timeouts.append(self.params['job_timeout'] if budget is None else budget.remaining())
        self.now += self.write_seconds
        if self.check_mode:
            return None, None
        answer = self.answers.pop(0) if self.answers else (None, _success())
        if isinstance(answer, tuple):
            return answer
        raise answer  # pylint: disable=raising-bad-type  # a tuple was returned above; only exceptions reach here

    def wait_for_jobs(self, jobs, started_at=None):
        self.waited.append([job['uuid'] for job in jobs])
        return self.wait_outcome or JobWaitResult('success', [dict(jobs[0], state='success')], 0.5, 1, 'ok')


def _success():
    return JobWaitResult('success', [{'uuid': 'j1', 'state': 'success'}], 0.1, 0, 'ok')


def _failure(code):
    job = {'uuid': 'j2', 'state': 'failure', 'code': int(code), 'error': {'code': str(code), 'message': 'busy'}}
    return JobWaitResult('failure', [job], 0.1, 1, 'job j2 failed: busy (code %s)' % code)


SPEC = ResourceSpec(
    name='thing',
    collection='things',
    keys={'name': 'name'},
    fields=[Field('comment', 'comment'), Field('tags', 'tags')],
    create_body=lambda params: {'name': params['name']},
    rename='name',
)


def _busy(status=429, code='262160', retry_after=None):
    return OntapApiError(status, code=code, message='busy', method='POST', url='/api/things', retry_after=retry_after)


def _as_exit(result):
    """The engine returns a Result (the runner alone exits): shape it as the exit/fail the tests inspect."""
    if result.failed:
        return Exited('fail', dict(result.data, msg=result.msg, changed=result.changed))
    return Exited('exit', dict(result.data, changed=result.changed))


def _run(ontap, spec=SPEC):
    return _as_exit(Resource(ontap, spec).run())


def test_normalise_ignores_list_order():
    assert normalise(['b', 'a']) == normalise(['a', 'b'])
    assert normalise([{'name': 'x', 'id': 1}, {'name': 'a'}]) == normalise([{'name': 'a'}, {'id': 1, 'name': 'x'}])


def test_lists_compared_in_any_order_and_unset_fields_never_compared():
    ontap = FakeOntap(dict(name='t1', comment=None, tags=['b', 'a']),
                      records={'things': [{'uuid': 'u', 'name': 't1', 'comment': 'ONTAP default', 'tags': ['a', 'b']}]})
    done = _run(ontap)
    assert done.kind == 'exit' and done.result['changed'] is False and ontap.writes == []


@pytest.mark.parametrize('refusal', [
    _busy(429, '262160'), _busy(503, '7'), _busy(409, '2621573'), _busy(400, '13434894'), _busy(409, '2432833'),
])
def test_busy_refusal_is_resent_with_backoff(refusal):
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None), answers=[refusal, refusal, (None, _success())])
    done = _run(ontap)
    assert done.kind == 'exit' and done.result['changed'] is True
    assert [w[0] for w in ontap.writes] == ['POST', 'POST', 'POST']
    assert len(ontap.sleeps) >= 2 and all(s >= 0.5 for s in ontap.sleeps[:2])  # then the re-read pauses (F16)
    assert any('busy' in w for w in ontap.warnings)


def test_busy_honours_retry_after_and_shares_the_job_budget():
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None), answers=[_busy(retry_after=5.0), (None, _success())])
    _run(ontap)
    assert ontap.sleeps[0] >= 5.0
    assert ontap.job_timeouts[0] == 60.0 and ontap.job_timeouts[1] == pytest.approx(60.0 - ontap.sleeps[0])
    assert ontap.params['job_timeout'] == 60.0


def test_busy_until_the_budget_runs_out_fails_unchanged():
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None, job_timeout=5.0), answers=[_busy()] * 50)
    with pytest.raises(OntapError, match='busy each time .* within job_timeout') as info:
        Resource(ontap, SPEC).run()
    assert ontap.now <= 5.0 and len(ontap.writes) >= 2
    assert '%d time(s)' % len(ontap.writes) in str(info.value)


def test_busy_503_until_the_budget_runs_out_says_nothing_changed_and_never_unknown():
    # A 503 on a write would read "outcome unknown" on its own; refused as busy, it is a clean "not done".
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None, job_timeout=3.0),
                      answers=[_busy(503, '7', retry_after=1.0)] * 50)
    with pytest.raises(OntapError) as info:
        Resource(ontap, SPEC).run()
    assert 'nothing changed' in str(info.value) and 'unknown' not in str(info.value) and not info.value.outcome_unknown


def test_job_failing_with_a_busy_code_is_resent():
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None), answers=[(None, _failure('2432833')), (None, _success())])
    assert _run(ontap).kind == 'exit'
    assert len(ontap.writes) == 2


@pytest.mark.parametrize('error', [
    OntapApiError(409, code='8', message='in use', method='POST', url='/api/things'),     # lasting conflict
    OntapApiError(400, code='2', message='bad field', method='POST', url='/api/things'),
])
def test_other_refusals_are_not_resent(error):
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None), answers=[error])
    with pytest.raises(OntapApiError):
        Resource(ontap, SPEC).run()
    assert len(ontap.writes) == 1


def test_ambiguous_500_is_verified_not_resent():
    error = OntapApiError(500, message='oops', method='POST', url='/api/things')
    calls = []

    def things(query):
        calls.append(query)
        return [] if len(calls) == 1 else [{'uuid': 'u', 'name': 't1', 'comment': 'c'}]
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None), records={'things': things}, answers=[error])
    done = _run(ontap)
    assert done.kind == 'exit' and done.result['changed'] is True and len(ontap.writes) == 1
    assert 'not resent' in ontap.warnings[0]


def test_cut_off_lookup_is_unknown_never_absent():
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None),
                      records={'things': OntapError('GET /api/things: still more records after 1000 pages')})
    with pytest.raises(OntapError, match='whether it exists is unknown'):
        Resource(ontap, SPEC).run()
    assert ontap.writes == []


def test_an_option_error_met_by_the_lookup_is_said_as_itself_not_as_a_cut_off_lookup():
    error = resource_mod.OntapOptionError('http_timeout', 'http_timeout must be a finite number of seconds.')
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None), records={'things': error})
    with pytest.raises(resource_mod.OntapOptionError) as info:
        Resource(ontap, SPEC).run()
    assert info.value.option == 'http_timeout' and 'lookup' not in str(info.value) and ontap.writes == []


def _child_spec():
    def collection(resource):
        return 'parents/%s/children' % resource.find_parent('parent', 'parents', {'name': resource.params['parent']})['uuid']
    return ResourceSpec('child', collection, {'name': 'name'}, [Field('comment', 'comment')],
                        lambda params: {'name': params['name']}, context=['parent'])


def test_parent_resolves_the_collection():
    ontap = FakeOntap(dict(name='c1', parent='p1', comment='x'), records={'parents': [{'uuid': 'pu', 'name': 'p1'}]})
    done = _run(ontap, _child_spec())
    assert done.kind == 'exit' and ontap.writes[0][:2] == ('POST', 'parents/pu/children')


def test_missing_parent_absent_is_converged_present_fails():
    ontap = FakeOntap(dict(name='c1', parent='p1', comment=None, state='absent'))
    done = _run(ontap, _child_spec())
    assert done.kind == 'exit' and done.result['changed'] is False
    ontap = FakeOntap(dict(name='c1', parent='p1', comment=None))
    with pytest.raises(OntapError, match='parent name=p1 does not exist'):
        Resource(ontap, _child_spec()).run()


def test_rename_patches_the_source_with_the_new_name():
    ontap = FakeOntap(dict(name='new', from_name='old', comment='c', tags=None),
                      records={'things': [{'uuid': 'u', 'name': 'old', 'comment': 'c'}]})
    _run(ontap)
    assert ontap.writes[0] == ('PATCH', 'things/u', {'name': 'new'})


def test_rename_neither_exists_fails():
    ontap = FakeOntap(dict(name='new', from_name='old', comment=None, tags=None))
    with pytest.raises(OntapError, match='neither exists'):
        Resource(ontap, SPEC).run()


def test_rename_check_mode_sends_nothing_and_diffs_the_name():
    ontap = FakeOntap(dict(name='new', from_name='old', comment=None, tags=None), check_mode=True,
                      records={'things': [{'uuid': 'u', 'name': 'old'}]})
    done = _run(ontap)
    assert done.result['diff'] == {'before': {'name': 'old'}, 'after': {'name': 'new'}}


def test_retry_codes_leave_out_resource_in_use():
    assert '8' not in errors_mod.RESEND_CODES and '262160' in errors_mod.RESEND_CODES


def test_f16_create_success_but_object_never_visible_is_said_in_a_warning():
    ontap = FakeOntap({'name': 'a', 'comment': 'x', 'tags': None}, records={'things': []})
    exited = _run(ontap)
    assert exited.kind == 'exit' and exited.result['changed'] is True
    assert exited.result['thing'] is None
    assert len(ontap.reads) == 1 + 1 + len(REREAD_PAUSES)       # lookup, then the bounded re-reads
    assert any('not visible' in warning for warning in ontap.warnings)


def test_f16_create_visible_after_a_lag_has_no_warning():
    seen = {'reads': 0}

    def things(query):
        seen['reads'] += 1
        return [{'uuid': 'u1', 'name': 'a', 'comment': 'x'}] if seen['reads'] >= 3 else []
    ontap = FakeOntap({'name': 'a', 'comment': 'x', 'tags': None}, records={'things': things})
    exited = _run(ontap)
    assert exited.kind == 'exit' and exited.result['thing']['uuid'] == 'u1'
    assert ontap.warnings == []


# -- H2: an unknown outcome is verified on the resource within job_timeout, counted from the write (F07, F13, F14) --

def _unreadable(uuid='j9'):
    return JobWaitResult('unreadable', [{'uuid': uuid}], 0.5, 1,
                         'Request accepted as job %s; the job\'s status could not be read: HTTP 403 (a role without '
                         'read access to /api/cluster/jobs, or Amazon FSx); the outcome was not verified.' % uuid)


def _appears_at(ontap, seconds, record):
    """A collection whose ``record`` shows up once the fake clock reaches ``seconds``."""
    def things(query):
        return [record] if ontap.now >= seconds else []
    return things


def test_h2_unreadable_job_is_verified_until_the_object_shows_up_within_the_budget():
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None, job_timeout=60.0, poll_interval=1.0, max_poll_interval=8.0),
                      answers=[(None, _unreadable())])
    ontap.records['things'] = _appears_at(ontap, 20.0, {'uuid': 'u', 'name': 't1', 'comment': 'c'})
    done = _run(ontap)
    assert done.kind == 'exit' and done.result['changed'] is True and done.result['thing']['uuid'] == 'u'
    assert done.result['job_wait']['outcome'] == 'unreadable'
    assert any('intended state' in warning for warning in ontap.warnings)
    assert 20.0 <= ontap.now < 60.0 and sum(REREAD_PAUSES) < 20.0     # far beyond the plain re-read window
    assert ontap.sleeps[0] == pytest.approx(1.0, rel=0.11)             # backoff from poll_interval ...
    assert max(ontap.sleeps) <= 8.0 and ontap.sleeps[1] > ontap.sleeps[0] * 1.2   # ... growing up to the cap
    assert len(ontap.writes) == 1


def test_h2_unverified_outcome_fails_unknown_at_the_budget_counted_from_the_write():
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None, job_timeout=30.0, poll_interval=1.0, max_poll_interval=4.0),
                      answers=[(None, _unreadable('j7'))])
    ontap.write_seconds = 10.0                                          # the poller's part of the budget
    ontap.records['things'] = []
    done = _run(ontap)
    assert done.kind == 'fail' and done.result['changed'] is True
    assert ontap.now == pytest.approx(30.0)                             # not 10 + 30: one budget from the write
    assert 'unknown' in done.result['msg'] and 'j7' in done.result['msg']
    assert 'last seen: no thing matches name=t1' in done.result['msg']
    assert done.result['job_wait']['outcome'] == 'unreadable' and done.result['job']['uuid'] == 'j7'
    assert len(ontap.writes) == 1 and ontap.reads[-1][0] == 'things'


def test_h2_unverified_modify_says_what_differs_and_tolerates_transient_read_errors():
    reads = {'n': 0}

    def things(query):
        reads['n'] += 1
        if reads['n'] == 3:
            raise OntapTransportError('GET', '/api/things', 'reset', 'connection reset')
        return [{'uuid': 'u', 'name': 't1', 'comment': 'old'}]
    ontap = FakeOntap(dict(name='t1', comment='new', tags=None, job_timeout=10.0, poll_interval=1.0,
                           max_poll_interval=2.0), records={'things': things}, answers=[(None, _unreadable())])
    done = _run(ontap)
    assert done.kind == 'fail' and done.result['changed'] is True
    assert "comment='old' (wanted 'new')" in done.result['msg']
    assert reads['n'] > 3 and ontap.now == pytest.approx(10.0)


def test_f07_lost_answer_is_verified_beyond_the_short_reread_window():
    error = OntapTransportError('POST', '/api/things', 'timeout', 'read timed out')
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None, job_timeout=60.0, poll_interval=2.0, max_poll_interval=5.0),
                      answers=[error])
    ontap.records['things'] = _appears_at(ontap, 12.0, {'uuid': 'u', 'name': 't1', 'comment': 'c'})
    done = _run(ontap)
    assert done.kind == 'exit' and done.result['changed'] is True and len(ontap.writes) == 1
    assert any('not resent' in warning for warning in ontap.warnings)


def test_f07_lost_delete_answer_never_verified_fails_unknown_changed():
    error = OntapApiError(504, message='gateway timeout', method='DELETE', url='/api/things/u')
    ontap = FakeOntap(dict(name='t1', comment=None, tags=None, state='absent', job_timeout=5.0),
                      records={'things': [{'uuid': 'u', 'name': 't1'}]}, answers=[error])
    done = _run(ontap)
    assert done.kind == 'fail' and done.result['changed'] is True
    assert 'unknown' in done.result['msg'] and 'still exists' in done.result['msg'] and ontap.now == pytest.approx(5.0)


# -- H3: nothing found under an SVM the account cannot see proves nothing --

SVM_SPEC = ResourceSpec(
    name='vol', collection='vols', keys={'name': 'name', 'svm': 'svm.name'}, fields=[Field('comment', 'comment')],
    create_body=lambda params: {'name': params['name'], 'svm': {'name': params['svm']}}, context=['svm'])


def test_h3_absent_in_an_invisible_svm_is_unchanged_with_a_warning():
    ontap = FakeOntap(dict(name='other', svm='svm2', comment=None, state='absent'),
                      records={'vols': [], 'svm/svms': [{'name': 'svm1'}]})
    done = _run(ontap, SVM_SPEC)
    assert done.kind == 'exit' and done.result['changed'] is False and ontap.writes == []
    assert any('svm2 is not visible' in w and 'could not be confirmed' in w for w in ontap.warnings)
    assert [read[0] for read in ontap.reads] == ['vols', 'svm/svms']


def test_h3_present_makes_no_extra_read_ontap_names_an_invisible_svm_itself():
    # A create needs no SVM check: ONTAP refuses a POST into an SVM the account cannot see (404, target svm.name),
    # so checking first would only add a request to every create.
    ontap = FakeOntap(dict(name='other', svm='svm2', comment='c'), records={'vols': [], 'svm/svms': []})
    done = _run(ontap, SVM_SPEC)
    assert done.kind == 'exit' and ontap.writes[0][0] == 'POST'
    assert 'svm/svms' not in [read[0] for read in ontap.reads]


def test_h3_visible_svm_keeps_absent_converged_without_warning_and_found_objects_skip_the_check():
    ontap = FakeOntap(dict(name='other', svm='svm1', comment=None, state='absent'),
                      records={'vols': [], 'svm/svms': [{'name': 'svm1'}]})
    done = _run(ontap, SVM_SPEC)
    assert done.kind == 'exit' and done.result['changed'] is False and ontap.warnings == []
    ontap = FakeOntap(dict(name='v', svm='svm1', comment='c'), records={'vols': [{'uuid': 'u', 'name': 'v', 'svm': {'name': 'svm1'}, 'comment': 'c'}]})
    _run(ontap, SVM_SPEC)
    assert [read[0] for read in ontap.reads] == ['vols']             # the extra GET only when nothing was found


def _snapshot_spec():
    """A snapshot-like spec: its collection lies under a volume found by volume and svm names."""
    def collection(resource):
        parent = resource.find_parent('volume', 'vols', {'name': resource.params['volume'], 'svm.name': resource.params['svm']})
        return 'vols/%s/snaps' % parent['uuid']
    return ResourceSpec('snap', collection, {'name': 'name'}, [Field('comment', 'comment')],
                        lambda params: {'name': params['name']}, context=['svm', 'volume'])


def test_h3_parent_looked_up_by_svm_is_checked_too():
    spec = _snapshot_spec()
    ontap = FakeOntap(dict(name='s', volume='other', svm='svm2', comment=None, state='absent'),
                      records={'vols': [], 'svm/svms': []})
    done = _run(ontap, spec)
    assert done.kind == 'exit' and done.result['changed'] is False
    assert any('svm2 is not visible' in w for w in ontap.warnings)


# -- M1: a duplicate refusal while the same create is still in flight --

def _duplicate():
    return OntapApiError(409, code='1', message='duplicate name', method='POST', url='/api/things')


def test_m1_duplicate_while_a_create_is_in_flight_names_the_job():
    job = {'uuid': 'jrun', 'state': 'running', 'description': 'POST /api/things', 'message': 'Running'}
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None), records={'things': [], 'cluster/jobs': [job]},
                      answers=[_duplicate()])
    done = _run(ontap)
    assert done.kind == 'fail' and 'still in progress' in done.result['msg'] and 'jrun' in done.result['msg']
    assert 'ontap.rest.job' in done.result['msg'] and 'another object' not in done.result['msg']
    assert [w[0] for w in ontap.writes] == ['POST']                                   # never created twice
    query = [q for path, q in ontap.reads if path == 'cluster/jobs'][0]
    assert query['state'] == 'queued|running|paused' and query['description'] == 'POST /api/things*'


JOBS_FORBIDDEN = OntapApiError(403, code='6', message='not authorized', method='GET', url='/api/cluster/jobs')


@pytest.mark.parametrize('jobs', [[], JOBS_FORBIDDEN])
def test_m1_duplicate_without_a_create_in_flight_keeps_the_key_explanation(jobs):
    ontap = FakeOntap(dict(name='t1', comment='c', tags=None), records={'things': [], 'cluster/jobs': jobs},
                      answers=[_duplicate()])
    done = _run(ontap)
    assert done.kind == 'fail' and 'another object holds a key ONTAP treats as unique' in done.result['msg']


# -- issue 9 item 1: a name is data, never a query ---------------------------------------------------------------

@pytest.mark.parametrize('value', ['data*', '!x', 'a|b', '<5', '>5', 'a{b}', '', ' '])
def test_item1_values_ontap_reads_as_query_operators_are_refused_before_any_read(value):
    ontap = FakeOntap(dict(name=value, comment='c'), records={'things': [{'uuid': 'u', 'name': 'data1'}]})
    with pytest.raises(resource_mod.OntapOptionError) as info:
        Resource(ontap, SPEC)
    assert info.value.option == 'name' and str(info.value).startswith('name')
    assert ontap.reads == [] and ontap.writes == []


@pytest.mark.parametrize('value', ['a..b', 'daily..1', 'null', 'NULL', ' null'])
def test_item1_a_name_ontap_would_read_as_a_range_or_null_is_matched_here_never_sent(value):
    # ONTAP accepts such snapshot and qtree names; as a filter value it would read them as a range or "not set".
    def things(query):
        # As ONTAP would: without a name filter, every record of the collection comes back.
        assert 'name' not in query
        return [{'uuid': 'u1', 'name': 'a'}, {'uuid': 'u2', 'name': value, 'comment': 'old'}, {'uuid': 'u3', 'name': 'b'}]
    ontap = FakeOntap(dict(name=value, comment='new'), records={'things': things})
    resource = Resource(ontap, SPEC)
    assert resource.lookup()['uuid'] == 'u2'
    assert all('name' not in query for path, query in ontap.reads)
    ontap = FakeOntap(dict(name=value, comment='new'), records={'things': lambda query: [{'uuid': 'u1', 'name': 'a..c'}]})
    assert Resource(ontap, SPEC).lookup() is None                     # another object is never the one named


def test_item1_a_range_in_a_parent_name_is_matched_here_and_the_other_keys_still_filter():
    spec = _snapshot_spec()
    seen = []

    def vols(query):
        seen.append(dict(query))
        return [{'uuid': 'u1', 'name': 'v..1', 'svm': {'name': 'svm1'}}, {'uuid': 'u2', 'name': 'v..2', 'svm': {'name': 'svm1'}}]
    ontap = FakeOntap(dict(name='s', volume='v..2', svm='svm1', comment=None), records={'vols': vols})
    resource = Resource(ontap, spec)
    assert resource.collection == 'vols/u2/snaps'
    assert seen[0]['svm.name'] == 'svm1' and 'name' not in seen[0]


def test_item1_record_that_does_not_match_the_key_exactly_is_never_a_target():
    # As if ONTAP matched case-insensitively or read the value as a pattern: the record is not the one named.
    ontap = FakeOntap(dict(name='data1', comment='new', state='absent'),
                      records={'things': lambda query: [{'uuid': 'u', 'name': 'DATA1', 'comment': 'old'}]})
    with pytest.raises(OntapError) as info:
        Resource(ontap, SPEC).run()
    assert 'does not match it exactly' in str(info.value) and ontap.writes == []


def test_item1_parent_record_that_does_not_match_exactly_is_never_a_target():
    spec = _snapshot_spec()
    ontap = FakeOntap(dict(name='s', volume='v1', svm='svm1', comment=None, state='absent'),
                      records={'vols': lambda query: [{'uuid': 'u2', 'name': 'v10', 'svm': {'name': 'svm1'}}]})
    with pytest.raises(OntapError) as info:
        Resource(ontap, spec).run()
    assert 'does not match it exactly' in str(info.value) and ontap.writes == []
    ontap = FakeOntap(dict(name='s', volume='v*', svm='svm1', comment=None, state='absent'))
    with pytest.raises(resource_mod.OntapOptionError) as info:
        Resource(ontap, spec)
    assert info.value.option == 'volume' and ontap.reads == []


# -- issue 10: the engine's settle conditions and attach -----------------------------------------------------------

def _settling(states):
    """A 'things' collection whose record shows ``states`` one read after the other (the last one stays)."""
    reads = []

    def read(query):
        reads.append(query)
        state = states[min(len(reads) - 1, len(states) - 1)]
        return [] if state is None else [dict(uuid='u', name='t1', comment='c', phase=state[0], started=state[1])]
    return read


def _settle_plan(resource, **settle):
    rule = resource_mod.Settle(done=lambda record: record['phase'] == 'done',
                               failed=lambda record: 'it broke' if record['phase'] == 'broken' else None, **settle)
    step = resource_mod.Step('transfer', 'PATCH', 'things/u', body={'go': True}, what='transfer', settle=rule)
    return resource_mod.Plan([step], {'uuid': 'u', 'name': 't1'}, want_present=None)


def test_settle_waits_on_the_resource_after_the_job_within_the_budget():
    ontap = FakeOntap(dict(name='t1', comment='c'), records={'things': _settling([('running', 9), ('done', 9)])})
    resource = Resource(ontap, SPEC)
    done = _as_exit(resource.execute(_settle_plan(resource)))
    assert done.kind == 'exit' and done.result['changed'] is True and done.result['wait']['outcome'] == 'success'
    assert done.result['wait']['polls'] == 2 and done.result['job_wait']['outcome'] == 'success'
    assert done.result['actions'] == [{'action': 'transfer', 'method': 'PATCH', 'path': 'things/u'}]


def test_settle_reads_are_paced_at_a_tenth_of_the_time_waited():
    # A long settle (a move of ~300 s) is read about 10 % of the time waited apart, as job polls are: noticed at most
    # 0.1 x D + poll_interval late (the x1.5 backoff it replaced could be nearly half of D late).
    ontap = FakeOntap(dict(name='t1', comment='c', poll_interval=2.0, max_poll_interval=1e6, job_timeout=3600.0))
    ontap.records['things'] = lambda query: [dict(uuid='u', name='t1', comment='c', started=9,
                                                  phase='done' if ontap.now >= 300.0 else 'running')]
    resource = Resource(ontap, SPEC)
    done = _as_exit(resource.execute(_settle_plan(resource)))
    assert done.kind == 'exit' and done.result['wait']['outcome'] == 'success'
    assert 300.0 <= ontap.now <= 300.0 * 1.1 + 2.0
    assert ontap.sleeps[0] == 2.0 and all(pause <= max(2.0, 0.1 * sum(ontap.sleeps[:i])) + 1e-9
                                          for i, pause in enumerate(ontap.sleeps))


def test_a_step_the_next_step_depends_on_is_waited_for_whatever_wait_for_completion_says():
    # D3: wait_for_completion false applies to the last write; the unmount before a delete is always waited for.
    ontap = FakeOntap(dict(name='t1', comment='c', wait_for_completion=False))
    resource = Resource(ontap, SPEC)
    first = resource_mod.Step('unmount', 'PATCH', 'things/u', body={'path': ''}, what='unmount')
    last = resource_mod.Step('delete', 'DELETE', 'things/u', what='delete')
    done = _as_exit(resource.execute(resource_mod.Plan([first, last], {'uuid': 'u', 'name': 't1'}, want_present=False)))
    assert done.kind == 'exit' and [w[0] for w in ontap.writes] == ['PATCH', 'DELETE'], done.result
    assert ontap.wait_overrides == [True, None]


def test_settle_freshness_guard_ignores_the_previous_operations_terminal_state():
    # The first reads still show the last transfer's "done" (started at 1); only a record of this one counts.
    ontap = FakeOntap(dict(name='t1', comment='c'),
                      records={'things': _settling([('done', 1), ('done', 1), ('running', 5), ('done', 5)])})
    resource = Resource(ontap, SPEC)
    plan = _settle_plan(resource, fresh=lambda record, sent_at: record['started'] >= 5)
    done = _as_exit(resource.execute(plan))
    assert done.kind == 'exit' and done.result['wait']['outcome'] == 'success' and done.result['wait']['polls'] == 4


def test_settle_failure_and_timeout_use_the_job_outcome_words():
    ontap = FakeOntap(dict(name='t1', comment='c'), records={'things': _settling([('running', 9), ('broken', 9)])})
    resource = Resource(ontap, SPEC)
    failed = _as_exit(resource.execute(_settle_plan(resource)))
    assert failed.kind == 'fail' and failed.result['wait']['outcome'] == 'failure' and 'it broke' in failed.result['msg']
    assert failed.result['changed'] is True            # ONTAP accepted the write; what it did is in the record
    ontap = FakeOntap(dict(name='t1', comment='c', job_timeout=10.0), records={'things': _settling([('running', 9)])})
    resource = Resource(ontap, SPEC)
    slow = _as_exit(resource.execute(_settle_plan(resource)))
    assert slow.kind == 'fail' and slow.result['wait']['outcome'] == 'timed_out' and ontap.now <= 10.0 + 1e-9
    assert 'job_timeout (10 s)' in slow.result['msg']


def test_settle_tolerates_a_missing_record_only_for_its_grace():
    ontap = FakeOntap(dict(name='t1', comment='c', job_timeout=100.0), records={'things': _settling([None])})
    resource = Resource(ontap, SPEC)
    gone = _as_exit(resource.execute(_settle_plan(resource, missing_grace=5)))
    assert gone.kind == 'fail' and gone.result['wait']['outcome'] == 'failure' and 'not found' in gone.result['msg']
    assert ontap.now < 20


def test_attach_joins_an_operation_in_flight_and_sends_nothing():
    ontap = FakeOntap(dict(name='t1', comment='c'), records={'things': _settling([('running', 5), ('done', 5)])})
    resource = Resource(ontap, SPEC)
    rule = resource_mod.Settle(done=lambda record: record['phase'] == 'done')
    step = resource_mod.Step('attach', None, 'things/u', what='transfer in flight', settle=rule,
                             jobs=[{'uuid': 'j9', 'state': 'running'}])
    done = _as_exit(resource.apply(resource_mod.Plan([step], {'uuid': 'u'})))
    assert done.kind == 'exit' and done.result['changed'] is False and done.result['attached'] is True
    assert ontap.writes == [] and ontap.waited == [['j9']] and done.result['wait']['outcome'] == 'success'


def test_rulebook_per_resource_exception_turns_in_use_into_a_resend():
    spec = ResourceSpec('thing', 'things', {'name': 'name'}, [Field('comment', 'comment')],
                        lambda params: {'name': params['name']}, error_rules={'8': errors_mod.BUSY})
    in_use = OntapApiError(409, code='8', message='in use', method='PATCH', url='/api/things/u')
    ontap = FakeOntap(dict(name='t1', comment='new'), records={'things': [{'uuid': 'u', 'name': 't1', 'comment': 'old'}]},
                      answers=[in_use, (None, _success())])
    done = _run(ontap, spec)
    assert done.kind == 'exit' and [w[0] for w in ontap.writes] == ['PATCH', 'PATCH']
    ontap = FakeOntap(dict(name='t1', comment='new'), records={'things': [{'uuid': 'u', 'name': 't1', 'comment': 'old'}]},
                      answers=[in_use])
    with pytest.raises(OntapApiError):
        Resource(ontap, SPEC).run()                     # without the exception, code 8 is lasting
    assert len(ontap.writes) == 1


@pytest.mark.parametrize('exc, kind', [
    (OntapApiError(429, code='262160', method='POST'), errors_mod.BUSY),
    (OntapApiError(503, code='8', method='POST'), errors_mod.BUSY),
    (OntapApiError(409, code='8', method='POST'), errors_mod.LASTING),
    (OntapApiError(409, code='1', method='POST'), errors_mod.DUPLICATE),
    (OntapApiError(409, code=None, method='POST'), errors_mod.DUPLICATE),
    (OntapApiError(404, code='4', method='DELETE'), errors_mod.NOT_FOUND),
    (OntapApiError(500, code=None, method='POST'), errors_mod.UNKNOWN),
    (OntapTransportError('timeout', 'POST', '/api/x', 'read timed out'), errors_mod.UNKNOWN),
    (OntapApiError(400, code='262197', method='POST'), errors_mod.LASTING),
])
def test_rulebook_classifies_each_refusal_once(exc, kind):
    assert errors_mod.classify(exc) == kind


@pytest.mark.parametrize('error', [
    OntapTransportError('reset', 'GET', 'https://c/api/things', 'connection reset by peer'),
    OntapApiError(401, code=None, message='Unauthorized', method='GET', url='https://c/api/things'),
])
def test_a_failed_lookup_says_nothing_was_changed_and_keeps_its_kind(error):
    # The first read fails before any write: the message says so (a bare "GET ... dropped" left the admin guessing),
    # and the error keeps its type and fields (status, kind) for the runner's result and hints.
    ontap = FakeOntap(dict(name='t1', comment='new'), records={'things': error})
    with pytest.raises(type(error)) as info:
        Resource(ontap, SPEC).run()
    assert str(info.value).startswith('Could not look up thing (name=t1), so nothing was changed: GET https://c/api/things')
    assert info.value is error and ontap.writes == []
    assert not info.value.outcome_unknown
