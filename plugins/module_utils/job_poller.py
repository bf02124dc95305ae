# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Private to ontap.rest before 1.0: not a public API; it may change in any release (use the modules instead).
"""Waiting for ONTAP jobs: one poller for every module that sends asynchronous calls.

ONTAP facts (NetApp docs "Asynchronous processing using the job object", ONTAP REST API reference
``/cluster/jobs``; summarised in ``shared/ONTAP_ASYNC.md``):

- a POST/PATCH/DELETE on an asynchronous endpoint returns a job (``{"job": {"uuid", "_links"}}``, or ``"jobs": [...]``
  for query-based PATCH/DELETE); ``return_timeout`` (integer seconds, 0..120) is how long ONTAP holds the request;
- HTTP 200/201 with the job: it finished successfully in time ("you do not need to retrieve the job state"); a job
  that fails in time comes back as an HTTP error; HTTP 202: it is still going, poll ``GET /api/cluster/jobs/{uuid}``;
- job states: ``queued``, ``running``, ``paused`` (not terminal; paused is NOT done), ``success``, ``failure``
  (terminal); nothing else. ``code`` may be non-zero while running (progress); ``error`` (9.9+) only on failure;
- finished jobs are deleted about 300 s after they end (404, code 4); restricted roles and Amazon FSx may get 403 or
  404 on job reads of live jobs.

The waiting logic is pure: time comes from an injectable ``clock`` (monotonic seconds), pauses from ``sleep``
(seconds), jitter from ``rand``. All durations are in seconds.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math
import random
import time

from ansible_collections.ontap.rest.plugins.module_utils.client import OntapResponse, validate_return_timeout
from ansible_collections.ontap.rest.plugins.module_utils.errors import (
    OntapApiError,
    OntapError,
    OntapJobStateError,
    OntapOptionError,
    OntapTransportError,
)

NON_TERMINAL = ('queued', 'running', 'paused')
TERMINAL = ('success', 'failure')
OUTCOMES = ('success', 'failure', 'timed_out', 'unreadable', 'not_waited')

#: Several jobs: the result is the worst of their outcomes, in this order (worst first). ``not_waited`` ranks below
#: ``success``: a mix of both has not been seen to succeed.
SEVERITY = ('failure', 'unreadable', 'timed_out', 'not_waited', 'success')

#: Fields read on every job poll (ONTAP REST API reference, /cluster/jobs; ``error`` is 9.9+, ``svm`` 9.8+).
JOB_FIELDS = 'uuid,state,message,code,error,description,start_time,end_time,svm'

#: A job read answered 404 this many times in a row is ``unreadable`` (FIELD_CASES F13, F01).
NOT_FOUND_LIMIT = 3

#: :meth:`JobPoller._read`'s answer when the client sent nothing (the task's budget was spent).
_NOT_SENT = object()

_UNREADABLE_HINT = 'a role without read access to /api/cluster/jobs, or Amazon FSx'
#: A job that keeps answering 404 was either never shown (Amazon FSx) or has ended and been deleted by ONTAP.
_NOT_FOUND_HINT = ('Amazon FSx, or a job that ended and was deleted: ONTAP keeps an ended job about 300 s, less '
                   'when many jobs run')


def _is_number(value):
    """A finite int or float (not a bool; ``nan`` and ``inf`` are not durations)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class WaitOptions(object):
    """The ``ontap.rest.async_job`` options.

    :param wait_for_completion: wait for the job(s); ``False`` sends ``return_timeout=0`` and reads no job.
    :param return_timeout: seconds (int 0..120) ONTAP holds each write before answering 202.
    :param poll_interval: seconds, the shortest pause between polls (the first poll of a fresh job comes after it);
        each pause is about 10 % of the time already waited (:func:`paced`, small jitter) ...
    :param max_poll_interval: ... never more than this many seconds.
    :param job_timeout: seconds of monotonic time, from sending the request, the whole wait may take.
    """

    def __init__(self, wait_for_completion=True, return_timeout=120, poll_interval=2.0, max_poll_interval=30.0,
                 job_timeout=600.0):
        self.wait_for_completion = wait_for_completion
        self.return_timeout = return_timeout
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.job_timeout = job_timeout

    @classmethod
    def from_params(cls, params):
        """Options from module params (``options.async_job_spec()`` names); missing or ``None`` -> defaults."""
        kwargs = {}
        for name in ('wait_for_completion', 'return_timeout', 'poll_interval', 'max_poll_interval', 'job_timeout'):
            if params.get(name) is not None:
                kwargs[name] = params[name]
        return cls(**kwargs)

    def validate(self):
        """Check every option before anything is sent.

        :returns: self (``return_timeout`` normalised to ``int``).
        :raises OntapOptionError: naming the option at fault.
        """
        if not isinstance(self.wait_for_completion, bool):
            raise OntapOptionError('wait_for_completion', 'wait_for_completion must be true or false.')
        self.return_timeout = validate_return_timeout(self.return_timeout)
        if not _is_number(self.poll_interval) or self.poll_interval <= 0:
            raise OntapOptionError('poll_interval', 'poll_interval must be a positive number of seconds, not %r.'
                                   % (self.poll_interval,))
        if not _is_number(self.max_poll_interval) or self.max_poll_interval < self.poll_interval:
            raise OntapOptionError('max_poll_interval', 'max_poll_interval must be a number of seconds no smaller than '
                                   'poll_interval (%r), not %r.' % (self.poll_interval, self.max_poll_interval))
        if not _is_number(self.job_timeout) or self.job_timeout < 0:
            raise OntapOptionError('job_timeout', 'job_timeout must be a number of seconds >= 0, not %r.'
                                   % (self.job_timeout,))
        return self

    def __repr__(self):
        return ('WaitOptions(wait_for_completion=%r, return_timeout=%r, poll_interval=%r, max_poll_interval=%r, '
                'job_timeout=%r)' % (self.wait_for_completion, self.return_timeout, self.poll_interval,
                                     self.max_poll_interval, self.job_timeout))


