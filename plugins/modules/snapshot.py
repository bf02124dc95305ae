#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: snapshot
short_description: Create, change, rename, delete or restore an ONTAP volume snapshot
version_added: 0.2.0
description:
  - Makes a snapshot, found by O(name) on volume O(volume) of O(svm), present with the given attributes, or absent
    (C(/api/storage/volumes/{volume.uuid}/snapshots)). The volume is looked up first; its uuid addresses the snapshots.
  - Creates, changes and deletes are ONTAP jobs, waited for with the shared job poller. A create whose job ends within
    O(return_timeout) returns the snapshot as ONTAP's answer gives it (C(return_records=true)); otherwise, and after
    a change, the snapshot is read back after the job succeeds. A delete that succeeded is not read again.
  - Idempotent; only attributes the task sets are compared; a second identical run sends no write.
  - With O(restore=true), the volume is reverted to the snapshot (an asynchronous C(PATCH) of the volume with
    C(restore_to.snapshot.name)). A restore is always reported as changed; ONTAP deletes the snapshots newer than the
    one restored. They are listed in RV(snapshots_destroyed) and, in diff mode, in the diff (check mode too).
  - O(svm), O(volume), O(name) and O(from_name) are names, matched exactly; values ONTAP would read as query
    operators (V(*), V(!), V(|), V(<), V(>), V({), V(})) are refused before anything is sent. A name holding a range
    (V(daily..1)) or spelled V(null) is valid; it is never sent as a filter but matched by the module among the
    volume's snapshots.
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
    details: The volume and snapshot are read; no POST, PATCH or DELETE is sent and no job is started.
  diff_mode:
    support: full
    details: Only what changes; a delete shows the snapshot before; a restore shows the volume's snapshots before and after.
options:
  svm:
    description: Name of the SVM that owns the volume.
    type: str
    required: true
    aliases: [vserver]
  volume:
    description: Name of the volume the snapshot belongs to.
    type: str
    required: true
  name:
    description: Snapshot name, unique in its volume.
    type: str
    required: true
    aliases: [snapshot]
  from_name:
    description:
      - Rename an existing snapshot called O(from_name) to O(name).
      - Used only when no snapshot O(name) exists on the volume; the task fails when neither exists.
    type: str
  state:
    description:
      - Whether the snapshot should exist. With V(absent), a missing volume counts as converged.
    type: str
    choices: [present, absent]
    default: present
  comment:
    description: Free-text comment.
    type: str
  expiry_time:
    description:
      - Time after which the snapshot may be deleted, ISO-8601 with offset (V(2030-01-01T00:00:00+00:00)).
      - Compared as a point in time with what ONTAP reports (V(2030-01-01T01:00:00+01:00) is the same as
        V(2030-01-01T00:00:00Z)); a value that is not ISO-8601 is compared as text.
    type: str
  snapmirror_label:
    description: Label SnapMirror policies use to select the snapshot.
    type: str
  restore:
    description:
      - Revert the volume to this snapshot (which must exist) after making sure it is present.
      - Not idempotent by nature; every run with V(true) restores again and reports changed.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: A snapshot before an upgrade
  ontap.rest.snapshot:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    svm: svm1
    volume: vol1
    name: pre_upgrade
    comment: taken before the upgrade
    snapmirror_label: weekly

- name: Rename it
  ontap.rest.snapshot:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    svm: svm1
    volume: vol1
    name: pre_upgrade_2026
    from_name: pre_upgrade

- name: Revert the volume to it
  ontap.rest.snapshot:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    svm: svm1
    volume: vol1
    name: pre_upgrade_2026
    restore: true

- name: Delete it
  ontap.rest.snapshot:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    svm: svm1
    volume: vol1
    name: pre_upgrade_2026
    state: absent
'''

RETURN = r'''
snapshot:
  description: The snapshot as ONTAP has it after the change (its answer to the create, or read back), or as
    found when nothing changed; null when absent.
  returned: always
  type: dict
  sample: {"uuid": "d0ef1c3a-41bd-11e9-81d5-00a0986138f7", "name": "pre_upgrade", "comment": "", "snapmirror_label": "weekly"}
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
snapshots_destroyed:
  description: With O(restore=true), the names of the volume's snapshots newer than the one restored, which ONTAP deletes.
  returned: when restore is true
  type: list
  elements: str
  sample: ["hourly.2026-12-01_1005", "hourly.2026-12-01_1105"]
jobs:
  description: Every job of the task's writes, as last read, in step order (an unmount's job, then the delete's).
  returned: when the task's writes started more than one job
  type: list
  elements: dict
diff:
  description:
    - The attributes that change, before and after (a delete shows the snapshot before, and an empty after).
    - For a restore, C(snapshots) (every snapshot of the volume) before and after, and C(restored_to).
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

