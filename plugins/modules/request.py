#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: request
short_description: Send any ONTAP REST API call, waiting for its job
version_added: 0.1.0
description:
  - Sends one call to the ONTAP REST API (C(/api/...)) and returns ONTAP's answer.
  - A POST, PATCH or DELETE that ONTAP answers with a job (asynchronous endpoints such as C(storage/volumes)) is
    waited for with the shared job poller, and the task's outcome is the job's terminal state.
  - For resources that have their own module (M(ontap.rest.volume), ...), prefer that module, which is idempotent.
    This module reports C(changed) for a write that ONTAP accepted, except a query-based PATCH or DELETE that matched
    no record (ONTAP answers with an empty C(jobs) list and a C(num_records) of 0), which changed nothing.
  - A GET of a collection returns one page unless O(follow_next=true), which reads every page.
  - A path of one job (C(cluster/jobs/{uuid})) whose uuid is malformed is refused before anything is sent.
author:
  - ontap.rest contributors (@ontap-rest)
extends_documentation_fragment:
  - ontap.rest.connection
  - ontap.rest.async_job
  - ansible.builtin.action_common_attributes
  - ontap.rest.attributes
attributes:
  check_mode:
    support: partial
    details: A GET runs in check mode; a POST, PATCH or DELETE is not sent and the task reports C(changed).
  diff_mode:
    support: none
notes:
  - A O(body) can hold secrets (a password in C(security/accounts), for example); they show in the task's arguments at
    C(-vvv) and in RV(would_send) in check mode. Set C(no_log) to V(true) on such tasks.
options:
  method:
    description: HTTP method.
    type: str
    choices: [GET, POST, PATCH, DELETE]
    default: GET
  path:
    description:
      - API path, with or without the leading C(/api/), for example V(storage/volumes) or V(/api/cluster/jobs).
      - Query parameters go into O(query), not into the path.
    type: str
    required: true
  query:
    description:
      - Query parameters, for example V(fields) set to V(name,size) and V(svm.name) set to V(svm1).
      - Do not put C(return_timeout) here; use the O(return_timeout) option, which is validated before sending. It
        also replaces a C(return_timeout) in O(path) (as in a C(_links.next) link); one out of ONTAP's range there is
        refused.
    type: dict
  body:
    description: JSON body of a POST or PATCH.
    type: dict
  follow_next:
    description:
      - With O(method=GET) on a collection, follow ONTAP's C(_links.next) to the last page and return every record
        in RV(response) (C(records) and C(num_records) for all pages, no C(next) link).
      - V(false) returns ONTAP's answer as it is, one page (at most C(max_records) records), with C(_links.next) when
        there are more.
      - Only for O(method=GET); a query-based PATCH or DELETE always follows C(_links.next).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Read the cluster version
  ontap.rest.request:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    path: cluster
    query:
      fields: version
  register: cluster

- name: Create a volume and wait for its job (up to 15 minutes)
  ontap.rest.request:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    method: POST
    path: storage/volumes
    body:
      name: vol1
      svm:
        name: svm1
      size: 10737418240
      aggregates:
        - name: aggr1
    job_timeout: 900

- name: Read every volume of svm1, all pages
  ontap.rest.request:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    path: storage/volumes
    query:
      svm.name: svm1
      fields: name,size
    follow_next: true
  register: volumes

- name: Start a long job without waiting; a later ontap.rest.job task waits for it
  ontap.rest.request:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    method: DELETE
    path: storage/qtrees/028baa66-41bd-11e9-81d5-00a0986138f7/1
    wait_for_completion: false
  register: started
'''

RETURN = r'''
status_code:
  description: HTTP status of ONTAP's answer to the request (202 when the job was still running, 200/201 when it finished in time).
  returned: when the request was sent
  type: int
  sample: 202
