"""Volume restore to a snapshot (``PATCH restore_to.snapshot.name``) and SVM aggregate changes (``PATCH aggregates``)."""


def test_volume_restore_to_snapshot(api):
    vol = api.create_volume("vol1")
    base = "/api/storage/volumes/%s/snapshots" % vol["uuid"]
    assert api.post(base + "?return_timeout=5", json={"name": "s1"}).status_code == 201
    assert api.post(base + "?return_timeout=5", json={"name": "s2"}).status_code == 201
    href = "/api/storage/volumes/" + vol["uuid"]
    missing = api.patch(href, json={"restore_to": {"snapshot": {"name": "nope"}}})
    assert missing.status_code == 404 and missing.json()["error"]["target"] == "restore_to.snapshot.name"
    assert api.patch(href + "?return_timeout=5", json={"restore_to": {"snapshot": {"name": "s1"}}}).status_code == 200
    names = [r["name"] for r in api.get(base + "?fields=name").json()["records"]]
    assert names == ["s1"]          # the newer snapshot went with the restore, as on ONTAP


def test_svm_aggregates_patch(api):
    svm = api.get("/api/svm/svms?name=svm1").json()["records"][0]
    href = "/api/svm/svms/" + svm["uuid"]
    assert api.patch(href + "?return_timeout=5", json={"aggregates": [{"name": "aggr2"}, {"name": "aggr1"}]}).status_code == 200
    got = api.get(href + "?fields=aggregates.name").json()["aggregates"]
    assert sorted(a["name"] for a in got) == ["aggr1", "aggr2"]
    assert api.patch(href, json={"aggregates": [{"name": "nope"}]}).status_code == 404
