# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Private to ontap.rest before 1.0: not a public API; it may change in any release (use the modules instead).
"""The ZAPI (ONTAPI) transport: the collection's only importer of netapp-lib.

Only ``ontap.rest.zapi`` and ``ontap.rest.job`` with ``id`` use it; REST users never need netapp-lib (the import is
guarded and :func:`require_netapp_lib` raises only on those paths).

netapp-lib 2021.6.25 facts this wraps, never patches (``shared/ONTAP_ZAPI.md`` 1.2, 5.3): its default transport is
plain HTTP on port 80; stock basic auth sends each call twice (a credential-less POST, the 401 challenge, then the
authorised POST); ``set_timeout`` takes whole seconds and without it there is no socket timeout; it has no
certificate authentication; ``translate_struct`` drops falsy values (``0``, ``false``); failures come as
``NaApiError`` whose ``code`` is an HTTP status (int), an errno (str) or a transport label, and ``message`` may be a
tuple, while a non-XML answer raises lxml's ``XMLSyntaxError`` and an answer without ``<results>`` an
``AttributeError``. :class:`ZapiConnection` therefore always speaks HTTPS on ``port`` with the same
``validate_certs``/``ca_path``/client-certificate options as REST (an SSL context per connection, no process-wide
TLS change), sends basic auth up front (one HTTP request per call), honours ``http_timeout`` (seconds, fractions
kept), builds elements itself (``0`` and ``false`` survive) and turns every failure into the collection's errors.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import os
import socket
import ssl
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.ontap.rest.plugins.module_utils.client import MIN_REQUEST_TIME, _check_options, explain_tls
from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapError, OntapOptionError
from ansible_collections.ontap.rest.plugins.module_utils.zapi_jobs import OntapZapiError, OntapZapiTransportError

try:
    import urllib.request as urllib_request
    from netapp_lib.api.zapi import zapi as netapp_zapi
    HAS_NETAPP_LIB = True
    NETAPP_LIB_IMPORT_ERROR = None
except ImportError:
    HAS_NETAPP_LIB = False
    NETAPP_LIB_IMPORT_ERROR = traceback.format_exc()

#: ONTAPI version sent in ``<netapp version=>``: 1.110 (ONTAP 9.1), as netapp.ontap does; tunnelling needs >= 1.15.
ONTAPI_VERSION = (1, 110)

#: Excerpt length (characters) of a reason kept in errors.
EXCERPT_LEN = 200

_NO_REST_HINT = ('for systems without the REST API use ontap.rest.zapi (any ZAPI call) and ontap.rest.job with id: '
                 '(a job by its integer id)')


class OntapMissingLibraryError(OntapError):
    """netapp-lib is not installed on the host that runs the module (only the ZAPI paths need it)."""


def require_netapp_lib():
    """:raises OntapMissingLibraryError: with Ansible's ``missing_required_lib`` text, when netapp-lib is missing."""
    if not HAS_NETAPP_LIB:
        raise OntapMissingLibraryError(missing_required_lib('netapp-lib') + ' (only ontap.rest.zapi and ontap.rest.job '
                                       'with id need it; import error: %s)'
                                       % ((NETAPP_LIB_IMPORT_ERROR or '').strip().splitlines() or ['unknown'])[-1])


