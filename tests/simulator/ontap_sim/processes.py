"""The process engine: long operations (transfer, quiesce, move, split, update, expand) on the simulated clock.

A :class:`Process` walks through the phases of its kind (e.g. a volume move: ``queued`` -> ``replicating`` ->
``cutover_pending`` -> ``cutover`` -> ``success``), each lasting some simulated seconds, and reports itself to its
owner through callbacks: ``on_update(process)`` after every change (the owner writes resource fields such as
``movement.state``/``percent_complete``), ``on_phase_end[phase](process)`` when a phase completes (a move switches the
volume's aggregate at the end of ``cutover``) and ``on_end(process)`` once it is terminal (the owner ends a linked
job). Like jobs, processes are advanced lazily: :meth:`ProcessEngine.advance` brings them to the current time.

What a process does differently is configured per process (from fault rules, by the caller): ``fail_at`` (phase,
code, message: fails on entering that phase), ``stall_at`` (phase, seconds: that phase lasts longer; 0 = until
:meth:`Process.release`), ``action_at`` (phase: before entering it the process waits in the kind's waiting state,
e.g. ``cutover_wait``, until :meth:`Process.act`). Per-endpoint process rules (:class:`ProcessRule`, ``POST
/_sim/processes``) set the linked job's mode (``accept``: the job ends when the operation has been accepted and the
process runs on after it; ``covers``: the job ends with the process) and phase durations.

Stale terminal state: :meth:`ProcessEngine.make_stale` keeps the previous operation's terminal view of a resource
field for the next ``reads`` reads (:meth:`ProcessEngine.read`), as ONTAP shows it right after a new request.

The engine is not thread-safe by itself; :class:`ontap_sim.core.Simulator` holds its lock around it.
"""

import copy
import fnmatch
import math
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from .clock import SimClock

JOB_MODES = ("accept", "covers")


@dataclass(frozen=True)
class KindSpec:  # pylint: disable=too-many-instance-attributes
    """A process kind: its phases ``((state, seconds), ...)``, the states it ends in, the state it waits in for an
    action (and the action that resumes it), its pause state, and the default job mode."""

    phases: Tuple[Tuple[str, float], ...]
    success: str = "success"
    failure: str = "failed"
    aborted: str = "aborted"
    waiting: str = ""
    action: str = ""
    action_phase: str = ""
    paused: str = "paused"
    job: str = "accept"


#: The process kinds (simulated seconds per phase; a rule may change them).
KINDS: Dict[str, KindSpec] = {
    "move": KindSpec(phases=(("queued", 1.0), ("replicating", 6.0), ("cutover_pending", 1.0), ("cutover", 1.0)),
                     waiting="cutover_wait", action="cutover", action_phase="cutover"),
    "transfer": KindSpec(phases=(("queued", 1.0), ("transferring", 5.0))),
    "quiesce": KindSpec(phases=(("quiescing", 3.0),), success="quiesced", paused="quiescing"),
    "split": KindSpec(phases=(("splitting", 6.0),)),
    "update": KindSpec(phases=(("validating", 2.0), ("updating", 6.0), ("rebooting", 4.0), ("completing", 2.0)),
                       success="completed", waiting="pause_on_error", action="resume", action_phase="rebooting",
                       paused="paused_by_user"),
    "expand": KindSpec(phases=(("expanding", 4.0),)),
}


