# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 12: ZAPI through netapp-lib's real server class, over the wire, against the simulator's ZAPI servlet.

netapp-lib's ``NaServer`` (subclassed by ``module_utils/zapi.py``) sends real HTTPS requests to the simulator, which
shares its job engine with REST: one job is readable by REST uuid and by ZAPI id. The modules run in-process
(``main()`` with patched arguments); the simulator's request log is the witness (one entry per HTTP request). Jobs
that must stay live are held by a job rule and ended by a ZAPI state script or a release, never by a timer.
netapp-lib is a test requirement (tests/unit/requirements.txt): missing, it is an error, never a skip.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import time

import pytest
import requests
import trustme
from netapp_lib.api.zapi import zapi as netapp_zapi

from ontap_sim import testing

from ansible_collections.ontap.rest.plugins.module_utils import zapi as zapi_utils
from ansible_collections.ontap.rest.plugins.module_utils.zapi_jobs import (
    OntapZapiError,
    OntapZapiTransportError,
)
from ansible_collections.ontap.rest.plugins.modules import job as job_module
from ansible_collections.ontap.rest.plugins.modules import request as request_module
from ansible_collections.ontap.rest.plugins.modules import zapi as zapi_module

SERVLET = '/servlets/netapp.servlets.admin.XMLrequest_filer'
HOLD = 100000
CREATE_ARGS = {'volume-name': None, 'aggr-list': [{'aggr-name': 'aggr1'}], 'size': '20m'}


@pytest.fixture(scope='module')
def sim():
    with testing.SimServer(job_seconds=0.3) as server:
        yield server


@pytest.fixture
def run(sim, module_main):
    """``run(module, check_mode=False, **args) -> result dict`` of one in-process module run."""
    def run_module(module, check_mode=False, **args):
        base = dict(hostname=sim.host, port=sim.port, username=sim.username, password=sim.password,
                    ca_path=sim.ca_path, validate_certs=True, poll_interval=0.05, max_poll_interval=0.1,
                    job_timeout=20.0)
        base.update(args)
        return module_main(module, base, check=check_mode)
    return run_module


def connection(sim, **options):
    params = dict(hostname=sim.host, port=sim.port, username=sim.username, password=sim.password, ca_path=sim.ca_path)
    params.update(options)
    return zapi_utils.ZapiConnection(**params)


def servlet_log(sim):
    return [entry for entry in sim.log() if entry['path'] == SERVLET]


def create_args(name):
    return dict(CREATE_ARGS, **{'volume-name': name})


def zapi_jobs(sim):
    return dict((job['uuid'], job) for job in sim.control('GET', '/zapi/jobs')['jobs'])


def script(sim, job_id, states, message=None, code=None):
    body = {'states': states}
    if message is not None:
        body.update(message=message, code=code)
    return sim.control('POST', '/zapi/jobs/%d/states' % job_id, body)


# -- netapp-lib's server class over the wire ---------------------------------------------------------------------

def test_https_with_the_simulators_ca_one_http_request_per_call(sim, api):
    rest = requests.get(sim.url + '/api/cluster', auth=(sim.username, sim.password), verify=sim.ca_path,
                        params={'fields': 'version'}, timeout=10).json()['version']
    sim.clear_log()
    conn = connection(sim)
    version = conn.get_version()
    assert (version['major'], version['minor']) == (rest['major'], rest['minor'])     # one release on both APIs
    assert version['version'] == rest['full'] and version['version'].startswith('NetApp Release')
    conn.call('volume-get-iter', {'query': {'volume-attributes': {'volume-id-attributes': {'name': 'nothing'}}}})
    log = servlet_log(sim)
    assert [entry['status'] for entry in log] == [200, 200]          # no 401 round trip: auth is sent up front
    assert len(set(entry['connection'] for entry in log)) == 2       # netapp-lib: a connection per call
    assert [entry['zapi'] for entry in log] == ['system-get-version', 'volume-get-iter']   # named in the log
    assert all(entry['zapi'] is None for entry in sim.log() if entry['path'] != SERVLET)


def test_validate_certs_false_works_without_a_ca(sim, api):
    assert connection(sim, ca_path=None, validate_certs=False).get_version()['generation'] == 9


