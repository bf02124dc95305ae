# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the transport against a real HTTP server on 127.0.0.1 (no network beyond loopback)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import socket
import subprocess
import sys
import time

import pytest

from ansible_collections.ontap.rest.plugins.module_utils import client as client_mod
from ansible_collections.ontap.rest.plugins.module_utils.client import (
    CLIENT_APP,
    COLLECTION_VERSION,
    OntapClient,
    OntapResponse,
    classify_transport_error,
)
from ansible_collections.ontap.rest.plugins.module_utils.errors import (
    OntapApiError,
    OntapError,
    OntapNoRestError,
    OntapOptionError,
    OntapTransportError,
)
from ansible_collections.ontap.rest.plugins.module_utils.job_poller import REQUEST_GRACE, Budget

sys.path.insert(0, os.path.dirname(__file__))
from ontap_http_fixture import ScriptedServer, make_pki, reply, server_tls_context  # noqa: E402 pylint: disable=wrong-import-position

PASSWORD = 'S3cr3t-P@ss!word'
TOKEN = 'eyJhbGciOiJSUzI1NiJ9.secret-token-value'
COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))

CLUSTER = ('GET', '/api/cluster')
VOLUMES = ('GET', '/api/storage/volumes')
POST_VOLUMES = ('POST', '/api/storage/volumes')


class Sleeps(list):
    """Fake sleep for the GET retry backoff: records the pauses (seconds), never waits."""

    def __call__(self, seconds):
        self.append(seconds)


def make_client(server, **kwargs):
    kwargs.setdefault('username', 'admin')
    kwargs.setdefault('password', PASSWORD)
    kwargs.setdefault('scheme', 'http')
    kwargs.setdefault('sleep', Sleeps())
    return OntapClient('127.0.0.1', port=server.port, **kwargs)


def free_port():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def ontap_error(status, code, message, target=None, headers=None):
    error = {'message': message, 'code': code}
    if target:
        error['target'] = target
    return reply(status, {'error': error}, headers=headers)


# -- construction, URLs, headers ---------------------------------------------------------------------------------

def test_version_constant_matches_galaxy_yml():
    with open(os.path.join(COLLECTION_ROOT, 'galaxy.yml')) as handle:
        galaxy = handle.read()
    assert re.search(r'^version:\s*%s\s*$' % re.escape(COLLECTION_VERSION), galaxy, re.M)
    assert CLIENT_APP == 'ontap.rest/' + COLLECTION_VERSION


def test_paths_hrefs_and_queries_map_to_api_urls():
    client = OntapClient('cluster1.example.com', username='admin', password=PASSWORD)
    base = 'https://cluster1.example.com:443/api/storage/volumes'
    assert client.url('storage/volumes') == base
    assert client.url('/api/storage/volumes') == base
    assert client.url('api/storage/volumes') == base
    assert client.url('/api/storage/volumes?start.uuid=abc&fields=name,uuid&max_records=2') == (
        base + '?start.uuid=abc&fields=name,uuid&max_records=2')
    assert client.url('storage/volumes?fields=name', {'fields': ['name', 'svm'], 'is_constituent': False}) == (
        base + '?fields=name,svm&is_constituent=false')
    assert client.url('https://evil.example.com/api/storage/volumes') == base   # never another host
    assert OntapClient('fd20::1', port=8443, token=TOKEN).url('cluster') == 'https://[fd20::1]:8443/api/cluster'


@pytest.mark.parametrize('kwargs, option', [
    (dict(hostname=''), 'hostname'),
    (dict(hostname='https://cluster1.example.com'), 'hostname'),
    (dict(hostname='admin@cluster1'), 'hostname'),
    (dict(hostname='c1', port=0), 'port'),
    (dict(hostname='c1', port='443'), 'port'),
    (dict(hostname='c1', http_timeout=0), 'http_timeout'),
    (dict(hostname='c1', ca_path='/nonexistent/ca.pem'), 'ca_path'),
    (dict(hostname='c1', cert_filepath='/nonexistent/c.pem'), 'cert_filepath'),
    (dict(hostname='c1', username='admin'), 'password'),
    (dict(hostname='c1', scheme='ftp'), 'scheme'),
])
def test_bad_connection_options_are_option_errors(kwargs, option):
    with pytest.raises(OntapOptionError) as info:
        OntapClient(**kwargs)
    assert info.value.option == option


