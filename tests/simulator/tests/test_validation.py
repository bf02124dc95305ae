"""Refusals ONTAP makes and the simulator must make too: names, sizes, space, policies, languages, expiry times,
deleting a mounted volume (and how an unmounted volume reads back)."""

import jsonschema
import pytest

MIB = 1024 ** 2
GIB = 1024 ** 3
TIB = 1024 ** 4
VOLUMES = "/api/storage/volumes"


def _vol(name="v1", **extra):
    return dict({"name": name, "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}]}, **extra)


def _error(resp, status=400):
    assert resp.status_code == status, resp.text
    return resp.json()["error"]


def test_seeded_aggregates_policies_and_svm(api, sim):
    aggrs = api.get("/api/storage/aggregates?fields=space").json()["records"]
    for aggr in aggrs:
        space = aggr["space"]["block_storage"]
        assert space["size"] == 10 * TIB and space["available"] >= 10 * TIB - 2 * GIB
    state = sim.control("GET", "/state")
    assert state["snapshot_policies"] == ["default", "default-1weekly", "none"]
    assert [(p["svm"]["name"], p["name"]) for p in state["export_policies"]] == [("svm1", "default")]


@pytest.mark.parametrize("name", ["data*", "a|b", "!x", "1vol", "vol-1", "vol.1", "vol 1", "v{1}", "x" * 204, ""])
def test_volume_name_rules_on_post_and_rename(api, name):
    error = _error(api.post(VOLUMES, json=_vol(name)))
    assert error["target"] == "name" and error["code"] == ("262197" if name else "2")     # "" = missing
    vol = api.create_volume("okvol")
    error = _error(api.patch(VOLUMES + "/" + vol["uuid"], json={"name": name}))
    assert error["target"] == "name" and error["code"] == "262197"
    assert api.get(VOLUMES + "?name=okvol").json()["num_records"] == 1


@pytest.mark.parametrize("name", ["_v", "V1", "vol_1_x", "a" * 203])
def test_volume_names_accepted(api, name):
    assert api.post(VOLUMES + "?return_timeout=10", json=_vol(name)).status_code == 201


def test_minimum_volume_size(api):
    error = _error(api.post(VOLUMES, json=_vol(size=20 * MIB - 1)))
    assert error["code"] == "262197" and error["target"] == "size" and "20MB" in error["message"]
    vol = api.create_volume("v1", size=20 * MIB)
    assert vol["size"] == 20 * MIB
    assert api.create_volume("v2")["size"] == 20 * MIB                # the default is the minimum
    error = _error(api.patch(VOLUMES + "/" + vol["uuid"], json={"size": MIB}))
    assert error["code"] == "262197" and error["target"] == "size"


def test_create_beyond_aggregate_free_space_fails_in_the_job(api):
    available = api.get("/api/storage/aggregates?name=aggr2&fields=space").json()["records"][0]["space"][
        "block_storage"]["available"]
    huge = _vol("huge", size=available + 4096, aggregates=[{"name": "aggr2"}])
    resp = api.post(VOLUMES + "?return_timeout=10", json=huge)
    body = resp.json()
    assert resp.status_code == 400 and body["error"]["code"] == "917536", body
    assert "not enough space" in body["error"]["message"]
    job = api.get("/api/cluster/jobs/" + body["job"]["uuid"]).json()
    assert job["state"] == "failure" and job["code"] == 917536
    assert api.get(VOLUMES + "?name=huge").json()["num_records"] == 0
    # exactly the free space fits; afterwards the aggregate is full
    fits = _vol("fits", size=available, aggregates=[{"name": "aggr2"}])
    assert api.post(VOLUMES + "?return_timeout=10", json=fits).status_code == 201
    full = api.get("/api/storage/aggregates?name=aggr2&fields=space").json()["records"][0]["space"]["block_storage"]
    assert full["available"] == 0
    # a thin volume (guarantee none) needs no free space
    thin = _vol("thin", size=TIB, aggregates=[{"name": "aggr2"}], guarantee={"type": "none"})
    assert api.post(VOLUMES + "?return_timeout=10", json=thin).status_code == 201


def test_resize_beyond_free_space_fails_in_the_job(api):
    vol = api.create_volume("v1", size=GIB, aggregates=[{"name": "aggr2"}])
    available = api.get("/api/storage/aggregates/%s?fields=space" % vol["aggregates"][0]["uuid"]).json()["space"][
        "block_storage"]["available"]
    resp = api.patch(VOLUMES + "/%s?return_timeout=10" % vol["uuid"], json={"size": GIB + available + 4096})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "917536"
    assert api.get(VOLUMES + "/" + vol["uuid"]).json()["size"] == GIB
    resp = api.patch(VOLUMES + "/%s?return_timeout=10" % vol["uuid"], json={"size": GIB + available})
    assert resp.status_code == 200
    resp = api.patch(VOLUMES + "/%s?return_timeout=10" % vol["uuid"], json={"size": 2 * GIB})   # shrinking is fine
    assert resp.status_code == 200


def test_snapshot_and_export_policies_must_exist(api, sim):
    error = _error(api.post(VOLUMES, json=_vol(snapshot_policy={"name": "hourly"})), 404)
    assert error["code"] == "4" and error["target"] == "snapshot_policy.name"
    error = _error(api.post(VOLUMES, json=_vol(nas={"export_policy": {"name": "ep1"}})), 404)
    assert error["code"] == "4" and error["target"] == "nas.export_policy.name"
    for policy in ("default", "none", "default-1weekly"):
        assert api.post(VOLUMES + "?return_timeout=10",
                        json=_vol("v_" + policy.replace("-", "_"), snapshot_policy={"name": policy})).status_code == 201
    vol = api.create_volume("v2", nas={"export_policy": {"name": "default"}})
    error = _error(api.patch(VOLUMES + "/" + vol["uuid"], json={"snapshot_policy": {"name": "nope"}}), 404)
    assert error["target"] == "snapshot_policy.name"
    error = _error(api.patch(VOLUMES + "/" + vol["uuid"], json={"nas": {"export_policy": {"name": "ep1"}}}), 404)
    assert error["target"] == "nas.export_policy.name"
    sim.add_policy("export", "ep1", svm="svm1")
    sim.add_policy("snapshot", "hourly")
    assert api.patch(VOLUMES + "/%s?return_timeout=10" % vol["uuid"],
                     json={"nas": {"export_policy": {"name": "ep1"}}, "snapshot_policy": {"name": "hourly"}}
                     ).status_code == 200
    # a new SVM has its own "default" export policy, not svm1's ep1
    assert api.post("/api/svm/svms?return_timeout=10", json={"name": "svm2"}).status_code == 201
    error = _error(api.post(VOLUMES, json=dict(_vol("v3", nas={"export_policy": {"name": "ep1"}}),
                                               svm={"name": "svm2"})), 404)
    assert error["target"] == "nas.export_policy.name"
    assert api.post(VOLUMES + "?return_timeout=10", json=dict(_vol("v3"), svm={"name": "svm2"})).status_code == 201
    error = _error(api.post("/api/storage/qtrees", json={"svm": {"name": "svm1"}, "volume": {"name": "v2"},
                                                         "name": "q1", "export_policy": {"name": "nope"}}), 404)
    assert error["target"] == "export_policy.name"


def test_svm_language_and_name_rules(api):
    for language in ("klingon", "C.UTF-8", 7):
        error = _error(api.post("/api/svm/svms", json={"name": "svm2", "language": language}))
        assert error["code"] == "262197" and error["target"] == "language"
    for name in ("all", "svm*", "a|b", "-svm", "s" * 48, "svm 2"):
        error = _error(api.post("/api/svm/svms", json={"name": name}))
        assert error["code"] == "262197" and error["target"] == "name"
    resp = api.post("/api/svm/svms?return_timeout=10", json={"name": "data.example.com", "language": "en_US.UTF_8"})
    assert resp.status_code == 201, resp.text
    svm = api.get("/api/svm/svms?name=data.example.com&fields=language").json()["records"][0]
    root = api.get(VOLUMES + "?svm.name=data.example.com&is_svm_root=true").json()["records"]
    assert [r["name"] for r in root] == ["data_example_com_root"]
    error = _error(api.patch("/api/svm/svms/" + svm["uuid"], json={"language": "xx"}))
    assert error["target"] == "language"
    error = _error(api.patch("/api/svm/svms/" + svm["uuid"], json={"name": "bad*name"}))
    assert error["target"] == "name"


def test_snapshot_expiry_time_and_names(api):
    vol = api.create_volume("v1")
    base = "%s/%s/snapshots" % (VOLUMES, vol["uuid"])
    for bad in ("tomorrow", "2026-12-01", "2026-13-01T10:00:00Z", 1700000000):
        error = _error(api.post(base, json={"name": "s1", "expiry_time": bad}))
        assert error["code"] == "262197" and error["target"] == "expiry_time"
    for name in ("a/b", "s*", "a|b", "!s", "x" * 256, " s"):
        error = _error(api.post(base, json={"name": name}))
        assert error["code"] == "262197" and error["target"] == "name"
    resp = api.post(base + "?return_timeout=10", json={"name": "s1", "expiry_time": "2026-12-01T12:00:00.5+02:00"})
    assert resp.status_code == 201, resp.text
    snap = api.get(base + "?name=s1&fields=expiry_time").json()["records"][0]
    assert snap["expiry_time"] == "2026-12-01T10:00:00+00:00"     # normalised: cluster time zone, offset, seconds
    resp = api.patch("%s/%s?return_timeout=10" % (base, snap["uuid"]), json={"expiry_time": "2027-01-02T03:04:05Z"})
    assert resp.status_code == 200
    assert api.get("%s/%s" % (base, snap["uuid"])).json()["expiry_time"] == "2027-01-02T03:04:05+00:00"
    assert api.post(base + "?return_timeout=10", json={"name": "hourly.2026-05-01_1005"}).status_code == 201


def test_delete_of_a_mounted_volume_is_refused_until_unmounted(api):
    vol = api.create_volume("v1", nas={"path": "/v1"})
    assert vol["nas"]["path"] == "/v1"
    error = _error(api.delete(VOLUMES + "/%s?return_timeout=10" % vol["uuid"]))
    assert error["code"] == "917640" and error["target"] == "nas.path" and "/v1" in error["message"]
    assert api.get("/api/cluster/jobs?description=DELETE*").json()["num_records"] == 0   # refused at request time
    assert api.get(VOLUMES + "/" + vol["uuid"]).status_code == 200
    assert api.patch(VOLUMES + "/%s?return_timeout=10" % vol["uuid"], json={"nas": {"path": ""}}).status_code == 200
    unmounted = api.get(VOLUMES + "/%s?fields=**" % vol["uuid"]).json()
    assert "path" not in unmounted["nas"]                           # absent, not ""
    assert unmounted["nas"]["export_policy"] == {"name": "default"}
    listed = api.get(VOLUMES + "?name=v1&fields=nas.path").json()["records"][0]
    assert "nas" not in listed or "path" not in listed["nas"]
    assert api.delete(VOLUMES + "/%s?return_timeout=10" % vol["uuid"]).status_code == 200
    # an offline volume has no junction path either, so it can go
    vol = api.create_volume("v2", nas={"path": "/v2"})
    assert api.patch(VOLUMES + "/%s?return_timeout=10" % vol["uuid"], json={"state": "offline"}).status_code == 200
    assert api.delete(VOLUMES + "/%s?return_timeout=10" % vol["uuid"]).status_code == 200


def test_refusals_match_the_openapi_error_shape(api, openapi):
    schema = {"$ref": "#/definitions/error_response", "definitions": openapi["definitions"]}
    vol = api.create_volume("v1", nas={"path": "/v1"})
    for resp in (api.post(VOLUMES, json=_vol("a|b")), api.post(VOLUMES, json=_vol(size=1)),
                 api.delete(VOLUMES + "/" + vol["uuid"]),
                 api.post(VOLUMES, json=_vol(snapshot_policy={"name": "x"}))):
        jsonschema.Draft7Validator(schema).validate(resp.json())


def test_fields_ontap_knows_but_the_simulator_does_not_model_are_answered_not_refused(api):
    """netapp.ontap's na_ontap_volume asks for encryption.enabled and more on every lookup; ONTAP answers (the
    benchmark's peer must not fail on a simulator gap), an unknown name is still refused."""
    api.create_volume("fk1")
    answer = api.get("/api/storage/volumes", params={"name": "fk1", "fields": "encryption.enabled,tiering.policy,uuid"})
    assert answer.status_code == 200 and answer.json()["num_records"] == 1
    assert api.get("/api/storage/volumes", params={"fields": "no_such_field"}).status_code == 400
