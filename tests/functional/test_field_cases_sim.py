# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Field cases a playbook cannot provoke, driving the real ontap.rest.volume module against the simulator (F20, F22).

The module runs in-process (``main()`` with patched module arguments); the simulator's request log is the witness.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ontap_sim import testing

from ansible_collections.ontap.rest.plugins.modules import volume


@pytest.fixture(scope='module')
def sim():
    with testing.SimServer(job_seconds=0.5) as server:
        yield server


@pytest.fixture
def run_volume(sim, module_main):
    sim.reset()

    def run(**args):
        base = dict(hostname=sim.host, port=sim.port, username=sim.username, password=sim.password,
                    ca_path=sim.ca_path, validate_certs=True, poll_interval=0.3, max_poll_interval=1.0,
                    job_timeout=20.0, svm='svm1')
        base.update(args)
        return module_main(volume, base)
    return run


def test_F20_one_keep_alive_connection_per_task_polls_included(sim, run_volume):
    sim.set_job('POST', '/api/storage/volumes', seconds=1.5)
    sim.clear_log()
    result = run_volume(name='f20', size='100MiB', aggregates=['aggr1'], return_timeout=0)
    assert result['changed'] and result['job_wait']['outcome'] == 'success' and result['job_wait']['polls'] >= 2
    log = sim.log()
    assert any(entry['path'].startswith('/api/cluster/jobs/') for entry in log)
    assert len(set(entry['connection'] for entry in log)) == 1, log


def test_F20_job_poll_read_timeout_is_retried_inside_the_budget(sim, run_volume):
    sim.set_job('POST', '/api/storage/volumes', seconds=1.5)
    sim.add_fault('slow', method='GET', path='/api/cluster/jobs/*', seconds=3, count=1)
    result = run_volume(name='f20b', size='100MiB', aggregates=['aggr1'], return_timeout=0, http_timeout=1.0)
    assert not result.get('failed'), result
    assert result['job_wait']['outcome'] == 'success'


def test_F22_503_on_a_get_is_retried_and_never_a_traceback(sim, run_volume):
    run_volume(name='f22', size='100MiB', aggregates=['aggr1'])
    sim.add_fault('busy', method='GET', path='/api/storage/volumes', status=503, retry_after=1, count=2)
    sim.clear_log()
    result = run_volume(name='f22', size='100MiB')
    assert not result.get('failed') and result['changed'] is False, result
    gets = [e for e in sim.log() if e['method'] == 'GET' and e['path'] == '/api/storage/volumes']
    assert [e['status'] for e in gets] == [503, 503, 200]


def test_F22_503_that_persists_is_a_clear_message_not_a_traceback(sim, run_volume):
    sim.add_fault('busy', method='GET', path='/api/storage/volumes', status=503, retry_after=0.1)
    result = run_volume(name='f22b', size='100MiB')
    assert result['failed'] and 'HTTP 503' in result['msg'] and '/api/storage/volumes' in result['msg']
    assert 'exception' not in result and 'Traceback' not in result['msg']
