# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checker: a task's reported outcome against the simulator's ground truth.

``judge(scenario, record) -> (outcome, lies)``: ``outcome`` is the kind of outcome the task reported (see
:data:`OUTCOMES`), ``lies`` a list of one-line findings, empty when the task told the truth. The ground truth is the
record's ``baseline`` (the simulator before the task) and ``truth`` (right after it): the object store, every job,
the request log of the task's requests, read through the control API (tests/chaos/driver.py), never through the
API under test.

A lie is (issue 11):

- ``end-state``: a success or ok whose end state does not hold;
- ``nothing-happened``: a failure with ``changed: false`` while the task's write took effect (or is still running)
  and the task did not say the outcome is unknown;
- ``unchanged``: ``changed: false`` after a write of the task took effect;
- ``unknown-without-job``: a timed-out, unreadable, unknown or not-waited-for outcome that does not name the job(s)
  the task started (whose answer reached it) or gives no message;
- ``job-state``: a job outcome (``success``/``failure``) that is not the job's state on the simulator;
- ``resend``: a write repeated (same method, path and query) after the first one was carried out (a blind resend);
- ``check-mode-write``: any write in check mode (or by a wait of ``ontap.rest.job``);
- ``secret``: the configured password in the task's result;
- ``auth-not-reported``: a task that failed after its last job read answered 401 without saying so;
- ``wait-state`` (``ontap.rest.wait_for``, the second family): a wait reported ``reached`` whose move has not
  succeeded (a stale read of the last move taken for this one), or ``failed_value`` whose move did not fail; any
  write by the wait (also in check mode) is a ``check-mode-write``.

An honest "unknown" (the outcome, the job uuid and what is known) is never a lie.
"""

from __future__ import absolute_import, division, print_function

import json

__metaclass__ = type

OUTCOMES = ('changed', 'ok', 'not_waited', 'check', 'failure', 'failed', 'timed_out', 'unreadable', 'unknown',
            'reached', 'failed_value', 'harness_error')
WRITES = ('POST', 'PATCH', 'DELETE')
TERMINAL = ('success', 'failure')


def find_object(state, target):
    """The target's record in a ``/_sim/state`` dump (None if absent)."""
    kind = target['kind']
    if kind == 'volume':
        items = [v for v in state['volumes'] if v['name'] == target['name'] and v['svm']['name'] == 'svm1']
    elif kind == 'svm':
        items = [s for s in state['svms'] if s['name'] == target['name']]
    elif kind == 'snapshot':
        items = [s for s in state['snapshots'] if s['name'] == target['name']
                 and s.get('volume', {}).get('name') == target['volume']]
    elif kind == 'qtree':
        items = [q for q in state['qtrees'] if q['name'] == target['name']
                 and q.get('volume', {}).get('name') == target['volume']]
    else:
        return None
    return items[0] if items else None


def mismatches(obj, target):
    """Fields of ``target`` (the task's request) that ``obj`` does not show, as ``field: want != have``."""
    out = []

    def compare(name, want, have):
        if want != have:
            out.append('%s: wanted %r, is %r' % (name, want, have))

    if 'size' in target:
        compare('size', target['size'], obj.get('size'))
    if 'comment' in target:
        compare('comment', target['comment'], obj.get('comment', ''))
    if 'junction_path' in target:
        compare('junction_path', target['junction_path'], (obj.get('nas') or {}).get('path'))
    if 'security_style' in target:
        compare('security_style', target['security_style'], obj.get('security_style'))
    return out


def _query_key(query):
    """A request's query without ``return_timeout`` (a resend with a smaller one is the same write)."""
    parts = [p for p in (query or '').split('&') if p and not p.startswith('return_timeout=')]
    return '&'.join(sorted(parts))


def task_log(record):
    """The request log entries of the task itself: entries of requests sent before the set-up emptied the log (an
    answer held back by a ``slow`` fault of the previous scenario, logged late) are not the task's. Records of runs
    before ``log_cleared_at`` was kept: an entry naming a job the simulator never had in this scenario (not in the
    baseline nor in the truth, and jobs were not purged early) is such a leftover."""
    truth, baseline = record['truth'], record['baseline'] or {}
    cleared = baseline.get('log_cleared_at')
    if cleared is not None:
        return [e for e in truth['log'] if e['time'] - e.get('duration_ms', 0) / 1000.0 >= cleared - 0.001]
    known = set(j['uuid'] for j in truth['jobs']) | set(j['uuid'] for j in baseline.get('jobs') or [])
    purged = (record.get('scenario_config') or {}).get('job_retention') is not None
    return [e for e in truth['log'] if purged or not e.get('job') or e['job'] in known]


def task_writes(log):
    """The write requests of a task's log (oldest first)."""
    return [e for e in log if e['method'] in WRITES and e['path'].startswith('/api/')]


def answered(entry, truth):
    """Did the answer of a logged write (with its job uuid) reach the client? Not when the connection was dropped
    (status 0), a 500/504 page replaced it (``ambiguous``) or a ``slow`` rule held it back past the read timeout."""
    if entry['status'] in (0, 500, 504):
        return False
    for rule in truth.get('faults', []):
        if rule['kind'] == 'slow' and rule['hits'] and (rule['method'] == '*' or entry['method'] in rule['method']):
            return False
    return True