#: Seconds added before rounding what is left of a budget down to ``return_timeout`` (a 3 s budget sends 3, not 2,
#: although a few microseconds passed since it started); at most this much past the deadline.
ROUNDING_SLACK = 0.01

#: Seconds a request may end after the deadline: the one last poll at the deadline (and any request sent just before
#: it) gets this long for its answer, so nothing the task does ends later than ``job_timeout + REQUEST_GRACE``.
REQUEST_GRACE = 1.0


class Budget(object):
    """The task's one budget: ``job_timeout`` seconds of monotonic time from :attr:`started` (the task's start).

    Every request, resend, poll and verification read of a task takes its time from one ``Budget``, so nothing the
    task does ends later than ``job_timeout`` plus one HTTP round trip (issue 9, item 2): the client caps each
    request's connect and read timeouts to :meth:`request_time` and makes no GET retry whose pause would end after
    the deadline (``client.OntapClient.budget``).

    :param job_timeout: seconds (>= 0).
    :param clock: monotonic seconds (injectable).
    :param started: ``clock()`` the budget counts from (default: now).
    """

    def __init__(self, job_timeout, clock=time.monotonic, started=None):
        self.job_timeout = float(job_timeout)
        self.clock = clock
        self.started = clock() if started is None else started
        self.deadline = self.started + self.job_timeout

    def remaining(self):
        """Seconds left (>= 0.0)."""
        return max(0.0, self.deadline - self.clock())

    def elapsed(self):
        """Seconds since :attr:`started`."""
        return max(0.0, self.clock() - self.started)

    def request_time(self):
        """Seconds a request sent now may take: what is left before the deadline plus :data:`REQUEST_GRACE` (one
        round trip for the last poll at the deadline). ``<= 0`` once even that has passed (nothing is sent then)."""
        return self.deadline + REQUEST_GRACE - self.clock()

    def return_timeout(self, wanted):
        """The ``return_timeout`` (int seconds) a request may carry now: ``wanted``, never more than the whole seconds
        left (rounded down; 0 when less than a second is left), so ONTAP never holds a request past the deadline.
        :data:`ROUNDING_SLACK` absorbs the microseconds between starting the budget and sending a write."""
        return max(0, min(int(wanted), int(math.floor(self.remaining() + ROUNDING_SLACK))))

    def __repr__(self):
        return 'Budget(job_timeout=%g, remaining=%.3f)' % (self.job_timeout, self.remaining())


def backoff(first, cap, factor=1.5, jitter=0.1, rand=random.random):
    """Pauses between polls, in seconds: ``first``, then x``factor`` each time, never above ``cap``.

    Each pause is spread by +-``jitter`` (a fraction: 0.1 = 10 %) using ``rand()`` in [0, 1) (0.5 = no spread),
    and clamped to ``[0, cap]``. Infinite iterator.
    """
    base = min(float(first), float(cap))
    while True:
        pause = base * (1.0 + jitter * (2.0 * rand() - 1.0))
        yield max(0.0, min(float(cap), pause))
        base = min(float(cap), base * factor)


#: Pacing of the polls after a 202: each pause is about this fraction of the time already waited (issue 13).
PACE_FRACTION = 0.1
#: Spread of each paced pause, a fraction (+-10 %), as in :func:`backoff`.
PACE_JITTER = 0.1