def test_a_wrong_ca_is_a_tls_error_naming_ca_path(sim, api, tmp_path):
    other = tmp_path / 'other-ca.pem'
    trustme.CA().cert_pem.write_to_path(str(other))
    sim.clear_log()
    with pytest.raises(OntapZapiTransportError) as caught:
        connection(sim, ca_path=str(other)).get_version()
    assert caught.value.kind == 'tls' and 'ca_path' in str(caught.value) and not caught.value.outcome_unknown
    assert servlet_log(sim) == []                                    # refused before anything was sent


def test_a_bad_password_is_a_401_in_one_request_and_never_shows_the_password(sim, api):
    sim.clear_log()
    with pytest.raises(OntapZapiError) as caught:
        connection(sim, password='wrong-secret-1').get_version()
    assert caught.value.status == 401 and caught.value.is_auth and 'wrong-secret-1' not in str(caught.value)
    assert [entry['status'] for entry in servlet_log(sim)] == [401]


def test_http_timeout_bounds_one_call(sim, api):
    sim.add_fault('slow', method='POST', path=SERVLET, seconds=5, count=1)
    with pytest.raises(OntapZapiTransportError) as caught:
        connection(sim, http_timeout=0.5).get_version()
    assert caught.value.kind == 'timeout' and '0.5' in str(caught.value)


def test_job_timeout_bounds_a_slow_zapi_call_like_a_rest_request(sim, api, run):
    # http_timeout 60 s, job_timeout 2 s: the call's socket timeout is what the task's budget leaves (plus its
    # 1 s grace for the last answer), not http_timeout; one POST, no resend.
    sim.clear_log()
    sim.add_fault('slow', method='POST', path=SERVLET, seconds=20, count=1)
    started = time.monotonic()
    result = run(zapi_module, api='system-get-version', read_only=True, job_timeout=2, http_timeout=60)
    took = time.monotonic() - started
    assert result['failed'] and result['changed'] is False, result
    assert 'job_timeout (2 s) left' in result['msg'] and took < 6, (took, result['msg'])
    sim.clear_faults()


def test_values_netapp_lib_would_drop_survive():
    elem = zapi_utils.build_element('volume-modify-iter', {'attributes': {'percentage-snapshot-reserve': 0,
                                                                          'is-atime-update-enabled': False,
                                                                          'comment': ''}}, netapp_zapi.NaElement)
    text = elem.to_string().decode()
    assert '<percentage-snapshot-reserve>0</percentage-snapshot-reserve>' in text
    assert '<is-atime-update-enabled>false</is-atime-update-enabled>' in text


# -- ontap.rest.zapi: create and resize through the shared poller ------------------------------------------------

def test_zapi_creates_and_resizes_a_volume_with_the_job_contract(sim, api, run):
    result = run(zapi_module, api='volume-create-async', vserver='svm1', args=create_args('zv1'))
    assert result['changed'] and not result.get('failed'), result
    assert result['job_wait']['outcome'] == 'success' and result['job_wait']['polls'] >= 1, result
    job = result['job']
    assert job['state'] == job['zapi_state'] == 'success' and isinstance(job['id'], int) and job['uuid'], job
    assert job['svm'] == {'name': 'svm1'} and result['response']['result-status'] == 'in_progress'
    # the same job, read over REST by its uuid
    assert api('GET', 'cluster/jobs/%s' % job['uuid']).json()['state'] == 'success'
    records = api('GET', 'storage/volumes', params={'name': 'zv1', 'fields': 'size'}).json()['records']
    assert records and records[0]['size'] == 20 * 1024 * 1024

    result = run(zapi_module, api='volume-size-async', vserver='svm1', args={'volume-name': 'zv1', 'new-size': '+10m'})
    assert result['changed'] and result['job_wait']['outcome'] == 'success', result
    assert api('GET', 'storage/volumes', params={'name': 'zv1', 'fields': 'size'}).json()['records'][0]['size'] == \
        30 * 1024 * 1024

    found = run(zapi_module, api='volume-get-iter', read_only=True,
                args={'query': {'volume-attributes': {'volume-id-attributes': {'name': 'zv1'}}}})
    assert found['changed'] is False and found['response']['num-records'] == '1', found
    attrs = found['response']['attributes-list'][0]['volume-attributes']
    assert attrs['volume-space-attributes']['size'] == str(30 * 1024 * 1024)
    assert 'job' not in found and 'job_wait' not in found


