# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn benchmarks/results/latest.json into docs/benchmarks.md (tables, PASS/MISS, recommendation) and a PNG plot."""

import argparse
import json
import os
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))

LABELS = {
    'ours': 'ontap.rest.volume',
    'ours_rec': 'ontap.rest.volume, recommended defaults',
    'ours_request': 'ontap.rest.request',
    'na_volume': 'netapp.ontap.na_ontap_volume',
    'na_restit': 'netapp.ontap.na_ontap_restit',
    'netapp_ontap': 'netapp-ontap (Python)',
    'floor': 'Ansible floor (wait_for 3 s)',
}
OURS = ('ours', 'ours_rec', 'ours_request')
PEERS = ('na_volume', 'na_restit', 'netapp_ontap')
ORDER = ('ours', 'ours_rec', 'ours_request', 'na_volume', 'na_restit', 'netapp_ontap', 'floor')
PAIRS = [('ours', 'na_volume'), ('ours', 'netapp_ontap'), ('ours_request', 'na_restit'),
         ('ours_rec', 'na_volume'), ('ours_rec', 'netapp_ontap')]


#: The shipped return_timeout (s): jobs up to this long end within the request (the physical-limit targets apply).
RETURN_TIMEOUT = 120
#: The physical limit of an idempotent task over one connection (issue 13), requests per task.
LIMITS = dict(create=2, noop=1, delete=2)
MODULES = ('volume', 'snapshot', 'qtree', 'svm')
#: Reads a module needs before its own lookup: ONTAP addresses snapshots under their volume's uuid
#: (/api/storage/volumes/{volume.uuid}/snapshots, POST included), which a task naming the volume must read first.
PARENT_READS = dict(snapshot=1)


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=2):
    if value is None:
        return 'n/a'
    if isinstance(value, float) and value.is_integer() and digits == 0:
        return '%d' % value
    return ('%%.%df' % digits) % value


def num(value):
    """Request counts: integer when whole."""
    if value is None:
        return 'n/a'
    return ('%d' % value) if float(value).is_integer() else ('%.1f' % value)


class Data(object):
    def __init__(self, data):
        self.data = data
        self.completion = data.get('completion') or []
        self.durations = sorted(set(r['duration'] for r in self.completion))
        self.tools = [t for t in ORDER if t != 'floor' and any(r['tool'] == t for r in self.completion)]

    def runs(self, tool, duration):
        return [r for r in self.completion if r['tool'] == tool and r['duration'] == duration]

    def agg(self, tool, duration):
        runs = self.runs(tool, duration)
        if not runs:
            return None
        ok = [r for r in runs if not r['failures']]
        return dict(
            n=len(runs), failed=len(runs) - len(ok),
            errors=[e for r in runs for e in (r.get('errors') or []) if e][:1],
            overhead=med(r['overhead'] for r in ok),
            overhead_min=min([r['overhead'] for r in ok]) if ok else None,
            overhead_max=max([r['overhead'] for r in ok]) if ok else None,
            run_overhead=med(r['run_overhead'] for r in ok),
            detect=med(r['detect_delay'] for r in ok),
            requests=med(r['requests'] for r in runs),
            requests_ok=med(r['requests'] for r in ok),
            job_gets=med(r['job_gets'] for r in runs),
            connections=med(r['connections'] for r in runs),
            connections_max=max(r['connections'] for r in runs),
            breakdown=(ok or runs)[0].get('breakdown'),
            before_first=med(r.get('before_first') for r in ok),
            after_last=med(r.get('after_last') for r in ok),
        )

    def floor(self, duration):
        """Median overhead (s) of Ansible's floor task (``ansible.builtin.wait_for`` D s) at ``duration``, or None."""
        runs = [r for r in self.runs('floor', duration) if not r['failures']]
        return med(r['overhead'] for r in runs)


# -- sections --------------------------------------------------------------------------------------------------

def completion_tables(d):
    out = []
    head = '| tool | ' + ' | '.join('D = %s s' % x for x in d.durations) + ' |'
    sep = '|---|' + '---|' * len(d.durations)

    def table(title, cell, note=''):
        out.append('**%s**%s\n' % (title, note))
        out.append(head)
        out.append(sep)
        for tool in d.tools:
            cells = []
            for duration in d.durations:
                agg = d.agg(tool, duration)
                if agg is None:
                    cells.append('')
                elif agg['failed'] == agg['n']:
                    cells.append('FAILED %d/%d' % (agg['failed'], agg['n']))
                else:
                    text = cell(agg)
                    if agg['failed']:
                        text += ' (%d/%d failed)' % (agg['failed'], agg['n'])
                    cells.append(text)
            out.append('| %s | %s |' % (LABELS[tool], ' | '.join(cells)))
        out.append('')

    table('Overhead = task wall time − D, seconds: median [min–max] of %d runs' % d.data.get('reps', 3),
          lambda a: '**%s** [%s–%s]' % (fmt(a['overhead']), fmt(a['overhead_min']), fmt(a['overhead_max'])),
          ' (the task as Ansible times it, from the start of the task on the host to its result; for '
          'netapp-ontap the `post()` call)')
    if any(d.floor(x) is not None for x in d.durations):
        out.insert(len(out) - 1, '| Ansible floor: one `ansible.builtin.wait_for` task of D s, no ONTAP | %s |' % ' | '.join(
            fmt(d.floor(x)) for x in d.durations))
        out.append('**Where the overhead goes (Ansible tools, medians, s): above the Ansible floor / before the first '
                   'request / after the last answer**\n')
        out.append(head)
        out.append(sep)
        for tool in d.tools:
            cells = []
            for duration in d.durations:
                agg, floor = d.agg(tool, duration), d.floor(duration)
                if agg is None or agg['overhead'] is None or agg['before_first'] is None:
                    cells.append('')
                    continue
                cells.append('%s / %s / %s' % (fmt(agg['overhead'] - floor) if floor is not None else 'n/a',
                                               fmt(agg['before_first']), fmt(agg['after_last'])))
            out.append('| %s | %s |' % (LABELS[tool], ' | '.join(cells)))
        out.append('')
        out.append('Before the first request: Ansible builds the AnsiballZ file on the controller (it parses every '
                   'module_utils file the module imports, once per module per run), starts the module\'s process, '
                   'which imports its code (compiled again in every task: AnsiballZ imports from a zip) and opens the '
                   'TLS connection. After the last answer: the module builds its result and Ansible takes it. The '
                   'floor pays the same Ansible costs for a module that imports only Ansible\'s own code. Runs of D '
                   '≤ %s s were made one at a time.\n' % d.data.get('sequential_max', 10))

    table('Detection delay, seconds (median): from the job\'s end to the answer that told the tool it ended',
          lambda a: fmt(a['detect']),
          ' (server side, from the simulator\'s request log; no Ansible or Python start-up in it)')
    table('HTTP requests (job GETs) / TCP connections per task, median', lambda a: '%s (%s) / %s' % (
        num(a['requests']), num(a['job_gets']), num(a['connections'])))
    table('Whole run wall time − D, seconds (median): `ansible-playbook` (or the script) timed from outside',
          lambda a: fmt(a['run_overhead']))
    # ratios
    out.append('**Ratios ours / peer (overhead; requests), pair by pair**\n')
    out.append('| ours / peer | ' + ' | '.join('D = %s s' % x for x in d.durations) + ' |')
    out.append(sep)
    for ours, peer in PAIRS:
        if ours not in d.tools or peer not in d.tools:
            continue
        cells = []
        for duration in d.durations:
            a, b = d.agg(ours, duration), d.agg(peer, duration)
            if not a or not b:
                cells.append('')
                continue
            if b['failed'] == b['n']:
                cells.append('peer failed')
                continue
            ratio = (a['overhead'] / b['overhead']) if a['overhead'] is not None and b['overhead'] else None
            rreq = a['requests'] / b['requests_ok'] if b['requests_ok'] else None
            cells.append('%s; %s' % (fmt(ratio), fmt(rreq)))
        out.append('| %s / %s | %s |' % (LABELS[ours], LABELS[peer], ' | '.join(cells)))
    out.append('')
    return out