def paced(elapsed, first, cap, fraction=PACE_FRACTION, jitter=PACE_JITTER, rand=random.random):
    """The pause before the next poll, in seconds, when the job has already run ``elapsed`` seconds.

    The pause is proportional to the time already waited, so the detection delay stays a fixed share of the job's
    length with a logarithmic number of polls: ``fraction / (1 + jitter) * elapsed`` spread by +-``jitter`` (``rand()``
    in [0, 1), 0.5 = no spread), then clamped to ``[first, cap]`` (``poll_interval``, ``max_poll_interval``). The
    spread is taken from below the fraction, so no pause is longer than ``max(first, fraction * elapsed)`` and the
    job's end is noticed at most ``fraction * D + first`` seconds late for a job of ``D`` seconds (and never more
    than ``cap`` late). Seconds throughout.
    """
    base = fraction / (1.0 + jitter) * max(0.0, float(elapsed))
    pause = base * (1.0 + jitter * (2.0 * rand() - 1.0))
    return max(float(first), min(float(cap), pause))


class JobWaitResult(object):
    """How a wait ended.

    :ivar outcome: one of :data:`OUTCOMES`.
    :ivar jobs: list of job dicts, each as last read (or as ONTAP first returned it when never read).
    :ivar elapsed: seconds from sending the request (``started_at``) to the end of the wait.
    :ivar polls: number of job GETs made (failed ones included).
    :ivar message: a complete sentence naming each job's uuid, state, message and code.
    :ivar job_outcomes: one outcome per job, same order as ``jobs``.
    """

    def __init__(self, outcome, jobs, elapsed, polls, message, job_outcomes=None):
        self.outcome = outcome
        self.jobs = list(jobs)
        self.elapsed = elapsed
        self.polls = polls
        self.message = message
        self.job_outcomes = list(job_outcomes) if job_outcomes is not None else [outcome] * len(self.jobs)
        #: ``_links.next`` of a query-based write that was not followed (``wait_for_completion: false``), else None.
        self.unfollowed_next = None

    @property
    def job(self):
        """The first job dict, or ``None``."""
        return self.jobs[0] if self.jobs else None

    @property
    def ok(self):
        """``True`` for ``success`` and ``not_waited`` (unless records behind ``_links.next`` were left untouched)."""
        return self.outcome in ('success', 'not_waited') and self.unfollowed_next is None

    def as_result(self):
        """Module result keys: ``{'job': {...}, 'job_wait': {'outcome', 'elapsed' (s, 3 decimals), 'polls'}}``,
        plus ``'jobs': [...]`` when there were several jobs."""
        result = {
            'job': dict(self.job) if self.job is not None else None,
            'job_wait': {'outcome': self.outcome, 'elapsed': round(self.elapsed, 3), 'polls': self.polls},
        }
        if len(self.jobs) > 1:
            result['jobs'] = [dict(job) for job in self.jobs]
        return result

    def __repr__(self):
        return 'JobWaitResult(outcome=%r, elapsed=%.3f, polls=%d, jobs=%d)' % (
            self.outcome, self.elapsed, self.polls, len(self.jobs))


class _Tracked(object):
    """One job being waited for, read by its ``uuid`` (REST) or, with ``key='id'``, by its integer ``id`` (ZAPI;
    ``self.uuid`` then holds the id, the key every read and message uses)."""

    def __init__(self, job, key='uuid'):
        if isinstance(job, dict):
            self.job = dict(job)
        else:
            self.job = {key: job}
        if key == 'id':
            self.uuid = self.job.get('id')
            self.job.setdefault('uuid', None)
        else:
            self.uuid = self.job.get('uuid') or _uuid_from_links(self.job)
        if not self.uuid and key != 'id':
            raise OntapError('ONTAP returned a job without a uuid (%r); it cannot be followed and the outcome was not '
                             'verified.' % (job,))
        self.job.setdefault('uuid', self.uuid)
        self.outcome = None        # set when known: success, failure, unreadable, timed_out, not_waited
        self.last_error = None     # error of the latest failed read (cleared by a good read)
        self.not_found = 0         # 404 answers in a row
        self.read_at = None        # seconds after started_at of the last good read
        self.how = None            # how the outcome became known: 'http' (200/201), 'read', 'given'

    @property
    def state(self):
        """The job's ``state`` as last known, or ``None``."""
        return self.job.get('state')


def _uuid_from_links(job):
    href = ((job.get('_links') or {}).get('self') or {}).get('href') or ''
    return href.rstrip('/').rsplit('/', 1)[-1].split('?', 1)[0] if '/cluster/jobs/' in href else None


