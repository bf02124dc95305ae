# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the typed errors: helpers, outcome_unknown and their sentences."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.ontap.rest.plugins.module_utils.errors import (
    BUSY_CODES,
    OntapApiError,
    OntapError,
    OntapJobStateError,
    OntapNoRestError,
    OntapOptionError,
    OntapTransportError,
)

URL = 'https://cluster1.example.com:443/api/storage/volumes'


def test_helpers_are_boolean_properties():
    error = OntapApiError(404, code='4', message="entry doesn't exist", url=URL)
    assert error.is_not_found
    assert not error.is_duplicate
    assert error.is_not_found is True and error.is_duplicate is False


@pytest.mark.parametrize('status, code, helper', [
    (404, None, 'is_not_found'), (400, '4', 'is_not_found'),
    (409, None, 'is_duplicate'), (400, '1', 'is_duplicate'),
    (401, None, 'is_auth'), (403, '6', 'is_forbidden'),
    (429, None, 'is_busy'), (503, None, 'is_busy'), (409, '8', 'is_busy'), (400, '2621573', 'is_busy'),
    (500, None, 'is_server_error'), (502, None, 'is_server_error'),
])
def test_helpers(status, code, helper):
    assert getattr(OntapApiError(status, code=code), helper)


def test_busy_codes_are_the_documented_ones():
    assert BUSY_CODES == frozenset(['7', '8', '262160', '2621573', '13434894', '13303864', '144180205', '2432833'])


def test_code_is_kept_as_a_string():
    assert OntapApiError(400, code=262197).code == '262197'
    assert OntapApiError(400).code is None and OntapApiError(400).arguments == []


@pytest.mark.parametrize('method, status, unknown', [
    ('POST', 500, True), ('PATCH', 503, True), ('DELETE', 502, True),
    ('GET', 500, False), ('POST', 400, False), ('POST', 429, False),
])
def test_api_error_outcome_unknown_only_for_5xx_writes(method, status, unknown):
    error = OntapApiError(status, method=method, url=URL, message='x')
    assert bool(error.outcome_unknown) is unknown
    assert ('outcome is unknown' in str(error)) is unknown


@pytest.mark.parametrize('method, kind, unknown', [
    ('POST', 'timeout', True), ('PATCH', 'reset', True), ('DELETE', 'other', True),
    ('POST', 'connect', False), ('POST', 'tls', False), ('GET', 'timeout', False), ('GET', 'reset', False),
])
def test_transport_error_outcome_unknown_only_when_a_write_may_have_arrived(method, kind, unknown):
    error = OntapTransportError(kind, method, URL, 'why')
    assert bool(error.outcome_unknown) is unknown
    assert ('not resent' in str(error)) is unknown


def test_unknown_transport_kind_becomes_other():
    assert OntapTransportError('weird', 'GET', URL, 'x').kind == 'other'


def test_sentences_are_complete_and_repr_is_safe():
    errors = [
        OntapApiError(400, code='262197', message='The value "600" is invalid for field "return_timeout" (<0..120>)',
                      target='return_timeout', method='POST', url=URL),
        OntapApiError(503, message='busy', retry_after=5.0, url=URL),
        OntapTransportError('tls', 'GET', URL, 'certificate verify failed', hint='Use ca_path.'),
        OntapOptionError('return_timeout', 'return_timeout must be from 0 to 120 seconds.'),
        OntapNoRestError('cluster1.example.com:443'),
        OntapJobStateError('j1', {'uuid': 'j1', 'state': 'cancelled'}),
        OntapError('plain.'),
    ]
    for error in errors:
        text = str(error)
        assert text.endswith('.') and not text.endswith('..'), text
        assert type(error).__name__ in repr(error)
    assert str(errors[0]) == ('POST %s: HTTP 400; ONTAP error 262197: The value "600" is invalid for field '
                              '"return_timeout" (<0..120>) (target: return_timeout).' % URL)
    assert 'Retry-After: 5 s' in str(errors[1])
    assert OntapOptionError('x', 'm').option == 'x' and not OntapError('m').outcome_unknown


def test_job_state_error_never_claims_success():
    missing = OntapJobStateError('j1', {'uuid': 'j1'}, elapsed=12.0)
    assert 'no state' in str(missing) and 'not verified' in str(missing) and '12 s' in str(missing)
    assert missing.uuid == 'j1' and missing.job == {'uuid': 'j1'}
