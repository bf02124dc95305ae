# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Private to ontap.rest before 1.0: not a public API; it may change in any release (use the modules instead).
"""Waiting for a field of any ONTAP resource to reach a value (FIELD_CASES F01, F09, F10, F11, F17).

A job's ``success`` can mean "accepted" (a software update, a SnapMirror quiesce), and some operations have no job at
all (SnapMirror transfers: wait on ``transfer.state``). This waiter polls one resource inside the task's budget
(:class:`job_poller.Budget`: ``job_timeout`` of monotonic time, a last read at the deadline), and reports the last
value seen when the budget runs out. The first read is made at once; the pauses are paced as the job poller paces
its polls (:func:`job_poller.paced`): about 10 % of the time already waited, never below ``poll_interval`` nor above
``max_poll_interval``, so an operation of ``D`` seconds (a volume move, a SnapMirror transfer) is noticed at most
``0.1 * D + poll_interval`` seconds after it ends, with a number of reads that grows with the logarithm of ``D``.

Freshness (ONTAP_LONG_OPERATIONS "Stale-state trap", SM-04, NDU-03): right after a request, the first reads can show
the *previous* operation's terminal state (a SnapMirror relationship's last ``transfer.state``, a volume's last
``movement.state``, the last software update's ``state``). A ``fresh(record) -> bool`` predicate (a
:class:`FreshGuard`, or any callable) tells the reads that describe the new operation from those that do not: a read
that is not fresh never ends the wait, whatever its value, and the timeout message says the last read was stale and
why.

Pure logic: reads come from an injectable ``read()``, time from ``clock`` (seconds), pauses from ``sleep`` (seconds).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import math
import random
import re
import time

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError, OntapOptionError, OntapTransportError
from ansible_collections.ontap.rest.plugins.module_utils.job_poller import Budget, paced

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


_UTC = datetime.timezone.utc
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=_UTC)
_ISO = re.compile(r'^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?$',
                  re.IGNORECASE)
_NUMBER = re.compile(r'^\d+(\.\d+)?$')


def parse_time(value):
    """An aware ``datetime`` from ``value``, or ``None`` when it is not a timestamp.

    :param value: ISO 8601 date and time as ONTAP writes them (``2026-12-02T01:02:03-05:00``, ``...Z``, ``+0530``,
        fractions of a second allowed; a space may stand for ``T``), or epoch seconds (a non-negative int, float or
        string of digits). A time without an offset (naive) is read as **UTC**, not as the controller's or the
        cluster's local time. A date without a time, ``True``/``False`` and anything else give ``None``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.match(value.strip())):
        try:
            seconds = float(value)
            if seconds < 0 or not math.isfinite(seconds):
                return None
            return _EPOCH + datetime.timedelta(seconds=seconds)
        except (OverflowError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    found = _ISO.match(value.strip())
    if not found:
        return None
    year, month, day, hour, minute, second, fraction, offset = found.groups()
    try:
        when = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                                 int((fraction or '0')[:6].ljust(6, '0')), tzinfo=_UTC)
        if offset and offset.upper() != 'Z':
            digits = offset[1:].replace(':', '')
            delta = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            if delta >= datetime.timedelta(hours=24):
                return None
            when = when.replace(tzinfo=datetime.timezone(delta if offset[0] == '+' else -delta))
    except (OverflowError, ValueError):
        return None
    return when


def _iso(when):
    return when.isoformat().replace('+00:00', 'Z')


