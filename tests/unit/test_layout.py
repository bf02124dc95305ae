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
