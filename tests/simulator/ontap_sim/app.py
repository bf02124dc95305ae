"""The Flask application: authentication, the request log, request-level faults, error rendering.

``create_app(sim)`` registers the ONTAP API blueprint (``/api``), the control blueprint (``/_sim``) and ZAPI
(:mod:`ontap_sim.zapi`: the XML servlet and ``/_sim/zapi``).
Every ``/api`` request is timed and appended to the request log with the client's ``address:port`` as the
connection id, so tests can count TCP connections.
"""

import base64
import binascii
import json
import socket
import time
from typing import Optional

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from .api import api, reply
from .control import control
from .core import Simulator
from .errors import ApiError
from .tls import common_name
from .zapi import ZAPI_PATH, install_zapi

WRITE_METHODS = ("POST", "PATCH", "DELETE", "PUT")


def _bearer() -> Optional[str]:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _user(sim: Simulator) -> tuple:
    """``(user or None, the name tried)``: a bearer token, HTTP basic auth, else a verified client certificate."""
    token = _bearer()
    if token is not None:
        return sim.authenticate_token(token), "(token)"
    name, password = _credentials()
    if name is not None:
        return sim.authenticate(name, password), name
    pem = request.environ.get("SSL_CLIENT_CERT")
    if pem:
        account = common_name(pem)
        return sim.authenticate_certificate(account), account
    return None, None


def _credentials() -> tuple:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    name, dummy, password = decoded.partition(":")
    return name, password


def _busy(sim: Simulator, status: int, retry_after: float) -> ApiError:
    real = max(1, int(round(sim.clock.to_real(retry_after))))
    if status == 429:
        return ApiError(429, "Too many requests are being processed. Retry the operation after a short delay.",
                        "262160", headers={"Retry-After": str(real)})
    return ApiError(503, "The system is busy. Retry the operation later.", "7", headers={"Retry-After": str(real)})


#: Paths an ``svm`` user may write to (everything else is cluster-level: 403 code 6).
SVM_WRITE_PREFIXES = ("/api/storage/volumes", "/api/storage/qtrees", "/api/cluster/jobs/")


def _authorize(role: str) -> None:
    """403 code 6 for what ``role`` may not do (object-level SVM scoping is done by the views)."""
    if request.path == ZAPI_PATH:
        return  # ZAPI answers privilege errors itself (errno 13003, ontap_sim.zapi)
    forbidden = ApiError(403, "not authorized for that command", "6")
    if role == "readonly" and request.method in WRITE_METHODS:
        raise forbidden
    if role == "svm" and request.method in WRITE_METHODS and not request.path.startswith(SVM_WRITE_PREFIXES):
        raise forbidden
    if role == "jobs_forbidden" and (request.path == "/api/cluster/jobs"
                                     or request.path.startswith("/api/cluster/jobs/")):
        raise forbidden


def _before(sim: Simulator) -> Optional[Response]:
    """Checks run before an ``/api`` view: limits, authentication, role, busy/locked faults, no REST API
    (``not_found_version``, where the view of ``GET /api/cluster`` used to check it). A returned response is the
    answer (the view does not run)."""
    g.start = time.perf_counter()
    g.user = None
    g.role = None
    g.svm_scope = None
    g.job_uuid = None
    inflight = sim.enter()
    g.entered = True
    rebooting = sim.reboot_response()
    if rebooting is not None:
        if request.method == "GET" and request.path.startswith("/api/cluster/jobs"):
            raise ApiError(404, "entry doesn't exist", "4", target="uuid")
        g.drop = rebooting == "drop"
        raise ApiError(503, "The cluster is not reachable: a node is rebooting.", "7")
    limit_fault = sim.faults.peek("connection_limit", request.method, request.path)
    limit = sim.config.connection_limit
    status = sim.config.connection_limit_status
    if limit_fault is not None:
        limit, status = limit_fault.limit, limit_fault.status or 503
    if limit is not None and inflight > limit:
        if limit_fault is not None:
            sim.faults.fire("connection_limit", request.method, request.path)
        raise _busy(sim, status, 1.0)
    user, name = _user(sim)
    if user is None:
        g.user = name
        raise ApiError(401, "Authentication failed: the user name or password is not valid.", "6",
                       headers={"WWW-Authenticate": 'Basic realm="ONTAP"'})
    g.user = user["name"]
    g.role = user["role"]
    g.svm_scope = user.get("svm")
    _authorize(user["role"])
    fault = sim.faults.fire("busy", request.method, request.path)
    if fault is not None:
        raise _busy(sim, fault.status, fault.retry_after)
    fault = sim.faults.fire("locked", request.method, request.path)
    if fault is not None:
        raise ApiError(fault.status, fault.message or "The SVM is temporarily locked for a MetroCluster baseline "
                       "operation. Try the operation again in a few minutes.", "2621573")
    if request.path.startswith("/api") and sim.faults.fire("not_found_version", request.method, request.path) is not None:
        # a system without the REST API (before ONTAP 9.6): its web server knows no /api path at all
        return Response("<html><body><h1>404 Not Found</h1></body></html>", status=404, mimetype="text/html")
    return None


