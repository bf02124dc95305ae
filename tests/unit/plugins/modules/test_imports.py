# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module start cost (issue 13): a module imports only what it uses. AnsiballZ runs a module from a zip, where
Python compiles every imported source file again on every task, so code a REST resource module never runs (ZAPI,
the field waiter of ontap.rest.wait_for, netapp-lib, the simulator) must not be imported by it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

PREFIX = 'ansible_collections.ontap.rest.plugins.'
NEVER = ('module_utils.zapi', 'module_utils.zapi_jobs', 'module_utils.state_waiter')
FOREIGN = ('netapp_lib', 'ontap_sim', 'flask', 'werkzeug')


def _imported(module):
    code = ('import json, sys; import %s%s; print(json.dumps(sorted(sys.modules)))' % (PREFIX, module))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    base = os.path.dirname(os.path.dirname(os.path.dirname(root)))     # .../ansible_collections/ontap/rest -> ...
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([base] + [path for path in sys.path if path]))
    answer = subprocess.run([sys.executable, '-c', code], env=env, stdout=subprocess.PIPE, check=True)
    return json.loads(answer.stdout.decode())


@pytest.mark.parametrize('module', ['volume', 'snapshot', 'svm', 'qtree', 'request'])
def test_a_rest_module_imports_no_zapi_waiter_or_simulator_code(module):
    loaded = _imported('modules.' + module)
    assert PREFIX + 'module_utils.client' in loaded       # the check can fail: the REST client is there
    ours = [name for name in loaded if name.startswith(PREFIX) and name[len(PREFIX):] in NEVER]
    foreign = [name for name in loaded if name.split('.')[0] in FOREIGN]
    assert ours == [] and foreign == [], (ours, foreign)


def test_the_zapi_module_does_import_the_zapi_code():
    loaded = _imported('modules.zapi')
    assert PREFIX + 'module_utils.zapi_jobs' in loaded and PREFIX + 'module_utils.zapi' in loaded
