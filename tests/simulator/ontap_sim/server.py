"""The threaded HTTP/1.1 (keep-alive) werkzeug server around the Flask app."""

import io
import socket
import ssl
import threading
from typing import Any, Dict, Optional

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_app
from .core import Simulator


#: WSGI environ key an app sets (to True) to have the connection closed after its answer.
CLOSE_KEY = "ontap_sim.close_connection"


class _EofSocket:  # pylint: disable=too-few-public-methods
    """One shared socket whose peer is closed: always readable, reads give EOF."""

    _lock = threading.Lock()
    _sock: Optional[socket.socket] = None

    @classmethod
    def get(cls) -> socket.socket:
        """The shared socket (created on first use)."""
        with cls._lock:
            if cls._sock is None:
                left, right = socket.socketpair()
                right.close()
                cls._sock = left
            return cls._sock


class QuietHandler(WSGIRequestHandler):
    """HTTP/1.1 handler with real keep-alive and no per-request access log line.

    Werkzeug 3 sends ``Connection: close`` on every answer; ONTAP keeps connections open, and clients are judged
    on how many TCP connections they open, so that header is dropped unless the app asked for a close (environ
    key :data:`CLOSE_KEY`) or the client did. The app must consume every request body (it does, in a
    ``before_request`` hook) so the next request line is read correctly. Idle connections time out after
    ``timeout`` seconds.

    Every accepted connection sets ``TCP_NODELAY`` (``disable_nagle_algorithm``): without it an answer written in
    two pieces (headers, then body) on a kept-alive connection waits for the client's delayed ACK, about 40-45 ms
    per request on Linux, a stall that a client opening a new connection per request never pays (issue 13).
    """

    protocol_version = "HTTP/1.1"
    timeout = 120
    disable_nagle_algorithm = True

    def make_environ(self) -> Dict[str, Any]:
        """Build the environ, then hide the connection from werkzeug's post-request drain.

        After each request werkzeug reads the socket until EOF to discard unread input, which would eat the next
        request of a kept-alive connection. The environ keeps the real stream and socket; during the request
        ``self.rfile``/``self.connection`` are an empty stream and an EOF socket, restored in :meth:`run_wsgi`.
        """
        environ = super().make_environ()
        self.rfile = io.BytesIO()  # type: ignore[assignment]
        self.connection = _EofSocket.get()
        return environ

    def run_wsgi(self) -> None:
        """Serve one request, then restore the real stream and socket for the next one."""
        rfile, connection = self.rfile, self.connection
        try:
            super().run_wsgi()
        finally:
            self.rfile, self.connection = rfile, connection

    def send_header(self, keyword: str, value: str) -> None:
        """Pass headers through, except werkzeug's unconditional ``Connection: close``."""
        if keyword.lower() == "connection" and value.lower() == "close":
            environ = getattr(self, "environ", None) or {}
            if not environ.get(CLOSE_KEY):
                return
        super().send_header(keyword, value)

    def log_request(self, code: object = "-", size: object = "-") -> None:
        """The simulator keeps its own request log (``/_sim/log``)."""

    def log_error(self, format: str, *args: object) -> None:  # pylint: disable=redefined-builtin
        """Silence connection noise (dropped connections are deliberate)."""


def build_server(sim: Simulator, host: str = "127.0.0.1", port: int = 0, cert_path: Optional[str] = None,
                 key_path: Optional[str] = None, client_ca_path: Optional[str] = None) -> BaseWSGIServer:
    """A threaded server bound to ``host:port`` (0 = free port), TLS when ``cert_path``/``key_path`` are given.

    ``client_ca_path`` (mutual TLS): clients may present a certificate, which must be signed by that CA (any other
    is refused in the handshake with a TLS alert); the app maps its CN to an account. Clients without one still
    authenticate with HTTP basic auth or a bearer token."""
    ssl_context = None
    if cert_path and key_path:
        ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ssl_context.load_cert_chain(cert_path, key_path)
        if client_ca_path:
            ssl_context.load_verify_locations(cafile=client_ca_path)
            ssl_context.verify_mode = ssl.CERT_OPTIONAL
    server = make_server(host, port, create_app(sim), threaded=True, request_handler=QuietHandler,
                         ssl_context=ssl_context)
    server.daemon_threads = True
    return server


class BackgroundServer:
    """Run a server in a daemon thread (in-process tests): ``start()`` -> url, ``stop()``."""

    def __init__(self, sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sim = sim
        self.server = build_server(sim, host, port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """``http://host:port``."""
        return "http://%s:%d" % (self.server.host, self.server.port)

    def start(self) -> str:
        """Start serving; returns the URL."""
        self.thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
