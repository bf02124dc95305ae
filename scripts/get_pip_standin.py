# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ontap.rest test tooling: an offline stand-in for ansible-test's pip bootstrap script.
"""Offline stand-in for the ``get-pip.py`` script that ``ansible-test --requirements`` downloads.

``ansible-test`` bootstraps pip in each virtual environment it creates by running a ``get-pip`` script that it
downloads from ci-files.testing.ansible.com and caches as ``~/.ansible/test/cache/get_pip_<version>.py``.
Without internet access (air-gapped machines, CI behind a package mirror) that download fails.
``scripts/test.sh`` installs this file at the cache path instead.

It is called as ``python get_pip_<version>.py [pip options] pip==<version> [--no-setuptools] [--no-wheel]`` by the
venv's own interpreter and does the same job with what Python ships and the configured package index:

1. ``python -m ensurepip`` in a subprocess: ensurepip blanks pip's configuration (``PIP_CONFIG_FILE``) for the
   process it runs in, so running it here would lose the package index settings for step 2;
2. ``python -m pip install <the given arguments>``, without ``--no-setuptools`` / ``--no-wheel`` (options of
   get-pip only), with the caller's environment and pip configuration.
"""

from __future__ import annotations

import subprocess
import sys

MARKER = 'ontap.rest get-pip stand-in'  # scripts/test.sh only overwrites cache files carrying this marker

GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def main() -> int:
    """Install pip into the running interpreter's environment; return the exit status."""
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]

    status = subprocess.call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'],
                             stdout=subprocess.DEVNULL)
    if status:
        sys.stderr.write('%s: "%s -m ensurepip" failed with status %d\n' % (MARKER, sys.executable, status))
        return status

    if not any(not arg.startswith('-') for arg in args):
        return 0  # nothing to install beyond the bundled pip

    return subprocess.call([sys.executable, '-m', 'pip', 'install'] + args)


if __name__ == '__main__':
    sys.exit(main())