response:
  description:
    - ONTAP's answer to the request (its JSON body).
    - With O(follow_next=true), the first page's answer with C(records) and C(num_records) of every page.
  returned: when the request was sent
  type: dict
  sample: {"job": {"uuid": "b89bc5dd-94a3-11e8-a7a3-0050568edf84", "_links": {"self": {"href": "/api/cluster/jobs/b89bc5dd-94a3-11e8-a7a3-0050568edf84"}}}}
job:
  description:
    - The ONTAP job as ONTAP gave it (C(uuid), C(state), C(message), C(code), C(error) on failure), whatever the timing.
    - A job that succeeded within O(return_timeout) (HTTP 200/201) is not read again, so it has C(state=success) and its
      links but no C(message); one that failed within O(return_timeout) (an HTTP error naming the job) is read once and
      reported like a failure seen by polling. See the job contract in the collection's docs/long_running_jobs.md.
  returned: when ONTAP answered with a job
  type: dict
  sample: {"uuid": "b89bc5dd-94a3-11e8-a7a3-0050568edf84", "state": "success", "message": "success", "code": 0,
           "description": "POST /api/storage/volumes", "start_time": "2026-11-29T10:00:00+00:00", "end_time": "2026-11-29T10:00:03+00:00"}
jobs:
  description: Every job, as last read, when ONTAP answered with several (query-based PATCH or DELETE).
  returned: when ONTAP answered with more than one job
  type: list
  elements: dict
