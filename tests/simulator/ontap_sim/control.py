"""The control API under ``/_sim`` (JSON, no authentication, not recorded in the request log).

See README.md for every endpoint with examples.
"""

import json
from dataclasses import asdict
from typing import Any, Dict

from flask import Blueprint, Response, current_app, request

from .core import Simulator

control = Blueprint("ontap_sim_control", __name__, url_prefix="/_sim")


def _sim() -> Simulator:
    return current_app.extensions["ontap_sim"]


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _body() -> Dict[str, Any]:
    data = request.get_json(silent=True, force=True)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


@control.errorhandler(ValueError)
@control.errorhandler(TypeError)
def _bad_request(err: Exception) -> Response:
    return _json({"error": str(err)}, 400)


@control.route("/log", methods=["GET"])
def log_get() -> Response:
    """``GET /_sim/log[?since=<seq>]`` -> ``{"records": [entry, ...], "num_records": n}``."""
    since = int(request.args.get("since", "0"))
    records = _sim().get_log(since)
    return _json({"records": records, "num_records": len(records)})


@control.route("/log", methods=["DELETE"])
def log_delete() -> Response:
    """``DELETE /_sim/log`` empties the request log."""
    _sim().clear_log()
    return _json({})


@control.route("/jobs", methods=["GET"])
def rules_get() -> Response:
    """``GET /_sim/jobs`` -> ``{"rules": [...], "jobs": [job + "held", ...], "held": [uuid, ...]}`` (every job
    still kept, full view plus ``held``; ``held`` lists the held jobs' uuids, oldest first)."""
    s = _sim()
    with s.lock:
        s.engine.advance()
        jobs = [dict(j.render(s.clock), held=j.held and not j.terminal) for j in s.engine.jobs.values()]
        held = [j.uuid for j in s.engine.held()]
        rules = [r.as_dict() for r in s.rules]
    return _json({"rules": rules, "jobs": jobs, "held": held})


@control.route("/jobs/release", methods=["POST"])
def jobs_release_all() -> Response:
    """``POST /_sim/jobs/release`` releases every held job -> ``{"released": [uuid, ...]}``."""
    s = _sim()
    with s.lock:
        return _json({"released": [j.uuid for j in s.engine.release()]})


@control.route("/jobs/<job_uuid>/release", methods=["POST"])
def job_release(job_uuid: str) -> Response:
    """``POST /_sim/jobs/<uuid>/release`` releases one held job -> ``{"released": [uuid]}``; 404 if the job is
    unknown, 400 if it is not held."""
    s = _sim()
    with s.lock:
        try:
            jobs = s.engine.release(job_uuid)
        except KeyError:
            return _json({"error": "no such job"}, 404)
        return _json({"released": [j.uuid for j in jobs]})


@control.route("/jobs", methods=["POST"])
def rules_post() -> Response:
    """``POST /_sim/jobs`` with a job rule -> the rule with its ``id`` (201)."""
    return _json(_sim().add_rule(_body()).as_dict(), 201)


@control.route("/jobs", methods=["DELETE"])
def rules_delete() -> Response:
    """``DELETE /_sim/jobs`` removes every job rule (jobs themselves stay)."""
    _sim().clear_rules()
    return _json({})


@control.route("/faults", methods=["GET"])
def faults_get() -> Response:
    """``GET /_sim/faults`` -> ``{"faults": [...]}`` with ``hits`` and remaining ``count``."""
    return _json({"faults": _sim().faults.list()})


@control.route("/faults", methods=["POST"])
def faults_post() -> Response:
    """``POST /_sim/faults`` with a fault rule -> the rule with its ``id`` (201)."""
    rule = _sim().add_fault(_body())
    return _json(rule.as_dict(), 201)


@control.route("/faults", methods=["DELETE"])
def faults_delete() -> Response:
    """``DELETE /_sim/faults`` removes every fault rule."""
    _sim().faults.clear()
    return _json({})


@control.route("/faults/<int:rule_id>", methods=["DELETE"])
def fault_delete(rule_id: int) -> Response:
    """``DELETE /_sim/faults/<id>`` removes one fault rule (404 if unknown)."""
    if not _sim().faults.remove(rule_id):
        return _json({"error": "no such fault"}, 404)
    return _json({})


@control.route("/processes", methods=["GET"])
def processes_get() -> Response:
    """``GET /_sim/processes`` -> ``{"rules": [...], "processes": [process view, ...], "reboots": [{"start_time",
    "end_time", "response"}]}`` (processes oldest first)."""
    s = _sim()
    with s.lock:
        s.engine.advance()
        procs = sorted(s.processes.processes.values(), key=lambda p: p.start)
        return _json({"rules": [r.as_dict() for r in s.processes.rules],
                      "processes": [p.render(s.clock) for p in procs],
                      "reboots": [{"start_time": s.clock.iso(a), "end_time": s.clock.iso(b), "response": r}
                                  for a, b, r in s.reboots]})