@pytest.mark.parametrize('content', [b'not a certificate\n', b'', b'-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'])
def test_a_ca_path_file_that_holds_no_pem_certificate_is_an_option_error_before_any_request(tmp_path, content):
    # Not a handshake failure at the first request: the option is named at once (new-user finding).
    bundle = tmp_path / 'ca.pem'
    bundle.write_bytes(content)
    with pytest.raises(OntapOptionError) as info:
        OntapClient('c1', token=TOKEN, ca_path=str(bundle))
    assert info.value.option == 'ca_path' and str(bundle) in str(info.value) and 'PEM' in str(info.value)


def test_a_ca_path_directory_without_hashed_names_is_an_option_error_naming_the_fix(tmp_path, pki):
    # OpenSSL reads a CA directory by subject-hash names only: a plain ca.pem there would fail every handshake later.
    directory = tmp_path / 'cas'
    directory.mkdir()
    (directory / 'ca.pem').write_bytes(open(pki['ca'], 'rb').read())
    with pytest.raises(OntapOptionError) as info:
        OntapClient('c1', token=TOKEN, ca_path=str(directory))
    assert info.value.option == 'ca_path' and 'openssl rehash %s' % directory in str(info.value)
    (directory / '1a2b3c4d.0').write_bytes(open(pki['ca'], 'rb').read())        # as "openssl rehash" names it
    assert OntapClient('c1', token=TOKEN, ca_path=str(directory)).ca_path == str(directory)


def test_a_ca_path_with_a_pem_ca_is_accepted(pki):
    assert OntapClient('c1', token=TOKEN, ca_path=pki['ca']).ca_path == pki['ca']


@pytest.mark.parametrize('hostname, port', [
    ('cluster1.example.com:8443', '8443'),
    ('10.0.0.1:443', '443'),
    ('[fd20::1]:8443', '8443'),
    ('c1:', '<number>'),
])
def test_item12_hostname_with_a_port_is_refused_naming_the_port_option(hostname, port):
    with pytest.raises(OntapOptionError) as info:
        OntapClient(hostname, port=443, token=TOKEN)
    assert info.value.option == 'hostname'
    assert 'port option' in str(info.value) and '(port: %s)' % port in str(info.value), str(info.value)


@pytest.mark.parametrize('hostname', ['[c1]', '[fd20::1', 'fd20::1]', '[fd20::1]x', 'c1]'])
def test_item12_brackets_only_enclose_an_ipv6_address(hostname):
    with pytest.raises(OntapOptionError) as info:
        OntapClient(hostname, token=TOKEN)
    assert info.value.option == 'hostname' and 'IPv6' in str(info.value)


@pytest.mark.parametrize('hostname, base_url', [
    ('fd20::1', 'https://[fd20::1]:8443'),
    ('[fd20::1]', 'https://[fd20::1]:8443'),
    ('::1', 'https://[::1]:8443'),
    ('fe80::1:2:3:4', 'https://[fe80::1:2:3:4]:8443'),
    ('cluster1.example.com', 'https://cluster1.example.com:8443'),
    ('10.0.0.1', 'https://10.0.0.1:8443'),
])
def test_item12_ipv6_addresses_and_names_keep_working(hostname, base_url):
    assert OntapClient(hostname, port=8443, token=TOKEN).base_url == base_url


def test_from_params_takes_the_connection_options():
    params = dict(hostname='cluster1.example.com', port=8443, username='admin', password=PASSWORD, cert_filepath=None,
                  key_filepath=None, token=None, validate_certs=False, ca_path=None, http_timeout=30.0,
                  wait_for_completion=True)
    client = OntapClient.from_params(params)
    assert client.base_url == 'https://cluster1.example.com:8443'
    assert client.http_timeout == 30.0 and client.validate_certs is False and client.auth_method == 'basic'


