# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource base shared by state-managing modules (volume, ...): look up, plan, check/diff, execute, verify.

A module describes its resource with a :class:`ResourceSpec` (collection path, natural key, ONTAP fields and how
options map to them) and calls :func:`run_resource`. Everything that decides the task's outcome lives here, once:

- lookup by the natural key with explicit ``fields``, following ``_links.next`` (a cut-off read is never "absent");
- plan: create, modify (only fields that differ after normalisation), delete, or nothing; an identical second run
  sends no write and starts no job (FIELD_CASES F27);
- check mode reports the plan and sends nothing (F28); diff mode returns ``diff`` (before/after);
- execute through the shared job poller; after a create/modify job succeeds, re-read the object with a short bounded
  backoff, since a job can report success a moment before the object is visible (F16);
- a job whose status cannot be read (403/404 on the job GET), or a write whose answer was lost (5xx, dropped
  connection, read timeout), is verified on the resource: the task succeeds with a warning only when the cluster
  shows the intended end state, and fails saying the outcome is unknown otherwise (F07, F13, F14);
- ``state: absent`` on an object already gone, or gone by the time the DELETE arrives (404), is converged (F24);
- a create refused as a duplicate (409 / code 1) re-reads by the natural key and converges (F25).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapApiError, OntapError, OntapTransportError

#: Pauses (seconds) between re-reads of an object a job just created or changed (read-after-write lag, F16).
REREAD_PAUSES = (0.2, 0.5, 1.0, 2.0)

_MISSING = object()


def get_path(record, dotted):
    """Value at ``dotted`` (``'nas.path'``) in a nested dict, or ``None`` when any part is missing."""
    value = record
    for part in dotted.split('.'):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def set_path(body, dotted, value):
    """Set ``dotted`` (``'nas.path'``) in the nested dict ``body``, creating levels as needed."""
    parts = dotted.split('.')
    for part in parts[:-1]:
        body = body.setdefault(part, {})
    body[parts[-1]] = value


class Field(object):
    """One module option mapped to one ONTAP field.

    :param option: module option name.
    :param path: ONTAP field, dotted (``'nas.path'``); read with ``fields=`` and sent in bodies at that place.
    :param to_api: option value -> ONTAP value (default: unchanged).
    :param from_api: ONTAP value as read -> comparable option value (default: unchanged).
    :param create_only: sent on create, never compared or modified (a mismatch is ignored).
    :param read_path: the ``fields=`` name when it differs from ``path`` (``'aggregates.name'``).
    """

    def __init__(self, option, path, to_api=None, from_api=None, create_only=False, read_path=None):
        self.option = option
        self.path = path
        self.to_api = to_api or (lambda value: value)
        self.from_api = from_api or (lambda value: value)
        self.create_only = create_only
        self.read_path = read_path or path


class ResourceSpec(object):
    """What a module tells the base about its resource.

    :param name: result key and noun in messages (``'volume'``).
    :param collection: collection path (``'storage/volumes'``); one object is ``<collection>/<uuid>``.
    :param keys: ``{option: ONTAP query field}`` forming the natural key (``{'name': 'name', 'svm': 'svm.name'}``).
    :param fields: list of :class:`Field` for the compared/sent attributes.
    :param create_body: ``params -> dict`` of key fields to add to a POST body (``{'svm': {'name': 'svm1'}}``).
    """

    def __init__(self, name, collection, keys, fields, create_body):
        self.name = name
        self.collection = collection
        self.keys = keys
        self.fields = fields
        self.create_body = create_body

    def read_fields(self):
        names = ['uuid'] + list(self.keys.values()) + [field.read_path for field in self.fields]
        return ','.join(sorted(set(names)))


