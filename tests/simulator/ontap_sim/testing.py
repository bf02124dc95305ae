"""``SimServer``: run the simulator in a subprocess for a test.

Example::

    from ontap_sim.testing import SimServer

    with SimServer(http=True, job_seconds=0.5) as sim:
        requests.get(sim.url + "/api/cluster", auth=(sim.username, sim.password))
        sim.set_job("POST", "/api/storage/volumes", seconds=1, outcome="failure", code=917536, message="no space")
        sim.log()
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import ssl
from typing import Any, Dict, List, Optional

LISTEN_RE = re.compile(r"ONTAP simulator listening on (\S+) \(user (.*)\)")


class SimServerError(RuntimeError):
    """The simulator did not start, or a control call failed."""


class SimServer:  # pylint: disable=too-many-instance-attributes,too-many-public-methods
    """Context manager starting ``python -m ontap_sim --port 0`` and stopping it at exit.

    Keyword arguments map to command line options: ``http=True`` -> ``--http``, ``job_seconds=0.5`` ->
    ``--job-seconds 0.5``, ``time_scale``, ``job_retention``, ``username``, ``password``, ``host``, ``port``,
    ``connection_limit``, ``cluster_name``. ``startup_timeout`` (seconds) bounds the wait for the listening line.

    Attributes after start: ``url`` (``https://127.0.0.1:PORT``), ``host``, ``port``, ``username``, ``password``,
    ``ca_path`` (CA bundle file when TLS, else None), ``cert_dir``.
    """

    def __init__(self, startup_timeout: float = 30.0, **options: Any) -> None:
        self.options = dict(options)
        self.startup_timeout = startup_timeout
        self.username: str = str(options.get("username", "admin"))
        self.password: str = str(options.get("password", "netapp1!"))
        self.http = bool(options.get("http", False))
        self.url = ""
        self.host = ""
        self.port = 0
        self.ca_path: Optional[str] = None
        self.cert_dir: Optional[str] = None
        self._own_cert_dir = False
        self.proc: Optional["subprocess.Popen[str]"] = None
        self._ssl: Optional[ssl.SSLContext] = None
        self._output: List[str] = []

    # ------------------------------------------------------------------ lifecycle
    def _command(self) -> List[str]:
        # --exit-with-stdin: the simulator stops when this process ends, however it ends (pytest-forked children
        # leave with os._exit, skipping every teardown), so no simulator outlives its test.
        cmd = [sys.executable, "-m", "ontap_sim", "--exit-with-stdin"]
        opts = dict(self.options)
        opts.setdefault("port", 0)
        if not self.http:
            if not opts.get("cert_dir"):
                opts["cert_dir"] = tempfile.mkdtemp(prefix="ontap-sim-")
                self._own_cert_dir = True
            self.cert_dir = str(opts["cert_dir"])
        for key, value in sorted(opts.items()):
            flag = "--" + key.replace("_", "-")
            if isinstance(value, bool):
                if value:
                    cmd.append(flag)
            elif value is not None:
                cmd.extend([flag, str(value)])
        return cmd

    def start(self) -> "SimServer":
        """Start the subprocess and wait for its listening line."""
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        # The child runs the same simulator code as this process: the directory this ontap_sim was imported from
        # goes first on its path (an editable install of another checkout would otherwise win).
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join([here] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        self.proc = subprocess.Popen(self._command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,  # pylint: disable=consider-using-with
                                     stderr=subprocess.STDOUT, text=True, env=env)
        found: Dict[str, str] = {}
        ready = threading.Event()

        def reader() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                self._output.append(line)
                match = LISTEN_RE.search(line)
                if match and not ready.is_set():
                    found["url"] = match.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=reader, daemon=True).start()
        if not ready.wait(self.startup_timeout) or "url" not in found:
            self.stop()
            raise SimServerError("ontap-sim did not start: %s" % "".join(self._output)[-2000:])
        self.url = found["url"]
        hostport = self.url.split("://", 1)[1]
        self.host, dummy, port = hostport.rpartition(":")
        self.host = self.host.strip("[]")
        self.port = int(port)
        if not self.http and self.cert_dir:
            self.ca_path = os.path.join(self.cert_dir, "cert.pem")
            self._ssl = ssl.create_default_context(cafile=self.ca_path)
        return self

    def stop(self) -> None:
        """Terminate the subprocess (kill after 5 s) and remove a temporary certificate directory."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc is not None and self.proc.stdin is not None:
            self.proc.stdin.close()
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        if self._own_cert_dir and self.cert_dir:
            shutil.rmtree(self.cert_dir, ignore_errors=True)
            self._own_cert_dir = False

    def __enter__(self) -> "SimServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def output(self) -> str:
        """Everything the process printed so far."""
        return "".join(self._output)

    # ------------------------------------------------------------------ control API
    def control(self, method: str, path: str, json_body: Any = None, **kwargs: Any) -> Any:
        """Call ``/_sim/<path>`` and return the decoded JSON (``json=`` is accepted as an alias of ``json_body``).

        Raises SimServerError on an HTTP error status.
        """
        if "json" in kwargs:
            json_body = kwargs.pop("json")
        if kwargs:
            raise TypeError("unexpected arguments: %s" % ", ".join(kwargs))
        if not path.startswith("/"):
            path = "/" + path
        if not path.startswith("/_sim"):
            path = "/_sim" + path
        data = None if json_body is None else json.dumps(json_body).encode("utf-8")
        req = urllib.request.Request(self.url + path, data=data, method=method.upper(),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30, context=self._ssl) as resp:
                text = resp.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            raise SimServerError("%s %s -> %s: %s" % (method, path, err.code, err.read().decode("utf-8"))) from None
        return json.loads(text) if text else None

    def log(self, since: int = 0) -> List[Dict[str, Any]]:
        """The request log (list of entries: seq, time, method, path, query, status, duration_ms, user,
        connection, job, zapi: the ZAPI call's name on the ZAPI servlet, else None)."""
        return list(self.control("GET", "/log?since=%d" % since)["records"])

    def clear_log(self) -> None:
        """Empty the request log."""
        self.control("DELETE", "/log")

    def set_job(self, method: str, path: str, **rule: Any) -> Dict[str, Any]:
        """Add a job rule: ``seconds``, ``outcome``, ``code``, ``message``, ``pausable``, ``cancellable``,
        ``count``, ``progress_code``, ``progress_message``, ``hold_state``, ``hold_seconds``, ``hold``."""
        return dict(self.control("POST", "/jobs", dict(rule, method=method, path=path)))

    def hold_jobs(self, method: str, path: str, **rule: Any) -> Dict[str, Any]:
        """Add a job rule with ``hold=True``: matching jobs stay in ``hold_state`` (``running`` unless given
        ``hold_state="paused"``) with no progress until :meth:`release`; other keys as :meth:`set_job`
        (``seconds``/``outcome`` apply after the release). Returns the rule."""
        return self.set_job(method, path, **dict(rule, hold=True))

    def held_jobs(self) -> List[Dict[str, Any]]:
        """The held jobs (full job objects plus ``"held": true``), oldest first."""
        state = self.control("GET", "/jobs")
        by_uuid = {j["uuid"]: j for j in state["jobs"]}
        return [by_uuid[u] for u in state["held"] if u in by_uuid]

    def release(self, uuid: Optional[str] = None) -> List[str]:
        """Release one held job (``uuid``) or every held job (None); returns the released uuids. Raises
        SimServerError for an unknown job (404) or one that is not held (400)."""
        path = "/jobs/release" if uuid is None else "/jobs/%s/release" % uuid
        return list(self.control("POST", path)["released"])

    def add_policy(self, kind: str, name: str, svm: Optional[str] = None) -> None:
        """Add a snapshot policy (``kind="snapshot"``) or an SVM's export policy (``kind="export"``, ``svm``)."""
        body: Dict[str, Any] = {"kind": kind, "name": name}
        if svm is not None:
            body["svm"] = svm
        self.control("POST", "/policies", body)

    def clear_jobs(self) -> None:
        """Remove every job rule."""
        self.control("DELETE", "/jobs")

    def add_fault(self, kind: str, **params: Any) -> Dict[str, Any]:
        """Add a fault rule (see ``ontap_sim.faults``): ``method``, ``path``, ``count``, ``seconds``, ..."""
        return dict(self.control("POST", "/faults", dict(params, kind=kind)))

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.control("DELETE", "/faults")

    def set_process(self, kind: str, **rule: Any) -> Dict[str, Any]:
        """Add a process rule (``POST /_sim/processes``): ``kind`` (move, transfer, quiesce, split, update, expand),
        ``method``, ``path``, ``job`` (accept|covers), ``phases`` ({phase: seconds}), ``count``. Returns the rule."""
        return dict(self.control("POST", "/processes", dict(rule, kind=kind)))

    def clear_processes(self) -> None:
        """Remove every process rule."""
        self.control("DELETE", "/processes")

    def processes(self) -> List[Dict[str, Any]]:
        """Every process (control view: uuid, kind, target, state, phase, percent_complete, start_time, end_time,
        job_mode, job, paused, waiting, outcome, error), oldest first."""
        return list(self.control("GET", "/processes")["processes"])

    def process_action(self, uuid: str, action: str) -> Dict[str, Any]:
        """Act on a live process: pause, resume, act (e.g. trigger a cutover), need_action, abort, release (end a
        stall). Returns the process view."""
        return dict(self.control("POST", "/processes/%s/action" % uuid, {"action": action}))

    def reboot(self, seconds: float, response: str = "503", **params: Any) -> Dict[str, Any]:
        """Add a ``reboot_window`` fault: now (or, with ``phase=``/``process=``, when a process enters that phase)
        every API call answers 503 (``response="drop"``: the connection is cut) and job GETs 404, for ``seconds``."""
        return self.add_fault("reboot_window", seconds=seconds, response=response, **params)

    def advance_clock(self, seconds: float) -> float:
        """Jump the simulated clock forward by ``seconds`` (no real waiting); returns the new simulated time."""
        return float(self.control("POST", "/clock", {"advance": seconds})["now"])

    def config(self, **changes: Any) -> Dict[str, Any]:
        """Read (no arguments) or change the runtime configuration."""
        if changes:
            return dict(self.control("PATCH", "/config", changes))
        return dict(self.control("GET", "/config"))

    def add_token(self, token: str, user: str = "admin") -> None:
        """Accept the bearer ``token`` as ``user`` (``POST /_sim/tokens``) until :meth:`revoke_tokens` or reset."""
        self.control("POST", "/tokens", {"token": token, "user": user})

    def revoke_tokens(self) -> None:
        """Every bearer token stops working: requests with one answer 401 (``DELETE /_sim/tokens``)."""
        self.control("DELETE", "/tokens")

    def client_certificate(self, account: str, foreign: bool = False, out_dir: Optional[str] = None) -> tuple:
        """Issue a client certificate for ``account`` (CN) from the simulator's CA (``foreign=True``: from an
        unrelated CA, refused in the handshake); returns ``(cert_path, key_path)``. Needs HTTPS; the simulator
        accepts client certificates when started with ``mtls=True``."""
        from .tls import make_client_certificate  # pylint: disable=import-outside-toplevel
        if not self.cert_dir:
            raise SimServerError("client certificates need HTTPS (http=False)")
        return make_client_certificate(self.cert_dir, account, out_dir=out_dir, foreign=foreign)

    def add_user(self, name: str, password: str, role: str = "admin", svm: Optional[str] = None) -> None:
        """Add a user (``POST /_sim/users``); ``role`` admin|readonly|svm|jobs_forbidden|jobs_hidden, ``svm`` the SVM
        name of an ``svm`` user."""
        body: Dict[str, Any] = {"name": name, "password": password, "role": role}
        if svm is not None:
            body["svm"] = svm
        self.control("POST", "/users", body)

    def reset(self) -> None:
        """Back to the seed state (objects, jobs, rules, faults, users, log)."""
        self.control("POST", "/reset")

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        """Wait (real seconds) until no job is queued/running/paused; True if so (a held job is never idle)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.control("GET", "/jobs")["jobs"]
            if all(j["state"] in ("success", "failure") for j in jobs):
                return True
            time.sleep(0.05)
        return False
