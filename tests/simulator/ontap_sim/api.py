"""HTTP routing of the ONTAP REST API (``/api/...``) as a Flask blueprint.

Views translate requests into calls on the :class:`~ontap_sim.core.Simulator` (model, jobs, faults) and render
ONTAP's answers: HAL JSON collections with ``num_records``/``records``/``_links``, record GETs honouring
``fields``, and asynchronous writes answering with a job link (202, or 201/200 when done within
``return_timeout``, or the job's error when it failed in time).
"""

import json
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, request

from .core import Simulator
from .errors import ApiError, not_found, unexpected_argument
from .model import (AGGREGATE_FILTER_FIELDS, QTREE_FILTER_FIELDS, QTREE_MODIFY_FIELDS, SNAPSHOT_FILTER_FIELDS,
                    SNAPSHOT_MODIFY_FIELDS, SVM_FILTER_FIELDS, VOLUME_EXPENSIVE, VOLUME_FILTER_FIELDS,
                    VOLUME_MODIFY_FIELDS, WritePlan, check_fields, flatten)
from .query import (RESERVED_PARAMS, filter_records, get_values, order_records, parse_bool, parse_fields,
                    parse_int, select_fields)

api = Blueprint("ontap_api", __name__, url_prefix="/api")

JOB_FILTER_FIELDS = ("uuid", "description", "state", "message", "code", "start_time", "end_time", "svm.name",
                     "svm.uuid", "node.name", "error.code", "error.message")
HAL = "application/hal+json"


def sim() -> Simulator:
    """The Simulator of the running app."""
    return current_app.extensions["ontap_sim"]


def reply(body: Any, status: int = 200, headers: Optional[Dict[str, str]] = None) -> Response:
    """A HAL JSON response."""
    return Response(json.dumps(body), status=status, mimetype=HAL, headers=headers)


def _filters() -> Dict[str, str]:
    return {k: v for k, v in request.args.items() if k not in RESERVED_PARAMS and not k.startswith("start.")}


def _no_filters(allowed: Iterable[str] = ()) -> None:
    """400 code 2 for any query parameter that is not allowed on this request."""
    for name in request.args:
        if name not in allowed:
            raise unexpected_argument(name)


def collection(records: Sequence[Dict[str, Any]], keys: Sequence[str], known: Iterable[str],
               expensive: Iterable[str] = (), order: Sequence[str] = ()) -> Response:
    """ONTAP collection GET over fully rendered ``records``.

    Honours field filters, ``fields``, ``order_by``, ``max_records`` (pages linked by ``_links.next`` with a
    ``start.index`` token), ``return_records`` and ``return_timeout`` (validated, 0..120).
    """
    args = request.args
    fields = parse_fields(args.get("fields"))
    max_records = parse_int("max_records", args.get("max_records"), None, 1)
    return_records = parse_bool("return_records", args.get("return_records"), True)
    parse_int("return_timeout", args.get("return_timeout"), 15, 0, 120)
    start = parse_int("start.index", args.get("start.index"), 0, 0) or 0
    self_href = request.full_path.rstrip("?")
    if sim().faults.fire("truncated_collection", "GET", request.path) is not None:
        return reply({"records": [], "num_records": 0, "_links": {"self": {"href": self_href},
                                                                  "next": {"href": self_href}}})
    selected = filter_records(records, _filters(), known)
    selected = order_records(list(selected), args.get("order_by"), order)
    page = selected[start:start + max_records] if max_records else selected[start:]
    body: Dict[str, Any] = {}
    if return_records:
        body["records"] = [select_fields(r, fields, keys, expensive, collection=True) for r in page]
    body["num_records"] = len(page)
    links: Dict[str, Any] = {"self": {"href": self_href}}
    if start + len(page) < len(selected):
        params = [(k, v) for k, v in args.items(multi=True) if k != "start.index"]
        params.append(("start.index", str(start + len(page))))
        links["next"] = {"href": "%s?%s" % (request.path, urlencode(params))}
    body["_links"] = links
    return reply(body)


