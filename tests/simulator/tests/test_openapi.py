"""Responses validated against NetApp's OpenAPI definitions (../shared/ontap-openapi/swagger_full.yaml)."""

import jsonschema
import pytest

VOL = {"name": "vol1", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}], "nas": {"path": "/vol1"}}


@pytest.fixture(name="check")
def check_fixture(openapi):
    """check(body, definition): validate a body against ``#/definitions/<definition>``."""

    def _check(body, definition):
        schema = {"$ref": "#/definitions/" + definition, "definitions": openapi["definitions"]}
        jsonschema.Draft7Validator(schema).validate(body)
    return _check


def test_schema_catches_invented_fields(check):
    with pytest.raises(jsonschema.ValidationError):
        check({"uuid": "x", "state": "done"}, "job")
    with pytest.raises(jsonschema.ValidationError):
        check({"uuid": "x", "colour": "red"}, "volume")


def test_job_link_and_job_objects(api, sim, check):
    resp = api.post("/api/storage/volumes", json=VOL)
    check(resp.json(), "job_link_response")
    job_uuid = resp.json()["job"]["uuid"]
    check(api.get("/api/cluster/jobs/" + job_uuid).json(), "job")
    api.wait_job(job_uuid)
    check(api.get("/api/cluster/jobs/" + job_uuid).json(), "job")
    check(api.get("/api/cluster/jobs/%s?fields=message,state" % job_uuid).json(), "job")
    sim.set_job("POST", "/api/storage/volumes", seconds=0.05, outcome="failure", code=917536, message="No space")
    failed = api.post("/api/storage/volumes?return_timeout=5", json=dict(VOL, name="vol2")).json()
    job = api.get("/api/cluster/jobs/" + failed["job"]["uuid"]).json()
    check(job, "job")
    assert job["error"]["code"] == "917536"
    check(api.get("/api/cluster/jobs?fields=*").json(), "job_response")
    check(api.get("/api/cluster/jobs?max_records=1").json(), "job_response")


def test_error_responses(api, check):
    bodies = [
        api.post("/api/storage/volumes?return_timeout=600", json=VOL).json(),
        api.get("/api/cluster/jobs/00000000-0000-0000-0000-000000000000").json(),
        api.post("/api/storage/volumes", json=dict(VOL, color=1)).json(),
        api.get("/api/cluster", auth=("admin", "bad")).json(),
    ]
    for body in bodies:
        check(body, "error_response")


def test_failed_job_http_error_is_error_plus_job_link(api, sim, openapi):
    sim.set_job("POST", "/api/storage/volumes", seconds=0.05, outcome="failure", code=917536, message="No space")
    body = api.post("/api/storage/volumes?return_timeout=5", json=VOL).json()
    schema = {"type": "object", "additionalProperties": False,
              "properties": {"error": {"$ref": "#/definitions/error"}, "job": {"$ref": "#/definitions/job_link"}},
              "required": ["error", "job"], "definitions": openapi["definitions"]}
    jsonschema.Draft7Validator(schema).validate(body)


def test_objects(api, check):
    vol = api.create_volume("vol1", nas={"path": "/vol1"})
    check(api.get("/api/storage/volumes/%s?fields=**" % vol["uuid"]).json(), "volume")
    check(api.get("/api/storage/volumes/" + vol["uuid"]).json(), "volume")
    check(api.get("/api/storage/volumes?fields=**").json(), "volume_response")
    check(api.get("/api/storage/volumes?max_records=1").json(), "volume_response")
    check(api.get("/api/svm/svms?fields=*").json(), "svm_response")
    check(api.get("/api/storage/aggregates?fields=*").json(), "aggregate_response")
    check(api.get("/api/cluster").json(), "cluster")
    post = api.post("/api/storage/volumes/%s/snapshots?return_timeout=5&return_records=true" % vol["uuid"],
                    json={"name": "snap1", "comment": "c"})
    assert post.status_code == 201, post.text
    snaps = api.get("/api/storage/volumes/%s/snapshots?fields=*" % vol["uuid"]).json()
    check(snaps, "snapshot_response")
    check(api.get(snaps["records"][0]["_links"]["self"]["href"]).json(), "snapshot")
    assert api.post("/api/storage/qtrees?return_timeout=5", json={
        "name": "qt1", "svm": {"name": "svm1"}, "volume": {"name": "vol1"}}).status_code == 201
    qtrees = api.get("/api/storage/qtrees?fields=*").json()
    check(qtrees, "qtree_response")
    check(api.get(qtrees["records"][-1]["_links"]["self"]["href"]).json(), "qtree")


def test_truncated_and_async_bodies(api, sim, check):
    sim.add_fault("truncated_collection", path="/api/storage/volumes", count=1)
    check(api.get("/api/storage/volumes").json(), "volume_response")
    body = api.post("/api/storage/volumes?return_records=true", json=VOL).json()
    schema_extra = dict(body)
    schema_extra.pop("num_records")
    schema_extra.pop("records")
    check(schema_extra, "job_link_response")


@pytest.mark.parametrize("path, body, definition", [
    ("/api/storage/volumes", {"name": "rr1", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}],
                              "size": 104857600, "nas": {"path": "/rr1"}}, "volume"),
    ("/api/svm/svms", {"name": "rrsvm"}, "svm"),
    ("/api/storage/qtrees", {"name": "rrq", "svm": {"name": "svm1"}, "volume": {"name": "vol1"}}, "qtree"),
])
def test_return_records_after_a_201_is_the_whole_new_object(api, check, path, body, definition):
    """Issue 13: a POST whose job ended within return_timeout, with return_records=true, returns the new object as
    it now is (every field, as fields=** reads it): a client needs no read after it. A 202 returns what the POST
    fixed only (the object does not exist yet)."""
    if definition == "qtree":
        api.create_volume("vol1")
    answer = api.post(path + "?return_timeout=10&return_records=true", json=body)
    assert answer.status_code == 201, answer.text
    record = answer.json()["records"][0]
    check(record, definition)
    href = record["_links"]["self"]["href"]
    assert record == api.get(href + "?fields=**").json()
    early = api.post("/api/storage/volumes?return_timeout=0&return_records=true",
                     json={"name": "rr2", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}]})
    assert early.status_code == 202
    assert set(early.json()["records"][0]) == {"uuid", "name", "_links"}
