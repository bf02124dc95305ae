"""ZAPI (ONTAPI) on the simulator: the XML servlet netapp-lib talks to, sharing the model and the job engine with REST.

``install_zapi(app, sim)`` (called by :func:`ontap_sim.app.create_app`) registers:

- ``POST /servlets/netapp.servlets.admin.XMLrequest_filer``: one ZAPI call per request, same port, TLS and accounts
  as ``/api`` (authentication, the 401 challenge with ``WWW-Authenticate: Basic`` that stock netapp-lib needs, the
  request log and the request-level faults are the app's, see :mod:`ontap_sim.app`);
- the control endpoints under ``/_sim/zapi`` (README.md, "ZAPI").

What ZAPI looks like comes from ``shared/ONTAP_ZAPI.md``: ``<netapp version= vfiler=>`` with one API element;
answers ``<netapp><results status="passed">...`` or ``<results status="failed" errno= reason=>``; the async calls
answer ``result-status`` (``succeeded``, ``in_progress``, ``failed``), ``result-jobid``, ``result-error-code``,
``result-error-message``; ``job-get``/``job-get-iter`` render ``job-info`` with the 16 ZAPI job states (NetApp's
ONTAPI-to-REST mapping, job page). Element names come from Trident's generated ZAPI types and netapp.ontap's use of
them (the ZAPI schema is not available offline); the size syntax (``20m``, ``+10g``) and the errnos chosen for model
refusals (the REST code, ``15661`` for "entry doesn't exist") are this simulator's reading, not verified on a cluster.

One job, two views: every engine job has an integer ``id`` next to its ``uuid``. REST renders the engine's five
states; ZAPI renders them as ``queued``/``running``/``paused``/``success``/``failure`` unless a script set through
``POST /_sim/zapi/jobs/<id>/states`` makes the next ZAPI reads show ZAPI-only states. A scripted terminal state
(``success``, ``failure``, ``error``, ``quit``, ``dead``) ends the engine job (success runs its effect; the others
fail it with the script's message and code), so REST then reads ``success``/``failure`` for the same job.
"""

import fnmatch
import re
import xml.etree.ElementTree as ET
from typing import Any, Dict, List, Optional, Tuple

from flask import Blueprint, Flask, Response, current_app, g, request

from .core import Simulator
from .errors import ApiError
from .jobs import Job
from .model import VERSION

ZAPI_PATH = "/servlets/netapp.servlets.admin.XMLrequest_filer"
NETAPP_NS = "http://www.netapp.com/filer/admin"
ONTAPI_VERSION = ("1", "170")

#: The 16 ZAPI job states and the REST state NetApp maps each onto (ONTAPI-to-REST mapping, job page).
ZAPI_TO_REST = {
    "initial": "queued", "queued": "queued",
    "running": "running", "waiting": "running", "pausing": "running", "quitting": "running",
    "reschedule": "running", "restart": "running", "dormant": "running", "unknown": "running",
    "paused": "paused",
    "success": "success",
    "failure": "failure", "error": "failure", "quit": "failure", "dead": "failure",
}
ZAPI_TERMINAL = ("success", "failure", "error", "quit", "dead")

#: Errnos (netapp-lib ``errors.py``): object not found, insufficient privilege, API not found, missing input.
EOBJECTNOTFOUND = "15661"
EAPIPRIVILEGE = "13003"
EAPINOTFOUND = "13005"
EAPIMISSINGARGUMENT = "13115"

FAULT_KINDS = ("non_xml", "no_results", "errno", "http")

zapi = Blueprint("ontap_zapi", __name__)


class ZapiError(Exception):
    """A ZAPI failure: ``<results status="failed" errno=... reason=...>``."""

    def __init__(self, errno: str, reason: str) -> None:
        super().__init__(reason)
        self.errno = str(errno)
        self.reason = reason