def test_zapi_check_mode_sends_only_read_only_calls(sim, api, run):
    sim.clear_log()
    result = run(zapi_module, check_mode=True, api='volume-create-async', vserver='svm1', args=create_args('zv2'))
    assert result['changed'] and result['would_send'] == [{'api': 'volume-create-async', 'args': create_args('zv2'),
                                                           'vserver': 'svm1'}], result
    assert servlet_log(sim) == []
    result = run(zapi_module, check_mode=True, api='system-get-version', read_only=True)
    assert result['changed'] is False and 'version' in result['response'] and len(servlet_log(sim)) == 1


@pytest.mark.parametrize('check_mode', [True, False])
def test_read_only_on_a_call_that_writes_is_refused_and_nothing_is_sent(sim, api, run, check_mode):
    """A destroy marked read_only would be sent in check mode and reported unchanged: it is refused, naming the
    option, before any call (the volume is still there, the servlet saw nothing)."""
    run(zapi_module, api='volume-create-async', vserver='svm1', args=create_args('zro'))
    sim.clear_log()
    result = run(zapi_module, check_mode=check_mode, api='volume-destroy-async', vserver='svm1', read_only=True,
                 args={'volume-name': 'zro'})
    assert result['failed'] and result['changed'] is False and 'read_only' in result['msg'], result
    assert servlet_log(sim) == []
    assert api('GET', 'storage/volumes', params={'name': 'zro'}).json()['num_records'] == 1


def test_a_failed_start_keeps_ontaps_result_error_message(sim, api, run):
    sim.set_job('POST', '/api/storage/volumes', seconds=0, outcome='failure', code=917536,
                message='Aggregate aggr1 has not enough space', count=1)
    result = run(zapi_module, api='volume-create-async', vserver='svm1', args=create_args('zv3'))
    assert result['failed'] and result['changed'] is False, result
    assert 'Aggregate aggr1 has not enough space' in result['msg'] and '917536' in result['msg'], result
    assert result['job_wait'] == dict(result['job_wait'], outcome='failure', polls=0)
    assert result['response']['result-status'] == 'failed'


@pytest.mark.parametrize('terminal', ['failure', 'error', 'quit', 'dead'])
def test_zapi_only_states_keep_the_wait_going_and_each_terminal_one_ends_it_with_its_message(
        sim, api, run, terminal):
    sim.hold_jobs('POST', '/api/storage/volumes', count=1)
    started = run(zapi_module, api='volume-create-async', vserver='svm1', args=create_args('zs_' + terminal),
                  wait_for_completion=False)
    assert started['job_wait']['outcome'] == 'not_waited' and started['changed'], started
    job_id = started['job']['id']
    middle = ['initial', 'queued', 'waiting', 'pausing', 'quitting', 'reschedule', 'restart', 'dormant', 'unknown',
              'paused', 'running']
    script(sim, job_id, middle + [terminal], message='Node node1 went away (%s)' % terminal, code=983)
    result = run(job_module, id=job_id)
    assert result['failed'] and result['changed'] is False, result
    assert result['job_wait']['outcome'] == 'failure' and result['job_wait']['polls'] == len(middle), result
    assert result['job']['zapi_state'] == terminal and result['job']['code'] == 983
    assert 'Node node1 went away (%s)' % terminal in result['msg'], result
    # REST reads the same job as failure
    assert api('GET', 'cluster/jobs/%s' % result['job']['uuid']).json()['state'] == 'failure'


def test_rest_started_job_followed_by_zapi_id_and_zapi_started_job_by_rest_uuid(sim, api, run):
    # REST start, ZAPI follow
    sim.hold_jobs('POST', '/api/storage/volumes', count=2)
    answer = api('POST', 'storage/volumes', params={'return_timeout': 0},
                 json={'name': 'xr1', 'svm': {'name': 'svm1'}, 'aggregates': [{'name': 'aggr1'}], 'size': 20971520})
    uuid = answer.json()['job']['uuid']
    job_id = zapi_jobs(sim)[uuid]['id']
    script(sim, job_id, ['waiting', 'success'])
    by_id = run(job_module, id=job_id)
    assert by_id['job_wait']['outcome'] == 'success' and by_id['job']['uuid'] == uuid, by_id
    by_uuid = run(job_module, uuid=uuid)
    assert by_uuid['job_wait']['outcome'] == 'success' and not by_uuid.get('failed'), by_uuid
    # ZAPI start, REST follow
    started = run(zapi_module, api='volume-create-async', vserver='svm1', args=create_args('xr2'),
                  wait_for_completion=False)
    uuid2 = [u for u, j in zapi_jobs(sim).items() if j['id'] == started['job']['id']][0]
    sim.release(uuid2)
    by_uuid = run(job_module, uuid=uuid2)
    by_id = run(job_module, id=started['job']['id'])
    assert by_uuid['job_wait']['outcome'] == by_id['job_wait']['outcome'] == 'success', (by_uuid, by_id)
    assert by_id['job']['uuid'] == by_uuid['job']['uuid'] == uuid2
    names = [r['name'] for r in api('GET', 'storage/volumes', params={'name': 'xr*'}).json()['records']]
    assert sorted(names) == ['xr1', 'xr2']