def one(record: Dict[str, Any], keys: Sequence[str], expensive: Iterable[str] = ()) -> Response:
    """Record GET honouring ``fields`` (default: all but expensive fields)."""
    _no_filters(("fields",))
    return reply(select_fields(record, parse_fields(request.args.get("fields")), keys, expensive))


def _body() -> Dict[str, Any]:
    if not request.get_data():
        return {}
    try:
        data = json.loads(request.get_data())
    except ValueError:
        raise ApiError(400, "Invalid JSON input.", "2") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.", "2")
    return data


def async_write(make_plan: Callable[[float], WritePlan]) -> Response:
    """Run an asynchronous write: validate, start the job, wait up to ``return_timeout``, answer.

    ``make_plan(lag)`` validates the request (raising ApiError) and returns the WritePlan; ``lag`` is the
    read-after-write lag in simulated seconds for objects it creates.
    """
    method = request.method
    _no_filters(("return_timeout", "return_records"))
    return_timeout = parse_int("return_timeout", request.args.get("return_timeout"), 0, 0, 120) or 0
    return_records = parse_bool("return_records", request.args.get("return_records"), False)
    s = sim()
    with s.lock:
        s.engine.advance()
        plan = make_plan(s.read_lag(method, request.path) if method == "POST" else 0.0)
    job, done = s.submit(method, request.path, plan, return_timeout)
    g.job_uuid = job.uuid
    body: Dict[str, Any] = {}
    if return_records and plan.record is not None:
        body["num_records"] = 1
        body["records"] = [plan.record]
    body["job"] = job.link()
    headers = {"Location": plan.location} if method == "POST" and plan.location else None
    if not done:
        return reply(body, 202, headers)
    if job.state == "success":
        return reply(body, 201 if method == "POST" else 200, headers)
    error = dict(job.error or {"message": job.message, "code": str(job.code)})
    if not error.get("arguments"):
        error.pop("arguments", None)
    return reply({"error": error, "job": job.link()}, 400)


# ---------------------------------------------------------------------- SVM-scoped users
def _scope_uuid() -> Optional[str]:
    """The SVM uuid an ``svm`` user is confined to (``"-"`` if that SVM is gone); None for cluster users.

    Call with the simulator lock held.
    """
    name = g.get("svm_scope")
    if not name:
        return None
    svm = next((v for v in sim().store.svms.values() if v.name == name), None)
    return svm.uuid if svm is not None else "-"


def _in_scope(records: List[Dict[str, Any]], field: str = "svm.uuid") -> List[Dict[str, Any]]:
    """The records an ``svm`` user may see (all for cluster users)."""
    scope = _scope_uuid()
    if scope is None:
        return records
    return [r for r in records if scope in get_values(r, field)]


def _check_svm(svm_uuid: Optional[str], target: str = "uuid") -> None:
    """404 code 4 when an ``svm`` user addresses an object of another SVM (or a cluster object)."""
    scope = _scope_uuid()
    if scope is not None and svm_uuid != scope:
        raise not_found(target)


def _volume_checked(vol_uuid: str) -> None:
    """:func:`_check_volume` as an expression (returns None): ``_volume_checked(u) or plan(...)``."""
    _check_volume(vol_uuid)


def _check_volume(vol_uuid: str, target: str = "uuid") -> None:
    """404 code 4 when the volume belongs to another SVM than an ``svm`` user's."""
    vol = sim().store.volumes.get(vol_uuid)
    if vol is not None:
        _check_svm(vol.svm_uuid, target)


def _scoped_body(body: Dict[str, Any]) -> Dict[str, Any]:
    """A create body of an ``svm`` user: its SVM by default; another SVM is 404 code 4 (``svm.name``/``svm.uuid``)."""
    name = g.get("svm_scope")
    if not name:
        return body
    svm = body.get("svm")
    if not isinstance(svm, dict) or not (svm.get("name") or svm.get("uuid")):
        return dict(body, svm={"name": name})
    if svm.get("name") not in (None, name):
        raise not_found("svm.name", 'SVM "%s" does not exist.' % svm["name"])
    if svm.get("uuid") not in (None, _scope_uuid()):
        raise not_found("svm.uuid", 'SVM "%s" does not exist.' % svm["uuid"])
    return body


