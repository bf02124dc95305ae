# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Notification callback of the chaos harness (tests/chaos/run.py): set up each scenario, record its ground truth.

Before a task named ``chaos <seed>`` starts, the scenario of that seed (from the JSON file named by
E(CHAOS_SCENARIOS)) is set up through the simulator's control API (tests/chaos/driver.py); when the task's result
arrives, the simulator's ground truth is captured and one JSON line ``{"seed", "status", "result", "baseline",
"truth", "setup_error"}`` is appended to E(CHAOS_RECORDS). The callback runs in the controller process, between
tasks, so the module under test runs as an ordinary task of a real ``ansible-playbook``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: chaos_driver
type: notification
short_description: Set up chaos scenarios and record their ground truth
description:
  - Sets up the scenario of each C(chaos <seed>) task and appends its result and ground truth to E(CHAOS_RECORDS).
requirements:
  - enabled via E(ANSIBLE_CALLBACKS_ENABLED)
'''

import json
import os
import sys
import time
import traceback

from ansible.plugins.callback import CallbackBase

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import driver  # noqa: E402  pylint: disable=wrong-import-position


class CallbackModule(CallbackBase):
    """Scenario set-up before each chaos task, ground truth after it."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'notification'
    CALLBACK_NAME = 'chaos_driver'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        with open(os.environ['CHAOS_SCENARIOS']) as handle:
            self._scenarios = dict((str(s['seed']), s) for s in json.load(handle))
        self._records = os.environ['CHAOS_RECORDS']
        self._files = os.environ['CHAOS_FILES']
        self._ctl = driver.Control(os.environ['ONTAP_SIM_URL'], os.environ.get('ONTAP_CA_PATH'),
                                   os.environ['ONTAP_USERNAME'], os.environ['ONTAP_PASSWORD'])
        self._current = None
        self._started = 0.0

    def v2_playbook_on_task_start(self, task, is_conditional):
        name = task.get_name()
        self._current = None
        if not name.startswith('chaos '):
            return
        seed = name.split()[1]
        started = time.time()
        self._current = {'seed': int(seed), 'baseline': None, 'setup_error': None}
        try:
            self._current['baseline'] = driver.set_up(self._ctl, self._scenarios[seed], self._files)
        except Exception:  # pylint: disable=broad-except
            self._current['setup_error'] = traceback.format_exc()[-3000:]
        self._current['times'] = {'setup': round(time.time() - started, 3)}
        self._started = time.time()

    def _done(self, result, status):
        if self._current is None:
            return
        record = self._current
        self._current = None
        try:
            record['result'] = json.loads(self._dump_results(result._result, indent=None))
        except (TypeError, ValueError):
            record['result'] = {'_unserializable': repr(result._result)}
        record['status'] = status
        record['times']['task'] = round(time.time() - self._started, 3)
        secret = os.environ['ONTAP_PASSWORD']
        record['raw_has_secret'] = secret in json.dumps(result._result, default=str)
        try:
            record['truth'] = driver.capture(self._ctl)
        except Exception:  # pylint: disable=broad-except
            record['truth'] = None
            record['setup_error'] = (record['setup_error'] or '') + traceback.format_exc()[-3000:]
        with open(self._records, 'a') as handle:
            handle.write(json.dumps(record) + '\n')

    def v2_runner_on_ok(self, result):
        self._done(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._done(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._done(result, 'unreachable')