class ZapiState:
    """ZAPI-only simulator state: job state scripts, terminal ZAPI states, faults, the REST-disabled personality."""

    def __init__(self) -> None:
        self.scripts: Dict[int, List[Dict[str, Any]]] = {}
        self.final: Dict[str, str] = {}
        self.faults: List[Dict[str, Any]] = []
        self.rest_disabled = False

    def clear(self) -> None:
        """Back to the seed state (``POST /_sim/reset``)."""
        self.__init__()  # pylint: disable=unnecessary-dunder-call

    def fire(self, api_name: str) -> Optional[Dict[str, Any]]:
        """The first live fault for ``api_name`` (its count taken), or None."""
        for fault in self.faults:
            if fault["count"] is not None and fault["count"] <= 0:
                continue
            if fnmatch.fnmatchcase(api_name, fault["api"]):
                if fault["count"] is not None:
                    fault["count"] -= 1
                fault["hits"] += 1
                return fault
        return None


def _sim() -> Simulator:
    return current_app.extensions["ontap_sim"]


def _state() -> ZapiState:
    return current_app.extensions["ontap_sim_zapi"]


# ---------------------------------------------------------------------- XML helpers
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(elem: Optional[ET.Element], name: str) -> Optional[ET.Element]:
    if elem is None:
        return None
    return next((c for c in elem if _local(c.tag) == name), None)


def _text(elem: Optional[ET.Element], *path: str) -> Optional[str]:
    for name in path:
        elem = _child(elem, name)
    if elem is None:
        return None
    return (elem.text or "").strip()


def _add(parent: ET.Element, name: str, text: Any = None) -> ET.Element:
    elem = ET.SubElement(parent, name)
    if text is not None:
        elem.text = str(text)
    return elem


def _answer(results: ET.Element, status: int = 200) -> Response:
    root = ET.Element("netapp", {"version": ".".join(ONTAPI_VERSION), "xmlns": NETAPP_NS})
    root.append(results)
    body = b"<?xml version='1.0' encoding='UTF-8' ?>\n" + ET.tostring(root)
    return Response(body, status=status, mimetype="text/xml")


def _passed() -> ET.Element:
    return ET.Element("results", {"status": "passed"})


def _failed(errno: str, reason: str) -> Response:
    return _answer(ET.Element("results", {"status": "failed", "errno": str(errno), "reason": reason}))


def _from_api_error(err: ApiError) -> ZapiError:
    """A model refusal as a ZAPI failure: "entry doesn't exist" is 15661, otherwise the REST code is the errno."""
    return ZapiError(EOBJECTNOTFOUND if err.code == "4" else err.code, err.message)


# ---------------------------------------------------------------------- sizes
_SIZE_RE = re.compile(r"^([+-]?)(\d+)([kmgtp]?)$", re.I)
_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4, "p": 1024 ** 5}


def _size(text: Optional[str], name: str, relative: bool = False) -> Tuple[str, int]:
    """``(sign, bytes)`` of a ZAPI size (``20971520``, ``20m``; ``+10g``/``-1g`` where ``relative``)."""
    match = _SIZE_RE.match((text or "").strip())
    if not match or (match.group(1) and not relative):
        raise ZapiError("13115", 'Invalid value specified for "%s" element within "%s": "%s".'
                        % (name, request.environ.get("ontap_sim.zapi_api", ""), text))
    return match.group(1), int(match.group(2)) * _UNITS[match.group(3).lower()]


# ---------------------------------------------------------------------- jobs
def zapi_state_of(state: ZapiState, job: Job, consume: bool) -> Tuple[str, Optional[Dict[str, Any]]]:
    """The ZAPI state of ``job`` (and the scripted step shown, if any); ``consume`` takes the next scripted step."""
    if job.terminal:
        return state.final.get(job.uuid, job.state), None
    script = state.scripts.get(job.id)
    if consume and script:
        step = script.pop(0)
        return step["state"], step
    return job.state, None