# ---------------------------------------------------------------------- query-based PATCH/DELETE
#: Query parameters a query-based PATCH/DELETE accepts besides field filters and ``start.*`` tokens.
QUERY_WRITE_PARAMS = ("return_timeout", "return_records", "max_records", "continue_on_failure")


def query_write(list_records: Callable[[], List[Dict[str, Any]]], known: Iterable[str],
                keys: Sequence[Tuple[str, Callable[[str], Any]]], record_path: Callable[[Dict[str, Any]], str],
                make_plan: Callable[[Dict[str, Any]], WritePlan], allowed_body: Optional[frozenset] = None,
                body: Optional[Dict[str, Any]] = None) -> Response:
    # pylint: disable=too-many-arguments,too-many-locals,too-many-branches
    # pylint: disable=too-many-statements
    """PATCH or DELETE on a collection: the change is applied to every record matching the query, one job each.

    As ONTAP documents it ("Query-based PATCH and DELETE"): at least one field filter is required (else 400
    code 2); records are taken in key order (``keys``: ``[(field, type)]``, e.g. ``uuid``) and processed
    serially: a record's job must finish before the next record's job starts. Processing stops after
    ``max_records`` records or when ``return_timeout`` (default 15, 0..120 simulated s) runs out; then
    ``_links.next`` (same query plus ``start.<key>`` tokens) continues with the same method. Answer:
    ``{"jobs": [job_link, ...], "num_records": n, "_links"?: {"next"}}`` with 200 when every job started
    has finished, else 202. A failed job (or a record failing validation) stops the run with 400
    ``{"error", "jobs", "num_records"}`` unless ``continue_on_failure=true`` (then failed jobs are only listed,
    records failing validation are skipped). A record gone before its turn is skipped.
    """
    method = request.method
    s = sim()
    filters = _filters()
    for name in request.args:
        if name not in filters and name not in QUERY_WRITE_PARAMS and not name.startswith("start."):
            raise unexpected_argument(name)
    if not filters:
        raise ApiError(400, "A query-based %s requires at least one field in the query; to act on every record, "
                            "use a query such as name=*." % method, "2")
    return_timeout = parse_int("return_timeout", request.args.get("return_timeout"), 15, 0, 120) or 0
    max_records = parse_int("max_records", request.args.get("max_records"), None, 1)
    parse_bool("return_records", request.args.get("return_records"), False)
    continue_on_failure = parse_bool("continue_on_failure", request.args.get("continue_on_failure"), False)
    start: Optional[Tuple[Any, ...]] = None
    if any("start." + field in request.args for field, _conv in keys):
        try:
            start = tuple(conv(request.args["start." + field]) for field, conv in keys)
        except (KeyError, ValueError):
            raise ApiError(400, "Invalid start token.", "2", target="start." + keys[0][0]) from None
    if allowed_body is not None:
        check_fields(flatten(body or {}), allowed_body)

    def key(record: Dict[str, Any]) -> Tuple[Any, ...]:
        return tuple(conv(get_values(record, field)[0]) for field, conv in keys)

    with s.lock:
        s.engine.advance()
        matched = sorted(filter_records(list_records(), filters, known), key=key)
    if start is not None:
        matched = [r for r in matched if key(r) > start]
    page = matched[:max_records] if max_records else matched
    deadline = s.clock.now() + return_timeout
    jobs: List[Any] = []
    failure: Optional[Dict[str, Any]] = None
    last: Optional[Dict[str, Any]] = None      # the last record acted on (the continuation point)
    finished = True
    for record in page:
        if jobs and s.clock.now() >= deadline:
            break
        last = record
        with s.lock:
            s.engine.advance()
            try:
                plan = make_plan(record)
            except ApiError as err:
                if err.status == 404:
                    continue
                if continue_on_failure:
                    continue
                if not jobs:
                    raise
                failure = err.error()
                break
        job, done = s.submit(method, record_path(record), plan, max(0.0, deadline - s.clock.now()))
        jobs.append(job)
        if g.get("job_uuid") is None:
            g.job_uuid = job.uuid
        if not done:
            finished = False
            break
        if job.state == "failure" and not continue_on_failure:
            failure = dict(job.error or {"message": job.message, "code": str(job.code)})
            if not failure.get("arguments"):
                failure.pop("arguments", None)
            break
    body_out: Dict[str, Any] = {"jobs": [j.link() for j in jobs], "num_records": len(jobs)}
    if failure is not None:
        return reply(dict({"error": failure}, **body_out), 400)
    if last is not None and key(last) < key(matched[-1]):
        params = [(k, v) for k, v in request.args.items(multi=True) if not k.startswith("start.")]
        params.extend(("start." + field, str(value)) for (field, _conv), value in zip(keys, key(last)))
        body_out["_links"] = {"next": {"href": "%s?%s" % (request.path, urlencode(params))}}
    return reply(body_out, 200 if finished else 202)


