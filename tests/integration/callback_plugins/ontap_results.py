# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Notification callback for the integration harness (tests/integration/conftest.py).

Writes one JSON document to the file named by ``ONTAP_REST_RESULTS_FILE``:
``{"tasks": [{"play", "task", "host", "action", "status", "ignored", "result"}, ...], "stats": {host: {...}}}``,
where ``status`` is one of ok, changed, failed, skipped, unreachable, ``ignored`` is true for a failure under
``ignore_errors`` and ``result`` is the task's result as the stdout callback would show it. The stdout callback stays the default one, for humans.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: ontap_results
type: notification
short_description: Write task results as JSON for the ontap.rest integration harness
description:
  - Writes every task result and the final stats to the file named by E(ONTAP_REST_RESULTS_FILE).
requirements:
  - enabled via E(ANSIBLE_CALLBACKS_ENABLED)
'''

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Collect task results; write them as JSON when the playbook ends."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'notification'
    CALLBACK_NAME = 'ontap_results'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get('ONTAP_REST_RESULTS_FILE')
        self._play = None
        self._tasks = []

    def v2_playbook_on_play_start(self, play):
        self._play = play.get_name()

    def _add(self, result, status, ignored=False):
        task = result._task
        try:
            data = json.loads(self._dump_results(result._result, indent=None))
        except (TypeError, ValueError):
            data = {'_unserializable': repr(result._result)}
        if status == 'ok' and data.get('changed'):
            status = 'changed'
        self._tasks.append({
            'play': self._play,
            'task': task.get_name(),
            'host': result._host.get_name(),
            'action': task.action,
            'status': status,
            'ignored': ignored,
            'result': data,
        })

    def v2_runner_on_ok(self, result):
        self._add(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._add(result, 'failed', ignored=bool(ignore_errors))

    def v2_runner_on_skipped(self, result):
        self._add(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._add(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        if not self._path:
            return
        summary = dict((host, stats.summarize(host)) for host in sorted(stats.processed))
        with open(self._path, 'w') as handle:
            json.dump({'tasks': self._tasks, 'stats': summary}, handle, indent=1, sort_keys=True)
