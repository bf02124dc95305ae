# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each argument-spec builder matches its doc fragment: same options, types, defaults and no_log."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import yaml

from ansible_collections.ontap.rest.plugins.doc_fragments import async_job, connection
from ansible_collections.ontap.rest.plugins.module_utils import options
from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapOptionError

PAIRS = [
    (options.connection_spec, connection.ModuleDocFragment.DOCUMENTATION),
    (options.async_job_spec, async_job.ModuleDocFragment.DOCUMENTATION),
]


@pytest.mark.parametrize('builder, fragment', PAIRS, ids=['connection', 'async_job'])
def test_builder_matches_fragment(builder, fragment):
    documented = yaml.safe_load(fragment)['options']
    spec = builder()
    assert sorted(spec) == sorted(documented)
    for name, doc in documented.items():
        assert spec[name]['type'] == doc['type'], name
        assert spec[name].get('default') == doc.get('default'), name
        assert bool(spec[name].get('required')) == bool(doc.get('required')), name


def test_secrets_are_no_log():
    spec = options.connection_spec()
    assert spec['password']['no_log'] is True
    assert spec['token']['no_log'] is True


def test_every_connection_option_falls_back_to_its_environment_variable():
    for name, option in options.connection_spec().items():
        function, args = option['fallback']
        assert args == ['ONTAP_' + name.upper()]
        assert function.__name__ == 'env_fallback'


def test_builders_return_fresh_dicts():
    first = options.async_job_spec()
    first['return_timeout']['default'] = 99
    assert options.async_job_spec()['return_timeout']['default'] == 120


@pytest.mark.parametrize('option', ['http_timeout', 'job_timeout', 'poll_interval', 'max_poll_interval', 'return_timeout'])
@pytest.mark.parametrize('value', [float('inf'), float('-inf'), float('nan'), -1, -0.5])
def test_d7_non_finite_or_negative_numbers_are_option_errors_naming_the_option(option, value):
    with pytest.raises(OntapOptionError) as info:
        options.check_numbers({option: value})
    assert info.value.option == option and str(info.value).startswith(option + ' must be ')


@pytest.mark.parametrize('option, value', [('http_timeout', 0), ('poll_interval', 0), ('max_poll_interval', 0),
                                           ('return_timeout', 121), ('return_timeout', 2.5)])
def test_d7_out_of_range_numbers_are_option_errors(option, value):
    with pytest.raises(OntapOptionError) as info:
        options.check_numbers({option: value})
    assert info.value.option == option


def test_d7_the_defaults_and_ordinary_values_pass():
    defaults = dict((name, spec.get('default')) for name, spec in options.async_job_spec().items())
    defaults.update(http_timeout=60.0)
    options.check_numbers(defaults)
    options.check_numbers(dict(job_timeout=0, return_timeout=0, http_timeout=0.5, poll_interval=0.1, max_poll_interval=1e6))
    options.check_numbers(dict(http_timeout=None))


def test_a_return_timeout_out_of_range_points_at_job_timeout_for_the_overall_wait():
    # F08: "wait 10 minutes" folded into return_timeout=600; the error says which knob is the overall wait.
    with pytest.raises(OntapOptionError) as info:
        options.check_numbers(dict(return_timeout=600))
    assert info.value.option == 'return_timeout' and 'job_timeout' in str(info.value) and '262197' in str(info.value)
