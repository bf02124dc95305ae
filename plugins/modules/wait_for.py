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
    budget and pacing options as job waits (O(poll_interval), O(max_poll_interval), O(job_timeout)). Reads are about
    10 % of the time already waited apart, so the end of an operation of D seconds is noticed at most
    0.1 x D + O(poll_interval) seconds late.
  - For what a job cannot tell, because its V(success) only means the request was accepted (a cluster software update,
    a SnapMirror quiesce), or because there is no job at all (a SnapMirror transfer, waited on C(transfer.state)).
  - A 404, a query that matches no record yet, and connection errors are tolerated inside the budget (an object that
    does not exist yet or is just changing, nodes that are rebooting); 401, 403 and other client errors end the wait
    at once. A 404 that is not ONTAP's is checked with the version probe - on a system without the REST API (before
    ONTAP 9.6) the task fails at once, naming M(ontap.rest.zapi) and M(ontap.rest.job) with C(id) to use instead.
  - Mistakes fail at the first read instead of waiting out the budget - a query that matches several records (the
    task names their count and the query; it never picks one), and a field that the resource does not have (ONTAP
    refuses it with HTTP 400; the task names O(field) or O(fresh.field)).
  - When the budget runs out, the task fails saying the field has not reached the value yet, with the last value seen.
  - The stale-state trap - right after a request, the first reads can still show the B(previous) operation's terminal
    state. A SnapMirror relationship's C(transfer.state) reads V(success) from the last transfer (ONTAP 9.9 and later
    keep the last transfer in C(transfer)), a volume's C(movement.state) reads the last move's V(success), and
    C(cluster/software) keeps the last update's C(state) (V(completed) or V(failed)). Without a guard such a read ends
    the wait at once, as reached (or failed), although the new operation is still running.
  - Give O(fresh) to guard against it - a read ends the wait only when its O(fresh.field) proves it describes the new
    operation (for example C(transfer.uuid) changed from the value read before the update, C(movement.start_time) at or
    after the time of the move request, C(pending_version) equal to the target version). Reads that are not fresh are
    counted and never end the wait, whatever O(field) says; if the budget runs out on one, the task fails saying the
    last read was stale and why.
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
  job_timeout:
    description:
      - The overall budget of the task, in seconds of wall-clock time, counted from the task's start, for O(field) to
        reach one of O(values) or O(failure_values) in a fresh read. Any finite length is accepted.
      - It bounds every read (connect and read timeouts, GET retries); the last read is made at the deadline, so the
        task ends within about O(job_timeout) plus one second.
      - When it runs out, the task fails saying that the field has not reached the values yet, with the last value
        seen (and whether that read was stale). The operation itself goes on on the cluster; run the task again to
        wait again.
    type: float
    default: 600
  path:
    description:
      - API path of one resource (V(snapmirror/relationships/4512b2d2-fd60-11e8-8929-005056bc7ab4)), or of a collection
        with a O(query) that selects exactly one record (V(storage/volumes) with C(name) and C(svm.name)).
      - For a collection, every page is read (C(_links.next)). No matching record is waited for; several matching
        records fail the task at once.
    type: str
    required: true
  query:
    description: Query parameters; C(fields) defaults to O(field).
    type: dict
  field:
    description:
      - Dotted name of the field to watch, for example V(state) or V(transfer.state).
      - A field ONTAP does not know is refused by ONTAP at the first read, and the task fails at once naming it. A
        field the resource has but ONTAP leaves out of an answer because it is not set (C(nas.path) of an unmounted
        volume, C(transfer) of a relationship without a transfer) reads as V(null), and the wait goes on; put
        V(null) in O(values) or O(failure_values) to wait for it to be unset. The timeout message says when the field
        was not set.
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
  fresh:
    description:
      - Freshness guard - the test a read must pass before O(values) or O(failure_values) can end the wait (see the
        description). Without it every read counts, as before.
      - O(fresh.field) is added to the C(fields) of the query.
    type: dict
    suboptions:
      field:
        description: Dotted name of the field that tells a fresh read, for example V(transfer.uuid) or V(movement.start_time).
        type: str
        required: true
      after:
        description:
          - Fresh when O(fresh.field) is a time at or after this one (take it just before the request).
          - An ISO 8601 date and time as ONTAP writes them (V(2026-12-02T01:02:03-05:00), V(2026-12-02T06:02:03Z),
            fractions of a second allowed) or epoch seconds (V(1796191323)). A time without an offset is read as
            B(UTC), not as the local time of the controller or the cluster - give the offset to be sure.
          - Both times are compared as aware date-times, to the whole second (ONTAP writes whole seconds, so an
            operation that started in the same second as O(fresh.after) is fresh). A field that is not set or is not a
            time is not fresh.
          - The time must come from a clock in step with the cluster's (NTP). If the controller's clock runs ahead of
            the cluster's, fresh reads look stale and the wait times out saying so; if it runs behind by more than the
            time since the previous operation started, that operation's stale state passes as fresh. O(fresh.changed_from)
            needs no clock.
        type: raw
      changed_from:
        description:
          - Fresh when O(fresh.field) no longer has this value, for example the C(transfer.uuid) read before a
            SnapMirror update. A field that is not set differs from any value. Values are compared as O(values) are
            (V("5") equals V(5)).
          - V(null) cannot be given (it reads as not given).
        type: raw
      equals:
        description: Fresh when O(fresh.field) has this value, for example C(pending_version) equal to the target version.
        type: raw
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

