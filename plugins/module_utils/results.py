# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Private to ontap.rest before 1.0: not a public API; it may change in any release (use the modules instead).
"""Task results: what a module or the resource engine returns, and the one place a job outcome becomes a task outcome.

Modules and the resource engine never call ``exit_json``/``fail_json``: they return a :class:`Result`, and the runner
(:meth:`runner.OntapModule.run`) alone ends the task with it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class Result(object):
    """How a task ends.

    :param changed: whether the cluster was (or, in check mode, would be) changed.
    :param failed: ``True`` for a failed task (``msg`` then says why, as a complete, secret-free sentence).
    :param msg: the message (required when ``failed``).
    :param data: the other result keys (``volume``, ``job``, ``job_wait``, ``diff``, ...).
    """

    def __init__(self, changed=False, failed=False, msg=None, **data):
        if failed and not msg:
            raise ValueError('a failed Result needs a msg')
        self.changed = bool(changed)
        self.failed = bool(failed)
        self.msg = msg
        self.data = data

    @classmethod
    def failure(cls, msg, changed=False, **data):
        """A failed task: ``changed`` says whether something may have been changed all the same."""
        return cls(changed=changed, failed=True, msg=msg, **data)

    def __repr__(self):
        return 'Result(changed=%r, failed=%r, msg=%r, keys=%s)' % (self.changed, self.failed, self.msg, sorted(self.data))


def from_wait(wait_result, changed=True, **data):
    """The task's :class:`Result` from a job wait (the one mapping of job outcomes onto task outcomes).

    - ``success``/``not_waited`` -> ok, ``changed`` as given;
    - part of a query-based write left undone (``unfollowed_next``: not waited, cut short by ``job_timeout`` or by a
      failed job) -> failed, ``next`` named (the resume point), changed unless every job failed;
    - ``failure`` -> failed, not changed (ONTAP's message, code and error kept in ``job``) unless another job of the
      write did not fail (a query-based write: the records it changed were changed);
    - ``timed_out``/``unreadable`` -> failed, changed: ONTAP accepted the request and its end is not known (F35).

    :param wait_result: ``job_poller.JobWaitResult``, or ``None`` when the answer carried no job (a synchronous
        write that succeeded).
    :param data: other result keys; ``job``, ``job_wait`` (and ``jobs``) are added from ``wait_result``.
    """
    if wait_result is None:
        return Result(changed, **data)
    data.update(wait_result.as_result())
    if wait_result.ok:
        return Result(changed, **data)
    some_not_failed = any(outcome != 'failure' for outcome in wait_result.job_outcomes)
    if wait_result.unfollowed_next:
        return Result.failure(wait_result.message, changed=some_not_failed, next=wait_result.unfollowed_next, **data)
    if wait_result.outcome == 'failure':
        return Result.failure(wait_result.message, changed=some_not_failed, **data)
    return Result.failure(wait_result.message, changed=True, **data)
