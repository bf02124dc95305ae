"""Fault rules: injected misbehaviour seen on real ONTAP systems (see ../shared/FIELD_CASES.md).

A rule is added with ``POST /_sim/faults`` and selects requests by ``method`` (``*`` = any) and ``path`` (exact or
glob). It fires at most ``count`` times (None = unlimited). Durations are simulated seconds.

Kinds (and their parameters):

- ``job_failure`` (``code``, ``message``): the write's job ends in ``failure``.
- ``job_stuck`` (``state`` running|paused, ``seconds``): the job sits in that state for ``seconds`` first.
- ``ambiguous`` (``response`` 500|504|drop): the write is carried out, but the answer is a 500, a 504 or a
  dropped connection.
- ``busy`` (``status`` 429|503, ``retry_after``): 429 code 262160 or 503 code 7 with ``Retry-After``.
- ``locked`` (``status``, default 409): code 2621573 "SVM temporarily locked" for ``count`` attempts.
- ``slow`` (``seconds``): the answer is held back ``seconds`` after the request was processed.
- ``connection_limit`` (``limit``, ``status`` 429|503): requests beyond ``limit`` in flight are refused.
- ``read_after_write_lag`` (``seconds``): an object created by a job stays invisible to GETs that long.
- ``truncated_collection``: a collection GET answers zero records plus ``_links.next``.
- ``job_get_forbidden``: GETs of jobs answer 403 code 6.
- ``job_get_not_found``: GETs of live (non-terminal) jobs answer 404 code 4 (Amazon FSx behaviour).
- ``job_get_unauthorized``: GETs of jobs answer 401 code 6 (credentials that stopped working in the middle of a
  wait, e.g. an expired token).
- ``not_found_version``: ``GET /api/cluster`` answers a non-JSON 404 (no REST API, pre-9.6); with ``path``
  ``/api/*`` and ``method`` ``*`` every ``/api`` request does (a system without the REST API at all; ZAPI still
  answers).

Process faults (see :mod:`ontap_sim.processes`; ``process`` selects the process kind, e.g. ``move``, empty = any;
``method``/``path`` select the request that starts the process; ``phase`` defaults to the kind's main phase):

- ``process_fail`` (``phase``, ``code``, ``message``): the process fails on entering ``phase``.
- ``process_stall`` (``phase``, ``seconds``): ``phase`` lasts ``seconds`` longer (0 = until released).
- ``process_needs_action`` (``phase``): before ``phase`` the process waits in the kind's waiting state (a move:
  ``cutover_wait``) until the action (a move: PATCH ``movement.state`` ``cutover``).
- ``stale_terminal`` (``reads``): the first ``reads`` reads of the resource after the new operation started show
  the previous operation's terminal state.
- ``reboot_window`` (``seconds``, ``response`` 503|drop, ``phase``): for ``seconds`` every ``/api`` call answers
  503 (or its connection is dropped) and job GETs answer 404 code 4; the window opens when the rule is added, or,
  with ``phase``, when a process (of ``process``) enters that phase.
"""

import fnmatch
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

KINDS = ("job_failure", "job_stuck", "ambiguous", "busy", "locked", "slow", "connection_limit",
         "read_after_write_lag", "truncated_collection", "job_get_forbidden", "job_get_not_found",
         "job_get_unauthorized", "not_found_version", "process_fail", "process_stall", "process_needs_action",
         "stale_terminal", "reboot_window")
PROCESS_KINDS = ("process_fail", "process_stall", "process_needs_action", "stale_terminal")

DEFAULT_PATHS = {
    "job_get_forbidden": "/api/cluster/jobs/*",
    "job_get_not_found": "/api/cluster/jobs/*",
    "job_get_unauthorized": "/api/cluster/jobs/*",
    "not_found_version": "/api/cluster",
}
WRITE_KINDS = ("job_failure", "job_stuck", "ambiguous", "read_after_write_lag", "locked") + PROCESS_KINDS
READ_KINDS = ("truncated_collection", "job_get_forbidden", "job_get_not_found", "job_get_unauthorized",
              "not_found_version")