def test_f20_headers_auth_and_one_connection_reused_across_calls():
    routes = {CLUSTER: [reply(200, {'name': 'cluster1'})], POST_VOLUMES: [reply(202, {'job': {'uuid': 'j1'}})],
              ('GET', '/api/cluster/jobs/j1'): [reply(200, {'uuid': 'j1', 'state': 'running'})]}
    with ScriptedServer(routes) as server:
        with make_client(server) as client:
            client.get('cluster')
            client.request('POST', 'storage/volumes', body={'name': 'vol1'}, return_timeout=30)
            for dummy in range(3):
                client.request('GET', 'cluster/jobs/j1', retry=False)     # polls: no-retry path, same pool
            client.get('cluster')
        assert server.connections == 1
        assert len(set(r['connection'] for r in server.requests)) == 1
        first = server.requests[0]['headers']
        assert first['X-Dot-Client-App'] == 'ontap.rest/%s' % COLLECTION_VERSION
        assert first['Accept'] == 'application/hal+json, application/json'
        assert first['Authorization'].startswith('Basic ')
        post = server.requests[1]
        assert post['body'] == {'name': 'vol1'} and post['query'] == {'return_timeout': '30'}


def test_bearer_token_auth():
    with ScriptedServer({CLUSTER: [reply(200, {})]}) as server:
        with make_client(server, username=None, password=None, token=TOKEN) as client:
            client.get('cluster')
        assert server.requests[0]['headers']['Authorization'] == 'Bearer ' + TOKEN
        assert TOKEN not in repr(client) and TOKEN not in repr(client._session.auth)  # pylint: disable=protected-access


def test_response_shapes():
    resp = OntapResponse(202, {'job': {'uuid': 'j1'}}, {}, 'POST', 'u')
    assert resp.job == {'uuid': 'j1'} and resp.jobs == [{'uuid': 'j1'}] and resp.records == []
    resp = OntapResponse(202, {'jobs': [{'uuid': 'a'}, {'uuid': 'b'}]}, {}, 'PATCH', 'u')
    assert resp.job is None and [j['uuid'] for j in resp.jobs] == ['a', 'b']
    assert OntapResponse(200, None).jobs == [] and OntapResponse(200, None).job is None


# -- ONTAP errors ------------------------------------------------------------------------------------------------

def test_ontap_json_error_is_parsed():
    routes = {VOLUMES: [ontap_error(404, '4', "entry doesn't exist", target='uuid')]}
    with ScriptedServer(routes) as server, make_client(server) as client:
        with pytest.raises(OntapApiError) as info:
            client.get('storage/volumes', {'name': 'vol1'})
    error = info.value
    assert (error.status, error.code, error.message, error.target, error.method) == (
        404, '4', "entry doesn't exist", 'uuid', 'GET')
    assert error.is_not_found and not error.is_busy and not error.outcome_unknown
    assert error.url == 'http://127.0.0.1:%d/api/storage/volumes?name=vol1' % server.port
    assert str(error) == ("GET http://127.0.0.1:%d/api/storage/volumes?name=vol1: HTTP 404; ONTAP error 4: "
                          "entry doesn't exist (target: uuid)." % server.port)


def test_non_json_error_body_is_tolerated():
    html = '<html><head><style>p{}</style></head><body><h1>502 Bad Gateway</h1>' + 'x' * 500 + '</body></html>'
    with ScriptedServer({VOLUMES: [reply(502, raw=html)]}) as server, make_client(server, get_retries=0) as client:
        with pytest.raises(OntapApiError) as info:
            client.get('storage/volumes')
    assert info.value.code is None and info.value.status == 502 and info.value.is_server_error
    assert info.value.message.startswith('502 Bad Gateway') and len(info.value.message) <= 200
    assert '<' not in str(info.value)


