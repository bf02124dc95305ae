"""The job engine: ONTAP job objects, their state clock, pause/resume/cancel, and retention.

A job moves ``queued`` -> (optional hold in ``running``/``paused``) -> ``running`` -> ``success``/``failure`` as
*simulated* time passes (a *held* job, from a rule with ``hold``, makes no progress at all until released through
the control API) (see :mod:`ontap_sim.clock`). States are computed lazily: :meth:`JobEngine.advance` brings
every job up to the current time and runs the ``effect`` of jobs that just succeeded, in the order they ended.
The engine is not thread-safe by itself; the caller (:class:`ontap_sim.core.Simulator`) holds its lock.
"""

import fnmatch
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from .clock import SimClock
from .errors import ApiError, invalid_value, not_found

NON_TERMINAL = ("queued", "running", "paused")
TERMINAL = ("success", "failure")

#: Code and message a cancelled job ends with (simulator choice; ONTAP documents only "success or failure").
CANCEL_CODE = 458760
CANCEL_MESSAGE = "Job was cancelled."


@dataclass
class JobRule:  # pylint: disable=too-many-instance-attributes
    """Per-endpoint job behaviour set through ``POST /_sim/jobs``.

    ``method`` (``*`` = any) and ``path`` (exact or glob, e.g. ``/api/storage/volumes*``) select the write request;
    ``seconds`` is the running time (simulated s, None = the configured default); ``outcome`` ``success`` or
    ``failure`` (with ``code``/``message``); ``count`` how many jobs it still applies to (None = unlimited).
    ``progress_code``/``progress_message`` are shown while running; ``hold_state``/``hold_seconds`` keep the job
    in ``running`` or ``paused`` for that long before it makes progress (a stuck job). ``hold`` keeps the job in
    ``hold_state`` with no progress, whatever the time, until it is released (``POST /_sim/jobs/<uuid>/release``).
    """

    method: str = "*"
    path: str = "*"
    seconds: Optional[float] = None
    outcome: str = "success"
    code: int = 0
    message: str = ""
    pausable: bool = True
    cancellable: bool = True
    count: Optional[int] = None
    progress_code: int = 0
    progress_message: str = ""
    hold_state: str = "running"
    hold_seconds: float = 0.0
    hold: bool = False
    arguments: List[Dict[str, str]] = field(default_factory=list)
    id: int = 0

    FIELDS = ("method", "path", "seconds", "outcome", "code", "message", "pausable", "cancellable", "count",
              "progress_code", "progress_message", "hold_state", "hold_seconds", "hold", "arguments")

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "JobRule":
        """Build from a control-API body; ValueError on bad keys or values."""
        unknown = set(data) - set(cls.FIELDS)
        if unknown:
            raise ValueError("unknown job rule keys: %s" % ", ".join(sorted(unknown)))
        rule = cls(**data)
        rule.method = rule.method.upper()
        if rule.outcome not in TERMINAL:
            raise ValueError("outcome must be success or failure")
        if rule.hold_state not in ("running", "paused"):
            raise ValueError("hold_state must be running or paused")
        if rule.seconds is not None and float(rule.seconds) < 0:
            raise ValueError("seconds must be >= 0")
        if not isinstance(rule.hold, bool):
            raise ValueError("hold must be true or false")
        if rule.outcome == "failure" and not rule.code:
            rule.code = 1
        if rule.outcome == "failure" and not rule.message:
            rule.message = "Simulated job failure."
        return rule

    def matches(self, method: str, path: str) -> bool:
        """Does this rule select a ``method`` request on ``path``?"""
        if self.count is not None and self.count <= 0:
            return False
        if self.method not in ("*", method.upper()):
            return False
        return path == self.path or fnmatch.fnmatchcase(path, self.path)

    def as_dict(self) -> Dict[str, Any]:
        """JSON view including ``id``."""
        out = {name: getattr(self, name) for name in self.FIELDS}
        out["id"] = self.id
        return out


@dataclass
class JobSpec:  # pylint: disable=too-many-instance-attributes
    """What a new job will do. Durations in simulated seconds."""

    description: str
    seconds: float
    outcome: str = "success"
    code: int = 0
    message: str = ""
    arguments: List[Dict[str, str]] = field(default_factory=list)
    pausable: bool = True
    cancellable: bool = True
    progress_code: int = 0
    progress_message: str = ""
    hold_state: str = "running"
    hold_seconds: float = 0.0
    hold: bool = False
    svm: Optional[Dict[str, str]] = None
    node: str = "node1"
    owner: str = ""
    effect: Optional[Callable[[], None]] = None
    cleanup: Optional[Callable[[], None]] = None


