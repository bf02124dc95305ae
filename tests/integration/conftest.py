# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the ansible-runner tests (test_runner.py): the way AWX/AAP runs ontap.rest, against the simulator.

The playbooks of tests/integration/playbooks run as ``ansible-test integration`` targets (tests/integration/targets,
each with a simulator of its own: targets/setup_ontap_sim); these fixtures serve the tests that drive
``ansible_runner`` from Python.

``sim``               (session) the simulator, started with ``ontap_sim.testing.SimServer`` on a free port, stopped at
                      the end of the session.
``ontap_env``         (session) the environment that reaches it: ``ONTAP_HOSTNAME``, ``ONTAP_PORT``,
                      ``ONTAP_USERNAME``, ``ONTAP_PASSWORD``, ``ONTAP_CA_PATH`` (the simulator's CA bundle: HTTPS is
                      verified, ``ONTAP_VALIDATE_CERTS=true``), and ``ONTAP_SIM_URL`` (base URL of the ``/_sim``
                      control API).
``collections_path``  (session) a collections root where ``ansible_collections/ontap/rest`` is a symlink to this
                      repository, so runs use the working tree's code (``ontap.rest.*``).
"""

from __future__ import absolute_import, division, print_function

import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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
    # A missing simulator is an error, not a skip: skipped tests would look like a green run.
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
