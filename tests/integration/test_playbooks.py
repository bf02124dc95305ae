# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run every tests/integration/playbooks/*.yml against the simulator.

Each playbook asserts its own outcomes (``ansible.builtin.assert``); a playbook passes when ``ansible-playbook``
exits 0 and its recap shows no failure (failures under ``ignore_errors`` or in a rescued block do not count:
playbooks provoke them on purpose and assert on the registered result). Adding a playbook adds a test.
Each playbook starts from the simulator's seed state (``sim.reset()``).
"""

from __future__ import absolute_import, division, print_function

import glob
import os

import pytest

PLAYBOOK_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'playbooks')
PLAYBOOKS = sorted(glob.glob(os.path.join(PLAYBOOK_DIR, '*.yml')))


def test_playbooks_exist():
    assert PLAYBOOKS, 'no playbooks in %s' % PLAYBOOK_DIR


@pytest.mark.parametrize('playbook', PLAYBOOKS, ids=[os.path.basename(p)[:-4] for p in PLAYBOOKS])
def test_playbook(sim, run_playbook, playbook):
    sim.reset()
    run = run_playbook(playbook)
    assert run.rc == 0, 'ansible-playbook failed\n' + run.describe()
    assert run.stats, 'no recap: the playbook did not run to its end\n' + run.describe()
    assert not run.failures, 'failures in the recap: %s\n%s' % (run.failures, run.describe())
    assert run.tasks, 'the playbook ran no task\n' + run.describe()
