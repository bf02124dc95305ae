# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Private to ontap.rest before 1.0: not a public API; it may change in any release (use the modules instead).
"""Job uuids checked before anything is sent.

ONTAP names a job by a UUID (``/api/cluster/jobs/{uuid}``, ONTAP REST API reference: ``uuid`` in the job object,
e.g. ``b89bc5dd-94a3-11e8-a7a3-0050568edf84``). A value of another shape can only be a mistake (a template that did
not render, a register of the wrong task), and the 404 ONTAP would answer reads as "the job was purged", which sends
the user the wrong way. So the modules refuse it first, saying it is malformed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.ontap.rest.plugins.module_utils.errors import OntapOptionError

#: The 8-4-4-4-12 hexadecimal form of a UUID (either case).
UUID_RE = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')

#: A path of one job: ``cluster/jobs/<uuid>``, ``/api/cluster/jobs/<uuid>`` (query and trailing parts ignored).
JOB_PATH_RE = re.compile(r'^/?(?:api/)?cluster/jobs/([^/?#]*)')


def check_job_uuid(uuid, option='uuid', where=None):
    """Raise :class:`OntapOptionError` (naming ``option``) unless ``uuid`` has a UUID's form.

    :param where: how the message names the value's place (default: ``option <option>``).
    :returns: ``uuid`` unchanged.
    """
    if not isinstance(uuid, str) or not UUID_RE.match(uuid):
        raise OntapOptionError(option, '%r is a malformed job uuid (%s): ONTAP names jobs by a UUID such as '
                               'b89bc5dd-94a3-11e8-a7a3-0050568edf84, for example the job.uuid that an earlier task '
                               'registered. Nothing was sent.' % (uuid, where or 'option %s' % option))
    return uuid


def check_job_path(path, option='path'):
    """For a path of one job (``cluster/jobs/<uuid>``), check the uuid; other paths pass unchanged.

    :raises OntapOptionError: (naming ``option``) the job uuid in the path is malformed.
    """
    match = JOB_PATH_RE.match(path or '')
    if match and match.group(1):
        check_job_uuid(match.group(1), option=option, where='in %s %s' % (option, path))
    return path
