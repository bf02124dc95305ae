# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A scripted transport at the client boundary, for unit tests that run a real module's ``main()`` (issue 10).

The module's runner, engine, poller and client all run as in production; only the HTTP exchange is replaced: every
request the client sends is matched against the next entry of an ordered script (method, path, a subset of the
query, the JSON body), answered from it, and every entry must be consumed. Time is a fake clock: ``sleep`` advances
it, and an entry may say how long ONTAP took to answer (``takes``), so budgets are exact and no test really sleeps.

Not a pytest module (no ``test_`` prefix).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import json
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

try:
    from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19+
except ImportError:  # ansible-core 2.16-2.18
    from unittest import mock

    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}).encode()):
            yield

from ansible_collections.ontap.rest.plugins.module_utils import client as client_mod
from ansible_collections.ontap.rest.plugins.module_utils import runner as runner_mod

_ANY = object()


def expect(method, path, query=None, body=_ANY, status=200, answer=None, headers=None, takes=0.0, error=None):
    """One scripted exchange.

    :param method: the HTTP method expected. :param path: the URL path expected (``/api/storage/volumes``).
    :param query: a dict every item of which must be in the request's query (values compared as strings).
    :param body: the JSON body expected (default: not checked; ``None``: no body).
    :param status: HTTP status of the answer. :param answer: the answer's JSON body.
    :param takes: seconds of fake time the answer takes (ONTAP holding the request for ``return_timeout``).
    :param error: an exception to raise instead of answering (``requests.exceptions.ReadTimeout(...)``).
    """
    return dict(method=method, path=path, query=query or {}, body=body, status=status, answer=answer,
                headers=headers or {}, takes=takes, error=error)


class FakeTime(object):
    """A module-level stand-in for ``time``: ``monotonic()``, ``time()`` and ``sleep(s)`` on a fake clock."""

    def __init__(self, now=1000.0):
        self.now = float(now)
        self.slept = []

    def monotonic(self):
        return self.now

    def time(self):
        return 1.8e9 + self.now

    def sleep(self, seconds):
        assert seconds >= 0, seconds
        self.slept.append(seconds)
        self.now += seconds


def _timeouts(timeout):
    """``(connect, read)`` seconds as urllib3 would use them for this attempt: a budget-bound timeout object is
    resolved at send time (on the fake clock), as urllib3 does when it clones it for an attempt."""
    if hasattr(timeout, 'clone'):
        attempt = timeout.clone()
        return (attempt.connect_timeout, attempt.read_timeout)
    return timeout


class ScriptedAdapter(BaseAdapter):
    """A ``requests`` transport adapter that plays a script (see :func:`expect`)."""

    def __init__(self, script, fake_time):
        super(ScriptedAdapter, self).__init__()
        self.script = list(script)
        self.fake_time = fake_time
        self.seen = []

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        parts = urlsplit(request.url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = json.loads(request.body) if request.body else None
        self.seen.append(dict(method=request.method, path=parts.path, query=query, body=body,
                              timeout=_timeouts(kwargs.get('timeout')), at=self.fake_time.now))
        if not self.script:
            raise AssertionError('unexpected request (the script is done): %s %s %s' % (request.method, parts.path, query))
        entry = self.script.pop(0)
        where = '%s %s %s' % (request.method, parts.path, query)
        assert request.method == entry['method'] and parts.path == entry['path'], 'expected %s %s, got %s' % (
            entry['method'], entry['path'], where)
        for key, value in entry['query'].items():
            assert query.get(key) == str(value), 'query %s: expected %r, got %r (%s)' % (key, value, query.get(key), where)
        if entry['body'] is not _ANY:
            assert body == entry['body'], 'body: expected %r, got %r (%s)' % (entry['body'], body, where)
        self.fake_time.now += entry['takes']
        if entry['error'] is not None:
            raise entry['error']
        response = requests.Response()
        response.status_code = entry['status']
        response.headers = CaseInsensitiveDict(dict({'Content-Type': 'application/json'}, **entry['headers']))
        response._content = json.dumps(entry['answer']).encode() if entry['answer'] is not None else b''  # pylint: disable=protected-access
        response.url = request.url
        response.request = request
        response.encoding = 'utf-8'
        return response

    def close(self):
        pass


class Seam(object):
    """Runs a module's ``main()`` against a script; see :func:`scripted` (the pytest fixture's value)."""

    def __init__(self, monkeypatch, capsys):
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        self.time = FakeTime()
        self.adapter = None

    def run(self, module, script, check=False, diff=False, **args):
        """Run ``module.main()`` with ``args`` (connection options filled in) and ``script``; returns its JSON
        result. Fails the test when a scripted exchange was not consumed."""
        self.adapter = ScriptedAdapter(script, self.time)
        adapter = self.adapter
        self.monkeypatch.setattr(client_mod._OntapSession, 'get_adapter', lambda session, url: adapter)  # pylint: disable=protected-access
        self.monkeypatch.setattr(runner_mod, 'time', self.time)
        base = dict(hostname='cluster1.example.com', username='admin', password='netapp1!', validate_certs=False)
        base.update(args)
        if check:
            base['_ansible_check_mode'] = True
        if diff:
            base['_ansible_diff'] = True
        self.capsys.readouterr()
        with patch_module_args(base):
            with pytest.raises(SystemExit):
                module.main()
        result = json.loads(self.capsys.readouterr().out)
        assert adapter.script == [], 'scripted requests never sent: %s' % [
            '%s %s' % (entry['method'], entry['path']) for entry in adapter.script]
        return result

    @property
    def seen(self):
        """Every request sent, in order (``method``, ``path``, ``query``, ``body``, ``timeout``, ``at``)."""
        return self.adapter.seen


def job(uuid, state, message=None, code=0, **extra):
    """A job object as ONTAP returns it."""
    body = dict(uuid=uuid, state=state, message=message or state, code=code,
                _links={'self': {'href': '/api/cluster/jobs/%s' % uuid}})
    body.update(extra)
    return body


def accepted(uuid):
    """``{"job": {"uuid", "_links"}}``, the body of an asynchronous write's answer."""
    return {'job': {'uuid': uuid, '_links': {'self': {'href': '/api/cluster/jobs/%s' % uuid}}}}


def records(*items):
    """A collection answer."""
    return {'records': list(items), 'num_records': len(items)}