def test_f31_401_and_403_have_distinct_messages():
    routes = {CLUSTER: [reply(401, raw='<html><body>Authorization Required</body></html>')],
              VOLUMES: [ontap_error(403, '6', 'not authorized for that command: "volume show" needs "readonly"')]}
    with ScriptedServer(routes) as server, make_client(server) as client:
        with pytest.raises(OntapApiError) as unauthorized:
            client.get('cluster')
        with pytest.raises(OntapApiError) as forbidden:
            client.get('storage/volumes')
    assert unauthorized.value.is_auth and not unauthorized.value.is_forbidden
    assert 'credentials were rejected' in str(unauthorized.value) and 'Authorization Required' in str(unauthorized.value)
    assert forbidden.value.is_forbidden and not forbidden.value.is_auth
    assert 'role lacks the privilege' in str(forbidden.value)
    assert 'ONTAP error 6: not authorized for that command: "volume show" needs "readonly"' in str(forbidden.value)
    assert 'credentials' not in str(forbidden.value)


def test_secrets_never_appear_in_errors_or_reprs():
    def echo_auth(record):   # a (misbehaving) server that echoes the Authorization header back
        return ontap_error(400, '2', 'bad request with %s' % record['headers'].get('Authorization'))
    with ScriptedServer({VOLUMES: [echo_auth], ('POST', '/api/echo'): [reply(500, raw='password=%s' % PASSWORD)]}) as server:
        with make_client(server) as client:
            with pytest.raises(OntapApiError) as api:
                client.get('storage/volumes')
            with pytest.raises(OntapApiError) as echo:
                client.request('POST', 'echo', body={})
        texts = [str(api.value), repr(api.value), str(echo.value), repr(echo.value), repr(client)]
        port = free_port()
        for kwargs in (dict(username='admin', password=PASSWORD), dict(token=TOKEN)):
            closed = OntapClient('127.0.0.1', port=port, scheme='http', get_retries=0, **kwargs)
            with pytest.raises(OntapTransportError) as transport:
                closed.get('cluster')
            texts += [str(transport.value), repr(transport.value), repr(closed)]
    basic = server.requests[0]['headers']['Authorization']
    for text in texts:
        assert PASSWORD not in text and TOKEN not in text and basic.split()[1] not in text, text


# -- retries -----------------------------------------------------------------------------------------------------

def test_f22_get_is_retried_on_503_honouring_retry_after():
    busy = ontap_error(503, '262160', 'too many requests', headers={'Retry-After': '2'})
    with ScriptedServer({VOLUMES: [busy, busy, reply(200, {'records': [], 'num_records': 0})]}) as server:
        sleeps = Sleeps()
        with make_client(server, sleep=sleeps) as client:
            resp = client.get('storage/volumes')
    assert resp.status_code == 200 and server.count('GET') == 3
    assert sleeps == [2.0, 2.0]


def test_get_retries_are_bounded_with_backoff_and_capped_retry_after():
    with ScriptedServer({VOLUMES: [reply(502, raw='bad gateway')], CLUSTER: [
            ontap_error(429, '262160', 'too many', headers={'Retry-After': '3600'})]}) as server:
        sleeps = Sleeps()
        with make_client(server, sleep=sleeps, get_retries=3) as client:
            with pytest.raises(OntapApiError) as info:
                client.get('storage/volumes')
            assert info.value.status == 502 and server.count('GET', '/api/storage/volumes') == 4
            assert sleeps == [0.5, 1.0, 2.0]
            del sleeps[:]
            with pytest.raises(OntapApiError) as info:
                client.get('cluster')
    assert info.value.status == 429 and info.value.retry_after == 3600 and info.value.is_busy
    assert sleeps == [client_mod.RETRY_AFTER_MAX] * 3


def test_get_is_retried_after_a_dropped_connection():
    with ScriptedServer({CLUSTER: [reply(close=True), reply(200, {'name': 'c1'})]}) as server:
        with make_client(server) as client:
            assert client.get('cluster').body == {'name': 'c1'}
    assert server.count('GET') == 2


def test_retry_false_sends_a_get_once():
    with ScriptedServer({CLUSTER: [reply(503, raw='busy'), reply(200, {})], VOLUMES: [reply(close=True)]}) as server:
        with make_client(server) as client:
            with pytest.raises(OntapApiError):
                client.get('cluster', retry=False)
            with pytest.raises(OntapTransportError) as info:
                client.request('GET', 'storage/volumes', retry=False)
    assert server.count('GET', '/api/cluster') == 1 and server.count('GET', '/api/storage/volumes') == 1
    assert info.value.kind == 'reset' and not info.value.outcome_unknown


