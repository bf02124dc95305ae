"""The simulator's HTTP server: keep-alive connections without Nagle's delay (TCP_NODELAY, issue 13)."""

import socket
from typing import Iterator

import pytest
import requests
from flask import jsonify, request

from ontap_sim.core import Simulator
from ontap_sim.server import BackgroundServer


@pytest.fixture
def served() -> Iterator[BackgroundServer]:
    """An in-process simulator with one extra route that reports its connection's TCP_NODELAY option."""
    srv = BackgroundServer(Simulator())
    app = srv.server.app

    @app.route("/_test/nodelay")
    def nodelay():  # type: ignore[no-untyped-def]
        sock = request.environ["werkzeug.socket"]
        return jsonify(nodelay=sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
                       port=request.environ.get("REMOTE_PORT"))
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def test_every_kept_alive_connection_sets_tcp_nodelay(served: BackgroundServer) -> None:
    session = requests.Session()
    session.trust_env = False
    session.auth = ("admin", "netapp1!")
    answers = [session.get(served.url + "/_test/nodelay", timeout=10).json() for dummy in range(3)]
    assert all(answer["nodelay"] != 0 for answer in answers)
    assert len({answer["port"] for answer in answers}) == 1      # one kept-alive connection served all three
    fresh = requests.get(served.url + "/_test/nodelay", auth=("admin", "netapp1!"), timeout=10).json()
    assert fresh["nodelay"] != 0
