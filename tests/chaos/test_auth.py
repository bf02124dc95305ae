# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trust end to end, through real ``ansible-playbook`` runs against the simulator (issue 11):

- client-certificate authentication (mutual TLS, FIELD_CASES F30) on every request of a task, job polls included;
  a certificate from another CA is refused (TLS), nothing is written;
- bearer token and basic auth on every request, polls included; a token that stops working in the middle of a wait
  (401) is reported as such, with the job uuid;
- no password, token or key material in any artefact: task results, ``-vvv`` output, ansible-runner artefacts;
- TLS verification is on by default, ``validate_certs: false`` wins over ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``,
  ``ca_path`` works for the simulator's private CA whatever those variables say.

Time never passes by sleeping: jobs are held through the control API and released by the test.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'simulator'))

from ontap_sim.testing import SimServer  # noqa: E402  pylint: disable=wrong-import-position

PASSWORD = 'Auth-Pw-5e2b9'
TOKEN = 'tok-3f9a7c1d2e'
VOLUME_PATH = '/api/storage/volumes'


@pytest.fixture(scope='module')
def sim():
    with SimServer(mtls=True, password=PASSWORD, job_seconds=0.2) as server:
        yield server


@pytest.fixture()
def fresh(sim):
    sim.reset()
    return sim


@pytest.fixture(scope='module')
def collections_root(tmp_path_factory):
    base = tmp_path_factory.mktemp('collections')
    namespace = base / 'ansible_collections' / 'ontap'
    namespace.mkdir(parents=True)
    os.symlink(ROOT, str(namespace / 'rest'))
    return str(base)


def _env(collections_root, tmp_path, extra=None):
    env = dict(os.environ)
    for name in ('ANSIBLE_COLLECTIONS_PATHS', 'ANSIBLE_CONFIG', 'ANSIBLE_STDOUT_CALLBACK', 'PYTHONPATH'):
        env.pop(name, None)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': collections_root, 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false',
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable, 'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'tmp'),
        'ANSIBLE_RETRY_FILES_ENABLED': 'false', 'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_DEPRECATION_WARNINGS': 'false',
        'ANSIBLE_CALLBACK_PLUGINS': os.path.join(ROOT, 'tests', 'integration', 'callback_plugins'),
        'ANSIBLE_CALLBACKS_ENABLED': 'ontap_results', 'ONTAP_REST_RESULTS_FILE': str(tmp_path / 'results.json'),
    })
    env.update(extra or {})
    return env


def _playbook(tmp_path, args, module='ontap.rest.volume'):
    path = tmp_path / 'play.yml'
    path.write_text('\n'.join([
        '- hosts: localhost', '  gather_facts: false', '  tasks:', '    - name: the task',
        '      %s: %s' % (module, json.dumps(args)), '      register: out', '      ignore_errors: true']) + '\n')
    return str(path)


