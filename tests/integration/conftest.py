# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration harness: real ``ansible-playbook`` runs against the ONTAP simulator.

Fixtures:

``sim``            (session) the simulator, started with ``ontap_sim.testing.SimServer`` on a free port, stopped at the
                   end of the session.
``ontap_env``      (session) the environment a playbook needs to reach it: ``ONTAP_HOSTNAME``, ``ONTAP_PORT``,
                   ``ONTAP_USERNAME``, ``ONTAP_PASSWORD``, ``ONTAP_CA_PATH`` (the simulator's CA bundle: HTTPS is
                   verified, ``ONTAP_VALIDATE_CERTS=true``), and ``ONTAP_SIM_URL`` (base URL, for playbooks that drive
                   the simulator's ``/_sim`` control API).
``run_playbook``   a function ``run_playbook(path, extra_vars=None, check=False, env=None) -> PlaybookRun``.

Playbooks run with ``ANSIBLE_COLLECTIONS_PATH`` set to a temporary tree where ``ansible_collections/ontap/rest`` is a
symlink to this repository, so they use the working tree's code (``ontap.rest.*``), and nothing else (no scan of
``sys.path``, so a copy of the collection installed in the venv by ``scripts/demo.sh`` is not picked up).
"""

from __future__ import absolute_import, division, print_function

import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, 'tests', 'integration')
PLAYBOOK_DIR = os.path.join(HERE, 'playbooks')
CALLBACK_DIR = os.path.join(HERE, 'callback_plugins')

#: Seconds one playbook may run before the harness kills it (a hung poll must not hang CI).
PLAYBOOK_TIMEOUT = float(os.environ.get('ONTAP_REST_PLAYBOOK_TIMEOUT', '600'))


def _bin(name):
    """Path of a console script of the running interpreter's environment (the project's .venv)."""
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(candidate):
        return candidate
    found = shutil.which(name)
    if not found:
        raise RuntimeError('%s not found next to %s nor on PATH; run scripts/bootstrap.sh' % (name, sys.executable))
    return found


class PlaybookRun(object):
    """The outcome of one ``ansible-playbook`` run.

    ``rc``, ``stdout``, ``stderr``, ``command``; ``tasks``: every task result recorded by the ``ontap_results``
    callback (dicts with play, task, host, action, status, ignored, result); ``stats``: per-host recap counters
    (ok, changed, failures, unreachable, skipped, rescued, ignored).
    """

    def __init__(self, command, rc, stdout, stderr, report):
        self.command = command
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.tasks = report.get('tasks', [])
        self.stats = report.get('stats', {})

    def task(self, name):
        """The result dict of the last task called ``name`` (KeyError when no such task ran)."""
        for entry in reversed(self.tasks):
            if entry['task'] == name:
                return entry['result']
        raise KeyError('no task named %r ran; tasks: %s' % (name, [t['task'] for t in self.tasks]))

    @property
    def failures(self):
        """Per-host failures and unreachables of the recap (failures that were rescued or ignored do not count)."""
        return dict((host, counts) for host, counts in self.stats.items()
                    if counts.get('failures') or counts.get('unreachable'))

    def describe(self):
        """Human summary for assertion messages."""
        return '\n'.join([
            '$ ' + ' '.join(self.command),
            'rc=%s' % self.rc,
            '--- stdout ---', self.stdout[-20000:],
            '--- stderr ---', self.stderr[-5000:],
        ])


@pytest.fixture(scope='session')
def collections_path(tmp_path_factory):
    """A collections root whose ``ansible_collections/ontap/rest`` is this repository."""
    base = tmp_path_factory.mktemp('collections')
    namespace = base / 'ansible_collections' / 'ontap'
    namespace.mkdir(parents=True)
    os.symlink(ROOT, str(namespace / 'rest'))
    return str(base)


@pytest.fixture(scope='session')
def sim():
    """The ONTAP simulator, on a free port, for the whole session (HTTPS with its own CA)."""
    # A missing simulator is an error, not a skip: skipped playbooks would look like a green run.
    from ontap_sim.testing import SimServer  # pylint: disable=import-outside-toplevel
    with SimServer() as server:
        yield server


@pytest.fixture(scope='session')
def ontap_env(sim):
    """Environment variables that point the modules (and ``ansible.builtin.uri``) at the simulator."""
    env = {
        'ONTAP_SIM_URL': sim.url,
        'ONTAP_HOSTNAME': sim.host,
        'ONTAP_PORT': str(sim.port),
        'ONTAP_USERNAME': sim.username,
        'ONTAP_PASSWORD': sim.password,
        'ONTAP_VALIDATE_CERTS': 'true' if sim.ca_path else 'false',
    }
    if sim.ca_path:
        env['ONTAP_CA_PATH'] = sim.ca_path
    return env


@pytest.fixture(scope='session')
def run_playbook(collections_path, ontap_env, tmp_path_factory):
    """``run_playbook(path, extra_vars=None, check=False, env=None) -> PlaybookRun``.

    ``path`` is absolute or relative to tests/integration/playbooks. ``env`` adds to (or overrides) the environment.
    """
    ansible_playbook = _bin('ansible-playbook')
    workdir = tmp_path_factory.mktemp('playbook-runs')
    counter = [0]

    def run(path, extra_vars=None, check=False, env=None):
        counter[0] += 1
        if not os.path.isabs(path):
            path = os.path.join(PLAYBOOK_DIR, path)
        report_file = str(workdir / ('run-%03d.json' % counter[0]))
        command = [ansible_playbook, '-i', 'localhost,', '-c', 'local', path]
        if extra_vars:
            command += ['--extra-vars', json.dumps(extra_vars)]
        if check:
            command.append('--check')

        full_env = dict(os.environ)
        for name in ('ANSIBLE_COLLECTIONS_PATHS', 'ANSIBLE_CONFIG', 'ANSIBLE_STDOUT_CALLBACK'):
            full_env.pop(name, None)
        full_env.update({
            'ANSIBLE_COLLECTIONS_PATH': collections_path,
            'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false',
            'ANSIBLE_CALLBACK_PLUGINS': CALLBACK_DIR,
            'ANSIBLE_CALLBACKS_ENABLED': 'ontap_results',
            'ONTAP_REST_RESULTS_FILE': report_file,
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
            'ANSIBLE_LOCAL_TEMP': str(workdir / 'tmp'),
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_FORCE_COLOR': '0',
            'ANSIBLE_HOST_KEY_CHECKING': 'false',
            'ANSIBLE_DEPRECATION_WARNINGS': 'true',
            'PYTHONDONTWRITEBYTECODE': '1',
        })
        full_env.update(ontap_env)
        if env:
            full_env.update(env)

        try:
            proc = subprocess.run(command, env=full_env, cwd=os.path.dirname(path), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, universal_newlines=True, timeout=PLAYBOOK_TIMEOUT,
                                  check=False)
            rc, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            rc = -1
            stdout = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b'').decode('utf-8', 'replace')
            stderr = 'ansible-playbook killed after %.0f s (ONTAP_REST_PLAYBOOK_TIMEOUT)' % PLAYBOOK_TIMEOUT

        report = {}
        if os.path.exists(report_file):
            with open(report_file) as handle:
                report = json.load(handle)
        result = PlaybookRun(command, rc, stdout, stderr, report)
        # Shown by pytest for failing tests only.
        sys.stdout.write(result.describe() + '\n')
        return result

    return run