def request_breakdowns(d):
    if not d.durations:
        return []
    out = ['What each tool sent for one create of D = %s s (first successful run; the raw lines are in the '
           'JSON):\n' % d.durations[-1]]
    for tool in d.tools:
        agg = d.agg(tool, d.durations[-1])
        if not agg:
            continue
        out.append('- %s: %s' % (LABELS[tool], kinds(agg['breakdown'])))
    out.append('')
    return out


def noop_section(data):
    runs = data.get('noop') or []
    tools = [t for t in ORDER if any(r['tool'] == t for r in runs)]
    out = ['| tool | task wall, s (median [min–max]) | whole run wall, s | requests | TCP connections | changed |',
           '|---|---|---|---|---|---|']
    stats = {}
    for tool in tools:
        mine = [r for r in runs if r['tool'] == tool]
        walls = [r['task_wall'] for r in mine]
        stats[tool] = dict(task=med(walls), run=med(r['wall'] for r in mine), req=med(r['requests'] for r in mine),
                           conn=med(r['connections'] for r in mine), n=len(mine),
                           changed=sorted(set(str(c) for r in mine for c in (r.get('changed') or []))),
                           failures=sum(r['failures'] for r in mine))
        s = stats[tool]
        out.append('| %s | **%s** [%s–%s] | %s | %s | %s | %s%s |' % (
            LABELS[tool], fmt(s['task']), fmt(min(walls)), fmt(max(walls)), fmt(s['run']), num(s['req']),
            num(s['conn']), ', '.join(s['changed']), (' (%d failed)' % s['failures']) if s['failures'] else ''))
    out.append('')
    return out, stats


def fleet_section(data):
    runs = data.get('fleet') or []
    tools = [t for t in ORDER if any(r['tool'] == t for r in runs)]
    out = ['| tool | total wall, s (median [all]) | wall − Ansible floor, s | requests | TCP connections | '
           'busy answers (503) | failures |', '|---|---|---|---|---|---|---|']
    stats = {}
    for tool in tools:
        mine = [r for r in runs if r['tool'] == tool]
        stats[tool] = dict(wall=med(r['wall'] for r in mine), walls=[r['wall'] for r in mine],
                           req=med(r['requests'] for r in mine), conn=med(r['connections'] for r in mine),
                           busy=sum(r['busy'] for r in mine), failures=sum(r['failures'] for r in mine),
                           tasks=sum(r['tasks'] for r in mine), n=len(mine),
                           errors=[e for r in mine for e in (r.get('errors') or []) if e][:1],
                           conn_task_max=max([r.get('connections_per_task_max') or 0 for r in mine]),
                           conn_task_min=min([r.get('connections_per_task_min') or 0 for r in mine]))
    floor = stats.get('floor', {}).get('wall')
    for tool in tools:
        s = stats[tool]
        above = (s['wall'] - floor) if floor is not None and tool != 'floor' else None
        s['above_floor'] = above
        out.append('| %s | **%s** [%s] | %s | %s | %s | %s | %d of %d |' % (
            LABELS[tool], fmt(s['wall'], 1), ', '.join(fmt(w, 1) for w in s['walls']),
            fmt(above, 1) if above is not None else '—',
            num(s['req']) if tool != 'floor' else '—', num(s['conn']) if tool != 'floor' else '—',
            s['busy'], s['failures'], s['tasks']))
    out.append('')
    return out, stats


def long_section(data, recommended):
    long = data.get('long') or {}
    results = long.get('results') or []
    out = []
    if not results:
        return ['Scenario 4 did not run%s.\n' % (': `%s`' % long['error'][-300:] if long.get('error') else '')], {}
    scale = long.get('scale')
    shipped = long.get('shipped') or {}
    defaults = [r for r in results if r.get('kind') == 'default']
    for res in defaults:
        out.append('- **Every shipped default** (return_timeout %s, poll_interval %s, max_poll_interval %s, '
                   'job_timeout %s), job of %s simulated s: outcome **%s**, %s job polls, %s requests, %s TCP '
                   'connection(s), detection delay %s s, waited %s s.' % (
                       shipped.get('return_timeout'), shipped.get('poll_interval'), shipped.get('max_poll_interval'),
                       shipped.get('job_timeout'), fmt(res['duration'], 0), res['outcome'], res['polls'],
                       res['requests'], res['connections'], fmt(res['detect_delay'], 1), fmt(res['elapsed'], 1)))
        if res['outcome'] != 'success':
            out.append('  Message: "%s"' % res['message'])
    out.append('')
    sweep = [r for r in results if r.get('kind') == 'sweep']
    cands = []
    for res in sweep:
        key = (res['options']['return_timeout'], res['options']['poll_interval'], res['options']['max_poll_interval'])
        if key not in cands:
            cands.append(key)
    durations = sorted(set(r['duration'] for r in sweep))
    rec_key = (recommended['return_timeout'], float(recommended['poll_interval']),
               float(recommended['max_poll_interval']))
    ship_key = (shipped.get('return_timeout'), float(shipped.get('poll_interval', 0)),
                float(shipped.get('max_poll_interval', 0)))
    out.append('Defaults sweep (same harness, time scale %s, `job_timeout` = D + 7200 s so that only the three knobs '
               'matter), %s runs per cell. Cell: median detection delay in s / median requests (POST + job GETs). '
               '`worst rel.` = the largest median delay / D over D ≥ 45 s.\n' % (fmt(scale, 0), long.get('reps', 1)))
    out.append('| return_timeout, poll_interval, max_poll_interval | ' +
               ' | '.join('D = %s' % fmt(x, 0) for x in durations) + ' | total requests | worst rel. |')
    out.append('|---|' + '---|' * (len(durations) + 2))
    table = {}
    for key in sorted(cands, key=lambda k: (k != ship_key, k != rec_key, k)):
        cells = []
        total = 0
        worst = 0.0
        for duration in durations:
            runs = [r for r in sweep if r['duration'] == duration and
                    (r['options']['return_timeout'], r['options']['poll_interval'],
                     r['options']['max_poll_interval']) == key]
            if not runs:
                cells.append('')
                continue
            bad = [r['outcome'] for r in runs if r['outcome'] != 'success']
            res = dict(detect_delay=med(r['detect_delay'] for r in runs if r['outcome'] == 'success'),
                       requests=med(r['requests'] for r in runs), n=len(runs), bad=bad)
            table[(key, duration)] = res
            total += res['requests']
            if bad:
                cells.append('%s (%d of %d)' % (bad[0], len(bad), len(runs)))
                continue
            if duration >= 45 and res['detect_delay'] is not None:
                worst = max(worst, res['detect_delay'] / duration)
            cells.append('%s / %s' % (fmt(res['detect_delay'], 1), num(res['requests'])))
        tag = ' (shipped)' if key == ship_key else (' (**recommended**)' if key == rec_key else '')
        out.append('| %s, %s, %s%s | %s | %s | %s %% |' % (key[0], fmt(key[1], 0), fmt(key[2], 0), tag,
                                                           ' | '.join(cells), num(total), fmt(100 * worst, 0)))
    out.append('')
    return out, dict(table=table, ship_key=ship_key, rec_key=rec_key, defaults=defaults)


# -- targets ---------------------------------------------------------------------------------------------------

