"""The job protocol: return_timeout, states, pause/resume/cancel, retention, collection queries."""

import threading
import time

import pytest

VOL = {"name": "vol1", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}]}


def test_default_return_timeout_is_202_then_success(api):
    resp = api.post("/api/storage/volumes", json=VOL)
    assert resp.status_code == 202
    assert resp.headers["Location"] == "/api/storage/volumes/?name=vol1"
    job = resp.json()["job"]
    assert job["_links"]["self"]["href"] == "/api/cluster/jobs/" + job["uuid"]
    first = api.get(job["_links"]["self"]["href"]).json()
    assert first["state"] in ("queued", "running")
    assert "end_time" not in first
    # the create is not visible before the job succeeds
    assert api.get("/api/storage/volumes?name=vol1").json()["num_records"] == 0
    done = api.wait_job(job["uuid"])
    assert done["state"] == "success" and done["message"] == "success" and done["code"] == 0
    assert done["description"] == "POST /api/storage/volumes"
    assert done["svm"]["name"] == "svm1" and done["node"]["name"]
    assert done["end_time"] >= done["start_time"]
    assert api.get("/api/storage/volumes?name=vol1").json()["num_records"] == 1


@pytest.mark.parametrize("value", ["600", "-1", "abc", "1.5"])
def test_return_timeout_out_of_range(api, value):
    resp = api.post("/api/storage/volumes?return_timeout=" + value, json=VOL)
    assert resp.status_code == 400
    assert resp.json() == {"error": {
        "message": 'The value "%s" is invalid for field "return_timeout" (<0..120>)' % value,
        "code": "262197", "target": "return_timeout"}}
    assert api.get("/api/cluster/jobs").json()["num_records"] == 0


def test_return_timeout_finishes_in_time_201_200_200(api):
    resp = api.post("/api/storage/volumes?return_timeout=5", json=VOL)
    assert resp.status_code == 201
    vol_uuid = api.get("/api/storage/volumes?name=vol1").json()["records"][0]["uuid"]
    job_uuid = resp.json()["job"]["uuid"]
    assert api.get("/api/cluster/jobs/" + job_uuid).json()["state"] == "success"   # still readable
    resp = api.patch("/api/storage/volumes/%s?return_timeout=5" % vol_uuid, json={"size": 200 * 1024 ** 2})
    assert resp.status_code == 200
    assert api.get("/api/storage/volumes/" + vol_uuid).json()["size"] == 200 * 1024 ** 2
    resp = api.delete("/api/storage/volumes/%s?return_timeout=5" % vol_uuid)
    assert resp.status_code == 200
    assert api.get("/api/storage/volumes/" + vol_uuid).status_code == 404


def test_return_timeout_too_short_gives_202(api, sim):
    sim.set_job("POST", "/api/storage/volumes", seconds=2)
    started = time.monotonic()
    resp = api.post("/api/storage/volumes?return_timeout=1", json=VOL)
    assert resp.status_code == 202
    assert 0.9 <= time.monotonic() - started < 1.8


def test_failure_within_return_timeout_is_an_http_error(api, sim):
    sim.set_job("POST", "/api/storage/volumes", seconds=0.1, outcome="failure", code=917536,
                message="Not enough space in aggregate aggr1.")
    resp = api.post("/api/storage/volumes?return_timeout=5", json=VOL)
    assert resp.status_code == 400
    body = resp.json()
    assert body["error"] == {"message": "Not enough space in aggregate aggr1.", "code": "917536"}
    job = api.get("/api/cluster/jobs/" + body["job"]["uuid"]).json()
    assert job["state"] == "failure" and job["code"] == 917536
    assert job["error"] == {"code": "917536", "message": "Not enough space in aggregate aggr1.", "arguments": []}
    assert api.get("/api/storage/volumes?name=vol1").json()["num_records"] == 0   # failed job changes nothing


def test_rule_count_and_glob(api, sim):
    sim.set_job("*", "/api/storage/volumes*", seconds=0.05, outcome="failure", code=5, message="nope", count=1)
    assert api.post("/api/storage/volumes?return_timeout=5", json=VOL).status_code == 400
    assert api.post("/api/storage/volumes?return_timeout=5", json=VOL).status_code == 201


def test_progress_code_while_running(api, sim):
    sim.set_job("POST", "/api/storage/volumes", seconds=5, progress_code=917505, progress_message="Creating volume")
    job_uuid = api.post("/api/storage/volumes", json=VOL).json()["job"]["uuid"]
    time.sleep(0.1)
    job = api.get("/api/cluster/jobs/%s?fields=state,code,message" % job_uuid).json()
    assert job == {"uuid": job_uuid, "_links": job["_links"], "state": "running", "code": 917505,
                   "message": "Creating volume"}


