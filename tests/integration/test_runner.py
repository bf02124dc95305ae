# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ontap.rest the way AWX/AAP runs it: ``ansible_runner.run()`` with the credential injected into the environment.

The ONTAP credential type of docs/awx/ (inputs and injectors) is rendered here the way AWX renders a custom credential
type (a sandboxed Jinja2 environment; each ``file`` template written to a file under the private data dir, its path
available as ``tower.filename.<name>``; then the ``env`` templates). The playbooks in tests/integration/runner/ carry
no connection options and get no credentials in extra vars. The artifacts (status, events) are what AWX would show.

Also checks the execution-environment metadata (meta/execution-environment.yml) with ``ansible-builder introspect``.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

try:
    import ansible_runner
except ImportError as exc:  # a missing runner must fail the run, not skip these tests
    raise ImportError('tests/integration/test_runner.py needs ansible-runner (the executor AWX uses): '
                      'pip install -r requirements-dev.txt') from exc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNNER_DIR = os.path.join(ROOT, 'tests', 'integration', 'runner')
AWX_DIR = os.path.join(ROOT, 'docs', 'awx')

#: Seconds one ansible-runner invocation may take before the runner stops it.
RUN_TIMEOUT = int(float(os.environ.get('ONTAP_REST_PLAYBOOK_TIMEOUT', '600')))


def _load(name):
    with open(os.path.join(AWX_DIR, name)) as handle:
        return yaml.safe_load(handle)


class _Namespace(object):
    pass


def inject_credential(inputs, private_data_dir):
    """The environment AWX builds for a credential of the docs/awx credential type (AWX's ``inject_credential``).

    :param inputs: the credential's input values (``{field id: value}``).
    :returns: ``{env var: value}``.
    """
    fields = _load('credential_type_inputs.yml')['fields']
    injectors = _load('credential_type_injectors.yml')
    namespace = dict((name, value) for name, value in inputs.items() if isinstance(value, bool) or len(value))
    for field in fields:  # AWX: a boolean missing from the credential is false
        if field['type'] == 'boolean' and field['id'] not in inputs:
            namespace[field['id']] = False
    tower = _Namespace()
    namespace['tower'] = tower
    sandbox = ImmutableSandboxedEnvironment()
    env_dir = os.path.join(private_data_dir, 'env')
    if not os.path.isdir(env_dir):
        os.makedirs(env_dir)
    for label, template in injectors.get('file', {}).items():
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, 'w') as out:
            out.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, 0o600)
        if '.' in label:
            if not hasattr(tower, 'filename'):
                tower.filename = _Namespace()
            setattr(tower.filename, label.split('.', 1)[1], path)
        else:
            tower.filename = path
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in injectors.get('env', {}).items())


@pytest.fixture()
def credential_inputs(sim, ontap_env):
    """The inputs of an AWX credential for the simulator (the CA bundle pasted as text, as in the AWX form)."""
    inputs = {
        'hostname': ontap_env['ONTAP_HOSTNAME'],
        'port': ontap_env['ONTAP_PORT'],
        'username': ontap_env['ONTAP_USERNAME'],
        'password': ontap_env['ONTAP_PASSWORD'],
        'validate_certs': bool(sim.ca_path),
    }
    if sim.ca_path:
        with open(sim.ca_path) as handle:
            inputs['ca_bundle'] = handle.read()
    return inputs


@pytest.fixture()
def run_with_runner(tmp_path, collections_path, credential_inputs):
    """``run(playbook, extravars=None) -> (runner, events)``: one ansible-runner invocation, one private data dir."""
    counter = [0]

    def run(playbook, extravars=None):
        counter[0] += 1
        private_data_dir = str(tmp_path / ('runner-%d' % counter[0]))
        os.makedirs(private_data_dir)
        envvars = inject_credential(credential_inputs, private_data_dir)
        envvars.update({
            'ANSIBLE_COLLECTIONS_PATH': collections_path,
            'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false',
            'ANSIBLE_LOCAL_TEMP': os.path.join(private_data_dir, 'tmp'),
            'ANSIBLE_NOCOLOR': '1',
            # ansible-playbook of this interpreter's environment (an EE has it on PATH)
            'PATH': os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''),
        })
        runner = ansible_runner.run(
            private_data_dir=private_data_dir,
            project_dir=RUNNER_DIR,
            playbook=playbook,
            inventory={'all': {'hosts': {'localhost': {'ansible_connection': 'local',
                                                       'ansible_python_interpreter': sys.executable}}}},
            envvars=envvars,
            extravars=extravars or {},
            quiet=True,
            timeout=RUN_TIMEOUT,
        )
        events = list(runner.events)
        with open(runner.stdout.name) as handle:
            stdout = handle.read()
        runner.stdout.close()
        sys.stdout.write('--- %s: status %s rc %s ---\n%s\n' % (playbook, runner.status, runner.rc, stdout[-20000:]))
        return runner, events, stdout

    return run


