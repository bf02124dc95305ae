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
  - O(action=pause), O(action=resume) and O(action=cancel) send ONTAP's job actions. Not every job supports them;
    ONTAP's refusal is reported with its code.
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
    details: The job is read; a pause, resume or cancel is not sent. A wait does not poll.
  diff_mode:
    support: none
options:
  uuid:
    description: UUID of the job.
    type: str
    required: true
  action:
    description:
      - V(wait) waits until the job is terminal (V(success) or V(failure)) or O(job_timeout) runs out.
      - V(pause), V(resume) and V(cancel) ask ONTAP to act on the job. Asking for what already holds (pausing a
        paused job, resuming a running one, cancelling a finished one) changes nothing and is not an error.
    type: str
    choices: [wait, pause, resume, cancel]
    default: wait
notes:
  - ONTAP deletes a job about 300 seconds after it ends. A job that is no longer there is reported as not found,
    with that reason; check the resource it acted on instead.
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

- name: Cancel a job
  ontap.rest.job:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    uuid: "{{ split.job.uuid }}"
    action: cancel
'''

RETURN = r'''
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

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError
from ansible_collections.ontap.rest.plugins.module_utils.job_poller import JOB_FIELDS, TERMINAL
from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule

#: ONTAP error codes of PATCH /cluster/jobs/{uuid}?action=... (ONTAP REST API reference, cluster/jobs).
ALREADY_TERMINAL = '458762'

PURGED_HINT = ('ONTAP deletes a job about 300 seconds after it ends, so it may have finished long ago; '
               'check the resource it acted on.')


def main():
    ontap = OntapModule(dict(
        uuid=dict(type='str', required=True),
        action=dict(type='str', choices=['wait', 'pause', 'resume', 'cancel'], default='wait'),
    ))
    ontap.run(run)


def read_job(ontap, uuid):
    try:
        return ontap.read('cluster/jobs/%s' % uuid, query={'fields': JOB_FIELDS}).body
    except OntapApiError as exc:
        if exc.is_not_found:
            ontap.fail('Job %s was not found (HTTP %s, code %s: %s). %s'
                       % (uuid, exc.status, exc.code, exc.message, PURGED_HINT), status_code=exc.status)
        raise


def run(ontap):
    uuid = ontap.params['uuid']
    action = ontap.params['action']
    started = ontap.clock()
    job = read_job(ontap, uuid)
    state = job.get('state')
    if action == 'wait':
        if ontap.check_mode:
            ontap.exit(False, job=job, msg='Check mode: job %s is %s; not polled.' % (uuid, state))
        # The job as just read counts as the first poll: a terminal job ends the wait without another GET.
        ontap.exit_job(ontap.wait_for_jobs([job], started_at=started), changed=False)
    if action == 'cancel' and state in TERMINAL:
        ontap.exit(False, job=job, msg='Job %s already ended with state %s; nothing to cancel.' % (uuid, state))
    if (action, state) in (('pause', 'paused'), ('resume', 'running'), ('resume', 'queued')):
        ontap.exit(False, job=job, msg='Job %s is already %s.' % (uuid, state))
    if ontap.check_mode:
        ontap.would_send.append(dict(method='PATCH', path='cluster/jobs/%s' % uuid, query={'action': action}, body=None))
        ontap.exit(True, job=job, msg='Check mode: %s was not sent to job %s (state %s).' % (action, uuid, state))
    try:
        ontap.client.request('PATCH', 'cluster/jobs/%s' % uuid, query={'action': action})
    except OntapApiError as exc:
        if exc.code == ALREADY_TERMINAL:
            ontap.exit(False, job=read_job(ontap, uuid),
                       msg='Job %s ended before it could be %sed: %s' % (uuid, action.rstrip('e'), exc.message))
        raise
    ontap.exit(True, job=read_job(ontap, uuid))


if __name__ == '__main__':
    main()