def test_job_id_unknown_is_not_found_with_the_purge_hint(sim, api, run):
    result = run(job_module, id=987654)
    assert result['failed'] and 'Job 987654 was not found' in result['msg'] and '300 seconds' in result['msg'], result


def test_job_id_offers_wait_only(sim, api, run):
    result = run(job_module, id=1000, action='cancel')
    assert result['failed'] and 'not offered with id' in result['msg'], result


def test_errno_15661_and_13003_are_clear_errors(sim, api, run):
    result = run(zapi_module, api='volume-size-async', vserver='svm1', args={'volume-name': 'absent', 'new-size': '1g'})
    assert result['failed'] and 'errno 15661' in result['msg'] and 'exception' not in result, result
    sim.add_user('viewer', 'viewer-pass-1', role='readonly')
    result = run(zapi_module, api='volume-create-async', vserver='svm1', args=create_args('zr'), username='viewer',
                 password='viewer-pass-1')
    assert result['failed'] and 'errno 13003' in result['msg'] and 'viewer-pass-1' not in json.dumps(result), result


@pytest.mark.parametrize('kind', ['non_xml', 'no_results'])
def test_answers_that_are_not_zapi_are_errors_never_tracebacks(sim, api, run, kind):
    sim.control('POST', '/zapi/faults', {'kind': kind, 'api': 'volume-create-async'})
    result = run(zapi_module, api='volume-create-async', vserver='svm1', args=create_args('zn_' + kind))
    assert result['failed'] and 'not a ZAPI answer' in result['msg'] and 'exception' not in result, result
    assert ('not XML' if kind == 'non_xml' else 'without the <results> element') in result['msg'], result
    assert result['changed'] and 'outcome is unknown' in result['msg']   # a write whose answer was unusable


def test_http_500_on_a_zapi_write_says_the_outcome_is_unknown(sim, api, run):
    sim.control('POST', '/zapi/faults', {'kind': 'http', 'status': 500, 'api': 'volume-create-async'})
    result = run(zapi_module, api='volume-create-async', vserver='svm1', args=create_args('z500'))
    assert result['failed'] and result['changed'] and 'HTTP 500' in result['msg'], result


def test_a_system_without_rest_names_the_zapi_modules_and_zapi_still_works(sim, api, run):
    sim.control('PATCH', '/zapi/config', {'rest_disabled': True})
    result = run(request_module, path='storage/volumes')
    assert result['failed'] and 'ontap.rest.zapi' in result['msg'] and 'ontap.rest.job with id' in result['msg'], result
    result = run(zapi_module, api='system-get-version', read_only=True)
    assert not result.get('failed') and 'version' in result['response'], result


def test_missing_netapp_lib_fails_only_the_zapi_paths(sim, api, run, monkeypatch):
    monkeypatch.setattr(zapi_utils, 'HAS_NETAPP_LIB', False)
    monkeypatch.setattr(zapi_utils, 'NETAPP_LIB_IMPORT_ERROR', 'ImportError: No module named netapp_lib')
    result = run(zapi_module, api='system-get-version', read_only=True)
    assert result['failed'] and 'netapp-lib' in result['msg'] and 'exception' not in result, result
    result = run(job_module, id=1)
    assert result['failed'] and 'netapp-lib' in result['msg'], result
    answer = api('POST', 'storage/volumes', params={'return_timeout': 30},
                 json={'name': 'nl1', 'svm': {'name': 'svm1'}, 'aggregates': [{'name': 'aggr1'}], 'size': 20971520})
    result = run(job_module, uuid=answer.json()['job']['uuid'])      # REST needs no netapp-lib
    assert not result.get('failed') and result['job_wait']['outcome'] == 'success', result