@dataclass
class FaultRule:  # pylint: disable=too-many-instance-attributes
    """One fault rule. See the module docstring for ``kind`` and its parameters."""

    kind: str
    method: str = ""
    path: str = ""
    count: Optional[int] = None
    seconds: float = 0.0
    status: int = 0
    code: int = 0
    message: str = ""
    state: str = "running"
    limit: int = 0
    retry_after: float = 1.0
    response: str = "500"
    phase: str = ""
    process: str = ""
    reads: int = 1
    id: int = 0
    hits: int = 0
    extra: Dict[str, Any] = field(default_factory=dict)

    FIELDS = ("kind", "method", "path", "count", "seconds", "status", "code", "message", "state", "limit",
              "retry_after", "response", "phase", "process", "reads")

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "FaultRule":  # pylint: disable=too-many-branches
        """Build from a control-API body; ValueError on unknown keys or values."""
        unknown = set(data) - set(cls.FIELDS)
        if unknown:
            raise ValueError("unknown fault keys: %s" % ", ".join(sorted(unknown)))
        rule = cls(**data)
        if rule.kind not in KINDS:
            raise ValueError("kind must be one of %s" % ", ".join(KINDS))
        if not rule.method:
            if rule.kind in WRITE_KINDS:
                rule.method = "POST|PATCH|DELETE"
            elif rule.kind in READ_KINDS:
                rule.method = "GET"
            else:
                rule.method = "*"
        rule.method = rule.method.upper()
        rule.path = rule.path or DEFAULT_PATHS.get(rule.kind, "*")
        if rule.kind == "job_stuck" and rule.state not in ("running", "paused"):
            raise ValueError("state must be running or paused")
        if rule.kind == "reboot_window":
            rule.response = str(rule.response) if rule.response != "500" else "503"
            if rule.response not in ("503", "drop"):
                raise ValueError("response must be 503 or drop")
            if float(rule.seconds) <= 0:
                raise ValueError("seconds must be > 0")
        if rule.kind in ("process_fail", "process_needs_action") and not isinstance(rule.phase, str):
            raise ValueError("phase must be a phase name")
        if rule.kind == "stale_terminal" and int(rule.reads) < 1:
            raise ValueError("reads must be >= 1")
        if rule.kind == "process_fail":
            rule.code = rule.code or 1
            rule.message = rule.message or "Simulated operation failure."
        if rule.kind == "ambiguous" and str(rule.response) not in ("500", "504", "drop"):
            raise ValueError("response must be 500, 504 or drop")
        if rule.kind == "connection_limit" and rule.limit < 1:
            raise ValueError("limit must be >= 1")
        if rule.kind == "busy" and not rule.status:
            rule.status = 429
        if rule.kind == "locked" and not rule.status:
            rule.status = 409
        if rule.kind == "job_failure":
            rule.code = rule.code or 1
            rule.message = rule.message or "Simulated job failure."
        rule.response = str(rule.response)
        return rule

    def selects(self, method: str, path: str) -> bool:
        """Does this rule apply to a ``method`` request on ``path`` (ignoring ``count``)?"""
        if self.method != "*" and method.upper() not in self.method.split("|"):
            return False
        return path == self.path or fnmatch.fnmatchcase(path, self.path)

    def as_dict(self) -> Dict[str, Any]:
        """JSON view with ``id`` and ``hits``."""
        out = {name: getattr(self, name) for name in self.FIELDS}
        out["id"] = self.id
        out["hits"] = self.hits
        return out


class FaultBook:
    """The active fault rules (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: List[FaultRule] = []
        self._next_id = 1

    def add(self, rule: FaultRule) -> FaultRule:
        """Register ``rule`` and give it an id."""
        with self._lock:
            rule.id = self._next_id
            self._next_id += 1
            self._rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> bool:
        """Drop one rule; False if unknown."""
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        """Drop every rule."""
        with self._lock:
            self._rules = []

    def list(self) -> List[Dict[str, Any]]:
        """JSON views of all rules."""
        with self._lock:
            return [r.as_dict() for r in self._rules]

    def peek(self, kind: str, method: str, path: str) -> Optional[FaultRule]:
        """The newest live rule of ``kind`` selecting the request, without consuming it."""
        with self._lock:
            for rule in reversed(self._rules):
                if rule.kind == kind and (rule.count is None or rule.count > 0) and rule.selects(method, path):
                    return rule
        return None

    def live(self, kind: str) -> List[FaultRule]:
        """The live rules of ``kind``, newest first (the objects themselves)."""
        with self._lock:
            return [r for r in reversed(self._rules) if r.kind == kind and (r.count is None or r.count > 0)]

    def fire(self, kind: str, method: str, path: str, process: str = "") -> Optional[FaultRule]:
        """Like :meth:`peek`, but counts the hit and uses up one of ``count``; ``process`` (a process kind) must
        match a rule's ``process`` when both are set."""
        with self._lock:
            for rule in reversed(self._rules):
                if process and rule.process and rule.process != process:
                    continue
                if rule.kind == kind and (rule.count is None or rule.count > 0) and rule.selects(method, path):
                    rule.hits += 1
                    if rule.count is not None:
                        rule.count -= 1
                    return rule
        return None