class Job:  # pylint: disable=too-many-instance-attributes
    """One ONTAP job. ``progress`` counts simulated seconds the job has been un-paused since creation."""

    def __init__(self, spec: JobSpec, created: float, queued_seconds: float) -> None:
        self.uuid = str(uuidlib.uuid4())
        #: The integer job id ZAPI and the CLI show ("Job 1369 started"); set by :meth:`JobEngine.start`.
        self.id = 0
        self.spec = spec
        self.created = created
        self.queued_seconds = queued_seconds
        self.progress = 0.0
        self.last_update = created
        self.user_paused = False
        self.held = spec.hold
        self.cancel_requested = False
        self.state = "queued"
        self.code = 0
        self.message = "Queued"
        self.error: Optional[Dict[str, Any]] = None
        self.end_sim: Optional[float] = None

    @property
    def total(self) -> float:
        """Simulated seconds of progress needed to finish."""
        return self.queued_seconds + self.spec.hold_seconds + self.spec.seconds

    @property
    def terminal(self) -> bool:
        """True once ``success`` or ``failure``."""
        return self.state in TERMINAL

    def remaining(self) -> Optional[float]:
        """Simulated seconds until the job ends if nobody pauses it; None while paused by a user."""
        if self.terminal:
            return 0.0
        if self.user_paused or self.held:
            return None
        return max(0.0, self.total - self.progress)

    def link(self) -> Dict[str, Any]:
        """``job_link``: ``{"uuid", "_links": {"self": {"href"}}}``."""
        return {"uuid": self.uuid, "_links": {"self": {"href": "/api/cluster/jobs/%s" % self.uuid}}}

    def render(self, clock: SimClock) -> Dict[str, Any]:
        """The full job object as ONTAP returns it for ``fields=**``."""
        out: Dict[str, Any] = {
            "uuid": self.uuid,
            "description": self.spec.description,
            "state": self.state,
            "message": self.message,
            "code": self.code,
            "start_time": clock.iso(self.created),
            "node": {"name": self.spec.node},
        }
        if self.end_sim is not None:
            out["end_time"] = clock.iso(self.end_sim)
        if self.error is not None:
            out["error"] = dict(self.error)
        if self.spec.svm:
            out["svm"] = {"name": self.spec.svm["name"], "uuid": self.spec.svm["uuid"],
                          "_links": {"self": {"href": "/api/svm/svms/%s" % self.spec.svm["uuid"]}}}
        out["_links"] = {"self": {"href": "/api/cluster/jobs/%s" % self.uuid}}
        return out


