#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: job
short_description: Wait for, pause, resume or cancel an existing ONTAP job
version_added: 0.1.0
description:
  - Acts on an ONTAP job (C(/api/cluster/jobs/{uuid})) that an earlier task, playbook or person started.
  - O(action=wait) resumes waiting on a job, for example after a task that used O(ontap.rest.request#module:wait_for_completion=false)
    or whose O(ontap.rest.request#module:job_timeout) ran out; the task's outcome is the job's terminal state.
    Waiting changes nothing, so the task is never C(changed), whatever the outcome (success, failure, timed out).
  - O(action=pause), O(action=resume) and O(action=cancel) send ONTAP's job actions, and the task is C(changed) only
    when ONTAP accepted one that changes the job's state. Not every job supports them; ONTAP's refusal is reported
    with its code (458783 pause not supported, 458784 cancel not supported).
  - O(uuid) must be a UUID; a malformed one is refused before anything is sent.
  - O(id) names a job by the integer id that ZAPI and the CLI show (C(Job 1369 started), C(job show -id)), for jobs
    started by ZAPI tools or from the CLI, and on clusters without the REST API. It is read over ZAPI
    (C(job-get-iter)) with netapp-lib, with the same poller, outcomes and messages as O(uuid); the ZAPI state is kept
    in C(zapi_state) in RV(job). Only O(action=wait) is offered with O(id).
  - On a system without the REST API (before ONTAP 9.6) O(uuid) fails at once, saying so and naming O(id) and
    M(ontap.rest.zapi) to use instead; the job is not reported as not found.
author:
  - ontap.rest contributors (@ontap-rest)
extends_documentation_fragment:
  - ontap.rest.connection
  - ontap.rest.async_job
  - ansible.builtin.action_common_attributes
  - ontap.rest.attributes
attributes:
  check_mode:
    support: full
    details:
      - The job is read and the task predicts what a real run would report (C(changed) or not), without sending the
        pause, resume or cancel; only ONTAP's refusal of a job that does not support the action cannot be foreseen.
      - A wait on a job that has ended reports its outcome as a real run would; a wait on a live job does not poll.
  diff_mode:
    support: none
options:
  uuid:
    description:
      - UUID of the job (read over REST, C(/api/cluster/jobs/{uuid})).
      - Exactly one of O(uuid) and O(id) is required.
    type: str
  id:
    description:
      - Integer id of the job, as ZAPI and the ONTAP CLI show it (read over ZAPI, C(job-get-iter); needs netapp-lib).
      - Exactly one of O(uuid) and O(id) is required. Only with O(action=wait).
      - ZAPI has no OAuth 2.0 tokens; with O(id) the task authenticates with O(username) and O(password) or the
        client certificate, and warns when O(token) is also set.
    type: int
  action:
    description:
      - V(wait) waits until the job is terminal (V(success) or V(failure)) or O(job_timeout) runs out.
      - V(pause), V(resume) and V(cancel) ask ONTAP to act on the job. Asking for what already holds or cannot
        apply (pausing a paused job, resuming a running or queued one, any action on a job that has ended) sends
        nothing, changes nothing and is not an error; the task's C(msg) says why. So is ONTAP's refusal when the
        job moved on between the read and the request (error 458762 already ended, 458776 not running).
    type: str
    choices: [wait, pause, resume, cancel]
    default: wait
requirements:
  - netapp-lib (Python library, on the host that runs the module), only with O(id)
notes:
  - ONTAP deletes a job about 300 seconds after it ends. A job that is no longer there is reported as not found,
    with that reason; check the resource it acted on instead. With O(action=wait) a job that reads as not found is
    read again a few times within O(job_timeout) first (Amazon FSx and rebooting nodes answer 404 for live jobs), so
    a live job is still waited for.
'''

EXAMPLES = r'''
- name: Start a volume clone split without waiting
  ontap.rest.request:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    method: PATCH
    path: storage/volumes/{{ clone_uuid }}
    body:
      clone:
        split_initiated: true
    wait_for_completion: false
  register: split

- name: Wait up to 4 hours for the split, polling at most every 60 seconds
  ontap.rest.job:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    uuid: "{{ split.job.uuid }}"
    job_timeout: 14400
    max_poll_interval: 60

- name: Wait for a job started from the CLI ("Job 1369 started"), over ZAPI
  ontap.rest.job:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    id: 1369
    job_timeout: 3600

- name: Cancel a job
  ontap.rest.job:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    uuid: "{{ split.job.uuid }}"
    action: cancel
'''

RETURN = r'''
msg:
  description: What happened, or why nothing was sent.
  returned: always
  type: str
  sample: Job b89bc5dd-94a3-11e8-a7a3-0050568edf84 is already paused. Nothing was sent.
job:
  description: The ONTAP job object as last read.
  returned: when the job could be read
  type: dict
  sample: {"uuid": "b89bc5dd-94a3-11e8-a7a3-0050568edf84", "state": "running", "message": "Splitting clone", "code": 0,
           "description": "PATCH /api/storage/volumes/a9b9c27e-94a3-11e8-a7a3-0050568edf84"}
job_wait:
  description: How the wait ended (O(action=wait) only).
  returned: when O(action=wait)
  type: dict
  contains:
    outcome:
      description: V(success), V(failure), V(timed_out) or V(unreadable).
      type: str
      sample: success
    elapsed:
      description: Seconds spent waiting.
      type: float
      sample: 42.5
    polls:
      description: Number of job GETs made.
      type: int
      sample: 6
'''

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError, OntapJobStateError
from ansible_collections.ontap.rest.plugins.module_utils.job_poller import JOB_FIELDS, TERMINAL, JobPoller
from ansible_collections.ontap.rest.plugins.module_utils.job_uuid import check_job_uuid
from ansible_collections.ontap.rest.plugins.module_utils.results import Result
from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule
from ansible_collections.ontap.rest.plugins.module_utils.zapi import connection_from_params
from ansible_collections.ontap.rest.plugins.module_utils.zapi_jobs import read_zapi_job, zapi_job_reader

#: ONTAP error codes of PATCH /cluster/jobs/{uuid}?action=... (ONTAP REST API reference, cluster/jobs).
ALREADY_TERMINAL = '458762'
NOT_RUNNING = '458776'

PURGED_HINT = ('ONTAP deletes a job about 300 seconds after it ends, so it may have finished long ago; '
               'check the resource it acted on.')

#: What each action makes of a job: the state it asks for.
WANTED = dict(pause='paused', resume='running', cancel='ended')


def main():
    ontap = OntapModule(dict(
        uuid=dict(type='str'),
        id=dict(type='int'),
        action=dict(type='str', choices=['wait', 'pause', 'resume', 'cancel'], default='wait'),
    ), mutually_exclusive=[('uuid', 'id')], required_one_of=[('uuid', 'id')])
    ontap.run(run)


def read_job(ontap, uuid):
    """The job as ONTAP reports it, or a failed :class:`Result` when it is not found.

    A 404 that is not ONTAP's (no ONTAP error code) is not taken for a deleted job: it is raised, and the runner
    says when the system has no REST API at all (F32), naming ``ontap.rest.zapi`` and this module's ``id:``."""
    try:
        return ontap.read('cluster/jobs/%s' % uuid, query={'fields': JOB_FIELDS}).body
    except OntapApiError as exc:
        if exc.is_not_found and exc.code is not None:
            return ontap.failure('Job %s was not found (HTTP %s, code %s: %s). %s'
                                 % (uuid, exc.status, exc.code, exc.message, PURGED_HINT), status_code=exc.status)
        raise


def unchanged(uuid, action, state):
    """Why ``action`` would not change a job in ``state`` (a sentence), or ``None`` when it would."""
    if state in TERMINAL:
        return 'Job %s already ended with state %s; there is nothing to %s.' % (uuid, state, action)
    if action == 'pause' and state == 'paused':
        return 'Job %s is already paused.' % uuid
    if action == 'resume' and state in ('running', 'queued'):
        return 'Job %s is not paused (state %s); there is nothing to resume.' % (uuid, state)
    return None


def wait(ontap, uuid, job, started, poller=None):
    """``action: wait``: never ``changed`` (waiting changes nothing), whatever the outcome. ``poller``: a ZAPI
    :class:`JobPoller` (``key='id'``) for a job named by ``id``; ``None`` waits over REST."""
    if ontap.check_mode and job.get('state') not in TERMINAL:
        return ontap.result(False, job=job, msg='Check mode: job %s is %s; not polled.' % (uuid, job.get('state')))
    try:
        # The job as just read counts as the first poll: a terminal job ends the wait without another GET.
        if poller is not None:
            result = poller.wait_for([job], started, budget=ontap.budget(started))
        else:
            result = ontap.wait_for_jobs([job], started_at=started)
    except OntapJobStateError as exc:
        return ontap.failure(str(exc), changed=False, job=exc.job)
    if result.ok:
        return ontap.result(False, msg=result.message, **result.as_result())
    return ontap.failure(result.message, changed=False, **result.as_result())


def wait_missing(ontap, uuid, started, first):
    """``action: wait`` on a job whose first read answered 404: polled like any job (a 404 is re-read a bounded
    number of times, :data:`job_poller.NOT_FOUND_LIMIT`), so a live job that ONTAP hid for a moment is waited for;
    one that stays not found fails saying both readings. ``first``: the message of the first read."""
    result = ontap.wait_for_jobs([{'uuid': uuid}], started_at=started)
    if result.ok:
        return ontap.result(False, msg=result.message, **result.as_result())
    if result.outcome == 'unreadable' and not (result.job or {}).get('state'):
        return ontap.failure('%s It was read %d more time(s) within job_timeout and was still not found; a cluster '
                             'that does not show its jobs to this account (a restricted role, Amazon FSx) answers '
                             'the same.' % (first, result.polls), changed=False, **result.as_result())
    return ontap.failure(result.message, changed=False, **result.as_result())


def run_by_id(ontap):
    """A job named by its integer id: read and waited for over ZAPI (``job-get-iter``), the shared poller."""
    job_id = ontap.params['id']
    if job_id <= 0:
        return ontap.failure('id must be a positive integer job id (as the CLI shows it), not %d. Nothing was sent.'
                             % job_id)
    if ontap.params['action'] != 'wait':
        return ontap.failure('action %s is not offered with id (ZAPI); use action wait, or uuid (REST) for %s. '
                             'Nothing was sent.' % (ontap.params['action'], ontap.params['action']))
    connection = connection_from_params(ontap.params, warn=ontap.warnings.append)
    connection.budget = ontap.budget()     # job_timeout bounds each call, as it bounds REST requests
    started = ontap.clock()
    try:
        job = read_zapi_job(connection.call, job_id)
    except OntapApiError as exc:
        if exc.is_not_found:
            return ontap.failure('Job %d was not found (%s). %s' % (job_id, str(exc).rstrip('.'), PURGED_HINT))
        raise
    poller = JobPoller(zapi_job_reader(connection), ontap.wait_options(wait_for_completion=True), clock=ontap.clock,
                       sleep=ontap.sleep, key='id')
    return wait(ontap, job_id, job, started, poller)


def run(ontap):
    if ontap.params['id'] is not None:
        return run_by_id(ontap)
    uuid = check_job_uuid(ontap.params['uuid'])
    action = ontap.params['action']
    started = ontap.clock()
    job = read_job(ontap, uuid)
    if isinstance(job, Result):
        if action == 'wait' and not ontap.check_mode and job.data.get('status_code') == 404:
            # Not there at this read: deleted after it ended (about 300 s later), or not shown right now (Amazon FSx,
            # a node rebooting, F01, F13). The poller's bounded re-reads inside job_timeout tell them apart.
            return wait_missing(ontap, uuid, started, job.msg)
        return job
    state = job.get('state')
    if action == 'wait':
        return wait(ontap, uuid, job, started)
    reason = unchanged(uuid, action, state)
    if reason:
        return ontap.result(False, job=job, msg=reason + ' Nothing was sent.')
    if ontap.check_mode:
        ontap.would_send.append(dict(method='PATCH', path='cluster/jobs/%s' % uuid, query={'action': action}, body=None))
        return ontap.result(True, job=job, msg='Check mode: %s was not sent to job %s (state %s).' % (action, uuid, state))
    try:
        ontap.client.request('PATCH', 'cluster/jobs/%s' % uuid, query={'action': action})
    except OntapApiError as exc:
        if exc.code in (ALREADY_TERMINAL, NOT_RUNNING):
            # The job moved on between the read and the PATCH (it ended, or someone else paused or resumed it).
            now = read_job(ontap, uuid)
            if isinstance(now, Result):
                return now
            reason = unchanged(uuid, action, now.get('state'))
            if reason:
                return ontap.result(False, job=now, msg='ONTAP refused the %s (error %s: %s): %s Nothing changed.'
                                    % (action, exc.code, exc.message.rstrip('. '), reason))
        raise
    now = read_job(ontap, uuid)
    if isinstance(now, Result):
        return now
    return ontap.result(True, job=now, msg='Job %s: %s accepted by ONTAP (state before: %s, now: %s).'
                        % (uuid, action, state, now.get('state')))


if __name__ == '__main__':
    main()
