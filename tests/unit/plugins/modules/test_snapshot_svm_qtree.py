# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Field mapping of ontap.rest.snapshot, ontap.rest.svm and ontap.rest.qtree."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.ontap.rest.plugins.module_utils.resource import Resource
from ansible_collections.ontap.rest.plugins.modules import qtree, snapshot, svm


class FakeOntap(object):
    check_mode = False

    def __init__(self, params, records=None):
        self.params = params
        self.records = records or {}
        self.reads = []

    def read_records(self, path, query=None, retry=True):
        self.reads.append((path, query))
        return self.records.get(path, [])


def test_snapshot_collection_resolves_the_volume_by_svm_and_name():
    ontap = FakeOntap(dict(svm='svm1', volume='vol1', name='s1', comment=None, expiry_time=None, snapmirror_label=None),
                      records={'storage/volumes': [{'uuid': 'vu', 'name': 'vol1', 'svm': {'name': 'svm1'}}]})
    resource = Resource(ontap, snapshot.SPEC)
    assert resource.collection == 'storage/volumes/vu/snapshots'
    assert ontap.reads[0][1]['svm.name'] == 'svm1' and ontap.reads[0][1]['name'] == 'vol1'
    assert resource.item_path({'uuid': 'su'}) == 'storage/volumes/vu/snapshots/su'
    assert resource.key_text().startswith('svm=svm1, volume=vol1')


def test_snapshot_body_and_changes():
    ontap = FakeOntap(dict(svm='svm1', volume='vol1', name='s1', comment='c', expiry_time=None, snapmirror_label='weekly'))
    resource = Resource(ontap, snapshot.SPEC)
    record = {'uuid': 'su', 'name': 's1', 'comment': 'c', 'snapmirror_label': '', 'create_time': 'x'}
    assert resource.changes(record) == {'snapmirror_label': 'weekly'}
    assert resource.body({'snapmirror_label': 'weekly'}) == {'snapmirror_label': 'weekly'}


def test_svm_mapping():
    params = dict(name='svm2', comment=None, language='c.utf_8', ipspace='ips1', aggregates=['aggr2', 'aggr1'],
                  svm_state='running')
    resource = Resource(FakeOntap(params), svm.SPEC)
    record = {'uuid': 'u', 'name': 'svm2', 'language': 'C.UTF_8', 'ipspace': {'name': 'Default'}, 'state': 'running',
              'aggregates': [{'name': 'aggr1', 'uuid': 'a1'}, {'name': 'aggr2', 'uuid': 'a2'}], 'comment': 'ONTAP'}
    assert resource.changes(record) == {}          # ipspace is create-only; aggregate order and case ignored
    assert resource.body({'aggregates': ['aggr1'], 'svm_state': 'stopped'}) == {
        'aggregates': [{'name': 'aggr1'}], 'state': 'stopped'}
    assert 'aggregates.name' in svm.SPEC.read_fields() and 'ipspace.name' in svm.SPEC.read_fields()


def test_qtree_path_and_fields():
    resource = Resource(FakeOntap(dict(svm='svm1', volume='vol1', name='q1', security_style=None, unix_permissions=750,
                                       export_policy=None)), qtree.SPEC)
    assert resource.item_path({'id': 3, 'volume': {'uuid': 'vu'}}) == 'storage/qtrees/vu/3'
    fields = qtree.SPEC.read_fields().split(',')
    assert 'id' in fields and 'volume.uuid' in fields and 'uuid' not in fields
    assert resource.key_query() == {'name': 'q1', 'volume.name': 'vol1', 'svm.name': 'svm1'}
    assert resource.changes({'unix_permissions': 755}) == {'unix_permissions': 750}
    assert qtree.SPEC.create_body(resource.params) == {'name': 'q1', 'svm': {'name': 'svm1'}, 'volume': {'name': 'vol1'}}


@pytest.mark.parametrize('text, expected', [('755', 755), ('0750', 750), (' 700 ', 700), ('1777', 1777)])
def test_qtree_mode(text, expected):
    assert qtree.parse_mode(text) == expected


@pytest.mark.parametrize('text', ['rwx', '89', '12345', '7a5'])
def test_qtree_mode_rejects(text):
    with pytest.raises(ValueError, match='unix_permissions'):
        qtree.parse_mode(text)


# -- the engine's one re-read decision for every resource module (issue 13) ---------------------------------------

class _Answer(object):
    def __init__(self, status_code, record):
        self.status_code = status_code
        self.body = {'job': {'uuid': 'j1'}, 'num_records': 1, 'records': [record]}