class Resource(object):
    """One run of ``state: present|absent`` for one object, on an :class:`runner.OntapModule`."""

    def __init__(self, ontap, spec):
        self.ontap = ontap
        self.spec = spec
        self.params = ontap.params

    # -- reading -------------------------------------------------------------------------------------------------

    def key_query(self):
        return dict((field, self.params[option]) for option, field in self.spec.keys.items())

    def key_text(self):
        return ', '.join('%s=%s' % (option, self.params[option]) for option in self.spec.keys)

    def lookup(self):
        """The object found by its natural key, or ``None``. :raises errors.OntapError: on ambiguity or read errors."""
        query = self.key_query()
        query['fields'] = self.spec.read_fields()
        records = self.ontap.read_records(self.spec.collection, query=query)
        if len(records) > 1:
            raise OntapError('%d %ss match %s; the natural key must select one.' % (len(records), self.spec.name, self.key_text()))
        return records[0] if records else None

    def reread(self, want_present=True):
        """Re-read after a write, with a short bounded backoff until the object is (or is no longer) visible."""
        record = self.lookup()
        for pause in REREAD_PAUSES:
            if (record is not None) == want_present:
                break
            self.ontap.sleep(pause)
            record = self.lookup()
        return record

    # -- planning ------------------------------------------------------------------------------------------------

    def comparable(self, record):
        """``{option: value}`` of ``record`` for every field the task sets, in option terms."""
        values = {}
        for field in self.spec.fields:
            if self.params.get(field.option) is None:
                continue
            values[field.option] = field.from_api(get_path(record, field.path))
        return values

    def desired(self):
        return dict((field.option, self.params[field.option]) for field in self.spec.fields
                    if self.params.get(field.option) is not None)

    def changes(self, record):
        """Options whose desired value differs from ``record`` (create-only fields excluded)."""
        current = self.comparable(record)
        return dict((field.option, self.params[field.option]) for field in self.spec.fields
                    if not field.create_only and self.params.get(field.option) is not None
                    and current.get(field.option) != self.params[field.option])

    def body(self, options):
        body = {}
        for field in self.spec.fields:
            if field.option in options:
                set_path(body, field.path, field.to_api(options[field.option]))
        return body

    # -- executing -----------------------------------------------------------------------------------------------

    def run(self):
        record = self.lookup()
        state = self.params['state']
        if state == 'absent':
            if record is None:
                self.ontap.exit(False, **{self.spec.name: None})
            return self.delete(record)
        if record is None:
            return self.create()
        changes = self.changes(record)
        if not changes:
            self.ontap.exit(False, **{self.spec.name: record})
        return self.modify(record, changes)

    def _diff(self, before, after):
        return dict(before=before or {}, after=after or {})

    def create(self):
        desired = self.desired()
        diff = self._diff({}, dict(self.key_query(), **desired))
        body = self.spec.create_body(self.params)
        body.update(self.body(desired))
        if self.ontap.check_mode:
            self.ontap.write('POST', self.spec.collection, body=body)
            self.ontap.exit(True, diff=diff, **{self.spec.name: None})
        try:
            response, wait_result = self.ontap.write('POST', self.spec.collection, body=body)
        except OntapApiError as exc:
            if exc.is_duplicate:
                return self._converge_duplicate(exc)
            if not exc.is_server_error:
                raise
            return self._verify_after_error(exc, 'create', want_present=True)
        except OntapTransportError as exc:
            return self._verify_after_error(exc, 'create', want_present=True)
        return self._finish(wait_result, diff, want_present=True)

    def modify(self, record, changes):
        diff = self._diff(self.comparable(record), dict(self.comparable(record), **changes))
        path = '%s/%s' % (self.spec.collection, record['uuid'])
        if self.ontap.check_mode:
            self.ontap.write('PATCH', path, body=self.body(changes))
            self.ontap.exit(True, diff=diff, **{self.spec.name: record})
        try:
            response, wait_result = self.ontap.write('PATCH', path, body=self.body(changes))
        except (OntapApiError, OntapTransportError) as exc:
            if isinstance(exc, OntapApiError) and not exc.is_server_error:
                raise
            return self._verify_after_error(exc, 'modify', want_present=True)
        return self._finish(wait_result, diff, want_present=True)

    def delete(self, record):
        diff = self._diff(self.comparable(record), {})
        path = '%s/%s' % (self.spec.collection, record['uuid'])
        if self.ontap.check_mode:
            self.ontap.write('DELETE', path)
            self.ontap.exit(True, diff=diff, **{self.spec.name: None})
        try:
            response, wait_result = self.ontap.write('DELETE', path)
        except OntapApiError as exc:
            if exc.is_not_found:
                # Gone between the lookup and the DELETE: absent is converged (F24).
                self.ontap.exit(False, **{self.spec.name: None})
            if not exc.is_server_error:
                raise
            return self._verify_after_error(exc, 'delete', want_present=False)
        except OntapTransportError as exc:
            return self._verify_after_error(exc, 'delete', want_present=False)
        return self._finish(wait_result, diff, want_present=False)

    def _holds(self, record, want_present):
        if not want_present:
            return record is None
        return record is not None and not self.changes(record)

    def _finish(self, wait_result, diff, want_present):
        outcome = wait_result.outcome if wait_result is not None else 'success'
        if outcome in ('success', 'not_waited'):
            record = self.reread(want_present) if outcome == 'success' else None
            self.ontap.exit_job(wait_result, changed=True, diff=diff, **{self.spec.name: record})
        if outcome == 'unreadable':
            record = self.reread(want_present)
            if self._holds(record, want_present):
                self.ontap.warnings.append('%s The %s now shows the intended state, so the task succeeds.'
                                           % (wait_result.message, self.spec.name))
                result = wait_result.as_result()
                result.update(diff=diff)
                result[self.spec.name] = record
                self.ontap.exit(True, **result)
        self.ontap.exit_job(wait_result, changed=True, diff=diff)

    def _verify_after_error(self, exc, action, want_present):
        """The write's answer was lost or was a 5xx: look at the cluster before saying anything (F07)."""
        record = self.reread(want_present)
        if self._holds(record, want_present):
            self.ontap.warnings.append('The %s request got no clear answer (%s), but the %s now shows the intended '
                                       'state; the request was not resent.' % (action, exc, self.spec.name))
            self.ontap.exit(True, **{self.spec.name: record})
        self.ontap.fail('The outcome of the %s of %s %s is unknown: %s. The %s does not show the intended state yet; '
                        'the request was not resent. Check the cluster (for example with ontap.rest.job_info) before retrying.'
                        % (action, self.spec.name, self.key_text(), exc, self.spec.name), changed=True)

    def _converge_duplicate(self, exc):
        record = self.reread(True)
        if record is None:
            self.ontap.fail('ONTAP refused to create %s %s as a duplicate (%s), but no %s matches %s: another object '
                            'holds a key ONTAP treats as unique.' % (self.spec.name, self.key_text(), exc.message,
                                                                     self.spec.name, self.key_text()))
        changes = self.changes(record)
        if changes:
            return self.modify(record, changes)
        self.ontap.exit(False, **{self.spec.name: record})


def run_resource(ontap, spec):
    """Run ``state: present|absent`` for ``spec`` on ``ontap`` (a :class:`runner.OntapModule`); never returns."""
    Resource(ontap, spec).run()
