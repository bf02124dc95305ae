# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Private to ontap.rest before 1.0: not a public API; it may change in any release (use the modules instead).
"""Waiting for a field of any ONTAP resource to reach a value (FIELD_CASES F01, F09, F10, F11, F17).

A job's ``success`` can mean "accepted" (a software update, a SnapMirror quiesce), and some operations have no job at
all (SnapMirror transfers: wait on ``transfer.state``). This waiter polls one resource inside the task's budget
(:class:`job_poller.Budget`: ``job_timeout`` of monotonic time, a last read at the deadline), pausing
``poll_interval`` growing x1.5 up to ``max_poll_interval`` (:func:`job_poller.backoff`; the first read is made at
once, so there is no time already waited to pace on as the job poller does after a 202), and reports the last value
seen when the budget runs out.

Pure logic: reads come from an injectable ``read()``, time from ``clock`` (seconds), pauses from ``sleep`` (seconds).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import random
import time

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError, OntapTransportError
from ansible_collections.ontap.rest.plugins.module_utils.job_poller import Budget, backoff

_MISSING = object()


def field_value(record, dotted):
    """Value at ``dotted`` (``'transfer.state'``) in ``record``; a missing part gives ``None``."""
    value = record
    for part in dotted.split('.'):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def field_present(record, dotted):
    """``True`` when every part of ``dotted`` is a key in ``record`` (a value of ``None`` counts as present)."""
    value = record
    for part in dotted.split('.'):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


class StateWaitResult(object):
    """How a state wait ended.

    :ivar outcome: ``reached``, ``failed_value`` or ``timed_out``.
    :ivar value: the field's last value seen (``None`` if never read).
    :ivar record: the resource as last read (``None`` if never read).
    :ivar elapsed: seconds since ``started_at``. :ivar polls: reads made. :ivar message: a complete sentence.
    """

    def __init__(self, outcome, value, record, elapsed, polls, message):
        self.outcome = outcome
        self.value = value
        self.record = record
        self.elapsed = elapsed
        self.polls = polls
        self.message = message

    def as_result(self):
        """Module result keys: ``value``, ``resource``, ``wait`` (``outcome``, ``elapsed`` s, ``polls``)."""
        return dict(value=self.value, resource=self.record,
                    wait=dict(outcome=self.outcome, elapsed=round(self.elapsed, 3), polls=self.polls))


def wait_for_state(read, field, success_values, failure_values, options, started_at, clock=time.monotonic,
                   sleep=time.sleep, rand=random.random, what='the resource', absent='the resource was not found',
                   budget=None):
    """Poll ``read()`` until ``field`` is in ``success_values`` or ``failure_values``, or ``options.job_timeout`` ends.

    :param read: ``read() -> dict`` (the resource), or ``None`` when the resource does not exist (yet), e.g. a
        collection query that matches no record; may raise :class:`OntapApiError` / :class:`OntapTransportError`.
        No resource yet, transient errors (transport errors, 5xx, 429, busy codes) and 404 (an object just changed,
        or a node rebooting: F01, F10) are tolerated inside the budget; 401/403 and other 4xx end the wait by raising.
        A field ONTAP leaves out of an answer is not set on the resource (``nas.path`` of an unmounted volume): it
        reads as ``None`` and the wait goes on (``None`` in the wanted values waits for it to be unset). A field name
        ONTAP does not know is refused by ONTAP itself (HTTP 400 on ``fields=``), which ends the wait at the first
        read.
    :param field: dotted field name. :param success_values: values that end the wait successfully.
    :param failure_values: values that end it as failed (e.g. ``failed`` for a transfer).
    :param options: :class:`job_poller.WaitOptions` (``poll_interval``, ``max_poll_interval``, ``job_timeout``).
    :param started_at: ``clock()`` ``elapsed`` counts from. The first read is made at once.
    :param budget: the task's :class:`job_poller.Budget`, whose deadline ends the wait (default: ``job_timeout``
        seconds from ``started_at``).
    :param what: the resource, for messages (``'the resource storage/volumes/<uuid>'``).
    :param absent: a clause for a read that found no resource (``'no record matches the query name=vol1'``).
    :returns: :class:`StateWaitResult`.
    :raises OntapApiError: an error that waiting cannot cure (401, 403, 400 for an unknown field, ...).
    """
    options.validate()
    if budget is None:
        budget = Budget(options.job_timeout, clock, started_at)
    deadline = budget.deadline
    pauses = backoff(options.poll_interval, options.max_poll_interval, rand=rand)
    success_values = list(success_values)
    failure_values = list(failure_values or [])
    record, value, polls, last_error, final, missing = None, _MISSING, 0, None, False, False
    while True:
        polls += 1
        try:
            answer = read()
            last_error = None
            missing = answer is None
            if not missing:
                record = answer
                value = field_value(record, field)
        except OntapApiError as exc:
            if not (exc.is_not_found or exc.is_busy or exc.is_server_error):
                raise
            last_error = exc
        except OntapTransportError as exc:
            last_error = exc
        elapsed = clock() - started_at
        if last_error is None and not missing and matches(value, success_values):
            return StateWaitResult('reached', value, record, elapsed, polls, '%s reached %s=%r after %.0f s.'
                                   % (_cap(what), field, value, elapsed))
        if last_error is None and not missing and matches(value, failure_values):
            return StateWaitResult('failed_value', value, record, elapsed, polls, '%s reached %s=%r, a failure value '
                                   '(waiting for %s), after %.0f s.' % (_cap(what), field, value, _list(success_values), elapsed))
        remaining = deadline - clock()
        if final or remaining <= 0:
            break
        pause = next(pauses)
        retry_after = getattr(last_error, 'retry_after', None)
        if retry_after:
            pause = max(pause, retry_after)
        final = pause >= remaining
        sleep(min(pause, remaining))
    elapsed = clock() - started_at
    if value is _MISSING:
        seen = absent if missing else 'never read'
    else:
        seen = '%s=%r' % (field, value) if value is not None or field_present(record or {}, field) else \
            '%s not set' % field
    message = ('Stopped waiting at job_timeout (%g s): %s has not reached %s=%s after %.0f s (last seen: %s)'
               % (options.job_timeout, what, field, _list(success_values), elapsed, seen))
    if last_error is not None:
        message += '; the latest read failed: %s' % str(last_error).rstrip('. ')
    elif missing and value is not _MISSING:
        message += '; at the latest read %s' % absent
    return StateWaitResult('timed_out', None if value is _MISSING else value, record, elapsed, polls, message + '.')


def matches(value, wanted):
    """``value`` (as read) is one of ``wanted``: equal, or equal as text (``"1073741824"`` matches ``1073741824``,
    ``"true"`` matches ``True``), since values templated by Jinja2 often arrive as strings."""
    if value is None:
        return None in wanted
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return any(value == item or (item is not None and text == (str(item).lower() if isinstance(item, bool) else str(item)))
               for item in wanted)


def _list(values):
    return '|'.join(str(value) for value in values)


def _cap(text):
    return text[:1].upper() + text[1:]
