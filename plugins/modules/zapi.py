#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: zapi
short_description: Send any ONTAPI (ZAPI) call, waiting for the job it starts
version_added: 0.1.0
description:
  - Sends one ZAPI (ONTAPI) call through netapp-lib and returns ONTAP's answer, the twin of M(ontap.rest.request).
  - For clusters without the REST API (ONTAP before 9.6) and for calls that only ZAPI has (for example
    C(volume-autosize-set-async)). On a cluster with REST, prefer M(ontap.rest.request) and the resource modules.
    The protocol is the one you name; nothing switches between REST and ZAPI silently.
  - An asynchronous call (its answer has C(result-status) and C(result-jobid), or the C(success-list) and
    C(failure-list) of an C(-iter-async) call) is waited for with the collection's shared job poller and the
    shared async options, and reports the same RV(job) and RV(job_wait) as M(ontap.rest.request).
  - ZAPI job states are mapped onto REST's as NetApp maps them; the raw value is kept in C(zapi_state) in RV(job). Only
    C(success) and C(failure), C(error), C(quit), C(dead) end the wait; the other eleven (C(initial), C(waiting),
    C(reschedule), C(dormant), C(paused), ...) keep it going.
  - The call is sent over HTTPS to O(port), with the same certificate checks and the same credentials as REST, in one
    HTTP request (basic authentication is sent up front).
author:
  - ontap.rest contributors (@ontap-rest)
