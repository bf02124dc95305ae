"""Collections served from descriptors (ontap_sim.resources) and the descriptor-only snapshot policies."""

import jsonschema
import pytest

from ontap_sim.resources import DESCRIPTORS, SNAPSHOT_POLICIES, VOLUMES
from ontap_sim.app import create_app
from ontap_sim.core import Simulator

POLICIES = "/api/storage/snapshot-policies"


@pytest.fixture(name="check")
def check_fixture(openapi):
    """check(body, definition): validate a body against ``#/definitions/<definition>``."""

    def _check(body, definition):
        schema = {"$ref": "#/definitions/" + definition, "definitions": openapi["definitions"]}
        jsonschema.Draft7Validator(schema).validate(body)
    return _check


def test_every_descriptor_has_its_routes():
    app = create_app(Simulator())
    rules = {str(r): r.methods for r in app.url_map.iter_rules()}
    assert rules["/api/storage/volumes"] >= {"GET", "POST", "PATCH", "DELETE"}
    assert rules["/api/storage/volumes/<volume__uuid>/snapshots/<uuid>"] >= {"GET", "PATCH", "DELETE"}
    assert rules["/api/storage/qtrees/<volume__uuid>/<int:id>"] >= {"GET", "PATCH", "DELETE"}
    assert "POST" not in rules["/api/storage/aggregates"] and "PATCH" not in rules["/api/svm/svms"]
    assert "POST" not in rules[POLICIES] and "DELETE" not in rules[POLICIES + "/<uuid>"]
    for desc in DESCRIPTORS:
        assert "/api" + desc.path.replace("{volume.uuid}", "<volume__uuid>") in rules, desc.name


def test_descriptor_paths_and_job_descriptions():
    assert VOLUMES.record_path({"uuid": "u1"}) == "/api/storage/volumes/u1"
    snapshots = next(d for d in DESCRIPTORS if d.name == "snapshot")
    assert snapshots.parents == ["volume.uuid"]
    assert snapshots.record_path({"volume.uuid": "v", "uuid": "s"}) == "/api/storage/volumes/v/snapshots/s"
    assert snapshots.describe("DELETE", "/api/x") == "DELETE /api/x"


def test_snapshot_policies_collection_and_record(api, sim, check):
    body = api.get(POLICIES).json()
    check(body, "snapshot_policy_response")
    assert [r["name"] for r in body["records"]] == ["default", "default-1weekly", "none"]
    assert set(body["records"][0]) == {"uuid", "name", "_links"}
    full = api.get(POLICIES + "?fields=*&name=default").json()
    check(full, "snapshot_policy_response")
    policy = full["records"][0]
    assert policy["enabled"] is True and policy["scope"] == "cluster"
    assert [c["schedule"]["name"] for c in policy["copies"]] == ["hourly", "daily", "weekly"]
    record = api.get(policy["_links"]["self"]["href"] + "?fields=**").json()
    check(record, "snapshot_policy")
    assert record == policy
    assert api.get(POLICIES + "?enabled=false").json()["records"][0]["name"] == "none"
    sim.add_policy("snapshot", "gold")
    assert api.get(POLICIES + "?name=gold&fields=copies").json()["records"][0]["copies"] == []
    assert api.get(POLICIES + "?order_by=name%20desc").json()["records"][0]["name"] == "none"


def test_snapshot_policies_errors(api, check):
    missing = api.get(POLICIES + "/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "4"
    check(missing.json(), "error_response")
    unknown = api.get(POLICIES + "?colour=red")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "2"
    for method in ("POST", "PATCH", "DELETE"):
        resp = api.request(method, POLICIES, json={"name": "x"})
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "3", method


def test_policy_uuid_is_stable_across_reads(api):
    first = api.get(POLICIES + "?name=default").json()["records"][0]["uuid"]
    assert api.get(POLICIES + "?name=default").json()["records"][0]["uuid"] == first
    assert SNAPSHOT_POLICIES.record_path({"uuid": first}) == POLICIES + "/" + first
