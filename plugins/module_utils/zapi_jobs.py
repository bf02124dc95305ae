# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Private to ontap.rest before 1.0: not a public API; it may change in any release (use the modules instead).
"""ZAPI jobs and ZAPI errors as plain Python (no netapp-lib here: ``zapi.py`` is the only importer).

ONTAP facts (``shared/ONTAP_ZAPI.md``, which cites NetApp's ONTAPI-to-REST mapping, job page, Trident's generated ZAPI
types and netapp-lib 2021.6.25):

- ``job-get-iter`` renders ``job-info`` with ``job-id``, ``job-uuid``, ``job-state``, ``job-status-code``,
  ``job-completion``, ``job-progress``, ``job-description``, ``job-vserver``, ``job-start-time``/``job-end-time``
  (epoch seconds);
- ZAPI has 16 job states; NetApp maps them onto REST's five (:data:`ZAPI_JOB_STATES`): only ``success`` and
  ``failure``/``error``/``quit``/``dead`` are terminal;
- an asynchronous call answers ``result-status`` (``succeeded``, ``in_progress``, ``failed``), ``result-jobid``,
  ``result-error-code``, ``result-error-message``; the ``-iter-async`` calls answer ``success-list``/``failure-list``
  of ``*-info`` elements with ``status``, ``jobid``, ``error-code``, ``error-message``;
- errno ``15661`` (EOBJECTNOTFOUND) is "entry doesn't exist", ``13003`` (EAPIPRIVILEGE) a missing privilege.

ZAPI answers arrive here as dicts (``zapi.ZapiConnection.call``): element names as keys, text as strings, and the
children of an element whose name ends with ``-list`` as a list.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

from ansible_collections.ontap.rest.plugins.module_utils.errors import (
    OntapApiError,
    OntapError,
    OntapJobStateError,
    OntapTransportError,
)

#: ZAPI ``job-state`` -> REST ``state`` (NetApp, ONTAPI-to-REST mapping, job page): all 16 values.
ZAPI_JOB_STATES = {
    'initial': 'queued',
    'queued': 'queued',
    'running': 'running',
    'waiting': 'running',
    'pausing': 'running',
    'quitting': 'running',
    'reschedule': 'running',
    'restart': 'running',
    'dormant': 'running',
    'unknown': 'running',
    'paused': 'paused',
    'success': 'success',
    'failure': 'failure',
    'error': 'failure',
    'quit': 'failure',
    'dead': 'failure',
}

#: ``result-status`` values of an asynchronous ZAPI call.
START_STATUSES = ('succeeded', 'in_progress', 'failed')

EOBJECTNOTFOUND = '15661'
EAPIPRIVILEGE = '13003'


class OntapZapiError(OntapApiError):
    """A ZAPI call that got an answer but not a passed result: an errno (``results status="failed"``), an HTTP error
    status (401, 404, 5xx), or no job where one was asked for.

    :ivar api: ZAPI name (``job-get-iter``). :ivar errno: ZAPI errno as a string (``'15661'``) or ``None``
        (also in ``code``). :ivar status: HTTP status (200 for an errno answer). :ivar write: the call may change
        something (a 5xx then leaves its outcome unknown).
    """

    def __init__(self, api, status=200, errno=None, message='', url='', write=False, not_found=False):
        self.api = api
        self.errno = None if errno is None else str(errno)
        self.write = bool(write)
        self._not_found = not_found
        super(OntapZapiError, self).__init__(status, code=self.errno, message=message, method='POST', url=url)

    @property
    def is_not_found(self):
        """errno 15661 ("entry doesn't exist"), or a query that matched nothing."""
        return self._not_found or self.errno == EOBJECTNOTFOUND

    @property
    def is_forbidden(self):
        """HTTP 403 or errno 13003 (insufficient privileges)."""
        return self.status == 403 or self.errno == EAPIPRIVILEGE

    @property
    def outcome_unknown(self):
        """A write answered with an HTTP 5xx: ONTAP may have carried it out."""
        return getattr(self, 'write', False) and self.status >= 500

    def _sentence(self):
        text = 'ZAPI %s%s: ' % (self.api, ' at %s' % self.url if self.url else '')
        if self.status == 401:
            text += ('HTTP 401 Unauthorized: the credentials were rejected (check username/password or the client '
                     'certificate, and that the account may use ontapi)')
        elif self.status == 404:
            text += 'HTTP 404: the system does not serve ZAPI (ONTAPI) at this address'
        elif self.status != 200:
            text += 'HTTP %d' % self.status
            if self.message:
                text += ' (%s)' % self.message
        elif self.errno is not None:
            text += 'errno %s: %s' % (self.errno, self.message or '(no reason given)')
        else:
            text += self.message or 'failed without a reason'
        text = text.rstrip('. ') + '.'
        if self.outcome_unknown:
            text += (' The outcome is unknown: the call may have reached ONTAP and been carried out; it was not resent. '
                     'Check the state of the resource (or the cluster\'s recent jobs) before trying again.')
        return text


class OntapZapiTransportError(OntapTransportError):
    """No usable ZAPI answer: connect, TLS, timeout, reset, or an answer that is not ZAPI XML.

    :ivar api: ZAPI name; :ivar write: the call may change something (then ``timeout``, ``reset`` and ``other``
        leave its outcome unknown).
    """

    def __init__(self, kind, api, url, reason, hint='', write=False):
        self.api = api
        self.write = bool(write)
        super(OntapZapiTransportError, self).__init__(kind, 'POST', '%s (ZAPI %s)' % (url, api), reason, hint)

    @property
    def outcome_unknown(self):
        return getattr(self, 'write', False) and self.kind in ('timeout', 'reset', 'other')


class OntapZapiJobStateError(OntapJobStateError):
    """A ``job-get-iter`` answer whose ``job-state`` is missing or not one of the 16 ZAPI states (never guessed)."""

    def __init__(self, job_id, job, elapsed=None):
        self.uuid = job_id
        self.job = job
        state = job.get('zapi_state') if isinstance(job, dict) else None
        what = 'no job-state' if state is None else 'the unknown job-state %r' % (state,)
        msg = ('ZAPI job %s: reading the job returned %s (expected one of %s); the outcome was not verified'
               % (job_id, what, ', '.join(sorted(ZAPI_JOB_STATES))))
        if elapsed is not None:
            msg += ' (after %.0f s)' % elapsed
        OntapError.__init__(self, msg + '.')   # pylint: disable=non-parent-init-called


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _iso(epoch):
    seconds = _int(epoch)
    if seconds is None:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat()


def zapi_job(info, job_id=None):
    """A ``job-info`` dict as a REST-shaped job.

    :param info: ``job-info`` as a dict of strings.
    :returns: ``{'id': int, 'uuid', 'state' (REST), 'zapi_state' (as sent), 'message', 'code' (int), 'description',
        'svm': {'name'}, 'start_time', 'end_time' (ISO 8601, UTC)}``; absent facts are left out (``uuid`` is always
        there, ``None`` when not sent). ``message`` is ``job-completion``, else ``job-progress``.
    :raises OntapZapiJobStateError: ``job-state`` missing or not one of the 16 ZAPI states.
    """
    info = info if isinstance(info, dict) else {}
    raw = info.get('job-state')
    job = {'id': _int(info.get('job-id')) if info.get('job-id') is not None else job_id,
           'uuid': info.get('job-uuid') or None, 'zapi_state': raw}
    message = info.get('job-completion') or info.get('job-progress')
    if message:
        job['message'] = message
    if _int(info.get('job-status-code')) is not None:
        job['code'] = _int(info.get('job-status-code'))
    if info.get('job-description'):
        job['description'] = info['job-description']
    if info.get('job-vserver'):
        job['svm'] = {'name': info['job-vserver']}
    for key, name in (('job-start-time', 'start_time'), ('job-end-time', 'end_time')):
        if _iso(info.get(key)):
            job[name] = _iso(info.get(key))
    if raw not in ZAPI_JOB_STATES:
        raise OntapZapiJobStateError(job['id'], job)
    job['state'] = ZAPI_JOB_STATES[raw]
    return job


def parse_start(results, api=''):
    """The job(s) an asynchronous ZAPI answer names, or ``[]`` for a synchronous answer.

    :param results: the answer as a dict (``result-status``/``result-jobid``/..., or ``success-list``/``failure-list``).
    :returns: list of ``{'status': succeeded|in_progress|failed, 'jobid': int or None, 'error_code': int or None,
        'error_message': str or None}``.
    :raises OntapZapiError: a ``result-status`` outside :data:`START_STATUSES`, or ``in_progress`` without a job id
        (the job could not be followed; never taken as success).
    """
    results = results if isinstance(results, dict) else {}
    entries = []
    if results.get('result-status') is not None or results.get('result-jobid') is not None:
        entries.append((results.get('result-status'), results.get('result-jobid'), results.get('result-error-code'),
                        results.get('result-error-message')))
    for name, default in (('success-list', 'in_progress'), ('failure-list', 'failed')):
        for item in results.get(name) or []:
            item = item if isinstance(item, dict) else {}
            if len(item) == 1 and isinstance(list(item.values())[0], dict):
                item = list(item.values())[0]       # {'volume-modify-iter-async-info': {...}}
            entries.append((item.get('status') or default, item.get('jobid'), item.get('error-code'),
                            item.get('error-message')))
    starts = []
    for status, jobid, code, message in entries:
        if status not in START_STATUSES:
            raise OntapZapiError(api, message='the answer has result-status %r (expected succeeded, in_progress or '
                                 'failed); the outcome was not verified' % (status,))
        if status == 'in_progress' and _int(jobid) is None:
            raise OntapZapiError(api, message='the answer has result-status in_progress without a usable '
                                 'result-jobid (%r); the job cannot be followed and the outcome was not verified'
                                 % (jobid,))
        starts.append({'status': status, 'jobid': _int(jobid), 'error_code': _int(code) if _int(code) is not None
                       else code, 'error_message': message})
    return starts


def read_zapi_job(call, job_id):
    """Read one job with ``job-get-iter`` by ``job-id`` (not tunnelled: as cluster admin the job may belong to the
    admin SVM, shared/ONTAP_ZAPI.md 2.2).

    :param call: ``call(api, args) -> dict`` (``ZapiConnection.call`` with ``write=False``).
    :returns: the REST-shaped job (:func:`zapi_job`).
    :raises OntapZapiError: ``is_not_found`` when no job has that id (``num-records`` 0), or the call's error.
    """
    answer = call('job-get-iter', {'query': {'job-info': {'job-id': str(job_id)}}})
    records = answer.get('attributes-list') or [] if isinstance(answer, dict) else []
    infos = [item.get('job-info') for item in records if isinstance(item, dict) and item.get('job-info')]
    if not infos:
        raise OntapZapiError('job-get-iter', message='no job has job-id %s (num-records %s)'
                             % (job_id, answer.get('num-records') if isinstance(answer, dict) else None),
                             not_found=True)
    return zapi_job(infos[0], job_id)


def zapi_job_reader(connection):
    """A ``read_job(job_id) -> job dict`` for :class:`JobPoller` with ``key='id'``: ZAPI ``job-get-iter`` by the
    integer job id through ``connection`` (``zapi.ZapiConnection``), the 16 ZAPI states mapped as NetApp maps them
    (:func:`zapi_job`: REST ``state`` plus the raw ``zapi_state``). No match is an ``is_not_found`` error, so
    the poller's bounded not-found re-reads apply."""
    def read_job(job_id):
        return read_zapi_job(connection.call, job_id)
    return read_job