def render_job(sim: Simulator, state: ZapiState, job: Job, consume: bool = True) -> ET.Element:
    """``job-info`` of ``job``; a scripted terminal step ends the engine job first."""
    zstate, step = zapi_state_of(state, job, consume)
    if step is not None and zstate in ZAPI_TERMINAL:
        failure = None
        if zstate != "success":
            failure = ApiError(400, step.get("message") or "Job %s." % zstate, str(step.get("code") or 1))
            state.final[job.uuid] = zstate
        sim.engine.conclude(job.uuid, sim.clock.now(), failure)
    info = ET.Element("job-info")
    _add(info, "job-id", job.id)
    _add(info, "job-uuid", job.uuid)
    _add(info, "job-name", job.spec.description)
    _add(info, "job-description", job.spec.description)
    _add(info, "job-state", zstate)
    message = step.get("message") if step is not None and step.get("message") else job.message
    code = step.get("code") if step is not None and step.get("code") is not None else job.code
    _add(info, "job-status-code", code)
    if zstate in ZAPI_TERMINAL:
        _add(info, "job-completion", message)
    else:
        _add(info, "job-progress", message)
    _add(info, "job-vserver", job.spec.svm["name"] if job.spec.svm else sim.config.cluster_name)
    _add(info, "job-node", job.spec.node)
    _add(info, "job-start-time", int(sim.clock.wall(job.created).timestamp()))
    if job.end_sim is not None:
        _add(info, "job-end-time", int(sim.clock.wall(job.end_sim).timestamp()))
    return info


def _job_query(elem: ET.Element) -> Tuple[Optional[int], Optional[str]]:
    query = _child(_child(elem, "query"), "job-info")
    job_id = _text(query, "job-id")
    try:
        return (int(job_id) if job_id else None), _text(query, "job-uuid") or None
    except ValueError:
        raise ZapiError("13115", 'Invalid value specified for "job-id" element: "%s".' % job_id) from None


def _visible_jobs(sim: Simulator) -> List[Job]:
    sim.engine.advance()
    return sorted(sim.engine.jobs.values(), key=lambda job: job.id)


def job_get_iter(sim: Simulator, state: ZapiState, elem: ET.Element) -> ET.Element:
    """``job-get-iter``: ``query/job-info`` by ``job-id`` and/or ``job-uuid``; no match is ``num-records 0``."""
    job_id, job_uuid = _job_query(elem)
    jobs = [job for job in _visible_jobs(sim)
            if (job_id is None or job.id == job_id) and (job_uuid is None or job.uuid == job_uuid)]
    results = _passed()
    if jobs:
        listing = _add(results, "attributes-list")
        for job in jobs:
            listing.append(render_job(sim, state, job))
    _add(results, "num-records", len(jobs))
    return results


def job_get(sim: Simulator, state: ZapiState, elem: ET.Element) -> ET.Element:
    """``job-get`` by ``job-id``; an unknown id is errno 15661."""
    text = _text(elem, "job-id")
    if not text:
        raise ZapiError(EAPIMISSINGARGUMENT, "Missing input: job-id")
    try:
        job = sim.engine.by_id(int(text))
    except ValueError:
        job = None
    if job is None:
        raise ZapiError(EOBJECTNOTFOUND, "entry doesn't exist")
    results = _passed()
    _add(results, "attributes").append(render_job(sim, state, job))
    return results


# ---------------------------------------------------------------------- volumes
def _vserver(elem: ET.Element) -> str:
    """The SVM of a call: the tunnel (``vfiler``) or an ``svm`` user's own SVM; 13115 without one."""
    name = g.get("zapi_vserver") or g.get("svm_scope")
    if not name:
        raise ZapiError(EAPIMISSINGARGUMENT, "This API requires a Vserver: tunnel it to the Vserver (vfiler).")
    if g.get("svm_scope") and name != g.get("svm_scope"):
        raise ZapiError(EOBJECTNOTFOUND, 'Vserver "%s" does not exist.' % name)
    return name


def _volume(sim: Simulator, svm: str, name: Optional[str]) -> Dict[str, Any]:
    if not name:
        raise ZapiError(EAPIMISSINGARGUMENT, "Missing input: volume-name")
    for record in sim.store.list_volumes():
        if record["name"] == name and record["svm"]["name"] == svm:
            return record
    raise ZapiError(EOBJECTNOTFOUND, 'entry doesn\'t exist: volume "%s" in Vserver "%s"' % (name, svm))


