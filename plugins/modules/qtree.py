#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: qtree
short_description: Create, change, rename or delete an ONTAP qtree
version_added: 0.2.0
description:
  - Makes a qtree, found by O(name) in volume O(volume) of O(svm), present with the given attributes, or absent
    (C(/api/storage/qtrees); one qtree is C(/api/storage/qtrees/{volume.uuid}/{id})).
  - Creates, changes and deletes are ONTAP jobs, waited for with the shared job poller. A create whose job ends within
    O(return_timeout) returns the qtree as ONTAP's answer gives it (C(return_records=true)); otherwise, and after a
    change, the qtree is read back after the job succeeds (a new qtree can take a moment to become visible). A
    delete that succeeded is not read again.
  - Idempotent; only attributes the task sets are compared; a second identical run sends no write.
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
    details: The qtree is read; no POST, PATCH or DELETE is sent and no job is started.
  diff_mode:
    support: full
    details: Only what changes; for a delete, the qtree as it was (after is empty).
options:
  svm:
    description: Name of the SVM that owns the volume.
    type: str
    required: true
    aliases: [vserver]
  volume:
    description: Name of the volume that holds the qtree.
    type: str
    required: true
    aliases: [flexvol_name]
  name:
    description: Qtree name, unique in its volume.
    type: str
    required: true
  from_name:
    description:
      - Rename an existing qtree called O(from_name) to O(name).
      - Used only when no qtree O(name) exists in the volume; the task fails when neither exists.
    type: str
  state:
    description: Whether the qtree should exist.
    type: str
    choices: [present, absent]
    default: present
  security_style:
    description: Security style of the qtree.
    type: str
    choices: [unix, ntfs, mixed]
  unix_permissions:
    description:
      - UNIX permissions as octal digits (V(755), V(0750)); ONTAP reports them as the number with those digits (C(750)).
    type: str
  export_policy:
    description: Name of the NFS export policy of the qtree.
    type: str
'''

EXAMPLES = r'''
- name: A qtree for a project
  ontap.rest.qtree:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    svm: svm1
    volume: vol1
    name: project1
    security_style: unix
    unix_permissions: "750"
    export_policy: default

- name: Rename it
  ontap.rest.qtree:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    svm: svm1
    volume: vol1
    name: project1_archive
    from_name: project1

- name: Delete it without waiting for the job
  ontap.rest.qtree:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    svm: svm1
    volume: vol1
    name: project1_archive
    state: absent
    wait_for_completion: false
'''

RETURN = r'''
qtree:
  description: The qtree as ONTAP has it after the change (its answer to the create, or read back), or as
    found when nothing changed; null when absent.
  returned: always
  type: dict
  sample: {"id": 1, "name": "project1", "volume": {"name": "vol1", "uuid": "028baa66-41bd-11e9-81d5-00a0986138f7"},
           "security_style": "unix", "unix_permissions": 750}
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
  description: The attributes that change, before and after (a delete shows the qtree before, and an empty after).
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

import re

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapOptionError
from ansible_collections.ontap.rest.plugins.module_utils.resource import Field, ResourceSpec, run_resource
from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule


def parse_mode(value):
    """``'755'`` / ``'0750'`` -> the integer ONTAP uses for UNIX permissions: the octal digits as written (``755``,
    ``750``; ONTAP reports rwxr-xr-x as ``755``).

    :raises ValueError: naming the option.
    """
    text = str(value).strip()
    if not re.match(r'^[0-7]{3,4}$', text):
        raise ValueError('unix_permissions: %r is not an octal mode such as 755 or 0750.' % (value,))
    return int(text, 10)


def _item_path(resource, record):
    return 'storage/qtrees/%s/%s' % (record['volume']['uuid'], record['id'])


SPEC = ResourceSpec(
    name='qtree',
    collection='storage/qtrees',
    keys={'name': 'name', 'volume': 'volume.name', 'svm': 'svm.name'},
    fields=[
        Field('security_style', 'security_style', choices=['unix', 'ntfs', 'mixed']),
        Field('unix_permissions', 'unix_permissions'),
        Field('export_policy', 'export_policy.name'),
    ],
    create_body=lambda params: {'name': params['name'], 'svm': {'name': params['svm']},
                                'volume': {'name': params['volume']}},
    item_path=_item_path,
    id_fields=['id', 'volume.uuid'],
    rename='name',
    context=['svm', 'volume'],
    aliases={'svm': ['vserver'], 'volume': ['flexvol_name']},
)


def main():
    ontap = OntapModule(SPEC.argument_spec())
    ontap.run(run)


def run(ontap):
    params = ontap.params
    if params['unix_permissions'] is not None:
        try:
            params['unix_permissions'] = parse_mode(params['unix_permissions'])
        except ValueError as exc:
            raise OntapOptionError('unix_permissions', str(exc))
    return run_resource(ontap, SPEC)


if __name__ == '__main__':
    main()
