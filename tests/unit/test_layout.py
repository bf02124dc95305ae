# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit suite needs no simulator and no network: tests that drive a module against the ONTAP simulator belong in
tests/functional (pytest, scripts/test.sh functional), where a simulator is started for them."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SIMULATOR = re.compile(r'^\s*(from|import)\s+ontap_sim\b|importorskip\(\s*[\'"]ontap_sim', re.M)


def test_no_unit_test_needs_the_simulator():
    offenders = []
    for folder, dummy, files in os.walk(HERE):
        for name in files:
            if name.endswith('.py'):
                path = os.path.join(folder, name)
                with open(path) as handle:
                    if SIMULATOR.search(handle.read()):
                        offenders.append(os.path.relpath(path, HERE))
    assert not offenders, ('these tests import the simulator (ontap_sim); move them to tests/functional: %s'
                           % ', '.join(sorted(offenders)))


def test_every_integration_playbook_has_its_ansible_test_target():
    """Adding a playbook to tests/integration/playbooks adds a test only with a target of its name that runs it."""
    root = os.path.dirname(os.path.dirname(HERE))
    playbooks = os.path.join(root, 'tests', 'integration', 'playbooks')
    targets = os.path.join(root, 'tests', 'integration', 'targets')
    names = sorted(name[:-4] for name in os.listdir(playbooks) if name.endswith('.yml'))
    assert names, 'no playbooks in %s' % playbooks
    problems = []
    for name in names:
        target = os.path.join(targets, name)
        try:
            with open(os.path.join(target, 'aliases')) as handle:
                aliases = handle.read()
            with open(os.path.join(target, 'runme.sh')) as handle:
                runme = handle.read()
        except IOError as exc:
            problems.append('%s: %s' % (name, exc))
            continue
        if 'needs/file/tests/integration/playbooks/%s.yml' % name not in aliases:
            problems.append('%s: its aliases lack needs/file/tests/integration/playbooks/%s.yml' % (name, name))
        if 'ontap_sim_playbook' not in runme:
            problems.append('%s: its runme.sh does not run the playbook (ontap_sim_playbook)' % name)
    assert not problems, 'integration targets (copy tests/integration/targets/wait_for for a new playbook): %s' % problems
