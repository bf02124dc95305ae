"""The simulator core: configuration, users, request log, and the glue between model, jobs and faults.

One :class:`Simulator` serves one Flask app. Its ``lock`` (an RLock) guards the store and the job engine;
``cond`` is notified whenever a job changes state, so writes waiting on ``return_timeout`` wake up at once.
"""

import collections
import threading
from dataclasses import asdict, dataclass
from typing import Any, Deque, Dict, List, Optional, Tuple

from .clock import SimClock
from .errors import ApiError
from .faults import FaultBook, FaultRule
from .jobs import Job, JobEngine, JobRule, JobSpec
from .model import Store, WritePlan
from .operations import Operations
from .processes import Process, ProcessEngine, ProcessRule

#: User roles: ``admin`` (cluster admin), ``readonly`` (GETs only), ``svm`` (scoped to one SVM, see README),
#: ``jobs_forbidden`` (admin, but job GETs/PATCHes answer 403 code 6), ``jobs_hidden`` (admin, but GETs of live
#: jobs answer 404 code 4).
ROLES = ("admin", "readonly", "svm", "jobs_forbidden", "jobs_hidden")


@dataclass
class SimConfig:
    """Runtime settings (``GET/PATCH /_sim/config``). Durations in simulated seconds.

    ``job_seconds``: default job running time; ``job_retention``: how long terminal jobs stay readable;
    ``time_scale``: simulated seconds per real second; ``connection_limit``: requests in flight above which
    the server answers ``connection_limit_status`` (None = no limit); ``log_size``: request log entries kept.
    """

    job_seconds: float = 2.0
    job_retention: float = 300.0
    time_scale: float = 1.0
    connection_limit: Optional[int] = None
    connection_limit_status: int = 503
    log_size: int = 100000
    cluster_name: str = "cluster1"

    def update(self, data: Dict[str, Any]) -> None:
        """Apply a partial update; ValueError on unknown keys or bad values."""
        unknown = set(data) - set(asdict(self))
        if unknown:
            raise ValueError("unknown config keys: %s" % ", ".join(sorted(unknown)))
        for key in ("job_seconds", "job_retention"):
            if key in data and float(data[key]) < 0:
                raise ValueError("%s must be >= 0" % key)
        if "time_scale" in data and float(data["time_scale"]) <= 0:
            raise ValueError("time_scale must be > 0")
        if data.get("connection_limit_status", 503) not in (429, 503):
            raise ValueError("connection_limit_status must be 429 or 503")
        for key, value in data.items():
            setattr(self, key, value)