def _start(sim: Simulator, method: str, path: str, plan_of: Any) -> ET.Element:
    """Plan and start a job with the REST path's job rules (so ``POST /_sim/jobs`` rules apply to ZAPI too).

    ``result-status`` is ``succeeded``/``failed`` when the job is already over when it is started (a rule with
    ``seconds: 0``), else ``in_progress``."""
    with sim.lock:
        sim.engine.advance()
        try:
            plan = plan_of()
        except ApiError as err:
            raise _from_api_error(err) from None
    job, dummy = sim.submit(method, path, plan, 0)
    g.job_uuid = job.uuid
    results = _passed()
    with sim.lock:
        sim.engine.advance()
        if job.state == "success":
            _add(results, "result-status", "succeeded")
        elif job.state == "failure":
            _add(results, "result-status", "failed")
            _add(results, "result-error-code", job.code)
            _add(results, "result-error-message", job.message)
        else:
            _add(results, "result-status", "in_progress")
    _add(results, "result-jobid", job.id)
    return results


def volume_create_async(sim: Simulator, elem: ET.Element) -> ET.Element:
    """``volume-create-async``: ``volume-name``, ``aggr-list/aggr-name`` (one), ``size``, optional
    ``junction-path``; validated by the REST create (the same refusals), run as a job of ``POST /api/storage/volumes``."""
    svm = _vserver(elem)
    aggrs = [(c.text or "").strip() for c in (_child(elem, "aggr-list") or [])]
    body: Dict[str, Any] = {"name": _text(elem, "volume-name"), "svm": {"name": svm},
                            "aggregates": [{"name": a} for a in aggrs]}
    if _text(elem, "size"):
        body["size"] = _size(_text(elem, "size"), "size")[1]
    if _text(elem, "junction-path"):
        body["nas"] = {"path": _text(elem, "junction-path")}
    if not body["name"]:
        raise ZapiError(EAPIMISSINGARGUMENT, "Missing input: volume-name")
    return _start(sim, "POST", "/api/storage/volumes", lambda: sim.store.plan_volume_create(body, 0.0))


def volume_size_async(sim: Simulator, elem: ET.Element) -> ET.Element:
    """``volume-size-async``: ``volume-name``, ``new-size`` (bytes or ``20m``; ``+``/``-`` relative)."""
    svm = _vserver(elem)
    with sim.lock:
        record = _volume(sim, svm, _text(elem, "volume-name"))
    if not _text(elem, "new-size"):
        raise ZapiError(EAPIMISSINGARGUMENT, "Missing input: new-size")
    sign, amount = _size(_text(elem, "new-size"), "new-size", relative=True)
    size = record["size"] + amount if sign == "+" else record["size"] - amount if sign == "-" else amount
    path = "/api/storage/volumes/%s" % record["uuid"]
    return _start(sim, "PATCH", path, lambda: sim.store.plan_volume_modify(record["uuid"], {"size": size}))


def volume_destroy_async(sim: Simulator, elem: ET.Element) -> ET.Element:
    """``volume-destroy-async``: ``volume-name``; the REST delete's refusals (root volume, mounted online)."""
    svm = _vserver(elem)
    with sim.lock:
        record = _volume(sim, svm, _text(elem, "volume-name"))
    path = "/api/storage/volumes/%s" % record["uuid"]
    return _start(sim, "DELETE", path, lambda: sim.store.plan_volume_delete(record["uuid"]))


def volume_get_iter(sim: Simulator, elem: ET.Element) -> ET.Element:
    """``volume-get-iter``: ``query/volume-attributes/volume-id-attributes`` ``name`` and ``owning-vserver-name``
    (exact); every match in one answer (no ``next-tag``). Tunnelled or as an ``svm`` user, only that SVM."""
    ids = _child(_child(_child(elem, "query"), "volume-attributes"), "volume-id-attributes")
    name, owner = _text(ids, "name"), _text(ids, "owning-vserver-name")
    scope = g.get("zapi_vserver") or g.get("svm_scope")
    with sim.lock:
        sim.engine.advance()
        records = [r for r in sim.store.list_volumes()
                   if (not name or r["name"] == name) and (not owner or r["svm"]["name"] == owner)
                   and (not scope or r["svm"]["name"] == scope)]
    results = _passed()
    if records:
        listing = _add(results, "attributes-list")
        for record in records:
            attrs = _add(listing, "volume-attributes")
            id_attrs = _add(attrs, "volume-id-attributes")
            _add(id_attrs, "name", record["name"])
            _add(id_attrs, "owning-vserver-name", record["svm"]["name"])
            _add(id_attrs, "instance-uuid", record["uuid"])
            _add(id_attrs, "containing-aggregate-name", record["aggregates"][0]["name"])
            _add(id_attrs, "junction-path", (record.get("nas") or {}).get("path", ""))
            _add(_add(attrs, "volume-space-attributes"), "size", record["size"])
            _add(_add(attrs, "volume-state-attributes"), "state", record["state"])
    _add(results, "num-records", len(records))
    return results