class JobPoller(object):
    """Waits for ONTAP jobs inside one deadline, pausing about 10 % of the time already waited between polls
    (:func:`paced`), and never reports more than it saw.

    :param read_job: ``read_job(uuid) -> job dict``; may raise :class:`OntapApiError` / :class:`OntapTransportError`.
    :param options: :class:`WaitOptions` (validated here).
    :param clock: monotonic seconds. :param sleep: pause(seconds). :param rand: ``[0, 1)`` for jitter.
    :param key: ``'uuid'`` (REST jobs) or ``'id'`` (ZAPI jobs, read by integer id with :func:`zapi_jobs.zapi_job_reader`).
    """

    def __init__(self, read_job, options, clock=time.monotonic, sleep=time.sleep, rand=random.random, key='uuid'):
        self.key = key
        self.read_job = read_job
        self.options = options.validate()
        self.clock = clock
        self.sleep = sleep
        self.rand = rand

    def wait(self, status_code, body, started_at, budget=None):
        """Wait after an asynchronous write.

        :param status_code: the write's HTTP status: 200/201 = finished successfully within ``return_timeout`` (no
            GET is made), 202 = poll (unless ``wait_for_completion`` is false: ``not_waited``, no GET).
        :param body: the write's JSON body with ``job`` or ``jobs``.
        :param started_at: ``clock()`` taken before the request was sent (``elapsed`` counts from it).
        :param budget: the task's :class:`Budget`, whose deadline ends the wait (default: ``job_timeout`` seconds
            from ``started_at``).
        :returns: :class:`JobWaitResult`.
        :raises OntapError: the answer carried no job, or its status is not 200/201/202.
        :raises OntapJobStateError: a job read gave a missing or unknown state.
        """
        body = body if isinstance(body, dict) else {}
        if isinstance(body.get('jobs'), list):
            raw = [job for job in body['jobs'] if isinstance(job, dict)]
        else:
            raw = [body['job']] if isinstance(body.get('job'), dict) else []
        if not raw:
            raise OntapError('HTTP %s answer carried no job to wait for; the outcome was not verified.' % status_code)
        tracked = [_Tracked(job) for job in raw]
        if status_code in (200, 201):
            for item in tracked:
                # ONTAP: 200/201 with a job means the job completed successfully within return_timeout.
                item.outcome, item.how = 'success', 'http%d' % status_code
                item.job.setdefault('state', 'success')
            return self._result(tracked, started_at, 0)
        if status_code != 202:
            raise OntapError('HTTP %s answer with a job is not one of 200, 201, 202; the outcome was not verified.'
                             % status_code)
        if not self.options.wait_for_completion:
            for item in tracked:
                item.outcome = 'not_waited'
            return self._result(tracked, started_at, 0)
        return self._poll(tracked, started_at, False, budget)

    def failed_in_time(self, error, started_at):
        """The result of a write whose job failed within ``return_timeout``: ONTAP answers with an HTTP error whose
        body holds ``error`` and ``job`` (shared/ONTAP_ASYNC.md). The job is read once for its state, message, code
        and error as ONTAP gives them; when that read fails, the answer's error stands in for them.

        :param error: the :class:`OntapApiError` (its ``body`` has ``job`` with a uuid).
        :returns: :class:`JobWaitResult` with outcome ``failure``, the same shape as a failure seen by polling.
        """
        item = _Tracked(error.body['job'])
        polls = 0
        if self.options.wait_for_completion:
            polls = 1
            try:
                job = self.read_job(item.uuid)
            except (OntapApiError, OntapTransportError) as exc:
                job = None
                item.last_error = exc               # said in the message: the failure is the answer's, not a read's
            if isinstance(job, dict) and job.get('state') in TERMINAL:
                item.job = dict(job, uuid=job.get('uuid') or item.uuid)
        if item.job.get('state') not in TERMINAL:
            details = {'code': error.code, 'message': error.message}
            if error.arguments:
                details['arguments'] = error.arguments
            item.job.update(state='failure', message=error.message, code=_int_code(error.code), error=details)
        item.outcome = item.job['state']
        item.how = 'http%d' % error.status
        return self._result([item], started_at, polls)

    def wait_for(self, jobs, started_at, budget=None):
        """Wait for existing job(s) (``ontap.rest.job``).

        :param jobs: job dicts as last read (at least ``uuid``) or uuid strings. A job whose ``state`` is already
            terminal is not read again; a job without a known state is read at once, others after ``poll_interval``.
        :param started_at: monotonic seconds ``elapsed`` counts from.
        :param budget: the task's :class:`Budget`, whose deadline ends the wait (default: ``job_timeout`` seconds
            from ``started_at``).
        :returns: :class:`JobWaitResult` (``not_waited`` without any GET when ``wait_for_completion`` is false).
        :raises OntapJobStateError: a job read gave a missing or unknown state.
        """
        tracked = [_Tracked(job, self.key) for job in jobs]
        if not tracked:
            raise OntapError('No job to wait for.')
        for item in tracked:
            if item.state in TERMINAL:
                item.outcome, item.how = item.state, 'given'
            elif not self.options.wait_for_completion:
                item.outcome = 'not_waited'
            elif item.state in NON_TERMINAL:
                item.read_at = 0.0   # the caller saw it going: at the deadline it is timed_out, not unreadable
        read_first = any(item.outcome is None and item.state not in NON_TERMINAL for item in tracked)
        return self._poll(tracked, started_at, read_first, budget)

    def wait_zapi(self, starts, started_at, budget=None):
        """Wait after an asynchronous ZAPI call: the same outcomes, deadline, backoff and messages as :meth:`wait`.

        :param starts: the job(s) the answer named (``zapi_jobs.parse_start``): ``succeeded`` -> ``success`` without
            a read (like HTTP 200/201), ``failed`` -> ``failure`` with ``result-error-code``/``result-error-message``,
            ``in_progress`` -> polled by id (``not_waited`` without a read when ``wait_for_completion`` is false).
        :param started_at: ``clock()`` taken before the call was sent (``elapsed`` counts from it).
        :param budget: the task's :class:`Budget`, whose deadline ends the wait (default: ``job_timeout`` seconds
            from ``started_at``).
        :returns: :class:`JobWaitResult`. Needs a poller made with ``key='id'`` and :func:`zapi_jobs.zapi_job_reader`.
        :raises OntapError: no job named. :raises OntapJobStateError: a job read gave a missing or unknown state.
        """
        if not starts:
            raise OntapError('The ZAPI answer named no job to wait for; the outcome was not verified.')
        tracked = []
        for start in starts:
            item = _Tracked({'id': start.get('jobid'), 'uuid': None}, 'id')
            if start['status'] == 'succeeded':
                item.outcome, item.how = 'success', 'zapi-succeeded'
                item.job['state'] = 'success'
            elif start['status'] == 'failed':
                item.outcome, item.how = 'failure', 'zapi-failed'
                item.job.update(state='failure', message=start.get('error_message'), code=start.get('error_code'))
            elif not self.options.wait_for_completion:
                item.outcome = 'not_waited'
            tracked.append(item)
        if all(item.outcome is not None for item in tracked):
            return self._result(tracked, started_at, 0)
        return self._poll(tracked, started_at, False, budget)

    # -- the loop ----------------------------------------------------------------------------------------------

    def _poll(self, tracked, started_at, read_first, budget):
        if budget is None:
            budget = Budget(self.options.job_timeout, self.clock, started_at)
        deadline = budget.deadline
        polls = 0
        retry_after = None
        while True:
            pending = [item for item in tracked if item.outcome is None]
            if not pending:
                break
            remaining = deadline - self.clock()
            if read_first or remaining <= 0:
                final = remaining <= 0
                read_first = False
            else:
                pause = paced(self.clock() - started_at, self.options.poll_interval, self.options.max_poll_interval,
                              rand=self.rand)
                if retry_after is not None:
                    pause = max(pause, retry_after)
                    retry_after = None
                final = pause >= remaining
                self.sleep(min(pause, remaining))
            for item in pending:
                hint = self._read(item, started_at)
                if hint is _NOT_SENT:
                    continue
                polls += 1
                if hint is not None:
                    retry_after = hint if retry_after is None else max(retry_after, hint)
            if final:
                break
        for item in tracked:
            if item.outcome is None:
                # the deadline passed: still going if we ever saw it, else we never could read it
                item.outcome = 'timed_out' if item.read_at is not None else 'unreadable'
        return self._result(tracked, started_at, polls)

    def _read(self, item, started_at):
        """One job GET. Sets ``item.outcome`` when known. :returns: a ``Retry-After`` hint (seconds), ``None``, or
        :data:`_NOT_SENT` when the client sent nothing (the task's budget was spent)."""
        try:
            job = self.read_job(item.uuid)
        except OntapApiError as exc:
            item.last_error = exc
            if exc.status in (401, 403):
                item.outcome = 'unreadable'          # F14: no retry, no storm
                return None
            if exc.is_not_found:
                item.not_found += 1                  # F13, F01: bounded re-reads
                if item.not_found >= NOT_FOUND_LIMIT:
                    item.outcome = 'unreadable'
                return None
            item.not_found = 0
            if exc.is_busy or exc.is_server_error:       # 429, 503, 5xx, ONTAP busy codes
                return exc.retry_after               # transient: retried inside the deadline
            item.outcome = 'unreadable'              # any other 4xx: reading the job does not work
            return None
        except OntapTransportError as exc:
            if exc.kind == 'budget':
                # Nothing was sent (job_timeout had run out): not a poll, and the last real answer stays the news.
                item.last_error = item.last_error or exc
                return _NOT_SENT
            item.last_error = exc                    # transient: retried inside the deadline
            item.not_found = 0
            return None
        elapsed = self.clock() - started_at
        if not isinstance(job, dict):
            raise OntapJobStateError(item.uuid, {}, elapsed)
        job = dict(job)
        job.setdefault('uuid', item.uuid)
        item.job, item.last_error, item.not_found, item.read_at = job, None, 0, elapsed
        state = job.get('state')
        if state in TERMINAL:
            item.outcome, item.how = state, 'read'
        elif state not in NON_TERMINAL:
            raise OntapJobStateError(item.uuid, job, elapsed)   # never guess: missing/unknown is not success
        return None

    # -- the result --------------------------------------------------------------------------------------------

    def _result(self, tracked, started_at, polls):
        elapsed = max(0.0, self.clock() - started_at)
        outcomes = [item.outcome for item in tracked]
        outcome = min(outcomes, key=SEVERITY.index)
        sentences = [self._sentence(item, elapsed) for item in tracked]
        if len(tracked) == 1:
            message = sentences[0] + '.'
        else:
            message = '%d jobs, outcome %s: %s.' % (len(tracked), outcome, '; '.join(sentences))
        return JobWaitResult(outcome, [item.job for item in tracked], elapsed, polls, message, outcomes)

    def _sentence(self, item, elapsed):
        outcome, uuid = item.outcome, item.uuid
        if item.how == 'zapi-succeeded':
            return ('Job %s finished successfully before the ZAPI call answered (result-status succeeded; no job read '
                    'is needed then)' % (uuid if uuid is not None else '(no job id)'))
        if item.how == 'zapi-failed':
            return ('The ZAPI call failed (result-status failed%s): result-error-code %s, result-error-message "%s"'
                    % (', job %s' % uuid if uuid is not None else '', item.job.get('code'),
                       item.job.get('message') or '(none given)'))
        if outcome == 'success' and item.how and item.how.startswith('http'):
            return ('Job %s finished successfully within return_timeout (HTTP %s, state success; ONTAP reports its '
                    'message and code only on a job read, which is not needed then)' % (uuid, item.how[4:]))
        if outcome == 'success':
            return 'Job %s succeeded (%s)' % (uuid, _facts(item.job))
        if outcome == 'failure':
            text = 'Job %s failed (%s)' % (uuid, _facts(item.job, error=True))
            if item.last_error is not None:
                error = item.last_error
                text += ('; ONTAP\'s answer to the request said so, and reading the job then failed: %s%s'
                         % (_clause(error), ' (rejected, e.g. an expired token or a changed password)'
                            if isinstance(error, OntapApiError) and error.status == 401 else ''))
            return text
        if outcome == 'not_waited':
            return ('Request accepted as job %s; not waited for (wait_for_completion: false), so its state, message '
                    'and code were not read; the outcome was not verified' % uuid)
        if outcome == 'timed_out':
            if item.state == 'paused':
                text = ('Stopped waiting at job_timeout (%g s): the job is paused, not finished, after %.0f s (job %s, %s); '
                        'it was not cancelled; resume it (ontap.rest.job action: resume) and wait again with ontap.rest.job'
                        % (self.options.job_timeout, elapsed, uuid, _facts(item.job)))
            else:
                text = ('Stopped waiting at job_timeout (%g s): still running after %.0f s (job %s, %s); the job was not '
                        'cancelled and goes on, its outcome is not known yet'
                        % (self.options.job_timeout, elapsed, uuid, _facts(item.job)))
            if item.last_error is not None:
                text += '; last seen at %.0f s, the latest poll failed: %s' % (item.read_at, _clause(item.last_error))
            return text
        # unreadable
        error = item.last_error
        if isinstance(error, OntapApiError) and error.status == 401:
            hint = 'rejected while polling, e.g. an expired token or a changed password'
        elif isinstance(error, OntapApiError) and error.status == 403:
            hint = _UNREADABLE_HINT
        elif isinstance(error, OntapApiError) and error.is_not_found:
            hint = _NOT_FOUND_HINT
        else:
            hint = 'no readable answer until job_timeout of %g s' % self.options.job_timeout
        text = ('Request accepted as job %s; the job\'s status could not be read: %s (%s); the outcome was not verified'
                % (uuid, _clause(error) if error is not None else 'no answer', hint))
        if item.read_at is not None:
            text += ' (last seen at %.0f s: %s)' % (item.read_at, _facts(item.job))
        return text