def targets(d, noop, fleet):
    """Checks, one per (target, subject, D): (target, subject, D or None, value, limit, ok, reason)."""
    rows = []
    for tool in [t for t in ('ours', 'ours_rec', 'ours_request') if t in d.tools]:
        like = ('na_restit',) if tool == 'ours_request' else ('na_volume', 'netapp_ontap')
        for duration in d.durations:
            a = d.agg(tool, duration)
            if a is None:
                continue
            limit = 1.0 + 0.1 * duration
            ok = a['overhead'] is not None and a['overhead'] <= limit and not a['failed']
            floor = d.floor(duration)
            reason = 'D = %s: detection delay %s s of the %s s overhead (%s job GETs)' % (
                duration, fmt(a['detect']), fmt(a['overhead']), num(a['job_gets']))
            if floor is not None and a['overhead'] is not None:
                reason += ('; Ansible\'s own floor for a task of D s is %s s of it, the task\'s start before its '
                           'first request %s s, after the last answer %s s' % (
                               fmt(floor), fmt(a['before_first']), fmt(a['after_last'])))
            rows.append(('overhead ≤ 1 s + 10 % of D', LABELS[tool], duration, fmt(a['overhead']), fmt(limit), ok,
                         None if ok else reason))
            if duration >= 45 and tool != 'ours_request' and 'na_volume' in d.tools:
                b = d.agg('na_volume', duration)
                if b and b['overhead'] is not None:
                    ok = a['overhead'] is not None and a['overhead'] <= b['overhead'] / 3.0
                    rows.append(("overhead ≤ ⅓ of netapp.ontap's (D ≥ 45)", LABELS[tool], duration,
                                 fmt(a['overhead']), fmt(b['overhead'] / 3.0), ok,
                                 None if ok else 'D = %s: detection delay %s s, netapp.ontap %s s'
                                 % (duration, fmt(a['detect']), fmt(b['detect']))))
            if duration <= RETURN_TIMEOUT and tool != 'ours_rec':
                ok = a['requests'] is not None and a['requests'] <= LIMITS['create']
                rows.append(('requests per create ≤ 2 (the physical limit) when the job ends within return_timeout',
                             LABELS[tool], duration, num(a['requests']), str(LIMITS['create']), ok,
                             None if ok else 'D = %s: %s' % (duration, kinds(a['breakdown']))))
            for name, group in (('requests per create ≤ fewest of the same-kind peers', like),):
                peers = []
                for peer in group:
                    b = d.agg(peer, duration)
                    if b and b['failed'] < b['n'] and b['requests_ok'] is not None:
                        peers.append((b['requests_ok'], peer))
                if not peers:
                    continue
                fewest, who = min(peers)
                ok = a['requests'] <= fewest
                rows.append((name, LABELS[tool], duration, num(a['requests']),
                             '%s (%s)' % (num(fewest), LABELS[who].split('.')[-1]), ok,
                             None if ok else 'D = %s: ours %s (%s); %s %s (%s)' % (
                                 duration, num(a['requests']), kinds(a['breakdown']), LABELS[who], num(fewest),
                                 kinds(d.agg(who, duration)['breakdown']))))
            ok = a['connections_max'] == 1
            rows.append(('exactly one TCP connection per task', LABELS[tool], duration, num(a['connections_max']),
                         '1', ok, None))
    if noop and 'ours' in noop and 'na_volume' in noop:
        a, b = noop['ours'], noop['na_volume']
        rows.append(("no-op task wall ≤ netapp.ontap's", LABELS['ours'], None, '%s s' % fmt(a['task']),
                     '%s s' % fmt(b['task']), a['task'] <= b['task'], None))
        rows.append(('exactly one TCP connection per task', LABELS['ours'] + ' (no-op)', None, num(a['conn']), '1',
                     a['conn'] == 1, None))
    if fleet and fleet.get('ours'):
        a, b = fleet.get('ours'), fleet.get('na_volume')
        per = a['tasks'] // max(1, a['n'])
        rows.append(('fleet: zero failures', LABELS['ours'], None, '%d of %d' % (a['failures'], a['tasks']), '0',
                     a['failures'] == 0, '; '.join(str(e) for e in a['errors']) or None))
        rows.append(('exactly one TCP connection per task', LABELS['ours'] + ' (fleet)', None,
                     '%s–%s per task (%s for %d tasks)' % (a['conn_task_min'], a['conn_task_max'], num(a['conn']), per),
                     '1', a['conn_task_min'] == a['conn_task_max'] == 1, None))
        floor = fleet.get('floor')
        if b and floor and b.get('above_floor'):
            ratio = a['above_floor'] / b['above_floor']
            ok = ratio <= 0.5
            reason = ('Ansible alone (the floor: the same fleet with a module that only waits 3 s) takes %s s; above '
                      'that floor ours costs %s s and netapp.ontap %s s (ratio %s)'
                      % (fmt(floor['wall'], 1), fmt(a['above_floor'], 1), fmt(b['above_floor'], 1), fmt(ratio)))
            rows.append(("fleet: wall above the Ansible floor ≤ 0.5 × netapp.ontap's", LABELS['ours'], None,
                         '%s s / %s s = %s' % (fmt(a['above_floor'], 1), fmt(b['above_floor'], 1), fmt(ratio)),
                         '0.5', ok, None if ok else reason))
    return rows


def detection_section(data):
    """Scenario 5 table and target rows. :returns: (lines, rows)."""
    det = data.get('detection') or {}
    results = det.get('results') or []
    if not results:
        return (['Not run.%s\n' % ((' Error: %s' % det['error'][-300:]) if det.get('error') else '')], [])
    shipped = det.get('shipped') or {}
    out = ['| options | D (simulated s) | answer | detection delay, s: median [min–max] | bound 0.1 D + poll_interval '
           '| delay / D | job polls (median) | requests | TCP connections |', '|---|---|---|---|---|---|---|---|---|']
    rows = []
    names = []
    for res in results:
        if res['candidate'] not in names:
            names.append(res['candidate'])
    for name in names:
        mine = [r for r in results if r['candidate'] == name]
        opts = mine[0]['options']
        subject = 'job poller (send_and_wait), %s: return_timeout %s, poll_interval %s, max_poll_interval %s' % (
            name, opts['return_timeout'], fmt(opts['poll_interval'], 0), fmt(opts['max_poll_interval'], 0))
        for duration in sorted(set(r['duration'] for r in mine)):
            cell = [r for r in mine if r['duration'] == duration]
            cells, checks = _delay_cell(subject, duration, cell, 'success', opts['poll_interval'])
            out.append('| %s | %s | %s | %s | %s | %s | %s |' % (
                name, duration, '/'.join(sorted(set(str(r['post_status']) for r in cell))), cells,
                num(med(r['polls'] for r in cell)), num(med(r['requests'] for r in cell)),
                num(max(r['connections'] for r in cell))))
            rows.extend(checks)
    out.append('')
    out.append('`job_timeout` is the one shipped option changed (to D + %s s): with the shipped 600 s a job of 600 s or '
               'more ends `timed_out` by design (a budget, not pacing). The shipped options are return_timeout %s, '
               'poll_interval %s, max_poll_interval %s. For comparison, issue 13 measured the poller before this '
               'pacing (x1.5 backoff restarting at `poll_interval` after the 202): return_timeout 5 noticed D = 60 s '
               '8.4 s late and D = 150 s 8.0 s late; return_timeout 120 noticed D = 150 s 11.2 s late after 6 polls.\n'
               % (fmt(det.get('job_timeout_margin'), 0), shipped.get('return_timeout'),
                  fmt(shipped.get('poll_interval'), 0), fmt(shipped.get('max_poll_interval'), 0)))
    move_lines, move_rows = moves_section(det)
    return out + move_lines, rows + move_rows


