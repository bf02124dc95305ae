"""User roles: svm (SVM-scoped), jobs_forbidden (F14), jobs_hidden (F13)."""

import pytest
import requests


@pytest.fixture(autouse=True)
def fast_jobs(sim):
    """Short jobs."""
    sim.config(job_seconds=0.05)


def _as(sim, name, password="pw"):
    session = requests.Session()
    session.auth = (name, password)
    session.trust_env = False
    return lambda method, path, **kw: session.request(method, sim.url + path, timeout=30, **kw)


@pytest.fixture(name="two_svms")
def two_svms_fixture(api):
    """svm1 with vol1 (+ snapshot s1, qtree q1), svm2 with vol2; returns {name: volume record}."""
    assert api.post("/api/svm/svms?return_timeout=5", json={"name": "svm2"}).status_code == 201
    vols = {"vol1": api.create_volume("vol1")}
    body = {"name": "vol2", "svm": {"name": "svm2"}, "aggregates": [{"name": "aggr1"}]}
    assert api.post("/api/storage/volumes?return_timeout=5", json=body).status_code == 201
    vols["vol2"] = api.get("/api/storage/volumes?name=vol2&fields=**").json()["records"][0]
    for vol in vols.values():
        assert api.post("/api/storage/volumes/%s/snapshots?return_timeout=5" % vol["uuid"],
                        json={"name": "s1"}).status_code == 201
    return vols


def test_control_api_users(sim):
    sim.add_user("vs", "pw", role="svm", svm="svm1")
    users = {u["name"]: u for u in sim.control("GET", "/users")["users"]}
    assert users["vs"] == {"name": "vs", "role": "svm", "svm": "svm1"}
    for bad in ({"name": "x", "password": "p", "role": "svm"}, {"name": "x", "password": "p", "svm": "svm1"},
                {"name": "x", "password": "p", "role": "root"}):
        resp = requests.post(sim.url + "/_sim/users", json=bad, timeout=10)
        assert resp.status_code == 400, bad


def test_svm_user_sees_and_writes_only_its_svm(sim, api, two_svms):
    sim.add_user("vs", "pw", role="svm", svm="svm1")
    call = _as(sim, "vs")
    vol1, vol2 = two_svms["vol1"], two_svms["vol2"]
    names = {r["name"] for r in call("GET", "/api/storage/volumes").json()["records"]}
    assert names == {"svm1_root", "vol1"}
    assert [r["name"] for r in call("GET", "/api/svm/svms").json()["records"]] == ["svm1"]
    assert call("GET", "/api/svm/svms/" + vol2["svm"]["uuid"]).status_code == 404
    assert call("GET", "/api/storage/volumes/" + vol1["uuid"]).status_code == 200
    for method in ("GET", "PATCH", "DELETE"):
        resp = call(method, "/api/storage/volumes/" + vol2["uuid"], json={"comment": "x"} if method == "PATCH" else None)
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "4", method
    assert call("GET", "/api/storage/volumes/%s/snapshots" % vol2["uuid"]).status_code == 404
    assert {q["svm"]["name"] for q in call("GET", "/api/storage/qtrees?fields=svm.name").json()["records"]} == {"svm1"}
    # creates default to its SVM; another SVM is "not found"
    resp = call("POST", "/api/storage/volumes?return_timeout=5", json={"name": "mine", "aggregates": [{"name": "aggr1"}]})
    assert resp.status_code == 201, resp.text
    resp = call("POST", "/api/storage/volumes",
                json={"name": "x", "svm": {"name": "svm2"}, "aggregates": [{"name": "aggr1"}]})
    assert resp.status_code == 404 and resp.json()["error"]["target"] == "svm.name"
    # cluster-level writes are forbidden
    for method, path in (("POST", "/api/svm/svms"), ("PATCH", "/api/svm/svms/" + vol1["svm"]["uuid"])):
        resp = call(method, path, json={"name": "svm3"})
        assert resp.status_code == 403 and resp.json()["error"]["code"] == "6"
    # query-based writes only reach its SVM's records
    resp = call("PATCH", "/api/storage/volumes?name=vol*", json={"comment": "scoped"})
    assert resp.status_code == 200 and resp.json()["num_records"] == 1
    comments = {r["name"]: r["comment"] for r in api.get("/api/storage/volumes?fields=comment").json()["records"]}
    assert comments["vol1"] == "scoped" and comments["vol2"] == ""
    # jobs: its own are readable, other SVMs' are not
    own = resp.json()["jobs"][0]["uuid"]
    other = api.patch("/api/storage/volumes/" + vol2["uuid"], json={"comment": "y"}).json()["job"]["uuid"]
    assert call("GET", "/api/cluster/jobs/" + own).status_code == 200
    assert call("GET", "/api/cluster/jobs/" + other).status_code == 404
    listed = {j["uuid"] for j in call("GET", "/api/cluster/jobs").json()["records"]}
    assert own in listed and other not in listed


def test_jobs_forbidden_role(sim):
    sim.add_user("restricted", "pw", role="jobs_forbidden")
    call = _as(sim, "restricted")
    resp = call("POST", "/api/storage/volumes",
                json={"name": "v", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}]})
    assert resp.status_code == 202
    job = resp.json()["job"]["uuid"]
    for path in ("/api/cluster/jobs/" + job, "/api/cluster/jobs"):
        resp = call("GET", path)
        assert resp.status_code == 403 and resp.json()["error"]["code"] == "6"
    assert call("PATCH", "/api/cluster/jobs/%s?action=pause" % job).status_code == 403
    assert sim.wait_until_idle()
    assert call("GET", "/api/storage/volumes?name=v").json()["num_records"] == 1


def test_jobs_hidden_role(sim, api):
    sim.add_user("fsx", "pw", role="jobs_hidden")
    call = _as(sim, "fsx")
    sim.set_job("POST", "/api/storage/volumes", seconds=0.5)
    resp = call("POST", "/api/storage/volumes",
                json={"name": "v", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}]})
    job = resp.json()["job"]["uuid"]
    resp = call("GET", "/api/cluster/jobs/" + job)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "4"
    assert job not in {j["uuid"] for j in call("GET", "/api/cluster/jobs").json()["records"]}
    assert api.get("/api/cluster/jobs/" + job).status_code == 200      # the admin still sees it
    assert sim.wait_until_idle()
    assert call("GET", "/api/cluster/jobs/" + job).json()["state"] == "success"


def test_roles_and_fault_rules_together(sim):
    sim.add_user("vs", "pw", role="svm", svm="svm1")
    sim.add_fault("busy", path="/api/storage/volumes", method="GET", count=1, status=503, retry_after=1)
    call = _as(sim, "vs")
    assert call("GET", "/api/storage/volumes").status_code == 503
    assert call("GET", "/api/storage/volumes").status_code == 200
    assert _as(sim, "vs", "wrong")("GET", "/api/storage/volumes").status_code == 401