@pytest.mark.parametrize('method', ['POST', 'PATCH', 'DELETE'])
def test_writes_are_never_resent_on_503(method):
    with ScriptedServer({(method, '/api/storage/volumes'): [
            ontap_error(503, '2621573', 'SVM temporarily locked', headers={'Retry-After': '1'}), reply(200, {})]}) as server:
        with make_client(server) as client:
            with pytest.raises(OntapApiError) as info:
                client.request(method, 'storage/volumes', body={}, retry=True)
    assert server.count(method) == 1
    assert info.value.outcome_unknown and 'not resent' in str(info.value)


def test_f07_write_with_dropped_connection_is_unknown_and_not_resent():
    with ScriptedServer({POST_VOLUMES: [reply(close=True), reply(201, {})]}) as server:
        with make_client(server) as client:
            with pytest.raises(OntapTransportError) as info:
                client.request('POST', 'storage/volumes', body={'name': 'vol1'}, return_timeout=30)
    assert server.count('POST') == 1
    assert info.value.kind == 'reset' and info.value.outcome_unknown
    assert 'The outcome is unknown' in str(info.value) and 'not resent' in str(info.value)


# -- timeouts ----------------------------------------------------------------------------------------------------

def test_read_timeout_is_http_timeout_plus_return_timeout():
    client = OntapClient('cluster1.example.com', username='admin', password=PASSWORD, http_timeout=60)
    seen = []

    def fake_request(method, url, **kwargs):
        seen.append(kwargs['timeout'])
        raise client_mod.requests.exceptions.ConnectionError('stop here')
    client._session.request = fake_request  # pylint: disable=protected-access
    for return_timeout in (None, 0, 30, 120):
        with pytest.raises(OntapTransportError):
            client.request('PATCH', 'storage/volumes/x', body={}, return_timeout=return_timeout)
    assert seen == [(60.0, 60.0), (60.0, 60.0), (60.0, 90.0), (60.0, 180.0)]


def test_f07_write_read_timeout_is_unknown_and_names_the_read_timeout():
    slow = reply(202, {'job': {'uuid': 'j1'}}, delay=0.3)
    with ScriptedServer({POST_VOLUMES: [slow]}) as server:
        with make_client(server, http_timeout=0.1) as client:
            with pytest.raises(OntapTransportError) as info:
                client.request('POST', 'storage/volumes', body={}, return_timeout=0)
            resp = client.request('POST', 'storage/volumes', body={}, return_timeout=1)   # read timeout 1.1 s > 0.3 s
    assert info.value.kind == 'timeout' and info.value.outcome_unknown
    assert 'read timeout was 0.1 s (http_timeout 0.1 s)' in str(info.value)
    assert resp.status_code == 202 and server.count('POST') == 2


@pytest.mark.parametrize('value', [121, -1, 30.5, '30'])
def test_return_timeout_is_validated_before_sending(value):
    with ScriptedServer({POST_VOLUMES: [reply(202, {})]}) as server, make_client(server) as client:
        with pytest.raises(OntapOptionError) as info:
            client.request('POST', 'storage/volumes', body={}, return_timeout=value)
    assert info.value.option == 'return_timeout' and server.requests == []


def test_connection_refused_is_a_connect_error_that_was_not_sent():
    port = free_port()
    client = OntapClient('127.0.0.1', port=port, scheme='http', username='admin', password=PASSWORD, get_retries=0)
    with pytest.raises(OntapTransportError) as info:
        client.request('POST', 'storage/volumes', body={})
    assert info.value.kind == 'connect' and not info.value.outcome_unknown
    assert '127.0.0.1' in str(info.value) and str(port) in str(info.value)


# -- collections and version -------------------------------------------------------------------------------------

