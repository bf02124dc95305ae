"""Query-based PATCH and DELETE on collections (volumes, snapshots, qtrees)."""

import jsonschema
import pytest

#: The answer of a query-based PATCH/DELETE. The 9.8 spec documents no response for these (they are "not
#: documented as individual methods"), so the shape is pinned here: a list of ``job_link`` plus paging.
QUERY_WRITE_SCHEMA = {
    "type": "object",
    "properties": {
        "jobs": {"type": "array", "items": {"$ref": "#/definitions/job_link"}},
        "num_records": {"type": "integer"},
        "_links": {"type": "object", "properties": {"next": {"$ref": "#/definitions/href"}},
                   "additionalProperties": False},
        "error": {"$ref": "#/definitions/error"},
    },
    "required": ["jobs", "num_records"],
    "additionalProperties": False,
}


@pytest.fixture(name="check_shape")
def check_shape_fixture(openapi):
    def _check(body):
        schema = dict(QUERY_WRITE_SCHEMA, definitions=openapi["definitions"])
        jsonschema.Draft7Validator(schema).validate(body)
        assert body["num_records"] == len(body["jobs"])
    return _check


@pytest.fixture(autouse=True)
def fast_jobs(sim):
    """Short jobs: these tests create many objects."""
    sim.config(job_seconds=0.05)


def _names(api, path="/api/storage/volumes", **params):
    params.setdefault("fields", "name,comment")
    return {r["name"]: r for r in api.get(path, params=params).json()["records"]}


def test_query_patch_applies_to_every_match(api, sim, check_shape):
    for name in ("vol_a", "vol_b", "other"):
        api.create_volume(name)
    resp = api.patch("/api/storage/volumes?name=vol_*&svm.name=svm1", json={"comment": "bulk"})
    assert resp.status_code == 200, resp.text          # default return_timeout 15: both jobs finished
    body = resp.json()
    check_shape(body)
    assert body["num_records"] == 2 and "_links" not in body
    for link in body["jobs"]:
        job = api.get(link["_links"]["self"]["href"]).json()
        assert job["state"] == "success" and job["description"].startswith("PATCH /api/storage/volumes/")
    vols = _names(api)
    assert vols["vol_a"]["comment"] == vols["vol_b"]["comment"] == "bulk"
    assert vols["other"]["comment"] == ""
    entry = [e for e in sim.log() if e["method"] == "PATCH"][-1]
    assert entry["job"] == body["jobs"][0]["uuid"]                   # the log names the first job


def test_query_delete_and_no_match(api, check_shape):
    for name in ("tmp_1", "tmp_2", "keep"):
        api.create_volume(name)
    resp = api.delete("/api/storage/volumes?name=tmp_*")
    assert resp.status_code == 200, resp.text
    check_shape(resp.json())
    assert resp.json()["num_records"] == 2
    assert set(_names(api)) == {"svm1_root", "keep"}
    again = api.delete("/api/storage/volumes?name=tmp_*")
    assert again.status_code == 200 and again.json() == {"jobs": [], "num_records": 0}


def test_query_write_without_filter_is_refused(api):
    api.create_volume("vol1")
    for resp in (api.delete("/api/storage/volumes"), api.patch("/api/storage/volumes", json={"comment": "x"}),
                 api.delete("/api/storage/volumes?return_timeout=5&max_records=2")):
        assert resp.status_code == 400 and resp.json()["error"]["code"] == "2"
    assert "vol1" in _names(api)
    bad = api.patch("/api/storage/volumes?name=vol1", json={"colour": "red"})
    assert bad.status_code == 400 and bad.json()["error"]["target"] == "colour"
    bad = api.delete("/api/storage/volumes?name=vol1&fields=name")
    assert bad.status_code == 400 and bad.json()["error"]["target"] == "fields"
    bad = api.delete("/api/storage/volumes?colour=red")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "2"


def test_max_records_pages_with_next_link(api, check_shape):
    for i in range(5):
        api.create_volume("pg_%d" % i)
    path = "/api/storage/volumes?name=pg_*&max_records=2"
    seen = 0
    pages = 0
    while path:
        resp = api.delete(path)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        check_shape(body)
        assert body["num_records"] <= 2
        seen += body["num_records"]
        pages += 1
        path = body.get("_links", {}).get("next", {}).get("href")
        assert pages < 10
    assert seen == 5 and pages == 3
    assert not [n for n in _names(api) if n.startswith("pg_")]


