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
  - Idempotent; only attributes the task sets are compared (ONTAP's defaults for the others are ignored, lists are
    compared in any order), only those that differ are sent, and a second identical run sends no write.
  - A write ONTAP refuses as busy (HTTP 429/503, SVM temporarily locked, too many jobs) is resent with backoff within
    O(job_timeout); a write whose answer is ambiguous (HTTP 500/504, lost connection) is never resent but verified on
    the volume.
  - Deleting takes the volume away whatever its O(volume_state); ONTAP's REST API (and the bundled simulator) delete an
    online volume without a separate offline step, so none is sent.
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
    details: The volume is read; no POST, PATCH or DELETE is sent and no job is started.
  diff_mode:
    support: full
options:
  name:
    description: Volume name, unique in its SVM.
    type: str
    required: true
  svm:
    description: Name of the SVM that owns the volume.
    type: str
    required: true
  from_name:
    description:
      - Rename an existing volume called O(from_name) to O(name).
      - Used only when no volume O(name) exists in O(svm); when it does, O(from_name) is ignored. The task fails
        when neither exists.
    type: str
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
  volume_state:
    description:
      - Operational state of the volume (ONTAP field C(state)). O(state) says whether the volume exists.
      - Taking a volume V(offline) unmounts it; ONTAP no longer reports its junction path while it is offline.
        So O(volume_state=offline) together with O(junction_path) is refused before anything is sent.
    type: str
    choices: [online, offline, restricted]
  snapshot_policy:
    description: Name of the snapshot policy, for example V(default) or V(none).
    type: str
  export_policy:
    description: Name of the NFS export policy of the volume (C(nas.export_policy.name)).
    type: str
  space_guarantee:
    description: Space guarantee (C(guarantee.type)); V(none) makes the volume thin-provisioned.
    type: str
    choices: [none, volume]
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

- name: Rename it, thin-provision it and give it a snapshot policy
  ontap.rest.volume:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    name: vol1_data
    from_name: vol1
    svm: svm1
    space_guarantee: none
    snapshot_policy: default
    export_policy: default

- name: Take it offline
  ontap.rest.volume:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    name: vol1_data
    svm: svm1
    volume_state: offline

- name: Delete it
  ontap.rest.volume:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    name: vol1_data
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
jobs:
  description: Every job of the write, as last read, when ONTAP answered with more than one.
  returned: when a write answered with several jobs
  type: list
  elements: dict
would_send:
  description: In check mode, the writes that would have been sent (C(method), C(path), C(query), C(body)).
  returned: in check mode, when something would change
  type: list
  elements: dict
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
        Field('volume_state', 'state'),
        Field('snapshot_policy', 'snapshot_policy.name'),
        Field('export_policy', 'nas.export_policy.name'),
        Field('space_guarantee', 'guarantee.type'),
    ],
    create_body=lambda params: {'name': params['name'], 'svm': {'name': params['svm']}},
    rename='name',
    context=['svm'],
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
        from_name=dict(type='str'),
        volume_state=dict(type='str', choices=['online', 'offline', 'restricted']),
        snapshot_policy=dict(type='str'),
        export_policy=dict(type='str'),
        space_guarantee=dict(type='str', choices=['none', 'volume']),
    ))
    ontap.run(run)


def run(ontap):
    params = ontap.params
    offline = params.get('volume_state') == 'offline'
    if params['state'] == 'present' and offline and params.get('junction_path') is not None:
        # ONTAP unmounts an offline volume, so the junction path never reads back and every run would write it again.
        ontap.fail('volume_state: offline and junction_path cannot be used together: ONTAP unmounts a volume it takes '
                   'offline, so its junction path is never reported back and every run would send it again. Leave out '
                   'junction_path while the volume is offline (set it again together with volume_state: online).')
    if params['size'] is not None:
        try:
            params['size'] = parse_size(params['size'])
        except ValueError as exc:
            ontap.fail(str(exc))
    run_resource(ontap, SPEC)


if __name__ == '__main__':
    main()
