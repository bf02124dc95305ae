# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Field mapping of ontap.rest.volume."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapOptionError
from ansible_collections.ontap.rest.plugins.module_utils.resource import Resource
from ansible_collections.ontap.rest.plugins.modules import volume


@pytest.mark.parametrize('text, expected', [
    ('10737418240', 10737418240),
    ('10GiB', 10 * 1024 ** 3),
    ('10g', 10 * 1024 ** 3),
    ('10GB', 10 * 1024 ** 3),
    ('500 MiB', 500 * 1024 ** 2),
    ('2TiB', 2 * 1024 ** 4),
    (4096, 4096),
])
def test_parse_size(text, expected):
    assert volume.parse_size(text) == expected


@pytest.mark.parametrize('text', ['ten gigs', '10XiB', '-5', '1.5GiB', ''])
def test_parse_size_rejects_with_the_option_name(text):
    with pytest.raises(ValueError, match='size'):
        volume.parse_size(text)


class FakeOntap(object):
    check_mode = False

    def __init__(self, params):
        self.params = params


def _params(**overrides):
    params = dict(name='vol1', svm='svm1', state='present', size=None, aggregates=None, junction_path=None, comment=None)
    params.update(overrides)
    return params


RECORD = {
    'uuid': 'u1', 'name': 'vol1', 'svm': {'name': 'svm1', 'uuid': 's1'}, 'size': 1024 ** 3,
    'aggregates': [{'name': 'aggr2', 'uuid': 'a2'}, {'name': 'aggr1', 'uuid': 'a1'}],
    'nas': {'path': '/vol1'}, 'comment': 'x',
}


def test_identical_request_means_no_change():
    resource = Resource(FakeOntap(_params(size=1024 ** 3, aggregates=['aggr1', 'aggr2'], junction_path='/vol1', comment='x')), volume.SPEC)
    assert resource.changes(RECORD) == {}


def test_only_differing_fields_are_sent():
    resource = Resource(FakeOntap(_params(size=2 * 1024 ** 3, junction_path='/vol1', comment='y')), volume.SPEC)
    changes = resource.changes(RECORD)
    assert changes == {'size': 2 * 1024 ** 3, 'comment': 'y'}
    assert resource.body(changes) == {'size': 2 * 1024 ** 3, 'comment': 'y'}


def test_aggregates_are_create_only():
    resource = Resource(FakeOntap(_params(aggregates=['aggr9'])), volume.SPEC)
    assert resource.changes(RECORD) == {}


def test_create_body_nests_dotted_fields():
    resource = Resource(FakeOntap(_params(size=1024, aggregates=['aggr1'], junction_path='/v')), volume.SPEC)
    body = volume.SPEC.create_body(resource.params)
    body.update(resource.body(resource.desired()))
    assert body == {'name': 'vol1', 'svm': {'name': 'svm1'}, 'size': 1024, 'aggregates': [{'name': 'aggr1'}], 'nas': {'path': '/v'}}


def test_lookup_reads_every_compared_field():
    fields = volume.SPEC.read_fields().split(',')
    for needed in ('uuid', 'name', 'svm.name', 'size', 'aggregates.name', 'nas.path', 'comment'):
        assert needed in fields


def test_new_volume_options_map_to_ontap_fields():
    resource = Resource(FakeOntap(_params(volume_state='offline', snapshot_policy='none', export_policy='ep1',
                                          space_guarantee='none', from_name=None)), volume.SPEC)
    record = dict(RECORD, state='online', snapshot_policy={'name': 'default'}, nas={'path': '/vol1',
                  'export_policy': {'name': 'default'}}, guarantee={'type': 'volume', 'honored': True})
    changes = resource.changes(record)
    assert resource.body(changes) == {'state': 'offline', 'snapshot_policy': {'name': 'none'},
                                      'nas': {'export_policy': {'name': 'ep1'}}, 'guarantee': {'type': 'none'}}
    assert volume.SPEC.rename == 'name'


class RecordingOntap(FakeOntap):
    def __init__(self, params):
        super(RecordingOntap, self).__init__(params)
        self.requests = []

    def read_records(self, path, query=None, retry=True):
        self.requests.append(('GET', path))
        return []

    def write(self, method, path, **kwargs):
        self.requests.append((method, path))
        return None, None


def test_m3_offline_with_a_junction_path_is_refused_before_any_request():
    ontap = RecordingOntap(_params(volume_state='offline', junction_path='/vol1', size='1GiB'))
    with pytest.raises(OntapOptionError) as info:
        volume.run(ontap)
    assert info.value.option == 'junction_path'
    assert 'volume_state: offline' in str(info.value) and 'junction_path' in str(info.value)
    assert ontap.requests == []
