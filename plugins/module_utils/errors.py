# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Private to ontap.rest before 1.0: not a public API; it may change in any release (use the modules instead).
"""Typed exceptions of ontap.rest.

Every exception here has a complete, secret-free sentence as ``str(e)`` (the runner puts it in ``msg`` as it is).
This module imports nothing from the other layers.

Facts about ONTAP's error body and codes come from the ONTAP REST API reference (``error`` object:
``{"message", "code", "target", "arguments"}``, ``code`` an integer sent as a string) and NetApp's documentation;
the list of "busy" codes is in ``shared/ONTAP_ASYNC.md``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

#: HTTP methods that change something on the cluster (never resent by ontap.rest).
WRITE_METHODS = frozenset(['POST', 'PATCH', 'DELETE', 'PUT'])

#: ONTAP error codes that mean "busy, try again later" (ONTAP REST API reference; shared/ONTAP_ASYNC.md).
BUSY_CODES = frozenset(['7', '8', '262160', '2621573', '13434894', '13303864', '144180205', '2432833'])

#: HTTP statuses that mean "try again later".
BUSY_STATUSES = frozenset([429, 503])

_OUTCOME_UNKNOWN = ('The outcome is unknown: the request may have reached ONTAP and been carried out; it was not resent. '
                    'Check the state of the resource (or the cluster\'s recent jobs) before trying again.')


class OntapError(Exception):
    """Base of every ontap.rest error. ``str(e)`` is a complete sentence without secrets.

    :param msg: the sentence.
    """

    #: ``True`` when a write may have been carried out although no success was seen (see subclasses).
    outcome_unknown = False

    def __init__(self, msg):
        super(OntapError, self).__init__(msg)
        self.msg = msg

    def __str__(self):
        return self.msg

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, self.msg)


class OntapApiError(OntapError):
    """An HTTP answer with status >= 400.

    :ivar status: HTTP status (int).
    :ivar code: ONTAP error code as a string (``"4"``, ``"262197"``), ``None`` if the body was not ONTAP's error JSON.
    :ivar message: ONTAP's message, or a short excerpt of a non-JSON body ('' when empty).
    :ivar target: ONTAP's ``target`` (the field in error) or ``None``.
    :ivar arguments: ONTAP's ``arguments`` list (``[]`` when absent).
    :ivar method: HTTP method; :ivar url: request URL (never carries credentials).
    :ivar retry_after: seconds from the ``Retry-After`` header, or ``None``.
    :ivar body: the parsed JSON body (dict) or ``None`` (e.g. a job that failed inside ``return_timeout`` may be there).
    :ivar note: a sentence the client adds, e.g. why a GET was not retried (``''`` when none); part of ``str(e)``.
    """

    def __init__(self, status, code=None, message='', target=None, arguments=None, method='GET', url='',
                 retry_after=None, body=None, note=''):
        self.status = int(status)
        self.code = None if code is None else str(code)
        self.message = message or ''
        self.target = target
        self.arguments = list(arguments or [])
        self.method = (method or 'GET').upper()
        self.url = url
        self.retry_after = retry_after
        self.body = body
        self.note = note or ''
        super(OntapApiError, self).__init__(self._sentence())

    @property
    def is_not_found(self):
        """404, or ONTAP code 4 ("entry doesn't exist")."""
        return self.status == 404 or self.code == '4'

    @property
    def is_duplicate(self):
        """409, or ONTAP code 1 ("duplicate entry")."""
        return self.status == 409 or self.code == '1'

    @property
    def is_auth(self):
        """401: the credentials (password, certificate or token) were rejected."""
        return self.status == 401

    @property
    def is_forbidden(self):
        """403: authenticated, but the account's role lacks a privilege."""
        return self.status == 403

    @property
    def is_busy(self):
        """429/503 or one of ONTAP's busy codes (:data:`BUSY_CODES`): try again later."""
        return self.status in BUSY_STATUSES or self.code in BUSY_CODES

    @property
    def is_server_error(self):
        """HTTP status >= 500."""
        return self.status >= 500

    @property
    def outcome_unknown(self):
        """A write answered with a 5xx: ONTAP may have carried it out anyway (FIELD_CASES F07)."""
        return self.method in WRITE_METHODS and self.status >= 500

    def _sentence(self):
        where = '%s %s' % (self.method, self.url) if self.url else self.method
        ontap = ''
        if self.code is not None:
            ontap = 'ONTAP error %s: %s' % (self.code, self.message or '(no message)')
            if self.target:
                ontap += ' (target: %s)' % self.target
        elif self.message:
            ontap = 'response: %s' % self.message
        if self.status == 401:
            text = ('%s: HTTP 401 Unauthorized: the credentials were rejected (check username/password, the client '
                    'certificate and key, or the token, and that the account may use this authentication method)' % where)
        elif self.status == 403:
            text = ('%s: HTTP 403 Forbidden: the account authenticated, but its role lacks the privilege for this '
                    'call' % where)
        else:
            text = '%s: HTTP %d' % (where, self.status)
        if ontap:
            text += '; ' + ontap
        if self.retry_after is not None and self.status in (429, 503):
            text += '; Retry-After: %g s' % self.retry_after
        text = text.rstrip('. ') + '.'
        if self.note:
            text += ' ' + self.note.rstrip('. ') + '.'
        if self.outcome_unknown:
            text += ' ' + _OUTCOME_UNKNOWN
        return text