def _drop_connection() -> None:
    """Cut the client's TCP connection without an answer."""
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _after(sim: Simulator, response: Response) -> Response:
    """Faults applied to the answer (slow, ambiguous), then the request log entry."""
    dropped = False
    if g.get("drop"):
        _drop_connection()
        dropped = True
        request.environ["ontap_sim.close_connection"] = True
        response = Response("", status=500)
    slow = sim.faults.fire("slow", request.method, request.path)
    if slow is not None:
        time.sleep(sim.clock.to_real(slow.seconds))
    if response.status_code < 400 and not dropped:
        fault = sim.faults.fire("ambiguous", request.method, request.path)
        if fault is not None:
            if fault.response == "drop":
                _drop_connection()
                dropped = True
                request.environ["ontap_sim.close_connection"] = True
                response = Response("", status=500)
            else:
                code = int(fault.response)
                text = "Internal Server Error" if code == 500 else "Gateway Time-out"
                response = Response("<html><body><h1>%d %s</h1></body></html>" % (code, text), status=code,
                                    mimetype="text/html")
    sim.record({
        "time": time.time(),
        "method": request.method,
        "path": request.path,
        "query": request.query_string.decode("latin-1"),
        "status": 0 if dropped else response.status_code,
        "duration_ms": round((time.perf_counter() - g.get("start", time.perf_counter())) * 1000.0, 3),
        "user": g.get("user"),
        "connection": "%s:%s" % (request.environ.get("REMOTE_ADDR"), request.environ.get("REMOTE_PORT")),
        "job": g.get("job_uuid"),
        "zapi": g.get("zapi_api"),
    })
    return response


def create_app(sim: Simulator) -> Flask:
    """The WSGI app serving ``sim``."""
    app = Flask("ontap_sim")
    app.url_map.strict_slashes = False
    app.extensions["ontap_sim"] = sim
    app.register_blueprint(api)
    app.register_blueprint(control)

    def is_api() -> bool:
        return not request.path.startswith("/_sim")

    @app.before_request
    def before() -> None:
        request.get_data()  # always drain the body: the connection is kept alive for the next request
        if is_api():
            return _before(sim)
        return None

    @app.after_request
    def after(response: Response) -> Response:
        if is_api() and g.get("entered"):
            return _after(sim, response)
        return response

    @app.teardown_request
    def teardown(_exc: Optional[BaseException]) -> None:
        if g.get("entered"):
            g.entered = False
            sim.leave()

    @app.errorhandler(ApiError)
    def api_error(err: ApiError) -> Response:
        return reply(err.body(), err.status, err.headers)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Response:
        code = err.code or 500
        if not is_api():
            return Response(json.dumps({"error": err.description}), status=code, mimetype="application/json")
        return reply({"error": {"message": err.description or "error", "code": str(code)}}, code)

    install_zapi(app, sim)
    return app