@dataclass
class ProcessRule:
    """Per-endpoint process behaviour (``POST /_sim/processes``).

    ``kind`` (one of :data:`KINDS`), ``method``/``path`` (``*`` or glob) select the request that starts the process;
    ``job`` ``accept``|``covers`` (None = the kind's default); ``phases`` ``{phase: seconds}`` overrides durations;
    ``count`` how many processes it still applies to (None = unlimited).
    """

    kind: str
    method: str = "*"
    path: str = "*"
    job: Optional[str] = None
    phases: Dict[str, float] = field(default_factory=dict)
    count: Optional[int] = None
    id: int = 0

    FIELDS = ("kind", "method", "path", "job", "phases", "count")

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "ProcessRule":
        """Build from a control-API body; ValueError on bad keys or values."""
        unknown = set(data) - set(cls.FIELDS)
        if unknown:
            raise ValueError("unknown process rule keys: %s" % ", ".join(sorted(unknown)))
        rule = cls(**data)
        if rule.kind not in KINDS:
            raise ValueError("kind must be one of %s" % ", ".join(KINDS))
        if rule.job is not None and rule.job not in JOB_MODES:
            raise ValueError("job must be accept or covers")
        if not isinstance(rule.phases, dict):
            raise ValueError("phases must be an object {phase: seconds}")
        known = [name for name, dummy in KINDS[rule.kind].phases]
        for name, seconds in rule.phases.items():
            if name not in known:
                raise ValueError("phase %r is not a phase of %s (%s)" % (name, rule.kind, ", ".join(known)))
            if float(seconds) < 0:
                raise ValueError("phase seconds must be >= 0")
        rule.method = rule.method.upper()
        return rule

    def matches(self, kind: str, method: str, path: str) -> bool:
        """Does this rule select a ``kind`` process started by ``method`` on ``path``?"""
        if self.kind != kind or (self.count is not None and self.count <= 0):
            return False
        if self.method not in ("*", method.upper()):
            return False
        return path == self.path or fnmatch.fnmatchcase(path, self.path)

    def as_dict(self) -> Dict[str, Any]:
        """JSON view including ``id``."""
        out = {name: getattr(self, name) for name in self.FIELDS}
        out["id"] = self.id
        return out


Callback = Callable[["Process"], None]


