# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Private to ontap.rest before 1.0: not a public API; it may change in any release (use the modules instead).
"""The transport of ontap.rest: one keep-alive ``requests.Session`` per client, auth, TLS, GET retries, ONTAP errors.

Facts used here come from the ONTAP REST API reference and NetApp's documentation (see ``shared/ONTAP_ASYNC.md``):
``return_timeout`` is an integer 0..120 (seconds); error bodies are ``{"error": {"message", "code", "target",
"arguments"}}``; collections page through ``_links.next``; ``GET /api/cluster?fields=version`` gives the version
(REST exists from ONTAP 9.6); 401 bodies may not be JSON; 429/502/503 mean "try later" and may carry ``Retry-After``.

Rules (docs/design.md, FIELD_CASES F19, F20, F22, F29-F32):

- every call (polls included) goes through the same ``requests.Session`` and so the same connection pool;
- idempotent GETs are retried by urllib3's ``Retry`` (connect errors, read errors, 429/502/503, ``Retry-After``
  honoured up to :data:`RETRY_AFTER_MAX` s, exponential backoff) unless the call says ``retry=False``;
  POST/PATCH/DELETE are never resent;
- read timeout = ``http_timeout + return_timeout`` seconds, so the server's wait and ours never race;
- under the task's budget (:attr:`OntapClient.budget`, the runner's ``job_poller.Budget``), every attempt's connect
  and read timeouts are capped to what the budget leaves (``Budget.request_time()``), no GET retry is made whose
  pause would end after the deadline, and nothing is sent once the budget is spent: ``job_timeout`` bounds the task;
- errors name method, URL, status, ONTAP code and message, and never contain the password, the token or the
  ``Authorization`` header.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import email.utils
import math
import os
import re
import socket
import ssl
import time
import traceback
import warnings

from urllib.parse import parse_qsl, quote, urlencode, urlsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry
    from urllib3.util.timeout import Timeout
    from urllib3.exceptions import InsecureRequestWarning
    import urllib3.exceptions as u3exc
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.ontap.rest.plugins.module_utils.errors import (
    OntapApiError,
    OntapError,
    OntapNoRestError,
    OntapOptionError,
    OntapTransportError,
)

#: The collection's version: the one place it is written in Python (galaxy.yml has it too; a unit test compares).
COLLECTION_VERSION = '0.1.0'

#: ``X-Dot-Client-App`` header value (ONTAP logs it with each request).
CLIENT_APP = 'ontap.rest/' + COLLECTION_VERSION

#: ``return_timeout`` bounds in seconds (ONTAP REST API reference: integer 0..120; out of range -> 400, code 262197).
RETURN_TIMEOUT_MIN = 0
RETURN_TIMEOUT_MAX = 120

#: HTTP statuses after which an idempotent GET is retried.
RETRY_STATUSES = (429, 502, 503)

#: GET retry backoff: ``GET_BACKOFF_FACTOR * 2 ** (n - 1)`` seconds before retry n, at most ``GET_BACKOFF_MAX``.
GET_BACKOFF_FACTOR = 0.5
GET_BACKOFF_MAX = 8.0

#: A ``Retry-After`` longer than this (seconds) is shortened to it on client GET retries.
RETRY_AFTER_MAX = 60.0

#: A request that would have less than this many seconds of the task's budget is not sent (kind ``budget``).
MIN_REQUEST_TIME = 0.05

#: ``get_records`` follows at most this many pages before it fails (it never returns a cut-off read).
MAX_PAGES = 1000

#: Body excerpt length (characters) kept in errors for non-JSON answers.
EXCERPT_LEN = 200

_ACCEPT = 'application/hal+json, application/json'

#: TLS alerts a server sends when it does not accept the client certificate (FIELD_CASES F30).
_CLIENT_CERT_ALERT_RE = re.compile(r'alert[ _](unknown[ _]ca|bad[ _]certificate|certificate[ _]required|'
                                   r'certificate[ _]unknown|unsupported[ _]certificate|certificate[ _]expired|'
                                   r'certificate[ _]revoked|access[ _]denied|decrypt[ _]error)', re.I)


def validate_return_timeout(value):
    """Check ONTAP's ``return_timeout`` before anything is sent (FIELD_CASES F08).

    :param value: seconds, an integer 0..120 (an integral float such as ``30.0`` is accepted).
    :returns: the value as ``int``.
    :raises OntapOptionError: (option ``return_timeout``) for a non-integer or out-of-range value.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not value.is_integer()):
        raise OntapOptionError('return_timeout', 'return_timeout must be a whole number of seconds from %d to %d, not %r '
                               '(it is how long ONTAP holds one request; use job_timeout for the overall wait).'
                               % (RETURN_TIMEOUT_MIN, RETURN_TIMEOUT_MAX, value))
    value = int(value)
    if not RETURN_TIMEOUT_MIN <= value <= RETURN_TIMEOUT_MAX:
        raise OntapOptionError('return_timeout', 'return_timeout must be from %d to %d seconds, not %d (ONTAP rejects '
                               'larger values with error 262197; use job_timeout for the overall wait).'
                               % (RETURN_TIMEOUT_MIN, RETURN_TIMEOUT_MAX, value))
    return value