def _bin(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def _command(playbook):
    return [_bin('ansible-playbook'), '-i', 'localhost,', '-c', 'local', '-vvv', playbook]


def _result(tmp_path):
    """The task's result, as the ontap_results callback (tests/integration/callback_plugins) recorded it."""
    with open(str(tmp_path / 'results.json')) as handle:
        entry = json.load(handle)['tasks'][0]
    return dict(entry['result'], failed=entry['status'] == 'failed')


def run_task(collections_root, tmp_path, args, env=None, module='ontap.rest.volume'):
    proc = subprocess.run(_command(_playbook(tmp_path, args, module)), env=_env(collections_root, tmp_path, env),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300,
                          check=False)
    return _result(tmp_path), proc.stdout + proc.stderr


def connection(sim, **changes):
    args = {'hostname': sim.host, 'port': sim.port, 'ca_path': sim.ca_path, 'validate_certs': True}
    args.update(changes)
    return args


def create_args(sim, name, **changes):
    args = connection(sim, name=name, svm='svm1', size='100MiB', aggregates=['aggr1'], return_timeout=0,
                      poll_interval=0.1, max_poll_interval=0.2, job_timeout=60)
    args.update(changes)
    return args


def api_requests(sim):
    return [e for e in sim.log() if e['path'].startswith('/api/')]


def assert_polled_as(sim, user):
    log = api_requests(sim)
    polls = [e for e in log if e['method'] == 'GET' and e['path'].startswith('/api/cluster/jobs/')]
    assert polls, 'the job was not polled: %s' % log
    assert {e['user'] for e in log} == {user}, log
    assert all(e['status'] < 400 for e in log), log


def no_secret(texts, *secrets):
    for name, text in texts.items():
        for secret in secrets:
            assert secret not in text, 'secret in %s' % name


def test_client_certificate_on_every_request_polls_included(fresh, collections_root, tmp_path):
    """F30: a client certificate (CN = account) authenticates every request of the task, job polls included."""
    fresh.add_user('certadmin', 'not-used-here', role='admin')
    cert, key = fresh.client_certificate('certadmin', out_dir=str(tmp_path))
    fresh.set_job('POST', VOLUME_PATH, seconds=1.0)
    result, output = run_task(collections_root, tmp_path,
                              create_args(fresh, 'mtls1', cert_filepath=cert, key_filepath=key))
    assert not result.get('failed'), output[-3000:]
    assert result['changed'] and result['job_wait']['outcome'] == 'success'
    assert_polled_as(fresh, 'certadmin')
    with open(key) as handle:
        key_body = handle.read().split('-----')[2].strip().splitlines()[0]
    no_secret({'result': json.dumps(result), '-vvv output': output}, key_body)


def test_client_certificate_from_another_ca_is_refused(fresh, collections_root, tmp_path):
    cert, key = fresh.client_certificate('admin', foreign=True, out_dir=str(tmp_path))
    result, output = run_task(collections_root, tmp_path,
                              create_args(fresh, 'mtls2', cert_filepath=cert, key_filepath=key))
    assert result.get('failed'), output[-3000:]
    assert 'Traceback' not in result.get('msg', '')
    assert 'TLS' in result['msg'] or 'SSL' in result['msg'] or 'certificate' in result['msg'], result['msg']
    assert not [e for e in api_requests(fresh) if e['method'] != 'GET'], 'a write reached the API'
    assert not any(v['name'] == 'mtls2' for v in fresh.control('GET', '/state')['volumes'])


@pytest.mark.parametrize('method', ['token', 'basic'])
def test_token_and_basic_auth_on_every_request_polls_included(fresh, collections_root, tmp_path, method):
    fresh.add_token(TOKEN, 'admin')
    fresh.set_job('POST', VOLUME_PATH, seconds=1.0)
    auth = {'token': TOKEN} if method == 'token' else {'username': 'admin', 'password': PASSWORD}
    result, output = run_task(collections_root, tmp_path, create_args(fresh, 'auth_' + method, **auth))
    assert not result.get('failed'), output[-3000:]
    assert result['job_wait']['outcome'] == 'success' and result['job_wait']['polls'] >= 1
    assert_polled_as(fresh, 'admin')
    no_secret({'result': json.dumps(result), '-vvv output': output,
               'request log': json.dumps(fresh.log())}, TOKEN, PASSWORD)


def test_token_expiring_in_the_middle_of_a_wait_is_reported(fresh, collections_root, tmp_path):
    """The job is held; once the task is polling, the token is revoked: the next poll answers 401, and the task says
    so, naming the job, without claiming a success or a failure of the job."""
    fresh.add_token(TOKEN, 'admin')
    fresh.hold_jobs('POST', VOLUME_PATH, seconds=0.1)
    playbook = _playbook(tmp_path, create_args(fresh, 'auth_expiry', token=TOKEN, job_timeout=120))
    proc = subprocess.Popen(_command(playbook), env=_env(collections_root, tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            polls = [e for e in fresh.log() if e['path'].startswith('/api/cluster/jobs/')]
            if polls:
                break
            time.sleep(0.05)
        assert polls, 'the task never polled its job'
        fresh.revoke_tokens()
        stdout, stderr = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
        fresh.release()
    result = _result(tmp_path)
    job_uuid = [e for e in fresh.log() if e['method'] == 'POST'][0]['job']
    assert result.get('failed'), stdout[-3000:]
    assert '401' in result['msg'], result['msg']
    assert job_uuid in json.dumps(result)
    assert result.get('job_wait', {}).get('outcome') not in ('success', 'failure')
    no_secret({'result': json.dumps(result), '-vvv output': stdout + stderr}, TOKEN)


def test_secret_absent_from_ansible_runner_artefacts(fresh, collections_root, tmp_path):
    """ansible-runner keeps every event (with -vvv text) under artifacts/: none holds the password or token."""
    ansible_runner = pytest.importorskip('ansible_runner')
    fresh.set_job('POST', VOLUME_PATH, seconds=0.5)
    fresh.add_token(TOKEN, 'admin')
    private = tmp_path / 'runner'
    (private / 'project').mkdir(parents=True)
    (private / 'project' / 'play.yml').write_text(open(_playbook(
        tmp_path, create_args(fresh, 'runner1', username='admin', password=PASSWORD))).read() + '\n'.join([
            '    - name: with the token', '      ontap.rest.volume: %s' % json.dumps(
                create_args(fresh, 'runner1', token=TOKEN, state='absent')), '      ignore_errors: true']) + '\n')
    env = _env(collections_root, tmp_path)
    env['PATH'] = os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        runner = ansible_runner.run(private_data_dir=str(private), playbook='play.yml', inventory='localhost,',
                                    verbosity=3, quiet=True, envvars={'ANSIBLE_CONNECTION': 'local'})
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert runner.status == 'successful', runner.stdout.read()[-3000:]
    texts = {}
    for folder, dummy, files in os.walk(str(private / 'artifacts')):
        for name in files:
            with open(os.path.join(folder, name), errors='replace') as handle:
                texts[os.path.join(folder, name)] = handle.read()
    assert any('runner1' in text for text in texts.values()), 'no artefact of the run was found'
    no_secret(texts, PASSWORD, TOKEN)


def test_tls_verification_is_on_by_default(fresh, collections_root, tmp_path):
    """No ca_path and no CA variables: the simulator's private CA is not trusted, the task fails on TLS."""
    args = create_args(fresh, 'tls1', username='admin', password=PASSWORD)
    del args['ca_path'], args['validate_certs']
    env = {'REQUESTS_CA_BUNDLE': '', 'CURL_CA_BUNDLE': '', 'SSL_CERT_FILE': ''}
    result, output = run_task(collections_root, tmp_path, args, env=env)
    assert result.get('failed'), output[-3000:]
    assert 'certificate' in result['msg'].lower(), result['msg']
    assert not [e for e in api_requests(fresh) if e['method'] != 'GET']


def test_validate_certs_false_wins_over_ca_bundle_variables(fresh, collections_root, tmp_path):
    """REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE name a CA that did not sign the simulator: validate_certs false still
    connects (requests would otherwise let the variables override the session's verify)."""
    from ontap_sim.tls import make_certificate  # pylint: disable=import-outside-toplevel
    cert_path = make_certificate(str(tmp_path / 'otherca'), ['127.0.0.1'])[2]
    env = {'REQUESTS_CA_BUNDLE': cert_path, 'CURL_CA_BUNDLE': cert_path}
    args = create_args(fresh, 'tls2', username='admin', password=PASSWORD, validate_certs=False)
    del args['ca_path']
    result, output = run_task(collections_root, tmp_path, args, env=env)
    assert not result.get('failed'), output[-3000:]
    assert result['changed']


def test_ca_path_works_whatever_the_ca_bundle_variables_say(fresh, collections_root, tmp_path):
    from ontap_sim.tls import make_certificate  # pylint: disable=import-outside-toplevel
    cert_path = make_certificate(str(tmp_path / 'otherca'), ['127.0.0.1'])[2]
    env = {'REQUESTS_CA_BUNDLE': cert_path, 'CURL_CA_BUNDLE': cert_path}
    result, output = run_task(collections_root, tmp_path,
                              create_args(fresh, 'tls3', username='admin', password=PASSWORD), env=env)
    assert not result.get('failed'), output[-3000:]
    assert result['changed']
