# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ontap.rest test tooling: an offline stand-in for ansible-test's pip bootstrap script.
"""Offline stand-in for the ``get-pip.py`` script that ``ansible-test --requirements`` downloads.

``ansible-test`` bootstraps pip in each virtual environment it creates by running a ``get-pip`` script that it
downloads from ci-files.testing.ansible.com and caches as ``~/.ansible/test/cache/get_pip_<version>.py``.
Without internet access (air-gapped machines, CI behind a package mirror) that download fails.
``scripts/test.sh`` installs this file at the cache path instead.

Install it with ``python scripts/get_pip_standin.py --install``, run by the interpreter whose ``ansible-test`` will use
it (``scripts/test.sh`` and ``scripts/matrix.sh`` do): it reads the pip version that ansible-test bootstraps and copies
this file to the cache path, leaving alone a real get-pip script that is already cached there.

It is called as ``python get_pip_<version>.py [pip options] pip==<version> [--no-setuptools] [--no-wheel]`` by the
venv's own interpreter and does the same job with what Python ships and the configured package index:

1. ``python -m ensurepip`` in a subprocess: ensurepip blanks pip's configuration (``PIP_CONFIG_FILE``) for the
   process it runs in, so running it here would lose the package index settings for step 2;
2. ``python -m pip install <the given arguments>``, without ``--no-setuptools`` / ``--no-wheel`` (options of
   get-pip only), with the caller's environment and pip configuration.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

MARKER = 'ontap.rest get-pip stand-in'  # scripts/test.sh only overwrites cache files carrying this marker

GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def install() -> int:
    """Copy this file to ``~/.ansible/test/cache/get_pip_<version>.py`` for the running interpreter's ansible-test."""
    import ansible_test  # pylint: disable=import-outside-toplevel  # only the --install mode needs it

    path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    with open(path, encoding='utf-8') as handle:
        match = re.search(r"\bpip=['\"]([0-9.]+)['\"]", handle.read())
    if not match:
        sys.stderr.write('error: cannot find the pip version that ansible-test bootstraps (in %s)\n' % path)
        return 1
    cache = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % match.group(1).replace('.', '_'))
    if os.path.exists(cache):
        with open(cache, encoding='utf-8') as handle:
            if MARKER not in handle.read():
                print('using the existing pip bootstrap script %s' % cache)
                return 0
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    shutil.copyfile(os.path.abspath(__file__), cache)
    print('installed the offline get-pip stand-in as %s' % cache)
    return 0


def main() -> int:
    """Install pip into the running interpreter's environment; return the exit status."""
    if sys.argv[1:] == ['--install']:
        return install()
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