import datetime

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapError, OntapOptionError
from ansible_collections.ontap.rest.plugins.module_utils.resource import Field, Resource, ResourceSpec
from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule


def _collection(resource):
    """Snapshots live under their volume: resolve it (by SVM and name) for its uuid."""
    volume = resource.find_parent('volume', 'storage/volumes',
                                  {'name': resource.params['volume'], 'svm.name': resource.params['svm']})
    return 'storage/volumes/%s/snapshots' % volume['uuid']


def _instant(value):
    """ISO-8601 text -> an aware ``datetime`` (``Z`` accepted), or ``None`` when it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(('Z', 'z')):
        text = text[:-1] + '+00:00'
    try:
        when = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _same_time(current, wanted, params):
    """``expiry_time`` values are the same instant (ONTAP normalises the offset); text otherwise."""
    left, right = _instant(current), _instant(wanted)
    if left is not None and right is not None:
        return left == right
    return current == wanted


SPEC = ResourceSpec(
    name='snapshot',
    collection=_collection,
    keys={'name': 'name'},
    fields=[
        Field('comment', 'comment'),
        Field('expiry_time', 'expiry_time', equal=_same_time),
        Field('snapmirror_label', 'snapmirror_label'),
    ],
    create_body=lambda params: {'name': params['name']},
    rename='name',
    context=['svm', 'volume'],
    options=dict(restore=dict(type='bool', default=False)),
    aliases={'name': ['snapshot'], 'svm': ['vserver']},
)


def main():
    ontap = OntapModule(SPEC.argument_spec())
    ontap.run(run)


def run(ontap):
    resource = Resource(ontap, SPEC)
    if not ontap.params['restore']:
        return resource.run()
    if ontap.params['state'] == 'absent':
        raise OntapOptionError('restore', 'restore=true needs state=present: a snapshot cannot be restored and deleted '
                               'in one task.')
    record = resource.lookup()
    if record is None:
        raise OntapError('Cannot restore volume %s of SVM %s to snapshot %s: no such snapshot.'
                         % (ontap.params['volume'], ontap.params['svm'], ontap.params['name']))
    if resource.changes(record):
        raise OntapOptionError('restore', 'restore=true restores an existing snapshot as it is; run the change of its '
                               'attributes in a task of its own (differing: %s).'
                               % ', '.join(sorted(resource.changes(record))))
    volume = resource.parents['volume']
    snapshots = ontap.read_records(resource.collection, query={'fields': 'name,create_time'})
    before = sorted(item.get('name') for item in snapshots)
    destroyed, kept, tied = _newer_than(snapshots, record['name'])
    if tied:
        ontap.warnings.append('Snapshots %s were created in the same second as %s; the restore deletes those taken after '
                              'it, which their creation times cannot tell, so they are listed as destroyed in the plan.'
                              % (', '.join(tied), record['name']))

    def observe():
        """After the restore: the snapshots that are actually gone (the plan may have been conservative)."""
        now = sorted(item.get('name') for item in ontap.read_records(resource.collection, query={'fields': 'name'}))
        gone = sorted(name for name in before if name not in now)
        return {'snapshots_destroyed': gone}, ({'snapshots': before}, {'snapshots': now, 'restored_to': record['name']})

    return resource.apply(resource.plan_action(
        'restore', 'PATCH', 'storage/volumes/%s' % volume['uuid'], {'restore_to': {'snapshot': {'name': record['name']}}},
        record, 'restore of volume %s to snapshot %s' % (ontap.params['volume'], record['name']),
        diff=({'snapshots': before}, {'snapshots': kept, 'restored_to': record['name']}),
        observe=observe, snapshots_destroyed=destroyed))


def _newer_than(snapshots, name):
    """``(destroyed, kept, tied)`` snapshot names: a restore to ``name`` deletes the snapshots created after it (ONTAP's
    snapshot restore). Snapshots created in the same second as ``name`` (``tied``) may be older or newer: they count
    as destroyed, so the plan never promises more than is kept.

    :raises OntapError: when a creation time cannot be read, so the loss cannot be stated; nothing is sent."""
    target = next((item for item in snapshots if item.get('name') == name), None)
    times = dict((item.get('name'), _instant(item.get('create_time'))) for item in snapshots)
    if target is None or any(when is None for when in times.values()):
        raise OntapError('Cannot restore to snapshot %s: the creation times of the volume\'s snapshots could not be read, '
                         'so which snapshots the restore would delete is unknown; nothing was sent.' % name)
    tied = sorted(other for other, when in times.items() if when == times[name] and other != name)
    destroyed = sorted(other for other, when in times.items() if when > times[name] or other in tied)
    kept = sorted(other for other in times if other not in destroyed)
    return destroyed, kept, tied


if __name__ == '__main__':
    main()