def _int_code(code):
    """ONTAP's error code (a string in error bodies) as the integer a job object carries, when it is one."""
    try:
        return int(code)
    except (TypeError, ValueError):
        return code


def job_error(exc):
    """``True`` when ``exc`` is an HTTP error that names a job: the job ran and failed within ``return_timeout``."""
    job = exc.body.get('job') if isinstance(exc, OntapApiError) and isinstance(exc.body, dict) else None
    return isinstance(job, dict) and bool(job.get('uuid') or _uuid_from_links(job))


def _clause(error):
    return str(error).rstrip('. ')


def _facts(job, error=False):
    """``state S, message "M", code C`` (+ the 9.9+ ``error`` object on failure)."""
    message = job.get('message')
    parts = ['state %s' % job.get('state', 'unknown'),
             'message "%s"' % message if message else 'no message given by ONTAP',
             'code %s' % job['code'] if job.get('code') is not None else 'no code given']
    details = job.get('error') if error else None
    if isinstance(details, dict) and (details.get('code') or details.get('message')):
        text = 'error %s: %s' % (details.get('code'), details.get('message') or '')
        arguments = [arg.get('message') for arg in details.get('arguments') or [] if isinstance(arg, dict) and arg.get('message')]
        if arguments:
            text += ' (%s)' % '; '.join(arguments)
        parts.append(text.strip())
    return ', '.join(parts)