class Simulator:  # pylint: disable=too-many-instance-attributes,too-many-public-methods
    """State of one simulated cluster."""

    def __init__(self, config: Optional[SimConfig] = None, username: str = "admin",
                 password: str = "netapp1!") -> None:
        self.config = config or SimConfig()
        self.clock = SimClock(self.config.time_scale)
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.store = Store(self.clock, self.config.cluster_name)
        self.engine = JobEngine(self.clock, self.config.job_retention)
        self.engine.on_change = self.cond.notify_all
        self.processes = ProcessEngine(self.clock)
        self.engine.on_advance = self.processes.advance
        self.operations = Operations(self)
        self.reboots: List[Tuple[float, float, str]] = []
        self.faults = FaultBook()
        self.rules: List[JobRule] = []
        self._rule_id = 0
        self.admin = (username, password)
        self.base_users: Dict[str, Dict[str, str]] = {}
        self.users: Dict[str, Dict[str, str]] = {}
        self.tokens: Dict[str, str] = {}
        self._log_lock = threading.Lock()
        self.log: Deque[Dict[str, Any]] = collections.deque(maxlen=self.config.log_size)
        self._seq = 0
        self._inflight = 0
        self._inflight_lock = threading.Lock()
        self.reset_users()

    # ------------------------------------------------------------------ users
    def reset_users(self) -> None:
        """The cluster admin account plus the users given on the command line (``--users``)."""
        self.users = {name: dict(user) for name, user in self.base_users.items()}
        self.users[self.admin[0]] = {"password": self.admin[1], "role": "admin"}

    def add_user(self, data: Dict[str, Any], base: bool = False) -> Dict[str, str]:
        """Add or replace a user from ``{"name", "password", "role", "svm"?}``; ValueError when invalid.

        ``base`` users (``--users``) survive ``reset``. Returns ``{"name", "role", "svm"?}``.
        """
        role = data.get("role", "admin")
        unknown = set(data) - {"name", "password", "role", "svm"}
        if unknown:
            raise ValueError("unknown user keys: %s" % ", ".join(sorted(unknown)))
        if role not in ROLES or not data.get("name") or "password" not in data:
            raise ValueError("need name, password and role %s" % "|".join(ROLES))
        if (role == "svm") != bool(data.get("svm")):
            raise ValueError('"svm" (an SVM name) is required with role svm and only allowed there')
        user = {"password": str(data["password"]), "role": role}
        if role == "svm":
            user["svm"] = str(data["svm"])
        with self.lock:
            self.users[str(data["name"])] = user
            if base:
                self.base_users[str(data["name"])] = dict(user)
        return self.user_view(str(data["name"]))

    def user_view(self, name: str) -> Dict[str, str]:
        """``{"name", "role", "svm"?}`` (no password)."""
        out = {"name": name, "role": self.users[name]["role"]}
        if "svm" in self.users[name]:
            out["svm"] = self.users[name]["svm"]
        return out

    def add_token(self, token: str, user: str) -> None:
        """Accept ``token`` (``Authorization: Bearer <token>``) as ``user`` until reset or :meth:`revoke_tokens`."""
        if not token or not isinstance(token, str):
            raise ValueError('"token" (a non-empty string) is required')
        if user not in self.users:
            raise ValueError('"user" must name an existing user')
        with self.lock:
            self.tokens[token] = user

    def revoke_tokens(self) -> None:
        """Every bearer token stops working (401), as when tokens expire."""
        with self.lock:
            self.tokens = {}

    def authenticate_token(self, token: str) -> Optional[Dict[str, str]]:
        """The user a valid bearer token stands for, else None."""
        name = self.tokens.get(token)
        return self.user_view(name) if name is not None and name in self.users else None

    def authenticate_certificate(self, account: Optional[str]) -> Optional[Dict[str, str]]:
        """The user named by a verified client certificate's CN (ONTAP maps the CN to the account), else None."""
        return self.user_view(account) if account and account in self.users else None

    def authenticate(self, username: Optional[str], password: Optional[str]) -> Optional[Dict[str, str]]:
        """``{"name", "role", "svm"?}`` for valid credentials, else None."""
        user = self.users.get(username or "")
        if user is None or user["password"] != password:
            return None
        return self.user_view(username or "")

    # ------------------------------------------------------------------ config / reset
    def update_config(self, data: Dict[str, Any]) -> Dict[str, Any]:
        """Apply ``PATCH /_sim/config``; returns the new config."""
        with self.lock:
            self.config.update(data)
            self.clock.time_scale = float(self.config.time_scale)
            self.engine.retention = float(self.config.job_retention)
            if self.log.maxlen != self.config.log_size:
                self.log = collections.deque(self.log, maxlen=int(self.config.log_size))
            self.cond.notify_all()
            return asdict(self.config)

    def reset(self) -> None:
        """Back to the seed state: objects, jobs, rules, faults, users and the log."""
        with self.lock:
            self.store.seed()
            self.engine.clear()
            self.processes.clear()
            self.reboots = []
            self.rules = []
            self.faults.clear()
            self.reset_users()
            self.tokens = {}
            self.clear_log()
            self.cond.notify_all()

    # ------------------------------------------------------------------ request log
    def record(self, entry: Dict[str, Any]) -> None:
        """Append a request log entry, giving it ``seq``."""
        with self._log_lock:
            self._seq += 1
            entry["seq"] = self._seq
            self.log.append(entry)

    def get_log(self, since: int = 0) -> List[Dict[str, Any]]:
        """Log entries with ``seq > since``, oldest first."""
        with self._log_lock:
            return [e for e in self.log if e["seq"] > since]

    def clear_log(self) -> None:
        """Empty the request log (``seq`` keeps counting)."""
        with self._log_lock:
            self.log.clear()

    def enter(self) -> int:
        """Count a request in flight; returns how many are in flight including this one."""
        with self._inflight_lock:
            self._inflight += 1
            return self._inflight

    @property
    def inflight(self) -> int:
        """API requests currently being served."""
        with self._inflight_lock:
            return self._inflight

    def leave(self) -> None:
        """A request finished."""
        with self._inflight_lock:
            self._inflight -= 1

    # ------------------------------------------------------------------ job rules
    def add_rule(self, data: Dict[str, Any]) -> JobRule:
        """``POST /_sim/jobs``: newest matching rule wins."""
        rule = JobRule.from_dict(data)
        with self.lock:
            self._rule_id += 1
            rule.id = self._rule_id
            self.rules.append(rule)
        return rule

    def clear_rules(self) -> None:
        """``DELETE /_sim/jobs``."""
        with self.lock:
            self.rules = []

    def _job_spec(self, method: str, path: str, plan: WritePlan) -> JobSpec:
        spec = JobSpec(description=plan.description, seconds=float(self.config.job_seconds), svm=plan.svm,
                       effect=plan.effect, cleanup=plan.cleanup)
        for rule in reversed(self.rules):
            if rule.matches(method, path):
                if rule.count is not None:
                    rule.count -= 1
                if rule.seconds is not None:
                    spec.seconds = float(rule.seconds)
                spec.outcome, spec.code, spec.message = rule.outcome, rule.code, rule.message
                spec.arguments = list(rule.arguments)
                spec.pausable, spec.cancellable = rule.pausable, rule.cancellable
                spec.progress_code, spec.progress_message = rule.progress_code, rule.progress_message
                spec.hold_state, spec.hold_seconds = rule.hold_state, float(rule.hold_seconds)
                spec.hold = rule.hold
                break
        if plan.owner:
            spec.owner, spec.hold, spec.seconds = plan.owner, True, max(spec.seconds, 0.001)
        fault = self.faults.fire("job_failure", method, path)
        if fault is not None:
            spec.outcome, spec.code, spec.message = "failure", fault.code, fault.message
        fault = self.faults.fire("job_stuck", method, path)
        if fault is not None:
            spec.hold_state, spec.hold_seconds = fault.state, float(fault.seconds)
        return spec

    def read_lag(self, method: str, path: str) -> float:
        """Simulated seconds a new object stays invisible (``read_after_write_lag`` fault), else 0."""
        fault = self.faults.fire("read_after_write_lag", method, path)
        return float(fault.seconds) if fault is not None else 0.0

    # ------------------------------------------------------------------ jobs
    def submit(self, method: str, path: str, plan: WritePlan, return_timeout: float) -> Tuple[Job, bool]:
        """Start the job for ``plan`` and wait up to ``return_timeout`` simulated seconds for it.

        Returns ``(job, finished)``; with ``return_timeout == 0`` it never waits (ONTAP then always answers 202).
        """
        with self.lock:
            job = self.engine.start(self._job_spec(method, path, plan))
            if plan.started is not None:
                plan.started(job)
        if return_timeout <= 0:
            return job, False
        return job, self.wait(job, float(return_timeout))

    def wait(self, job: Job, seconds: float) -> bool:
        """Block up to ``seconds`` simulated seconds until ``job`` is terminal.

        The deadline is on the simulated clock, so a clock jump (``POST /_sim/clock``, which notifies waiters) ends
        a held request as the same wait in real time would: 201/200 if the job ended, else 202. It counts from the
        job's creation (the request's arrival), so a jump just after the job started is never lost.
        """
        deadline = job.created + float(seconds)
        with self.cond:
            while True:
                self.engine.advance()
                if job.terminal:
                    return True
                left = deadline - self.clock.now()
                if left <= 0:
                    return False
                remaining = job.remaining()
                pause = self.clock.to_real(left) if remaining is None else \
                    min(self.clock.to_real(left), self.clock.to_real(remaining) + 0.001)
                due = self.processes.next_due()
                if due is not None:
                    pause = min(pause, self.clock.to_real(max(0.0, due - self.clock.now())) + 0.001)
                self.cond.wait(pause)

    def advance(self) -> None:
        """Bring jobs up to date (runs effects of jobs that finished)."""
        with self.lock:
            self.engine.advance()

    # ------------------------------------------------------------------ faults, processes, reboot windows
    def add_fault(self, data: Dict[str, Any]) -> FaultRule:
        """``POST /_sim/faults``: a ``reboot_window`` without ``phase`` opens its window now."""
        rule = self.faults.add(FaultRule.from_dict(data))
        if rule.kind == "reboot_window" and not rule.phase:
            with self.lock:
                self.open_reboot(self.clock.now(), float(rule.seconds), rule.response)
        return rule

    def open_reboot(self, start: float, seconds: float, response: str) -> None:
        """A reboot window from ``start`` for ``seconds`` simulated seconds (``response`` 503 or drop)."""
        self.reboots.append((start, start + seconds, response))

    def reboot_response(self) -> Optional[str]:
        """``"503"``/``"drop"`` while a reboot window is open, else None (closed windows are forgotten)."""
        if not self.reboots and not self.faults.live("reboot_window"):
            return None
        with self.lock:
            self.advance()
            now = self.clock.now()
            self.reboots = [w for w in self.reboots if w[1] > now]
            live = [w for w in self.reboots if w[0] <= now]
            return live[-1][2] if live else None

    def add_process_rule(self, data: Dict[str, Any]) -> ProcessRule:
        """``POST /_sim/processes``."""
        with self.lock:
            return self.processes.add_rule(data)

    def clear_process_rules(self) -> None:
        """``DELETE /_sim/processes`` (processes themselves go on)."""
        with self.lock:
            self.processes.rules = []

    def process_phase_entered(self, process: Process, phase: str, when: float) -> None:
        """A process entered ``phase`` at ``when``: open the reboot windows of rules waiting for that phase."""
        for rule in self.faults.live("reboot_window"):
            if rule.phase == phase and rule.process in ("", process.kind):
                rule.hits += 1
                if rule.count is not None:
                    rule.count -= 1
                self.open_reboot(when, float(rule.seconds), rule.response)

    def process_ended(self, process: Process) -> None:
        """A process ended: a job covering it ends with its outcome."""
        if process.job_uuid and process.job_mode == "covers":
            failure = None
            if process.outcome != "success":
                error = process.error or {"code": "1", "message": "The operation ended in state %s." % process.state}
                failure = ApiError(400, error["message"], str(error["code"]))
            self.engine.conclude(process.job_uuid, process.end if process.end is not None else self.clock.now(),
                                 failure)
        self.cond.notify_all()
