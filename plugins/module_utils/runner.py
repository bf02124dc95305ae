# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Private to ontap.rest before 1.0: not a public API; it may change in any release (use the modules instead).
"""The shared module runner: one place for argument specs, check mode, result shaping and error handling.

Layering: modules -> runner -> job_poller -> client -> errors. Modules never build an HTTP session or a poll loop
of their own; they call :meth:`OntapModule.read`, :meth:`OntapModule.read_records` and :meth:`OntapModule.write`.

Guarantees every module gets from here:

- check mode: :meth:`OntapModule.write` sends nothing (no POST/PATCH/DELETE, no job, no poll) and records the
  request it would have sent in ``would_send``; reads still run (FIELD_CASES F28).
- one exit: a module's ``main`` returns a :class:`results.Result` and :meth:`OntapModule.run` alone calls
  ``exit_json``/``fail_json`` with it;
- every :class:`~errors.OntapError` becomes a failed result with a complete ``msg`` (never a traceback, F22), and any
  other exception one naming its type, with the traceback only in ``exception`` (shown at -vvv).
- a job outcome becomes the task outcome (:meth:`OntapModule.job_result`): ``success``/``not_waited`` -> ok,
  ``failure`` -> failed (ONTAP's message, code and error kept), ``timed_out`` -> failed and ``changed`` (the job is
  still running; its uuid is returned so ``ontap.rest.job`` can resume the wait), ``unreadable`` -> failed and
  ``changed`` unless a resource module verified the end state first (F13, F14, F35).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.ontap.rest.plugins.module_utils import client as client_mod
from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError, OntapError, OntapJobStateError, OntapNoRestError
from ansible_collections.ontap.rest.plugins.module_utils.job_poller import Budget, JobPoller, WaitOptions, job_reader, send_and_wait
from ansible_collections.ontap.rest.plugins.module_utils.results import Result, from_wait
from ansible_collections.ontap.rest.plugins.module_utils.options import (
    CONNECTION_REQUIRED_ONE_OF,
    CONNECTION_REQUIRED_TOGETHER,
    async_job_spec,
    check_numbers,
    connection_spec,
)

WRITE_METHODS = ('POST', 'PATCH', 'DELETE')


class OntapModule(object):
    """An AnsibleModule with the collection's shared options and behaviour.

    :param argument_spec: the module's own options. The connection options and the async job options are added
        here for every module (documented by the ``ontap.rest.connection`` and ``ontap.rest.async_job`` fragments),
        so ``module_defaults`` for ``group/ontap.rest.ontap`` can set them once for the whole collection.
    :param clock: monotonic clock (seconds) and :param sleep: pause function, injectable for tests.
    :param kwargs: passed to ``AnsibleModule`` (``required_if``, ``mutually_exclusive``, ...).
    """

    def __init__(self, argument_spec, supports_check_mode=True, clock=None, sleep=None, **kwargs):
        spec = connection_spec()
        spec.update(async_job_spec())
        spec.update(argument_spec)
        kwargs.setdefault('required_together', [])
        kwargs['required_together'] = list(kwargs['required_together']) + CONNECTION_REQUIRED_TOGETHER
        kwargs.setdefault('required_one_of', [])
        kwargs['required_one_of'] = list(kwargs['required_one_of']) + CONNECTION_REQUIRED_ONE_OF
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        if not client_mod.HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=client_mod.REQUESTS_IMPORT_ERROR)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        # looked up at run time (not bound as defaults), so a test seam can replace the module's time source
        self.clock = clock or time.monotonic
        self.sleep = sleep or time.sleep
        self.warnings = []
        self.would_send = []
        self._budget = None
        self._client = None

    # -- transport -----------------------------------------------------------------------------------------------

    @property
    def client(self):
        """The task's one :class:`client.OntapClient` (one keep-alive session for every call, polls included), bound
        by the task's :meth:`budget`: no request of the task, lookups included, ends after ``job_timeout``."""
        if self._client is None:
            self._client = client_mod.OntapClient.from_params(dict(self.params, sleep=self.sleep))
            self._client.budget = self.budget()
        return self._client

    def wait_options(self, **overrides):
        """The task's :class:`job_poller.WaitOptions` from its async options, with ``overrides`` applied."""
        params = dict(self.params)
        params.update(overrides)
        options = WaitOptions.from_params(params)
        options.validate()
        return options

    def read(self, path, query=None):
        """GET ``path`` (runs in check mode too). :returns: ``client.OntapResponse``. :raises errors.OntapError:"""
        return self.client.get(path, query=query)

    def read_records(self, path, query=None, retry=True):
        """GET a collection, following ``_links.next``; ``retry=False`` for reads whose caller retries inside its own
        budget. :returns: list of record dicts. :raises errors.OntapError:"""
        return self.client.get_records(path, query=query, retry=retry)

    @property
    def diff_mode(self):
        """``True`` when Ansible runs the task in diff mode (``--diff`` or ``diff: true``): only then is ``diff`` returned."""
        return bool(getattr(self.module, '_diff', False))

    def budget(self, started=None):
        """The task's one :class:`job_poller.Budget`: ``job_timeout`` seconds from the task's start (:meth:`run`
        starts it before the module's first request), or from ``started`` (monotonic seconds) when a caller outside
        :meth:`run` is first. Every request (lookups included: the client is bound by it), write, job wait and state
        wait of the task ends at its deadline (plus ``job_poller.REQUEST_GRACE`` for the answer of the last request)."""
        if self._budget is None:
            self._budget = Budget(self.wait_options().job_timeout, self.clock, started)
        return self._budget

    def write(self, method, path, query=None, body=None, wait=None, budget=None):
        """Send a POST/PATCH/DELETE and wait for its job(s) with the task's async options.

        :param wait: override of ``wait_for_completion`` for this one call (``None`` = the task's option).
        :param budget: the ``job_poller.Budget`` whose deadline ends the write's ``return_timeout`` and wait
            (default: the task's, :meth:`budget`).
        :returns: ``(client.OntapResponse, job_poller.JobWaitResult or None)``; ``(None, None)`` in check mode, where
            nothing is sent and the request is recorded in :attr:`would_send` instead.
        :raises errors.OntapError: on an HTTP error, a transport error, or a write whose outcome is unknown.
        """
        method = method.upper()
        if method not in WRITE_METHODS:
            raise ValueError('write() takes POST, PATCH or DELETE, not %s' % method)
        if self.check_mode:
            self.would_send.append(dict(method=method, path=path, query=query or {}, body=body))
            return None, None
        overrides = {}
        if wait is not None:
            overrides['wait_for_completion'] = wait
        options = self.wait_options(**overrides)
        if budget is None:
            budget = self.budget()
        return send_and_wait(self.client, method, path, query=query, body=body, options=options,
                             clock=self.clock, sleep=self.sleep, budget=budget)

    def wait_for_jobs(self, jobs, started_at=None):
        """Wait for existing job(s) with the task's poll options.

        :param jobs: job dicts as last read (at least ``uuid``; a ``state`` that is already terminal ends the wait).
        :param started_at: monotonic time (seconds) ``elapsed`` counts from; default now. The wait ends at the
            task's :meth:`budget` deadline.
        :returns: ``job_poller.JobWaitResult``.
        """
        options = self.wait_options(wait_for_completion=True)
        budget = self.budget(started_at)
        poller = JobPoller(job_reader(self.client), options, clock=self.clock, sleep=self.sleep)
        return poller.wait_for(jobs, budget.started if started_at is None else started_at, budget=budget)

    # -- results -------------------------------------------------------------------------------------------------
    # Modules return one of these; only run() ends the task.

    def result(self, changed, **data):
        """An ok :class:`results.Result` (``changed`` as given)."""
        return Result(changed, **data)

    def failure(self, msg, **data):
        """A failed :class:`results.Result`; ``msg`` must be a complete, secret-free sentence."""
        changed = data.pop('changed', False)
        return Result.failure(msg, changed=changed, **data)

    def job_result(self, wait_result, changed=True, **data):
        """The :class:`results.Result` of a job wait (:func:`results.from_wait`)."""
        return from_wait(wait_result, changed, **data)

    def _finish(self, result):
        """The one exit of every module: ``exit_json``/``fail_json`` from a :class:`results.Result`, with the
        collected warnings and, in check mode, ``would_send``."""
        data = dict(result.data)
        for warning in self.warnings:
            self.module.warn(warning)      # not result['warnings']: deprecated in exit_json since ansible-core 2.19
        self.warnings = []
        if self.check_mode and self.would_send:
            data['would_send'] = list(self.would_send)
        if result.failed:
            self.module.fail_json(msg=result.msg, changed=result.changed, **data)
        if result.msg is not None:
            data['msg'] = result.msg
        self.module.exit_json(changed=result.changed, **data)

    def run(self, main):
        """Run ``main(self)``, which returns a :class:`results.Result`, and end the task with it; turn every error into
        a failed result with a clear message, never a traceback."""
        try:
            # Bad waiting options fail every run, not only the runs that happen to write (nothing is sent first).
            check_numbers(self.params)
            self.wait_options()
            self.budget()     # job_timeout bounds the whole task: its budget starts before the first request
            result = main(self)
            if not isinstance(result, Result):
                raise TypeError('the module returned %r instead of a Result' % (result,))
        except OntapJobStateError as exc:
            # ONTAP accepted the write; its job reported a state we cannot interpret: changed, outcome not verified.
            result = Result.failure(str(exc), changed=True, job=exc.job)
        except OntapError as exc:
            details = _error_details(exc)
            msg = self._explain(exc)
            if 'job' in details:
                msg = '%s (job %s)' % (msg.rstrip('.'), details['job']['uuid'])
            result = Result.failure(msg, changed=bool(exc.outcome_unknown), **details)
        except Exception as exc:  # pylint: disable=broad-except
            result = Result.failure('Unexpected error in ontap.rest (%s): %s' % (type(exc).__name__, exc),
                                    exception=traceback.format_exc())
        self._finish(result)

    def _explain(self, exc):
        """A 404 without an ONTAP error body may mean the system has no REST API at all (FIELD_CASES F32)."""
        if isinstance(exc, OntapApiError) and exc.status == 404 and exc.code is None:
            try:
                self.client.get_version()
            except OntapNoRestError as no_rest:
                return str(no_rest)
            except OntapError:
                pass
        return str(exc)


def _error_details(exc):
    details = {}
    if isinstance(exc, OntapApiError):
        details['status_code'] = exc.status
        details['error'] = dict(code=exc.code, message=exc.message, target=exc.target, arguments=exc.arguments)
        job = exc.body.get('job') if isinstance(exc.body, dict) else None
        if isinstance(job, dict) and job.get('uuid'):
            # A job that failed within return_timeout comes back as an HTTP error that still names the job.
            details['job'] = dict(job)
    return details
