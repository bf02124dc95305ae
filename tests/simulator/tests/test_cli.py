"""The command line, TLS, SimServer lifecycle and keep-alive."""

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from ontap_sim.cli import parse_args
from ontap_sim.testing import SimServer


def test_help_lists_every_option():
    out = subprocess.run([sys.executable, "-m", "ontap_sim", "--help"], capture_output=True, text=True, check=True)
    for option in ("--host", "--port", "--http", "--username", "--password", "--job-seconds", "--job-retention",
                   "--time-scale", "--cert-dir", "--connection-limit", "--users"):
        assert option in out.stdout


def test_tls_with_generated_certificate_and_sigterm(tmp_path):
    with SimServer(cert_dir=str(tmp_path), username="root", password="s3cret",
                   users="vs:pw:svm:svm1,ro:pw:readonly") as srv:
        srv.reset()                                   # --users survive a reset
        users = {u["name"]: u for u in srv.control("GET", "/users")["users"]}
        assert users["vs"] == {"name": "vs", "role": "svm", "svm": "svm1"} and users["ro"]["role"] == "readonly"
        resp = requests.post(srv.url + "/api/svm/svms", json={"name": "x"}, auth=("vs", "pw"), verify=srv.ca_path,
                             timeout=10)
        assert resp.status_code == 403
        assert srv.url.startswith("https://127.0.0.1:")
        assert srv.ca_path == str(tmp_path / "cert.pem")
        assert (tmp_path / "key.pem").exists()
        resp = requests.get(srv.url + "/api/cluster?fields=version", auth=("root", "s3cret"), verify=srv.ca_path,
                            timeout=10)
        assert resp.status_code == 200
        assert resp.json()["version"] == {"full": resp.json()["version"]["full"], "generation": 9, "major": 14,
                                          "minor": 1}
        assert srv.output.startswith("ONTAP simulator listening on %s (user root)" % srv.url)
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(5) == 0


def test_bad_credentials_give_401_json(api):
    resp = api.get("/api/cluster", auth=("admin", "wrong"))
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "6"
    resp = requests.get(api.sim.url + "/api/cluster", timeout=10)
    assert resp.status_code == 401


def test_keep_alive_one_connection_per_session(api, sim):
    sim.clear_log()
    for dummy in range(5):
        assert api.get("/api/cluster").status_code == 200
    api.post("/api/storage/volumes", json={"name": "ka", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}]})
    log = sim.log()
    assert len(log) == 6
    assert len({entry["connection"] for entry in log}) == 1
    assert {entry["user"] for entry in log} == {"admin"}
    assert all(set(entry) >= {"seq", "time", "method", "path", "query", "status", "duration_ms", "user",
                              "connection"} for entry in log)


def test_control_requests_not_logged(sim):
    sim.clear_log()
    sim.config()
    sim.control("GET", "/jobs")
    assert sim.log() == []


def test_cluster_fields(api):
    body = api.get("/api/cluster?fields=version").json()
    assert set(body) == {"name", "uuid", "version", "_links"}
    assert body["version"]["full"].startswith("NetApp Release 9.14.1")


def test_unknown_api_path(api):
    resp = api.get("/api/storage/nothing")
    assert resp.status_code == 404
    assert resp.json()["error"]["message"] == "API not found"


def test_readonly_user_cannot_write(api, sim):
    sim.add_user("viewer", "pw", role="readonly")
    assert api.get("/api/storage/volumes", auth=("viewer", "pw")).status_code == 200
    resp = api.post("/api/storage/volumes", json={}, auth=("viewer", "pw"))
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "6"


def test_users_option_parsing():
    assert parse_args(["--users", "a:p:admin,b:q:svm:svm1", "--users", "c:r:jobs_hidden"]).user_specs == [
        {"name": "a", "password": "p", "role": "admin"}, {"name": "b", "password": "q", "role": "svm", "svm": "svm1"},
        {"name": "c", "password": "r", "role": "jobs_hidden"}]
    with pytest.raises(SystemExit):
        parse_args(["--users", "nopassword"])


def test_a_simulator_started_by_simserver_stops_when_its_starter_dies_without_stopping_it():
    # pytest-forked (ansible-test units) ends each test's process with os._exit: no teardown runs. The simulator
    # must not outlive it (it watches its standard input, which closes with the starter).
    code = ("import os, sys; from ontap_sim.testing import SimServer; s = SimServer(http=True).start(); "
            "print(s.proc.pid, flush=True); os._exit(0)")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    pid = int(child.stdout.split()[-1])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        raise AssertionError("the simulator %d outlived the process that started it" % pid)