def _jobs_by_uuid(truth):
    return dict((j['uuid'], j) for j in truth['jobs'])


def outcome_of(scenario, record):
    """The kind of outcome the task reported (one of :data:`OUTCOMES`)."""
    result = record.get('result') or {}
    if record.get('setup_error') or record.get('truth') is None:
        return 'harness_error'
    if scenario['module'] == 'wait_for':
        # it only reads, in check mode too: judged the same either way
        said = (result.get('wait') or {}).get('outcome')
        if record['status'] != 'failed':
            return 'reached' if said == 'reached' else 'ok'
        return said if said in ('failed_value', 'timed_out') else 'failed'
    if scenario.get('check_mode'):
        return 'check'
    wait = (result.get('job_wait') or {}).get('outcome')
    if record['status'] != 'failed':
        if wait == 'not_waited':
            return 'not_waited'
        return 'changed' if result.get('changed') else 'ok'
    msg = str(result.get('msg', ''))
    if wait in ('timed_out', 'unreadable'):
        return wait
    if 'unknown' in msg:
        return 'unknown'
    if wait == 'failure':
        return 'failure'
    return 'failed'


def _honest_unknown(result):
    wait = (result.get('job_wait') or {}).get('outcome')
    settle = (result.get('wait') or {}).get('outcome')
    msg = str(result.get('msg', ''))
    return wait in ('timed_out', 'unreadable') or settle in ('timed_out', 'unreadable') or 'unknown' in msg


def judge(scenario, record):  # pylint: disable=too-many-branches,too-many-locals,too-many-statements
    """``(outcome, lies)`` for one scenario's record (see the module docstring)."""
    outcome = outcome_of(scenario, record)
    if outcome == 'harness_error':
        return outcome, []
    lies = []
    result = record.get('result') or {}
    text = json.dumps(result)
    truth = record['truth']
    baseline = record['baseline']
    failed = record['status'] == 'failed'
    changed = bool(result.get('changed'))
    jobs = _jobs_by_uuid(truth)
    record = dict(record, scenario_config=scenario.get('config'))
    log = task_log(record)
    writes = task_writes(log)
    carried = [w for w in writes if w.get('job')]
    wait = (result.get('job_wait') or {}).get('outcome')
    not_waited = wait == 'not_waited' or scenario['args'].get('wait_for_completion') is False
    module = scenario['module']

    if record.get('raw_has_secret') or scenario['secret'] in text:
        lies.append('secret: the password is in the task result')
    if (scenario.get('check_mode') or module in ('job', 'wait_for')) and writes:
        lies.append('check-mode-write: %s' % ', '.join('%s %s' % (w['method'], w['path']) for w in writes))
        return outcome, lies
    if module == 'wait_for':
        return outcome, lies + judge_wait_for(record, result, outcome)

    # Blind resends: the same write again after one was carried out.
    seen = {}
    for entry in writes:
        key = (entry['method'], entry['path'], _query_key(entry.get('query')))
        first = seen.get(key)
        if first is not None:
            first_job = jobs.get(first['job'], {})
            if first_job.get('state') != 'failure':
                lies.append('resend: %s %s sent again (seq %s) after it was carried out (seq %s, job %s, answer %s)'
                            % (entry['method'], entry['path'], entry['seq'], first['seq'], first['job'],
                               first['status']))
                break
        if entry.get('job') and key not in seen:
            seen[key] = entry

    # Jobs the task started whose effect happened (success) or may still happen (not terminal, or purged).
    target = scenario['target']
    after = find_object(truth['state'], target) if target['kind'] != 'job' else None
    before = find_object(baseline['state'], target) if target['kind'] != 'job' else None
    said_failed = set(j.get('uuid') for j in [result.get('job')] + list(result.get('jobs') or [])
                      if isinstance(j, dict) and j.get('state') == 'failure')
    unchanged_object = _same(before, after)

    def took_effect(write_entry):
        state = jobs.get(write_entry['job'], {}).get('state', 'gone')
        if state == 'gone':
            # Purged before the capture (short retention): it failed if the task says so and the object is as it was.
            return not (write_entry['job'] in said_failed and unchanged_object)
        return state != 'failure'

    effective = [w for w in carried if took_effect(w)]
    changed_by_task = bool(effective)
    if scenario.get('check_mode'):
        return outcome, lies

    if not failed:
        if target['kind'] in ('volume', 'svm', 'snapshot', 'qtree') and not not_waited:
            if scenario['state'] == 'present':
                if after is None:
                    lies.append('end-state: reported %s but %s %s does not exist'
                                % (outcome, target['kind'], target['name']))
                elif module != 'request' or scenario.get('variant') != 'move':
                    wrong = mismatches(after, target)
                    if wrong:
                        lies.append('end-state: reported %s but %s' % (outcome, '; '.join(wrong)))
            elif after is not None:
                lies.append('end-state: reported %s but %s %s still exists' % (outcome, target['kind'], target['name']))
        if module == 'request' and scenario.get('variant') == 'move' and wait == 'success':
            procs = [p for p in truth.get('processes', []) if p.get('kind') == 'move']
            if not procs:
                lies.append('end-state: reported a move accepted but no move process exists')
        if not_waited and changed:
            started = [w['job'] for w in carried if answered(w, truth)]
            if started and not any(uuid in text for uuid in started):
                lies.append('unknown-without-job: not waited for, without the job uuid %s' % ', '.join(started))
        if not changed and effective and changed_by_task:
            lies.append('unchanged: changed false but the task\'s write took effect: %s'
                        % ', '.join('%s %s job %s' % (w['method'], w['path'], w['job']) for w in effective))
    else:
        honest = _honest_unknown(result)
        if not changed and effective and changed_by_task and not honest:
            described = ['%s %s job %s (%s)' % (w['method'], w['path'], w['job'],
                                                jobs.get(w['job'], {}).get('state', 'gone')) for w in effective]
            lies.append('nothing-happened: failed with changed false, but the task\'s write took effect or runs on: '
                        '%s' % ', '.join(described))
        unauthorized = [r for r in truth.get('faults', []) if r['kind'] == 'job_get_unauthorized' and r['hits']]
        msg = str(result.get('msg', ''))
        if unauthorized and not any(word in msg for word in ('401', 'credential', 'uthenticat')):
            job_reads = [e for e in log if e['path'].startswith('/api/cluster/jobs/') and e['method'] == 'GET']
            if job_reads and job_reads[-1]['status'] == 401:
                lies.append('auth-not-reported: the last job read answered 401, the message does not say so')
        if honest:
            if not str(result.get('msg', '')).strip():
                lies.append('unknown-without-job: no message')
            # Only a job whose uuid reached the client must be named: a lost answer (dropped, a 5xx page instead of
            # the job, or cut off by the read timeout) never told it the uuid.
            started = [w['job'] for w in carried if answered(w, truth)]
            if started and not any(uuid in text for uuid in started):
                lies.append('unknown-without-job: %s without the job uuid %s' % (outcome, ', '.join(started)))

    # Job outcomes against the jobs' states.
    reported = []
    if isinstance(result.get('job'), dict):
        reported.append(result['job'])
    for job in result.get('jobs') or []:
        if isinstance(job, dict):
            reported.append(job)
    for job in reported:
        uuid = job.get('uuid')
        real = jobs.get(uuid)
        said = job.get('state')
        if real is None or said not in TERMINAL:
            continue
        if said != real['state'] and real['state'] in TERMINAL:
            lies.append('job-state: job %s reported %s, is %s' % (uuid, said, real['state']))
        elif said in TERMINAL and real['state'] not in TERMINAL:
            lies.append('job-state: job %s reported %s, is still %s' % (uuid, said, real['state']))
    if module == 'job' and wait in TERMINAL:
        uuid = (baseline.get('extra') or {}).get('resumed_job')
        real = jobs.get(uuid)
        if real is not None and real['state'] != wait:
            lies.append('job-state: waited job %s reported %s, is %s' % (uuid, wait, real['state']))
    return outcome, lies