def test_pause_resume_cancel(api, sim):
    sim.set_job("POST", "/api/storage/volumes", seconds=0.5)
    job_uuid = api.post("/api/storage/volumes", json=VOL).json()["job"]["uuid"]
    href = "/api/cluster/jobs/" + job_uuid
    assert api.patch(href + "?action=pause").status_code == 200
    time.sleep(0.7)
    assert api.get(href).json()["state"] == "paused"            # paused jobs do not advance
    assert api.patch(href + "?action=pause").json()["error"]["code"] == "458776"
    assert api.patch(href + "?action=resume").status_code == 200
    assert api.get(href).json()["state"] in ("queued", "running")
    assert api.wait_job(job_uuid)["state"] == "success"
    assert api.patch(href + "?action=cancel").json()["error"]["code"] == "458762"

    sim.set_job("POST", "/api/storage/volumes", seconds=5)
    job_uuid = api.post("/api/storage/volumes", json=dict(VOL, name="vol2")).json()["job"]["uuid"]
    assert api.patch("/api/cluster/jobs/%s?action=cancel" % job_uuid).status_code == 200
    job = api.get("/api/cluster/jobs/" + job_uuid).json()
    assert job["state"] == "failure"
    assert api.get("/api/storage/volumes?name=vol2").json()["num_records"] == 0


def test_unsupported_pause_and_cancel(api, sim):
    sim.set_job("POST", "/api/storage/volumes", seconds=5, pausable=False, cancellable=False)
    href = api.post("/api/storage/volumes", json=VOL).json()["job"]["_links"]["self"]["href"]
    resp = api.patch(href + "?action=pause")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "458783"
    assert api.patch(href + "?action=cancel").json()["error"]["code"] == "458784"


def test_retention_then_404(api, sim):
    sim.config(job_retention=0.3)
    job_uuid = api.post("/api/storage/volumes?return_timeout=5", json=VOL).json()["job"]["uuid"]
    assert api.get("/api/cluster/jobs/" + job_uuid).status_code == 200
    time.sleep(0.4)
    resp = api.get("/api/cluster/jobs/" + job_uuid)
    assert resp.status_code == 404
    assert resp.json() == {"error": {"message": "entry doesn't exist", "code": "4", "target": "uuid"}}
    assert api.patch("/api/cluster/jobs/%s?action=pause" % job_uuid).status_code == 404


def test_time_scale_speeds_jobs(api, sim):
    sim.config(time_scale=20)
    sim.set_job("POST", "/api/storage/volumes", seconds=10)
    started = time.monotonic()
    assert api.post("/api/storage/volumes?return_timeout=20", json=VOL).status_code == 201
    assert time.monotonic() - started < 1.5


def test_jobs_collection_queries(api, sim):
    sim.set_job("POST", "/api/storage/volumes", seconds=0.05, outcome="failure", code=1, message="dup", count=1)
    api.post("/api/storage/volumes?return_timeout=5", json=dict(VOL, name="a"))
    api.post("/api/storage/volumes?return_timeout=5", json=dict(VOL, name="b"))
    api.post("/api/storage/volumes?return_timeout=5", json=dict(VOL, name="c"))
    jobs = api.get("/api/cluster/jobs").json()
    assert jobs["num_records"] == 3 and set(jobs["records"][0]) == {"uuid", "_links"}
    assert api.get("/api/cluster/jobs?state=failure").json()["num_records"] == 1
    assert api.get("/api/cluster/jobs?state=failure|success").json()["num_records"] == 3
    assert api.get("/api/cluster/jobs?description=POST*").json()["num_records"] == 3
    assert api.get("/api/cluster/jobs?message=dup&code=1").json()["num_records"] == 1
    assert api.get("/api/cluster/jobs?svm.name=svm1&node.name=node*").json()["num_records"] == 3
    assert api.get("/api/cluster/jobs?state=!success").json()["num_records"] == 1
    records = api.get("/api/cluster/jobs?fields=code&order_by=code desc").json()["records"]
    assert [r["code"] for r in records] == [1, 0, 0]
    page = api.get("/api/cluster/jobs?max_records=2&fields=state").json()
    assert page["num_records"] == 2 and "next" in page["_links"]
    rest = api.get(page["_links"]["next"]["href"]).json()
    assert rest["num_records"] == 1 and "next" not in rest["_links"]
    assert {r["uuid"] for r in page["records"] + rest["records"]} == {r["uuid"] for r in jobs["records"]}
    assert api.get("/api/cluster/jobs?bogus=1").json()["error"]["code"] == "2"
    only_count = api.get("/api/cluster/jobs?return_records=false").json()
    assert only_count["num_records"] == 3 and "records" not in only_count


def test_return_records_on_post(api):
    body = api.post("/api/storage/volumes?return_records=true", json=VOL).json()
    assert body["num_records"] == 1 and body["records"][0]["name"] == "vol1" and "job" in body


@pytest.mark.parametrize("job_seconds, status", [(100, 201), (150, 202)])
def test_a_held_request_follows_a_clock_jump(api, sim, job_seconds, status):
    """Issue 13: return_timeout is simulated time, so POST /_sim/clock ends a held request at once, as the same wait
    in real time would (201 when the job ended, 202 when it still runs): long jobs cost no real minutes."""
    sim.set_job("POST", "/api/storage/volumes", seconds=job_seconds)
    answers = []
    thread = threading.Thread(target=lambda: answers.append(
        api.post("/api/storage/volumes?return_timeout=120", json=dict(VOL, name="held%d" % job_seconds), timeout=60)))
    started = time.monotonic()
    thread.start()
    while not sim.control("GET", "/jobs")["jobs"]:
        assert time.monotonic() - started < 10, "the POST never started its job"
        time.sleep(0.01)
    sim.advance_clock(120)
    thread.join(30)
    assert answers and answers[0].status_code == status, answers and answers[0].text
    assert time.monotonic() - started < 30      # not the 120 real seconds of return_timeout