class Process:  # pylint: disable=too-many-instance-attributes
    """One running (or finished) operation."""

    def __init__(self, kind: str, target: str, start: float, phases: Optional[Dict[str, float]] = None,
                 job_mode: str = "accept") -> None:
        self.uuid = str(uuidlib.uuid4())
        self.kind = kind
        self.spec = KINDS[kind]
        self.target = target
        self.phases: List[Tuple[str, float]] = [(name, float((phases or {}).get(name, seconds)))
                                                for name, seconds in self.spec.phases]
        self.job_mode = job_mode
        self.job_uuid: Optional[str] = None
        self.start = start
        self.end: Optional[float] = None
        self.cursor = start            # simulated time accounted for
        self.index = 0                 # current phase
        self.elapsed = 0.0             # seconds spent in the current phase (excluding pauses and waits)
        self.entered = False
        self.state = self.phases[0][0]
        self.outcome = ""              # "", success, failure, aborted
        self.error: Optional[Dict[str, Any]] = None
        self.user_paused = False
        self.waiting = False
        self.acted: List[str] = []
        self.fail_at: Tuple[Any, ...] = ()          # (phase, code, message)
        self.stall_at: Tuple[Any, ...] = ()         # (phase, seconds)
        self.action_at: Optional[str] = None
        self.on_update: Optional[Callback] = None
        self.on_end: Optional[Callback] = None
        self.on_phase_enter: Optional[Callable[["Process", str, float], None]] = None
        self.on_phase_end: Dict[str, Callback] = {}
        self.info: Dict[str, Any] = {}

    # ------------------------------------------------------------------ views
    @property
    def terminal(self) -> bool:
        """True once ended (success, failure or aborted)."""
        return bool(self.outcome)

    @property
    def phase(self) -> str:
        """The current phase name (the last one once ended)."""
        return self.phases[min(self.index, len(self.phases) - 1)][0]

    def percent_complete(self) -> int:
        """Progress over the phases' durations: 0..99 while running, 100 at success."""
        if self.outcome == "success":
            return 100
        total = sum(seconds for dummy, seconds in self.phases)
        done = sum(seconds for dummy, seconds in self.phases[:self.index]) + min(self.elapsed, self._base())
        if total <= 0:
            return 0
        return max(0, min(99, int(100 * done / total)))

    def _base(self) -> float:
        return self.phases[self.index][1] if self.index < len(self.phases) else 0.0

    def _duration(self) -> float:
        seconds = self._base()
        stall = self.stall_at
        if stall and stall[0] == self.phase:
            seconds = math.inf if stall[1] <= 0 else seconds + stall[1]
        return seconds

    def next_due(self) -> Optional[float]:
        """Simulated time of this process's next change if nobody acts (None: none scheduled)."""
        if self.terminal or self.user_paused or self.waiting:
            return None
        if not self.entered:
            return self.cursor
        left = self._duration() - self.elapsed
        return None if math.isinf(left) else self.cursor + max(0.0, left)

    def render(self, clock: SimClock) -> Dict[str, Any]:
        """The control-API view."""
        out: Dict[str, Any] = {
            "uuid": self.uuid, "kind": self.kind, "target": self.target, "state": self.state, "phase": self.phase,
            "percent_complete": self.percent_complete(), "start_time": clock.iso(self.start),
            "job_mode": self.job_mode, "job": self.job_uuid, "paused": self.user_paused, "waiting": self.waiting,
            "outcome": self.outcome or None,
        }
        if self.end is not None:
            out["end_time"] = clock.iso(self.end)
        if self.error is not None:
            out["error"] = dict(self.error)
        return out

    # ------------------------------------------------------------------ moving on
    def _notify(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def _finish(self, when: float, outcome: str, state: str, error: Optional[Dict[str, Any]] = None) -> None:
        self.outcome, self.state, self.end, self.error = outcome, state, when, error
        self.waiting = self.user_paused = False
        self._notify()
        if self.on_end is not None:
            self.on_end(self)

    def advance_to(self, now: float) -> None:
        """Move through the phases up to ``now``."""
        while not self.terminal:
            if self.user_paused or self.waiting:
                self.cursor = max(self.cursor, now)
                return
            name = self.phase
            if not self.entered:
                fail = self.fail_at
                if fail and fail[0] == name:
                    self._finish(self.cursor, "failure", self.spec.failure, {"code": str(fail[1]), "message": fail[2]})
                    return
                if self.action_at == name and name not in self.acted:
                    self.waiting = True
                    self.state = self.spec.waiting
                    self._notify()
                    continue
                self.entered = True
                self.state = name
                if self.on_phase_enter is not None:
                    self.on_phase_enter(self, name, self.cursor)
                self._notify()
            need = self._duration() - self.elapsed
            avail = now - self.cursor
            if avail < need:
                self.elapsed += max(0.0, avail)
                self.cursor = max(self.cursor, now)
                self._notify()
                return
            self.cursor += max(0.0, need)
            hook = self.on_phase_end.get(name)
            if hook is not None:
                hook(self)
            self.index += 1
            self.elapsed = 0.0
            self.entered = False
            if self.index >= len(self.phases):
                self.index = len(self.phases) - 1
                self.elapsed = self.phases[-1][1]
                self._finish(self.cursor, "success", self.spec.success)
                return

    # ------------------------------------------------------------------ controls (call advance_to(now) first)
    def pause(self, now: float) -> None:
        """Pause (the kind's pause state) until :meth:`resume`."""
        self.user_paused = True
        self.cursor = now
        self.state = self.spec.paused
        self._notify()

    def resume(self, now: float) -> None:
        """Go on after :meth:`pause`."""
        self.user_paused = False
        self.cursor = now
        self.state = self.phase if not self.waiting else self.spec.waiting
        self._notify()

    def act(self, now: float) -> None:
        """The action a waiting process needs (e.g. trigger a cutover): it enters the phase it waited for."""
        if self.waiting:
            self.acted.append(self.phase)
        self.waiting = False
        self.action_at = None
        self.cursor = now
        self._notify()

    def need_action(self) -> None:
        """Wait for :meth:`act` before the kind's action phase (if not yet reached)."""
        names = [name for name, dummy in self.phases]
        if self.spec.action_phase in names and names.index(self.spec.action_phase) >= self.index:
            self.action_at = self.spec.action_phase

    def release(self, now: float) -> None:
        """End a stall: the stalled phase ends now."""
        stall = self.stall_at
        if stall and stall[0] == self.phase and self.entered:
            self.elapsed = max(self.elapsed, self._base())
        self.stall_at = ()
        self.cursor = now

    def abort(self, now: float, code: int = 0, message: str = "") -> None:
        """End now in the kind's aborted state."""
        self._finish(now, "aborted", self.spec.aborted,
                     {"code": str(code), "message": message} if code else None)


class ProcessEngine:
    """Holds processes and process rules; advances processes on the simulated clock."""

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.processes: Dict[str, Process] = {}
        self.rules: List[ProcessRule] = []
        self._rule_id = 0
        self.stale: Dict[Tuple[str, str], Dict[str, Any]] = {}

    def clear(self) -> None:
        """Forget every process, rule and stale view."""
        self.processes.clear()
        self.rules = []
        self.stale.clear()

    # ------------------------------------------------------------------ rules
    def add_rule(self, data: Dict[str, Any]) -> ProcessRule:
        """Add a rule (newest matching wins)."""
        rule = ProcessRule.from_dict(data)
        self._rule_id += 1
        rule.id = self._rule_id
        self.rules.append(rule)
        return rule

    def rule_for(self, kind: str, method: str, path: str) -> Optional[ProcessRule]:
        """The newest live rule selecting the request (uses up one of its ``count``)."""
        for rule in reversed(self.rules):
            if rule.matches(kind, method, path):
                if rule.count is not None:
                    rule.count -= 1
                return rule
        return None

    # ------------------------------------------------------------------ processes
    def start(self, kind: str, target: str, phases: Optional[Dict[str, float]] = None,
              job_mode: Optional[str] = None) -> Process:
        """A new process of ``kind`` on ``target`` (``"volume/<uuid>"``), starting now. Set callbacks and faults on
        it, then call :meth:`advance`."""
        process = Process(kind, target, self.clock.now(), phases, job_mode or KINDS[kind].job)
        self.processes[process.uuid] = process
        return process

    def active(self, target: str, kind: Optional[str] = None) -> Optional[Process]:
        """The live process on ``target`` (of ``kind``), if any."""
        for process in self.processes.values():
            if process.target == target and not process.terminal and (kind is None or process.kind == kind):
                return process
        return None

    def advance(self) -> None:
        """Bring every live process to the current simulated time."""
        now = self.clock.now()
        for process in sorted(self.processes.values(), key=lambda p: p.start):
            if not process.terminal:
                process.advance_to(now)

    def next_due(self) -> Optional[float]:
        """Simulated time of the next scheduled change of any process (None: none)."""
        times = [t for t in (p.next_due() for p in self.processes.values()) if t is not None]
        return min(times) if times else None

    # ------------------------------------------------------------------ stale terminal state
    def make_stale(self, kind: str, key: str, fieldname: str, previous: Any, reads: int = 1) -> None:
        """The next ``reads`` reads of record ``key`` of ``kind`` show ``previous`` as ``fieldname``."""
        self.stale[(kind, key)] = {"field": fieldname, "value": copy.deepcopy(previous), "reads": max(1, reads)}

    def read(self, kind: Optional[str], records: List[Dict[str, Any]], key: str = "uuid") -> List[Dict[str, Any]]:
        """Records as a client reads them: with a pending stale view, the previous terminal state (one read used)."""
        if kind is None or not self.stale:
            return records
        out = []
        for record in records:
            entry = self.stale.get((kind, str(record.get(key))))
            if entry is not None:
                record = dict(record)
                if entry["value"] is None:
                    record.pop(entry["field"], None)
                else:
                    record[entry["field"]] = copy.deepcopy(entry["value"])
                entry["reads"] -= 1
                if entry["reads"] <= 0:
                    del self.stale[(kind, str(record.get(key)))]
            out.append(record)
        return out