def test_f19_get_records_follows_next_links_through_empty_pages():
    page = '/api/storage/volumes?fields=name&start.name=%s'
    routes = {VOLUMES: [
        lambda r: reply(200, {'records': [{'name': 'a'}, {'name': 'b'}], 'num_records': 2,
                              '_links': {'next': {'href': page % 'b'}}}) if 'start.name' not in r['query'] else
        reply(200, {'records': [], 'num_records': 0, '_links': {'next': {'href': page % 'c'}}})
        if r['query']['start.name'] == 'b' else reply(200, {'records': [{'name': 'c'}], 'num_records': 1})]}
    with ScriptedServer(routes) as server, make_client(server) as client:
        records = client.get_records('storage/volumes', {'fields': 'name'})
    assert [r['name'] for r in records] == ['a', 'b', 'c']
    assert server.count('GET') == 3 and server.requests[1]['query'] == {'fields': 'name', 'start.name': 'b'}


def test_get_records_never_returns_a_cut_off_read():
    def endless(record):
        href = '/api/storage/volumes?p=%d' % (int(record['query'].get('p', 0)) + 1)
        return reply(200, {'records': [], '_links': {'next': {'href': href}}})
    loop = reply(200, {'records': [{'name': 'a'}], '_links': {'next': {'href': '/api/cluster?same=1'}}})
    with ScriptedServer({VOLUMES: [endless], CLUSTER: [loop]}) as server, make_client(server) as client:
        with pytest.raises(OntapError, match='incomplete'):
            client.get_records('storage/volumes', max_pages=5)
        assert server.count('GET', '/api/storage/volumes') == 5
        with pytest.raises(OntapError, match='incomplete'):
            client.get_records('cluster')


def test_get_version():
    version = {'full': 'NetApp Release 9.14.1: ...', 'generation': 9, 'major': 14, 'minor': 1}
    with ScriptedServer({CLUSTER: [reply(200, {'version': version})]}) as server, make_client(server) as client:
        assert client.get_version() == version
        assert client.get_version() == version
    assert server.count('GET') == 1 and server.requests[0]['query'] == {'fields': 'version'}


def test_f32_version_probe_404_means_no_rest_api():
    with ScriptedServer({}) as server, make_client(server) as client:
        with pytest.raises(OntapNoRestError) as info:
            client.get_version()
    assert 'no ONTAP REST API (9.6+ needed)' in str(info.value) and '127.0.0.1' in str(info.value)


# -- TLS ---------------------------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp('pki'))


def test_f29_unverified_server_certificate_names_host_reason_and_ca_path(pki):
    with ScriptedServer({CLUSTER: [reply(200, {})]}, tls_context=server_tls_context(pki)) as server:
        client = make_client(server, scheme='https', get_retries=2)
        with pytest.raises(OntapTransportError) as info:
            client.get('cluster')
        text = str(info.value)
        assert info.value.kind == 'tls' and not info.value.outcome_unknown
        assert '127.0.0.1:%d' % server.port in text and 'could not be verified' in text
        assert 'unable to get local issuer certificate' in text or 'self' in text
        assert 'ca_path' in text and 'validate_certs' in text
        assert client._session.retry_adapter.max_retries.other == 0   # pylint: disable=protected-access
        assert make_client(server, scheme='https', ca_path=pki['ca']).get('cluster').status_code == 200
        assert make_client(server, scheme='https', validate_certs=False).get('cluster').status_code == 200