class OntapTransportError(OntapError):
    """No HTTP answer: connection refused, DNS, TLS, read timeout, connection reset.

    :ivar kind: ``'connect'`` (not sent), ``'timeout'`` (read timeout), ``'tls'`` (handshake or verification, not
        sent), ``'reset'`` (connection dropped after sending), ``'budget'`` (not sent: the task's ``job_timeout``
        had run out), ``'other'``.
    :ivar method: HTTP method; :ivar url: request URL (never carries credentials); :ivar reason: what failed.
    :ivar hint: extra advice already part of ``str(e)`` (e.g. about ``ca_path``), may be ''.
    """

    KINDS = ('connect', 'timeout', 'tls', 'reset', 'budget', 'other')

    def __init__(self, kind, method, url, reason, hint=''):
        if kind not in self.KINDS:
            kind = 'other'
        self.kind = kind
        self.method = (method or 'GET').upper()
        self.url = url
        self.reason = reason
        self.hint = hint
        super(OntapTransportError, self).__init__(self._sentence())

    @property
    def outcome_unknown(self):
        """A write whose request may have reached ONTAP (``timeout``, ``reset`` or ``other``): outcome unknown (F07).

        ``connect``, ``tls`` and ``budget`` errors happen before the request is sent.
        """
        return self.method in WRITE_METHODS and self.kind in ('timeout', 'reset', 'other')

    def _sentence(self):
        label = {
            'connect': 'could not connect',
            'timeout': 'no answer in time (read timeout)',
            'tls': 'TLS error',
            'reset': 'the connection was dropped',
            'budget': 'not sent',
            'other': 'transport error',
        }[self.kind]
        text = '%s %s: %s: %s' % (self.method, self.url, label, self.reason)
        text = text.rstrip('. ') + '.'
        if self.hint:
            text += ' ' + self.hint.rstrip('. ') + '.'
        if self.outcome_unknown:
            text += ' ' + _OUTCOME_UNKNOWN
        return text


class OntapOptionError(OntapError):
    """Bad user input, found before anything is sent.

    :ivar option: the option's name (e.g. ``'return_timeout'``).
    """

    def __init__(self, option, msg):
        self.option = option
        super(OntapOptionError, self).__init__(msg)


