#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: svm
short_description: Create, change or delete an ONTAP SVM (storage virtual machine)
version_added: 0.2.0
description:
  - Makes an SVM, found by O(name), present with the given attributes, or absent (C(/api/svm/svms)).
  - Creates, changes and deletes are ONTAP jobs, waited for with the shared job poller. A create whose job ends within
    O(return_timeout) returns the SVM as ONTAP's answer gives it (C(return_records=true)); otherwise, and after a
    change, the SVM is read back after the job succeeds. A delete that succeeded is not read again.
  - Idempotent; only attributes the task sets are compared (O(aggregates) in any order); a second identical run sends
    no write.
  - ONTAP refuses to delete an SVM that still holds volumes other than its root volume (code 8). The module reads the
    SVM's volumes first and refuses such a delete itself, naming the volumes, before anything is sent; check mode
    reports the same failure instead of a delete the real run could not make. When the account may not list volumes,
    the delete is sent and ONTAP's refusal is reported as it comes.
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
    details: The SVM is read; no POST, PATCH or DELETE is sent and no job is started.
  diff_mode:
    support: full
    details: Only what changes; for a delete, the SVM as it was (after is empty).
options:
  name:
    description: SVM name, unique in the cluster.
    type: str
    required: true
  state:
    description: Whether the SVM should exist.
    type: str
    choices: [present, absent]
    default: present
  comment:
    description: Free-text comment.
    type: str
  language:
    description:
      - Default language encoding of the SVM's volumes, as ONTAP names it (V(c.utf_8), V(en_us)).
      - Compared without regard to case.
    type: str
  ipspace:
    description:
      - IPspace the SVM is created in. Only used at creation (ONTAP cannot move an SVM to another IPspace).
      - When the SVM exists in another IPspace, the task warns, naming both, and changes nothing.
    type: str
  aggregates:
    description: Aggregates on which the SVM's administrator may create volumes (compared in any order).
    type: list
    elements: str
    aliases: [aggr_list]
  svm_state:
    description: Operational state of the SVM (ONTAP field C(state)). O(state) says whether the SVM exists.
    type: str
    choices: [running, stopped]
'''

EXAMPLES = r'''
- name: An SVM that may use two aggregates
  ontap.rest.svm:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    name: svm2
    comment: project data
    language: c.utf_8
    aggregates: [aggr1, aggr2]

- name: Stop it
  ontap.rest.svm:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    name: svm2
    svm_state: stopped

- name: Delete it
  ontap.rest.svm:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    name: svm2
    state: absent
'''

RETURN = r'''
svm:
  description: The SVM as ONTAP has it after the change (its answer to the create, or read back), or as
    found when nothing changed; null when absent.
  returned: always
  type: dict
  sample: {"uuid": "02c9e252-41be-11e9-81d5-00a0986138f7", "name": "svm2", "state": "running", "language": "c.utf_8"}
job:
  description:
    - The ONTAP job of the last write, as ONTAP gave it. C(uuid) and C(state) always; C(message), C(code) (and
      C(error) on failure) when the job was read, that is after a 202, and once for a job that failed within
      O(return_timeout). A job that succeeded within O(return_timeout) (HTTP 200/201) is not read again, so it has no
      C(message). See the job contract in the collection's docs/long_running_jobs.md.
  returned: when a write was sent
  type: dict
  sample: {"uuid": "b89bc5dd-94a3-11e8-a7a3-0050568edf84", "state": "success", "message": "success", "code": 0}
job_wait:
  description:
    - How the wait for the job ended, C(outcome) (V(success), V(failure), V(timed_out), V(unreadable),
      V(not_waited)), C(elapsed) seconds from sending the write, C(polls) job reads.
  returned: when a write was sent
  type: dict
  sample: {"outcome": "success", "elapsed": 0.412, "polls": 0}
jobs:
  description: Every job of the task's writes, as last read, in step order (an unmount's job, then the delete's).
  returned: when the task's writes started more than one job
  type: list
  elements: dict