CASES = {
    'snapshot': (snapshot.SPEC, dict(svm='svm1', volume='vol1', name='s1', comment='c', expiry_time=None,
                                     snapmirror_label=None),
                 {'uuid': 'su', 'name': 's1', 'comment': 'c', 'state': 'valid', 'volume': {'name': 'vol1', 'uuid': 'vu'},
                  'svm': {'name': 'svm1'}, 'create_time': 't'}, {'comment': 'other'}),
    'svm': (svm.SPEC, dict(name='svm2', comment=None, language='c.utf_8', ipspace=None, aggregates=['aggr1'],
                           svm_state=None),
            {'uuid': 'u', 'name': 'svm2', 'language': 'c.utf_8', 'state': 'running', 'ipspace': {'name': 'Default'},
             'aggregates': [{'name': 'aggr1', 'uuid': 'a1'}]}, {'language': 'en_us'}),
    'qtree': (qtree.SPEC, dict(svm='svm1', volume='vol1', name='q1', security_style='unix', unix_permissions=750,
                               export_policy=None),
              {'id': 1, 'name': 'q1', 'security_style': 'unix', 'unix_permissions': 750, 'svm': {'name': 'svm1'},
               'volume': {'name': 'vol1', 'uuid': 'vu'}, 'path': '/vol1/q1'}, {'unix_permissions': 755}),
}


@pytest.mark.parametrize('module', sorted(CASES))
def test_a_201_record_that_shows_the_task_is_the_end_state_and_anything_else_is_read_again(module):
    spec, params, record, wrong = CASES[module]
    records = {'storage/volumes': [{'uuid': 'vu', 'name': 'vol1', 'svm': {'name': 'svm1'}}]}
    resource = Resource(FakeOntap(dict(params, state='present'), records=records), spec)
    step = resource.plan_create().steps[0]
    assert step.query == {'return_records': 'true'}
    used = resource.answered_record(step, _Answer(201, record))
    assert used is not None and resource.changes(used) == {}
    assert set(used) <= set(spec.read_fields().split(',')) | set(['_links', 'svm', 'volume', 'ipspace', 'aggregates'])
    assert resource.answered_record(step, _Answer(202, record)) is None           # F16: the 202's record is not it
    assert resource.answered_record(step, _Answer(201, dict(record, **wrong))) is None
    assert resource.answered_record(step, _Answer(201, dict(record, name='another'))) is None
    delete = resource.plan_delete(record)
    assert resource.end_record(delete, delete.steps[-1], _Answer(200, record)) == (None, 0)   # a delete: no read


def _svm_delete_plan(volumes):
    params = dict(name='svm2', comment=None, language=None, ipspace=None, aggregates=None, svm_state=None, state='absent')
    ontap = FakeOntap(params, records={'storage/volumes': volumes})
    if isinstance(volumes, Exception):
        def refuse(path, query=None, retry=True):
            ontap.reads.append((path, query))
            raise volumes
        ontap.read_records = refuse
    resource = Resource(ontap, svm.SPEC)
    return ontap, resource


def test_svm_delete_is_refused_while_it_holds_volumes_besides_its_root():
    volumes = [{'name': 'svm2_root', 'svm': {'uuid': 'u'}, 'is_svm_root': True}]
    volumes += [{'name': 'data%02d' % number, 'svm': {'uuid': 'u'}, 'is_svm_root': False} for number in range(12)]
    ontap, resource = _svm_delete_plan(volumes)
    with pytest.raises(svm.OntapError) as info:
        resource.plan_delete({'uuid': 'u', 'name': 'svm2'})
    text = str(info.value)
    assert 'holds 12 volume(s)' in text and 'data00' in text and 'data09' in text and 'and 2 more' in text
    assert 'svm2_root' not in text and 'nothing was sent' in text
    assert ontap.reads == [('storage/volumes', {'svm.uuid': 'u', 'fields': 'name,svm.uuid,is_svm_root'})]


def test_svm_delete_goes_on_with_only_the_root_volume_or_when_volumes_cannot_be_listed():
    _ontap, resource = _svm_delete_plan([{'name': 'svm2_root', 'svm': {'uuid': 'u'}, 'is_svm_root': True}])
    assert [step.method for step in resource.plan_delete({'uuid': 'u', 'name': 'svm2'}).steps] == ['DELETE']
    forbidden = svm.OntapApiError(403, code='6', message='not authorized', method='GET', url='/api/storage/volumes')
    ontap, resource = _svm_delete_plan(forbidden)
    assert [step.method for step in resource.plan_delete({'uuid': 'u', 'name': 'svm2'}).steps] == ['DELETE']
    assert ontap.reads                                   # it asked; ONTAP's own refusal (code 8) will speak if any
