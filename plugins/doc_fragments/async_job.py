# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Doc fragment ontap.rest.async_job; its argument spec is options.async_job_spec()."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  wait_for_completion:
    description:
      - Wait for the ONTAP job that an asynchronous POST, PATCH or DELETE creates.
      - When V(false), the request is sent with C(return_timeout=0), ONTAP's HTTP 202 is accepted, no job is polled,
        and the task reports C(changed) with the job uuid in RV(ignore:job), so a later M(ontap.rest.job) task can wait for it.
      - A write that a later write of the same task depends on (the unmount before a mounted volume's delete) is
        always waited for, inside O(job_timeout); V(false) applies to the task's last write.
    type: bool
    default: true
  return_timeout:
    description:
      - Seconds ONTAP itself waits, inside the request, for the job to finish before it answers (ONTAP query parameter
        C(return_timeout), 0 to 120).
      - A job that finishes in this time is known to be done from the first answer (HTTP 200 or 201), with no polling.
        Otherwise ONTAP answers HTTP 202 and the job is polled.
      - This is a per-request knob, not the overall wait budget; see O(job_timeout).
      - The default, the largest value ONTAP accepts, lets ONTAP answer the moment a job of up to two minutes ends, with
        no poll at all; see C(docs/benchmarks.md) for the measurements behind it. Lower it (for example to V(60)) only
        when a proxy between Ansible and the cluster cuts requests that stay silent that long.
    type: int
    default: 120

  poll_interval:
    description:
      - The shortest pause, in seconds, between two polls of a job that is still running (ONTAP answered HTTP 202).
      - Each pause is about 10 percent of the time already waited since the write was sent (with a little jitter), never
        shorter than this and never longer than O(max_poll_interval), so the end of a job of any length is noticed at
        most about 10 percent of its length plus O(poll_interval) late, with few polls.
    type: float
    default: 2
  max_poll_interval:
    description:
      - Upper bound, in seconds, of the pause between two polls of the same job.
    type: float
    default: 30
  job_timeout:
    description:
      - The overall budget of the task, in seconds of wall-clock time, counted from the task's start, for the job(s)
        to reach a terminal state (V(success) or V(failure)). Any finite length is accepted (V(inf) and V(nan) are refused); it is enforced by polling.
      - It bounds everything the task does, the lookup before a write included. No request's C(return_timeout),
        connect or read timeout goes past what is left of it (the read timeout is the smaller of O(http_timeout) and
        what is left, plus one second for the answer to the last poll at the deadline), no GET retry is made whose
        pause (C(Retry-After) or backoff) would end after it, and nothing is sent once it is spent, so the task ends
        within about O(job_timeout) plus one second.
      - A write whose answer it cut off is reported as of unknown outcome, not as a failure that changed nothing.
      - When it runs out, the task fails with the distinct outcome C(timed_out) that names the job uuid and the last
        state and message seen. The job keeps running on the cluster; wait for it again with M(ontap.rest.job).
    type: float
    default: 600

notes:
  - Job states C(queued), C(running) and C(paused) are not terminal; a paused job is waited for, never taken as done.
  - Every module of the collection accepts these options, so that C(module_defaults) for the action group
    C(group/ontap.rest.ontap) can set them once. Modules that start no job ignore the ones they cannot use
    (M(ontap.rest.job_info) all of them but O(job_timeout), which bounds every task, M(ontap.rest.job)
    O(wait_for_completion) and O(return_timeout)).
  - A job that cannot be read (HTTP 403 or 404 on C(/api/cluster/jobs/{uuid}), as for restricted roles or Amazon FSx)
    is reported as such, never as a success or a failure of the job.
'''
