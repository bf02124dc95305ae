"""SVMs, snapshots and qtrees: asynchronous writes and ONTAP's validation errors."""


def test_svm_lifecycle(api):
    resp = api.post("/api/svm/svms?return_timeout=5", json={"name": "svm2", "comment": "new"})
    assert resp.status_code == 201 and resp.headers["Location"] == "/api/svm/svms/?name=svm2"
    svm = api.get("/api/svm/svms?name=svm2&fields=*").json()["records"][0]
    assert svm["comment"] == "new" and svm["state"] == "running"
    assert api.post("/api/svm/svms", json={"name": "svm2"}).status_code == 409
    assert api.post("/api/svm/svms", json={"name": "svm3", "bogus": 1}).json()["error"]["target"] == "bogus"
    href = "/api/svm/svms/" + svm["uuid"]
    assert api.patch(href + "?return_timeout=5", json={"comment": "changed"}).status_code == 200
    assert api.get(href + "?fields=comment").json()["comment"] == "changed"
    api.create_volume("v2", svm={"name": "svm2"})
    resp = api.delete(href)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "8"      # still holds a volume
    vol = api.get("/api/storage/volumes?name=v2").json()["records"][0]
    assert api.delete("/api/storage/volumes/%s?return_timeout=5" % vol["uuid"]).status_code == 200
    assert api.delete(href + "?return_timeout=5").status_code == 200
    assert api.get(href).status_code == 404


def test_snapshot_lifecycle(api):
    vol = api.create_volume("vol1")
    base = "/api/storage/volumes/%s/snapshots" % vol["uuid"]
    resp = api.post(base + "?return_timeout=5", json={"name": "snap1", "comment": "c"})
    assert resp.status_code == 201
    assert resp.headers["Location"] == base + "/?name=snap1"
    assert api.post(base, json={"name": "snap1"}).status_code == 409
    assert api.post(base, json={"comment": "no name"}).json()["error"]["target"] == "name"
    assert api.post(base, json={"name": "s", "size": 1}).json()["error"]["code"] == "2"
    snaps = api.get(base + "?fields=name,comment,volume.name").json()
    assert snaps["num_records"] == 1 and snaps["records"][0]["volume"]["name"] == "vol1"
    href = snaps["records"][0]["_links"]["self"]["href"]
    job = api.patch(href, json={"name": "snap1b"}).json()["job"]
    assert api.wait_job(job["uuid"])["description"].startswith("PATCH " + base)
    assert api.get(href).json()["name"] == "snap1b"
    assert api.delete(href + "?return_timeout=5").status_code == 200
    assert api.get(href).status_code == 404
    assert api.get("/api/storage/volumes/00000000-0000-0000-0000-000000000000/snapshots").status_code == 404


def test_qtree_lifecycle(api):
    vol = api.create_volume("vol1")
    body = {"name": "qt1", "svm": {"name": "svm1"}, "volume": {"name": "vol1"}, "security_style": "ntfs"}
    resp = api.post("/api/storage/qtrees?return_timeout=5", json=body)
    assert resp.status_code == 201
    assert api.post("/api/storage/qtrees", json=body).status_code == 409
    missing = api.post("/api/storage/qtrees", json=dict(body, volume={"name": "nope"}))
    assert missing.status_code == 404 and missing.json()["error"]["target"] == "volume.name"
    records = api.get("/api/storage/qtrees?volume.uuid=%s&fields=*" % vol["uuid"]).json()["records"]
    assert [(r["id"], r["name"]) for r in records] == [(0, ""), (1, "qt1")]
    assert records[1]["security_style"] == "ntfs" and records[1]["path"] == "/vol1/qt1"
    href = "/api/storage/qtrees/%s/1" % vol["uuid"]
    assert api.patch(href + "?return_timeout=5", json={"unix_permissions": 700}).status_code == 200
    assert api.get(href + "?fields=unix_permissions").json()["unix_permissions"] == 700
    assert api.delete("/api/storage/qtrees/%s/0" % vol["uuid"]).status_code == 400
    assert api.delete(href + "?return_timeout=5").status_code == 200
    assert api.get(href).status_code == 404