def _task_events(events, event_name, action):
    return [event for event in events
            if event.get('event') == event_name and event.get('event_data', {}).get('task_action') == action]


def _assert_no_secret(events, stdout, secret):
    assert secret, 'test set-up: empty password'
    leaks = [event.get('event') for event in events if secret in json.dumps(event)]
    assert not leaks, 'the password appears in events %s' % leaks
    assert secret not in stdout, 'the password appears in the runner stdout'


def test_volume_create_with_injected_credential(sim, ontap_env, run_with_runner):
    sim.reset()
    runner, events, stdout = run_with_runner('volume_create.yml', {'volume_name': 'awx_vol1'})

    assert runner.status == 'successful', stdout
    assert runner.rc == 0
    oks = _task_events(events, 'runner_on_ok', 'ontap.rest.volume')
    assert len(oks) == 1, [event.get('event') for event in events]
    res = oks[0]['event_data']['res']
    assert res['changed'] is True
    assert res['job']['uuid']
    assert res['job_wait']['outcome'] == 'success'
    _assert_no_secret(events, stdout, ontap_env['ONTAP_PASSWORD'])


def test_timed_out_job_resumed_by_a_second_runner_invocation(sim, ontap_env, run_with_runner):
    sim.reset()
    sim.set_job('POST', '/api/storage/volumes', seconds=4, count=1)

    first, events, stdout = run_with_runner('volume_create.yml', {
        'volume_name': 'awx_slow', 'volume_return_timeout': 0, 'volume_job_timeout': 1})
    assert first.status == 'failed', stdout
    failed = _task_events(events, 'runner_on_failed', 'ontap.rest.volume')
    assert len(failed) == 1, [event.get('event') for event in events]
    res = failed[0]['event_data']['res']
    assert res['job_wait']['outcome'] == 'timed_out'
    job_uuid = res['job']['uuid']
    assert job_uuid and job_uuid in res['msg']
    _assert_no_secret(events, stdout, ontap_env['ONTAP_PASSWORD'])

    second, events, stdout = run_with_runner('resume_job.yml', {'job_uuid': job_uuid, 'volume_name': 'awx_slow'})
    assert second.status == 'successful', stdout
    oks = _task_events(events, 'runner_on_ok', 'ontap.rest.job')
    assert len(oks) == 1, [event.get('event') for event in events]
    res = oks[0]['event_data']['res']
    assert res['job']['uuid'] == job_uuid
    assert res['job_wait']['outcome'] == 'success'
    _assert_no_secret(events, stdout, ontap_env['ONTAP_PASSWORD'])


def test_injectors_fill_defaults_for_a_minimal_credential(tmp_path):
    """Token only, no port, no CA bundle: the port falls back to 443 and no empty CA file is pointed at."""
    env = inject_credential({'hostname': 'cluster1.example.com', 'token': 's3cret', 'validate_certs': True},
                            str(tmp_path))
    assert env['ONTAP_HOSTNAME'] == 'cluster1.example.com'
    assert env['ONTAP_PORT'] == '443'
    assert env['ONTAP_TOKEN'] == 's3cret'
    assert env['ONTAP_CA_PATH'] == ''
    assert env['ONTAP_USERNAME'] == '' and env['ONTAP_PASSWORD'] == ''
    assert env['ONTAP_VALIDATE_CERTS'] == 'True'


def test_injectors_write_the_ca_bundle_to_a_file(tmp_path):
    env = inject_credential({'hostname': 'h', 'username': 'u', 'password': 'p', 'validate_certs': True,
                             'ca_bundle': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'},
                            str(tmp_path))
    with open(env['ONTAP_CA_PATH']) as handle:
        assert handle.read().startswith('-----BEGIN CERTIFICATE-----')


def test_execution_environment_metadata_lists_requests(tmp_path):
    """ansible-builder reads meta/execution-environment.yml and finds the collection's Python requirements."""
    with open(os.path.join(ROOT, 'meta', 'execution-environment.yml')) as handle:
        meta = yaml.safe_load(handle)
    assert meta['version'] == 1
    assert os.path.isfile(os.path.join(ROOT, meta['dependencies']['python']))

    builder = os.path.join(os.path.dirname(sys.executable), 'ansible-builder')
    if not os.path.exists(builder):
        builder = shutil.which('ansible-builder')
    assert builder, 'ansible-builder not found: pip install -r requirements-dev.txt'
    namespace = tmp_path / 'ansible_collections' / 'ontap'
    namespace.mkdir(parents=True)
    os.symlink(ROOT, str(namespace / 'rest'))
    proc = subprocess.run([builder, 'introspect', str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    deps = yaml.safe_load(proc.stdout)
    python = [line.split('#')[0].strip() for line in deps['python']]
    assert any(line.startswith('requests') for line in python), proc.stdout
    assert any(line.startswith('netapp-lib') for line in python), proc.stdout     # ZAPI door (issue 12)
    assert not any(line.startswith('ansible-core') or line.startswith('ansible ') for line in python), proc.stdout