def _records(render: Callable[[], List[Dict[str, Any]]]) -> List[Dict[str, Any]]:
    s = sim()
    with s.lock:
        s.engine.advance()
        return render()


# ---------------------------------------------------------------------- cluster
@api.route("/cluster", methods=["GET"])
def cluster_get() -> Response:
    """``GET /api/cluster`` (fields honoured)."""
    if sim().faults.fire("not_found_version", "GET", request.path) is not None:
        return Response("<html><body><h1>404 Not Found</h1></body></html>", status=404, mimetype="text/html")
    return one(sim().store.render_cluster(), ["name", "uuid"])


@api.route("/cluster/nodes", methods=["GET"])
def nodes_get() -> Response:
    """``GET /api/cluster/nodes``."""
    nodes = [dict(sim().store.node_ref(n["name"]), state="up") for n in sim().store.nodes]
    return collection(nodes, ["uuid", "name"], ["uuid", "name", "state"], order=["name"])


# ---------------------------------------------------------------------- jobs
def _job_get_faults(job_uuid: str) -> None:
    """Fault rules and roles for job GETs (403 code 6 forbidden; 404 code 4 for live jobs hidden, other SVMs')."""
    s = sim()
    if s.faults.fire("job_get_forbidden", "GET", request.path) is not None:
        raise ApiError(403, "not authorized for that command", "6")
    if job_uuid:
        s.engine.advance()
        job = s.engine.jobs.get(job_uuid)
        if job is None:
            return
        if not job.terminal and (g.get("role") == "jobs_hidden"
                                 or s.faults.fire("job_get_not_found", "GET", request.path)):
            raise ApiError(404, "entry doesn't exist", "4", target="uuid")
        _check_svm((job.spec.svm or {}).get("uuid"))


def _visible_jobs() -> List[Dict[str, Any]]:
    """Rendered jobs the user may list (``jobs_hidden``: terminal ones only; ``svm``: its SVM's)."""
    s = sim()
    jobs = [j for j in s.engine.jobs.values() if g.get("role") != "jobs_hidden" or j.terminal]
    return _in_scope([j.render(s.clock) for j in jobs])


@api.route("/cluster/jobs", methods=["GET"])
def jobs_get() -> Response:
    """``GET /api/cluster/jobs``."""
    _job_get_faults("")
    records = _records(_visible_jobs)
    return collection(records, ["uuid"], JOB_FILTER_FIELDS)


@api.route("/cluster/jobs/<job_uuid>", methods=["GET"])
def job_get(job_uuid: str) -> Response:
    """``GET /api/cluster/jobs/{uuid}``."""
    s = sim()
    with s.lock:
        _job_get_faults(job_uuid)
        record = s.engine.get(job_uuid).render(s.clock)
    return one(record, ["uuid"])


@api.route("/cluster/jobs/<job_uuid>", methods=["PATCH"])
def job_patch(job_uuid: str) -> Response:
    """``PATCH /api/cluster/jobs/{uuid}?action=pause|resume|cancel``."""
    _no_filters(("action",))
    action = request.args.get("action")
    s = sim()
    with s.lock:
        job = s.engine.get(job_uuid)
        _check_svm((job.spec.svm or {}).get("uuid"))
        if action is None:
            raise ApiError(400, 'Missing value for field "action".', "2", target="action")
        s.engine.action(job_uuid, action)
    return reply({})


