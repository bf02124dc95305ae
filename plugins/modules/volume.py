#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: volume
short_description: Create, resize, change or delete an ONTAP FlexVol volume
version_added: 0.1.0
description:
  - Makes a volume, found by O(name) in O(svm), present with the given attributes, or absent
    (C(/api/storage/volumes)).
  - Creates, changes and deletes are ONTAP jobs, waited for with the shared job poller; the task's outcome is the
    job's terminal state, and the volume is read back after the job succeeds.
  - Idempotent: only attributes that differ from the cluster are sent; a second identical run sends no write.
author:
  - ontap.rest contributors
extends_documentation_fragment:
  - ontap.rest.connection
  - ontap.rest.async_job
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: The volume is read; no POST, PATCH or DELETE is sent and no job is started.
  diff_mode:
    support: full
  platform:
    platforms: posix
  action_group:
    support: full
    membership:
      - ontap.rest.ontap
options:
  name:
    description: Volume name, unique in its SVM.
    type: str
    required: true
  svm:
    description: Name of the SVM that owns the volume.
    type: str
    required: true
  state:
    description: Whether the volume should exist.
    type: str
    choices: [present, absent]
    default: present
  size:
    description:
      - Size of the volume, as bytes (V(10737418240)) or with a binary unit (V(10GiB), V(500MiB), V(2TiB); V(10GB) is taken as V(10GiB)).
      - Required to create a volume. A different size on an existing volume resizes it.
    type: str
  aggregates:
    description:
      - Aggregates to create the volume on. Only used at creation; a volume is moved with ONTAP's volume move, not here.
    type: list
    elements: str
  junction_path:
    description: Junction path where the volume is mounted in the SVM namespace, for example V(/vol1).
    type: str
  comment:
    description: Free-text comment.
    type: str
'''

EXAMPLES = r'''
- name: A 10 GiB volume mounted at /vol1
  ontap.rest.volume:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    name: vol1
    svm: svm1
    size: 10GiB
    aggregates: [aggr1]
    junction_path: /vol1

- name: Grow it, waiting up to 15 minutes
  ontap.rest.volume:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    name: vol1
    svm: svm1
    size: 20GiB
    job_timeout: 900

- name: Delete it
  ontap.rest.volume:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    name: vol1
    svm: svm1
    state: absent
'''

RETURN = r'''
volume:
  description: The volume as read back from ONTAP after the change (or as found, when nothing changed); null when absent.
  returned: always
  type: dict
  sample: {"uuid": "028baa66-41bd-11e9-81d5-00a0986138f7", "name": "vol1", "svm": {"name": "svm1"}, "size": 10737418240}
job:
  description: The ONTAP job object of the write, as last read.
  returned: when a write was sent
  type: dict
job_wait:
  description: How the wait for the job ended (C(outcome), C(elapsed) seconds, C(polls)).
  returned: when a write was sent
  type: dict
diff:
  description: The compared attributes before and after.
  returned: when something changed or would change
  type: dict
'''

import re

from ansible_collections.ontap.rest.plugins.module_utils.resource import Field, ResourceSpec, run_resource
from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule

_UNITS = {'': 1, 'b': 1, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3, 't': 1024 ** 4, 'p': 1024 ** 5}


def parse_size(value):
    """``'10GiB'``, ``'10g'``, ``'10737418240'`` -> bytes (int). :raises ValueError: naming the bad value."""
    match = re.match(r'^\s*(\d+)\s*([kmgtp]?)(?:i?b)?\s*$', str(value), re.IGNORECASE)
    if not match:
        raise ValueError("size: %r is not a size; use bytes (10737418240) or a unit such as 10GiB, 500MiB, 2TiB" % (value,))
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def _names(items):
    return sorted(item.get('name') for item in items or [] if isinstance(item, dict))


SPEC = ResourceSpec(
    name='volume',
    collection='storage/volumes',
    keys={'name': 'name', 'svm': 'svm.name'},
    fields=[
        Field('size', 'size'),
        Field('aggregates', 'aggregates', to_api=lambda names: [{'name': name} for name in names], from_api=_names,
              create_only=True, read_path='aggregates.name'),
        Field('junction_path', 'nas.path'),
        Field('comment', 'comment'),
    ],
    create_body=lambda params: {'name': params['name'], 'svm': {'name': params['svm']}},
)


def main():
    ontap = OntapModule(dict(
        name=dict(type='str', required=True),
        svm=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        size=dict(type='str'),
        aggregates=dict(type='list', elements='str'),
        junction_path=dict(type='str'),
        comment=dict(type='str'),
    ))
    ontap.run(run)


def run(ontap):
    params = ontap.params
    if params['size'] is not None:
        try:
            params['size'] = parse_size(params['size'])
        except ValueError as exc:
            ontap.fail(str(exc))
    if params['aggregates'] is not None:
        params['aggregates'] = sorted(params['aggregates'])
    run_resource(ontap, SPEC)


if __name__ == '__main__':
    main()