requirements:
  - netapp-lib (Python library, on the host that runs the module; only this module and M(ontap.rest.job) with O(ontap.rest.job#module:id) need it)
extends_documentation_fragment:
  - ontap.rest.connection
  - ontap.rest.async_job
  - ansible.builtin.action_common_attributes
  - ontap.rest.attributes
attributes:
  check_mode:
    support: partial
    details: A call with O(read_only=true) is sent in check mode; any other call is not sent, the task reports
      C(changed) and the call is listed in RV(would_send).
  diff_mode:
    support: none
notes:
  - ZAPI has no OAuth 2.0 tokens. It takes O(username) and O(password), or O(cert_filepath) and O(key_filepath);
    O(token) alone is refused, and beside them it is not used and the task warns (for example when
    C(module_defaults) give both for REST and ZAPI tasks).
  - O(return_timeout) has no ZAPI meaning; it is validated but not sent.
  - ZAPI opens one connection per call (no keep-alive), so each job poll is a new TLS connection.
  - O(args) can hold secrets; set C(no_log) on such tasks.
options:
  api:
    description: The ZAPI name, for example V(volume-create-async) or V(volume-get-iter).
    type: str
    required: true
  args:
    description:
      - The call's input elements as a dict. A nested dict is a nested element. A list holds repeated elements, each
        item a dict naming its element, for example C(aggr-list) set to a list with one item whose C(aggr-name) is V(aggr1).
      - Values are sent as text as given; V(0), V(false) and empty strings are kept (netapp-lib's own conversion drops them).
    type: dict
  vserver:
    description: Tunnel the call to this SVM (ZAPI's C(vfiler)). Without it the call is made at cluster level.
    type: str
  read_only:
    description:
      - V(true) for a call that changes nothing; it is sent in check mode and the task is never C(changed). Only
        calls whose ZAPI name says they read are accepted (a C(get) part, such as C(volume-get-iter),
        C(system-get-version), or C(-list-info)); any other name with O(read_only=true) is refused before anything
        is sent, so a write is never sent in check mode nor reported unchanged.
      - V(false) (the default) for any other call; the task reports C(changed) when ONTAP accepted it.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Create a volume on a cluster without REST and wait for its job
  ontap.rest.zapi:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    api: volume-create-async
    vserver: svm1
    args:
      volume-name: vol1
      aggr-list:
        - aggr-name: aggr1
      size: 10g
    job_timeout: 900
  register: created

- name: Read a volume
  ontap.rest.zapi:
    hostname: cluster1.example.com
    username: admin
    password: "{{ ontap_password }}"
    api: volume-get-iter
    read_only: true
    args:
      query:
        volume-attributes:
          volume-id-attributes:
            name: vol1
            owning-vserver-name: svm1
'''

RETURN = r'''
response:
  description:
    - ONTAP's C(results) as a dict, without its C(status) attribute. Text is returned as strings. The children of an
      element whose name ends with C(-list) are a list of one-key dicts (for example C(attributes-list)).
  returned: when the call was sent
  type: dict
  sample: {"result-status": "in_progress", "result-jobid": "1369"}
job:
  description:
    - The job the call started, as last read, in the REST shape (C(state), C(message), C(code), C(uuid),
      C(svm.name), C(start_time), C(end_time)) plus C(id) (the integer job id) and C(zapi_state) (the ZAPI state as sent).
    - A job that finished before the call answered (C(result-status) C(succeeded)) is not read, so it has C(state)
      V(success) and no message; a failed start keeps C(result-error-code) in C(code) and C(result-error-message) in C(message).
  returned: when the answer named a job
  type: dict
  sample: {"id": 1369, "uuid": "b89bc5dd-94a3-11e8-a7a3-0050568edf84", "state": "success", "zapi_state": "success",
           "message": "Complete: Successful", "code": 0, "svm": {"name": "svm1"}}
jobs:
  description: Every job, as last read, when the answer named several (C(-iter-async) calls).
  returned: when the answer named more than one job
  type: list
  elements: dict
job_wait:
  description: How the wait for the job ended, as in M(ontap.rest.request).
  returned: when the answer named a job
  type: dict
  contains:
    outcome:
      description: V(success), V(failure), V(timed_out), V(unreadable) or V(not_waited).
      type: str
      sample: success
    elapsed:
      description: Seconds from sending the call to the end of the wait.
      type: float
      sample: 3.012
    polls:
      description: Number of job reads (C(job-get-iter) calls) made.
      type: int
      sample: 2
would_send:
  description: In check mode, the call that was not sent (C(api), C(args), C(vserver)).
  returned: in check mode, unless O(read_only=true)
  type: list
  elements: dict
'''

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapOptionError
from ansible_collections.ontap.rest.plugins.module_utils.job_poller import JobPoller
from ansible_collections.ontap.rest.plugins.module_utils.runner import OntapModule
from ansible_collections.ontap.rest.plugins.module_utils.zapi import connection_from_params
from ansible_collections.ontap.rest.plugins.module_utils.zapi_jobs import parse_start, zapi_job_reader


def reads_only(api):
    """Whether the ZAPI name ``api`` is a read by ONTAPI's naming (``<object>-get``, ``<object>-get-iter``,
    ``system-get-version``, ``<object>-list-info``)."""
    parts = api.split('-')
    return 'get' in parts[1:] or api.endswith('-list-info')


def main():
    ontap = OntapModule(dict(
        api=dict(type='str', required=True),
        args=dict(type='dict'),
        vserver=dict(type='str'),
        read_only=dict(type='bool', default=False),
    ))
    ontap.run(run)


def run(ontap):
    params = ontap.params
    api = (params['api'] or '').strip()
    if not api or any(char.isspace() or char in '<>&"\'/' for char in api):
        raise OntapOptionError('api', 'api must be one ZAPI name such as volume-get-iter, not %r.' % (params['api'],))
    args = params['args'] or {}
    read_only = params['read_only']
    if read_only and not reads_only(api):
        raise OntapOptionError('read_only', 'read_only is true, but %s is not a read by its ZAPI name (a get or '
                               'list-info call); nothing was sent. Leave read_only false for a call that may change '
                               'something: check mode then lists it in would_send instead of sending it.' % api)
    options = ontap.wait_options()
    connection = connection_from_params(params, warn=ontap.warnings.append)   # checks options and netapp-lib before anything is sent
    connection.budget = ontap.budget()     # job_timeout bounds each call, as it bounds REST requests
    if ontap.check_mode and not read_only:
        ontap.would_send.append(dict(api=api, args=args, vserver=params['vserver']))
        return ontap.result(True, msg='Check mode: ZAPI %s was not sent (read_only is false).' % api)
    started = ontap.clock()
    answer = connection.call(api, args, vserver=params['vserver'], write=not read_only)
    starts = parse_start(answer, api)
    if not starts:
        return ontap.result(not read_only, response=answer)
    poller = JobPoller(zapi_job_reader(connection), options, clock=ontap.clock, sleep=ontap.sleep, key='id')
    wait_result = poller.wait_zapi(starts, started, budget=ontap.budget(started))
    return ontap.job_result(wait_result, changed=True, response=answer)


if __name__ == '__main__':
    main()