def job_reader(client, fields=JOB_FIELDS):
    """A ``read_job(uuid) -> job dict`` for :class:`JobPoller`: ``GET /api/cluster/jobs/{uuid}?fields=...``.

    Reads go through ``client`` with ``retry=False`` (the poller owns the deadline and its retries). If ONTAP rejects
    the field list with HTTP 400 (a release without ``error``/``svm``), reads switch to ``fields=*``.
    """
    chosen = {'fields': fields}

    def read_job(uuid):
        try:
            return client.request('GET', 'cluster/jobs/%s' % uuid, query={'fields': chosen['fields']}, retry=False).body
        except OntapApiError as exc:
            if exc.status == 400 and chosen['fields'] != '*':
                chosen['fields'] = '*'
                return client.request('GET', 'cluster/jobs/%s' % uuid, query={'fields': '*'}, retry=False).body
            raise
    return read_job


def send_and_wait(client, method, path, query=None, body=None, options=None, clock=time.monotonic, sleep=time.sleep,
                  rand=random.random, budget=None):
    """Send an asynchronous write and wait for its job(s).

    Options are validated before anything is sent; the request is never resent. Its ``return_timeout`` is the
    option's value (0 when not waiting), never more than the whole seconds left in the budget, and the client's read
    timeout follows it (``http_timeout + return_timeout``): ONTAP never holds the request past the deadline.

    :param budget: the task's :class:`Budget` (default: a new one of ``options.job_timeout`` seconds, from now). The
        wait ends at its deadline, whatever the write's pages and polls.
    :returns: ``(OntapResponse, JobWaitResult)``, or ``(OntapResponse, None)`` for a 2xx answer without a job
        (a synchronous endpoint). A job that failed within ``return_timeout`` (an HTTP error naming a job) is a
        ``JobWaitResult`` with outcome ``failure`` and the job read once, like a failure seen after a 202; the
        response is then ONTAP's error answer (its status and body) as an ``OntapResponse``.
    :raises OntapOptionError: bad options (nothing sent).
    :raises OntapApiError: HTTP error without a job; for a 5xx on a write, ``outcome_unknown`` is true and the message
        says the outcome is unknown and nothing was resent (F07).
    :raises OntapTransportError: no answer; for a write that may have reached ONTAP (read timeout, reset)
        ``outcome_unknown`` is true and the message says so (F07).
    :raises OntapError: HTTP 202 without a job (the outcome cannot be followed).
    """
    options = options if options is not None else WaitOptions()
    options.validate()
    budget = budget if budget is not None else Budget(options.job_timeout, clock)
    wanted = options.return_timeout if options.wait_for_completion else 0
    started_at = clock()
    poller = JobPoller(job_reader(client), options, clock=clock, sleep=sleep, rand=rand)
    try:
        response = client.request(method, path, query=query, body=body, return_timeout=budget.return_timeout(wanted),
                                  retry=False)
    except OntapApiError as exc:
        if job_error(exc):
            return _error_response(exc), poller.failed_in_time(exc, started_at)
        raise
    if not response.jobs:
        if response.status_code == 202:
            raise OntapError('%s %s: HTTP 202 (accepted) without a job to follow; the outcome was not verified.'
                             % (method.upper(), response.url))
        return response, None
    result = poller.wait(response.status_code, response.body, started_at, budget)
    if not options.wait_for_completion and next_href(response.body):
        # A query-based PATCH/DELETE that ONTAP cut short: the records behind _links.next were not touched, and
        # following it means waiting for these jobs first. Reporting "accepted" would hide that (never a silent part).
        result.unfollowed_next = next_href(response.body)
        result.message = ('%s ONTAP acted only on the first record(s) and answered with _links.next for the rest (%s); '
                          'with wait_for_completion: false it was not followed, so those records were not changed. '
                          'Use wait_for_completion: true to process every matching record.'
                          % (result.message, result.unfollowed_next))
    first_response = response
    while options.wait_for_completion and result.outcome == 'success' and next_href(response.body):
        # A query-based PATCH/DELETE that ONTAP cut short (max_records or return_timeout) names where to go on with
        # the same method and body (ONTAP REST API reference, "Query-based PATCH and DELETE"). Following it is
        # ONTAP's instruction, not a resend: the records already done are not in the next page. One deadline for all.
        if budget.remaining() <= 0:
            result.outcome = 'timed_out'
            result.unfollowed_next = next_href(response.body)
            result.message = ('%s job_timeout (%g s) ran out before the records behind ONTAP\'s _links.next (%s) were '
                              'processed; those records were not changed. Run the task again with a larger job_timeout.'
                              % (result.message, budget.job_timeout, result.unfollowed_next))
            break
        try:
            response = client.request(method, next_href(response.body), body=body,
                                      return_timeout=budget.return_timeout(wanted), retry=False)
        except OntapApiError as exc:
            if not job_error(exc):
                raise
            result = _merge(result, poller.failed_in_time(exc, started_at), clock() - started_at)
            break
        if not response.jobs:
            break
        result = _merge(result, poller.wait(response.status_code, response.body, started_at, budget),
                        clock() - started_at)
    href = next_href(response.body)
    if options.wait_for_completion and result.unfollowed_next is None and result.outcome != 'success' and href:
        # Cut short (job_timeout ran out while a page's jobs were still going, or a job failed) with records left
        # behind _links.next: say which jobs ended how, and return the resume point as when the budget ran out
        # between pages (never a silent part).
        result.unfollowed_next = href
        if result.outcome == 'failure':
            why = 'after the failure it was not followed'
        else:
            why = ('it was not followed, because ONTAP starts those records only after the jobs above have ended; '
                   'wait for the jobs still running (ontap.rest.job), then send the same %s with path set to that '
                   'link' % method.upper())
        result.message = ('%s %s. The records behind ONTAP\'s _links.next (%s) were not changed: %s.'
                          % (result.message.rstrip('.') + '.', _tally(result), href, why))
    return first_response, result


