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
    job's terminal state. A create whose job ends within O(return_timeout) returns the volume as ONTAP's answer gives
    it (C(return_records=true)); otherwise, and after a change, the volume is read back after the job succeeds. A
    delete that succeeded is not read again.
  - Idempotent; only attributes the task sets are compared (ONTAP's defaults for the others are ignored, lists are
    compared in any order), only those that differ are sent, and a second identical run sends no write.
  - A write ONTAP refuses as busy (HTTP 429/503, SVM temporarily locked, too many jobs) is resent with backoff within
    O(job_timeout); a write whose answer is ambiguous (HTTP 500/504, lost connection) is never resent but verified on
    the volume.
  - Deleting takes the volume away whatever its O(volume_state); ONTAP's REST API (and the bundled simulator) delete an
    online volume without a separate offline step, so none is sent. ONTAP refuses to delete a mounted volume, so a
    volume with a junction path is unmounted first (C(PATCH nas.path ""), its own job), then deleted, both within
    O(job_timeout); check mode lists both writes in RV(would_send). The unmount is waited for even with
    O(wait_for_completion=false), which then applies to the delete.
  - O(name), O(svm) and O(from_name) are names, matched exactly; values ONTAP would read as query operators
    (V(*), V(!), V(|), V(<), V(>), V({), V(})) are refused before anything is sent. A name spelled V(null) (or holding
    V(..)) is never sent as a filter but matched by the module among the SVM's volumes.
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
    details: Only what changes; for a delete, the volume as it was (after is empty).
options:
  name:
    description: Volume name, unique in its SVM.
    type: str
    required: true
  svm:
    description: Name of the SVM that owns the volume.
    type: str
    required: true
    aliases: [vserver]
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
      - Required to create a volume. A different size on an existing volume resizes it, unless the difference is below
        O(size_change_threshold).
      - A smaller size than the volume has is refused unless O(allow_shrink=true).
    type: str
  size_change_threshold:
    description:
      - Percentage of the current size below which a difference between O(size) and the volume's size is ignored, so
        that growth by ONTAP's autosize is not undone on every run. V(0) resizes on any difference.
    type: int
    default: 10
  allow_shrink:
    description:
      - Allow a resize to a smaller size than the volume has. Without it, a smaller O(size) (beyond
        O(size_change_threshold)) fails the task naming both sizes, and nothing is sent.
    type: bool
    default: false
  aggregates:
    description:
      - Aggregates to create the volume on. Only used at creation; a volume is moved with ONTAP's volume move, not here.
      - When the volume exists on other aggregates, the task warns, naming both, and changes nothing.
      - The alias O(aggregate_name) takes netapp.ontap's single aggregate name.
    type: list
    elements: str
    aliases: [aggregate_name]
  junction_path:
    description:
      - Junction path where the volume is mounted in the SVM namespace, for example V(/vol1).
      - V("") unmounts the volume (ONTAP then reports no junction path); an unmounted volume with V("") is unchanged.
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
    aliases: [policy]
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
  description: The volume as ONTAP has it after the change (its answer to the create, or read back), or as
    found when nothing changed; null when absent.
  returned: always
  type: dict
  sample: {"uuid": "028baa66-41bd-11e9-81d5-00a0986138f7", "name": "vol1", "svm": {"name": "svm1"}, "size": 10737418240}
job:
  description:
    - The ONTAP job of the last write, as ONTAP gave it. C(uuid) and C(state) always; C(message), C(code) (and
      C(error) on failure) when the job was read, that is after a 202, and once for a job that failed within
      O(return_timeout). A job that succeeded within O(return_timeout) (HTTP 200/201) is not read again, so it has no
      C(message). See the job contract in the collection's docs/long_running_jobs.md.
  returned: when a write was sent
  type: dict
  sample: {"uuid": "b89bc5dd-94a3-11e8-a7a3-0050568edf84", "state": "failure", "code": 917536,
           "message": "Not enough space", "error": {"code": "917536", "message": "Not enough space"}}
job_wait:
  description:
    - How the wait for the job ended, C(outcome) (V(success), V(failure), V(timed_out), V(unreadable),
      V(not_waited)), C(elapsed) seconds from sending the write, C(polls) job reads.
  returned: when a write was sent
  type: dict
  sample: {"outcome": "failure", "elapsed": 1.204, "polls": 1}
jobs:
  description: Every job of the task's writes, as last read, in step order (an unmount's job, then the delete's).
  returned: when the task's writes started more than one job
  type: list
  elements: dict
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
diff:
  description: The attributes that change, before and after (a delete shows the volume before, and an empty after).
  returned: in diff mode, when something changed or would change
  type: dict