class OntapResponse(object):
    """A successful (< 400) answer.

    :ivar status_code: HTTP status (int). :ivar body: parsed JSON (dict) or ``None`` (empty or non-JSON body).
    :ivar headers: response headers (case-insensitive mapping). :ivar method: HTTP method. :ivar url: request URL.
    """

    def __init__(self, status_code, body=None, headers=None, method='GET', url=''):
        self.status_code = status_code
        self.body = body
        self.headers = headers if headers is not None else {}
        self.method = method
        self.url = url

    @property
    def job(self):
        """``body['job']`` (dict) if present, else ``None``."""
        if isinstance(self.body, dict) and isinstance(self.body.get('job'), dict):
            return self.body['job']
        return None

    @property
    def jobs(self):
        """``body['jobs']`` (query-based PATCH/DELETE), or ``[body['job']]``, or ``[]``; list of job dicts."""
        if isinstance(self.body, dict) and isinstance(self.body.get('jobs'), list):
            return [job for job in self.body['jobs'] if isinstance(job, dict)]
        job = self.job
        return [job] if job is not None else []

    @property
    def records(self):
        """``body['records']`` (list) or ``[]``."""
        if isinstance(self.body, dict) and isinstance(self.body.get('records'), list):
            return self.body['records']
        return []

    def __repr__(self):
        return 'OntapResponse(%s %s -> %s)' % (self.method, self.url, self.status_code)


class _BearerAuth(object):
    """``requests`` auth callable: OAuth 2.0 bearer token (ONTAP 9.14+); its repr never shows the token."""

    def __init__(self, token):
        self._token = token

    def __call__(self, request):
        request.headers['Authorization'] = 'Bearer ' + self._token
        return request

    def __repr__(self):
        return '_BearerAuth(token=********)'


