# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Peer: NetApp's Python client ``netapp-ontap`` creating volumes the way its documentation shows.

    python netapp_ontap_create.py --port P --user U --password W --poll-timeout S NAME [NAME ...]

``--threads N`` creates the names with N threads (one HostConnection, so one keep-alive session, per thread).
Prints one JSON object: ``task_wall`` (s, around the creates, library import excluded), ``failures``, ``errors``.
The library's own polling defaults are kept (5 s interval); only ``poll_timeout`` is raised so that the
longest job of the benchmark can finish (the library default, 30 s, would fail every job longer than that).
"""

import argparse
import json
import queue
import threading
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--user', required=True)
    parser.add_argument('--password', required=True)
    parser.add_argument('--poll-timeout', type=int, default=600)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('names', nargs='+')
    args = parser.parse_args()

    started = time.monotonic()
    from netapp_ontap import HostConnection  # pylint: disable=import-outside-toplevel
    from netapp_ontap.error import NetAppRestError  # pylint: disable=import-outside-toplevel
    from netapp_ontap.resources import Volume  # pylint: disable=import-outside-toplevel
    imported = time.monotonic()

    work = queue.Queue()
    for name in args.names:
        work.put(name)
    errors = []

    def worker():
        with HostConnection('127.0.0.1', port=args.port, username=args.user, password=args.password, verify=False):
            while True:
                try:
                    name = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    volume = Volume(name=name, svm={'name': 'svm1'}, size=104857600, aggregates=[{'name': 'aggr1'}])
                    volume.post(poll=True, poll_timeout=args.poll_timeout)
                except NetAppRestError as exc:
                    errors.append('%s: %s' % (name, exc))

    begin = time.monotonic()
    threads = [threading.Thread(target=worker) for dummy in range(max(1, args.threads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    end = time.monotonic()
    print(json.dumps(dict(task_wall=end - begin, import_s=imported - started, start=begin, end=end,
                          failures=len(errors), errors=errors[:5])))


if __name__ == '__main__':
    main()