def system_get_version(sim: Simulator, dummy: ET.Element) -> ET.Element:
    """``system-get-version``: the release string, ``is-clustered``, ``version-tuple``."""
    results = _passed()
    _add(results, "build-timestamp", "1700000000")
    _add(results, "is-clustered", "true")
    _add(results, "version", VERSION["full"])
    tuple_info = _add(_add(results, "version-tuple"), "system-version-tuple")
    for name in ("generation", "major", "minor"):
        _add(tuple_info, name, VERSION[name])
    return results


#: API name -> (handler, write?). Writes are refused to ``readonly`` users with errno 13003.
APIS = {
    "system-get-version": (system_get_version, False),
    "volume-get-iter": (volume_get_iter, False),
    "volume-create-async": (volume_create_async, True),
    "volume-size-async": (volume_size_async, True),
    "volume-destroy-async": (volume_destroy_async, True),
}
JOB_APIS = {"job-get-iter": job_get_iter, "job-get": job_get}


def _authorize(api_name: str, write: bool) -> None:
    role = g.get("role")
    if (role == "readonly" and write) or (role == "jobs_forbidden" and api_name in JOB_APIS):
        raise ZapiError(EAPIPRIVILEGE, "Insufficient privileges: user '%s' does not have write access to this "
                        "resource" % g.get("user") if write else
                        "Insufficient privileges: user '%s' does not have read access to this resource" % g.get("user"))


def _call(sim: Simulator, state: ZapiState, elem: ET.Element) -> Response:
    api_name = _local(elem.tag)
    request.environ["ontap_sim.zapi_api"] = api_name
    fault = state.fire(api_name)
    if fault is not None:
        if fault["kind"] == "non_xml":
            return Response("ONTAPI is not available: <b>service unavailable", status=200, mimetype="text/html")
        if fault["kind"] == "no_results":
            return Response("<?xml version='1.0'?><netapp xmlns='%s' version='1.170'/>" % NETAPP_NS,
                            status=200, mimetype="text/xml")
        if fault["kind"] == "http":
            return Response("<html><body>%d</body></html>" % fault["status"], status=fault["status"],
                            mimetype="text/html")
        return _failed(fault["errno"], fault["reason"])
    try:
        if api_name in JOB_APIS:
            _authorize(api_name, False)
            with sim.lock:
                return _answer(JOB_APIS[api_name](sim, state, elem))
        if api_name not in APIS:
            raise ZapiError(EAPINOTFOUND, "Unable to find API: %s" % api_name)
        handler, write = APIS[api_name]
        _authorize(api_name, write)
        return _answer(handler(sim, elem))
    except ZapiError as err:
        return _failed(err.errno, err.reason)
    except ApiError as err:
        err = _from_api_error(err)
        return _failed(err.errno, err.reason)


@zapi.route(ZAPI_PATH, methods=["GET", "POST"])
def servlet() -> Response:
    """One ZAPI call (authentication already done by the app, as for ``/api``)."""
    if request.method != "POST":
        return _failed("Not_Allowed", "ZAPI takes POST requests only")
    try:
        root = ET.fromstring(request.get_data())
    except ET.ParseError as err:
        return _failed("13001", "Malformed XML request: %s" % err)
    if _local(root.tag) != "netapp" or len(root) != 1:
        return _failed("13001", "Expected one API element inside <netapp>")
    g.zapi_vserver = root.get("vfiler") or None
    g.zapi_api = _local(root[0].tag)          # in the request log entry's "zapi" (the app's log)
    return _call(_sim(), _state(), root[0])


