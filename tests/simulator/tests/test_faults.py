"""Every fault kind, provoked and observed the way a client (requests) sees it."""

import threading
import time

import pytest
import requests

from ontap_sim.zapi import ZAPI_PATH

VOL = {"name": "vol1", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}]}


def test_job_failure(api, sim):
    sim.add_fault("job_failure", path="/api/storage/volumes", code=917536, message="Aggregate full", count=1)
    resp = api.post("/api/storage/volumes?return_timeout=5", json=VOL)
    assert resp.status_code == 400 and resp.json()["error"]["message"] == "Aggregate full"
    assert api.post("/api/storage/volumes?return_timeout=5", json=VOL).status_code == 201


@pytest.mark.parametrize("state", ["running", "paused"])
def test_job_stuck(api, sim, state):
    sim.add_fault("job_stuck", path="/api/storage/volumes", state=state, seconds=0.6)
    job_uuid = api.post("/api/storage/volumes", json=VOL).json()["job"]["uuid"]
    time.sleep(0.3)
    assert api.get("/api/cluster/jobs/" + job_uuid).json()["state"] == state
    assert api.wait_job(job_uuid)["state"] == "success"


@pytest.mark.parametrize("response", ["500", "504"])
def test_ambiguous_error_but_write_done(api, sim, response):
    sim.add_fault("ambiguous", path="/api/storage/volumes", response=response, count=1)
    resp = api.post("/api/storage/volumes?return_timeout=5", json=VOL)
    assert resp.status_code == int(response)
    assert "job" not in resp.text
    assert api.get("/api/storage/volumes?name=vol1").json()["num_records"] == 1


