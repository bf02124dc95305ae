# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Private to ontap.rest before 1.0: not a public API; it may change in any release (use the modules instead).
"""Argument-spec builders, one per doc fragment.

Each builder returns a fresh dict (callers may mutate it) that matches its doc fragment option for option, type for type
and default for default; ``tests/unit/plugins/module_utils/test_options.py`` checks the pairing.

- ``connection_spec()``  <-> ``plugins/doc_fragments/connection.py`` (``ontap.rest.connection``)
- ``async_job_spec()``   <-> ``plugins/doc_fragments/async_job.py``  (``ontap.rest.async_job``)
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math

from ansible.module_utils.basic import env_fallback

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapOptionError

#: Every connection option falls back to ``ONTAP_<OPTION>`` so AWX/AAP credential types can inject them.
ENV_PREFIX = 'ONTAP_'


def _env(name):
    return (env_fallback, [ENV_PREFIX + name.upper()])


def connection_spec():
    """Options of the ``ontap.rest.connection`` doc fragment.

    :returns: dict suitable for ``AnsibleModule(argument_spec=...)``. ``http_timeout`` is in seconds.
    """
    spec = dict(
        hostname=dict(type='str', required=True),
        port=dict(type='int', default=443),
        username=dict(type='str'),
        password=dict(type='str', no_log=True),
        cert_filepath=dict(type='path'),
        key_filepath=dict(type='path', no_log=False),
        token=dict(type='str', no_log=True),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        http_timeout=dict(type='float', default=60.0),
    )
    for name, option in spec.items():
        option['fallback'] = _env(name)
    return spec


def async_job_spec():
    """Options of the ``ontap.rest.async_job`` doc fragment.

    ``return_timeout`` is in whole seconds (0..120); ``poll_interval``, ``max_poll_interval`` and ``job_timeout`` are
    in seconds. Every module takes them (see the fragment's notes), so ``module_defaults`` for the group can set them.
    """
    return dict(
        wait_for_completion=dict(type='bool', default=True),
        return_timeout=dict(type='int', default=120),
        poll_interval=dict(type='float', default=2.0),
        max_poll_interval=dict(type='float', default=30.0),
        job_timeout=dict(type='float', default=600.0),
    )


#: The numeric options of both fragments and what each must be: ``(option, text, test)``. Ansible's ``float`` type
#: takes ``inf`` and ``nan``; :func:`check_numbers` refuses them (and negatives) before anything is built or sent.
NUMBER_OPTIONS = (
    ('http_timeout', 'a positive number of seconds', lambda value: value > 0),
    ('job_timeout', 'a number of seconds >= 0', lambda value: value >= 0),
    ('poll_interval', 'a positive number of seconds', lambda value: value > 0),
    ('max_poll_interval', 'a positive number of seconds', lambda value: value > 0),
    ('return_timeout', 'a whole number of seconds from 0 to 120 (how long ONTAP holds one request: it rejects larger '
     'values with error 262197; use job_timeout for the overall wait)',
     lambda value: 0 <= value <= 120 and float(value).is_integer()),
)


def check_numbers(params):
    """Check the numeric options of ``connection_spec()`` and ``async_job_spec()`` (seconds) in one place.

    :param params: module params; missing or ``None`` values are skipped.
    :raises OntapOptionError: naming the first option that is not a finite number in its range (``inf``, ``nan``,
        a negative, ...), so a bad value is an option error, never a traceback deeper down.
    """
    for option, text, test in NUMBER_OPTIONS:
        value = params.get(option)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not test(value):
            raise OntapOptionError(option, '%s must be %s, not %r. Nothing was sent.' % (option, text, value))


#: Constraints that go with connection_spec(), for AnsibleModule's keyword arguments. There is no mutual exclusion:
#: environment fallbacks may fill several methods at once, so the client picks token, then certificate, then basic.
CONNECTION_REQUIRED_TOGETHER = [('username', 'password'), ('cert_filepath', 'key_filepath')]
CONNECTION_REQUIRED_ONE_OF = [('username', 'cert_filepath', 'token')]