class FreshGuard(object):
    """``guard(record) -> bool``: is this read about the new operation, not the previous one's terminal state?

    Exactly one test, on the dotted field ``field`` of the record:

    - ``after``: the field is a timestamp at or after ``after`` (``movement.start_time`` later than the request,
      ``transfer.end_time`` later than the request). Both are read by :func:`parse_time` (naive = UTC) and compared
      as aware datetimes, to the whole second (fractions of ``after`` are dropped: ONTAP writes whole seconds, so an
      operation started in the second of the request counts as fresh). A field that is not set or not a timestamp
      is not fresh.
    - ``changed_from``: the field no longer has this value (``transfer.uuid`` read before a SnapMirror update); a
      field that is not set differs from any value. Compared like :func:`matches` (``"5"`` equals ``5``).
    - ``equals``: the field has this value (``pending_version`` equal to the target, ``clone.split_initiated``
      ``true``).

    :param option: the option name the arguments came from, for errors (``fresh`` gives ``fresh.after``).
    :raises OntapOptionError: no field, not exactly one test, or an ``after`` that is not a timestamp; ``option``
        names the sub-option at fault.
    """

    TESTS = ('after', 'changed_from', 'equals')

    def __init__(self, field, after=None, changed_from=None, equals=None, option='fresh'):
        if not isinstance(field, str) or not field.strip() or any(not part for part in field.split('.')):
            raise OntapOptionError('%s.field' % option, '%s.field must be a dotted field name such as '
                                   'movement.start_time, not %r.' % (option, field))
        given = [name for name, value in zip(self.TESTS, (after, changed_from, equals)) if value is not None]
        if len(given) != 1:
            raise OntapOptionError(option, '%s needs exactly one of after, changed_from or equals (given: %s).'
                                   % (option, ', '.join(given) or 'none'))
        self.field = field
        self.test = given[0]
        self.changed_from = changed_from
        self.equals = equals
        self.after = None
        if after is not None:
            when = parse_time(after)
            if when is None:
                raise OntapOptionError('%s.after' % option, '%s.after must be a timestamp: ISO 8601 date and time as '
                                       'ONTAP writes them (2026-12-02T01:02:03-05:00 or 2026-12-02T06:02:03Z; without '
                                       'an offset it is read as UTC) or epoch seconds, not %r.' % (option, after))
            self.after = when.replace(microsecond=0)

    def __call__(self, record):
        return self.why_not(record) is None

    def why_not(self, record):
        """``None`` when ``record`` is fresh, else a clause saying why not (``movement.start_time='...' is before
        2026-12-02T06:02:03Z``)."""
        present = field_present(record or {}, self.field)
        value = field_value(record or {}, self.field)
        shown = '%s=%r' % (self.field, value) if present and value is not None else '%s not set' % self.field
        if self.test == 'changed_from':
            return '%s, the value before the request' % shown if matches(value, [self.changed_from]) else None
        if self.test == 'equals':
            return None if matches(value, [self.equals]) else '%s, not %r' % (shown, self.equals)
        if not present or value is None:
            return '%s (no time at or after %s)' % (shown, _iso(self.after))
        when = parse_time(value)
        if when is None:
            return '%s is not a timestamp' % shown
        return None if when >= self.after else '%s is before %s' % (shown, _iso(self.after))

    def describe(self):
        """The test as a clause (``movement.start_time at or after 2026-12-02T06:02:03Z``)."""
        if self.test == 'after':
            return '%s at or after %s' % (self.field, _iso(self.after))
        if self.test == 'changed_from':
            return '%s no longer %r' % (self.field, self.changed_from)
        return '%s=%r' % (self.field, self.equals)


class StateWaitResult(object):
    """How a state wait ended.

    :ivar outcome: ``reached``, ``failed_value`` or ``timed_out``.
    :ivar value: the field's last value seen (``None`` if never read).
    :ivar record: the resource as last read (``None`` if never read).
    :ivar elapsed: seconds since ``started_at``. :ivar polls: reads made. :ivar message: a complete sentence.
    :ivar fresh: whether the last record read passed the freshness guard (``None``: no guard, or never read).
    :ivar stale_reads: reads that did not pass it (``None`` without a guard).
    """

    def __init__(self, outcome, value, record, elapsed, polls, message, fresh=None, stale_reads=None):
        self.outcome = outcome
        self.value = value
        self.record = record
        self.elapsed = elapsed
        self.polls = polls
        self.message = message
        self.fresh = fresh
        self.stale_reads = stale_reads

    def as_result(self):
        """Module result keys: ``value``, ``resource``, ``wait`` (``outcome``, ``elapsed`` s, ``polls``; with a
        freshness guard also ``fresh`` and ``stale_reads``)."""
        wait = dict(outcome=self.outcome, elapsed=round(self.elapsed, 3), polls=self.polls)
        if self.stale_reads is not None:
            wait.update(fresh=self.fresh, stale_reads=self.stale_reads)
        return dict(value=self.value, resource=self.record, wait=wait)


