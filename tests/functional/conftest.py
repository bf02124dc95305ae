# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Functional tests: the real modules run in-process (``main()``: runner, engine, poller, client) against the ONTAP
simulator, with the simulator's object store, job engine and request log (its ``/_sim`` control API) as witnesses.

They need a running simulator, so they are not unit tests (tests/unit has no network); ``scripts/test.sh functional``
runs them with pytest. A missing simulator package is an error, never a skip.

Fixtures:

``api``          ``api(method, path, **kwargs) -> requests.Response``: a direct call to the simulator's ONTAP REST API as
                 its admin (the test module's ``sim`` fixture, reset first), for set-up and witness reads.
``connection_args`` ``connection_args(sim, **options) -> dict``: the connection arguments of ``sim``'s admin plus
                 ``options``, for a test module's ``run`` fixture.
``module_main``  ``module_main(module, args, check=False, diff=False) -> dict``: runs ``module.main()`` with ``args``
                 as its module arguments (check mode and diff mode as Ansible passes them) and returns the JSON the
                 module printed (the runner's one exit). The module must exit: a return without exit fails the test.
"""

from __future__ import absolute_import, division, print_function

import contextlib
import json
import os
import sys
import tempfile

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _collection_importable():
    """Make ``ansible_collections.ontap.rest`` this working tree, whatever the checkout's directory is called."""
    parts = ROOT.split(os.sep)
    if parts[-3:-1] == ['ansible_collections', 'ontap'] and parts[-1] == 'rest':
        base = os.sep.join(parts[:-3])
    else:
        base = tempfile.mkdtemp(prefix='ontap-rest-functional-')
        os.makedirs(os.path.join(base, 'ansible_collections', 'ontap'))
        os.symlink(ROOT, os.path.join(base, 'ansible_collections', 'ontap', 'rest'))
    if base not in sys.path:
        sys.path.insert(0, base)


_collection_importable()

try:
    from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19+
except ImportError:  # ansible-core 2.16-2.18: AnsibleModule reads its arguments from basic._ANSIBLE_ARGS
    from unittest import mock

    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}).encode()):
            yield


def _connection_args(sim, **options):
    args = dict(hostname=sim.host, port=sim.port, username=sim.username, password=sim.password,
                ca_path=sim.ca_path, validate_certs=True)
    args.update(options)
    return args


@pytest.fixture
def connection_args():
    """``connection_args(sim, **options) -> dict``: the module arguments that reach ``sim`` as its admin over
    verified TLS, plus ``options`` (poll options, ``job_timeout``, module options)."""
    return _connection_args


@pytest.fixture
def module_main(capsys):
    """``module_main(module, args, check=False, diff=False) -> dict``: one in-process module run (see above)."""
    def run(module, args, check=False, diff=False):
        args = dict(args)
        if check:
            args['_ansible_check_mode'] = True
        if diff:
            args['_ansible_diff'] = True
        capsys.readouterr()
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        return json.loads(capsys.readouterr().out)
    return run


@pytest.fixture
def api(sim):
    """``api(method, path, **kwargs) -> requests.Response`` (see above); ``sim`` is the test module's simulator."""
    sim.reset()
    session = requests.Session()
    session.trust_env = False
    session.auth = (sim.username, sim.password)

    def call(method, path, **kwargs):
        kwargs.setdefault('verify', sim.ca_path if sim.ca_path else False)
        return session.request(method, sim.url + '/api/' + path.lstrip('/'), **kwargs)
    yield call
    session.close()