def test_return_timeout_serial_jobs_202_and_next(api, sim, check_shape):
    for name in ("sl1", "sl2", "sl3"):
        api.create_volume(name)
    sim.config(time_scale=4)
    sim.set_job("PATCH", "/api/storage/volumes/*", seconds=2)
    resp = api.patch("/api/storage/volumes?name=sl*&svm.name=svm1&return_timeout=3", json={"comment": "slow"})
    assert resp.status_code == 202, resp.text      # job 1 done at 2 s, job 2 still running at 3 s
    body = resp.json()
    check_shape(body)
    assert body["num_records"] == 2 and "next" in body["_links"]
    jobs = [api.get(j["_links"]["self"]["href"]).json() for j in body["jobs"]]
    assert jobs[0]["state"] == "success" and jobs[1]["state"] in ("running", "queued")
    resp = api.patch(body["_links"]["next"]["href"].replace("return_timeout=3", "return_timeout=0"),
                     json={"comment": "slow"})
    assert resp.status_code == 202 and resp.json()["num_records"] == 1 and "_links" not in resp.json()
    assert sim.wait_until_idle(15)
    assert {v["comment"] for n, v in _names(api, name="sl*").items()} == {"slow"}


def test_failure_stops_unless_continue_on_failure(api, sim):
    for name in ("f1", "f2", "f3"):
        api.create_volume(name)
    sim.set_job("DELETE", "/api/storage/volumes/*", seconds=0.05, outcome="failure", code=917505,
                message="Volume busy", count=1)
    resp = api.delete("/api/storage/volumes?name=f*")
    assert resp.status_code == 400
    body = resp.json()
    assert body["error"]["code"] == "917505" and body["num_records"] == 1 and len(body["jobs"]) == 1
    assert len([n for n in _names(api) if n.startswith("f")]) == 3
    sim.set_job("DELETE", "/api/storage/volumes/*", seconds=0.05, outcome="failure", code=917505,
                message="Volume busy", count=1)
    resp = api.delete("/api/storage/volumes?name=f*&continue_on_failure=true")
    assert resp.status_code == 200 and resp.json()["num_records"] == 3
    assert len([n for n in _names(api) if n.startswith("f")]) == 1
    root = api.delete("/api/storage/volumes?name=svm1_root")      # validation error on the only record
    assert root.status_code == 409 and root.json()["error"]["code"] == "8"


def test_snapshots_and_qtrees(api):
    vol = api.create_volume("sq")
    base = "/api/storage/volumes/%s/snapshots" % vol["uuid"]
    for name in ("hourly.1", "hourly.2", "daily.1"):
        assert api.post(base + "?return_timeout=5", json={"name": name}).status_code == 201
    resp = api.patch(base + "?name=hourly.*", json={"comment": "h"})
    assert resp.status_code == 200 and resp.json()["num_records"] == 2
    assert api.delete(base + "?comment=h").json()["num_records"] == 2
    assert set(_names(api, base)) == {"daily.1"}
    assert api.delete(base).status_code == 400
    for name in ("q1", "q2"):
        body = {"name": name, "svm": {"name": "svm1"}, "volume": {"name": "sq"}}
        assert api.post("/api/storage/qtrees?return_timeout=5", json=body).status_code == 201
    resp = api.patch("/api/storage/qtrees?volume.name=sq&name=q*", json={"security_style": "ntfs"})
    assert resp.status_code == 200 and resp.json()["num_records"] == 2
    qtrees = api.get("/api/storage/qtrees?volume.name=sq&fields=name,security_style").json()["records"]
    assert {q["name"]: q["security_style"] for q in qtrees} == {"": "unix", "q1": "ntfs", "q2": "ntfs"}
    resp = api.delete("/api/storage/qtrees?volume.name=sq&name=q*&max_records=1")
    assert resp.json()["num_records"] == 1 and "next" in resp.json()["_links"]
    assert api.delete(resp.json()["_links"]["next"]["href"]).json()["num_records"] == 1
    assert api.get("/api/storage/qtrees?volume.name=sq").json()["num_records"] == 1
