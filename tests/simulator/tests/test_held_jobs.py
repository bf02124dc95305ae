"""Held jobs: a job rule with ``hold`` keeps its jobs in running/paused, without progress, until released."""

import threading
import time

import jsonschema
import pytest

from ontap_sim.testing import SimServerError

VOL = {"name": "vol1", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}]}


def test_held_job_stays_running_until_released(api, sim):
    rule = sim.hold_jobs("POST", "/api/storage/volumes", seconds=0.2, progress_message="Creating")
    assert rule["hold"] is True
    sim.config(time_scale=50)                                  # time flies; the held job must not care
    resp = api.post("/api/storage/volumes?return_timeout=2", json=VOL)
    assert resp.status_code == 202
    job_uuid = resp.json()["job"]["uuid"]
    for dummy in range(5):
        job = api.get("/api/cluster/jobs/" + job_uuid).json()
        assert job["state"] == "running" and job["message"] == "Creating" and "end_time" not in job
        time.sleep(0.1)
    assert api.get("/api/storage/volumes?name=vol1").json()["num_records"] == 0
    held = sim.held_jobs()
    assert [j["uuid"] for j in held] == [job_uuid] and held[0]["held"] is True
    state = sim.control("GET", "/jobs")
    assert state["held"] == [job_uuid]
    assert sim.release(job_uuid) == [job_uuid]
    sim.config(time_scale=1)
    job = api.wait_job(job_uuid)
    assert job["state"] == "success"
    assert api.get("/api/storage/volumes?name=vol1").json()["num_records"] == 1
    assert sim.control("GET", "/jobs")["held"] == []
    with pytest.raises(SimServerError, match="400"):
        sim.release(job_uuid)                                  # no longer held
    with pytest.raises(SimServerError, match="404"):
        sim.release("00000000-0000-0000-0000-000000000000")


def test_return_timeout_waits_for_a_held_job_that_is_released(api, sim):
    sim.hold_jobs("POST", "/api/storage/volumes", seconds=0.1)
    timer = threading.Timer(0.5, sim.release)
    timer.start()
    try:
        resp = api.post("/api/storage/volumes?return_timeout=10", json=VOL)
    finally:
        timer.join()
    assert resp.status_code == 201                             # woken by the release, not by the deadline


def test_release_all_paused_hold_count_and_failure_outcome(api, sim):
    sim.hold_jobs("DELETE", "/api/storage/volumes/*", hold_state="paused", count=2, outcome="failure",
                  code=917927, message="Volume busy", seconds=0.05)
    uuids = [api.create_volume("v%d" % i)["uuid"] for i in range(3)]
    jobs = [api.delete("/api/storage/volumes/" + u).json()["job"]["uuid"] for u in uuids]
    time.sleep(0.4)
    states = [api.get("/api/cluster/jobs/" + j).json()["state"] for j in jobs]
    assert states == ["paused", "paused", "success"]           # count=2: the third is not held
    assert api.get("/api/cluster/jobs/" + jobs[0]).json()["message"] == "Job paused"
    assert sorted(sim.release()) == sorted(jobs[:2])
    assert [api.wait_job(j)["state"] for j in jobs[:2]] == ["failure", "failure"]
    assert api.get("/api/cluster/jobs/" + jobs[0]).json()["code"] == 917927
    assert sim.release() == []


def test_held_job_can_be_cancelled_and_paused(api, sim):
    sim.hold_jobs("POST", "/api/storage/volumes")
    job_uuid = api.post("/api/storage/volumes", json=VOL).json()["job"]["uuid"]
    assert api.patch("/api/cluster/jobs/%s?action=pause" % job_uuid).status_code == 200
    assert api.get("/api/cluster/jobs/" + job_uuid).json()["state"] == "paused"
    assert api.patch("/api/cluster/jobs/%s?action=resume" % job_uuid).status_code == 200
    assert api.get("/api/cluster/jobs/" + job_uuid).json()["state"] == "running"      # still held
    assert api.patch("/api/cluster/jobs/%s?action=cancel" % job_uuid).status_code == 200
    job = api.wait_job(job_uuid)
    assert job["state"] == "failure" and job["code"] == 458760
    assert sim.held_jobs() == []


def test_hold_rule_validation(sim):
    with pytest.raises(SimServerError, match="hold must be"):
        sim.set_job("POST", "/api/storage/volumes", hold="yes")


def test_held_job_matches_the_openapi_job(api, sim, openapi):
    sim.hold_jobs("POST", "/api/storage/volumes")
    job_uuid = api.post("/api/storage/volumes", json=VOL).json()["job"]["uuid"]
    schema = {"$ref": "#/definitions/job", "definitions": openapi["definitions"]}
    jsonschema.Draft7Validator(schema).validate(api.get("/api/cluster/jobs/" + job_uuid).json())
    sim.release()


def test_the_clock_jumps_forward_through_the_control_api(sim, api):
    # Tests that need time to pass (distinct create_time seconds, a job's end) advance the clock, never sleep.
    sim.config(job_seconds=30)
    resp = api.post("/api/storage/volumes?return_timeout=0", json=VOL)
    assert resp.status_code == 202
    job_path = "/api/cluster/jobs/" + resp.json()["job"]["uuid"]
    assert api.get(job_path).json()["state"] in ("queued", "running")
    assert sim.advance_clock(60) >= 60
    assert api.get(job_path).json()["state"] == "success"
    with pytest.raises(SimServerError):
        sim.advance_clock(-1)