# ---------------------------------------------------------------------- svms
@api.route("/svm/svms", methods=["GET"])
def svms_get() -> Response:
    """``GET /api/svm/svms``."""
    return collection(_records(lambda: _in_scope(sim().store.list_svms(), "uuid")), ["uuid", "name"],
                      SVM_FILTER_FIELDS, order=["name"])


@api.route("/svm/svms", methods=["POST"])
def svms_post() -> Response:
    """``POST /api/svm/svms`` (asynchronous)."""
    body = _body()
    return async_write(lambda lag: sim().store.plan_svm_create(body, lag))


@api.route("/svm/svms/<svm_uuid>", methods=["GET"])
def svm_get(svm_uuid: str) -> Response:
    """``GET /api/svm/svms/{uuid}``."""
    s = sim()
    with s.lock:
        try:
            _check_svm(svm_uuid)
            record = s.store.render_svm(s.store.find_svm(svm_uuid=svm_uuid))
        except ApiError as err:
            err.target = "uuid"
            raise
    return one(record, ["uuid", "name"])


@api.route("/svm/svms/<svm_uuid>", methods=["PATCH"])
def svm_patch(svm_uuid: str) -> Response:
    """``PATCH /api/svm/svms/{uuid}`` (asynchronous)."""
    body = _body()
    return async_write(lambda lag: sim().store.plan_svm_modify(svm_uuid, body))


@api.route("/svm/svms/<svm_uuid>", methods=["DELETE"])
def svm_delete(svm_uuid: str) -> Response:
    """``DELETE /api/svm/svms/{uuid}`` (asynchronous)."""
    return async_write(lambda lag: sim().store.plan_svm_delete(svm_uuid))


# ---------------------------------------------------------------------- aggregates
@api.route("/storage/aggregates", methods=["GET"])
def aggregates_get() -> Response:
    """``GET /api/storage/aggregates``."""
    return collection(_records(sim().store.list_aggregates), ["uuid", "name"], AGGREGATE_FILTER_FIELDS,
                      order=["name"])


@api.route("/storage/aggregates/<aggr_uuid>", methods=["GET"])
def aggregate_get(aggr_uuid: str) -> Response:
    """``GET /api/storage/aggregates/{uuid}``."""
    s = sim()
    with s.lock:
        aggr = s.store.aggregates.get(aggr_uuid)
        if aggr is None:
            raise ApiError(404, "entry doesn't exist", "4", target="uuid")
        record = s.store.render_aggregate(aggr)
    return one(record, ["uuid", "name"])


# ---------------------------------------------------------------------- volumes
@api.route("/storage/volumes", methods=["GET"])
def volumes_get() -> Response:
    """``GET /api/storage/volumes``."""
    return collection(_records(lambda: _in_scope(sim().store.list_volumes())), ["uuid", "name"], VOLUME_FILTER_FIELDS,
                      VOLUME_EXPENSIVE, order=["name", "svm.name"])


@api.route("/storage/volumes", methods=["POST"])
def volumes_post() -> Response:
    """``POST /api/storage/volumes`` (asynchronous)."""
    body = _body()
    return async_write(lambda lag: sim().store.plan_volume_create(_scoped_body(body), lag))


@api.route("/storage/volumes", methods=["PATCH", "DELETE"])
def volumes_query_write() -> Response:
    """Query-based ``PATCH``/``DELETE /api/storage/volumes?<filters>`` (see :func:`query_write`)."""
    store = sim().store
    body = _body() if request.method == "PATCH" else {}
    if request.method == "PATCH":
        return query_write(lambda: _in_scope(store.list_volumes()), VOLUME_FILTER_FIELDS, [("uuid", str)],
                           lambda r: "/api/storage/volumes/%s" % r["uuid"],
                           lambda r: store.plan_volume_modify(r["uuid"], body), VOLUME_MODIFY_FIELDS, body)
    return query_write(lambda: _in_scope(store.list_volumes()), VOLUME_FILTER_FIELDS, [("uuid", str)],
                       lambda r: "/api/storage/volumes/%s" % r["uuid"],
                       lambda r: store.plan_volume_delete(r["uuid"]))


