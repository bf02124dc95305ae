#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: wait_for
short_description: Wait until a field of any ONTAP resource reaches a value
version_added: 0.1.0
description:
  - Reads one ONTAP resource (C(GET /api/...)) until one of its fields has one of the wanted values, with the same
    budget and backoff options as job waits (O(poll_interval), O(max_poll_interval), O(job_timeout)).
  - For what a job cannot tell, because its V(success) only means the request was accepted (a cluster software update,
    a SnapMirror quiesce), or because there is no job at all (a SnapMirror transfer, waited on C(transfer.state)).
  - A 404 and connection errors are tolerated inside the budget (an object that is just changing, nodes that are
    rebooting); 401, 403 and other client errors end the wait at once.
  - When the budget runs out, the task fails saying the field has not reached the value yet, with the last value seen.
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
    details: Reads only; it waits in check mode too.
  diff_mode:
    support: none
options:
  path:
    description:
      - API path of one resource (V(snapmirror/relationships/4512b2d2-fd60-11e8-8929-005056bc7ab4)), or of a collection
        with a O(query) that selects exactly one record (V(storage/volumes) with C(name) and C(svm.name)).
    type: str
    required: true
  query:
    description: Query parameters; C(fields) defaults to O(field).
    type: dict
  field:
    description: Dotted name of the field to watch, for example V(state) or V(transfer.state).
    type: str
    required: true
  values:
    description: Values of O(field) that end the wait successfully.
    type: list
    elements: raw
    required: true
  failure_values:
    description: Values of O(field) that end the wait as failed.
    type: list
    elements: raw
    default: []
'''

EXAMPLES = r'''
- name: Wait for a SnapMirror transfer to end (up to 2 hours)
  ontap.rest.wait_for:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    path: "snapmirror/relationships/{{ relationship_uuid }}"
    field: transfer.state
    values: [success]
    failure_values: [failed, aborted]
    job_timeout: 7200
    max_poll_interval: 60

- name: Wait until a quiesce has settled before the break
  ontap.rest.wait_for:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    path: "snapmirror/relationships/{{ relationship_uuid }}"
    field: state
    values: [quiesced, paused]
    job_timeout: 1800

- name: Wait for a volume to be online
  ontap.rest.wait_for:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    path: storage/volumes
    query:
      name: vol1
      svm.name: svm1
    field: state
    values: [online]
'''

RETURN = r'''
value:
  description: The field's last value seen.
  returned: when the resource could be read
  type: raw
  sample: success
resource:
  description: The resource as last read.
  returned: when the resource could be read
  type: dict
wait:
  description: How the wait ended.
  returned: always
  type: dict
  contains:
    outcome:
      description: V(reached), V(failed_value) or V(timed_out).
      type: str
      sample: reached
    elapsed:
      description: Seconds spent waiting.
      type: float
      sample: 95.2
    polls:
      description: Number of reads made.
      type: int
      sample: 9
'''

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError
from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule
from ansible_collections.ontap.rest.plugins.module_utils.state_waiter import wait_for_state


def main():
    ontap = OntapModule(dict(
        path=dict(type='str', required=True),
        query=dict(type='dict'),
        field=dict(type='str', required=True),
        values=dict(type='list', elements='raw', required=True),
        failure_values=dict(type='list', elements='raw', default=[]),
    ))
    ontap.run(run)


def reader(ontap, path, query):
    """``read() -> record`` for one resource; a collection answer must hold exactly one record (none reads as 404)."""
    def read():
        response = ontap.read(path, query=query)
        body = response.body or {}
        if 'records' not in body:
            return body
        records = body['records']
        if not records:
            raise OntapApiError(404, code='4', message='no record matches the query', method='GET', url=response.url)
        if len(records) > 1:
            raise OntapApiError(400, code=None, message='%d records match the query; it must select one' % len(records),
                                method='GET', url=response.url)
        return records[0]
    return read


def run(ontap):
    params = ontap.params
    query = dict(params['query'] or {})
    query.setdefault('fields', params['field'])
    what = 'the resource %s' % params['path']
    result = wait_for_state(reader(ontap, params['path'], query), params['field'], params['values'],
                            params['failure_values'], ontap.wait_options(), ontap.clock(), clock=ontap.clock,
                            sleep=ontap.sleep, what=what)
    if result.outcome == 'reached':
        ontap.exit(False, msg=result.message, **result.as_result())
    ontap.fail(result.message, **result.as_result())


if __name__ == '__main__':
    main()