# ---------------------------------------------------------------------- control API
def _control_json(body: Any, status: int = 200) -> Response:
    import json  # pylint: disable=import-outside-toplevel
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _control_body() -> Dict[str, Any]:
    data = request.get_json(silent=True, force=True)
    return data if isinstance(data, dict) else {}


@zapi.route("/_sim/zapi/jobs", methods=["GET"])
def control_jobs() -> Response:
    """``GET /_sim/zapi/jobs`` -> ``{"jobs": [{"id", "uuid", "state", "zapi_state", "script"}]}``."""
    s, state = _sim(), _state()
    with s.lock:
        jobs = [{"id": j.id, "uuid": j.uuid, "state": j.state, "zapi_state": zapi_state_of(state, j, False)[0],
                 "script": [step["state"] for step in state.scripts.get(j.id, [])]} for j in _visible_jobs(s)]
    return _control_json({"jobs": jobs})


@zapi.route("/_sim/zapi/jobs/<int:job_id>/states", methods=["POST"])
def control_script(job_id: int) -> Response:
    """``POST /_sim/zapi/jobs/<id>/states`` ``{"states": [...], "message"?, "code"?}``: the next ZAPI reads of the
    live job show these states, one per read (``message``/``code`` shown with each); a terminal one ends the job."""
    s, state, data = _sim(), _state(), _control_body()
    states = data.get("states")
    if not isinstance(states, list) or not states or any(x not in ZAPI_TO_REST for x in states):
        return _control_json({"error": "states must be a non-empty list of %s" % ", ".join(ZAPI_TO_REST)}, 400)
    with s.lock:
        job = s.engine.by_id(job_id)
        if job is None or job.terminal:
            return _control_json({"error": "no live job with id %d" % job_id}, 404)
        state.scripts[job_id] = [{"state": x, "message": data.get("message"), "code": data.get("code")}
                                 for x in states]
    return _control_json({"id": job_id, "uuid": job.uuid, "script": states})


@zapi.route("/_sim/zapi/faults", methods=["POST"])
def control_fault() -> Response:
    """``POST /_sim/zapi/faults`` ``{"kind": non_xml|no_results|errno|http, "api": glob (default *), "count"
    (default 1, null = always), "errno", "reason" (kind errno), "status" (kind http)}``."""
    data = _control_body()
    kind = data.get("kind")
    if kind not in FAULT_KINDS:
        return _control_json({"error": "kind must be one of %s" % ", ".join(FAULT_KINDS)}, 400)
    fault = {"kind": kind, "api": str(data.get("api") or "*"), "count": data.get("count", 1), "hits": 0,
             "errno": str(data.get("errno") or "13001"), "reason": str(data.get("reason") or "Simulated failure."),
             "status": int(data.get("status") or 500)}
    _state().faults.append(fault)
    return _control_json(fault, 201)


@zapi.route("/_sim/zapi/faults", methods=["DELETE"])
def control_faults_clear() -> Response:
    """``DELETE /_sim/zapi/faults``."""
    _state().faults = []
    return _control_json({})


@zapi.route("/_sim/zapi/config", methods=["GET", "PATCH"])
def control_config() -> Response:
    """``PATCH /_sim/zapi/config`` ``{"rest_disabled": true}``: the pre-9.6 personality (every ``/api`` call
    answers an HTML 404, as on a system without the REST API; ZAPI goes on)."""
    state = _state()
    if request.method == "PATCH":
        value = _control_body().get("rest_disabled")
        if not isinstance(value, bool):
            return _control_json({"error": "rest_disabled must be true or false"}, 400)
        state.rest_disabled = value
    return _control_json({"rest_disabled": state.rest_disabled})


def install_zapi(app: Flask, sim: Simulator) -> None:
    """Register the ZAPI servlet and its control endpoints on ``app`` (after the app's own hooks)."""
    state = ZapiState()
    app.extensions["ontap_sim_zapi"] = state
    app.register_blueprint(zapi)

    @app.before_request
    def zapi_before() -> Optional[Response]:
        if request.path == "/_sim/reset" and request.method == "POST":
            state.clear()
        if state.rest_disabled and request.path.startswith("/api"):
            return Response("<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
                            status=404, mimetype="text/html")
        return None

    del sim