def test_ambiguous_dropped_connection(api, sim):
    sim.add_fault("ambiguous", path="/api/storage/volumes", response="drop", count=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        api.post("/api/storage/volumes", json=VOL)
    sim.wait_until_idle()
    assert api.get("/api/storage/volumes?name=vol1").json()["num_records"] == 1
    assert [e["status"] for e in sim.log() if e["method"] == "POST"] == [0]


@pytest.mark.parametrize("status, code", [(429, "262160"), (503, "7")])
def test_busy(api, sim, status, code):
    sim.add_fault("busy", method="GET", path="/api/cluster/jobs*", status=status, retry_after=2, count=1)
    resp = api.get("/api/cluster/jobs")
    assert resp.status_code == status
    assert resp.headers["Retry-After"] == "2"
    assert resp.json()["error"]["code"] == code
    assert api.get("/api/cluster/jobs").status_code == 200


def test_locked_for_n_attempts(api, sim):
    sim.add_fault("locked", path="/api/storage/volumes", count=2)
    for dummy in range(2):
        resp = api.post("/api/storage/volumes", json=VOL)
        assert resp.status_code == 409 and resp.json()["error"]["code"] == "2621573"
    assert api.post("/api/storage/volumes", json=VOL).status_code == 202


def test_slow(api, sim):
    sim.add_fault("slow", method="GET", path="/api/cluster", seconds=0.5, count=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.get("/api/cluster", timeout=0.2)
    started = time.monotonic()
    assert api.get("/api/cluster", timeout=5).status_code == 200
    assert time.monotonic() - started < 0.4


def test_connection_limit(sim):
    sim.add_fault("slow", method="GET", path="/api/cluster", seconds=0.5)
    sim.add_fault("connection_limit", limit=2, status=503)
    results = []

    def call():
        results.append(requests.get(sim.url + "/api/cluster", auth=(sim.username, sim.password), timeout=5))

    threads = [threading.Thread(target=call) for dummy in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 200, 503, 503]
    refused = [r for r in results if r.status_code == 503][0]
    assert refused.headers.get("Retry-After") and refused.json()["error"]["code"] == "7"


def test_config_connection_limit_429(sim):
    sim.config(connection_limit=1, connection_limit_status=429)
    sim.add_fault("slow", method="GET", path="/api/cluster", seconds=0.4)
    results = []

    def call():
        results.append(requests.get(sim.url + "/api/cluster", auth=(sim.username, sim.password), timeout=5))

    threads = [threading.Thread(target=call) for dummy in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [200, 429]


def test_read_after_write_lag(api, sim):
    sim.add_fault("read_after_write_lag", path="/api/storage/volumes", seconds=0.6)
    resp = api.post("/api/storage/volumes?return_timeout=5", json=VOL)
    assert resp.status_code == 201
    assert api.get("/api/cluster/jobs/" + resp.json()["job"]["uuid"]).json()["state"] == "success"
    assert api.get("/api/storage/volumes?name=vol1").json()["num_records"] == 0
    assert api.get(resp.headers["Location"]).json()["num_records"] == 0
    time.sleep(0.7)
    assert api.get("/api/storage/volumes?name=vol1").json()["num_records"] == 1


def test_truncated_collection(api, sim):
    sim.add_fault("truncated_collection", path="/api/svm/svms", count=1)
    body = api.get("/api/svm/svms?name=svm1").json()
    assert body["num_records"] == 0 and body["records"] == [] and "next" in body["_links"]
    again = api.get(body["_links"]["next"]["href"]).json()
    assert again["num_records"] == 1


def test_job_get_forbidden(api, sim):
    sim.add_fault("job_get_forbidden")
    job_uuid = api.post("/api/storage/volumes", json=VOL).json()["job"]["uuid"]
    resp = api.get("/api/cluster/jobs/" + job_uuid)
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "6"
    sim.wait_until_idle()
    assert api.get("/api/storage/volumes?name=vol1").json()["num_records"] == 1   # the change was applied


def test_job_get_unauthorized(api, sim):
    sim.add_fault("job_get_unauthorized", count=1)
    job_uuid = api.post("/api/storage/volumes", json=VOL).json()["job"]["uuid"]
    resp = api.get("/api/cluster/jobs/" + job_uuid)
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "6"
    assert "WWW-Authenticate" in resp.headers
    assert api.get("/api/cluster/jobs/" + job_uuid).status_code == 200      # count 1: the next read works


def test_job_get_not_found_while_live(api, sim):
    sim.add_fault("job_get_not_found")
    sim.set_job("POST", "/api/storage/volumes", seconds=0.4)
    job_uuid = api.post("/api/storage/volumes", json=VOL).json()["job"]["uuid"]
    resp = api.get("/api/cluster/jobs/" + job_uuid)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "4"
    time.sleep(0.5)
    assert api.get("/api/cluster/jobs/" + job_uuid).json()["state"] == "success"


def test_not_found_version(api, sim):
    sim.add_fault("not_found_version")
    resp = api.get("/api/cluster?fields=version")
    assert resp.status_code == 404
    assert not resp.headers["Content-Type"].startswith("application/")


def test_not_found_version_on_every_api_path_plays_a_system_without_rest(api, sim):
    sim.add_fault("not_found_version", method="*", path="/api/*")
    job = api.get("/api/cluster/jobs/0b6bc0f4-f0f7-11e8-9f02-005056bb5c0f")
    assert job.status_code == 404 and not job.headers["Content-Type"].startswith("application/")
    assert api.get("/api/cluster?fields=version").status_code == 404
    volumes = api.post("/api/storage/volumes", json={"name": "x"})
    assert volumes.status_code == 404 and "error" not in volumes.text
    zapi = api.post(ZAPI_PATH, data=b'<?xml version="1.0"?><netapp version="1.0"><system-get-version/></netapp>',
                    headers={"Content-Type": "text/xml"})
    assert zapi.status_code == 200 and b"status=\"passed\"" in zapi.content, zapi.text     # ZAPI still answers


def test_fault_listing_and_removal(sim):
    rule = sim.add_fault("busy", count=3)
    assert rule["id"] and rule["method"] == "*" and rule["count"] == 3
    listed = sim.control("GET", "/faults")["faults"]
    assert [f["id"] for f in listed] == [rule["id"]]
    sim.control("DELETE", "/faults/%d" % rule["id"])
    assert sim.control("GET", "/faults")["faults"] == []
    with pytest.raises(Exception):
        sim.add_fault("meteor_strike")