def _delay_cell(subject, duration, runs, done, poll_interval):
    """Scenario 5, one (subject, D) cell: ``(cells, checks)``. ``cells``: the table's delay columns (median
    [min–max], the bound 0.1 D + poll_interval, delay / D); ``checks``: the target rows (every run within the bound
    and ended as ``done``; one TCP connection per task)."""
    delays = [r['detect_delay'] for r in runs if r['detect_delay'] is not None]
    failed = [r for r in runs if r['outcome'] != done]
    delay = med(delays)
    bound = 0.1 * duration + poll_interval
    ok = not failed and bool(delays) and max(delays) <= bound
    cells = '**%s** [%s–%s] | %s | %s' % (
        fmt(delay), fmt(min(delays) if delays else None), fmt(max(delays) if delays else None), fmt(bound, 1),
        ('%.1f %%' % (100.0 * delay / duration)) if delay is not None else 'n/a')
    conns = max(r['connections'] for r in runs)
    checks = [('detection delay ≤ 10 % of D + poll_interval (every run)', subject, duration,
               fmt(max(delays) if delays else None), fmt(bound, 1), ok,
               None if ok else 'D = %s: %s' % (
                   duration, '; '.join(r['message'] for r in failed[:1]) or 'delays %s' % [fmt(x) for x in delays])),
              ('exactly one TCP connection per task', subject, duration, num(conns), '1', conns == 1, None)]
    return cells, checks


def moves_section(det):
    """Scenario 5, long operations without a job: volume moves waited for with the state waiter (``wait_for``).
    :returns: (lines, rows)."""
    moves = det.get('moves') or []
    if not moves:
        return [], []
    opts = moves[0]['options']
    subject = ('volume move, state waiter (ontap.rest.wait_for on movement.state, fresh guard): poll_interval %s, '
               'max_poll_interval %s' % (fmt(opts['poll_interval'], 0), fmt(opts['max_poll_interval'], 0)))
    out = ['**Long operations without a job: a volume move of D simulated seconds**, waited for as '
           '`ontap.rest.wait_for` waits (`state_waiter.wait_for_state` on `movement.state`, freshness guard on '
           '`movement.start_time`), shipped options (`job_timeout` D + %s s). Delay = from the move\'s end to the end '
           'of the read that showed `success`.\n' % fmt(det.get('job_timeout_margin'), 0),
           '| D (simulated s) | detection delay, s: median [min–max] | bound 0.1 D + poll_interval | delay / D | reads '
           '(median) | stale reads | requests (incl. the PATCH and the aggregate read) | TCP connections |',
           '|---|---|---|---|---|---|---|---|']
    rows = []
    for duration in sorted(set(m['duration'] for m in moves)):
        cell = [m for m in moves if m['duration'] == duration]
        cells, checks = _delay_cell(subject, duration, cell, 'reached', opts['poll_interval'])
        out.append('| %s | %s | %s | %s | %s | %s |' % (
            duration, cells, num(med(m['reads'] for m in cell)), num(max(m['stale_reads'] or 0 for m in cell)),
            num(med(m['requests'] for m in cell)), num(max(m['connections'] for m in cell))))
        rows.extend(checks)
    out.append('')
    out.append('Before this change the state waiter paused x1.5 from `poll_interval` up to `max_poll_interval` (a '
               'backoff that does not look at the time already waited): with the shipped options a move of 64.5 s was '
               'noticed 29.8 s (46 %) late, and moves between 10 s and 280 s fell outside the bound in places (fake '
               'clock, no jitter). It is now paced '
               'as job polls are, about 10 % of the time waited (`job_poller.paced`), and '
               '`tests/unit/plugins/module_utils/test_state_waiter.py` (`test_long_operation_*`) proves the bound and '
               'the logarithmic read count on a fake clock.\n')
    return out, rows


def modules_section(data):
    """Scenario 6 tables and target rows. :returns: (lines, rows)."""
    runs = data.get('modules') or []
    if not runs:
        return ['Not run.\n'], []
    rows = []
    out = ['| module | create: requests / connections / task s | no-op | delete | requests per create, no-op, '
           'delete at the physical limit |', '|---|---|---|---|---|']
    for module in MODULES:
        cells = []
        limits_ok = []
        for op in ('create', 'noop', 'delete'):
            tasks = [r['task_results'].get('%s %s' % (module, op)) or {} for r in runs]
            reqs = med(t.get('requests') for t in tasks)
            conns = max([t.get('connections') or 0 for t in tasks])
            wall = med(t.get('wall') for t in tasks)
            bad = [t for t in tasks if t.get('status') != 'ok']
            cells.append('%s / %s / %s%s' % (num(reqs), num(conns), fmt(wall), (' (%d failed)' % len(bad)) if bad else ''))
            limit = LIMITS[op] + PARENT_READS.get(module, 0)
            ok = not bad and reqs is not None and max(t.get('requests') or 0 for t in tasks) <= limit
            limits_ok.append(ok)
            what = {'create': 'create', 'noop': 'no-op', 'delete': 'delete'}[op]
            rows.append(('requests per %s ≤ %d (the physical limit; +1 for a parent addressed by uuid)'
                         % (what, LIMITS[op]), 'ontap.rest.%s' % module,
                         None, num(max(t.get('requests') or 0 for t in tasks)), str(limit), ok,
                         None if ok else '%s: %s%s' % (what, ', '.join(tasks[0].get('breakdown') or []),
                                                       ('; ' + str(bad[0].get('msg'))) if bad else '')))
            rows.append(('exactly one TCP connection per task', 'ontap.rest.%s (%s)' % (module, what), None,
                         num(conns), '1', conns == 1 or (reqs == 0), None))
        out.append('| ontap.rest.%s | %s | %s | %s | %s |'
                   % (module, cells[0], cells[1], cells[2], 'yes' if all(limits_ok) else 'no'))
    out.append('')
    out.append('Cells: median requests / most TCP connections / median task wall time of %d runs (pipelining off '
               'and on together); 2 s jobs, so every job ends within `return_timeout`. ontap.rest.snapshot\'s limit is '
               'one request higher: ONTAP addresses snapshots under their volume\'s uuid '
               '(`/api/storage/volumes/{volume.uuid}/snapshots`, the POST included), so a task that names the volume '
               'reads it first (a physical limit of the API, not of the module).\n' % len(runs))
    out.extend(_zapi_lines(runs, rows))
    # module start cost against ping, and pipelining
    lines = ['| ANSIBLE_PIPELINING | ping task, s | ontap.rest.volume no-op task, s | ratio no-op / ping | whole '
             'playbook, s | runs |', '|---|---|---|---|---|---|']
    walls = {}
    for pipelining in (False, True):
        mine = [r for r in runs if r['pipelining'] == pipelining]
        if not mine:
            continue
        ping = med(min(t['wall'] for name, t in r['task_results'].items() if name.startswith('ping')
                       and t.get('wall') is not None) for r in mine)
        noop = med(r['task_results'].get('volume noop', {}).get('wall') for r in mine)
        whole = med(r['wall'] for r in mine)
        walls[pipelining] = (ping, noop, whole)
        lines.append('| %s | %s | %s | %s | %s | %d |' % (pipelining, fmt(ping), fmt(noop),
                                                          fmt(noop / ping) if ping and noop else 'n/a', fmt(whole),
                                                          len(mine)))
    lines.append('')
    if False in walls and True in walls:
        lines.append('ANSIBLE_PIPELINING on / off, same playbook in alternating runs: whole playbook %s, ontap.rest '
                     'no-op task %s, ping task %s (a ratio below 1 means pipelining is faster). On the `local` '
                     'connection Ansible copies no file to a remote host, so pipelining has little to save.\n'
                     % (fmt(walls[True][2] / walls[False][2]), fmt(walls[True][1] / walls[False][1]),
                        fmt(walls[True][0] / walls[False][0])))
    lines.extend(_process_lines(data.get('module_cpu')))
    return out + ['### Module start cost against Ansible\'s ping\n',
                  'The module\'s own process time as a ratio to `ansible.builtin.ping` in the same playbook (the '
                  'first of the two ping tasks is not used when it is slower: it pays the play\'s start). Ping is the '
                  'cheapest module Ansible runs; the difference is what importing and running ontap.rest (requests, '
                  'the TLS connection, one lookup GET) costs per task.\n'] + lines, rows


