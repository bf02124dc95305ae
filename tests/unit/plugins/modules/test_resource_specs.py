# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every resource module's spec against its documentation and NetApp's OpenAPI definition (issue 10).

- the argument spec is built from the spec alone (``ResourceSpec.argument_spec``), and DOCUMENTATION's own options
  (the doc fragments' aside) equal it option for option: type, elements, choices, default, required, aliases;
- every ONTAP field the spec reads, sends or filters on exists in the OpenAPI definition of the resource
  (``shared/ontap-openapi/swagger_full.yaml``, 9.8; later fields would be listed in :data:`POST_98_FIELDS`);
- where the OpenAPI definition marks a field create-only (``x-ntap-createOnly``/``x-ntap-readCreate``), the spec's
  field is create-only too; no spec field is one that OpenAPI marks read-only.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest
import yaml

from ansible_collections.ontap.rest.plugins.module_utils.options import async_job_spec, connection_spec
from ansible_collections.ontap.rest.plugins.modules import qtree, snapshot, svm, volume

MODULES = {'volume': volume, 'snapshot': snapshot, 'svm': svm, 'qtree': qtree}

#: Fields ONTAP added after the 9.8 OpenAPI definition that a spec uses, with the release (the simulator's own
#: OpenAPI check lists the same, tests/simulator/tests/conftest.py).
POST_98_FIELDS = {'snapshot': ('snapmirror_label',)}           # 9.9

#: Where the spec lives relative to the repository: ``../shared/ontap-openapi/`` (the build tree of ansible-test is
#: deeper, so every ancestor is tried).
SPEC_PARTS = ('shared', 'ontap-openapi', 'swagger_full.yaml')


def _find_openapi():
    here = os.path.dirname(os.path.abspath(__file__))
    while True:
        candidate = os.path.join(here, *SPEC_PARTS)
        if os.path.exists(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            raise AssertionError('NetApp\'s OpenAPI definition (%s) was not found beside any ancestor of %s'
                                 % (os.path.join(*SPEC_PARTS), __file__))
        here = parent


@pytest.fixture(scope='module')
def definitions():
    loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
    with open(_find_openapi()) as handle:
        return yaml.load(handle, Loader=loader)['definitions']  # nosec - safe loader


def _resolve(definitions, node):
    while isinstance(node, dict) and '$ref' in node:
        node = definitions[node['$ref'].rsplit('/', 1)[-1]]
    return node


def _property(definitions, name, dotted):
    """The OpenAPI property at ``dotted`` (through objects and array items) of definition ``name``, or ``None``."""
    node = _resolve(definitions, definitions[name])
    for part in dotted.split('.'):
        if node.get('type') == 'array' and 'items' in node:
            node = _resolve(definitions, node['items'])
        node = _resolve(definitions, (node.get('properties') or {}).get(part))
        if node is None:
            return None
    return node


def _doc_options(module):
    doc = yaml.safe_load(module.DOCUMENTATION)
    shared = set(connection_spec()) | set(async_job_spec())
    return dict((name, option) for name, option in doc['options'].items() if name not in shared)


def _normal(entry):
    """The comparable shape of one option: DOCUMENTATION entry or argument-spec entry."""
    return dict(type=entry.get('type', 'str'), elements=entry.get('elements'),
                choices=sorted(entry['choices']) if entry.get('choices') else None, default=entry.get('default'),
                required=bool(entry.get('required', False)), aliases=sorted(entry.get('aliases') or []))


@pytest.mark.parametrize('name', sorted(MODULES))
def test_documentation_options_equal_the_argument_spec_built_from_the_spec(name):
    built = MODULES[name].SPEC.argument_spec()
    documented = _doc_options(MODULES[name])
    assert sorted(documented) == sorted(built), 'options documented but not in the spec, or the reverse'
    for option in built:
        assert _normal(documented[option]) == _normal(built[option]), option


@pytest.mark.parametrize('name', sorted(MODULES))
def test_every_field_of_the_spec_exists_in_the_openapi_definition(name, definitions):
    spec = MODULES[name].SPEC
    paths = set(spec.keys.values()) | set(spec.id_fields)
    for field in spec.fields:
        paths.update([field.path, field.read_path])
    missing = sorted(path for path in paths
                     if _property(definitions, spec.name, path) is None and path not in POST_98_FIELDS.get(name, ()))
    assert missing == [], 'fields not in the OpenAPI definition %r: %s' % (spec.name, missing)


@pytest.mark.parametrize('name', sorted(MODULES))
def test_create_only_and_read_only_agree_with_the_openapi_definition(name, definitions):
    spec = MODULES[name].SPEC
    for field in spec.fields:
        for path in set([field.path, field.path.split('.')[0]]):
            prop = _property(definitions, spec.name, path) or {}
            if prop.get('x-ntap-createOnly') or prop.get('x-ntap-readCreate'):
                assert field.create_only, '%s (%s) is create-only in ONTAP' % (field.option, path)
        assert not (_property(definitions, spec.name, field.path) or {}).get('readOnly'), field.option


def test_the_openapi_walk_finds_what_it_should(definitions):
    # The checks above prove something only if the walk can fail: known fields are found, made-up ones are not.
    assert _property(definitions, 'volume', 'nas.path')['type'] == 'string'
    assert _property(definitions, 'volume', 'aggregates.name') is not None
    assert _property(definitions, 'volume', 'nas.no_such_field') is None
    assert _property(definitions, 'svm', 'ipspace').get('x-ntap-readCreate') is True
    assert _property(definitions, 'snapshot', 'state').get('readOnly') is True