@api.route("/storage/volumes/<vol_uuid>", methods=["GET"])
def volume_get(vol_uuid: str) -> Response:
    """``GET /api/storage/volumes/{uuid}``."""
    s = sim()
    with s.lock:
        s.engine.advance()
        _check_volume(vol_uuid)
        record = s.store.render_volume(s.store.find_volume(vol_uuid))
    return one(record, ["uuid", "name"], VOLUME_EXPENSIVE)


@api.route("/storage/volumes/<vol_uuid>", methods=["PATCH"])
def volume_patch(vol_uuid: str) -> Response:
    """``PATCH /api/storage/volumes/{uuid}`` (asynchronous)."""
    body = _body()
    return async_write(lambda lag: _volume_checked(vol_uuid) or sim().store.plan_volume_modify(vol_uuid, body))


@api.route("/storage/volumes/<vol_uuid>", methods=["DELETE"])
def volume_delete(vol_uuid: str) -> Response:
    """``DELETE /api/storage/volumes/{uuid}`` (asynchronous)."""
    return async_write(lambda lag: _volume_checked(vol_uuid) or sim().store.plan_volume_delete(vol_uuid))


# ---------------------------------------------------------------------- snapshots
@api.route("/storage/volumes/<vol_uuid>/snapshots", methods=["GET"])
def snapshots_get(vol_uuid: str) -> Response:
    """``GET /api/storage/volumes/{uuid}/snapshots``."""
    records = _records(lambda: _volume_checked(vol_uuid) or sim().store.list_snapshots(vol_uuid))
    return collection(records, ["uuid", "name"], SNAPSHOT_FILTER_FIELDS, order=["create_time", "name"])


@api.route("/storage/volumes/<vol_uuid>/snapshots", methods=["POST"])
def snapshots_post(vol_uuid: str) -> Response:
    """``POST /api/storage/volumes/{uuid}/snapshots`` (asynchronous)."""
    body = _body()
    return async_write(lambda lag: _volume_checked(vol_uuid) or sim().store.plan_snapshot_create(vol_uuid, body, lag))


@api.route("/storage/volumes/<vol_uuid>/snapshots", methods=["PATCH", "DELETE"])
def snapshots_query_write(vol_uuid: str) -> Response:
    """Query-based ``PATCH``/``DELETE /api/storage/volumes/{uuid}/snapshots?<filters>``."""
    store = sim().store
    body = _body() if request.method == "PATCH" else {}
    base = "/api/storage/volumes/%s/snapshots/" % vol_uuid

    def records() -> List[Dict[str, Any]]:
        _check_volume(vol_uuid)
        return store.list_snapshots(vol_uuid)

    if request.method == "PATCH":
        return query_write(records, SNAPSHOT_FILTER_FIELDS, [("uuid", str)], lambda r: base + r["uuid"],
                           lambda r: store.plan_snapshot_modify(vol_uuid, r["uuid"], body), SNAPSHOT_MODIFY_FIELDS,
                           body)
    return query_write(records, SNAPSHOT_FILTER_FIELDS, [("uuid", str)], lambda r: base + r["uuid"],
                       lambda r: store.plan_snapshot_delete(vol_uuid, r["uuid"]))


@api.route("/storage/volumes/<vol_uuid>/snapshots/<snap_uuid>", methods=["GET"])
def snapshot_get(vol_uuid: str, snap_uuid: str) -> Response:
    """``GET /api/storage/volumes/{uuid}/snapshots/{uuid}``."""
    s = sim()
    with s.lock:
        s.engine.advance()
        _check_volume(vol_uuid)
        record = s.store.render_snapshot(s.store.find_snapshot(vol_uuid, snap_uuid))
    return one(record, ["uuid", "name"])


@api.route("/storage/volumes/<vol_uuid>/snapshots/<snap_uuid>", methods=["PATCH"])
def snapshot_patch(vol_uuid: str, snap_uuid: str) -> Response:
    """``PATCH /api/storage/volumes/{uuid}/snapshots/{uuid}`` (asynchronous)."""
    body = _body()
    return async_write(lambda lag: _volume_checked(vol_uuid)
                       or sim().store.plan_snapshot_modify(vol_uuid, snap_uuid, body))