def _text(value):
    """A Python value as ZAPI text: ``True``/``False`` -> ``true``/``false``, numbers as digits, ``None`` -> empty."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return None
    return str(value)


def build_element(name, value, factory):
    """An element ``name`` holding ``value`` (made with ``factory(name)``, netapp-lib's ``NaElement``).

    :param value: dict (children), list (repeated children: each item a dict of one key, for example
        ``{'aggr-name': 'aggr1'}``), or a scalar (text; ``0`` and ``False`` are kept as ``0``/``false``).
    :raises OntapOptionError: (option ``args``) a list item that is not a dict.
    """
    elem = factory(name)
    if isinstance(value, dict):
        for key, item in value.items():
            elem.add_child_elem(build_element(str(key), item, factory))
    elif isinstance(value, (list, tuple)):
        for item in value:
            if not isinstance(item, dict):
                raise OntapOptionError('args', 'args: the list %s holds %r; each item of a ZAPI list is a dict naming '
                                       'its element, for example {"aggr-name": "aggr1"} in aggr-list.' % (name, item))
            for key, sub in item.items():
                elem.add_child_elem(build_element(str(key), sub, factory))
    else:
        elem.set_content(_text(value))
    return elem


def _local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else None


def element_to_dict(elem):
    """A netapp-lib element as plain data: text (``str``, ``''`` when empty) for a leaf, else a dict of children;
    the children of an element whose name ends with ``-list`` are a list of one-key dicts, whatever their count;
    a repeated child name elsewhere becomes a list."""
    children = [child for child in elem.get_children() if _local(child.get_name())]
    if not children:
        return elem.get_content() or ''
    if (_local(elem.get_name()) or '').endswith('-list'):
        return [{_local(child.get_name()): element_to_dict(child)} for child in children]
    out, repeated = {}, set()
    for child in children:
        name, value = _local(child.get_name()), element_to_dict(child)
        if name in out:
            if name not in repeated:
                out[name], repeated = [out[name]], repeated | set([name])
            out[name].append(value)
        else:
            out[name] = value
    return out


if HAS_NETAPP_LIB:

    class _PreemptiveBasicAuth(urllib_request.BaseHandler):
        """Adds ``Authorization: Basic`` to every request (no 401 round trip); its repr never shows the password."""

        handler_order = 400

        def __init__(self, header):
            self._header = header

        def https_request(self, request):
            request.add_unredirected_header('Authorization', self._header)
            return request

        def __repr__(self):
            return '_PreemptiveBasicAuth(********)'

    class OntapNaServer(netapp_zapi.NaServer):
        """netapp-lib's ``NaServer`` over HTTPS with an SSL context of its own and pre-emptive basic auth.

        :param ssl_context: the ``ssl.SSLContext`` (server verification, CA, client certificate).
        :param auth_header: ``'Basic ...'`` or ``None`` (certificate authentication).
        :param timeout: seconds (float) for connect and read.
        """

        def __init__(self, host, port, ssl_context, auth_header, timeout):
            super(OntapNaServer, self).__init__(host, transport_type='https')
            self.set_port(port)                 # after the transport: set_transport_type resets the port
            self.set_api_version(*ONTAPI_VERSION)
            self._ontap_ssl_context = ssl_context
            self._ontap_auth_header = auth_header
            self._timeout = float(timeout)      # not set_timeout(): it truncates to whole seconds (0.5 -> 0)

        def _build_opener(self):
            handlers = [urllib_request.HTTPSHandler(context=self._ontap_ssl_context)]
            if self._ontap_auth_header:
                handlers.append(_PreemptiveBasicAuth(self._ontap_auth_header))
            self._opener = urllib_request.build_opener(*handlers)
            self._refresh_conn = False

        def __repr__(self):
            return 'OntapNaServer(%s:%s)' % (self._host, self._port)


class ZapiConnection(object):
    """One task's ZAPI door: the connection options of ``ontap.rest.connection``, one HTTPS request per call.

    :param hostname: cluster management address. :param port: TCP port (HTTPS, default 443).
    :param username: :param password: basic authentication, sent with every request.
    :param cert_filepath: :param key_filepath: PEM client certificate and key (used when no username is given).
    :param token: ZAPI has no OAuth 2.0 tokens: alone it is refused; beside a username or certificate it is not
        used, and :attr:`warnings` says so (REST modules given the same options authenticate with the token).
    :param validate_certs: verify the cluster certificate. :param ca_path: CA bundle file or directory.
    :param http_timeout: seconds for connect and read of one call.
    :raises OntapMissingLibraryError: netapp-lib is not installed.
    :raises OntapOptionError: bad options (nothing is sent).
    """

    def __init__(self, hostname, port=443, username=None, password=None, cert_filepath=None, key_filepath=None,
                 token=None, validate_certs=True, ca_path=None, http_timeout=60.0):
        require_netapp_lib()
        _check_options(hostname, port, http_timeout, 'https', cert_filepath, key_filepath, ca_path)
        if not username and not cert_filepath:
            raise OntapOptionError('token', 'ZAPI does not take OAuth 2.0 tokens: give username and password, or '
                                   'cert_filepath and key_filepath.' if token else
                                   'ZAPI needs username and password, or cert_filepath and key_filepath.')
        self.hostname = hostname
        self.port = port
        self.http_timeout = float(http_timeout)
        #: the task's ``job_poller.Budget`` (the module sets it), or ``None``: under it each call's socket timeout is
        #: at most ``budget.request_time()`` seconds and nothing is sent once the budget is spent (kind ``budget``).
        self.budget = None
        self._timeout_used = self.http_timeout
        self.validate_certs = bool(validate_certs)
        self.ca_path = ca_path
        self.cert_filepath = cert_filepath
        self._secrets = [secret for secret in (password, token) if secret]
        header = None
        # one method, in the order of the REST client: certificate, then basic (tokens do not exist in ZAPI)
        if username and not cert_filepath:
            header = 'Basic ' + base64.b64encode(('%s:%s' % (username, password or '')).encode('utf-8')).decode('ascii')
            self._secrets.append(header[6:])
        #: ``certificate`` or ``basic``: how every call authenticates.
        self.auth_method = 'basic' if header else 'certificate'
        #: what the module should warn about (a token it cannot use).
        self.warnings = []
        if token:
            self.warnings.append('token was not used: ZAPI has no OAuth 2.0 tokens, so this ZAPI task authenticated '
                                 'with %s. REST modules given the same options use the token.'
                                 % ('username and password (basic)' if header else 'cert_filepath'))
        where = '[%s]' % hostname.strip('[]') if ':' in hostname else hostname
        self.url = 'https://%s:%d/%s' % (where, port, netapp_zapi.NaServer.URL_FILER)
        context = self._ssl_context(cert_filepath, key_filepath)
        self._server = OntapNaServer(hostname.strip('[]'), port, context, header, self.http_timeout)
        #: HTTP requests sent (one per call).
        self.calls = 0

    def __repr__(self):
        return 'ZapiConnection(%s:%d)' % (self.hostname, self.port)

    def _ssl_context(self, cert_filepath, key_filepath):
        """The connection's own ``ssl.SSLContext``. :raises OntapOptionError: (``ca_path``/``cert_filepath``) a file
        that cannot be loaded."""
        if self.validate_certs:
            try:
                if self.ca_path and os.path.isdir(self.ca_path):
                    context = ssl.create_default_context(capath=self.ca_path)
                else:
                    context = ssl.create_default_context(cafile=self.ca_path)
            except (OSError, ssl.SSLError, ValueError) as exc:
                raise OntapOptionError('ca_path', 'ca_path: the CA bundle %s could not be loaded: %s.' % (self.ca_path, exc))
        else:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if cert_filepath:
            try:
                context.load_cert_chain(cert_filepath, key_filepath)
            except (OSError, ssl.SSLError, ValueError) as exc:
                raise OntapOptionError('cert_filepath', 'cert_filepath/key_filepath: the client certificate or key could '
                                       'not be loaded: %s.' % exc)
        return context

    def call(self, api, args=None, vserver=None, write=False):
        """Send one ZAPI call and return its ``<results>`` as a dict (:func:`element_to_dict`, without ``status``).

        :param api: ZAPI name (``volume-create-async``). :param args: the call's input (see :func:`build_element`).
        :param vserver: tunnel the call to this SVM (``vfiler`` attribute), or ``None`` for the cluster.
        :param write: the call may change something (errors then say when its outcome is unknown).
        :raises OntapZapiError: an errno answer, or an HTTP error status.
        :raises OntapZapiTransportError: no answer, or an answer that is not ZAPI XML.
        """
        element = build_element(api, args or {}, netapp_zapi.NaElement)
        self._server.set_vserver(vserver or None)
        self._timeout_used = self.http_timeout
        if self.budget is not None:
            left = self.budget.request_time()
            if left < MIN_REQUEST_TIME:
                raise OntapZapiTransportError('budget', api, self.url, 'job_timeout (%g s) had run out before the call '
                                              'could be sent' % self.budget.job_timeout)
            self._timeout_used = min(self.http_timeout, left)
        self._server._timeout = self._timeout_used      # netapp-lib reads it for each call (urlopen timeout)
        self.calls += 1
        try:
            result = self._server.invoke_successfully(element, enable_tunneling=bool(vserver))
        except netapp_zapi.NaApiError as exc:
            raise self._error(exc, api, write)
        except (socket.timeout, OSError) as exc:          # raised while reading the answer, outside netapp-lib's try
            kind = 'timeout' if isinstance(exc, socket.timeout) or 'timed out' in str(exc) else 'reset'
            raise OntapZapiTransportError(kind, api, self.url, self._scrub(repr(exc)), self._timeout_hint(kind), write)
        except (ValueError, AttributeError, TypeError, SyntaxError) as exc:   # lxml XMLSyntaxError is a SyntaxError
            what = ('XML without the <results> element' if isinstance(exc, AttributeError) else
                    'not XML' if isinstance(exc, SyntaxError) else 'unreadable')
            raise OntapZapiTransportError('other', api, self.url, 'the answer is not a ZAPI answer (%s: %s: %s)'
                                          % (what, type(exc).__name__, self._scrub(str(exc))[:EXCERPT_LEN]),
                                          'Check that hostname and port lead to the ONTAP cluster management '
                                          'interface and that ONTAPI is enabled', write)
        out = element_to_dict(result)
        return out if isinstance(out, dict) else {}

    def _timeout_hint(self, kind):
        if kind != 'timeout':
            return ''
        if self._timeout_used < self.http_timeout and self.budget is not None:
            return ('The timeout was %.2f s, what job_timeout (%g s) left (http_timeout %g s)'
                    % (self._timeout_used, self.budget.job_timeout, self.http_timeout))
        return 'The timeout was %g s (http_timeout)' % self.http_timeout

    def _scrub(self, text):
        text = text if isinstance(text, str) else repr(text)
        for secret in self._secrets:
            text = text.replace(secret, '********')
        return text

    def _error(self, exc, api, write):
        """``NaApiError`` -> the collection's error (its ``code`` is an int status, an errno or a label)."""
        code, message = exc.code, self._scrub(exc.message if isinstance(exc.message, str) else repr(exc.message))
        if isinstance(code, int):
            return OntapZapiError(api, status=code, message=message[:EXCERPT_LEN], url=self.url, write=write)
        code = str(code)
        if code.isdigit() or code == 'ESTATUSFAILED':
            return OntapZapiError(api, errno=code if code.isdigit() else None, message=message, url=self.url,
                                  write=write)
        lowered = message.lower()
        if 'ssl' in lowered or 'certificate' in lowered or 'tls' in lowered:
            reason, hint = explain_tls(message, '%s:%d' % (self.hostname, self.port), self.auth_method,
                                       self.cert_filepath, self.ca_path)
            return OntapZapiTransportError('tls', api, self.url, reason, hint, write)
        if code == 'Unable to connect' or 'refused' in lowered or 'name or service' in lowered:
            return OntapZapiTransportError('connect', api, self.url, message, '', write)
        if 'timed out' in lowered or 'timeout' in lowered:
            return OntapZapiTransportError('timeout', api, self.url, message, self._timeout_hint('timeout'), write)
        if 'reset' in lowered or 'remotedisconnected' in lowered or 'broken pipe' in lowered:
            return OntapZapiTransportError('reset', api, self.url, message, '', write)
        return OntapZapiTransportError('other', api, self.url, '%s: %s' % (code, message), '', write)

    def get_version(self):
        """``system-get-version``: ``{'version': str, 'generation', 'major', 'minor'}`` (ints when sent)."""
        answer = self.call('system-get-version')
        found = answer.get('version-tuple') or {}
        found = found.get('system-version-tuple') if isinstance(found, dict) else {}
        out = {'version': answer.get('version')}
        for key in ('generation', 'major', 'minor'):
            value = (found or {}).get(key)
            out[key] = int(value) if isinstance(value, str) and value.isdigit() else value
        return out


def connection_from_params(params, warn=None):
    """A :class:`ZapiConnection` from module params (``options.connection_spec()`` names).

    :param warn: callable given each of the connection's :attr:`ZapiConnection.warnings` (the runner's
        ``warnings.append``), or ``None``.
    """
    names = ('hostname', 'port', 'username', 'password', 'cert_filepath', 'key_filepath', 'token', 'validate_certs',
             'ca_path', 'http_timeout')
    connection = ZapiConnection(**dict((name, params[name]) for name in names if params.get(name) is not None))
    for warning in connection.warnings if warn else ():
        warn(warning)
    return connection


def no_rest_hint():
    """What to use on a system without the REST API (for messages)."""
    return _NO_REST_HINT