@control.route("/processes", methods=["POST"])
def processes_post() -> Response:
    """``POST /_sim/processes`` with a process rule -> the rule with its ``id`` (201)."""
    return _json(_sim().add_process_rule(_body()).as_dict(), 201)


@control.route("/processes", methods=["DELETE"])
def processes_delete() -> Response:
    """``DELETE /_sim/processes`` removes every process rule (running processes go on)."""
    _sim().clear_process_rules()
    return _json({})


@control.route("/processes/<process_uuid>/action", methods=["POST"])
def process_action(process_uuid: str) -> Response:
    """``POST /_sim/processes/<uuid>/action`` ``{"action": pause|resume|act|need_action|abort|release}`` (or the
    move's movement.state words) -> the process view; 404 if unknown, 400 if it has ended."""
    s = _sim()
    action = _body().get("action")
    if not isinstance(action, str):
        raise ValueError('"action" (a string) is required')
    with s.lock:
        try:
            process = s.operations.control_process(process_uuid, action)
        except KeyError:
            return _json({"error": "no such process"}, 404)
        return _json(process.render(s.clock))


@control.route("/config", methods=["GET"])
def config_get() -> Response:
    """``GET /_sim/config`` -> the current configuration."""
    return _json(asdict(_sim().config))


@control.route("/config", methods=["PATCH"])
def config_patch() -> Response:
    """``PATCH /_sim/config`` with some configuration keys -> the new configuration."""
    return _json(_sim().update_config(_body()))


@control.route("/clock", methods=["POST"])
def clock_post() -> Response:
    """``POST /_sim/clock`` ``{"advance": <simulated seconds>}`` jumps the simulated clock forward (jobs, processes
    and timestamps follow) -> ``{"now": <simulated seconds>}``."""
    body = _body()
    seconds = body.get("advance")
    if set(body) != {"advance"} or isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ValueError('expected {"advance": <seconds >= 0>}')
    s = _sim()
    with s.lock:
        s.clock.advance(seconds)
        s.engine.advance()
        s.cond.notify_all()       # requests held for return_timeout re-check the job and their deadline
        return _json({"now": s.clock.now()})


@control.route("/users", methods=["GET"])
def users_get() -> Response:
    """``GET /_sim/users`` -> ``{"users": [{"name", "role"}]}``."""
    s = _sim()
    return _json({"users": [s.user_view(n) for n in list(s.users)]})


@control.route("/users", methods=["POST"])
def users_post() -> Response:
    """``POST /_sim/users`` ``{"name", "password", "role": admin|readonly|svm|jobs_forbidden|jobs_hidden,
    "svm": <SVM name, with role svm>}`` adds or replaces a user -> ``{"name", "role", "svm"?}`` (201)."""
    return _json(_sim().add_user(_body()), 201)


@control.route("/tokens", methods=["POST"])
def tokens_post() -> Response:
    """``POST /_sim/tokens`` ``{"token", "user"}``: the bearer token authenticates as that user (201)."""
    body = _body()
    if set(body) - {"token", "user"}:
        raise ValueError("unknown token keys: %s" % ", ".join(sorted(set(body) - {"token", "user"})))
    _sim().add_token(body.get("token"), str(body.get("user", "")))
    return _json({"user": body.get("user")}, 201)


@control.route("/tokens", methods=["DELETE"])
def tokens_delete() -> Response:
    """``DELETE /_sim/tokens``: every token stops working (expired): requests with one answer 401."""
    _sim().revoke_tokens()
    return _json({})


@control.route("/policies", methods=["POST"])
def policies_post() -> Response:
    """``POST /_sim/policies`` ``{"kind": "snapshot", "name"}`` or ``{"kind": "export", "name", "svm"}`` (201)."""
    s = _sim()
    with s.lock:
        return _json(s.store.add_policy(_body()), 201)


@control.route("/reset", methods=["POST"])
def reset() -> Response:
    """``POST /_sim/reset``: seed state; clears log, job rules, faults, jobs and extra users."""
    _sim().reset()
    return _json({})


@control.route("/stats", methods=["GET"])
def stats() -> Response:
    """``GET /_sim/stats`` -> ``{"inflight": API requests being served, "jobs": live job count, "log_seq": last seq}``."""
    s = _sim()
    log = s.get_log()
    return _json({"inflight": s.inflight, "jobs": len(s.engine.jobs), "log_seq": log[-1]["seq"] if log else 0})


@control.route("/state", methods=["GET"])
def state() -> Response:
    """``GET /_sim/state``: every object, including ones not yet visible to GETs."""
    s = _sim()
    with s.lock:
        s.engine.advance()
        return _json(s.store.snapshot_state())