diff:
  description: The attributes that change, before and after (a delete shows the SVM before, and an empty after).
  returned: in diff mode, when something changed or would change
  type: dict
actions:
  description:
    - The writes the task sent (or, in check mode, would send), in order, each with C(action) (V(create), V(modify),
      V(rename), V(delete), V(unmount), V(restore)), C(method) and C(path).
  returned: when something changed or would change
  type: list
  elements: dict
  sample: [{"action": "unmount", "method": "PATCH", "path": "storage/volumes/028baa66-41bd-11e9-81d5-00a0986138f7"},
           {"action": "delete", "method": "DELETE", "path": "storage/volumes/028baa66-41bd-11e9-81d5-00a0986138f7"}]
attached:
  description:
    - V(true) when the task joined an operation already in flight instead of starting it again; C(job), C(job_wait)
      and C(wait) then describe that operation.
  returned: when the task attached to an operation in flight
  type: bool
would_send:
  description: In check mode, the writes that would have been sent (C(method), C(path), C(query), C(body)).
  returned: in check mode, when something would change
  type: list
  elements: dict
'''

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError, OntapError
from ansible_collections.ontap.rest.plugins.module_utils.resource import Field, ResourceSpec, run_resource
from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule


def _names(items):
    return sorted(item.get('name') for item in items or [] if isinstance(item, dict))


def _lower(value):
    return value.lower() if isinstance(value, str) else value


#: Volumes named in the refusal of a delete (the rest are counted).
SHOWN_VOLUMES = 10


def _holds_no_volumes(resource, record):
    """Refuse the delete of an SVM that still holds volumes besides its root volume, as ONTAP would (DELETE
    /svm/svms/{uuid}: 409, code 8), before anything is sent and in check mode too.

    :raises errors.OntapError: naming the volumes (at most :data:`SHOWN_VOLUMES`, then a count).
    """
    try:
        query = {'svm.uuid': record['uuid'], 'fields': 'name,svm.uuid,is_svm_root'}
        volumes = resource.ontap.read_records('storage/volumes', query=query)
    except OntapApiError as exc:
        if exc.status in (401, 403):
            return          # this account may not list volumes: ONTAP's own refusal will say it
        raise
    names = sorted(vol.get('name') for vol in volumes
                   if (vol.get('svm') or {}).get('uuid') == record['uuid'] and vol.get('is_svm_root') is False)
    if names:
        more = len(names) - SHOWN_VOLUMES
        shown = ', '.join(names[:SHOWN_VOLUMES]) + (' and %d more' % more if more > 0 else '')
        raise OntapError('Cannot delete SVM %s: it still holds %d volume(s) besides its root volume (%s), and ONTAP '
                         'refuses to delete an SVM that holds volumes (code 8). Delete or move them first; nothing '
                         'was sent.' % (record.get('name'), len(names), shown))


SPEC = ResourceSpec(
    name='svm',
    collection='svm/svms',
    keys={'name': 'name'},
    fields=[
        Field('comment', 'comment'),
        Field('language', 'language', from_api=_lower),
        Field('ipspace', 'ipspace.name', create_only=True,
              create_only_hint='An SVM cannot change IPspace: create a new SVM in that IPspace (and migrate its data).'),
        Field('aggregates', 'aggregates', to_api=lambda names: [{'name': name} for name in names], from_api=_names,
              read_path='aggregates.name', type='list', elements='str', aliases=['aggr_list']),
        Field('svm_state', 'state', choices=['running', 'stopped']),
    ],
    create_body=lambda params: {'name': params['name']},
    delete_checks=[_holds_no_volumes],
)


def main():
    ontap = OntapModule(SPEC.argument_spec())
    ontap.run(run)


def run(ontap):
    if ontap.params['language'] is not None:
        ontap.params['language'] = ontap.params['language'].lower()
    return run_resource(ontap, SPEC)


if __name__ == '__main__':
    main()