def _process_lines(cost):
    """The module process alone (bench.module_process_cost): CPU and wall of ping and of a volume no-op, the ratio,
    and where the no-op's import time goes."""
    if not cost:
        return []
    if cost.get('error'):
        return ['The module process alone was not measured: %s.\n' % cost['error']]
    runs = cost['runs']
    cpu = dict((name, med(r['cpu'] for r in runs[name])) for name in ('ping', 'volume'))
    wall = dict((name, med(r['wall'] for r in runs[name])) for name in ('ping', 'volume'))
    bad = [r for name in runs for r in runs[name] if r['rc'] != 0 or r['changed']]
    out = ['The module process alone, without Ansible\'s controller: the AnsiballZ files Ansible kept '
           '(ANSIBLE_KEEP_REMOTE_FILES) of a ping task and of an ontap.rest.volume no-op (one lookup GET over a new '
           'TLS connection), each run again %d times, alternating; medians.%s\n'
           % (cost['reps'], (' %d run(s) failed or changed something: not a clean no-op.' % len(bad)) if bad else ''),
           '| process | CPU s (user + system) | wall s |', '|---|---|---|',
           '| ansible.builtin.ping | %s | %s |' % (fmt(cpu['ping'], 3), fmt(wall['ping'], 3)),
           '| ontap.rest.volume no-op | %s | %s |' % (fmt(cpu['volume'], 3), fmt(wall['volume'], 3)),
           '| ratio no-op / ping | %s | %s |' % (fmt(cpu['volume'] / cpu['ping'] if cpu['ping'] else None),
                                                 fmt(wall['volume'] / wall['ping'] if wall['ping'] else None)), '']
    imports = cost.get('imports') or {}
    ping, vol = imports.get('ping') or {}, imports.get('volume') or {}
    if vol:
        out.append('Import time of one run under `python -X importtime` (slower than a plain run): ping %s ms in all '
                   '(Ansible\'s `basic` %s ms); the volume no-op %s ms in all: Ansible\'s `basic` %s ms, `requests` %s '
                   'ms (urllib3 and its TLS set-up included), ontap.rest\'s own module_utils and module %s ms. Python '
                   'compiles each imported source file again in every task, because AnsiballZ imports them from a '
                   'zip; the remainder of the no-op is the TLS connection, the GET and the answer.\n'
                   % (fmt(ping.get('total'), 0), fmt(ping.get('ansible_basic'), 0), fmt(vol.get('total'), 0),
                      fmt(vol.get('ansible_basic'), 0), fmt(vol.get('requests'), 0), fmt(vol.get('ontap_rest'), 0)))
    return out


def _zapi_lines(runs, rows):
    """Scenario 6's ZAPI tasks (``zapi read``, ``zapi async``): a table, and the read call's target row."""
    tasks = dict((op, [r['task_results'].get('zapi %s' % op) or {} for r in runs]) for op in ('read', 'async'))
    if not any(t.get('requests') for t in tasks['read'] + tasks['async']):
        return []
    out = ['### The ZAPI path (ontap.rest.zapi)\n',
           '| call | requests (median, most) | TCP connections (most) | task s | requests of one run |',
           '|---|---|---|---|---|']
    for op, label in (('read', '`system-get-version` (read_only)'), ('async', '`volume-create-async`, waited for')):
        mine = tasks[op]
        counts = [t.get('requests') or 0 for t in mine]
        bad = [t for t in mine if t.get('status') != 'ok']
        out.append('| %s | %s, %s | %s | %s | %s |' % (
            label, num(med(counts)), num(max(counts)), num(max(t.get('connections') or 0 for t in mine)),
            fmt(med(t.get('wall') for t in mine)) + ((' (%d failed)' % len(bad)) if bad else ''),
            ', '.join(line.split(' -> ')[0].replace('POST ', '') for line in mine[0].get('breakdown') or [])))
        if op == 'read':
            ok = not bad and max(counts) <= 1
            rows.append(('requests per ZAPI read call ≤ 1 (the physical limit)', 'ontap.rest.zapi', None,
                         num(max(counts)), '1', ok, None if ok else '; '.join(mine[0].get('breakdown') or [])))
    out.append('')
    out.append('A ZAPI call is one HTTP POST to the servlet. ZAPI has no `return_timeout`: an asynchronous call is '
               'answered at once (`result-status` `in_progress`), so its job must be read at least once (the physical '
               'limit is 2: the call and one `job-get-iter` after the job ended); ontap.rest reads it with the same '
               'paced poller as REST (first read after `poll_interval`). netapp-lib opens one TCP connection per call '
               '(no keep-alive), so the REST target of one connection per task does not apply to ZAPI.\n')
    return out


def kinds(breakdown):
    """``['GET /api/cluster?fields=version -> 200', ...]`` -> ``'version GET, lookup GET, POST, ...'``."""
    names = []
    for line in breakdown or []:
        method, rest = line.split(' ', 1)
        path = rest.split('?', 1)[0].split(' ', 1)[0]
        if path.startswith('/api/cluster/jobs/'):
            names.append('job GET')
        elif path == '/api/cluster':
            names.append('version GET')
        elif path.startswith('/api/svm/svms'):
            names.append('SVM GET')
        elif method == 'GET' and path.startswith('/api/storage/volumes'):
            names.append('volume GET')
        else:
            names.append(method)
    out = []
    for name in names:
        if out and out[-1][0] == name:
            out[-1][1] += 1
        else:
            out.append([name, 1])
    return ', '.join(name if count == 1 else '%s ×%d' % (name, count) for name, count in out)


def grouped(rows):
    """One line per (target, subject): values per D, PASS only if every D passes."""
    groups = []
    index = {}
    for target, subject, duration, value, limit, ok, reason in rows:
        key = (target, subject)
        if key not in index:
            index[key] = dict(target=target, subject=subject, items=[], ok=True, reasons=[])
            groups.append(index[key])
        g = index[key]
        g['items'].append((duration, value, limit, ok))
        g['ok'] = g['ok'] and ok
        if reason and not ok:
            g['reasons'].append(reason)
    return groups