class OntapNoRestError(OntapError):
    """``GET /api/cluster`` answered 404: the system has no ONTAP REST API (ONTAP 9.6 or later is needed, F32)."""

    def __init__(self, host, detail=''):
        self.host = host
        msg = '%s: this system has no ONTAP REST API (9.6+ needed): GET /api/cluster answered 404' % host
        if detail:
            msg += ' (%s)' % detail
        # No silent switch to ZAPI (issue 12): name the modules that speak it.
        msg += ('. For such a system use ontap.rest.zapi (any ZAPI call) and ontap.rest.job with id: (a job by its '
                'integer id), which use ZAPI through netapp-lib')
        super(OntapNoRestError, self).__init__(msg + '.')


class OntapJobStateError(OntapError):
    """A job read returned a ``state`` that is missing or not one of ONTAP's five states.

    ONTAP's job states are queued, running, paused, success and failure (ONTAP REST API reference,
    ``/cluster/jobs``); anything else cannot be taken as done, let alone as success.

    :ivar job: the job dict as read; :ivar uuid: its uuid.
    """

    def __init__(self, uuid, job, elapsed=None):
        self.uuid = uuid
        self.job = job
        state = job.get('state') if isinstance(job, dict) else None
        what = 'no state' if state is None else 'the unknown state %r' % (state,)
        msg = ('Request accepted as job %s; reading the job returned %s (expected queued, running, paused, success or '
               'failure); the outcome was not verified' % (uuid, what))
        if elapsed is not None:
            msg += ' (after %.0f s)' % elapsed
        super(OntapJobStateError, self).__init__(msg + '.')


# -- the rulebook: what a refused or failed write means -------------------------------------------------------------

#: A refused write was a create of an object whose key is taken (converge on it).
DUPLICATE = 'duplicate'
#: ONTAP refused the write as busy: nothing was done, a resend inside the budget is safe.
BUSY = 'busy'
#: A refusal that waiting will not change: report it.
LASTING = 'lasting'
#: The object addressed does not exist (for a delete: converged).
NOT_FOUND = 'not_found'
#: No clear answer (5xx on a write, a lost or cut connection): the write may have been carried out; verify, never resend.
UNKNOWN = 'unknown'

#: Codes resent as busy by default: :data:`BUSY_CODES` except 8 ("resource in use"), which ONTAP also answers for
#: lasting conflicts (an SVM that still holds volumes, a root volume), where waiting would only delay a clear failure.
#: A spec that knows better declares ``error_rules={'8': BUSY}``.
RESEND_CODES = frozenset(BUSY_CODES - frozenset(['8']))


def classify(exc, rules=None):
    """What an error of a write means, decided in one place (issue 10 "one rulebook for errors").

    :param exc: an :class:`OntapError` raised by the write.
    :param rules: per-resource exceptions, ``{ONTAP code (str): kind}`` (a spec's ``error_rules``); they win over
        everything but transport errors.
    :returns: one of :data:`DUPLICATE`, :data:`BUSY`, :data:`LASTING`, :data:`NOT_FOUND`, :data:`UNKNOWN`.
    """
    if isinstance(exc, OntapTransportError):
        # not sent because job_timeout had run out: nothing happened, and there is no time left to resend
        return LASTING if exc.kind == 'budget' else UNKNOWN
    if not isinstance(exc, OntapApiError):
        return LASTING
    rules = rules or {}
    if exc.code in rules:
        return rules[exc.code]
    if exc.status in BUSY_STATUSES or exc.code in RESEND_CODES:
        return BUSY
    if exc.code == '1' or (exc.code is None and exc.status == 409):
        return DUPLICATE
    if exc.status >= 500:
        return UNKNOWN
    if exc.is_not_found:
        return NOT_FOUND
    return LASTING


def classify_job_code(code, rules=None):
    """What a job that ended in ``failure`` with ONTAP ``code`` (str or ``None``) means: :data:`BUSY` (resend),
    :data:`DUPLICATE` (code 1: the job found the key taken) or :data:`LASTING`."""
    rules = rules or {}
    if code in rules:
        return rules[code]
    if code in RESEND_CODES:
        return BUSY
    if code == '1':
        return DUPLICATE
    return LASTING
