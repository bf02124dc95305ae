# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ontap.rest against its peers, side by side on one ONTAP simulator (issue 5). Run through benchmarks/run.sh.

Tools (each run is a whole process timed from outside, as a user would run it):

- ``ours``          ontap.rest.volume, shipped defaults, in ``ansible-playbook``
- ``ours_rec``      ontap.rest.volume with the recommended defaults (RECOMMENDED below) passed as task options
- ``ours_request``  ontap.rest.request POST storage/volumes, shipped defaults
- ``na_volume``     netapp.ontap.na_ontap_volume (use_rest: always), its defaults
- ``na_restit``     netapp.ontap.na_ontap_restit POST storage/volumes, wait_for_completion: true, other defaults
- ``netapp_ontap``  NetApp's Python client: Volume(...).post(poll=True), library defaults, poll_timeout raised

Scenarios: 1 completion overhead (job of D s, D in DURATIONS), 2 idempotent no-op, 3 fleet (100 creates, 20 forks,
3 s jobs, 40 requests in flight at most), 4 long job (long_job.py: our real poller against a time-scaled simulator,
plus the defaults sweep), 5 detection delay and polls for jobs of 1-30 simulated minutes (detection.py: our real
poller on the simulator's clock control), 6 requests per create / no-op / delete of every resource module against
the physical limit, the module start cost against Ansible's ping, ANSIBLE_PIPELINING off and on. Every request is
attributed through the simulator's request log: each run logs in as its own user, so runs can overlap in time and
still be counted apart.

Timing model of scenario 1: real time (time scale 1) for every tool, because the peers' sleeps are real seconds
that cannot be scaled without patching them. Runs of a short D (up to SEQUENTIAL_MAX s) are made one after the other:
a run is mostly CPU then (Ansible's start, the module's start), and two at once on 2 cores would time each other's
start-up. To keep the run short, the runs of a longer D are started in parallel, staggered by STAGGER seconds (their
waits overlap), with the tool order rotated per repetition. The Ansible floor of a task of D s (``floor``: a task of
``ansible.builtin.wait_for`` D s, no ONTAP) is measured with them, so each tool's overhead can be split into
Ansible's own and the tool's; each Ansible run also says how long its task took before its first request and after
its last answer (the task's start and end, from the timing callback and the simulator's request log).
"""

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIM_PATH = os.path.join(ROOT, 'tests', 'simulator')
sys.path.insert(0, SIM_PATH)
# The simulator is used from the checkout, not installed: SimServer starts `python -m ontap_sim` with this environment.
os.environ['PYTHONPATH'] = os.pathsep.join([SIM_PATH] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p])

from ontap_sim.testing import SimServer  # noqa: E402  pylint: disable=wrong-import-position

PASSWORD = 'bench-pass1'
DURATIONS = (1, 10, 45, 100)
STAGGER = 1.5
#: Scenario 1 runs of a D up to this (s) are made one at a time (see the module docstring).
SEQUENTIAL_MAX = 10
VOLUME_BYTES = 104857600

#: The defaults this benchmark recommends (return_timeout s, poll_interval s, max_poll_interval s); see
#: docs/benchmarks.md for the reasoning. Measured next to the shipped defaults as tool ``ours_rec``.
RECOMMENDED = dict(return_timeout=120, poll_interval=2.0, max_poll_interval=30.0)

#: Candidates of the defaults sweep (scenario 4 harness): [return_timeout, poll_interval, max_poll_interval].
CANDIDATES = [[30, 2, 30], [60, 2, 30], [120, 2, 30], [120, 5, 60], [120, 1, 15], [30, 5, 60]]
SWEEP_DURATIONS = [1, 10, 45, 100, 200, 600, 1800]
SWEEP_SCALE = 20.0

TOOLS = {
    'ours': dict(label='ontap.rest.volume', kind='ansible', playbook='ours_volume.yml', ours=True),
    'ours_rec': dict(label='ontap.rest.volume (recommended defaults)', kind='ansible', playbook='ours_volume.yml',
                     ours=True, extra=dict(('bench_' + k, v) for k, v in RECOMMENDED.items())),
    'ours_request': dict(label='ontap.rest.request', kind='ansible', playbook='ours_request.yml', ours=True),
    'na_volume': dict(label='netapp.ontap.na_ontap_volume', kind='ansible', playbook='na_volume.yml'),
    'na_restit': dict(label='netapp.ontap.na_ontap_restit (wait_for_completion)', kind='ansible',
                      playbook='na_restit.yml'),
    'netapp_ontap': dict(label='netapp-ontap Volume.post(poll=True)', kind='script'),
    'floor': dict(label='Ansible floor (wait_for 3 s, no ONTAP)', kind='ansible', playbook='floor.yml'),
    'ours_modules': dict(label='ontap.rest resource modules', kind='ansible', playbook='ours_modules.yml', ours=True),
}
#: Scenario 6: the resource modules and what each task does, in playbook order (benchmarks/playbooks/ours_modules.yml).
MODULES = ('volume', 'snapshot', 'qtree', 'svm')
MODULE_OPS = ('create', 'noop', 'delete')
#: Scenario 6's ZAPI tasks (ontap.rest.zapi): a read call, and an asynchronous call waited for through its job.
ZAPI_OPS = ('read', 'async')


def _scenario6_tasks():
    """``(module, op)`` of every counted task of benchmarks/playbooks/ours_modules.yml."""
    return [(module, op) for module in MODULES for op in MODULE_OPS] + [('zapi', op) for op in ZAPI_OPS]


#: The physical limit of an idempotent task over one connection (issue 13): requests per task when the job ends
#: within return_timeout. A no-op must read the object (1); a create or delete reads it and writes (2).
PHYSICAL_LIMIT = dict(create=2, noop=1, delete=2)
#: Pairs compared ours/peer (scenario 1).
PAIRS = [('ours', 'na_volume'), ('ours', 'netapp_ontap'), ('ours_request', 'na_restit'),
         ('ours_rec', 'na_volume'), ('ours_rec', 'netapp_ontap')]
PEERS = ('na_volume', 'na_restit', 'netapp_ontap')


def log(msg):
    sys.stderr.write('[bench %s] %s\n' % (time.strftime('%H:%M:%S'), msg))
    sys.stderr.flush()


def cpu_sample():
    """(busy, total) jiffies of all CPUs from /proc/stat, or None."""
    try:
        with open('/proc/stat') as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


class Load(object):
    """Machine-wide CPU use over a scenario (the benchmark's own processes included), and the load average."""

    def __init__(self):
        self.start = cpu_sample()
        self.t0 = time.monotonic()

    def done(self):
        end = cpu_sample()
        facts = dict(seconds=round(time.monotonic() - self.t0, 1))
        if self.start and end and end[1] > self.start[1]:
            facts['cpu_busy_pct'] = round(100.0 * (end[0] - self.start[0]) / (end[1] - self.start[1]), 1)
        try:
            with open('/proc/loadavg') as handle:
                facts['loadavg_1m'] = float(handle.read().split()[0])
        except (OSError, ValueError):
            pass
        return facts


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Bench(object):
    """Shared state of one benchmark run: scratch dir, Ansible environment, the simulator."""

    def __init__(self, work, reps):
        self.work = work
        self.reps = reps
        self.sim = None
        self.users = set()
        self.seq = 0
        self.lock = threading.Lock()
        collections = os.path.join(work, 'collections')
        os.makedirs(os.path.join(collections, 'ansible_collections', 'ontap'))
        os.symlink(ROOT, os.path.join(collections, 'ansible_collections', 'ontap', 'rest'))
        self.collections = collections
        cfg = os.path.join(work, 'ansible.cfg')
        with open(cfg, 'w') as handle:
            handle.write('[defaults]\n')
        env = dict(os.environ)
        # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session-level verify=False (psf/requests#3829);
        # every tool runs without them so that validate_certs: false means the same for all.
        for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
            env.pop(name, None)
        env.update(
            ANSIBLE_CONFIG=cfg,
            ANSIBLE_COLLECTIONS_PATH=collections,
            ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, 'callback_plugins'),
            ANSIBLE_CALLBACKS_ENABLED='bench_timing',
            ANSIBLE_NOCOLOR='1',
            ANSIBLE_RETRY_FILES_ENABLED='0',
            ANSIBLE_LOCAL_TEMP=os.path.join(work, 'ansible-local'),
            ANSIBLE_REMOTE_TEMP=os.path.join(work, 'ansible-remote'),
            ANSIBLE_HOME=os.path.join(work, 'ansible-home'),
            ANSIBLE_LOCALHOST_WARNING='0',
            ANSIBLE_INVENTORY_UNPARSED_WARNING='0',
            ANSIBLE_DEPRECATION_WARNINGS='0',
            PYTHONPATH=os.pathsep.join([SIM_PATH, collections]),
        )
        self.env = env

    # -- simulator --------------------------------------------------------------------------------------------

    def new_user(self, name):
        self.sim.add_user(name, PASSWORD)
        self.users.add(name)
        return name

    def fetch_log(self):
        """Every request log entry since the last call, grouped by user."""
        entries = self.sim.log(self.seq)
        if entries:
            self.seq = entries[-1]['seq']
        by_user = {}
        for entry in entries:
            by_user.setdefault(entry['user'], []).append(entry)
        return by_user

    # -- one run of a tool -------------------------------------------------------------------------------------

    def run_tool(self, tool, user, names, forks=1, extra=None, poll_timeout=600, host_users=None, env_extra=None,
                 keep_lines=False):
        """Run ``tool`` creating/ensuring volumes ``names``; returns a dict with wall and per-task timings.

        ``host_users`` (Ansible tools): ``{name: user}`` to log each host in as its own user (per-task counts).
        """
        spec = TOOLS[tool]
        tag = '%s-%s' % (user, tool)
        if spec['kind'] == 'script':
            cmd = [sys.executable, os.path.join(HERE, 'clients', 'netapp_ontap_create.py'), '--port',
                   str(self.sim.port), '--user', user, '--password', PASSWORD, '--poll-timeout', str(poll_timeout),
                   '--threads', str(forks)] + list(names)
            start = time.monotonic()
            proc = subprocess.run(cmd, env=self.env, cwd=self.work, capture_output=True, text=True, check=False)
            wall = time.monotonic() - start
            try:
                out = json.loads(proc.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                out = dict(task_wall=None, failures=len(names), errors=[proc.stderr[-500:]])
            return dict(tool=tool, user=user, wall=wall, task_wall=out['task_wall'], failures=out['failures'],
                        tasks=len(names), errors=out.get('errors'), rc=proc.returncode)
        inventory = os.path.join(self.work, 'inv-%s.ini' % tag)
        with open(inventory, 'w') as handle:
            handle.write('[bench]\n')
            for name in names:
                handle.write('%s%s\n' % (name, (' sim_user=%s' % host_users[name]) if host_users else ''))
            handle.write('[bench:vars]\nansible_connection=local\nansible_python_interpreter=%s\n' % sys.executable)
        variables = dict(sim_port=self.sim.port, sim_password=PASSWORD)
        if not host_users:
            variables['sim_user'] = user
        variables.update(spec.get('extra') or {})
        variables.update(extra or {})
        varfile = os.path.join(self.work, 'vars-%s.json' % tag)
        with open(varfile, 'w') as handle:
            json.dump(variables, handle)
        timing = os.path.join(self.work, 'timing-%s.jsonl' % tag)
        env = dict(self.env, BENCH_TIMING_FILE=timing, ANSIBLE_FORKS=str(forks), **(env_extra or {}))
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', inventory, '-e',
               '@' + varfile, os.path.join(HERE, 'playbooks', spec['playbook'])]
        start = time.monotonic()
        proc = subprocess.run(cmd, env=env, cwd=self.work, capture_output=True, text=True, check=False)
        wall = time.monotonic() - start
        lines = []
        if os.path.exists(timing):
            with open(timing) as handle:
                lines = [json.loads(line) for line in handle if line.strip()]
        failures = len(names) - sum(1 for line in lines if line['status'] == 'ok')
        task_walls = [line['end'] - line['start'] for line in lines if line.get('start') is not None]
        errors = [line.get('msg') for line in lines if line['status'] != 'ok'][:5]
        if proc.returncode != 0 and not errors:
            errors = [proc.stdout[-800:] + proc.stderr[-800:]]
        changed = [line.get('changed') for line in lines]
        out = dict(tool=tool, user=user, wall=wall, task_wall=median(task_walls) if len(names) > 1 else
                   (task_walls[0] if task_walls else None), failures=failures, tasks=len(names), errors=errors,
                   rc=proc.returncode, changed=changed, job_wait=[line.get('job_wait') for line in lines][:1],
                   task_start_wall=lines[0].get('start_wall') if len(lines) == 1 else None,
                   task_end_wall=lines[0].get('end_wall') if len(lines) == 1 else None)
        if keep_lines:
            out['lines'] = lines
        return out


def attribute(run, entries, duration=None):
    """Add request/connection counts and the detection delay (s) to ``run`` from its user's log entries."""
    entries = entries or []
    run['requests'] = len(entries)
    run['connections'] = len(set(e['connection'] for e in entries))
    run['job_gets'] = sum(1 for e in entries if e['path'].startswith('/api/cluster/jobs/'))
    run['statuses'] = sorted(set(e['status'] for e in entries))
    run['busy'] = sum(1 for e in entries if e['status'] in (429, 503))
    run['breakdown'] = ['%s %s%s -> %s' % (e['method'], e['path'], ('?' + e['query'][:40]) if e['query'] else '',
                                           e['status']) for e in entries][:60]
    run['detect_delay'] = None
    run['before_first'] = run['after_last'] = None
    if entries and run.get('task_start_wall') is not None:
        # the task's start (Ansible builds the AnsiballZ file, the module process starts) and its end (the module
        # builds its result, Ansible takes it), from the timing callback and the request log (wall-clock seconds)
        first = min(e['time'] - e['duration_ms'] / 1000.0 for e in entries)
        run['before_first'] = max(0.0, first - run['task_start_wall'])
        run['after_last'] = max(0.0, run['task_end_wall'] - max(e['time'] for e in entries))
    if duration is None:
        return run
    posts = [e for e in entries if e['method'] == 'POST']
    if not posts:
        return run
    post = posts[0]
    job_end = post['time'] - post['duration_ms'] / 1000.0 + duration
    if post['status'] in (200, 201):
        seen = post['time']
    else:
        # the poll that saw the end is the last job GET that started after the job ended
        gets = [e for e in entries if e['path'].startswith('/api/cluster/jobs/') and e['status'] == 200
                and e['time'] - e['duration_ms'] / 1000.0 >= job_end - 0.01]
        seen = min(e['time'] for e in gets) if gets and not run['failures'] else None
    if seen is not None:
        run['detect_delay'] = max(0.0, seen - job_end)
    return run


# -- scenarios -------------------------------------------------------------------------------------------------

def scenario_completion(bench, tools, durations):
    """Scenario 1: one create per run, job of D s, and the Ansible floor of a task of D s; runs of a short D one
    after the other, of a longer D in parallel, staggered."""
    results = []
    tools = list(tools) + ['floor']
    for duration in durations:
        bench.sim.clear_jobs()
        bench.sim.set_job('POST', '/api/storage/volumes', seconds=duration)
        plan = []
        for rep in range(bench.reps):
            order = tools[rep % len(tools):] + tools[:rep % len(tools)]
            for tool in order:
                user = bench.new_user('c%dr%d%s' % (duration, rep, tool.replace('_', '')))
                plan.append((tool, rep, user))
        sequential = duration <= SEQUENTIAL_MAX
        how = 'one at a time' if sequential else 'staggered by %ss' % STAGGER
        log('scenario 1, D=%ss: %d runs, %s' % (duration, len(plan), how))
        runs = []
        threads = []
        t0 = time.monotonic()

        def go(tool, rep, user, at):
            time.sleep(max(0.0, at - time.monotonic()))
            res = bench.run_tool(tool, user, ['c%s' % user], poll_timeout=int(duration) + 300,
                                 extra=dict(floor_seconds=duration) if tool == 'floor' else None)
            res.update(duration=duration, rep=rep)
            with bench.lock:
                runs.append(res)

        for index, (tool, rep, user) in enumerate(plan):
            if sequential:
                go(tool, rep, user, 0.0)
                continue
            thread = threading.Thread(target=go, args=(tool, rep, user, t0 + index * STAGGER))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
        by_user = bench.fetch_log()
        for res in runs:
            attribute(res, by_user.get(res['user']), duration)
            res['overhead'] = None if res['task_wall'] is None else res['task_wall'] - duration
            res['run_overhead'] = res['wall'] - duration
            if res['failures']:
                log('  %s failed: %s' % (res['tool'], (res['errors'] or [''])[0]))
        results.extend(runs)
        log('  done in %.0fs' % (time.monotonic() - t0))
    return results


def scenario_noop(bench, tools, reps):
    """Scenario 2: the volume already exists as requested; sequential runs, tools alternating."""
    bench.sim.clear_jobs()
    import requests  # pylint: disable=import-outside-toplevel
    import urllib3  # pylint: disable=import-outside-toplevel
    urllib3.disable_warnings()
    user = bench.new_user('setupnoop')
    answer = requests.post(bench.sim.url + '/api/storage/volumes', params={'return_timeout': 120}, verify=False,
                           auth=(user, PASSWORD), json={'name': 'noop_vol', 'svm': {'name': 'svm1'},
                                                        'size': VOLUME_BYTES, 'aggregates': [{'name': 'aggr1'}]})
    assert answer.status_code == 201, answer.text
    bench.fetch_log()
    runs = []
    log('scenario 2: no-op, %d runs per tool' % reps)
    for rep in range(reps):
        for tool in tools:
            user = bench.new_user('n%d%s' % (rep, tool.replace('_', '')))
            res = bench.run_tool(tool, user, ['noop_vol'])
            res.update(rep=rep)
            runs.append(res)
    by_user = bench.fetch_log()
    for res in runs:
        attribute(res, by_user.get(res['user']))
    return runs


def scenario_fleet(bench, tools, reps, count=100, forks=20, seconds=3, limit=40):
    """Scenario 3: ``count`` creates with ``forks`` forks, jobs of ``seconds`` s, ``limit`` requests in flight."""
    bench.sim.clear_jobs()
    bench.sim.set_job('POST', '/api/storage/volumes', seconds=seconds)
    bench.sim.config(connection_limit=limit)
    runs = []
    log('scenario 3: fleet of %d creates, %d forks, %ss jobs, limit %d, %d rep(s)'
        % (count, forks, seconds, limit, reps))
    try:
        for rep in range(reps):
            for tool in tools:
                user = bench.new_user('f%d%s' % (rep, tool.replace('_', '')))
                names = ['f%d%s%03d' % (rep, tool.replace('_', ''), i) for i in range(count)]
                host_users = None
                if TOOLS[tool]['kind'] == 'ansible':
                    host_users = dict((name, bench.new_user(name)) for name in names)
                res = bench.run_tool(tool, user, names, forks=forks, poll_timeout=300, host_users=host_users)
                res.update(rep=rep)
                by_user = bench.fetch_log()
                users = list(host_users.values()) if host_users else [user]
                attribute(res, [e for u in users for e in by_user.get(u, [])])
                per_task = [len(set(e['connection'] for e in by_user.get(u, []))) for u in users]
                res['connections_per_task_max'] = max(per_task) if host_users else None
                res['connections_per_task_min'] = min(per_task) if host_users else None
                log('  %s rep %d: %.1fs, %d failures, %d requests, %d busy answers'
                    % (tool, rep, res['wall'], res['failures'], res['requests'], res['busy']))
                runs.append(res)
    finally:
        bench.sim.config(connection_limit=None)
    return runs


def scenario_modules(bench, reps):
    """Scenario 6: create, no-op and delete of every resource module (2 s jobs, within return_timeout), requests and
    TCP connections per task against the physical limit, the module start cost as the ratio of a no-op task's wall
    time to Ansible's ping task in the same run, and the same playbook with ANSIBLE_PIPELINING on and off, in
    alternating pairs."""
    bench.sim.clear_jobs()
    runs = []
    log('scenario 6: resource modules create/no-op/delete, %d rep(s) x pipelining off/on' % reps)
    for rep in range(reps):
        for pipelining in ((False, True) if rep % 2 == 0 else (True, False)):
            user = bench.new_user('m%d%s' % (rep, 'p' if pipelining else 'n'))
            for module, op in _scenario6_tasks():
                bench.new_user('%s%s%s' % (user, module, op))
            res = bench.run_tool('ours_modules', user, ['localhost'], keep_lines=True,
                                 env_extra=dict(ANSIBLE_PIPELINING='True' if pipelining else 'False'))
            by_user = bench.fetch_log()
            tasks = {}
            for line in res.pop('lines'):
                tasks[line['task']] = dict(wall=line['end'] - line['start'] if line.get('start') else None,
                                           status=line['status'], changed=line.get('changed'),
                                           msg=line.get('msg') if line['status'] != 'ok' else None)
            for module, op in _scenario6_tasks():
                entries = by_user.get('%s%s%s' % (user, module, op), [])
                task = tasks.setdefault('%s %s' % (module, op), {})
                task.update(requests=len(entries), connections=len(set(e['connection'] for e in entries)),
                            breakdown=['%s %s -> %s' % (e['method'], ('ZAPI ' + e['zapi']) if e.get('zapi') else e['path'],
                                                        e['status']) for e in entries])
            res.update(rep=rep, pipelining=pipelining, task_results=tasks)
            bad = [name for name, task in tasks.items() if task.get('status') != 'ok']
            log('  rep %d pipelining %s: %.1fs%s'
                % (rep, pipelining, res['wall'], (', failed: %s' % bad) if bad else ''))
            runs.append(res)
    return runs


def _child_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _import_breakdown(stderr):
    """``python -X importtime`` output -> ms: Ansible's ``basic`` (cumulative), ``requests`` (cumulative), ontap.rest's
    own modules (sum of their self times), everything (sum of the top-level cumulative times)."""
    out = dict(ansible_basic=0.0, requests=0.0, ontap_rest=0.0, total=0.0)
    for line in stderr.splitlines():
        if not line.startswith('import time:') or 'self [us]' in line:
            continue
        self_us, cumulative, name = line[len('import time:'):].split('|', 2)
        depth = len(name) - len(name.lstrip(' '))
        name = name.strip()
        if depth == 1:
            out['total'] += int(cumulative) / 1000.0
        if name == 'ansible.module_utils.basic':
            out['ansible_basic'] = max(out['ansible_basic'], int(cumulative) / 1000.0)
        elif name == 'requests':
            out['requests'] = max(out['requests'], int(cumulative) / 1000.0)
        elif name.startswith('ansible_collections.ontap.rest'):
            out['ontap_rest'] += int(self_us) / 1000.0
    return out


def module_process_cost(bench, reps):
    """Scenario 6, module start: the module process alone, without Ansible's controller. Ansible keeps the AnsiballZ
    files of an ``ansible.builtin.ping`` task and of an ``ontap.rest.volume`` no-op (ANSIBLE_KEEP_REMOTE_FILES);
    each is run again ``reps`` times, alternating, and its CPU seconds (user + system) and wall seconds measured;
    one more run of each under ``python -X importtime`` says where the import time goes. Python compiles every
    module_utils source again in every task (AnsiballZ imports them from a zip), so this is the per-task cost."""
    user = bench.new_user('cpu')
    keep = os.path.join(bench.work, 'keep-cpu')
    os.makedirs(keep)
    adhoc = os.path.join(os.path.dirname(sys.executable), 'ansible')
    args = json.dumps(dict(hostname='127.0.0.1', port=bench.sim.port, username=user, password=PASSWORD,
                           validate_certs=False, name='cpuvol', svm='svm1', size='100MiB', aggregates=['aggr1']))
    base = [adhoc, 'localhost', '-e', 'ansible_python_interpreter=%s' % sys.executable]
    made = subprocess.run(base + ['-m', 'ontap.rest.volume', '-a', args], env=bench.env, cwd=bench.work,
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        return dict(error='the volume for the no-op was not created: %s' % made.stdout[-300:])
    kept_env = dict(bench.env, ANSIBLE_KEEP_REMOTE_FILES='1', ANSIBLE_REMOTE_TEMP=keep)
    files = {}
    for name, module, module_args in (('ping', 'ansible.builtin.ping', None), ('volume', 'ontap.rest.volume', args)):
        cmd = base + ['-m', module] + (['-a', module_args] if module_args else [])
        subprocess.run(cmd, env=kept_env, cwd=bench.work, capture_output=True, text=True, check=False)
        found = [os.path.join(d, f) for d, dummy, fs in os.walk(keep) for f in fs
                 if f == 'AnsiballZ_%s.py' % name]
        if len(found) != 1:
            return dict(error='AnsiballZ_%s.py not kept (%d found)' % (name, len(found)))
        files[name] = found[0]
    env = dict(bench.env)
    runs = dict(ping=[], volume=[])
    for rep in range(reps):
        for name in (('ping', 'volume') if rep % 2 == 0 else ('volume', 'ping')):
            cpu0, wall0 = _child_cpu(), time.monotonic()
            proc = subprocess.run([sys.executable, files[name]], env=env, cwd=bench.work, capture_output=True,
                                  text=True, check=False)
            runs[name].append(dict(cpu=_child_cpu() - cpu0, wall=time.monotonic() - wall0, rc=proc.returncode,
                                   changed='"changed": true' in proc.stdout))
    imports = {}
    for name in ('ping', 'volume'):
        proc = subprocess.run([sys.executable, '-X', 'importtime', files[name]], env=env, cwd=bench.work,
                              capture_output=True, text=True, check=False)
        imports[name] = _import_breakdown(proc.stderr)
    log('  module process: ping %.3f CPU-s, volume no-op %.3f CPU-s (medians of %d)'
        % (median(r['cpu'] for r in runs['ping']), median(r['cpu'] for r in runs['volume']), reps))
    return dict(reps=reps, runs=runs, imports=imports)


#: Scenario 5: job lengths (simulated seconds) for the detection delay on the simulator's clock control.
DETECTION_DURATIONS = [60, 150, 300, 600, 1800]


def scenario_detection(bench, reps):
    """Scenario 5 (detection.py in a subprocess, its own simulator on clock control)."""
    out = os.path.join(bench.work, 'detection.json')
    cmd = [sys.executable, os.path.join(HERE, 'detection.py'), '--out', out, '--reps', str(reps),
           '--durations', json.dumps(DETECTION_DURATIONS)]
    log('scenario 5: detection delay, D = %s simulated s, %d rep(s), clock control' % (DETECTION_DURATIONS, reps))
    start = time.monotonic()
    proc = subprocess.run(cmd, env=bench.env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        log('detection.py failed: %s' % proc.stderr[-2000:])
        return dict(error=proc.stderr[-2000:])
    with open(out) as handle:
        data = json.load(handle)
    log('  done in %.0fs' % (time.monotonic() - start))
    return data


def scenario_long(bench):
    """Scenario 4 + defaults sweep (long_job.py in a subprocess, its own time-scaled simulators)."""
    out = os.path.join(bench.work, 'long_job.json')
    cmd = [sys.executable, os.path.join(HERE, 'long_job.py'), '--scale', str(SWEEP_SCALE), '--out', out,
           '--candidates', json.dumps(CANDIDATES), '--durations', json.dumps(SWEEP_DURATIONS), '--default-run', '600']
    log('scenario 4 + sweep: time scale %g, %d candidates x %d durations'
        % (SWEEP_SCALE, len(CANDIDATES), len(SWEEP_DURATIONS)))
    start = time.monotonic()
    proc = subprocess.run(cmd, env=bench.env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        log('long_job.py failed: %s' % proc.stderr[-2000:])
        return dict(error=proc.stderr[-2000:])
    with open(out) as handle:
        data = json.load(handle)
    log('  done in %.0fs' % (time.monotonic() - start))
    return data


# -- environment facts -----------------------------------------------------------------------------------------

def versions():
    facts = {}
    try:
        from importlib import metadata  # pylint: disable=import-outside-toplevel
        for dist in ('ansible', 'ansible-core', 'netapp-ontap', 'requests', 'urllib3', 'flask', 'matplotlib'):
            try:
                facts[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                facts[dist] = None
    except ImportError:
        pass
    try:
        import ansible_collections.netapp.ontap as na  # pylint: disable=import-outside-toplevel
        manifest = os.path.join(list(na.__path__)[0], 'MANIFEST.json')
        with open(manifest) as handle:
            facts['netapp.ontap'] = json.load(handle)['collection_info']['version']
    except Exception:  # pylint: disable=broad-except
        facts['netapp.ontap'] = None
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        for line in handle:
            if line.startswith('version:'):
                facts['ontap.rest'] = line.split(':', 1)[1].strip()
    try:
        facts['ontap.rest commit'] = subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'],
                                                    capture_output=True, text=True, check=False).stdout.strip()
        dirty = subprocess.run(['git', '-C', ROOT, 'status', '--porcelain', '--', 'plugins', 'tests/simulator'],
                               capture_output=True, text=True, check=False).stdout.strip()
        facts['ontap.rest tree'] = 'uncommitted changes in plugins/ or tests/simulator/' if dirty else 'clean'
    except OSError:
        pass
    facts['python'] = platform.python_version()
    return facts


def machine():
    facts = dict(platform=platform.platform(), cpus=os.cpu_count())
    try:
        with open('/proc/cpuinfo') as handle:
            for line in handle:
                if line.startswith('model name'):
                    facts['cpu'] = line.split(':', 1)[1].strip()
                    break
        with open('/proc/meminfo') as handle:
            for line in handle:
                if line.startswith('MemTotal'):
                    facts['memory_gib'] = round(int(line.split()[1]) / 1024.0 / 1024.0, 1)
                    break
    except OSError:
        pass
    return facts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--reps', type=int, default=3, help='repetitions per tool and duration (default 3)')
    parser.add_argument('--scenarios', default='1,2,3,4,5,6', help='comma-separated subset of 1,2,3,4,5,6')
    parser.add_argument('--durations', default=','.join(str(d) for d in DURATIONS))
    parser.add_argument('--tools', default=','.join(t for t in TOOLS if t not in ('floor', 'ours_modules')),
                        help='scenario 1 tools')
    parser.add_argument('--fleet-reps', type=int, default=3)
    parser.add_argument('--noop-reps', type=int, default=5)
    parser.add_argument('--fleet-size', type=int, default=100, help='volumes created in scenario 3 (default 100)')
    parser.add_argument('--out', default=os.path.join(HERE, 'results', 'latest.json'))
    parser.add_argument('--keep-work', action='store_true', help='keep the scratch directory')
    args = parser.parse_args()
    scenarios = set(args.scenarios.split(','))
    tools = [t for t in args.tools.split(',') if t]
    durations = [float(d) if '.' in d else int(d) for d in args.durations.split(',')]

    os.makedirs(os.path.join(HERE, '.work'), exist_ok=True)
    work = tempfile.mkdtemp(prefix='run-', dir=os.path.join(HERE, '.work'))
    bench = Bench(work, args.reps)
    started = time.time()
    result = dict(started=time.strftime('%Y-%m-%d %H:%M:%S %Z', time.localtime(started)), machine=machine(),
                  versions=versions(), recommended=RECOMMENDED, reps=args.reps, stagger=STAGGER,
                  command=os.environ.get('BENCH_COMMAND') or 'python benchmarks/bench.py ' + ' '.join(sys.argv[1:]))
    log('scratch dir %s' % work)
    try:
        with SimServer(job_seconds=2, job_retention=100000, time_scale=1.0) as sim:
            bench.sim = sim
            load = result['load'] = {}
            if '1' in scenarios:
                meter = Load()
                result['completion'] = scenario_completion(bench, tools, durations)
                result['sequential_max'] = SEQUENTIAL_MAX
                load['1'] = meter.done()
            if '2' in scenarios:
                meter = Load()
                result['noop'] = scenario_noop(bench, ['ours', 'na_volume'], args.noop_reps)
                load['2'] = meter.done()
            if '3' in scenarios:
                meter = Load()
                result['fleet'] = scenario_fleet(bench, ['ours', 'na_volume', 'netapp_ontap', 'floor'], args.fleet_reps,
                                                 count=args.fleet_size)
                load['3'] = meter.done()
            if '6' in scenarios:
                meter = Load()
                result['modules'] = scenario_modules(bench, args.reps)
                result['module_cpu'] = module_process_cost(bench, reps=max(5, 2 * args.reps + 1))
                load['6'] = meter.done()
        if '4' in scenarios:
            meter = Load()
            result['long'] = scenario_long(bench)
            result['load']['4'] = meter.done()
        if '5' in scenarios:
            meter = Load()
            result['detection'] = scenario_detection(bench, args.reps)
            result['load']['5'] = meter.done()
    finally:
        if not args.keep_work:
            shutil.rmtree(work, ignore_errors=True)
    result['duration_s'] = time.time() - started
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, 'w') as handle:
        json.dump(result, handle, indent=1, default=str)
    log('results in %s (%.0fs)' % (args.out, result['duration_s']))


if __name__ == '__main__':
    main()