def wait_for_state(read, field, success_values, failure_values, options, started_at, clock=time.monotonic,
                   sleep=time.sleep, rand=random.random, what='the resource', absent='the resource was not found',
                   budget=None, fresh=None):
    """Poll ``read()`` until ``field`` is in ``success_values`` or ``failure_values`` in a fresh read, or
    ``options.job_timeout`` ends.

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
    :param fresh: ``fresh(record) -> bool``, the freshness guard (a :class:`FreshGuard`; ``None``: every read is
        fresh, the behaviour without a guard). A read for which it is false is stale: it never ends the wait as
        ``reached`` or ``failed_value``; if the budget runs out on one, the message says so and why (the guard's
        ``why_not(record)`` clause when it has one).
    :returns: :class:`StateWaitResult` (``fresh``/``stale_reads`` set when a guard is given).
    :raises OntapApiError: an error that waiting cannot cure (401, 403, 400 for an unknown field, ...).
    """
    options.validate()
    if budget is None:
        budget = Budget(options.job_timeout, clock, started_at)
    deadline = budget.deadline
    success_values = list(success_values)
    failure_values = list(failure_values or [])
    record, value, polls, last_error, final, missing = None, _MISSING, 0, None, False, False
    is_fresh, stale_reads = None, 0
    while True:
        polls += 1
        try:
            answer = read()
            last_error = None
            missing = answer is None
            if not missing:
                record = answer
                value = field_value(record, field)
                if fresh is not None:
                    is_fresh = bool(fresh(record))
                    stale_reads += 0 if is_fresh else 1
        except OntapApiError as exc:
            if not (exc.is_not_found or exc.is_busy or exc.is_server_error):
                raise
            last_error = exc
        except OntapTransportError as exc:
            last_error = exc
        elapsed = clock() - started_at
        counts = dict(fresh=is_fresh, stale_reads=stale_reads) if fresh is not None else {}
        usable = last_error is None and not missing and is_fresh is not False
        ignored = ' (%d stale read%s ignored)' % (stale_reads, 's' if stale_reads > 1 else '') if stale_reads else ''
        if usable and matches(value, success_values):
            return StateWaitResult('reached', value, record, elapsed, polls, '%s reached %s=%r after %.0f s%s.'
                                   % (_cap(what), field, value, elapsed, ignored), **counts)
        if usable and matches(value, failure_values):
            return StateWaitResult('failed_value', value, record, elapsed, polls, '%s reached %s=%r, a failure value '
                                   '(waiting for %s), after %.0f s%s.' % (_cap(what), field, value,
                                                                          _list(success_values), elapsed, ignored),
                                   **counts)
        remaining = deadline - clock()
        if final or remaining <= 0:
            break
        pause = paced(clock() - started_at, options.poll_interval, options.max_poll_interval, rand=rand)
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
        if is_fresh is False:
            why = getattr(fresh, 'why_not', None)
            reason = why(record) if callable(why) else None
            seen += ', a stale read: %s' % (reason or 'not fresh')
    message = ('Stopped waiting at job_timeout (%g s): %s has not reached %s=%s after %.0f s (last seen: %s)'
               % (options.job_timeout, what, field, _list(success_values), elapsed, seen))
    if stale_reads:
        describe = getattr(fresh, 'describe', None)
        message += '; %d of %d reads were stale, ignored as the previous operation\'s state%s' % (
            stale_reads, polls, ' (fresh means %s)' % describe() if callable(describe) else '')
    if last_error is not None:
        message += '; the latest read failed: %s' % str(last_error).rstrip('. ')
    elif missing and value is not _MISSING:
        message += '; at the latest read %s' % absent
    return StateWaitResult('timed_out', None if value is _MISSING else value, record, elapsed, polls, message + '.',
                           **(dict(fresh=is_fresh, stale_reads=stale_reads) if fresh is not None else {}))


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
