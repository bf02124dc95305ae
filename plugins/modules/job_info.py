#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: job_info
short_description: Read ONTAP jobs
version_added: 0.1.0
description:
  - Reads one job by O(uuid), or the cluster's recent jobs filtered by state, description, SVM and other fields
    (C(GET /api/cluster/jobs)), following ONTAP's C(_links.next) pages until the list is complete.
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
    details: Reads only.
  diff_mode:
    support: none
options:
  uuid:
    description:
      - UUID of one job. When given, the filters below are not allowed.
      - A malformed UUID is refused before anything is sent.
    type: str
  state:
    description: Only jobs in these states.
    type: list
    elements: str
    choices: [queued, running, paused, success, failure]
  description:
    description: Only jobs whose description matches, in ONTAP query syntax (V(POST /api/storage/volumes*)).
    type: str
  svm:
    description: Only jobs of this SVM (C(svm.name)).
    type: str
  node:
    description: Only jobs of this node (C(node.name), ONTAP 9.11 and later).
    type: str
  query:
    description: Further ONTAP query parameters, for example V(message) set to V(*clone*).
    type: dict
  fields:
    description: Job fields to read.
    type: list
    elements: str
    default: [uuid, state, message, code, error, description, start_time, end_time, svm]
  max_records:
    description: Records per page that ONTAP returns (all pages are read).
    type: int
notes:
  - ONTAP deletes a job about 300 seconds after it ends, so finished jobs drop out of this list.
'''

EXAMPLES = r'''
- name: Jobs still running on svm1
  ontap.rest.job_info:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    svm: svm1
    state: [queued, running, paused]
  register: running

- name: One job
  ontap.rest.job_info:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    uuid: b89bc5dd-94a3-11e8-a7a3-0050568edf84
'''

RETURN = r'''
jobs:
  description: The jobs found (one element when O(uuid) is given).
  returned: always
  type: list
  elements: dict
  sample: [{"uuid": "b89bc5dd-94a3-11e8-a7a3-0050568edf84", "state": "running", "description": "DELETE /api/storage/qtrees/..."}]
job:
  description: The job, when O(uuid) is given.
  returned: when O(uuid) is given
  type: dict
'''

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError
from ansible_collections.ontap.rest.plugins.module_utils.job_uuid import check_job_uuid
from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule

FILTERS = ('state', 'description', 'svm', 'node', 'query')


def main():
    ontap = OntapModule(dict(
        uuid=dict(type='str'),
        state=dict(type='list', elements='str', choices=['queued', 'running', 'paused', 'success', 'failure']),
        description=dict(type='str'),
        svm=dict(type='str'),
        node=dict(type='str'),
        query=dict(type='dict'),
        fields=dict(type='list', elements='str',
                    default=['uuid', 'state', 'message', 'code', 'error', 'description', 'start_time', 'end_time', 'svm']),
        max_records=dict(type='int'),
    ), mutually_exclusive=[('uuid', name) for name in FILTERS])
    ontap.run(run)


def build_query(params):
    """ONTAP query parameters for GET /api/cluster/jobs from the module's options."""
    query = dict(params['query'] or {})
    query['fields'] = ','.join(params['fields'])
    if params['state']:
        query['state'] = '|'.join(params['state'])
    for option, field in (('description', 'description'), ('svm', 'svm.name'), ('node', 'node.name')):
        if params[option]:
            query[field] = params[option]
    if params['max_records']:
        query['max_records'] = params['max_records']
    return query


def run(ontap):
    params = ontap.params
    if params['uuid']:
        check_job_uuid(params['uuid'])
        try:
            job = ontap.read('cluster/jobs/%s' % params['uuid'], query={'fields': ','.join(params['fields'])}).body
        except OntapApiError as exc:
            if exc.is_not_found:
                return ontap.failure('Job %s was not found: ONTAP deletes a job about 300 seconds after it ends.'
                                     % params['uuid'], status_code=exc.status, jobs=[])
            raise
        return ontap.result(False, job=job, jobs=[job])
    return ontap.result(False, jobs=ontap.read_records('cluster/jobs', query=build_query(params)))


if __name__ == '__main__':
    main()