class JobEngine:
    """Holds the jobs, moves them along the simulated clock and drops them after ``retention`` seconds."""

    def __init__(self, clock: SimClock, retention: float = 300.0, queued_seconds: float = 0.05) -> None:
        self.clock = clock
        self.retention = retention
        self.queued_seconds = queued_seconds
        self.jobs: Dict[str, Job] = {}
        self.on_change: Optional[Callable[[], None]] = None
        self.on_advance: Optional[Callable[[], None]] = None
        #: The next integer job id (ids keep counting across ``clear``, as ONTAP's do across job deletions).
        self.next_id = 1000

    def clear(self) -> None:
        """Forget every job."""
        self.jobs.clear()

    def start(self, spec: JobSpec) -> Job:
        """Create a job from ``spec`` now; it is queued for a short moment, then runs."""
        now = self.clock.now()
        job = Job(spec, now, min(self.queued_seconds, spec.seconds / 2.0))
        job.id, self.next_id = self.next_id, self.next_id + 1
        self.jobs[job.uuid] = job
        self._step(job, now)
        return job

    def get(self, job_uuid: str) -> Job:
        """The live job, or 404 code 4 ``entry doesn't exist`` (target ``uuid``)."""
        self.advance()
        job = self.jobs.get(job_uuid)
        if job is None:
            raise not_found("uuid")
        return job

    def by_id(self, job_id: int) -> Optional[Job]:
        """The live job with integer id ``job_id`` (ZAPI ``job-id``), or None."""
        self.advance()
        return next((job for job in self.jobs.values() if job.id == job_id), None)

    def advance(self) -> None:
        """Bring all jobs to the current simulated time, finishing (and applying) those that are due.

        ``on_advance`` (if set) runs first: the owner of jobs held for it (``spec.owner``, e.g. a process) ends them
        through :meth:`conclude`."""
        if self.on_advance is not None:
            self.on_advance()
        now = self.clock.now()
        due = []
        for job in list(self.jobs.values()):
            if not job.terminal:
                end = self._progress_to(job, now)
                if end is not None:
                    due.append((end, job))
        for end, job in sorted(due, key=lambda item: item[0]):
            self._finish(job, end)
        expired = [j.uuid for j in self.jobs.values()
                   if j.end_sim is not None and now - j.end_sim >= self.retention]
        for job_uuid in expired:
            del self.jobs[job_uuid]
        for job in self.jobs.values():
            if not job.terminal:
                self._show_state(job)

    def _progress_to(self, job: Job, now: float) -> Optional[float]:
        """Add un-paused time up to ``now``; return the simulated end moment if the job is now due."""
        if not job.user_paused and not job.held:
            job.progress += max(0.0, now - job.last_update)
        job.last_update = now
        if job.progress >= job.total:
            return now - (job.progress - job.total)
        return None

    def _step(self, job: Job, now: float) -> None:
        end = self._progress_to(job, now)
        if end is not None:
            self._finish(job, end)
        else:
            self._show_state(job)

    def _show_state(self, job: Job) -> None:
        spec = job.spec
        if job.user_paused:
            job.state, job.message, job.code = "paused", "Job paused by user", 0
        elif job.held:
            job.state = spec.hold_state
            job.message = spec.progress_message or ("Job paused" if spec.hold_state == "paused" else "Running")
            job.code = spec.progress_code
        elif job.progress < job.queued_seconds:
            job.state, job.message, job.code = "queued", "Queued", 0
        elif job.progress < job.queued_seconds + spec.hold_seconds:
            job.state = spec.hold_state
            job.message = spec.progress_message or ("Job paused" if spec.hold_state == "paused" else "Running")
            job.code = spec.progress_code
        else:
            job.state = "running"
            job.message = spec.progress_message or "Running"
            job.code = spec.progress_code

    def _finish(self, job: Job, end: float) -> None:
        spec = job.spec
        job.end_sim = end
        failure: Optional[ApiError] = None
        if job.cancel_requested:
            failure = ApiError(400, CANCEL_MESSAGE, str(CANCEL_CODE))
        elif spec.outcome == "failure":
            failure = ApiError(400, spec.message, str(spec.code), arguments=spec.arguments)
        elif spec.effect is not None:
            try:
                spec.effect()
            except ApiError as err:
                failure = err
        if failure is None:
            job.state, job.message, job.code, job.error = "success", "success", 0, None
        else:
            job.state, job.message, job.code = "failure", failure.message, int(failure.code)
            job.error = {"code": failure.code, "message": failure.message, "arguments": list(failure.arguments)}
        if spec.cleanup is not None:
            spec.cleanup()
        if self.on_change is not None:
            self.on_change()

    def action(self, job_uuid: str, action: str) -> Job:
        """``PATCH /api/cluster/jobs/{uuid}?action=pause|resume|cancel`` with ONTAP's error codes."""
        job = self.get(job_uuid)
        if action not in ("pause", "resume", "cancel"):
            raise invalid_value("action", action, "pause|resume|cancel")
        if job.terminal:
            raise ApiError(400, "Job is already in a terminal state.", "458762", target="uuid")
        if action == "pause":
            if not job.spec.pausable:
                raise ApiError(400, "This job does not support pause.", "458783", target="uuid")
            if job.state not in ("running", "queued"):
                raise ApiError(400, "The specified job is not currently running.", "458776", target="uuid")
            job.user_paused = True
        elif action == "resume":
            if not job.user_paused and job.state != "paused":
                raise ApiError(400, "The specified job is not currently running.", "458776", target="uuid")
            if job.state == "paused" and not job.user_paused and not job.held:
                job.progress = max(job.progress, job.queued_seconds + job.spec.hold_seconds)
            job.user_paused = False
        else:
            if not job.spec.cancellable:
                raise ApiError(400, "This job does not support cancel.", "458784", target="uuid")
            job.cancel_requested = True
            job.user_paused = False
            job.held = False
            job.progress = job.total
        self._step(job, self.clock.now())
        if self.on_change is not None:
            self.on_change()
        return job

    def held(self) -> List[Job]:
        """Jobs held by a ``hold`` rule, oldest first."""
        self.advance()
        return sorted((j for j in self.jobs.values() if j.held and not j.terminal and not j.spec.owner),
                      key=lambda j: j.created)

    def release(self, job_uuid: Optional[str] = None) -> List[Job]:
        """Release one held job (ValueError if it is not held; KeyError if unknown) or, without ``job_uuid``, every
        held job. A released job then runs as usual (queued briefly, ``seconds`` running, outcome), counting time
        from now. Returns the released jobs."""
        self.advance()
        if job_uuid is not None:
            job = self.jobs.get(job_uuid)
            if job is None:
                raise KeyError(job_uuid)
            if not job.held or job.terminal or job.spec.owner:
                raise ValueError("job %s is not held" % job_uuid)
            jobs = [job]
        else:
            jobs = self.held()
        now = self.clock.now()
        for job in jobs:
            job.held = False
            job.last_update = now
            self._show_state(job)
        if jobs and self.on_change is not None:
            self.on_change()
        return jobs

    def conclude(self, job_uuid: str, end: float, failure: Optional[ApiError] = None) -> None:
        """End a job held for its owner (``spec.owner``) at simulated time ``end``: success, or ``failure``."""
        job = self.jobs.get(job_uuid)
        if job is None or job.terminal:
            return
        job.held = False
        job.user_paused = False
        job.progress = job.total
        job.last_update = max(job.last_update, end)
        if failure is not None:
            job.spec.outcome, job.spec.code, job.spec.message = "failure", int(failure.code), failure.message
            job.spec.arguments = list(failure.arguments)
        self._finish(job, end)
