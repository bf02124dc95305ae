# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper callback: one JSON line per host and task with start/end times.

Enabled only by the benchmark harness (ANSIBLE_CALLBACKS_ENABLED=bench_timing, ANSIBLE_CALLBACK_PLUGINS=this dir);
writes to the file named by BENCH_TIMING_FILE. Times are ``time.monotonic()`` seconds (system-wide on Linux, so the
harness can compare them with its own clock) and ``time.time()``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: bench_timing
type: aggregate
short_description: Per-host task timings for the ontap.rest benchmarks
description:
  - Writes one JSON line per host and task (start, end, status, a few result keys) to E(BENCH_TIMING_FILE).
requirements:
  - enable in configuration
'''

import json
import os
import threading
import time

from ansible.plugins.callback import CallbackBase

KEEP = ('changed', 'msg', 'job_wait', 'status_code', 'actions')


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timing'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get('BENCH_TIMING_FILE')
        self._starts = {}
        self._lock = threading.Lock()

    def _key(self, host, task):
        return (host.get_name(), task._uuid)

    def v2_runner_on_start(self, host, task):
        self._starts[self._key(host, task)] = (time.monotonic(), time.time())

    def _done(self, result, status):
        end = time.monotonic()
        key = self._key(result._host, result._task)
        start, start_wall = self._starts.pop(key, (None, None))
        res = result._result if isinstance(result._result, dict) else {}
        line = dict(host=key[0], task=result._task.get_name(), status=status, start=start, end=end,
                    start_wall=start_wall, end_wall=time.time())
        for name in KEEP:
            if name in res:
                line[name] = res[name]
        if self._path:
            with self._lock:
                with open(self._path, 'a') as handle:
                    handle.write(json.dumps(line, default=str) + '\n')

    def v2_runner_on_ok(self, result):
        self._done(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, 'failed')

    def v2_runner_on_unreachable(self, result):
        self._done(result, 'unreachable')