def test_an_unreadable_ca_file_is_an_option_error_before_anything_is_sent(sim, api, tmp_path):
    bad = tmp_path / 'not-a-ca.pem'
    bad.write_text('not a certificate')
    with pytest.raises(zapi_utils.OntapOptionError) as caught:
        connection(sim, ca_path=str(bad))
    assert caught.value.option == 'ca_path'


def test_client_certificate_authentication_over_zapi(tmp_path):
    """cert_filepath/key_filepath as for REST: the account is the certificate's CN, no basic auth is sent."""
    with testing.SimServer(mtls=True) as server:
        cert, key = server.client_certificate('admin', out_dir=str(tmp_path))
        conn = zapi_utils.ZapiConnection(server.host, server.port, cert_filepath=cert, key_filepath=key,
                                         ca_path=server.ca_path)
        assert conn.get_version()['major'] == 14
        log = [entry for entry in server.log() if entry['path'] == SERVLET]
        assert [(entry['status'], entry['user']) for entry in log] == [(200, 'admin')]
        foreign_cert, foreign_key = server.client_certificate('admin', foreign=True, out_dir=str(tmp_path / 'f'))
        with pytest.raises(OntapZapiTransportError) as caught:     # refused in the TLS handshake
            zapi_utils.ZapiConnection(server.host, server.port, cert_filepath=foreign_cert, key_filepath=foreign_key,
                                      ca_path=server.ca_path).get_version()
        assert caught.value.kind in ('tls', 'reset'), caught.value
        if caught.value.kind == 'tls':        # F30: a rejected client certificate is not a server-CA problem
            text = str(caught.value)
            assert 'client-certificate authentication' in text and foreign_cert in text, text
            assert 'validate_certs' not in text and 'client-ca' in text, text


def test_f30_explained_alike_on_both_transports():
    """The ZAPI error reads the TLS alert as REST's does (one explanation, client.explain_tls)."""
    reason = '[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca (_ssl.c:2580)'
    conn = zapi_utils.ZapiConnection('cluster1', 443, cert_filepath=None, username='admin', password='pw')
    conn.auth_method = 'certificate'
    conn.cert_filepath = '/etc/ontap/client.pem'
    error = conn._error(netapp_zapi.NaApiError('Unable to connect', reason), 'system-get-version', False)  # pylint: disable=protected-access
    assert error.kind == 'tls' and 'client-certificate authentication' in str(error), error
    assert '/etc/ontap/client.pem' in str(error) and 'validate_certs' not in str(error)
    conn.auth_method = 'basic'
    error = conn._error(netapp_zapi.NaApiError('Unable to connect', reason), 'system-get-version', False)  # pylint: disable=protected-access
    assert 'may require a client certificate' in str(error) and 'validate_certs' not in str(error), error
    verify = '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in chain'
    error = conn._error(netapp_zapi.NaApiError('Unable to connect', verify), 'system-get-version', False)  # pylint: disable=protected-access
    assert 'could not be verified' in str(error) and 'ca_path' in str(error), error


def test_a_token_beside_basic_credentials_is_not_used_and_the_task_says_so(sim, api, run):
    """REST prefers the token; ZAPI has none: it authenticates with basic auth and warns, never silently."""
    secret = 'tok-abc-123-secret'
    result = run(zapi_module, api='system-get-version', read_only=True, token=secret)
    assert not result.get('failed'), result
    warning = json.dumps(result.get('warnings', []))
    assert 'token was not used' in warning and 'basic' in warning, result
    assert secret not in json.dumps(result)
    assert [entry['user'] for entry in servlet_log(sim)][-1:] == [sim.username]
    result = run(job_module, id=999999, token=secret, job_timeout=2.0)
    assert result['failed'] and 'token was not used' in json.dumps(result.get('warnings', [])), result
    with pytest.raises(zapi_utils.OntapOptionError) as caught:       # alone it is refused, nothing sent
        zapi_utils.ZapiConnection(sim.host, sim.port, token=secret, ca_path=sim.ca_path)
    assert caught.value.option == 'token' and secret not in str(caught.value)
