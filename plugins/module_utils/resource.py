# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Private to ontap.rest before 1.0: not a public API; it may change in any release (use the modules instead).
"""The resource engine shared by state-managing modules (volume, snapshot, svm, qtree): find, plan, execute, settle.

A module describes its resource with a :class:`ResourceSpec` (collection path, natural key, ONTAP fields with their
options, parents, steps before a delete, checks, per-resource error rules) and returns :func:`run_resource`'s
:class:`results.Result`; the runner alone ends the task. The engine, once for every module:

- **find**: lookup by the natural key with explicit ``fields``, following ``_links.next``; a read cut off at the
  server's time limit fails the task as "unknown", never reads as "absent" (FIELD_CASES F19). A name is data, never
  a query: key, parent and ``from_name`` values that ONTAP reads as operators are refused before anything is sent,
  and every record returned must match the key exactly. A collection under a parent (snapshots under a volume)
  resolves its parent first; a missing parent is converged for ``absent`` and a clear failure for ``present``. A
  lookup that finds nothing under an SVM checks the SVM is visible to the account.
- **plan** (:meth:`Resource.plan`, from the params and the records found): a :class:`Plan` of steps (:class:`Step`):
  create, modify (only fields the task sets that differ after normalisation or the field's own comparison), rename
  (``from_name``), the spec's steps before a delete then delete, an action (a snapshot restore), an attach to an
  operation already in flight, or nothing; an identical second run sends no write and starts no job (F27).
- **check mode is the plan**: the writes are listed in ``would_send`` and ``actions``, nothing is sent (F28); diff
  mode returns ``diff`` (before/after), in check mode too.
- **execute** (:meth:`Resource.execute`) under the task's one budget (:class:`job_poller.Budget`, ``job_timeout`` from
  the task's start): each step is sent through the job poller; the rulebook (:func:`errors.classify`, with the spec's
  ``error_rules``) decides what a refusal means: busy (resent with backoff inside the budget, also when the job
  itself fails with a busy code), duplicate (converge on the object, or attach to a create still in flight), not
  found (a delete is converged, F24), unknown (5xx, lost answer: never resent, verified on the resource within the
  budget, F07), lasting (reported).
- **settle**: a step may declare what "done" means beyond its job (:class:`Settle`: a predicate over the record, a
  failure predicate, a freshness guard, absent as success, bounded allowances for a missing record and read
  errors); it shares the budget. After a create/modify job succeeds the object is re-read with a short bounded
  backoff (F16). A job whose status cannot be read (F13, F14) is verified on the resource within the budget; a job
  still running at the deadline is ``timed_out`` with its uuid, ``changed: true`` (F05, F35).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import datetime
import time

from ansible_collections.ontap.rest.plugins.module_utils.errors import (
    BUSY,
    DUPLICATE,
    NOT_FOUND,
    UNKNOWN,
    OntapApiError,
    OntapError,
    OntapNoRestError,
    OntapOptionError,
    OntapTransportError,
    classify,
    classify_job_code,
)
from ansible_collections.ontap.rest.plugins.module_utils.job_poller import backoff, paced
from ansible_collections.ontap.rest.plugins.module_utils.results import Result, from_wait

_MISSING = object()

#: Pauses (seconds) between re-reads of an object a job just created or changed (read-after-write lag, F16). Only for
#: the plain re-read after a job that succeeded; an outcome that is unknown is verified within ``job_timeout`` instead.
REREAD_PAUSES = (0.2, 0.5, 1.0, 2.0)

#: First pause and cap (seconds) between resends of a write refused as busy (the answer's Retry-After wins if longer).
BUSY_FIRST_PAUSE = 1.0
BUSY_MAX_PAUSE = 30.0

#: The ONTAP query field naming the SVM in a natural key or parent lookup (triggers the SVM visibility check).
SVM_KEY = 'svm.name'

#: Job states of a create still in flight (``GET cluster/jobs`` filter).
UNFINISHED_JOB_STATES = 'queued|running|paused'

#: Defaults (seconds) of ``poll_interval`` and ``max_poll_interval`` (options.async_job_spec()).
DEFAULT_POLL_INTERVAL = 2.0
DEFAULT_MAX_POLL_INTERVAL = 30.0


#: What ONTAP reads as query operators in a filter value (ONTAP REST API reference, "Query parameters"): wildcard,
#: negation, alternation, comparisons and braces (extended queries in some releases). A natural-key value containing
#: one of them would select other objects than the one named; it is refused before anything is sent.
QUERY_OPERATOR_CHARS = ('*', '!', '|', '<', '>', '{', '}')
#: What ONTAP reads as a range (``low..high``) in a filter value. A name holding it (``daily..1``, a snapshot or qtree
#: name ONTAP accepts) is never sent as a filter: it is matched on this side only (:func:`server_and_local`).
QUERY_OPERATOR_STRINGS = ('..',)
#: Values ONTAP reads as a keyword, not a name: ``null`` matches records where the field is not set. A name spelled so
#: is matched on this side only, as a range is.
QUERY_KEYWORDS = ('null',)


def check_literal(option, value):
    """Refuse a natural-key value that no exact match can be made for (issue 9, item 1).

    A value holding a range (``..``) or spelled as the ``null`` keyword is allowed: it is matched on this side only
    (:func:`server_and_local`), never sent as a filter.

    :param option: the module option the value came from (named in the error).
    :param value: the value (``None`` is allowed: an option not given).
    :raises OntapOptionError: the value is empty or holds one of :data:`QUERY_OPERATOR_CHARS`.
    """
    if value is None:
        return
    text = str(value)
    if text.strip() == '':
        raise OntapOptionError(option, '%s must not be empty: it names one object and is matched exactly.' % option)
    found = [char for char in QUERY_OPERATOR_CHARS if char in text]
    if found:
        raise OntapOptionError(option, '%s: %r contains %s, which ONTAP reads as a query operator (wildcard, negation, '
                               'alternation or comparison), so a lookup by it could select other objects than the one '
                               'named; nothing was sent. A name is matched exactly: give the literal name (ONTAP '
                               'refuses these characters in volume, SVM and qtree names).'
                               % (option, text, ', '.join(repr(item) for item in found)))


def is_query_safe(value):
    """``True`` when ``value`` sent as a filter value means itself: no range (``..``) and not the ``null`` keyword
    (:func:`check_literal` refuses the rest)."""
    if not isinstance(value, str):
        return True
    return not any(item in value for item in QUERY_OPERATOR_STRINGS) and value.strip().lower() not in QUERY_KEYWORDS


def server_and_local(query):
    """Split a lookup query into what may be sent and what is matched on this side only.

    :param query: ``{field: value}`` with reserved parameters (``fields`` ...) beside.
    :returns: ``(server, local)``: ``server`` is ``query`` without the filters :func:`is_query_safe` refuses;
        ``local`` holds those (``{}`` for most lookups). ONTAP answers ``server`` (a wider read, bounded by the other
        keys and parents); :func:`matches_exactly` on ``local`` picks the object named.
    """
    server, local = {}, {}
    for field, value in query.items():
        if field in RESERVED_QUERY_PARAMETERS or is_query_safe(value):
            server[field] = value
        else:
            local[field] = value
    return server, local


#: Query parameters that are not filters (never compared with a record).
RESERVED_QUERY_PARAMETERS = ('fields', 'return_records', 'max_records', 'order_by', 'return_timeout')


def matches_exactly(record, query):
    """``True`` when every filter of ``query`` (``fields`` and other reserved parameters aside) equals the record's
    value exactly: the client side of "a name is data, never a query"."""
    for field, wanted in query.items():
        if field in RESERVED_QUERY_PARAMETERS:
            continue
        if get_path(record, field) != wanted:
            return False
    return True


def get_path(record, dotted):
    """Value at ``dotted`` (``'nas.path'``) in a nested dict, or ``None`` when any part is missing."""
    value = record
    for part in dotted.split('.'):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def set_path(body, dotted, value):
    """Set ``dotted`` (``'nas.path'``) in the nested dict ``body``, creating levels as needed."""
    parts = dotted.split('.')
    for part in parts[:-1]:
        body = body.setdefault(part, {})
    body[parts[-1]] = value


def normalise(value):
    """A comparable form of an option value: lists become sorted tuples (order never matters), dicts are normalised
    key by key. Used on both sides of every comparison (FIELD_CASES F27)."""
    if isinstance(value, dict):
        return tuple(sorted((key, normalise(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(sorted((normalise(item) for item in value), key=repr))
    return value


def _refusal_text(refusal):
    """A busy refusal in a few words: HTTP status, ONTAP code and message, Retry-After."""
    if isinstance(refusal, OntapApiError):
        text = 'HTTP %s, ONTAP error %s: %s' % (refusal.status, refusal.code, (refusal.message or '').rstrip('. '))
        if refusal.retry_after is not None:
            text += ' (Retry-After %g s)' % refusal.retry_after
        return text + '.'
    return str(refusal)


#: Seconds of clock difference between this host and the cluster tolerated when the job of a lost answer is looked up.
JOB_CLOCK_SLACK = 120.0


def _epoch(text):
    """ONTAP's ISO-8601 time (``2026-12-01T10:00:00+00:00``, ``Z`` accepted) -> epoch seconds, or ``None``."""
    if not isinstance(text, str):
        return None
    value = text.strip()
    if value.endswith(('Z', 'z')):
        value = value[:-1] + '+00:00'
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return (when - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds()


_PAST = {'create': 'created', 'modify': 'modified', 'rename': 'renamed', 'delete': 'deleted', 'restore': 'restored'}


def _only_fields(record, fields):
    """A copy of ``record`` holding only the dotted ``fields`` it has (``['uuid', 'svm.name', 'aggregates.name']``;
    a list of objects keeps each object's part), as a lookup with ``fields=...`` returns it."""
    out = {}
    for dotted in fields:
        picked = _pick(record, dotted.split('.'))
        if picked is not _MISSING:
            _merge_into(out, picked)
    return out


def _pick(value, parts):
    if not parts:
        return copy.deepcopy(value)
    if isinstance(value, list):
        return [_pick(item, parts) for item in value if isinstance(item, dict) and parts[0] in item]
    if isinstance(value, dict) and parts[0] in value:
        sub = _pick(value[parts[0]], parts[1:])
        return _MISSING if sub is _MISSING else {parts[0]: sub}
    return _MISSING


def _merge_into(out, picked):
    for key, value in picked.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            _merge_into(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list) and len(value) == len(out[key]):
            for mine, theirs in zip(out[key], value):
                if isinstance(mine, dict) and isinstance(theirs, dict):
                    _merge_into(mine, theirs)
        else:
            out[key] = value


def _past(action):
    """``'delete'`` -> ``'deleted'`` (for messages)."""
    return _PAST.get(action, action + 'ed')


def _job_code(job):
    if not isinstance(job, dict):
        return None
    error = job.get('error') if isinstance(job.get('error'), dict) else {}
    code = error.get('code') or job.get('code')
    return None if code in (None, 0, '0') else str(code)


def _before_any_write(exc, what):
    """``exc`` (a read's :class:`OntapApiError` or :class:`OntapTransportError`, its type and fields kept) with its
    sentence saying that the task failed to ``what`` before sending anything, so nothing was changed."""
    exc.msg = 'Could not %s, so nothing was changed: %s' % (what, exc.msg)
    return exc


class ParentAbsent(OntapError):
    """The parent object a collection hangs under (a snapshot's volume) does not exist.

    :ivar noun: the parent's noun (``'volume'``).
    :ivar query: the ONTAP query the parent was looked up by (``{'name': 'vol1', 'svm.name': 'svm1'}``).
    """

    def __init__(self, noun, text, query=None):
        self.noun = noun
        self.query = dict(query or {})
        super(ParentAbsent, self).__init__('The %s %s does not exist.' % (noun, text))


class Field(object):
    """One module option mapped to one ONTAP field.

    :param option: module option name.
    :param path: ONTAP field, dotted (``'nas.path'``); read with ``fields=`` and sent in bodies at that place.
    :param to_api: option value -> ONTAP value (default: unchanged).
    :param from_api: ONTAP value as read -> comparable option value (default: unchanged).
    :param create_only: sent on create, never modified; a different value on an existing object is reported in a
        warning naming the option, both values and ``create_only_hint`` (what to use instead), never silently ignored.
    :param create_only_hint: the sentence that says how to change it instead (``'Move the volume with ...'``).
    :param read_path: the ``fields=`` name when it differs from ``path`` (``'aggregates.name'``).
    :param required_at_create: the task fails, naming the option, when it must create the object without it.
    :param equal: ``equal(current, wanted, params) -> bool`` for fields whose values may differ a little and still
        be the same (a size within ``size_change_threshold``); default: equality after :func:`normalise`.
    :param unset_value: the option value that means "not set on the object" (``''`` for a junction path: ONTAP
        reports ``nas.path`` only while the volume is mounted); a field ONTAP leaves out then reads as this value,
        and it is not sent on create (the object is created without it).
    :param type: the option's Ansible type (``'str'``, ``'int'``, ``'bool'``, ``'list'``); with ``elements`` and
        ``choices`` it makes the option's argument spec (:meth:`ResourceSpec.argument_spec`).
    """

    def __init__(self, option, path, to_api=None, from_api=None, create_only=False, read_path=None,
                 required_at_create=False, equal=None, unset_value=None, create_only_hint=None, type='str',
                 elements=None, choices=None, aliases=None):  # pylint: disable=redefined-builtin
        self.option = option
        self.type = type
        self.elements = elements
        self.choices = list(choices) if choices else None
        self.aliases = list(aliases) if aliases else None
        self.path = path
        self.to_api = to_api or (lambda value: value)
        self.from_api = from_api or (lambda value: value)
        self.create_only = create_only
        self.create_only_hint = create_only_hint
        self.read_path = read_path or path
        self.required_at_create = required_at_create
        self.equal = equal
        self.unset_value = unset_value

    def read(self, record):
        """The field's value in ``record``, in option terms."""
        value = get_path(record, self.path)
        if value is None and self.unset_value is not None:
            return self.unset_value
        return self.from_api(value)

    def same(self, current, wanted, params):
        """``True`` when ``current`` (read) and ``wanted`` (the option) are the same for this field."""
        if self.equal is not None:
            return self.equal(current, wanted, params)
        return normalise(current) == normalise(wanted)

    def option_spec(self):
        """The option's argument spec entry (no default: an option the task leaves out is never compared)."""
        spec = dict(type=self.type)
        for name in ('elements', 'choices', 'aliases'):
            if getattr(self, name):
                spec[name] = getattr(self, name)
        return spec


def _uuid_path(resource, record):
    return '%s/%s' % (resource.collection, record['uuid'])


class ResourceSpec(object):
    """What a module tells the base about its resource.

    :param name: result key and noun in messages (``'volume'``).
    :param collection: collection path (``'storage/volumes'``), or a callable ``resource -> path`` for collections
        under a parent (``lambda r: 'storage/volumes/%s/snapshots' % r.find_parent(...)['uuid']``); it may raise
        :class:`ParentAbsent` (see :meth:`Resource.find_parent`).
    :param keys: ``{option: ONTAP query field}`` forming the natural key (``{'name': 'name', 'svm': 'svm.name'}``).
    :param fields: list of :class:`Field` for the compared/sent attributes.
    :param create_body: ``params -> dict`` of key fields to add to a POST body (``{'svm': {'name': 'svm1'}}``).
    :param item_path: ``(resource, record) -> path`` of one object; default ``<collection>/<uuid>``.
    :param id_fields: fields read to address one object (default ``['uuid']``; qtrees: ``['id', 'volume.uuid']``).
    :param rename: the key option a ``from_name`` option renames (``'name'``), or ``None`` (no rename).
    :param context: extra option names shown with the key in messages (``['svm', 'volume']`` for a snapshot); they
        name parent objects, so they are checked as literals like the key.
    :param before_delete: ``(resource, record) -> [(method, path, body, what)]``: writes ONTAP requires before the
        DELETE (a volume is unmounted first); sent in order under the task's one budget, in ``would_send`` in check mode.
    :param checks: ``[check(resource, record, changes)]`` run on a planned modify before anything is sent; a check
        raises :class:`errors.OntapOptionError` to refuse it (shrinking a volume without ``allow_shrink``).
    :param delete_checks: ``[check(resource, record)]`` run on a planned delete before anything is sent, in check
        mode too (the plan then says what the real run would meet); a check raises :class:`errors.OntapError` to
        refuse a delete ONTAP would refuse (an SVM that still holds volumes).
    :param options: argument spec entries of the module's options that are not ONTAP fields, keys or ``state``
        (``{'allow_shrink': dict(type='bool', default=False)}``); read by the module's own quirk code.
    :param aliases: ``{option: [alias, ...]}`` for the key, parent and ``from_name`` options (netapp.ontap's names,
        ``{'svm': ['vserver']}``).
    :param error_rules: per-resource exceptions to the rulebook, ``{ONTAP code: errors.BUSY | errors.LASTING | ...}``
        (:func:`errors.classify`).
    """

    def __init__(self, name, collection, keys, fields, create_body, item_path=None, id_fields=None, rename=None,
                 context=None, before_delete=None, checks=None, options=None, aliases=None, error_rules=None,
                 delete_checks=None):
        self.name = name
        self.collection = collection
        self.keys = keys
        self.fields = fields
        self.create_body = create_body
        self.item_path = item_path or _uuid_path
        self.id_fields = list(id_fields or ['uuid'])
        self.rename = rename
        self.context = list(context or [])
        self.before_delete = before_delete
        self.checks = list(checks or [])
        self.delete_checks = list(delete_checks or [])
        self.options = dict(options or {})
        self.aliases = dict(aliases or {})
        self.error_rules = dict(error_rules or {})

    def argument_spec(self):
        """The module's own argument spec, built from the spec alone: the key and parent options (required strings),
        ``from_name`` when the spec renames, ``state``, one option per :class:`Field`, and :attr:`options`. An option
        the spec does not use cannot exist (tests/unit/plugins/modules/test_resource_specs.py compares it with
        DOCUMENTATION). The connection and job options are added by :class:`runner.OntapModule`.

        :returns: dict for ``AnsibleModule(argument_spec=...)`` (a fresh copy).
        """
        spec = {}
        for option in list(self.context) + [option for option in self.keys if option not in self.context]:
            spec[option] = dict(type='str', required=True)
        if self.rename:
            spec['from_name'] = dict(type='str')
        spec['state'] = dict(type='str', choices=['present', 'absent'], default='present')
        for field in self.fields:
            spec[field.option] = field.option_spec()
        for option, entry in self.options.items():
            spec[option] = dict(entry)
        for option, names in self.aliases.items():
            spec[option]['aliases'] = list(names)
        return spec

    def literal_options(self):
        """Options that name one object (the key, the parents in ``context``, ``from_name``): matched exactly."""
        options = list(self.keys) + [option for option in self.context if option not in self.keys]
        if self.rename:
            options.append('from_name')
        return options

    def read_fields(self):
        names = self.id_fields + list(self.keys.values()) + [field.read_path for field in self.fields]
        return ','.join(sorted(set(names)))


class Settle(object):
    """What "done" means for a step beyond its job: ONTAP's job ``success`` may only mean "accepted" (a transfer
    started, a move queued). After the job succeeds, the resource is read (within the task's budget, paced as job polls) until
    ``done(record)`` holds, ``failed(record)`` names a failure, or the budget runs out.

    :param done: ``record -> bool``; the end state (``record`` is ``None`` when the object is not found).
    :param failed: ``record -> str or None``: a sentence when the record shows the operation failed.
    :param fresh: ``(record, sent_at) -> bool``: the freshness guard. The first reads after a write can show the
        previous operation's terminal state (an old ``transfer.uuid``, a ``movement.start_time`` before the request);
        ``done`` and ``failed`` are judged only on fresh records. ``sent_at`` is wall-clock seconds (epoch).
    :param absent_ok: a record that is not found counts as done (deletes).
    :param missing_grace: seconds a record that is not found is tolerated while waiting for a present one (short
        for an object just seen, long across node reboots); past it the settle fails.
    :param error_grace: seconds read errors (connection errors, 5xx, busy) are tolerated in a row.
    :param describe: ``record -> str``: what was last seen, for messages.
    """

    def __init__(self, done, failed=None, fresh=None, absent_ok=False, missing_grace=30.0, error_grace=120.0,
                 describe=None):
        self.done = done
        self.failed = failed or (lambda record: None)
        self.fresh = fresh or (lambda record, sent_at: True)
        self.absent_ok = absent_ok
        self.missing_grace = float(missing_grace)
        self.error_grace = float(error_grace)
        self.describe = describe or (lambda record: 'not found' if record is None else 'uuid %s' % record.get('uuid'))


class SettleResult(object):
    """How a settle ended, in the job poller's outcome words (``success``, ``failure``, ``timed_out``,
    ``unreadable``), so ``wait`` reads like ``job_wait``.

    :ivar record: the resource as last read. :ivar elapsed: seconds. :ivar polls: reads. :ivar message: a sentence.
    """

    def __init__(self, outcome, record, elapsed, polls, message):
        self.outcome = outcome
        self.record = record
        self.elapsed = elapsed
        self.polls = polls
        self.message = message

    def as_result(self):
        """``{'wait': {'outcome', 'elapsed' (s), 'polls'}}``."""
        return {'wait': {'outcome': self.outcome, 'elapsed': round(self.elapsed, 3), 'polls': self.polls}}


class Step(object):
    """One write of a plan (or, with ``method=None``, a wait on an operation already in flight: attach).

    :param action: ``'create'``, ``'modify'``, ``'rename'``, ``'delete'`` or an action name (``'unmount'``,
        ``'restore'``, ``'attach'``).
    :param method: ``POST``/``PATCH``/``DELETE``, or ``None`` to send nothing and only wait (``jobs``/``settle``).
    :param path: where. :param body: JSON body or ``None``. :param query: query parameters or ``None``.
    :param what: noun phrase for messages (``'unmount (junction path /vol1)'``).
    :param end_state: ``'present'``/``'absent'``: the state that settles an unknown outcome (F07, F13, F14); ``None``:
        none can be read back, so an unknown outcome is reported as unknown.
    :param settle: a :class:`Settle` to wait for after the job, or ``None``.
    :param jobs: for an attach step, the jobs to wait for (dicts with ``uuid``).
    """

    def __init__(self, action, method, path, body=None, query=None, what=None, end_state=None, settle=None, jobs=None):
        self.action = action
        self.method = method
        self.path = path
        self.body = body
        self.query = query
        self.what = what or action
        self.end_state = end_state
        self.settle = settle
        self.jobs = list(jobs or [])

    def describe(self):
        """``{'action', 'method', 'path'}`` for the result's ``actions``."""
        return dict(action=self.action, method=self.method, path=self.path)


class Plan(object):
    """What a task will do: steps in order, the diff they make, and what the result shows.

    :param steps: list of :class:`Step` (empty: nothing to do).
    :param record: the object as found (``None`` when absent); the result's value when nothing changes.
    :param diff: ``(before, after)`` dicts, shown in diff mode (check mode too).
    :param preview: the result's object value in check mode (default ``record``; ``None`` for a create or delete).
    :param want_present: the end state of the last step (``True`` present, ``False`` absent, ``None`` an action).
    :param extra: more result keys (``snapshots_destroyed``).
    :param observe: ``() -> (result keys, (before, after) or None)`` read after the last step succeeded.
    """

    def __init__(self, steps, record=None, diff=None, preview=_MISSING, want_present=None, extra=None, observe=None):
        self.steps = list(steps)
        self.record = record
        self.diff = diff
        self.preview = record if preview is _MISSING else preview
        self.want_present = want_present
        self.extra = dict(extra or {})
        self.observe = observe


class Resource(object):
    """The engine for one object of one task: find, plan, then (outside check mode) execute; every path returns a
    :class:`results.Result`, which the runner alone turns into the task's end.

    :raises errors.OntapOptionError: (from the constructor) a natural-key, parent or ``from_name`` value that ONTAP
        would read as a query operator, before anything is sent (issue 9, item 1).
    """

    def __init__(self, ontap, spec):
        self.ontap = ontap
        self.spec = spec
        self.params = ontap.params
        for option in spec.literal_options():
            check_literal(option, self.params.get(option))
        self.parents = {}
        self._collection = None
        #: the task's one :class:`job_poller.Budget` (started with the task), once a write or wait asks for it.
        self.budget = None
        self.verify_reads = 0
        self.verify_error = None
        self.verify_budget = None
        #: number of times the last write was sent (more than 1 when ONTAP refused it as busy first).
        self.attempts = 0
        #: every job of the steps sent, in step order; the steps sent (``actions``).
        self.jobs = []
        self.actions = []

    # -- reading -------------------------------------------------------------------------------------------------

    @property
    def collection(self):
        """The collection path (resolving the parent once when the spec's ``collection`` is a callable)."""
        if self._collection is None:
            spec_collection = self.spec.collection
            self._collection = spec_collection(self) if callable(spec_collection) else spec_collection
        return self._collection

    def item_path(self, record):
        return self.spec.item_path(self, record)

    def key_query(self, **overrides):
        values = dict(self.params)
        values.update(overrides)
        return dict((field, values[option]) for option, field in self.spec.keys.items())

    def key_text(self, **overrides):
        values = dict(self.params)
        values.update(overrides)
        options = list(self.spec.context) + [option for option in self.spec.keys if option not in self.spec.context]
        return ', '.join('%s=%s' % (option, values.get(option)) for option in options)

    def find_parent(self, noun, collection, query):
        """The one record of ``collection`` matching ``query`` exactly (the parent of this resource's collection).

        The record is kept in :attr:`parents` under ``noun``.

        :raises ParentAbsent: no record matches. :raises errors.OntapError: several match, a record ONTAP returned
            does not match the query exactly, or the read failed.
        """
        for field, value in query.items():
            check_literal(field, value)
        text = ', '.join('%s=%s' % item for item in sorted(query.items()))
        wanted = dict(query)
        query = dict(query, fields=','.join(sorted(set(['uuid', 'name'] + list(wanted)))))
        records = self._read(collection, query, noun, text)
        if not records:
            raise ParentAbsent(noun, text, wanted)
        if len(records) > 1:
            raise OntapError('%d %ss match %s; the parent must be unique.' % (len(records), noun, text))
        self.parents[noun] = records[0]
        return records[0]

    def _read(self, collection, query, noun, text, retry=True):
        query, local = server_and_local(query)
        try:
            records = self.ontap.read_records(collection, query=query, retry=retry)
        except (OntapApiError, OntapTransportError, OntapOptionError, OntapNoRestError):
            raise       # said as they are: an option error names its option, not a lookup
        except OntapError as exc:
            # A cut-off or endless collection read: the object's existence is unknown, so nothing is done (F19).
            raise OntapError('The lookup of %s %s could not be completed, so whether it exists is unknown and nothing '
                             'was changed: %s' % (noun, text, exc))
        for record in records:
            if not matches_exactly(record, query):
                # A name is data, never a query: a record that is not the one named is never a target (item 1).
                seen = ', '.join('%s=%s' % (field, get_path(record, field)) for field in sorted(query) if field != 'fields')
                raise OntapError('The lookup of %s %s returned a %s that does not match it exactly (%s); it is not the '
                                 'object the task names, so nothing was changed.' % (noun, text, noun, seen))
        return [record for record in records if matches_exactly(record, local)]

    def lookup(self, retry=True, **overrides):
        """The object found by its natural key (``overrides`` replace key options, e.g. ``name=from_name``), or ``None``.

        :param retry: ``False`` for reads inside the task's budget (no urllib3 GET retries).
        :raises errors.OntapError: on ambiguity or read errors, and when the read was cut off (F19).
        """
        for option, value in overrides.items():
            check_literal(option if option != self.spec.rename else 'from_name', value)
        query = self.key_query(**overrides)
        query['fields'] = self.spec.read_fields()
        records = self._read(self.collection, query, self.spec.name, self.key_text(**overrides), retry=retry)
        if len(records) > 1:
            raise OntapError('%d %ss match %s; the natural key must select one.'
                             % (len(records), self.spec.name, self.key_text(**overrides)))
        return records[0] if records else None

    def reread(self, want_present=True, reads=None):
        """Re-read after a job that succeeded, with a short bounded backoff (:data:`REREAD_PAUSES`) until the object
        is (or is no longer) visible (read-after-write lag, F16); no pause goes past the task's budget.

        :param reads: a list that gets one entry per read made (for callers that count them).
        """
        reads = reads if reads is not None else []
        reads.append(1)
        record = self.lookup(retry=self.budget is None)
        for pause in REREAD_PAUSES:
            if (record is not None) == want_present:
                break
            if self.budget is not None:
                if self.budget.remaining() <= 0:
                    break
                pause = min(pause, self.budget.remaining())
            self.ontap.sleep(pause)
            reads.append(1)
            record = self.lookup(retry=self.budget is None)
        return record

    def _option(self, name, default):
        value = self.params.get(name)
        return float(default if value is None else value)

    def _budget(self):
        """The task's one budget (the runner's, :meth:`runner.OntapModule.budget`), started with the task (its
        lookup counts)."""
        if self.budget is None:
            self.budget = self.ontap.budget()
        return self.budget

    def _pauses(self):
        first = self._option('poll_interval', DEFAULT_POLL_INTERVAL)
        return backoff(first, max(first, self._option('max_poll_interval', DEFAULT_MAX_POLL_INTERVAL)))

    def verify(self, want_present, give_up=None, once=False):
        """Re-read until the object shows the intended end state, or the task's ``job_timeout`` budget runs out.

        Used when a write's outcome is unknown: its job's status could not be read (F13, F14) or its answer was lost
        (F07). The budget is the task's one :class:`job_poller.Budget` (from the task's start), as the job poller
        counts it, so whatever the poller used is not given again. Pauses grow from ``poll_interval`` to
        ``max_poll_interval`` (``job_poller.backoff``), are never longer than what is left, and one last read is made
        at the deadline. Reads are not retried by urllib3 (this loop retries, inside the budget). Transient read
        errors (transport errors, 5xx, busy, a cut-off read) are tolerated inside the budget; any other read error
        ends the verification.

        :param give_up: ``() -> bool`` asked after each read that does not show the end state: ``True`` ends the
            verification at once (the job of a lost answer was found failed).
        :param once: one read (and one ``give_up``) only: the task was told not to wait (``wait_for_completion``
            false, F03).
        :returns: ``(record, holds)``; :attr:`verify_reads`, :attr:`verify_error` (the last read's error or ``None``)
            and :attr:`verify_budget` (seconds) describe the attempt.
        """
        budget = self._budget()
        self.verify_budget = budget.job_timeout
        pauses = self._pauses()
        record = None
        self.verify_reads = 0
        while True:
            self.verify_reads += 1
            try:
                record, self.verify_error = self.lookup(retry=False), None
            except OntapApiError as exc:
                self.verify_error = exc
                if not (exc.is_server_error or exc.is_busy):
                    return record, False
            except OntapError as exc:     # transport error, or a read cut off at the server's time limit (F19)
                self.verify_error = exc
            if self.verify_error is None and self._holds(record, want_present):
                return record, True
            if give_up is not None and give_up():
                return record, False
            remaining = budget.remaining()
            if once:
                return record, False
            if remaining <= 0:
                return record, False
            self.ontap.sleep(min(next(pauses), remaining))

    def _jobs_of(self, step, sent_at):
        """Jobs ONTAP started for ``step`` (same method and path in the job's description) since about ``sent_at``
        (wall clock, with :data:`JOB_CLOCK_SLACK` for the cluster's clock): the job of a write whose answer was lost
        (F07). ``[]`` when jobs cannot be listed."""
        path = step.path.lstrip('/')
        path = path[len('api/'):] if path.startswith('api/') else path
        try:
            jobs = self.ontap.read_records('cluster/jobs', retry=False, query={
                'description': '%s /api/%s' % (step.method, path),
                'fields': 'uuid,state,message,code,error,description,start_time,end_time'})
        except OntapError:
            return []
        return [job for job in jobs if _epoch(job.get('start_time')) is not None
                and _epoch(job.get('start_time')) >= sent_at - JOB_CLOCK_SLACK]

    def settle(self, step, sent_at):
        """Wait for ``step.settle`` on the resource, within the task's budget (the job's wait already used its share).

        :param sent_at: wall-clock seconds (epoch) the step's write was sent (the freshness guard's reference).
        :returns: :class:`SettleResult`.
        """
        rule = step.settle
        budget = self._budget()
        clock = self.ontap.clock
        started = clock()
        first = self._option('poll_interval', DEFAULT_POLL_INTERVAL)
        cap = max(first, self._option('max_poll_interval', DEFAULT_MAX_POLL_INTERVAL))
        polls = 0
        record = None
        missing_since = error_since = None
        last_error = None
        while True:
            polls += 1
            now = clock()
            try:
                record, last_error, error_since = self.lookup(retry=False), None, None
            except (OntapApiError, OntapTransportError) as exc:
                if isinstance(exc, OntapApiError) and not (exc.is_server_error or exc.is_busy or exc.is_not_found):
                    raise
                last_error = exc
                error_since = now if error_since is None else error_since
                if now - error_since > rule.error_grace:
                    return SettleResult('unreadable', record, clock() - started, polls,
                                        'The %s could not be read for %.0f s while waiting for the %s to settle: %s'
                                        % (self.spec.name, now - error_since, step.what, str(exc).rstrip('. ')))
            if last_error is None:
                if record is None and not rule.absent_ok:
                    missing_since = now if missing_since is None else missing_since
                    if now - missing_since > rule.missing_grace:
                        return SettleResult('failure', None, clock() - started, polls,
                                            'The %s %s was not found for %.0f s while waiting for the %s to settle.'
                                            % (self.spec.name, self.key_text(), now - missing_since, step.what))
                else:
                    missing_since = None
                if record is None and rule.absent_ok:
                    return SettleResult('success', None, clock() - started, polls,
                                        'The %s %s is gone.' % (self.spec.name, self.key_text()))
                if record is not None and rule.fresh(record, sent_at):
                    reason = rule.failed(record)
                    if reason:
                        return SettleResult('failure', record, clock() - started, polls, reason)
                    if rule.done(record):
                        return SettleResult('success', record, clock() - started, polls,
                                            'The %s settled: %s.' % (step.what, rule.describe(record)))
            remaining = budget.remaining()
            if remaining <= 0:
                seen = ('the last read failed: %s' % str(last_error).rstrip('. ')) if last_error else rule.describe(record)
                return SettleResult('timed_out', record, clock() - started, polls,
                                    'Stopped waiting at job_timeout (%g s) for the %s to settle; last seen: %s. It was '
                                    'not cancelled; run the task again to wait again.'
                                    % (budget.job_timeout, step.what, seen))
            # Paced as the job poller paces (about 10 % of the time waited): a long settle (a move, a transfer) is
            # noticed within about 10 % of its length.
            self.ontap.sleep(min(paced(clock() - started, first, cap), remaining))

    def _last_seen(self, record, want_present):
        """What the last verification read showed, as a phrase."""
        if self.verify_error is not None:
            return 'the last read failed: %s' % str(self.verify_error).rstrip('. ')
        if record is None:
            return 'no %s matches %s' % (self.spec.name, self.key_text())
        if not want_present:
            return 'the %s still exists (uuid %s)' % (self.spec.name, record.get('uuid'))
        current = self.comparable(record)
        return 'the %s exists with %s' % (self.spec.name, ', '.join(
            '%s=%r (wanted %r)' % (option, current.get(option), wanted)
            for option, wanted in sorted(self.changes(record).items())))

    def _svm_hidden(self, svm_name):
        """``True`` when the SVM ``svm_name`` is not visible to this account (it does not exist, or the account is
        scoped to another SVM), ``None`` when the account may not list SVMs, ``False`` when it is visible."""
        try:
            records = self._read('svm/svms', {'name': svm_name, 'fields': 'name'}, 'SVM', 'name=%s' % svm_name)
        except OntapApiError as exc:
            if exc.status in (401, 403):
                return None
            raise
        return not records

    def _check_svm(self, svm_name, state):
        """Nothing was found under SVM ``svm_name``: make sure the account can see that SVM at all.

        :returns: a :class:`results.Result` that ends the task (``absent`` not confirmed: ok, unchanged, with a
            warning), or ``None`` to go on (the SVM is visible; or check mode, with a warning).
        :raises errors.OntapError: ``present`` and the SVM is not visible (nothing sent).
        """
        hidden = self._svm_hidden(svm_name)
        if not hidden and hidden is not None:
            return None
        if state == 'absent':
            if hidden:
                reason = ('the SVM %s is not visible to this account (it does not exist, or the account is scoped to '
                          'another SVM)' % svm_name)
            else:
                reason = 'this account may not list SVMs, so whether the SVM %s is visible to it is unknown' % svm_name
            self.ontap.warnings.append('No %s matches %s, but %s, so its absence could not be confirmed; nothing was '
                                       'changed.' % (self.spec.name, self.key_text(), reason))
            return Result(False, **{self.spec.name: None})
        if hidden and self.ontap.check_mode:
            self.ontap.warnings.append('The SVM %s is not visible to this account (it does not exist yet, or the '
                                       'account is scoped to another SVM); outside check mode, making %s %s present '
                                       'fails unless the SVM exists by then.' % (svm_name, self.spec.name, self.key_text()))
        elif hidden:
            raise OntapError('Cannot make %s %s present: the SVM %s is not visible to this account (it does not '
                             'exist, or the account is scoped to another SVM); nothing was sent.'
                             % (self.spec.name, self.key_text(), svm_name))
        return None

    # -- planning (pure: from the params and the records found) ------------------------------------------------

    def comparable(self, record, every_field=False):
        """``{option: value}`` of ``record`` for every field the task sets (``every_field``: every field of the spec
        that the record holds, for the "before" of a delete), in option terms."""
        values = {}
        for field in self.spec.fields:
            if every_field:
                if get_path(record, field.path) is not None:
                    values[field.option] = field.read(record)
            elif self.params.get(field.option) is not None:
                values[field.option] = field.read(record)
        return values

    def desired(self):
        return dict((field.option, self.params[field.option]) for field in self.spec.fields
                    if self.params.get(field.option) is not None)

    def changes(self, record):
        """Options whose desired value differs from ``record`` (create-only fields excluded; lists compared
        order-insensitively, or by the field's own ``equal``; fields the task does not set are never compared)."""
        return dict((field.option, self.params[field.option]) for field in self.spec.fields
                    if not field.create_only and self.params.get(field.option) is not None
                    and not field.same(field.read(record), self.params[field.option], self.params))

    def warn_create_only(self, record):
        """Warn for every create-only option the task sets that differs from the existing object (item 6): it is not
        changed by this module, and the warning says what to use instead."""
        for field in self.spec.fields:
            wanted = self.params.get(field.option)
            if not field.create_only or wanted is None:
                continue
            current = field.read(record)
            if not field.same(current, wanted, self.params):
                self.ontap.warnings.append(
                    '%s: the %s %s has %s=%r, the task asks for %r; %s is used only when the %s is created, so it was '
                    'not changed.%s' % (field.option, self.spec.name, self.key_text(), field.option, current, wanted,
                                        field.option, self.spec.name,
                                        ' ' + field.create_only_hint if field.create_only_hint else ''))

    def check_required_at_create(self):
        """:raises errors.OntapOptionError: a required-at-create option is missing (item 7); nothing is sent."""
        missing = [field.option for field in self.spec.fields
                   if field.required_at_create and self.params.get(field.option) is None]
        if missing:
            raise OntapOptionError(missing[0], '%s %s required to create %s %s, which does not exist; nothing was sent.'
                                   % (' and '.join(missing), 'is' if len(missing) == 1 else 'are', self.spec.name,
                                      self.key_text()))

    def body(self, options, create=False):
        body = {}
        for field in self.spec.fields:
            if field.option in options:
                if create and field.unset_value is not None and options[field.option] == field.unset_value:
                    continue      # "not set" is what a new object is anyway
                set_path(body, field.path, field.to_api(options[field.option]))
        return body

    def with_diff(self, result, before, after):
        """Add ``diff`` (``before``/``after`` dicts) to ``result`` when Ansible runs in diff mode (item 8)."""
        if self.ontap.diff_mode:
            result['diff'] = dict(before=before or {}, after=after or {})
        return result

    def plan(self, record, source=None):
        """The :class:`Plan` for the task, from the params and the objects found (``record`` by the key, ``source``
        by ``from_name`` when ``record`` is absent). Warns for create-only differences; raises
        :class:`errors.OntapOptionError` when the plan is refused (a missing required option, a spec check)."""
        if self.params['state'] == 'absent':
            return self.plan_delete(record) if record is not None else Plan([], None)
        if record is None and source is not None:
            self.warn_create_only(source)
            return self.plan_modify(source, self.changes(source), rename=True)
        if record is None:
            return self.plan_create()
        self.warn_create_only(record)
        changes = self.changes(record)
        return self.plan_modify(record, changes) if changes else Plan([], record)

    def plan_create(self):
        self.check_required_at_create()
        desired = self.desired()
        body = self.spec.create_body(self.params)
        body.update(self.body(desired, create=True))
        step = Step('create', 'POST', self.collection, body=body, query={'return_records': 'true'}, end_state='present')
        return Plan([step], None, diff=({}, dict(self.key_query(), **desired)), want_present=True)

    def plan_modify(self, record, changes, rename=False):
        for check in self.spec.checks:
            check(self, record, changes)
        current = self.comparable(record)
        before = dict((option, current.get(option)) for option in changes)
        after = dict(changes)
        body = self.body(changes)
        if rename:
            option = self.spec.rename
            before[option] = self.params['from_name']
            after[option] = self.params[option]
            set_path(body, self.spec.keys[option], self.params[option])
        step = Step('rename' if rename else 'modify', 'PATCH', self.item_path(record), body=body, end_state='present')
        return Plan([step], record, diff=(before, after), want_present=True)

    def plan_delete(self, record):
        for check in self.spec.delete_checks:
            check(self, record)
        before = dict(self.key_query(), **self.comparable(record, every_field=True))
        steps = [Step(action, method, path, body=body, what=what)
                 for method, path, body, what in (self.spec.before_delete(self, record) if self.spec.before_delete else [])
                 for action in [what.split(' ', 1)[0]]]
        steps.append(Step('delete', 'DELETE', self.item_path(record), end_state='absent'))
        return Plan(steps, record, diff=(before, {}), preview=None, want_present=False)

    def plan_action(self, action, method, path, body, record, what, diff=None, observe=None, **extra):
        """A one-off write with no "present" end state to compare (a snapshot restore); always ``changed``."""
        step = Step(action, method, path, body=body, what=what)
        return Plan([step], record, diff=diff, observe=observe, extra=extra)

    # -- executing -----------------------------------------------------------------------------------------------

    def run(self):
        """Find, plan, apply. :returns: :class:`results.Result`."""
        state = self.params['state']
        try:
            record = self.lookup()
        except (OntapApiError, OntapTransportError) as exc:
            raise _before_any_write(exc, 'look up %s (%s)' % (self.spec.name, self.key_text()))
        except ParentAbsent as exc:
            if exc.query.get(SVM_KEY) is not None:
                early = self._check_svm(exc.query[SVM_KEY], state)
                if early is not None:
                    return early
            if state == 'absent':
                # Nothing can exist under a parent that does not exist: absent is converged.
                return Result(False, **{self.spec.name: None})
            raise OntapError('Cannot make %s %s present: %s' % (self.spec.name, self.key_text(), exc))
        if record is None and state == 'absent' and self.key_query().get(SVM_KEY) is not None:
            # An SVM-scoped account sees nothing of other SVMs: "not found" there proves no absence. (For present,
            # no extra read: a create in an SVM the account cannot see fails with ONTAP's own 404 naming svm.name.)
            early = self._check_svm(self.key_query()[SVM_KEY], state)
            if early is not None:
                return early
        source = None
        rename_from = self.params.get('from_name') if self.spec.rename else None
        if record is None and state == 'present' and rename_from:
            try:
                source = self.lookup(**{self.spec.rename: rename_from})
            except (OntapApiError, OntapTransportError) as exc:
                raise _before_any_write(exc, 'look up %s (%s)' % (
                    self.spec.name, self.key_text(**{self.spec.rename: rename_from})))
            if source is None:
                raise OntapError('Cannot rename %s %s to %s: neither exists.'
                                 % (self.spec.name, self.key_text(**{self.spec.rename: rename_from}),
                                    self.params[self.spec.rename]))
        return self.apply(self.plan(record, source))

    def apply(self, plan):
        """Check mode is the plan: the writes go to ``would_send`` and nothing is sent. Otherwise execute.

        :returns: :class:`results.Result`.
        """
        if not plan.steps:
            return Result(False, **{self.spec.name: plan.record})
        if self.ontap.check_mode:
            for step in plan.steps:
                if step.method is not None:
                    self.ontap.write(step.method, step.path, query=step.query, body=step.body)
            writes = [step for step in plan.steps if step.method is not None]
            result = dict(plan.extra, actions=[step.describe() for step in writes], **{self.spec.name: plan.preview})
            if plan.diff is not None:
                self.with_diff(result, plan.diff[0], plan.diff[1])
            return Result(bool(writes), **result)
        return self.execute(plan)

    def send(self, method, path, body=None, query=None, wait=None):
        """Send a write through the job poller; resend it while ONTAP refuses it as busy, inside the task's budget.

        The task's writes (refusals, pauses, an unmount before a delete, and each final wait) share one
        :class:`job_poller.Budget` of ``job_timeout`` seconds, started with the task: each request's
        ``return_timeout`` and each wait end at its deadline. Whether a refusal is busy is the rulebook's call
        (:func:`errors.classify`, with the spec's ``error_rules``).

        :param wait: ``True`` to wait for the write's job whatever ``wait_for_completion`` says (a step the next
            step depends on); ``None`` for the task's option.
        :returns: ``(response, wait_result)`` as :meth:`runner.OntapModule.write`.
        :raises errors.OntapError: the write's own error, or "still busy" when the budget ran out.
        """
        budget = self._budget()
        pauses = backoff(BUSY_FIRST_PAUSE, BUSY_MAX_PAUSE)
        self.attempts = 0
        while True:
            self.attempts += 1
            refusal = None
            try:
                response, wait_result = self.ontap.write(method, path, query=query, body=body, wait=wait, budget=budget)
            except OntapApiError as exc:
                if classify(exc, self.spec.error_rules) != BUSY:
                    raise
                refusal = exc
            if refusal is None:
                failed = wait_result is not None and wait_result.outcome == 'failure'
                if not failed or classify_job_code(_job_code(wait_result.job), self.spec.error_rules) != BUSY:
                    return response, wait_result
                refusal = OntapError(wait_result.message)
            pause = max(next(pauses), getattr(refusal, 'retry_after', None) or 0.0)
            if pause > budget.remaining():
                # A busy refusal is a clean "not done" (nothing was carried out), so say only that.
                raise OntapError('ONTAP refused the %s %s as busy each time it was sent (%d time(s), %d resend(s) within '
                                 'job_timeout of %g s), so it was not carried out; nothing changed. Last refusal: %s'
                                 % (method, path, self.attempts, self.attempts - 1, budget.job_timeout,
                                    _refusal_text(refusal)))
            self.ontap.warnings.append('ONTAP refused the %s %s as busy (%s); resent after %.1f s.'
                                       % (method, path, getattr(refusal, 'code', None) or 'busy', pause))
            self.ontap.sleep(pause)

    def _common(self, plan):
        """Result keys every executed plan returns: the diff (in diff mode), ``actions``, ``jobs`` when several."""
        result = dict(plan.extra)
        if plan.diff is not None:
            self.with_diff(result, plan.diff[0], plan.diff[1])
        result['actions'] = list(self.actions)
        if len(self.jobs) > 1:
            result['jobs'] = list(self.jobs)
        return result

    def execute(self, plan):
        """Send the plan's steps in order under the task's one budget; each step's outcome decides whether the next
        is sent, and the last step's outcome (job, settle, re-read or verification) is the task's.

        :returns: :class:`results.Result`.
        """
        last = len(plan.steps) - 1
        for index, step in enumerate(plan.steps):
            final = index == last
            if step.method is None:
                return self._attach(plan, step)
            sent_at = time.time()
            self.actions.append(step.describe())
            try:
                # A step the next one depends on (an unmount before a delete) is always waited for: sent without
                # waiting, the next write would meet the object as it was (ONTAP refuses to delete a mounted volume)
                # and the first step's job would be lost. wait_for_completion: false applies to the last step.
                response, wait_result = self.send(step.method, step.path, body=step.body, query=step.query,
                                                  wait=None if final else True)
            except OntapError as exc:
                return self._refused(plan, step, exc, final, sent_at)
            if wait_result is not None:
                self.jobs.extend(wait_result.jobs)
                failed = wait_result.outcome == 'failure'
                if failed and step.action == 'create' and \
                        classify_job_code(_job_code(wait_result.job), self.spec.error_rules) == DUPLICATE:
                    # The job itself found the key taken (a create that raced ours): converge as for a refused duplicate.
                    self.actions.pop()
                    return self._converge_duplicate(OntapError(wait_result.message), plan)
            if not final:
                if wait_result is not None and not wait_result.ok:
                    result = self._common(plan)
                    result.update(wait_result.as_result())
                    how = {'failure': 'failed', 'timed_out': 'was still running at job_timeout',
                           'unreadable': 'could not be followed'}.get(wait_result.outcome, 'did not succeed')
                    return Result.failure('The %s %s was not %s: the %s that ONTAP requires first %s, so nothing more '
                                          'was sent: %s' % (self.spec.name, self.key_text(), _past(plan.steps[-1].action),
                                                            step.what, how, wait_result.message),
                                          changed=wait_result.outcome != 'failure', **result)
                continue
            return self._finish(plan, step, wait_result, sent_at, response)
        return Result(False, **{self.spec.name: plan.record})     # not reached: a plan has steps

    def _refused(self, plan, step, exc, final, sent_at):
        """A step's write raised: the rulebook decides what it means. A refusal after earlier steps of the plan were
        carried out (an unmount before a delete) says so: ``changed: true``, never "nothing happened"."""
        kind = classify(exc, self.spec.error_rules)
        self.actions.pop()
        earlier = list(self.actions)
        if kind == DUPLICATE and step.action == 'create':
            return self._converge_duplicate(exc, plan)
        if kind == NOT_FOUND and step.action == 'delete':
            # Gone between the lookup and the DELETE: absent is converged (F24).
            return Result(bool(earlier), actions=earlier, **{self.spec.name: None})
        if kind == UNKNOWN:
            self.actions.append(step.describe())
            if final and step.end_state is not None:
                return self._verify_after_error(plan, exc, step, sent_at)
            what = step.what if final else 'the %s that ONTAP requires first' % step.what
            return Result.failure('The outcome of the %s of %s %s is unknown: %s. The request was not resent%s.'
                                  % (what, self.spec.name, self.key_text(), str(exc).rstrip('. '),
                                     '' if final else ', and nothing more was sent'),
                                  changed=True, actions=list(self.actions))
        goal = plan.steps[-1].action
        if earlier:
            done = ', '.join(action['action'] for action in earlier)
            return Result.failure('The %s %s was not %s: ONTAP refused the %s after the %s had been carried out: %s'
                                  % (self.spec.name, self.key_text(), _past(goal), step.what, done,
                                     str(exc).rstrip('. ')), changed=True, actions=earlier)
        if not final:
            raise OntapError('The %s %s was not %s: ONTAP refused the %s it requires first, and nothing was changed: %s'
                             % (self.spec.name, self.key_text(), _past(goal), step.what, str(exc).rstrip('. ')))
        raise exc

    def _attach(self, plan, step):
        """An operation already in flight is joined, never started twice: wait for its jobs and its settle."""
        budget = self._budget()
        result = dict(plan.extra, attached=True, **{self.spec.name: plan.record})
        if step.jobs:
            wait_result = self.ontap.wait_for_jobs(step.jobs, started_at=budget.started)
            self.jobs.extend(wait_result.jobs)
            result.update(wait_result.as_result())
            if not wait_result.ok:
                return Result.failure('Attached to the %s already in flight: %s' % (step.what, wait_result.message),
                                      changed=False, **result)
        if step.settle is not None:
            settled = self.settle(step, time.time())
            result.update(settled.as_result())
            result[self.spec.name] = settled.record
            if settled.outcome != 'success':
                return Result.failure(settled.message, changed=False, **result)
        return Result(False, **result)

    def _holds(self, record, want_present):
        if not want_present:
            return record is None
        return record is not None and not self.changes(record)

    def answered_record(self, step, response):
        """The object as ONTAP's answer to ``step`` gave it, when that answer is the end state: a create answered 201
        (its job ended in success within ``return_timeout``) with ``return_records=true`` returns the new object, and
        the record is used when it matches the natural key exactly and shows every field the task sets as wanted.
        ``None`` otherwise (a 202, an answer without records, or a field it lacks or shows otherwise): then the
        object is re-read. The record is cut down to the fields a lookup reads, so the result is the same either way.
        """
        if step.action != 'create' or response is None or response.status_code != 201:
            return None
        records = response.body.get('records') if isinstance(response.body, dict) else None
        if not isinstance(records, list) or len(records) != 1 or not isinstance(records[0], dict):
            return None
        record = _only_fields(records[0], self.spec.read_fields().split(',') + ['_links'])
        if not matches_exactly(record, self.key_query()) or not self._holds(record, True):
            return None
        return record

    def end_record(self, plan, step, response):
        """The object after the last step's job succeeded; the engine's one decision whether to read it again.

        - a delete: ONTAP's success (HTTP 200, or the job read as ``success``) is the end state; nothing is read;
        - a create answered 201 with its record (:meth:`answered_record`): that record, nothing is read;
        - otherwise (a 202 then polls, a modify or rename, a record lacking a field): the bounded re-read (F16).

        :returns: ``(record, reads)``: the record (``None`` when absent) and how many reads were made.
        """
        if not plan.want_present:
            return None, 0
        record = self.answered_record(step, response)
        if record is not None:
            return record, 0
        reads = []
        record = self.reread(True, reads=reads)
        return record, len(reads)

    def _finish(self, plan, step, wait_result, sent_at, response=None):
        """The last step's job ended (or was not waited for): settle, re-read, verify, and say what happened."""
        base = self._common(plan)
        outcome = wait_result.outcome if wait_result is not None else 'success'
        want_present = plan.want_present
        if outcome in ('success', 'not_waited'):
            if outcome == 'success' and step.settle is not None:
                settled = self.settle(step, sent_at)
                base.update(settled.as_result())
                if settled.outcome != 'success':
                    # ONTAP accepted the write (its job succeeded); the resource did not reach the end state.
                    base[self.spec.name] = settled.record
                    if wait_result is not None:
                        base.update(wait_result.as_result())
                    return Result.failure(settled.message, changed=True, **base)
            if want_present is None:
                record = plan.record
                if outcome == 'success' and plan.observe is not None:
                    seen, seen_diff = plan.observe()
                    base.update(seen)
                    if seen_diff is not None:
                        base.pop('diff', None)
                        self.with_diff(base, seen_diff[0], seen_diff[1])
            else:
                record = self.end_record(plan, step, response)[0] if outcome == 'success' else None
                if outcome == 'success' and (record is not None) != want_present:
                    # The job said success; the cluster does not show it yet after the bounded re-reads (F16). Say so.
                    self.ontap.warnings.append(
                        'The job ended in success, but the %s %s still %s after %g s of re-reads; ONTAP may take a '
                        'moment longer to show it.' % (self.spec.name, self.key_text(),
                                                       'is not visible' if want_present else 'exists', sum(REREAD_PAUSES)))
            base[self.spec.name] = record
            return from_wait(wait_result, True, **base)
        if outcome != 'unreadable' or want_present is None:
            # failure, or timed_out (the job uuid and last state go back so ontap.rest.job can resume).
            result = from_wait(wait_result, True, **base)
            earlier = [action['action'] for action in self.actions[:-1]]
            if result.failed and earlier and not result.changed:
                # The last step's job failed after earlier steps were carried out (an unmount before a delete):
                # the object is not as it was, so never "nothing changed".
                return Result.failure('The %s %s was not %s: %s The %s before it was carried out and is not undone.'
                                      % (self.spec.name, self.key_text(), _past(plan.steps[-1].action),
                                         result.msg.rstrip(' '), ', '.join(earlier)), changed=True, **result.data)
            return result
        # The job's status cannot be read (F13, F14): the resource decides, within the task's budget.
        record, holds = self.verify(want_present)
        result = wait_result.as_result()
        result.update(base)
        result[self.spec.name] = record
        if holds:
            self.ontap.warnings.append('%s However, the %s now shows the intended state, so the task succeeds.'
                                       % (wait_result.message.replace('; the outcome was not verified', ''),
                                          self.spec.name))
            return Result(True, **result)
        uuids = ', '.join(str(job.get('uuid')) for job in wait_result.jobs) or 'unknown'
        return Result.failure(
            'The outcome of the %s of %s %s is unknown: %s The %s did not show the intended state within job_timeout '
            '(%g s from the start of the task, %d read(s)); last seen: %s. The job (%s) was not cancelled and nothing was resent; '
            'follow it with ontap.rest.job or ontap.rest.job_info where the account may read jobs, or check the %s '
            'before retrying.' % (step.action, self.spec.name, self.key_text(), wait_result.message, self.spec.name,
                                  self.verify_budget, self.verify_reads, self._last_seen(record, want_present), uuids,
                                  self.spec.name), changed=True, **result)

    def _verify_after_error(self, plan, exc, step, sent_at):
        """The write's answer was lost or was a 5xx: look at the cluster (the resource, and the job the write
        started) before saying anything (F07)."""
        want_present = step.end_state == 'present'
        found = {}
        # wait_for_completion false: one look, never a wait (F03); a job of the write found in any state answers.
        no_wait = self.params.get('wait_for_completion') is False

        def job_failed():
            jobs = self._jobs_of(step, sent_at)
            if len(jobs) == 1 and (no_wait or jobs[0].get('state') == 'failure'):
                found['job'] = jobs[0]
            return 'job' in found

        record, holds = self.verify(want_present, give_up=job_failed, once=no_wait)
        base = self._common(plan)
        base[self.spec.name] = record
        if not holds and 'job' in found and found['job'].get('state') != 'failure':
            job = found['job']
            base.update(job=job, job_wait={'outcome': 'not_waited', 'elapsed': round(self._budget().elapsed(), 3),
                                           'polls': 0})
            self.ontap.warnings.append('The %s request got no clear answer (%s), but ONTAP started job %s for it (%s, '
                                       'state %s); wait_for_completion is false, so it was not waited for, and the '
                                       'request was not resent.' % (step.action, str(exc).rstrip('. '), job.get('uuid'),
                                                                    job.get('description'), job.get('state')))
            return Result(True, **base)
        if not holds and 'job' in found:
            failed = found['job']
            # Ground truth for "nothing changed": the object still is as it was before the write.
            unchanged = (record is None) if step.action == 'create' else (
                record is not None and (step.action == 'delete' or self._as_before(plan, record)))
            base.update(job=failed, job_wait={'outcome': 'failure', 'elapsed': round(self._budget().elapsed(), 3),
                                              'polls': 0})
            return Result.failure(
                'The answer to the %s of %s %s was lost (%s), but ONTAP\'s job for it, %s (%s, started %s), failed: %s '
                '(code %s). %s The request was not resent.'
                % (step.action, self.spec.name, self.key_text(), str(exc).rstrip('. '), failed.get('uuid'),
                   failed.get('description'), failed.get('start_time'), failed.get('message'), failed.get('code'),
                   'The %s is as it was before, so nothing changed.' % self.spec.name if unchanged else
                   'The %s does not show the intended state; check it before retrying.' % self.spec.name),
                changed=not unchanged, **base)
        if holds:
            self.ontap.warnings.append('The %s request got no clear answer (%s), but the %s now shows the intended '
                                       'state; the request was not resent.' % (step.action, exc, self.spec.name))
            return Result(True, **base)
        if no_wait:
            return Result.failure(
                'The outcome of the %s of %s %s is unknown: %s. wait_for_completion is false, so the cluster was looked '
                'at once, not waited on: no job of the request was found and the %s does not show the intended state '
                'yet; last seen: %s. The request was not resent. Check the cluster (for example with '
                'ontap.rest.job_info) before retrying.'
                % (step.action, self.spec.name, self.key_text(), str(exc).rstrip('. '), self.spec.name,
                   self._last_seen(record, want_present)), changed=True, **base)
        return Result.failure(
            'The outcome of the %s of %s %s is unknown: %s. The %s did not show the intended state within job_timeout '
            '(%g s from the start of the task, %d read(s)); last seen: %s. The request was not resent. Check the cluster (for '
            'example with ontap.rest.job_info) before retrying.'
            % (step.action, self.spec.name, self.key_text(), str(exc).rstrip('. '), self.spec.name, self.verify_budget,
               self.verify_reads, self._last_seen(record, want_present)), changed=True, **base)

    def _as_before(self, plan, record):
        """``True`` when ``record`` still has the planned change's "before" values (nothing of it was applied)."""
        if plan.diff is None:
            return False
        current = self.comparable(record)
        return all(normalise(current.get(option)) == normalise(value) for option, value in plan.diff[0].items()
                   if option in current)

    def _creates_in_flight(self):
        """Unfinished create jobs on this collection (``[]`` when there are none or jobs may not be listed)."""
        path = self.collection.lstrip('/')
        path = path[len('api/'):] if path.startswith('api/') else path
        try:
            return self.ontap.read_records('cluster/jobs', query={
                'state': UNFINISHED_JOB_STATES, 'description': 'POST /api/%s*' % path,
                'fields': 'uuid,state,description,message'})
        except OntapError:
            # A role that may not list jobs (403), or any other trouble: the original refusal is explained as before.
            return []

    def _converge_duplicate(self, exc, plan):
        """A create refused as a duplicate (``exc``: the refusal, an :class:`errors.OntapApiError` or the failed
        job's message as an :class:`errors.OntapError`): re-read and converge; when nothing matches yet and a create
        on the collection is still in flight, name its job (to wait for with ``ontap.rest.job``), never create twice.
        """
        reason = getattr(exc, 'message', None) or str(exc)
        record = self.reread(True)
        if record is None:
            jobs = self._creates_in_flight()
            if jobs:
                uuids = ', '.join(str(job.get('uuid')) for job in jobs)
                return Result.failure(
                    'ONTAP refused to create %s %s as a duplicate (%s), and no %s matches it yet: a create on %s is '
                    'still in progress (job %s: %s). Wait for it with ontap.rest.job (uuid %s), then run this task '
                    'again.' % (self.spec.name, self.key_text(), reason, self.spec.name, self.collection, uuids,
                                '; '.join('%s %s' % (job.get('state'), job.get('description')) for job in jobs), uuids),
                    jobs=jobs)
            return Result.failure('ONTAP refused to create %s %s as a duplicate (%s), but no %s matches %s: another '
                                  'object holds a key ONTAP treats as unique.'
                                  % (self.spec.name, self.key_text(), reason, self.spec.name, self.key_text()))
        changes = self.changes(record)
        if changes:
            return self.execute(self.plan_modify(record, changes))
        return Result(False, **{self.spec.name: record})


def run_resource(ontap, spec):
    """Run ``state: present|absent`` for ``spec`` on ``ontap`` (a :class:`runner.OntapModule`).

    :returns: :class:`results.Result` (the module returns it; the runner ends the task with it).
    """
    return Resource(ontap, spec).run()