def _tally(result):
    """``"Of 2 jobs: 1 success, 1 timed_out"``: how each job of a (query-based) write ended."""
    counts = [(outcome, result.job_outcomes.count(outcome)) for outcome in SEVERITY[::-1]
              if outcome in result.job_outcomes]
    return 'Of %d job%s: %s' % (len(result.jobs), '' if len(result.jobs) == 1 else 's',
                                ', '.join('%d %s' % (count, outcome) for outcome, count in counts))


def _error_response(exc):
    """ONTAP's HTTP error answer that named a failed job, as an :class:`OntapResponse` (status and body as sent)."""
    return OntapResponse(exc.status, exc.body, {}, exc.method, exc.url)


def next_href(body):
    """``_links.next.href`` of an ONTAP answer body (a dict), or ``None``: where a collection or a query-based
    write goes on (ONTAP REST API reference, "Query parameters")."""
    links = body.get('_links') if isinstance(body, dict) else None
    nxt = links.get('next') if isinstance(links, dict) else None
    return nxt.get('href') if isinstance(nxt, dict) else None


def _merge(done, page, elapsed):
    """One :class:`JobWaitResult` for the pages of a query-based write: every job, the worst outcome."""
    jobs = done.jobs + page.jobs
    outcomes = done.job_outcomes + page.job_outcomes
    outcome = min(outcomes, key=SEVERITY.index)
    message = page.message if outcome != 'success' else '%d jobs, outcome success: every job ended in success.' % len(jobs)
    return JobWaitResult(outcome, jobs, elapsed, done.polls + page.polls, message, outcomes)
