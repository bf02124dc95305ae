"""HTTP routing of the ONTAP REST API (``/api/...``) as a Flask blueprint.

Views translate requests into calls on the :class:`~ontap_sim.core.Simulator` (model, jobs, faults) and render
ONTAP's answers: HAL JSON collections with ``num_records``/``records``/``_links``, record GETs honouring
``fields``, and asynchronous writes answering with a job link (202, or 201/200 when done within
``return_timeout``, or the job's error when it failed in time).
"""

import json
import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, request

from .core import Simulator
from .errors import ApiError, not_found, unexpected_argument
from .model import WritePlan, check_fields, flatten
from .resources import DESCRIPTORS, Context, Descriptor
from .query import (RESERVED_PARAMS, check_field_names, filter_records, get_values, order_records, parse_bool, parse_fields,
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
    known = list(known)
    check_field_names(fields, list(known) + list(keys) + list(expensive), records)
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


def one(record: Dict[str, Any], keys: Sequence[str], expensive: Iterable[str] = (), known: Iterable[str] = ()) -> Response:
    """Record GET honouring ``fields`` (default: all but expensive fields); with ``known`` (the collection's filter
    fields) an unknown ``fields`` name is refused as ONTAP refuses it."""
    _no_filters(("fields",))
    fields = parse_fields(request.args.get("fields"))
    if known:
        check_field_names(fields, list(known) + list(keys) + list(expensive), [record])
    return reply(select_fields(record, fields, keys, expensive))


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


def async_write(make_plan: Callable[[float], WritePlan],
                render: Optional[Callable[[WritePlan], Optional[Dict[str, Any]]]] = None) -> Response:
    """Run an asynchronous write: validate, start the job, wait up to ``return_timeout``, answer.

    ``make_plan(lag)`` validates the request (raising ApiError) and returns the WritePlan; ``lag`` is the
    read-after-write lag in simulated seconds for objects it creates.

    ``return_records=true`` returns ``num_records``/``records`` beside the job. A POST whose job ended in time (201)
    returns the object as it now is, every field (``render(plan)``, called with the lock held; as a ``fields=**``
    read would show it); before that (202), or when the new object is not visible yet (the
    ``read_after_write_lag`` fault), only what the request itself fixed (uuid, name, parent and links). NetApp's
    reference says only "If set to true, the records are returned"; clients must treat a field the answer lacks
    as unknown (ontap.rest then re-reads the object).
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
        record = plan.record
        if done and job.state == "success" and render is not None:
            with s.lock:
                record = render(plan) or record
        body["num_records"] = 1
        body["records"] = [record]
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
    return one(sim().store.render_cluster(), ["name", "uuid"])


@api.route("/cluster/nodes", methods=["GET"])
def nodes_get() -> Response:
    """``GET /api/cluster/nodes``."""
    nodes = [dict(sim().store.node_ref(n["name"]), state="up") for n in sim().store.nodes]
    return collection(nodes, ["uuid", "name"], ["uuid", "name", "state"], order=["name"])


# ---------------------------------------------------------------------- jobs
def _job_get_faults(job_uuid: str) -> None:
    """Fault rules and roles for job GETs (401 code 6 unauthorized, 403 code 6 forbidden; 404 code 4 for live jobs
    hidden, other SVMs')."""
    s = sim()
    if s.faults.fire("job_get_unauthorized", "GET", request.path) is not None:
        raise ApiError(401, "Authentication failed: the user name or password is not valid.", "6",
                       headers={"WWW-Authenticate": 'Basic realm="ONTAP"'})
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


# ---------------------------------------------------------------------- collections from descriptors
def _rule(path: str, types: Dict[str, type]) -> str:
    """``/storage/volumes/{volume.uuid}`` -> ``/storage/volumes/<volume__uuid>`` (``int:`` for int keys)."""
    def convert(match: "re.Match[str]") -> str:
        name = match.group(1)
        return "<%s%s>" % ("int:" if types.get(name) is int else "", name.replace(".", "__"))
    return re.sub(r"\{([^}]+)\}", convert, path)


def _ctx(kwargs: Dict[str, Any], body: Optional[Dict[str, Any]] = None, lag: float = 0.0) -> Context:
    return Context(sim(), {k.replace("__", "."): v for k, v in kwargs.items()}, body or {}, lag)


def _check_owner(desc: Descriptor, ctx: Context) -> None:
    """404 code 4 when an ``svm`` user addresses an object (or the parent) of another SVM."""
    if desc.owner is None or g.get("svm_scope") is None:
        return
    owner = desc.owner(ctx)
    if owner is not None:
        _check_svm(owner)


def _listed(desc: Descriptor, ctx: Context) -> List[Dict[str, Any]]:
    """The rendered records of the collection an ``svm`` user may see (parent checked first)."""
    if desc.parents:
        _check_owner(desc, ctx)
    records = desc.list(ctx)
    if desc.scope is not None:
        records = _in_scope(records, desc.scope)
    return sim().processes.read(desc.process_target, records) if desc.process_target else records


def _created(desc: Descriptor, ctx: Context, echo: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The visible record a POST just created, every field (``fields=**``), found by what its answer echoes (uuid,
    name, parent); None when it is not visible (yet)."""
    wanted = {name: value for name, value in flatten(echo).items() if not name.startswith("_links")}
    for record in _listed(desc, ctx):
        if all(value in get_values(record, name) for name, value in wanted.items()):
            return select_fields(record, ["**"], desc.identity, desc.expensive)
    return None


def _planned(desc: Descriptor, hook: Callable[[Context], WritePlan], ctx: Context, method: str,
             path: str) -> WritePlan:
    plan = hook(ctx)
    plan.description = desc.describe(method, path)
    return plan


def _checked_body(desc: Descriptor, allowed: frozenset) -> Dict[str, Any]:
    body = _body()
    if not desc.hooks_check_fields:
        check_fields(flatten(body), allowed)
    return body


def _serve(desc: Descriptor) -> None:
    # pylint: disable=too-many-statements
    """Register the routes of one descriptor on the blueprint."""
    types = dict(desc.keys)
    coll_rule = _rule(desc.path, types)
    record_rule = coll_rule + "".join(_rule("/{%s}" % name, types) for name, dummy in desc.keys)

    def collection_view(**kwargs: Any) -> Response:
        if request.method == "GET":
            ctx = _ctx(kwargs)
            return collection(_records(lambda: _listed(desc, ctx)), desc.identity, desc.filter_fields,
                              desc.expensive, order=desc.order)
        if request.method == "POST" and desc.create is not None:
            body = _checked_body(desc, desc.create_fields)
            create = desc.create

            def make_post(lag: float) -> WritePlan:
                ctx = _ctx(kwargs, body, lag)
                if desc.parents:
                    _check_owner(desc, ctx)
                if desc.scoped_body:
                    ctx.body = _scoped_body(body)
                return _planned(desc, create, ctx, "POST", desc.collection_path(ctx.keys))

            def render(plan: WritePlan) -> Optional[Dict[str, Any]]:
                return _created(desc, _ctx(kwargs), plan.record or {})
            return async_write(make_post, render)
        return _query_write(desc, kwargs)

    def record_view(**kwargs: Any) -> Response:
        if request.method == "GET":
            s = sim()
            with s.lock:
                s.engine.advance()
                ctx = _ctx(kwargs)
                _check_owner(desc, ctx)
                record = desc.get(ctx)
                if desc.process_target:
                    record = s.processes.read(desc.process_target, [record])[0]
            return one(record, desc.identity, desc.expensive, desc.filter_fields)
        body = _checked_body(desc, desc.modify_fields) if request.method == "PATCH" else {}
        hook = desc.modify if request.method == "PATCH" else desc.delete
        assert hook is not None

        def make_write(lag: float) -> WritePlan:
            del lag
            ctx = _ctx(kwargs, body)
            _check_owner(desc, ctx)
            return _planned(desc, hook, ctx, request.method, desc.record_path(ctx.keys))
        return async_write(make_write)

    coll_methods = ["GET"] + (["POST"] if desc.create else [])
    if desc.query_writes:
        coll_methods += (["PATCH"] if desc.modify else []) + (["DELETE"] if desc.delete else [])
    record_methods = ["GET"] + (["PATCH"] if desc.modify else []) + (["DELETE"] if desc.delete else [])
    api.add_url_rule(coll_rule, desc.name + "_collection", collection_view, methods=coll_methods)
    api.add_url_rule(record_rule, desc.name + "_record", record_view, methods=record_methods)


def _query_write(desc: Descriptor, kwargs: Dict[str, Any]) -> Response:
    """Query-based ``PATCH``/``DELETE`` on a descriptor's collection (see :func:`query_write`)."""
    method = request.method
    body = _body() if method == "PATCH" else {}
    hook = desc.modify if method == "PATCH" else desc.delete
    assert hook is not None
    parent = _ctx(kwargs)

    def records() -> List[Dict[str, Any]]:
        if desc.parents:
            _check_owner(desc, parent)
        found = desc.list(parent)
        return _in_scope(found, desc.scope) if desc.scope is not None else found

    def keys_of(record: Dict[str, Any]) -> Dict[str, Any]:
        return dict(parent.keys, **{name: conv(get_values(record, name)[0]) for name, conv in desc.keys})

    def make_plan(record: Dict[str, Any]) -> WritePlan:
        ctx = _ctx(kwargs, body)
        ctx.keys = keys_of(record)
        return _planned(desc, hook, ctx, method, desc.record_path(ctx.keys))

    return query_write(records, desc.filter_fields, list(desc.keys), lambda r: desc.record_path(keys_of(r)),
                       make_plan, desc.modify_fields if method == "PATCH" else None, body)


def _serve_all() -> None:
    for desc in DESCRIPTORS:
        _serve(desc)


_serve_all()


@api.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PATCH", "DELETE", "PUT"])
@api.route("/<path:rest>", methods=["GET", "POST", "PATCH", "DELETE", "PUT"])
def unknown_api(rest: str) -> Response:
    """Any other ``/api`` path: 404 ``API not found`` (code 3)."""
    raise ApiError(404, "API not found", "3", target=rest or None)