- name: Read the relationship's last transfer before the update
  ontap.rest.request:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    path: "snapmirror/relationships/{{ relationship_uuid }}"
    query:
      fields: transfer.uuid
  register: before

- name: Start a SnapMirror update (no job; the transfer runs on)
  ontap.rest.request:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    method: POST
    path: "snapmirror/relationships/{{ relationship_uuid }}/transfers"
    body: {}

- name: Wait for the new transfer, not the last one's success
  ontap.rest.wait_for:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    path: "snapmirror/relationships/{{ relationship_uuid }}"
    field: transfer.state
    values: [success]
    failure_values: [failed, aborted, hard_aborted]
    fresh:
      field: transfer.uuid
      changed_from: "{{ before.response.transfer.uuid | default('none') }}"
    job_timeout: 7200

- name: Note the time just before the volume move
  ansible.builtin.set_fact:
    move_requested: "{{ now(utc=true).strftime('%Y-%m-%dT%H:%M:%SZ') }}"

- name: Start moving vol1 to aggr2
  ontap.rest.request:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    method: PATCH
    path: "storage/volumes/{{ volume_uuid }}"
    body:
      movement:
        destination_aggregate:
          name: aggr2

- name: Wait for this move, not the last move's success
  ontap.rest.wait_for:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    path: "storage/volumes/{{ volume_uuid }}"
    field: movement.state
    values: [success]
    failure_values: [failed, aborted]
    fresh:
      field: movement.start_time
      after: "{{ move_requested }}"
    job_timeout: 14400
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
    fresh:
      description:
        - Whether the last record read passed the O(fresh) guard. V(false) means the last value seen was stale (the
          previous operation's state).
      returned: when O(fresh) is given
      type: bool
      sample: true
    stale_reads:
      description: Number of reads that did not pass the O(fresh) guard (ignored).
      returned: when O(fresh) is given
      type: int
      sample: 2
'''

from ansible_collections.ontap.rest.plugins.module_utils.client import MAX_PAGES
from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError, OntapError, OntapOptionError
from ansible_collections.ontap.rest.plugins.module_utils.job_poller import next_href
from ansible_collections.ontap.rest.plugins.module_utils.job_uuid import check_job_path
from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule
from ansible_collections.ontap.rest.plugins.module_utils.state_waiter import FreshGuard, wait_for_state

#: Query parameters that are not field filters (ONTAP REST API reference, "Query parameters").
QUERY_PARAMETERS = ('fields', 'max_records', 'return_records', 'return_timeout', 'order_by')


def main():
    ontap = OntapModule(dict(
        path=dict(type='str', required=True),
        query=dict(type='dict'),
        field=dict(type='str', required=True),
        values=dict(type='list', elements='raw', required=True),
        failure_values=dict(type='list', elements='raw', default=[]),
        fresh=dict(type='dict', options=dict(
            field=dict(type='str', required=True),
            after=dict(type='raw'),
            changed_from=dict(type='raw'),
            equals=dict(type='raw'),
        ), mutually_exclusive=[list(FreshGuard.TESTS)], required_one_of=[list(FreshGuard.TESTS)]),
    ))
    ontap.run(run)


def describe_query(query):
    """``name=vol1, svm.name=svm1`` for the query's field filters (``fields`` and other parameters left out)."""
    return ', '.join('%s=%s' % (key, value) for key, value in sorted(query.items()) if key not in QUERY_PARAMETERS)


def reader(ontap, path, query):
    """``read() -> record or None`` for one resource.

    A record path answers the record. A collection answer (``records``) is read to its end (``_links.next``: a page
    cut short may hold no record and still have more) and must hold exactly one record: none reads as ``None`` (not
    there yet, waited for), several are an error naming the count and the query (never one picked silently).

    A 404 without an ONTAP error code may mean the system has no REST API (F32): the first such answer is checked
    with the version probe, which raises :class:`errors.OntapNoRestError` (naming ``ontap.rest.zapi``) at once
    instead of a wait to the end of the budget; on a system with REST the 404 is waited on as before.
    """
    probed = []

    def read():
        try:
            response = ontap.read(path, query=query)
        except OntapApiError as exc:
            if exc.status == 404 and exc.code is None and not probed:
                probed.append(exc)
                ontap.client.get_version()
            raise
        body = response.body if isinstance(response.body, dict) else {}
        if 'records' not in body:
            return body
        records = list(response.records)
        seen = set()
        href = next_href(body)
        while href and href not in seen and len(seen) < MAX_PAGES:
            seen.add(href)
            page = ontap.read(href)
            records.extend(page.records)
            href = next_href(page.body)
        if href:
            raise OntapError('GET %s: the collection read did not end after %d pages (%d records); the read is '
                             'incomplete and was not used.' % (response.url, len(seen) + 1, len(records)))
        if len(records) > 1:
            raise OntapOptionError('query', '%d records of %s match the query %s; ontap.rest.wait_for watches one '
                                   'resource: narrow the query (for example with svm.name) or give the path of the '
                                   'record (%s/<uuid>).' % (len(records), path, describe_query(query) or '(no filter)',
                                                            path.rstrip('/')))
        return records[0] if records else None
    return read


def with_field(fields, name):
    """``fields`` (a ``fields=`` value: comma-separated names) with ``name`` added unless it is there already."""
    names = [part.strip() for part in str(fields).split(',') if part.strip()]
    return ','.join(names if name in names else names + [name])


def refuses_field(exc, field):
    """ONTAP's 400 for a ``fields=`` name it does not know (code 2 or 262197, the field as target or in the text)."""
    if exc.status != 400 or exc.code not in ('2', '262197'):
        return False
    names = (field, field.split('.')[0])
    return exc.target in names or any('"%s"' % name in (exc.message or '') for name in names)


def run(ontap):
    params = ontap.params
    check_job_path(params['path'])
    guard = FreshGuard(option='fresh', **params['fresh']) if params['fresh'] else None
    query = dict(params['query'] or {})
    query.setdefault('fields', params['field'])
    if guard is not None:
        query['fields'] = with_field(query['fields'], guard.field)
    filters = describe_query(query)
    if filters:
        what = 'the record of %s matching %s' % (params['path'], filters)
        absent = 'no record matches the query %s' % filters
    else:
        what = 'the resource %s' % params['path']
        absent = 'the collection %s has no record' % params['path']
    budget = ontap.budget()
    try:
        result = wait_for_state(reader(ontap, params['path'], query), params['field'], params['values'],
                                params['failure_values'], ontap.wait_options(), budget.started, clock=ontap.clock,
                                sleep=ontap.sleep, what=what, absent=absent, budget=budget, fresh=guard)
    except OntapApiError as exc:
        refused = [(name, option) for name, option in ((params['field'], 'field'), (guard and guard.field, 'fresh.field'))
                   if name and refuses_field(exc, name)]
        if not refused:
            raise
        name, option = refused[0]
        return ontap.failure("The %s '%s' does not exist on %s: %s" % (option, name, what, exc),
                             status_code=exc.status,
                             error=dict(code=exc.code, message=exc.message, target=exc.target, arguments=exc.arguments))
    if result.outcome == 'reached':
        return ontap.result(False, msg=result.message, **result.as_result())
    return ontap.failure(result.message, **result.as_result())


if __name__ == '__main__':
    main()