'''

import re

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapOptionError
from ansible_collections.ontap.rest.plugins.module_utils.resource import Field, ResourceSpec, get_path, run_resource
from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule

_UNITS = {'': 1, 'b': 1, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3, 't': 1024 ** 4, 'p': 1024 ** 5}


def parse_size(value):
    """``'10GiB'``, ``'10g'``, ``'10737418240'`` -> bytes (int). :raises ValueError: naming the bad value."""
    match = re.match(r'^\s*(\d+)\s*([kmgtp]?)(?:i?b)?\s*$', str(value), re.IGNORECASE)
    if not match:
        raise ValueError("size: %r is not a size; use bytes (10737418240) or a unit such as 10GiB, 500MiB, 2TiB" % (value,))
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def _size_equal(current, wanted, params):
    """Sizes closer than ``size_change_threshold`` percent of the current size are the same (autosize growth)."""
    if current is None:
        return False
    if current == wanted:
        return True
    threshold = params.get('size_change_threshold')
    threshold = 10 if threshold is None else threshold
    return abs(wanted - current) * 100 < threshold * current


def _no_silent_shrink(resource, record, changes):
    """A smaller size needs ``allow_shrink``; nothing is sent otherwise."""
    current = record.get('size')
    wanted = changes.get('size')
    if wanted is not None and current is not None and wanted < current and not resource.params.get('allow_shrink'):
        raise OntapOptionError('allow_shrink', 'size: volume %s has %d bytes and the task asks for %d bytes (%.1f %% '
                               'less); shrinking a volume needs allow_shrink: true; nothing was sent.'
                               % (resource.key_text(), current, wanted, (current - wanted) * 100.0 / current))


def _unmount_first(resource, record):
    """ONTAP deletes only unmounted volumes (OpenAPI DELETE /storage/volumes/{uuid}: unmount by PATCHing nas.path
    to empty first)."""
    path = get_path(record, 'nas.path')
    if not path:
        return []
    return [('PATCH', resource.item_path(record), {'nas': {'path': ''}}, 'unmount (junction path %s)' % path)]


def _names(items):
    return sorted(item.get('name') for item in items or [] if isinstance(item, dict))


SPEC = ResourceSpec(
    name='volume',
    collection='storage/volumes',
    keys={'name': 'name', 'svm': 'svm.name'},
    fields=[
        Field('size', 'size', required_at_create=True, equal=_size_equal),
        Field('aggregates', 'aggregates', to_api=lambda names: [{'name': name} for name in names], from_api=_names,
              create_only=True, read_path='aggregates.name', type='list', elements='str', aliases=['aggregate_name'],
              create_only_hint='To move the volume to other aggregates use a volume move (ONTAP PATCH '
                               'movement.destination_aggregate); this module does not move volumes.'),
        Field('junction_path', 'nas.path', unset_value=''),
        Field('comment', 'comment'),
        Field('volume_state', 'state', choices=['online', 'offline', 'restricted']),
        Field('snapshot_policy', 'snapshot_policy.name'),
        Field('export_policy', 'nas.export_policy.name', aliases=['policy']),
        Field('space_guarantee', 'guarantee.type', choices=['none', 'volume']),
    ],
    create_body=lambda params: {'name': params['name'], 'svm': {'name': params['svm']}},
    rename='name',
    context=['svm'],
    before_delete=_unmount_first,
    checks=[_no_silent_shrink],
    options=dict(size_change_threshold=dict(type='int', default=10), allow_shrink=dict(type='bool', default=False)),
    aliases={'svm': ['vserver']},
)


def main():
    ontap = OntapModule(SPEC.argument_spec())
    ontap.run(run)


def run(ontap):
    params = ontap.params
    offline = params.get('volume_state') == 'offline'
    if params['state'] == 'present' and offline and params.get('junction_path') is not None:
        # ONTAP unmounts an offline volume, so the junction path never reads back and every run would write it again.
        raise OntapOptionError('junction_path', 'volume_state: offline and junction_path cannot be used together: ONTAP '
                               'unmounts a volume it takes offline, so its junction path is never reported back and '
                               'every run would send it again. Leave out junction_path while the volume is offline (set '
                               'it again together with volume_state: online).')
    threshold = params.get('size_change_threshold')
    if threshold is not None and not 0 <= threshold <= 100:
        raise OntapOptionError('size_change_threshold', 'size_change_threshold must be a percentage from 0 to 100, not '
                               '%d.' % threshold)
    if params['size'] is not None:
        try:
            params['size'] = parse_size(params['size'])
        except ValueError as exc:
            raise OntapOptionError('size', str(exc))
    return run_resource(ontap, SPEC)


if __name__ == '__main__':
    main()