@api.route("/storage/volumes/<vol_uuid>/snapshots/<snap_uuid>", methods=["DELETE"])
def snapshot_delete(vol_uuid: str, snap_uuid: str) -> Response:
    """``DELETE /api/storage/volumes/{uuid}/snapshots/{uuid}`` (asynchronous)."""
    return async_write(lambda lag: _volume_checked(vol_uuid) or sim().store.plan_snapshot_delete(vol_uuid, snap_uuid))


# ---------------------------------------------------------------------- qtrees
@api.route("/storage/qtrees", methods=["GET"])
def qtrees_get() -> Response:
    """``GET /api/storage/qtrees`` (includes each volume's qtree 0, as ONTAP does)."""
    return collection(_records(lambda: _in_scope(sim().store.list_qtrees())),
                      ["svm.name", "svm.uuid", "volume.name", "volume.uuid", "id", "name"],
                      QTREE_FILTER_FIELDS, order=["svm.name", "volume.name", "id"])


@api.route("/storage/qtrees", methods=["POST"])
def qtrees_post() -> Response:
    """``POST /api/storage/qtrees`` (asynchronous)."""
    body = _body()
    return async_write(lambda lag: sim().store.plan_qtree_create(_scoped_body(body), lag))


@api.route("/storage/qtrees", methods=["PATCH", "DELETE"])
def qtrees_query_write() -> Response:
    """Query-based ``PATCH``/``DELETE /api/storage/qtrees?<filters>`` (records keyed by volume.uuid and id)."""
    store = sim().store
    body = _body() if request.method == "PATCH" else {}
    keys = [("volume.uuid", str), ("id", int)]

    def path(record: Dict[str, Any]) -> str:
        return "/api/storage/qtrees/%s/%d" % (record["volume"]["uuid"], record["id"])

    if request.method == "PATCH":
        return query_write(lambda: _in_scope(store.list_qtrees()), QTREE_FILTER_FIELDS, keys, path,
                           lambda r: store.plan_qtree_modify(r["volume"]["uuid"], r["id"], body),
                           QTREE_MODIFY_FIELDS, body)
    return query_write(lambda: _in_scope(store.list_qtrees()), QTREE_FILTER_FIELDS, keys, path,
                       lambda r: store.plan_qtree_delete(r["volume"]["uuid"], r["id"]))


@api.route("/storage/qtrees/<vol_uuid>/<int:qtree_id>", methods=["GET"])
def qtree_get(vol_uuid: str, qtree_id: int) -> Response:
    """``GET /api/storage/qtrees/{volume.uuid}/{id}``."""
    s = sim()
    with s.lock:
        s.engine.advance()
        _check_volume(vol_uuid)
        record = s.store.render_qtree(s.store.find_qtree(vol_uuid, qtree_id))
    return one(record, ["svm.name", "svm.uuid", "volume.name", "volume.uuid", "id", "name"])


@api.route("/storage/qtrees/<vol_uuid>/<int:qtree_id>", methods=["PATCH"])
def qtree_patch(vol_uuid: str, qtree_id: int) -> Response:
    """``PATCH /api/storage/qtrees/{volume.uuid}/{id}`` (asynchronous)."""
    body = _body()
    return async_write(lambda lag: _volume_checked(vol_uuid)
                       or sim().store.plan_qtree_modify(vol_uuid, qtree_id, body))


@api.route("/storage/qtrees/<vol_uuid>/<int:qtree_id>", methods=["DELETE"])
def qtree_delete(vol_uuid: str, qtree_id: int) -> Response:
    """``DELETE /api/storage/qtrees/{volume.uuid}/{id}`` (asynchronous)."""
    return async_write(lambda lag: _volume_checked(vol_uuid) or sim().store.plan_qtree_delete(vol_uuid, qtree_id))


@api.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PATCH", "DELETE", "PUT"])
@api.route("/<path:rest>", methods=["GET", "POST", "PATCH", "DELETE", "PUT"])
def unknown_api(rest: str) -> Response:
    """Any other ``/api`` path: 404 ``API not found`` (code 3)."""
    raise ApiError(404, "API not found", "3", target=rest or None)
