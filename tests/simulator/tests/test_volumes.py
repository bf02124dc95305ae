"""Volumes: CRUD, validation with ONTAP's error codes, fields, filters and paging."""

import pytest

MIB = 1024 * 1024


def test_seed_objects(api):
    svms = api.get("/api/svm/svms").json()
    assert [r["name"] for r in svms["records"]] == ["svm1"]
    aggrs = api.get("/api/storage/aggregates?fields=node.name").json()
    assert [(r["name"], r["node"]["name"]) for r in aggrs["records"]] == [("aggr1", "node1"), ("aggr2", "node2")]


def test_create_read_modify_delete(api):
    vol = api.create_volume("vol1", size=100 * MIB, nas={"path": "/vol1", "export_policy": {"name": "default"}},
                            comment="hello", guarantee={"type": "none"})
    assert vol["svm"]["name"] == "svm1" and vol["aggregates"][0]["name"] == "aggr1"
    assert vol["size"] == 100 * MIB and vol["space"]["size"] == 100 * MIB
    assert vol["nas"] == {"path": "/vol1", "export_policy": {"name": "default"}, "security_style": "unix",
                          "unix_permissions": 755}
    assert (vol["state"], vol["type"], vol["style"], vol["guarantee"]["type"]) == ("online", "rw", "flexvol", "none")
    assert vol["snapshot_policy"]["name"] == "default" and vol["create_time"]
    href = "/api/storage/volumes/" + vol["uuid"]
    record = api.get(href).json()
    assert "nas" in record and "path" not in record["nas"]          # nas.path is an expensive field
    assert api.get(href + "?fields=nas.path").json()["nas"] == {"path": "/vol1"}
    assert api.patch(href + "?return_timeout=5", json={"state": "offline", "comment": "bye"}).status_code == 200
    record = api.get(href + "?fields=**").json()
    assert record["state"] == "offline" and record["comment"] == "bye" and "path" not in record["nas"]
    assert api.patch(href + "?return_timeout=5", json={"name": "vol1b"}).status_code == 200
    assert api.get(href + "?fields=name").json()["name"] == "vol1b"
    assert api.delete(href + "?return_timeout=5").status_code == 200
    resp = api.get(href)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "4"


@pytest.mark.parametrize("body, status, code, target", [
    ({"name": "v", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}], "color": "red"}, 400, "2", "color"),
    ({"name": "v", "svm": {"name": "svm1", "colour": 1}, "aggregates": [{"name": "aggr1"}]}, 400, "2", "svm.colour"),
    ({"svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}]}, 400, "2", "name"),
    ({"name": "v", "aggregates": [{"name": "aggr1"}]}, 400, "2621707", "svm.name"),
    ({"name": "v", "svm": {"name": "nosuch"}, "aggregates": [{"name": "aggr1"}]}, 404, "4", "svm.name"),
    ({"name": "v", "svm": {"name": "svm1"}}, 400, "787140", "aggregates"),
    ({"name": "v", "svm": {"name": "svm1"}, "aggregates": [{"name": "nosuch"}]}, 404, "4", "aggregates.name"),
    ({"name": "v", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}], "size": "big"}, 400, "262197", "size"),
    ({"name": "v", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}], "nas": {"path": "x"}}, 400,
     "918252", "nas.path"),
])
def test_create_validation(api, body, status, code, target):
    resp = api.post("/api/storage/volumes", json=body)
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["code"] == code
    assert resp.json()["error"]["target"] == target
    assert api.get("/api/cluster/jobs").json()["num_records"] == 0      # no job for a rejected request


def test_duplicate_name_existing_and_in_flight(api, sim):
    api.create_volume("vol1")
    resp = api.post("/api/storage/volumes", json={"name": "vol1", "svm": {"name": "svm1"},
                                                  "aggregates": [{"name": "aggr2"}]})
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "1"
    sim.set_job("POST", "/api/storage/volumes", seconds=5)
    body = {"name": "vol2", "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}]}
    assert api.post("/api/storage/volumes", json=body).status_code == 202
    assert api.post("/api/storage/volumes", json=body).status_code == 409


def test_modify_and_delete_validation(api):
    vol = api.create_volume("vol1")
    href = "/api/storage/volumes/" + vol["uuid"]
    resp = api.patch(href, json={"svm": {"name": "svm1"}})
    assert resp.status_code == 400 and resp.json()["error"]["target"] == "svm.name"
    assert api.patch(href, json={"state": "melted"}).json()["error"]["code"] == "262197"
    resp = api.delete("/api/storage/volumes/00000000-0000-0000-0000-000000000000")
    assert resp.status_code == 404
    assert resp.json()["error"] == {"message": "entry doesn't exist", "code": "4", "target": "uuid"}


def test_failed_delete_job_keeps_volume(api, sim):
    vol = api.create_volume("vol1")
    sim.set_job("DELETE", "/api/storage/volumes/*", seconds=0.05, outcome="failure", code=917927,
                message="Volume busy")
    assert api.delete("/api/storage/volumes/%s?return_timeout=5" % vol["uuid"]).status_code == 400
    assert api.get("/api/storage/volumes/" + vol["uuid"]).status_code == 200


def test_fields_filters_and_paging(api):
    for i in range(5):
        api.create_volume("data%d" % i, size=(i + 1) * 100 * MIB, nas={"path": "/data%d" % i})
    vols = api.get("/api/storage/volumes").json()
    assert vols["num_records"] == 6                                   # + svm1_root
    assert set(vols["records"][0]) == {"uuid", "name", "_links"}
    star = api.get("/api/storage/volumes?fields=*&name=data1").json()["records"][0]
    assert "size" in star and "path" not in star["nas"]
    assert "path" in api.get("/api/storage/volumes?fields=**&name=data1").json()["records"][0]["nas"]
    dotted = api.get("/api/storage/volumes?fields=nas.path,svm.name&name=data1").json()["records"][0]
    assert dotted["nas"] == {"path": "/data1"} and dotted["svm"] == {"name": "svm1"}
    assert api.get("/api/storage/volumes?svm.name=svm1&name=data*").json()["num_records"] == 5
    assert api.get("/api/storage/volumes?size=>250000000&name=data*").json()["num_records"] == 3
    assert api.get("/api/storage/volumes?nas.path=/data2").json()["records"][0]["name"] == "data2"
    assert api.get("/api/storage/volumes?aggregates.name=aggr1&name=!svm1_root").json()["num_records"] == 5
    names = []
    href = "/api/storage/volumes?max_records=2&name=data*&order_by=name desc"
    while href:
        page = api.get(href).json()
        assert page["num_records"] <= 2
        names += [r["name"] for r in page["records"]]
        href = page["_links"].get("next", {}).get("href")
    assert names == ["data4", "data3", "data2", "data1", "data0"]
    assert api.get("/api/storage/volumes?nonsense=1").status_code == 400
