# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario set-up and ground-truth capture, through the simulator's control API (``/_sim``) only.

Used by the ``chaos_driver`` callback inside ``ansible-playbook``: before each ``chaos <seed>`` task it calls
:func:`set_up` (reset, starting state, job rules, faults, users, configuration), after it :func:`capture` (the object
store, every job, the request log and the fault rules with their hits). The starting state is made through the
ONTAP API with the admin account (that is set-up, not the code under test); the request log is emptied afterwards, so
the log a checker reads holds the task's requests only.
"""

from __future__ import absolute_import, division, print_function

import base64
import datetime
import json
import ssl
import time
import urllib.error
import urllib.request

__metaclass__ = type


class Control(object):
    """A tiny client of the simulator: ``/_sim`` (no auth) and ``/api`` (basic auth, for set-up only)."""

    def __init__(self, url, ca_path=None, username='admin', password=''):
        self.url = url.rstrip('/')
        self.ssl = ssl.create_default_context(cafile=ca_path) if ca_path else None
        self.auth = 'Basic ' + base64.b64encode(('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')

    def _call(self, method, path, body=None, auth=False, ok=(200, 201, 202)):
        data = None if body is None else json.dumps(body).encode('utf-8')
        headers = {'Content-Type': 'application/json'}
        if auth:
            headers['Authorization'] = self.auth
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60, context=self.ssl) as resp:
                status, text = resp.status, resp.read().decode('utf-8')
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode('utf-8', 'replace')
        if status not in ok:
            raise RuntimeError('%s %s -> %s: %s' % (method, path, status, text[:500]))
        return json.loads(text) if text.strip() else None

    def sim(self, method, path, body=None):
        """A control call: ``sim('POST', 'faults', {...})``."""
        return self._call(method, '/_sim/' + path.lstrip('/'), body)

    def api(self, method, path, body=None, ok=(200, 201, 202)):
        """A set-up call to the ONTAP API as the admin."""
        return self._call(method, '/api/' + path.lstrip('/'), body, auth=True, ok=ok)

    def records(self, path):
        """Records of a collection GET (set-up lookups)."""
        sep = '&' if '?' in path else '?'
        return self.api('GET', path + sep + 'fields=*')['records']


DEFAULT_CONFIG = {'job_seconds': 2.0, 'job_retention': 300.0, 'connection_limit': None}


def _wait_idle(ctl, timeout=20.0):
    """Wait until no unheld job is queued/running/paused (set-up jobs end before the task starts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = ctl.sim('GET', 'jobs')['jobs']
        if all(j['state'] in ('success', 'failure') or j.get('held') for j in jobs):
            return
        time.sleep(0.02)
    raise RuntimeError('set-up jobs did not finish')


def _quiet(ctl, timeout=60.0):
    """Wait until no API request is in flight: a request held back by a ``slow`` fault is logged only when its
    answer goes out, which may be after the task ended. Its log entry belongs to the task that sent it, so the
    capture waits for it, and the next set-up never sees it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ctl.sim('GET', 'stats')['inflight'] == 0:
            return
        time.sleep(0.02)
    raise RuntimeError('API requests still in flight after %.0f s' % timeout)


def _volume_uuid(ctl, name):
    recs = ctl.records('storage/volumes?name=%s&svm.name=svm1' % name)
    return recs[0]['uuid'] if recs else None


def _create(ctl, kind, obj, return_timeout=120):
    """Create one object through the API (set-up); ``obj`` is the scenario's description of it."""
    if kind == 'volume':
        body = {'name': obj['name'], 'svm': {'name': 'svm1'}, 'aggregates': [{'name': 'aggr1'}], 'size': obj['size']}
        if obj.get('comment') is not None:
            body['comment'] = obj['comment']
        if obj.get('junction_path'):
            body['nas'] = {'path': obj['junction_path']}
        ctl.api('POST', 'storage/volumes?return_timeout=%d' % return_timeout, body)
    elif kind == 'snapshot':
        uuid = _volume_uuid(ctl, obj['volume'])
        body = {'name': obj['name']}
        if obj.get('comment') is not None:
            body['comment'] = obj['comment']
        ctl.api('POST', 'storage/volumes/%s/snapshots?return_timeout=%d' % (uuid, return_timeout), body)
    elif kind == 'svm':
        body = {'name': obj['name']}
        if obj.get('comment') is not None:
            body['comment'] = obj['comment']
        ctl.api('POST', 'svm/svms?return_timeout=%d' % return_timeout, body)
    elif kind == 'qtree':
        body = {'name': obj['name'], 'svm': {'name': 'svm1'}, 'volume': {'name': obj['volume']}}
        if obj.get('security_style'):
            body['security_style'] = obj['security_style']
        ctl.api('POST', 'storage/qtrees?return_timeout=%d' % return_timeout, body)
    else:
        raise ValueError(kind)


def set_up(ctl, scenario, files_dir):
    """Bring the simulator into the scenario's starting state, then arm its job rules and faults.

    Writes ``<files_dir>/<seed>.uuid`` when the scenario needs a uuid at task time (a job to resume, a volume to
    PATCH). Returns the baseline: ``{"state": <object store>, "extra": {...}}``.
    """
    _quiet(ctl)
    ctl.sim('POST', 'reset')
    ctl.sim('PATCH', 'config', DEFAULT_CONFIG)
    ctl.sim('POST', 'jobs', {'method': '*', 'path': '*', 'seconds': 0.2})
    for parent in scenario.get('parents', []):
        _create(ctl, parent['kind'], parent)
    _wait_idle(ctl)
    start = scenario['start']
    extra = {}
    target = scenario['target']
    if start['kind'] in ('present_same', 'present_different'):
        _create(ctl, target['kind'], start['object'])
    _wait_idle(ctl)
    if start['kind'] == 'in_flight':
        # Another job is creating the object: held, or running for a while, when the task starts.
        rule = {'method': 'POST', 'path': scenario['collection_path'], 'count': 1}
        if start.get('hold'):
            rule['hold'] = True
        else:
            rule['seconds'] = start['seconds']
        ctl.sim('POST', 'jobs', rule)
        _create(ctl, target['kind'], start['object'], return_timeout=0)
        jobs = ctl.sim('GET', 'jobs')['jobs']
        extra['other_jobs'] = [j['uuid'] for j in jobs if j['state'] not in ('success', 'failure')]
    if scenario['module'] == 'job':
        # The job to resume: started by the set-up (held or running for a while), its uuid read at task time.
        job = scenario['job']
        rule = {'method': job['method'], 'path': job['path_glob'], 'count': 1, 'seconds': job['seconds'],
                'outcome': job['outcome']}
        if job.get('hold'):
            rule['hold'] = True
        ctl.sim('POST', 'jobs', rule)
        uuid = _volume_uuid(ctl, job['volume'])
        answer = ctl.api(job['method'], 'storage/volumes/%s?return_timeout=0' % uuid,
                         {'comment': job['comment']} if job['method'] == 'PATCH' else None)
        extra['resumed_job'] = answer['job']['uuid']
        with open('%s/%s.uuid' % (files_dir, scenario['seed']), 'w') as handle:
            handle.write(answer['job']['uuid'])
    if scenario.get('needs_volume_uuid'):
        uuid = _volume_uuid(ctl, scenario['needs_volume_uuid'])
        extra['volume_uuid'] = uuid
        with open('%s/%s.uuid' % (files_dir, scenario['seed']), 'w') as handle:
            handle.write(uuid or 'missing')
    ctl.sim('DELETE', 'jobs')
    for rule in scenario.get('job_rules', []):
        ctl.sim('POST', 'jobs', rule)
    for user in scenario.get('users', []):
        ctl.sim('POST', 'users', user)
    if scenario.get('config'):
        ctl.sim('PATCH', 'config', scenario['config'])
    for rule in scenario.get('process_rules', []):
        ctl.sim('POST', 'processes', rule)
    if scenario['module'] == 'wait_for':
        _start_move(ctl, scenario, extra, files_dir)
    baseline = {'state': ctl.sim('GET', 'state'), 'jobs': ctl.sim('GET', 'jobs')['jobs'], 'extra': extra}
    ctl.sim('DELETE', 'log')
    baseline['log_cleared_at'] = time.time()
    for fault in scenario.get('faults', []):
        ctl.sim('POST', 'faults', fault)
    return baseline


def _start_move(ctl, scenario, extra, files_dir):
    """The second family: start the move ``ontap.rest.wait_for`` waits for (as the admin, its process faults armed
    first), and write ``<seed>.after``: a second before the move's start on the cluster's clock (the task's
    ``fresh.after``, as from a controller clock in step with the cluster's)."""
    for fault in scenario.get('process_faults', []):
        ctl.sim('POST', 'faults', fault)
    uuid = extra['volume_uuid']
    # ONTAP's job accepts the move and ends; the move process starts then (job mode "accept")
    ctl.api('PATCH', 'storage/volumes/%s?return_timeout=30' % uuid,
            {'movement': {'destination_aggregate': {'name': scenario['target']['move_to']}}}, ok=(200,))
    moves = [p for p in ctl.sim('GET', 'processes')['processes'] if p['target'] == 'volume/' + uuid]
    move = moves[-1]
    extra['move'] = move['uuid']
    start = datetime.datetime.fromisoformat(move['start_time'])
    extra['move_after'] = (start - datetime.timedelta(seconds=1)).isoformat()
    with open('%s/%s.after' % (files_dir, scenario['seed']), 'w') as handle:
        handle.write(extra['move_after'])


def capture(ctl):
    """The ground truth right after the task: object store, jobs, request log, fault rules, processes (once every
    request the task sent has been answered and logged)."""
    _quiet(ctl)
    faults = ctl.sim('GET', 'faults')['faults']
    ctl.sim('DELETE', 'faults')       # a reboot window or busy rule must not hide the truth reads below
    return {
        'state': ctl.sim('GET', 'state'),
        'jobs': ctl.sim('GET', 'jobs')['jobs'],
        'log': ctl.sim('GET', 'log')['records'],
        'faults': faults,
        'processes': ctl.sim('GET', 'processes')['processes'],
    }