job_wait:
  description: How the wait for the job ended.
  returned: when ONTAP answered with a job
  type: dict
  contains:
    outcome:
      description: V(success), V(failure), V(timed_out) (still running when O(job_timeout) ran out),
        V(unreadable) (the job's status could not be read), or V(not_waited) (O(wait_for_completion=false)).
      type: str
      sample: success
    elapsed:
      description: Seconds from sending the request to the end of the wait.
      type: float
      sample: 3.012
    polls:
      description: Number of job GETs made.
      type: int
      sample: 2
next:
  description:
    - The C(_links.next) of a query-based PATCH or DELETE that was not followed, so the records behind it were not
      changed and the task fails - because O(wait_for_completion=false), because O(job_timeout) ran out (between
      pages, or while the jobs of a page were still running), or because a job failed.
    - It is the resume point. Once the jobs in RV(jobs) (or RV(job)) have ended, send the same O(method) and O(body)
      with O(path) set to it (it carries the query); the message says how each job ended.
  returned: when a query-based write was cut short and not followed
  type: str
  sample: /api/storage/volumes?name=qp%2A&svm.name=svm1&start.uuid=0c4e3c9c-2f0e-11f1-9b51-005056b0f2c1
would_send:
  description: In check mode, the write that was not sent.
  returned: in check mode, for POST, PATCH and DELETE
  type: list
  elements: dict
'''

from urllib.parse import parse_qsl, urlsplit

from ansible_collections.ontap.rest.plugins.module_utils.client import MAX_PAGES
from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError, OntapError
from ansible_collections.ontap.rest.plugins.module_utils.job_poller import next_href
from ansible_collections.ontap.rest.plugins.module_utils.job_uuid import check_job_path
from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule


def main():
    ontap = OntapModule(dict(
        method=dict(type='str', choices=['GET', 'POST', 'PATCH', 'DELETE'], default='GET'),
        path=dict(type='str', required=True),
        query=dict(type='dict'),
        body=dict(type='dict'),
        follow_next=dict(type='bool', default=False),
    ))
    ontap.run(run)


def read_all(ontap, path, query):
    """GET ``path`` and, for a collection, every page behind ``_links.next`` (FIELD_CASES F19).

    :returns: ``(OntapResponse of the first page, body)``: the first page's body with ``records`` and ``num_records``
        of every page and no ``next`` link; a record (no ``records``) is returned as it is.
    :raises OntapError: a ``next`` link that repeats, or more than ``MAX_PAGES`` pages (never a cut-off read).
    """
    first = ontap.read(path, query=query)
    body = first.body
    if not isinstance(body, dict) or not isinstance(body.get('records'), list):
        return first, body
    records = list(body['records'])
    href, seen = next_href(body), set()
    while href:
        if href in seen or len(seen) + 1 >= MAX_PAGES:
            raise OntapError('GET %s: the collection read did not end (%d pages, %d records, next link %s); the read '
                             'is incomplete and was not used.' % (first.url, len(seen) + 1, len(records), href))
        seen.add(href)
        page = ontap.read(href)
        records.extend(page.records)
        href = next_href(page.body)
    body = dict(body, records=records, num_records=len(records))
    links = dict(body.get('_links') or {})
    links.pop('next', None)
    if links:
        body['_links'] = links
    else:
        body.pop('_links', None)
    return first, body


def matched_nothing(response, wait_result):
    """A query-based PATCH/DELETE answered ``200 {"jobs": [], "num_records": 0}``: no record matched."""
    body = response.body
    return (wait_result is None and isinstance(body, dict) and body.get('jobs') == [] and not body.get('num_records')
            and not next_href(body))


#: Query parameters that are not record filters (ONTAP REST API reference, query-based PATCH and DELETE).
NOT_FILTERS = frozenset(['fields', 'max_records', 'return_records', 'return_timeout', 'order_by', 'continue_on_failure',
                         'serial_records', 'action'])


def _filters(query):
    return dict((key, value) for key, value in query.items() if key not in NOT_FILTERS and not key.startswith('start.'))


def count_matches(ontap, path, query):
    """How many records a query-based write would act on (a GET with the same filters, check mode only), or
    ``None`` when the collection cannot be read that way."""
    try:
        return len(ontap.read_records(path, query=dict(_filters(query), fields='uuid')))
    except OntapApiError:
        return None


def run(ontap):
    params = ontap.params
    query = dict(params['query'] or {})
    if 'return_timeout' in query:
        return ontap.failure("Do not pass return_timeout in 'query': use the module option 'return_timeout' (0..120 "
                             "seconds); the overall wait budget is 'job_timeout'.")
    in_path = dict(parse_qsl(urlsplit(params['path']).query, keep_blank_values=True)).get('return_timeout')
    if in_path is not None and not (in_path.isdigit() and int(in_path) <= 120):
        # A next link (_links.next) carries ONTAP's own return_timeout, which the option's value replaces; a value
        # ONTAP would refuse is refused here, instead of being replaced without a word.
        return ontap.failure("return_timeout=%s in 'path' is not a whole number of seconds from 0 to 120: use the "
                             "module option 'return_timeout' (it replaces a return_timeout in path); the overall "
                             "wait budget is 'job_timeout'. Nothing was sent." % in_path)
    if params['follow_next'] and params['method'] != 'GET':
        return ontap.failure('follow_next applies to GET only; a query-based %s always follows _links.next. Nothing '
                             'was sent.' % params['method'])
    check_job_path(params['path'])
    if params['method'] == 'GET':
        if params['follow_next']:
            response, body = read_all(ontap, params['path'], query)
        else:
            response = ontap.read(params['path'], query=query)
            body = response.body
        return ontap.result(False, status_code=response.status_code, response=body)
    if ontap.check_mode and params['method'] in ('PATCH', 'DELETE') and _filters(query):
        # Check mode predicts what the real run reports: a query-based write that matches nothing changes nothing.
        matched = count_matches(ontap, params['path'], query)
        if matched == 0:
            return ontap.result(False, msg='Check mode: %s %s matches no record, so it would change nothing; it was not '
                                'sent.' % (params['method'], params['path']))
    response, wait_result = ontap.write(params['method'], params['path'], query=query, body=params['body'])
    if response is None:  # check mode: nothing was sent
        return ontap.result(True, msg='Check mode: %s %s was not sent.' % (params['method'], params['path']))
    if matched_nothing(response, wait_result):
        return ontap.result(False, status_code=response.status_code, response=response.body,
                            msg='%s %s: no record matches the query, so ONTAP started no job and nothing changed.'
                            % (params['method'], params['path']))
    return ontap.job_result(wait_result, changed=True, status_code=response.status_code, response=response.body)


if __name__ == '__main__':
    main()