class _BasicAuth(object):
    """``requests`` auth callable: HTTP basic auth; its repr never shows the password."""

    def __init__(self, username, password):
        self.encoded = base64.b64encode(('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')
        self.username = username

    def __call__(self, request):
        request.headers['Authorization'] = 'Basic ' + self.encoded
        return request

    def __repr__(self):
        return '_BasicAuth(username=%r, password=********)' % self.username


if HAS_REQUESTS:

    class _GetRetry(Retry):
        """urllib3 ``Retry`` whose pauses go through an injectable ``sleep``, whose ``Retry-After`` is bounded, and
        that makes no retry whose pause would end after the task's deadline (``guard.budget``)."""

        sleep_func = staticmethod(time.sleep)
        guard = None

        def new(self, **kw):
            retry = super(_GetRetry, self).new(**kw)
            retry.sleep_func = self.sleep_func
            retry.guard = self.guard
            return retry

        def pause(self, response=None):
            """Seconds :meth:`sleep` pauses before the next try (``Retry-After`` when given, else the backoff)."""
            if response is not None and self.respect_retry_after_header:
                retry_after = _parse_retry_after(response.headers.get('Retry-After'))
                if retry_after is not None:
                    return min(retry_after, RETRY_AFTER_MAX)
            attempts = len(self.history)
            return min(GET_BACKOFF_MAX, GET_BACKOFF_FACTOR * 2 ** (attempts - 1)) if attempts >= 1 else 0.0

        def sleep(self, response=None):
            pause = self.pause(response)
            if pause > 0:
                self.sleep_func(pause)

        def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
            retry = super(_GetRetry, self).increment(method, url, response, error, _pool, _stacktrace)
            budget = self.guard.budget if self.guard is not None else None
            if budget is not None:
                pause = retry.pause(response)
                if pause > budget.remaining():
                    # The retry would start after the deadline: not made. urllib3 then returns the answer (a status
                    # retry) or raises the error; the client says why it was not retried.
                    retry_after = _parse_retry_after(response.headers.get('Retry-After')) if response is not None else None
                    what = 'Retry-After %g s' % retry_after if retry_after is not None else 'backoff %g s' % pause
                    self.guard.note = ('Not retried: the pause before a retry (%s) would end after job_timeout (%g s; '
                                       '%.1f s were left)' % (what, budget.job_timeout, budget.remaining()))
                    raise u3exc.MaxRetryError(_pool, url, error or u3exc.ResponseError(
                        'HTTP %s' % getattr(response, 'status', '?')))
            return retry

    class _BudgetTimeout(Timeout):
        """Connect and read timeouts capped, at the start of each attempt, to ``time_left()`` seconds (urllib3 clones
        the timeout for every attempt, GET retries included). :ivar used: ``(connect, read)`` of the latest attempt."""

        def __init__(self, connect, read, time_left):
            super(_BudgetTimeout, self).__init__(connect=connect, read=read)
            self.time_left = time_left
            self.used = (connect, read)

        def clone(self):
            left = max(MIN_REQUEST_TIME, self.time_left())
            self.used = (min(self._connect, left), min(self._read, left))
            return Timeout(connect=self.used[0], read=self.used[1])

    class _RetryGuard(object):
        """Shared by a client and its GET ``Retry``: the task's budget, and why the latest retry was not made."""

        def __init__(self):
            self.budget = None
            self.note = None

    class _OntapSession(requests.Session):
        """A ``requests.Session`` with two adapters over ONE connection pool: GET-retrying and plain.

        ``use_retry`` picks the adapter for the next request; the client sets it per call.
        """

        def __init__(self, retry_adapter, plain_adapter):
            super(_OntapSession, self).__init__()
            # the plain adapter uses the retry adapter's pools: one keep-alive connection pool per client
            plain_adapter.poolmanager = retry_adapter.poolmanager
            plain_adapter.proxy_manager = retry_adapter.proxy_manager
            self.mount('https://', retry_adapter)
            self.mount('http://', retry_adapter)
            self.retry_adapter = retry_adapter
            self.plain_adapter = plain_adapter
            self.use_retry = False

        def get_adapter(self, url):
            if not url.lower().startswith(('https://', 'http://')):
                return super(_OntapSession, self).get_adapter(url)
            return self.retry_adapter if self.use_retry else self.plain_adapter

else:  # pragma: no cover - the runner reports missing_required_lib('requests') first
    _GetRetry = _OntapSession = _BudgetTimeout = _RetryGuard = None


class OntapClient(object):
    """One ONTAP cluster (or SVM) endpoint, one keep-alive session. One client per task: not for use from several
    threads at once (the GET-retry choice is per call on the shared session).

    :param hostname: cluster or SVM management address (name, IPv4 or IPv6).
    :param port: TCP port (default 443).
    :param username: with ``password``: HTTP basic auth.
    :param cert_filepath: PEM client certificate (CN = ONTAP account); ``key_filepath`` its key (may be omitted when
        the PEM holds both).
    :param token: OAuth 2.0 bearer token (ONTAP 9.14+). When several methods are given: token, then certificate,
        then basic.
    :param validate_certs: verify the server certificate (default ``True``, on every call, polls included).
    :param ca_path: CA bundle file (or directory) to verify the server with.
    :param http_timeout: seconds for connect and for reading an answer (``return_timeout`` is added to the read).
    :param get_retries: retries of an idempotent GET (connect/read errors, 429/502/503).
    :param sleep: pause function used between GET retries (seconds), injectable for tests.
    :param scheme: ``'https'`` (default) or ``'http'``.
    :raises OntapOptionError: on a missing host, a bad port or timeout, or a certificate/CA file that does not exist.

    :ivar budget: the task's budget, or ``None`` (no bound but the timeouts): an object with ``remaining()`` and
        ``request_time()`` (seconds) and ``job_timeout`` (seconds), i.e. a ``job_poller.Budget``; the runner sets it.
        Under it every attempt's connect and read timeouts are at most ``request_time()``, a GET retry whose pause
        would end after the deadline is not made (the answer or error is reported, saying so), and a request with
        less than :data:`MIN_REQUEST_TIME` s left is not sent (``OntapTransportError`` kind ``budget``).
    """

    def __init__(self, hostname, port=443, username=None, password=None, cert_filepath=None, key_filepath=None,
                 token=None, validate_certs=True, ca_path=None, http_timeout=60.0, get_retries=4,
                 sleep=time.sleep, scheme='https'):
        if not HAS_REQUESTS:
            raise OntapError('The Python library requests is needed by ontap.rest but could not be imported.')
        _check_options(hostname, port, http_timeout, scheme, cert_filepath, key_filepath, ca_path)
        self.hostname = hostname.strip('[]')
        self.port = int(port)
        self.scheme = scheme
        self.http_timeout = float(http_timeout)
        self.validate_certs = bool(validate_certs)
        self.ca_path = ca_path
        self.cert_filepath = cert_filepath
        self.username = username
        self.base_url = '%s://%s:%d' % (scheme, '[%s]' % self.hostname if ':' in self.hostname else self.hostname, self.port)
        self._version = None
        self._secrets = [secret for secret in (password, token) if secret]
        self._guard = _RetryGuard()
        self.budget = None
        session = _OntapSession(HTTPAdapter(max_retries=_get_retry(get_retries, sleep, self._guard)),
                                HTTPAdapter(max_retries=0))
        session.headers.update({'Accept': _ACCEPT, 'X-Dot-Client-App': CLIENT_APP})
        session.verify = (ca_path or True) if self.validate_certs else False
        # one method, in the order token, certificate, basic (options.py: fallbacks may fill several)
        if token:
            self.auth_method = 'token'
            session.auth = _BearerAuth(token)
        elif cert_filepath:
            self.auth_method = 'certificate'
            session.cert = (cert_filepath, key_filepath) if key_filepath else cert_filepath
        elif username:
            if password is None:
                raise OntapOptionError('password', 'username was given without password.')
            self.auth_method = 'basic'
            session.auth = _BasicAuth(username, password)
            self._secrets.append(session.auth.encoded)
        else:
            self.auth_method = 'none'
        self._session = session

    @classmethod
    def from_params(cls, params):
        """Build a client from the ``ontap.rest.connection`` options (``options.connection_spec()``).

        :param params: dict with ``hostname``, ``port``, ``username``, ``password``, ``cert_filepath``,
            ``key_filepath``, ``token``, ``validate_certs``, ``ca_path``, ``http_timeout`` (seconds); missing or
            ``None`` values take the defaults. Optional ``get_retries``, ``scheme``, ``sleep`` (GET retry pauses).
        :raises OntapOptionError: see :class:`OntapClient`.
        """
        kwargs = {}
        for name in ('hostname', 'port', 'username', 'password', 'cert_filepath', 'key_filepath', 'token',
                     'validate_certs', 'ca_path', 'http_timeout', 'get_retries', 'scheme', 'sleep'):
            if params.get(name) is not None:
                kwargs[name] = params[name]
        return cls(**kwargs)

    def __repr__(self):
        user = ' user=%s' % self.username if self.auth_method == 'basic' else ''
        return 'OntapClient(%s, auth=%s%s)' % (self.base_url, self.auth_method, user)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- URLs ------------------------------------------------------------------------------------------------

    def url(self, path, query=None):
        """The full URL (credential-free) for ``path`` and ``query``.

        :param path: ``storage/volumes``, ``/api/storage/volumes`` or a ``_links`` href (``/api/...?...``); an
            absolute URL is reduced to its path and query (requests only ever go to this client's host).
        :param query: dict; values ``True``/``False`` become ``true``/``false``, lists are comma-joined, ``None``
            values are left out; they override the same keys of a query already in ``path``.
        """
        parts = urlsplit(path)
        rel = parts.path.lstrip('/')
        if not rel.startswith('api/') and rel != 'api':
            rel = 'api/' + rel
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if query:
            keys = set(str(key) for key in query)
            pairs = [(key, value) for key, value in pairs if key not in keys]
            for key, value in query.items():
                if value is None:
                    continue
                if isinstance(value, bool):
                    value = 'true' if value else 'false'
                elif isinstance(value, (list, tuple, set, frozenset)):
                    value = ','.join(str(item) for item in value)
                pairs.append((str(key), str(value)))
        url = '%s/%s' % (self.base_url, quote(rel, safe="/:@!$&'()*+,;=-._~%"))
        if pairs:
            url += '?' + urlencode(pairs, safe=',*')
        return url

    # -- calls -----------------------------------------------------------------------------------------------

    def request(self, method, path, query=None, body=None, return_timeout=None, retry=None):
        """Send one request.

        :param method: ``GET``, ``POST``, ``PATCH`` or ``DELETE``.
        :param path: see :meth:`url`. :param query: dict, see :meth:`url`. :param body: dict sent as JSON, or ``None``.
        :param return_timeout: seconds (int 0..120) ONTAP may hold the request; added to the query AND to the read
            timeout (read timeout = ``http_timeout + return_timeout``). ``None``: not sent.
        :param retry: GETs are retried on connect/read errors and 429/502/503 unless ``retry=False`` (the job
            poller retries inside its own deadline). Writes are never resent, whatever ``retry`` says.
            Under :attr:`budget`, the timeouts of each attempt are capped and retries end at the deadline (see there).
        :returns: :class:`OntapResponse` (status < 400).
        :raises OntapApiError: status >= 400 (ONTAP's error body parsed; ``outcome_unknown`` for a 5xx on a write).
        :raises OntapTransportError: no answer (``kind`` connect/timeout/tls/reset/other; ``outcome_unknown`` for a
            write that may have reached ONTAP, a write cut by the budget's read timeout included), or not sent
            because the budget was spent (``kind`` budget).
        :raises OntapOptionError: invalid ``return_timeout``.
        """
        method = method.upper()
        read_timeout = self.http_timeout
        if return_timeout is not None:
            return_timeout = validate_return_timeout(return_timeout)
            query = dict(query or {})
            query['return_timeout'] = return_timeout
            read_timeout += return_timeout
        url = self.url(path, query)
        timeout = (self.http_timeout, read_timeout)
        budget = self.budget
        if budget is not None:
            if budget.request_time() < MIN_REQUEST_TIME:
                raise OntapTransportError('budget', method, url, 'job_timeout (%g s) had run out before the request '
                                          'could be sent' % budget.job_timeout)
            timeout = _BudgetTimeout(self.http_timeout, read_timeout, budget.request_time)
        self._guard.budget, self._guard.note = budget, None
        self._session.use_retry = method == 'GET' and retry is not False
        try:
            with warnings.catch_warnings():
                if not self.validate_certs:
                    warnings.simplefilter('ignore', InsecureRequestWarning)
                # verify is passed per call: a session-level value loses to REQUESTS_CA_BUNDLE in requests
                resp = self._session.request(method, url, json=body, timeout=timeout,
                                             verify=self._session.verify, allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            error = self._transport_error(exc, method, url, read_timeout, return_timeout, timeout)
        except (OSError, ValueError) as exc:  # raised before sending, e.g. an unreadable certificate or CA file
            error = OntapTransportError('connect', method, url, self._scrub('the request could not be prepared: %s' % exc))
        else:
            return self._response(resp, method, url)
        finally:
            self._session.use_retry = False
        raise error

    def get(self, path, query=None, retry=True):
        """GET ``path``; see :meth:`request`. :returns: :class:`OntapResponse`. :raises OntapError:"""
        return self.request('GET', path, query=query, retry=retry)

    def get_records(self, path, query=None, max_pages=MAX_PAGES, retry=True):
        """GET a collection and follow ``_links.next`` to the end (FIELD_CASES F19).

        A page may hold zero records and still have a ``next`` link (ONTAP cut the read at its collection
        ``return_timeout``); the links are followed regardless. A read is never returned cut off.

        :param retry: ``False``: no urllib3 GET retries (the caller retries inside its own budget).
        :returns: list of record dicts from every page.
        :raises OntapError: more than ``max_pages`` pages, or a ``next`` link that repeats (the read is incomplete).
        :raises OntapApiError, OntapTransportError: as :meth:`request`.
        """
        resp = self.get(path, query, retry=retry)
        records = []
        seen = set()
        pages = 1
        while True:
            records.extend(resp.records)
            body = resp.body if isinstance(resp.body, dict) else {}
            href = ((body.get('_links') or {}).get('next') or {}).get('href')
            if not href:
                return records
            if href in seen:
                raise OntapError('GET %s: the collection read did not end (next link %s repeated after %d pages, %d '
                                 'records); the read is incomplete and was not used.'
                                 % (self.url(path, query), href, pages, len(records)))
            if pages >= max_pages:
                raise OntapError('GET %s: still more records after %d pages (%d records read); the read is incomplete '
                                 'and was not used.' % (self.url(path, query), pages, len(records)))
            seen.add(href)
            resp = self.get(href, retry=retry)
            pages += 1

    def get_version(self):
        """ONTAP version from ``GET /api/cluster?fields=version`` (cached).

        :returns: ``{'full': str, 'generation': int, 'major': int, 'minor': int}``.
        :raises OntapNoRestError: the GET answered 404: no REST API on this system (ONTAP before 9.6, F32).
        """
        if self._version is None:
            try:
                resp = self.get('cluster', {'fields': 'version'})
            except OntapApiError as exc:
                if exc.status == 404:
                    raise OntapNoRestError('%s:%d' % (self.hostname, self.port), exc.message)
                raise
            version = (resp.body or {}).get('version') or {}
            self._version = dict((key, version.get(key)) for key in ('full', 'generation', 'major', 'minor'))
        return dict(self._version)

    def close(self):
        """Close the session and its connections."""
        self._session.close()
        self._session.plain_adapter.close()

    # -- answers and errors ----------------------------------------------------------------------------------

    def _scrub(self, text):
        text = text if isinstance(text, str) else str(text)
        for secret in self._secrets:
            if secret and secret in text:
                text = text.replace(secret, '********')
        return text

    def _response(self, resp, method, url):
        body = None
        if resp.content:
            try:
                body = resp.json()
            except ValueError:
                body = None
        if resp.status_code >= 400:
            raise self._api_error(resp, body, method, url, self._guard.note)
        return OntapResponse(resp.status_code, body, resp.headers, method, url)

    def _api_error(self, resp, body, method, url, note=None):
        error = body.get('error') if isinstance(body, dict) else None
        if isinstance(error, dict):
            code = error.get('code')
            message = self._scrub(error.get('message') or '')
            target = error.get('target')
            arguments = error.get('arguments') or []
        else:
            code, target, arguments = None, None, []
            message = self._scrub(_excerpt(resp.text if resp.content else ''))
        return OntapApiError(resp.status_code, code=code, message=message, target=target, arguments=arguments,
                             method=method, url=url, retry_after=_parse_retry_after(resp.headers.get('Retry-After')),
                             body=body if isinstance(body, dict) else None, note=note)

    def _transport_error(self, exc, method, url, read_timeout, return_timeout, timeout=None):
        kind, reason = classify_transport_error(exc)
        hint = ''
        where = '%s:%d' % (self.hostname, self.port)
        used = getattr(timeout, 'used', None)
        if kind == 'tls':
            reason, hint = self._explain_tls(reason, where)
        elif kind == 'timeout':
            full = 'http_timeout %g s' % self.http_timeout
            full += ' + return_timeout %d s' % return_timeout if return_timeout else ''
            if used is not None and used[1] < read_timeout:
                hint = ('The read timeout was %.2f s, what job_timeout (%g s) left (%s)'
                        % (used[1], self.budget.job_timeout, full))
            else:
                hint = 'The read timeout was %g s (%s)' % (read_timeout, full)
        elif kind == 'connect' and self.hostname not in reason:
            reason = '%s (%s)' % (reason, where)
        if kind == 'connect' and used is not None and used[0] < self.http_timeout:
            hint = 'The connect timeout was %.2f s, what job_timeout (%g s) left' % (used[0], self.budget.job_timeout)
        if self._guard.note:
            hint = ('%s. %s' % (hint.rstrip('. '), self._guard.note)) if hint else self._guard.note
        return OntapTransportError(kind, method, url, self._scrub(reason), self._scrub(hint))

    def _explain_tls(self, reason, where):
        """(reason, hint) for a TLS failure of this client: see :func:`explain_tls`."""
        return explain_tls(reason, where, self.auth_method, self.cert_filepath, self.ca_path)


def explain_tls(reason, where, auth_method, cert_filepath=None, ca_path=None):
    """(reason, hint) for a TLS failure, shared by the REST and ZAPI transports.

    :param reason: the transport's message (``ssl``/``urllib3`` text). :param where: ``host:port``.
    :param auth_method: ``token``, ``certificate``, ``basic`` or ``none``: a rejected client certificate (a TLS alert
        such as ``unknown ca``, FIELD_CASES F30) gets certificate-authentication advice, never server-CA advice.
    :param cert_filepath: :param ca_path: named in the advice when set.
    :returns: ``(reason, hint)`` strings: verification failures (F29), a rejected client certificate (F30; with
        certificate authentication an EOF in the handshake too, since a TLS 1.3 alert can be lost), a client
        certificate or key that does not load, or any other handshake failure.
    """
    lowered = reason.lower()
    alert = _CLIENT_CERT_ALERT_RE.search(reason)
    if 'certificate verify failed' in lowered or 'hostname mismatch' in lowered or "doesn't match" in lowered:
        detail = reason.split('certificate verify failed:', 1)[-1].strip() if 'verify failed:' in lowered else reason
        return ('the certificate of %s could not be verified: %s' % (where, detail),
                'Give the CA bundle that signed the cluster certificate with ca_path'
                '%s, or (only for a lab) set validate_certs: false' % (' (now %s)' % ca_path if ca_path else ''))
    if alert:
        name = alert.group(1).replace('_', ' ').lower()
        if auth_method == 'certificate':
            return ('client-certificate authentication to %s failed: the server rejected the certificate %s '
                    '(TLS alert "%s")' % (where, cert_filepath, name),
                    'This is a certificate authentication or chain problem: install the CA (and any intermediate) '
                    'that signed cert_filepath on the cluster as a client-ca certificate, check that the '
                    'certificate is valid, that its CN is the ONTAP account name and that the account allows '
                    '"cert" authentication')
        return ('%s ended the TLS handshake (TLS alert "%s")' % (where, name),
                'The server may require a client certificate: set cert_filepath and key_filepath, or check the '
                'cluster\'s TLS settings')
    if auth_method == 'certificate' and ('eof occurred' in lowered or 'unexpected eof' in lowered):
        # TLS 1.3: the server checks the client certificate after the client's handshake ends, and its alert can be
        # lost when it closes the connection first; the client then reads an EOF instead of "certificate required".
        return ('client-certificate authentication to %s may have failed: the server closed the connection during '
                'the TLS handshake without a readable alert (%s), as ONTAP does when it rejects the certificate %s'
                % (where, reason, cert_filepath),
                'Check that the CA (and any intermediate) that signed cert_filepath is installed on the cluster as a '
                'client-ca certificate, that the certificate is valid, that its CN is the ONTAP account name and that '
                'the account allows "cert" authentication; also check the cluster address and port')
    if 'pem lib' in lowered or 'key values mismatch' in lowered or 'no such file' in lowered:
        return ('the client certificate or key could not be loaded: %s' % reason,
                'Check cert_filepath and key_filepath (PEM certificate and its private key)')
    return ('TLS handshake with %s failed: %s' % (where, reason),
            'Check the cluster address and port, ca_path, or (only for a lab) validate_certs: false')


def _check_options(hostname, port, http_timeout, scheme, cert_filepath, key_filepath, ca_path):
    """Raise :class:`OntapOptionError` for connection options that cannot work (before anything is sent)."""
    if not hostname:
        raise OntapOptionError('hostname', 'hostname is required.')
    if '/' in hostname or '@' in hostname:
        raise OntapOptionError('hostname', 'hostname must be a name or an address only (no scheme, path or user), not %r.'
                               % (hostname,))
    # "host:port" and "[v6]:port" are refused (the port option would be silently overridden or ignored); a bare IPv6
    # address has several colons (fd20::1), and "[fd20::1]" is the same address in URL brackets.
    host, port_text = hostname, None
    if hostname.startswith('['):
        host, sep, rest = hostname[1:].partition(']')
        if not sep or '[' in host or ']' in rest or (rest and not rest.startswith(':')) or ':' not in host:
            raise OntapOptionError('hostname', 'hostname %r is not a name or an address: brackets only enclose an IPv6 '
                                   'address, as in [fd20::1].' % (hostname,))
        port_text = rest[1:] if rest else None
    elif ']' in hostname or '[' in hostname:
        raise OntapOptionError('hostname', 'hostname %r is not a name or an address: brackets only enclose an IPv6 '
                               'address, as in [fd20::1].' % (hostname,))
    elif hostname.count(':') == 1:
        host, port_text = hostname.split(':')
    if port_text is not None:
        raise OntapOptionError('hostname', 'hostname %r includes a port: give the name or address alone (hostname: %s) '
                               'and the port in the port option (port: %s).' % (hostname, host, port_text or '<number>'))
    if scheme not in ('https', 'http'):
        raise OntapOptionError('scheme', 'scheme must be https or http, not %r.' % (scheme,))
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise OntapOptionError('port', 'port must be a TCP port number (1..65535), not %r.' % (port,))
    if isinstance(http_timeout, bool) or not isinstance(http_timeout, (int, float)) or not math.isfinite(http_timeout) \
            or http_timeout <= 0:
        raise OntapOptionError('http_timeout', 'http_timeout must be a positive number of seconds, not %r.' % (http_timeout,))
    for option, path in (('cert_filepath', cert_filepath), ('key_filepath', key_filepath), ('ca_path', ca_path)):
        if path and not os.path.exists(path):
            raise OntapOptionError(option, '%s: %s does not exist.' % (option, path))
    if key_filepath and not cert_filepath:
        raise OntapOptionError('cert_filepath', 'key_filepath was given without cert_filepath.')
    if ca_path and os.path.isfile(ca_path):
        # A file that is no CA bundle would otherwise surface as a TLS handshake failure at the first request.
        try:
            ssl.create_default_context(cafile=ca_path)
        except (ssl.SSLError, ValueError, OSError) as exc:
            raise OntapOptionError('ca_path', 'ca_path: %s holds no CA certificate in PEM form that could be loaded '
                                   '(%s). Give the CA bundle (PEM) that signed the cluster certificate.'
                                   % (ca_path, getattr(exc, 'reason', None) or exc))
    if ca_path and os.path.isdir(ca_path) and not _has_hashed_names(ca_path):
        # OpenSSL looks a CA up in a directory by its subject hash only: plain *.pem files there are never read, and
        # the failure would surface as "certificate verify failed" at the first request.
        raise OntapOptionError('ca_path', 'ca_path: the directory %s holds no certificate under an OpenSSL hashed name '
                               '(such as 1a2b3c4d.0), so OpenSSL would never read its certificates. Run '
                               '"openssl rehash %s" (or c_rehash) there, or give the CA bundle file itself as ca_path.'
                               % (ca_path, ca_path))


#: An OpenSSL hashed certificate name in a CA directory (``openssl rehash``): 8 hex digits, a dot, a number.
_HASHED_NAME = re.compile(r'^[0-9a-f]{8}\.[0-9]+$')


def _has_hashed_names(directory):
    """``True`` when ``directory`` holds at least one entry named as OpenSSL's ``capath`` lookup expects."""
    try:
        return any(_HASHED_NAME.match(name) for name in os.listdir(directory))
    except OSError:
        return True        # unreadable here: let OpenSSL say what it finds


def _get_retry(get_retries, sleep, guard=None):
    """The GET retry policy (urllib3 ``Retry``): connect/read errors and 429/502/503, GET only, no TLS retries; no
    retry past the deadline of ``guard.budget`` (a :class:`_RetryGuard`)."""
    retry = _GetRetry(total=get_retries, connect=get_retries, read=get_retries, status=get_retries, other=0,
                      redirect=0, allowed_methods=frozenset(['GET']), status_forcelist=frozenset(RETRY_STATUSES),
                      raise_on_status=False, raise_on_redirect=False, respect_retry_after_header=True)
    retry.sleep_func = sleep
    retry.guard = guard
    return retry


def classify_transport_error(exc):
    """Classify a ``requests`` exception.

    :returns: ``(kind, reason)`` with ``kind`` one of connect, timeout, tls, reset, other, and ``reason`` the most
        specific underlying message (object reprs and ``_ssl.c`` line numbers removed).
    """
    chain = _exception_chain(exc)

    def first(types):
        for item in chain:
            if isinstance(item, types):
                return item
        return None

    tls = first((ssl.SSLError, u3exc.SSLError, requests.exceptions.SSLError))
    if tls is not None:
        deepest = first((ssl.SSLError,)) or tls
        return 'tls', _clean(deepest)
    connect = first((u3exc.ConnectTimeoutError, u3exc.NewConnectionError, requests.exceptions.ConnectTimeout,
                     ConnectionRefusedError, socket.gaierror, u3exc.ProxyError))
    if connect is not None:
        return 'connect', _clean(connect)
    timeout = first((u3exc.ReadTimeoutError, requests.exceptions.ReadTimeout, socket.timeout))
    if timeout is not None:
        return 'timeout', _clean(timeout)
    reset = first((ConnectionResetError, BrokenPipeError, u3exc.ProtocolError, requests.exceptions.ChunkedEncodingError))
    if reset is not None:
        deepest = first((ConnectionResetError, BrokenPipeError)) or reset
        return 'reset', _clean(deepest)
    return 'other', _clean(chain[-1] if chain else exc)


def _exception_chain(exc):
    chain, todo, seen = [], [exc], set()
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        chain.append(item)
        todo.extend(arg for arg in getattr(item, 'args', ())[:2] if isinstance(arg, BaseException))
        todo.extend([getattr(item, 'reason', None), getattr(item, 'original_error', None), item.__cause__, item.__context__])
    return chain


def _clean(exc):
    text = str(exc) or type(exc).__name__
    text = re.sub(r'<[^<>]* object at 0x[0-9a-fA-F]+>:?\s*', '', text)
    text = re.sub(r'\s*\(_ssl\.c:\d+\)', '', text)
    return text.strip()


def _parse_retry_after(value):
    """``Retry-After`` (seconds or an HTTP date) -> seconds (float >= 0), or ``None``."""
    if value is None:
        return None
    value = str(value).strip()
    if re.match(r'^\d+(\.\d+)?$', value):
        return float(value)
    try:
        when = email.utils.parsedate_tz(value)
        if when is None:
            return None
        return max(0.0, float(email.utils.mktime_tz(when)) - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def _excerpt(text):
    """A short one-line excerpt of a non-JSON body (HTML tags and scripts dropped)."""
    text = re.sub(r'(?is)<(script|style)\b.*?</\1>', ' ', text or '')
    text = re.sub(r'<[^>]+>', ' ', text)
    text = re.sub(r'\s+', ' ', text).strip()
    if len(text) > EXCERPT_LEN:
        text = text[:EXCERPT_LEN - 3].rstrip() + '...'
    return text