def test_ca_path_wins_over_requests_ca_bundle_in_the_environment(pki, monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', pki['client_ca'])    # a bundle that does not know the server's CA
    monkeypatch.setenv('CURL_CA_BUNDLE', pki['client_ca'])
    with ScriptedServer({CLUSTER: [reply(200, {})]}, tls_context=server_tls_context(pki)) as server:
        assert make_client(server, scheme='https', ca_path=pki['ca']).get('cluster').status_code == 200


def test_f30_client_certificate_alert_is_reported_as_a_certificate_auth_problem(pki):
    context = server_tls_context(pki, require_client_cert=True)
    with ScriptedServer({CLUSTER: [reply(200, {})]}, tls_context=context) as server:
        client = make_client(server, scheme='https', username=None, password=None, ca_path=pki['ca'],
                             cert_filepath=pki['client_cert'], key_filepath=pki['client_key'])
        with pytest.raises(OntapTransportError) as info:
            client.get('cluster', retry=False)
    text = str(info.value)
    assert info.value.kind == 'tls'
    assert 'client-certificate authentication' in text and 'unknown ca' in text.lower()
    assert pki['client_cert'] in text and 'chain' in text


@pytest.mark.parametrize('alert', ['TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required',
                                   'SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate'])
def test_f30_other_client_certificate_alerts(pki, alert):
    import ssl
    client = OntapClient('cluster1.example.com', cert_filepath=pki['client_cert'], key_filepath=pki['client_key'])
    exc = client_mod.requests.exceptions.SSLError(ssl.SSLError(1, '[SSL: %s (_ssl.c:2580)' % alert))
    error = client._transport_error(exc, 'GET', 'https://cluster1.example.com:443/api/cluster', 60, None)  # pylint: disable=protected-access
    assert error.kind == 'tls' and 'client-certificate authentication' in str(error)
    assert '_ssl.c' not in str(error)


def test_f30_an_eof_in_the_handshake_with_certificate_auth_names_the_certificate(pki):
    """TLS 1.3: the server's "certificate required" alert can be lost; the client reads an EOF instead."""
    client = OntapClient('cluster1.example.com', cert_filepath=pki['client_cert'], key_filepath=pki['client_key'])
    eof = client_mod.requests.exceptions.SSLError('EOF occurred in violation of protocol (_ssl.c:2427)')
    error = client._transport_error(eof, 'GET', 'https://cluster1.example.com:443/api/cluster', 60, None)  # pylint: disable=protected-access
    assert error.kind == 'tls' and 'client-certificate authentication' in str(error), error
    assert pki['client_cert'] in str(error) and 'client-ca' in str(error)
    basic = OntapClient('cluster1.example.com', username='admin', password='secret')
    error = basic._transport_error(eof, 'GET', 'https://cluster1.example.com:443/api/cluster', 60, None)  # pylint: disable=protected-access
    assert 'client-certificate' not in str(error), error       # without a certificate it is not blamed


def test_classify_transport_errors():
    exceptions = client_mod.requests.exceptions
    assert classify_transport_error(exceptions.ReadTimeout('read timed out'))[0] == 'timeout'
    assert classify_transport_error(exceptions.ConnectTimeout('connect timed out'))[0] == 'connect'
    assert classify_transport_error(exceptions.ConnectionError(ConnectionResetError(104, 'reset')))[0] == 'reset'
    assert classify_transport_error(exceptions.ChunkedEncodingError('broken'))[0] == 'reset'
    assert classify_transport_error(exceptions.RequestException('odd'))[0] == 'other'


# -- missing requests --------------------------------------------------------------------------------------------

def test_missing_requests_does_not_raise_at_import():
    code = ('import sys; sys.modules["requests"] = None\n'
            'from ansible_collections.ontap.rest.plugins.module_utils import client, job_poller\n'
            'assert client.HAS_REQUESTS is False and "requests" in client.REQUESTS_IMPORT_ERROR\n'
            'print("ok")\n')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert out.stdout.strip() == 'ok', out.stderr


# -- the task's one budget (D4): job_timeout bounds every request, GET retries included ----------------------------

class BudgetClock(object):
    """A fake monotonic clock whose ``sleep`` advances it: the GET retry pauses and the budget share one time."""

    def __init__(self, now=1000.0):
        self.now = float(now)
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_d4a_a_get_retry_whose_retry_after_would_end_after_job_timeout_is_not_made():
    busy = ontap_error(503, '7', 'busy', headers={'Retry-After': '30'})
    with ScriptedServer({VOLUMES: [busy, busy, busy, reply(200, {'records': []})]}) as server:
        clock = BudgetClock()
        with make_client(server, sleep=clock.sleep) as client:
            client.budget = Budget(5, clock)
            with pytest.raises(OntapApiError) as info:
                client.get('storage/volumes')
    assert server.count('GET') == 1 and clock.slept == []          # not 3 x 30 s of pauses
    text = str(info.value)
    assert info.value.status == 503 and info.value.retry_after == 30
    assert 'Retry-After 30 s' in text and 'would end after job_timeout (5 s' in text, text


def test_d4a_a_get_retry_that_fits_in_the_budget_is_made():
    busy = ontap_error(503, '7', 'busy', headers={'Retry-After': '2'})
    with ScriptedServer({VOLUMES: [busy, reply(200, {'records': []})]}) as server:
        clock = BudgetClock()
        with make_client(server, sleep=clock.sleep) as client:
            client.budget = Budget(5, clock)
            assert client.get('storage/volumes').status_code == 200
    assert server.count('GET') == 2 and clock.slept == [2.0]


def test_d4a_no_backoff_retry_after_a_dropped_connection_when_the_backoff_would_end_after_the_deadline():
    with ScriptedServer({VOLUMES: [reply(close=True), reply(200, {})]}) as server:
        clock = BudgetClock()
        with make_client(server, sleep=clock.sleep) as client:
            client.budget = Budget(5, clock)
            clock.now += 4.8                                   # 0.2 s left: the 0.5 s backoff does not fit
            with pytest.raises(OntapTransportError) as info:
                client.get('storage/volumes')
    assert server.count('GET') == 1 and clock.slept == []
    assert 'backoff 0.5 s' in str(info.value) and 'job_timeout (5 s' in str(info.value)


def test_d4b_connect_and_read_timeouts_are_capped_to_what_the_budget_leaves():
    clock = BudgetClock()
    client = OntapClient('cluster1.example.com', username='admin', password=PASSWORD, http_timeout=60)
    client.budget = Budget(5, clock)
    seen = []

    def fake_request(method, url, **kwargs):
        attempt = kwargs['timeout'].clone()          # what urllib3 does at the start of each attempt
        seen.append((attempt.connect_timeout, attempt.read_timeout))
        raise client_mod.requests.exceptions.ConnectionError('stop here')
    client._session.request = fake_request  # pylint: disable=protected-access
    clock.now += 2                                   # 3 s left, plus one round trip of grace
    for method, return_timeout in (('GET', None), ('PATCH', 3)):
        with pytest.raises(OntapTransportError):
            client.request(method, 'storage/volumes/x', body={}, return_timeout=return_timeout)
    assert seen == [(3 + REQUEST_GRACE, 3 + REQUEST_GRACE)] * 2      # not (60, 60) and (60, 63)


def test_d4b_nothing_is_sent_once_the_budget_and_its_grace_are_spent():
    with ScriptedServer({POST_VOLUMES: [reply(202, {})]}) as server:
        clock = BudgetClock()
        with make_client(server) as client:
            client.budget = Budget(5, clock)
            clock.now += 5 + REQUEST_GRACE
            with pytest.raises(OntapTransportError) as info:
                client.request('POST', 'storage/volumes', body={}, return_timeout=0)
    assert server.requests == [] and info.value.kind == 'budget' and not info.value.outcome_unknown
    assert 'not sent' in str(info.value) and 'job_timeout (5 s)' in str(info.value)


def test_d4b_a_slow_answer_is_cut_at_the_budget_and_a_write_cut_so_is_unknown():
    # real time: the server holds the answer 5 s; the budget leaves 0.5 s (deadline passed 0.5 s ago, 1 s of grace)
    slow = reply(202, {'job': {'uuid': 'j1'}}, delay=5)
    with ScriptedServer({POST_VOLUMES: [slow], VOLUMES: [slow]}) as server:
        with make_client(server, http_timeout=60) as client:
            for method in ('GET', 'POST'):
                client.budget = Budget(0, time.monotonic, started=time.monotonic() - 0.5)
                began = time.monotonic()
                with pytest.raises(OntapTransportError) as info:
                    client.request(method, 'storage/volumes', body={} if method == 'POST' else None)
                assert time.monotonic() - began < 3, method       # not the 60 s http_timeout, not the 5 s answer
                assert info.value.kind == 'timeout' and 'what job_timeout (0 s) left' in str(info.value), str(info.value)
                assert info.value.outcome_unknown == (method == 'POST')