def plot(d, path):
    """Two panels: task overhead (wall − D) and server-side detection delay, per tool, versus D (log x)."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5), dpi=100)
    styles = {'ours': ('tab:green', 'o', '-'), 'ours_rec': ('darkgreen', 'D', '-'),
              'ours_request': ('tab:olive', 's', '--'), 'na_volume': ('tab:red', 'o', '-'),
              'na_restit': ('tab:orange', 's', '--'), 'netapp_ontap': ('tab:blue', '^', '-')}
    top = 0.0
    for tool in d.tools:
        for duration in d.durations:
            a = d.agg(tool, duration)
            if a and a['overhead_max'] is not None:
                top = max(top, a['overhead_max'])
    for ax, key, title in ((axes[0], 'overhead', 'Task wall time − D (median, min–max of the runs)'),
                           (axes[1], 'detect', 'Detection delay: job end → the answer that showed it (median)')):
        for tool in d.tools:
            color, marker, line = styles.get(tool, ('gray', 'o', '-'))
            xs, ys, lo, hi, failed = [], [], [], [], []
            for duration in d.durations:
                a = d.agg(tool, duration)
                if a is None:
                    continue
                if a[key] is None:
                    failed.append(duration)
                    continue
                xs.append(duration)
                ys.append(a[key])
                if key == 'overhead':
                    lo.append(a[key] - a['overhead_min'])
                    hi.append(a['overhead_max'] - a[key])
            if key == 'overhead':
                ax.errorbar(xs, ys, yerr=[lo, hi], color=color, marker=marker, linestyle=line, capsize=3,
                            label=LABELS[tool])
            else:
                ax.plot(xs, ys, color=color, marker=marker, linestyle=line, label=LABELS[tool])
            for duration in failed:
                ax.scatter([duration], [top * 1.05], marker='x', color=color, s=90)
                ax.annotate('%s failed' % LABELS[tool].split('.')[-1], (duration, top * 1.05), fontsize=7,
                            color=color, xytext=(-70, 6), textcoords='offset points')
        if key == 'overhead':
            grid = [min(d.durations) * (max(d.durations) / float(min(d.durations))) ** (i / 50.0) for i in range(51)]
            ax.plot(grid, [1 + 0.1 * x for x in grid], color='black', linestyle=':', label='target: 1 s + 10 % of D')
        ax.set_xscale('log')
        ax.set_xticks(d.durations)
        ax.set_xticklabels([str(x) for x in d.durations])
        ax.set_ylim(-0.5, top * 1.15 + 0.5)
        ax.set_xlabel('job duration D, seconds (log scale)')
        ax.set_ylabel('seconds')
        ax.set_title(title, fontsize=10)
        ax.grid(True, which='major', alpha=0.3)
        ax.legend(fontsize=7, loc='upper left')
    fig.suptitle('One volume create per run, ONTAP simulator, real time (%s runs per point)' % d.data.get('reps'),
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def render(data, plot_name):
    d = Data(data)
    rec = data.get('recommended') or {}
    out = []
    out.append('# Benchmarks: ontap.rest against its peers\n')
    out.append('Issues 5 and 13: faster to notice a finished job, the fewest requests, one connection. Every figure '
               'below comes '
               'from one run of `%s` on %s, all tools side by side against the same ONTAP simulator '
               '(`tests/simulator`). The run took %s minutes. Raw data: `benchmarks/results/latest.json`.\n'
               % (data.get('command', 'bash benchmarks/run.sh'), data.get('started'),
                  fmt((data.get('duration_s') or 0) / 60.0, 1)))
    out.append('Regenerate with `bash benchmarks/run.sh` (about 27 minutes on 2 cores, plus half a minute to build '
               '`benchmarks/.venv-peers` on first use). Not part of CI.\n')
    noop_lines, noop = noop_section(data) if data.get('noop') else ([], {})
    fleet_lines, fleet = fleet_section(data) if data.get('fleet') else ([], {})
    rows = targets(d, noop, fleet)
    detection_lines, detection_rows = detection_section(data)
    modules_lines, modules_rows = modules_section(data)
    rows = modules_rows + detection_rows + rows
    out.append('## Targets\n')
    shipped = (data.get('long') or {}).get('shipped') or dict(return_timeout=30, poll_interval=2.0,
                                                              max_poll_interval=30.0)
    out.append('Evaluated for ontap.rest as shipped (return_timeout %s, poll_interval %s, max_poll_interval %s) and '
               'with the recommended defaults (return_timeout %s, poll_interval %s, max_poll_interval %s, passed as '
               'task options).\n' % (shipped.get('return_timeout'), fmt(shipped.get('poll_interval'), 0),
                                     fmt(shipped.get('max_poll_interval'), 0), rec.get('return_timeout'),
                                     fmt(rec.get('poll_interval'), 0), fmt(rec.get('max_poll_interval'), 0)))
    groups = grouped(rows)
    out.append('| target | subject | measured (limit) | result |')
    out.append('|---|---|---|---|')
    for g in groups:
        if g['items'][0][0] is None:
            measured = '%s (%s)' % (g['items'][0][1], g['items'][0][2])
        else:
            measured = '<br>'.join('D=%s: %s (%s)%s' % (dur, val, lim, '' if ok else ' ✗')
                                   for dur, val, lim, ok in g['items'])
        missed = [str(dur) for dur, _v, _l, ok in g['items'] if not ok and dur is not None]
        result = '**PASS**' if g['ok'] else ('**MISS**' + (' (D = %s)' % ', '.join(missed) if missed else ''))
        out.append('| %s | %s | %s | %s |' % (g['target'], g['subject'], measured, result))
    out.append('')
    misses = [g for g in groups if not g['ok']]
    out.append('%d of %d targets pass, %d miss (%d of %d individual checks pass). Reasons and fixes: '
               '[Missed targets](#missed-targets).\n'
               % (len(groups) - len(misses), len(groups), len(misses), sum(1 for r in rows if r[5]), len(rows)))

    out.extend(validity(data, d))
    out.append('## Scenario 1: completion overhead (one create, job of D seconds)\n')
    out.append('Each tool creates one 100 MiB volume whose job runs D seconds (simulator job rule for '
               '`POST /api/storage/volumes`), %d repetitions, real time (time scale 1). Overhead is the task\'s wall '
               'time minus D; the detection delay is measured on the server side from the request log.\n'
               % data.get('reps', 3))
    out.append('Reading the figures: (1) 10, 45 and 100 are multiples of 5, so the tools that poll on a fixed 5 s '
               'grid counted from the POST (netapp-ontap; na_ontap_restit after its 30 s `return_timeout`) poll just '
               'as the job ends and show almost no delay; for a job of any other length their expected delay is '
               'about 2.5 s (up to 5 s, as at D = 1). (2) The netapp-ontap task is the `post()` call inside an '
               'already running Python process; the Ansible rows include Ansible\'s own task start and end (the '
               'Ansible floor row below), so compare netapp-ontap on detection delay and requests.\n')
    out.extend(completion_tables(d))
    out.append('![Overhead versus job duration](%s)\n' % plot_name)
    out.extend(request_breakdowns(d))

    out.append('## Scenario 2: idempotent no-op (the volume already exists as requested)\n')
    out.extend(noop_lines or ['Not run.\n'])
    out.append('## Scenario 3: fleet (100 creates, 20 forks, 3 s jobs, at most 40 requests in flight)\n')
    out.append('One play over 100 inventory hosts (local connection), one volume create per host, `forks = 20`; '
               'the simulator answers 503 above 40 requests in flight. netapp-ontap runs the same 100 creates with '
               '20 threads. The Ansible floor is the same fleet with a module that only waits 3 s: what Ansible '
               'itself costs on this machine.\n')
    out.extend(fleet_lines or ['Not run.\n'])
    out.append('## Scenario 4: a long job with our defaults, and the defaults sweep\n')
    out.append('Our real job poller (`job_poller.send_and_wait` through `client.OntapClient`, one keep-alive HTTPS '
               'session) against the simulator with a time scale; only the poller\'s clock and sleep are mapped to '
               'simulated seconds (`benchmarks/long_job.py`). Figures are simulated seconds.\n')
    long_lines, long = long_section(data, rec)
    out.extend(long_lines)
    out.append('## Scenario 5: detection delay and polls for long jobs and long operations (simulated time, clock '
               'control)\n')
    out.append('Our real job poller (`job_poller.send_and_wait` through `client.OntapClient`, one keep-alive HTTPS '
               'session) against the simulator at time scale 1, nothing slept for real: the poller\'s sleeps are '
               'jumps of the simulator\'s clock (`POST /_sim/clock`), and so is the time ONTAP holds the POST '
               '(`benchmarks/detection.py`). Every request\'s own latency is real. Delay = from the job\'s end to the '
               'end of the job read that showed it, simulated seconds; %d runs per cell (jitter differs per run).\n'
               % ((data.get('detection') or {}).get('reps') or 0))
    out.extend(detection_lines)
    out.append('## Scenario 6: requests per task of every resource module, and the module start cost\n')
    out.append('One playbook (`benchmarks/playbooks/ours_modules.yml`) creates, re-runs (no-op) and deletes a volume, '
               'a snapshot, a qtree and an SVM, and makes two ZAPI calls, each task logged in as its own user so the '
               'simulator\'s request log '
               'counts it apart. The physical limit of an idempotent task over one connection is 1 request for a '
               'no-op (the lookup), 2 for a create or a delete (the lookup and the write) when the job ends within '
               '`return_timeout`.\n')
    out.extend(modules_lines)
    out.extend(recommendation(d, long, rec))
    out.append('## Missed targets\n')
    if not misses:
        out.append('None.\n')
    explained = set()
    for g in misses:
        reasons = (' ' + '; '.join(g['reasons']) + '.') if g['reasons'] else ''
        out.append('- **%s** — %s.%s' % (g['target'], g['subject'], reasons))
        fix = FIXES.get(g['target'])
        if fix and g['target'] not in explained:
            explained.add(g['target'])
            out.append('  %s' % fix)
    out.append('')
    out.extend(STATIC_NOTES)
    out.append('## Machine and versions\n')
    mach = data.get('machine') or {}
    out.append('- Machine: %s, %s CPUs (%s), %s GiB memory.'
               % (mach.get('platform'), mach.get('cpus'), mach.get('cpu'), mach.get('memory_gib')))
    for name, value in sorted((data.get('versions') or {}).items()):
        out.append('- %s: %s' % (name, value))
    out.append('- Command: `%s`; repetitions %s; scenario 1 runs of one D started %s s apart.'
               % (data.get('command'), data.get('reps'), data.get('stagger')))
    for name, facts in sorted((data.get('load') or {}).items()):
        out.append('- Scenario %s: %s s, machine-wide CPU busy %s %% of 2 cores (every process on the machine, the '
                   'benchmark included), 1-minute load average at its end %s.'
                   % (name, facts.get('seconds'), facts.get('cpu_busy_pct'), facts.get('loadavg_1m')))
    out.append('')
    return '\n'.join(out)


#: Machine-wide CPU busy (% of all cores) above which a real-time scenario's wall times are not the tools' own
#: (the earlier runs: scenario 1 about 16 %, scenario 2 about 39 %; the fleet loads the machine by design).
BUSY_LIMIT = {'1': 40.0, '2': 50.0}


def validity(data, d):
    """What in this run makes figures invalid: real-time scenarios on a busy machine, peers that failed."""
    out = []
    load = data.get('load') or {}
    busy = [(name, facts) for name, facts in sorted(load.items())
            if name in BUSY_LIMIT and (facts.get('cpu_busy_pct') or 0) > BUSY_LIMIT[name]]
    failed = [tool for tool in d.tools if all((d.agg(tool, dur) or {}).get('failed') == (d.agg(tool, dur) or {}).get('n')
                                              for dur in d.durations)]
    if not busy and not failed:
        return out
    out.append('**Validity of this run.**')
    for name, facts in busy:
        out.append('- Scenario %s ran on a machine busy with other work: CPU busy %s %% of the cores (earlier runs: at '
                   'most %s %%), 1-minute load average %s at its end. Its wall times include waiting for the CPU and '
                   'are not comparable with other runs; request and connection counts are not affected.'
                   % (name, facts.get('cpu_busy_pct'), BUSY_LIMIT[name], facts.get('loadavg_1m')))
    for tool in failed:
        errors = [e for dur in d.durations for e in (d.agg(tool, dur) or {}).get('errors') or []]
        out.append('- %s failed every run of scenarios 1-3 (its figures, the fleet ratio included, are of failing tasks): '
                   '%s' % (LABELS[tool], (str(errors[0])[:300] if errors else 'see the JSON')))
    out.append('')
    return out


def recommendation(d, long, rec):
    out = ['## Recommended defaults\n']
    out.append('**return_timeout: %s** (shipped since issue 5), **poll_interval: %s**, **max_poll_interval: %s** '
               '(both unchanged).\n'
               % (rec.get('return_timeout'), fmt(rec.get('poll_interval'), 0), fmt(rec.get('max_poll_interval'), 0)))
    table = long.get('table') or {}
    ship, reck = long.get('ship_key'), long.get('rec_key')

    def cell(key, duration):
        res = table.get((key, duration))
        return res
    bullets = []
    for duration in (45, 100):
        s, r = cell(ship, duration), cell(reck, duration)
        if s and r:
            bullets.append('D = %d s: shipped defaults notice the end %s s late with %s requests; recommended %s s '
                           'with %s.' % (duration, fmt(s['detect_delay'], 1), num(s['requests']),
                                         fmt(r['detect_delay'], 1), num(r['requests'])))
    for tool in ('ours', 'ours_rec'):
        a = d.agg(tool, 100) if 100 in d.durations else None
        if a:
            bullets.append('Real Ansible runs, D = 100 s: %s overhead %s s (%s requests).'
                           % (LABELS[tool], fmt(a['overhead']), num(a['requests'])))
    out.append('Why, from the figures above:\n')
    for bullet in bullets:
        out.append('- %s' % bullet)
    out.extend(RECOMMENDATION_TEXT)
    return out


FIXES = {
    'overhead ≤ 1 s + 10 % of D': 'Cause: with `return_timeout: 120` (shipped) ONTAP answers when the job ends (no '
    'poll, no delay) for every job up to 2 minutes, so what is left is the task\'s start (Ansible\'s and the '
    'module\'s, scenario 6) and its two requests; past 2 minutes the polls are paced at about 10 % of the time '
    'already waited (scenario 5). At a short D with one POST and no poll the overhead is the task\'s start and end: '
    'the reason gives Ansible\'s own floor for a task of D s (measured in the same series) and the time before the '
    'first request and after the last answer; scenario 6 breaks the module\'s start down further.',
    'overhead ≤ ⅓ of netapp.ontap\'s (D ≥ 45)': 'Fix: as above (`return_timeout: 120`): netapp.ontap waits 30 s in '
    'the request and then polls every 30 s, so any job between 30 s and 120 s is noticed at once by us and up to '
    '30 s late by it.',
    'requests per create ≤ 2 (the physical limit) when the job ends within return_timeout': 'Cause: ONTAP\'s 201 '
    'answer lacked a field the task sets (or showed it otherwise), so the object was read again; see the request '
    'breakdown above.',
    'requests per create ≤ fewest of the same-kind peers': 'Cause: the job outlived `return_timeout`; see the '
    'request breakdown above.',
    'fleet: wall above the Ansible floor ≤ 0.5 × netapp.ontap\'s': 'Cause: on 2 cores this fleet is bound by '
    'Ansible\'s per-host cost (fork, AnsiballZ packaging, a Python start per task), the same for both collections; '
    'above that floor each task still pays its module process and its requests: scenario 6 measures the process '
    'alone against ping (CPU seconds) and where its import time goes (Ansible\'s `basic`, `requests` with urllib3, '
    'ontap.rest\'s own code, which Python compiles again in every task because AnsiballZ imports it from a zip). '
    'ANSIBLE_PIPELINING does not help on the local connection (scenario 6 measures it).',
}

RECOMMENDATION_TEXT = [
    '- `return_timeout` is the only knob that removes polling: ONTAP holds the request and answers the moment the '
    'job ends (HTTP 201/200), so for every job up to `return_timeout` the task makes one write request, polls '
    'nothing and notices the end with no delay. 120 is ONTAP\'s maximum; volume, snapshot, qtree and most SVM jobs '
    'end well within it. A lower value (30, the earlier default) leaves the 30–120 s band to the poller.',
    '- Cost of 120: each waiting task keeps one request (one connection, as it always has only one) open for up to '
    '2 minutes instead of 30 s. The number of requests in flight is still at most one per fork, so a fleet\'s peak '
    'against ONTAP\'s connection limit does not change (scenario 3: no busy answers); the client\'s read timeout '
    'becomes `http_timeout + return_timeout` = 180 s, already how the client is built. Proxies that cut idle HTTP '
    'requests under 2 minutes are the one setting where a lower value (60) is better; users set it per task.',
    '- `poll_interval: 2` stays: with `return_timeout: 120` no job shorter than 2 minutes is polled at all, so '
    '`poll_interval` and `max_poll_interval` only shape the waits of longer jobs (and of `ontap.rest.job` on fresh '
    'jobs, where a short first pause matters). In the sweep, (120, 1, 15) buys a few seconds of delay on long jobs '
    'for about 75 % more requests, and (120, 5, 60) saves about 40 % of the requests but doubles the delay bound; '
    '(120, 2, 30) sits between them.',
    '- `max_poll_interval: 30` stays: it bounds the delay for long jobs at 30 s (5 % of a 10-minute job, under 1 % of '
    'an hour) at about 2 requests a minute; 60 halves the requests of hour-long jobs but doubles the worst delay, '
    '15 doubles the requests for a few seconds less delay.',
    '- `job_timeout` (not one of the three, but scenario 4 shows it): a job of exactly 600 s under the shipped '
    '600 s budget ends as `timed_out`, because the last poll happens at the deadline, a few milliseconds before '
    'the job ends. That is correct behaviour for the budget given; it is worth a sentence in the docs that '
    '`job_timeout` must exceed the expected job duration with some margin.',
    '',
    'The poller itself (issue 13): after a 202 each pause is about 10 % of the time already waited (clamped to '
    '`[poll_interval, max_poll_interval]`), so every detection delay stays within 10 % of D plus `poll_interval` '
    'with a logarithmic number of polls (scenario 5; the sweep above runs the same poller).',
    '',
]

STATIC_NOTES = [
    '## Method and fairness\n',
    '- The simulator sets `TCP_NODELAY` on every connection (since issue 13). Before, an answer on a kept-alive '
    'connection waited about 45 ms for the client\'s delayed ACK (headers and body were written apart), a stall '
    'that clients opening a new connection per request (netapp.ontap) never paid, so earlier figures penalised '
    'ontap.rest. Real ONTAP: its keep-alive behaviour is not described in the shared sources (ONTAP_ASYNC.md, the '
    'OpenAPI spec); common production HTTP servers (nginx `tcp_nodelay on` by default, Apache httpd) disable Nagle\'s '
    'algorithm, so the simulator now behaves like them.',
    '- One simulator process serves every tool of scenarios 1–3 and 6; each run logs in as its own user, and requests, '
    'job GETs and TCP connections are counted from the simulator\'s request log (a connection is a client '
    '`address:port`). The simulator holds a write up to its `return_timeout` and answers the moment the job ends, '
    'as ONTAP does.',
    '- Real time (time scale 1) in scenarios 1–3. The peers sleep real seconds between polls (netapp.ontap '
    '`clamp(time_out/6, 5, 60)` = 30 s for na_ontap_volume and 5 s for na_ontap_restit, netapp-ontap 5 s), which '
    'cannot be time-scaled without patching them, so every tool sees the same real D. To keep the run short, the '
    'runs of one D start in parallel, 1.5 s apart, tool order rotated per repetition: their waits overlap, and '
    'since one Ansible run needs about 1 s of CPU, at most about two runs compete for the 2 cores at any time.',
    '- Scenario 4 maps only our poller\'s clock and sleep to the simulator\'s scaled time, so jobs of 600–1800 '
    'simulated seconds cost seconds; the durations, `return_timeout` and pauses are all in the same simulated '
    'seconds. Network latency is multiplied by the scale too (~0.1 simulated s here).',
    '- Defaults: every tool runs with its own defaults, except where a default makes the scenario impossible: '
    'na_ontap_restit needs `wait_for_completion: true` (its default returns before the job ends), and '
    'netapp-ontap gets `poll_timeout` = D + 300 s (its default, 30 s, fails every job longer than 30 s). '
    'Connection: `hostname: 127.0.0.1`, the port (`port` for ontap.rest, `http_port` for netapp.ontap), '
    'HTTPS, `validate_certs: false`, basic auth.',
    '- ontap.rest and netapp.ontap run on one controller: the same venv, ansible-core and Python, the collection '
    'from this checkout through `ANSIBLE_COLLECTIONS_PATH` (a temporary tree with `ansible_collections/ontap/rest` '
    'linked to the repository).',
    '- Task wall time comes from a small callback (`benchmarks/callback_plugins/bench_timing.py`): from the task '
    'starting on the host to its result. The whole-run wall time (around `ansible-playbook`) is reported too.',
    '',
    '## Defects found\n',
    '- Simulator gap (fixed in 2dd63e5, after the run of 2026-12-01 22:49): ontap-sim refused volume reads asking for '
    'fields of ONTAP\'s volume object it does not model (`encryption.enabled`, `tiering.policy`, ...) with 262197, '
    'as it refuses unknown names; netapp.ontap\'s na_ontap_volume asks for them on every lookup, so every one of its '
    'runs failed. ONTAP answers such reads; the simulator now does too.',
    '- Every ontap.rest task succeeded and made exactly one TCP connection.',
    '- Seen and already fixed: an early draft of `client.py` set `verify = False` only on the session, which requests '
    'overrides when `REQUESTS_CA_BUNDLE`/`CURL_CA_BUNDLE` is set (psf/requests#3829; both are set on this machine), '
    'so `validate_certs: false` failed with a certificate error. The committed client passes '
    '`verify=self._session.verify` on every request. The harness still removes both variables for every tool, so '
    'that `validate_certs: false` means the same for all of them.',
    '- Behaviour worth a line in the docs (not a defect): a job as long as `job_timeout` ends `timed_out` (scenario '
    '4), since the last poll is at the deadline.',
    '',
    '## Observations on the peers\n',
    '- netapp.ontap opens a new TCP (and TLS) connection for every request (`requests.request` without a '
    'session): 6 connections for one create, 2 for a no-op.',
    '- na_ontap_volume reads the job once more even after HTTP 201, and polls every 30 s after its 30 s '
    '`return_timeout` (`time_out` 180 → `clamp(180/6, 5, 60)`): a 100 s job is noticed at 120 s.',
    '- na_ontap_restit with `wait_for_completion: true` waits at most 30 s after its 30 s `return_timeout` '
    '(`job_timeout` 30, 5 s polls) and then fails with "Timeout error: Process still running" although the job '
    'goes on (FIELD_CASES F05).',
    '- netapp-ontap sends no `return_timeout` (every write is a 202), polls at once and then every 5 s with '
    '`fields=message,state`, and reads the new object and the job again after it ends; its default '
    '`poll_timeout` of 30 s fails any longer job.',
    '',
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--results', default=os.path.join(HERE, 'results', 'latest.json'))
    parser.add_argument('--markdown', required=True)
    parser.add_argument('--plot', required=True)
    args = parser.parse_args()
    with open(args.results) as handle:
        data = json.load(handle)
    d = Data(data)
    if d.completion:
        plot(d, args.plot)
    text = render(data, os.path.basename(args.plot))
    with open(args.markdown, 'w') as handle:
        handle.write(text)


if __name__ == '__main__':
    main()
