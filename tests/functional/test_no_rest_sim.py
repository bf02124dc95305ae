# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""D6 (F32): ``ontap.rest.job`` (``uuid:``) and ``ontap.rest.wait_for`` against a system without the REST API.

The simulator plays one with the ``not_found_version`` fault on every ``/api`` path (a non-JSON 404, as a web server
that knows no ``/api``; ZAPI still answers). The modules run in-process; the request log is the witness.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ontap_sim import testing

from ansible_collections.ontap.rest.plugins.modules import job as job_module
from ansible_collections.ontap.rest.plugins.modules import wait_for as wait_for_module

JOB_UUID = '0b6bc0f4-f0f7-11e8-9f02-005056bb5c0f'
VOLUME = 'storage/volumes/4a5bd3a4-f0f7-11e8-9f02-005056bb5c0f'


@pytest.fixture(scope='module')
def sim():
    with testing.SimServer(job_seconds=0.3) as server:
        yield server


@pytest.fixture
def run(sim, module_main, connection_args):
    """``run(module, **args) -> result dict`` of one in-process module run."""
    def run_module(module, **args):
        base = connection_args(sim, poll_interval=0.05, max_poll_interval=0.1, job_timeout=30.0)
        base.update(args)
        return module_main(module, base)
    return run_module


def no_rest(sim):
    sim.add_fault('not_found_version', method='*', path='/api/*')
    sim.clear_log()


def says_use_zapi(msg):
    return 'no ONTAP REST API' in msg and 'ontap.rest.zapi' in msg and 'ontap.rest.job with id:' in msg


@pytest.mark.parametrize('action', ['wait', 'cancel'])
def test_f32_job_by_uuid_on_a_system_without_rest_names_zapi_and_id(sim, api, run, action):
    no_rest(sim)
    result = run(job_module, uuid=JOB_UUID, action=action)
    assert result['failed'] and result['changed'] is False, result
    assert says_use_zapi(result['msg']), result
    assert 'was not found' not in result['msg'] and 'deletes a job' not in result['msg'], result
    assert [(e['method'], e['path']) for e in sim.log()] == [('GET', '/api/cluster/jobs/' + JOB_UUID),
                                                             ('GET', '/api/cluster')], sim.log()


def test_f32_wait_for_on_a_system_without_rest_fails_at_once_naming_zapi(sim, api, run):
    no_rest(sim)
    result = run(wait_for_module, path=VOLUME, field='state', values=['online'])
    assert result['failed'] and says_use_zapi(result['msg']), result
    assert [(e['method'], e['path']) for e in sim.log()] == [('GET', '/api/' + VOLUME), ('GET', '/api/cluster')]


def test_a_404_that_is_not_ontaps_on_a_system_with_rest_is_still_waited_on(sim, api, run):
    """Only the first such 404 is probed; REST answers the probe, so the wait goes on to its budget as before."""
    sim.add_fault('not_found_version', method='GET', path='/api/' + VOLUME)
    sim.clear_log()
    result = run(wait_for_module, path=VOLUME, field='state', values=['online'], job_timeout=0.5)
    assert result['failed'] and result['wait']['outcome'] == 'timed_out', result
    assert 'ontap.rest.zapi' not in result['msg'] and 'HTTP 404' in result['msg'], result
    paths = [e['path'] for e in sim.log()]
    assert paths.count('/api/cluster') == 1 and paths.count('/api/' + VOLUME) >= 3, paths