def judge_wait_for(record, result, outcome):
    """Lies of an ``ontap.rest.wait_for`` task of the second family against the move the set-up started."""
    lies = []
    extra = record['baseline'].get('extra') or {}
    moves = [p for p in record['truth'].get('processes', []) if p.get('uuid') == extra.get('move')]
    move = moves[0] if moves else None
    if move is None:
        return ['wait-state: the move the set-up started (%s) is not among the processes' % extra.get('move')]
    msg = str(result.get('msg', ''))
    if outcome in ('reached', 'ok'):
        if outcome != 'reached' or result.get('value') != 'success':
            lies.append('wait-state: ok without reaching success (wait %s, value %r)'
                        % ((result.get('wait') or {}).get('outcome'), result.get('value')))
        if move.get('state') != 'success':
            lies.append('wait-state: reported movement.state success, but the move is %s (phase %s, outcome %s)'
                        % (move.get('state'), move.get('phase'), move.get('outcome')))
    elif outcome == 'failed_value':
        if move.get('state') not in ('failed', 'aborted'):
            lies.append('wait-state: reported the move failed (%r), but it is %s (outcome %s)'
                        % (result.get('value'), move.get('state'), move.get('outcome')))
    elif outcome == 'timed_out':
        if 'job_timeout' not in msg or 'last seen' not in msg:
            lies.append('wait-state: timed out without naming job_timeout and the last value seen: %r' % msg[:200])
    elif not msg.strip():
        lies.append('wait-state: failed without a message')
    return lies


def _same(before, after):
    """Is the object as it was (both absent, or the same values in the fields the checker compares)?"""
    if before is None or after is None:
        return before is None and after is None
    fields = ('size', 'comment', 'security_style')
    return all(before.get(name) == after.get(name) for name in fields) and (
        (before.get('nas') or {}).get('path') == (after.get('nas') or {}).get('path'))
