"""Query operators in collection GET filters and query-based PATCH/DELETE, as ONTAP reads them."""

import jsonschema
import pytest

from ontap_sim.query import matches

MIB = 1024 ** 2

RECORD = {"name": "data1", "size": 300 * MIB, "comment": "Blue", "nas": {"export_policy": {"name": "default"}},
          "is_svm_root": False, "aggregates": [{"name": "aggr1"}, {"name": "aggr2"}]}


@pytest.mark.parametrize("field, query, expected", [
    ("name", "data1", True),            # no operator: exact match
    ("name", "data", False),
    ("name", "Data1", False),           # case-sensitive (ONTAP documents no case folding)
    ("name", "data*", True),
    ("name", "*ta1", True),
    ("name", "d*1", True),
    ("name", "d?ta1", False),           # "?" is no wildcard
    ("name", "!data1", False),
    ("name", "!other", True),
    ("name", "!d*", False),
    ("name", "a|data1", True),
    ("name", "a|b", False),
    ("name", "!data1|data1", True),     # alternatives are ORed, each may be negated
    ("name", "!data1|x", False),
    ("name", ">data0", True),           # string comparisons
    ("name", "<data1", False),
    ("name", "<=data1", True),
    ("name", "data0..data2", True),
    ("size", ">1000", True),
    ("size", "<1000", False),
    ("size", ">=314572800", True),
    ("size", "<=314572799", False),
    ("size", "314572800", True),
    ("size", "200MB..400MB", True),     # size suffixes (binary)
    ("size", ">1GB", False),
    ("size", "300MB", True),
    ("comment", "null", False),
    ("comment", "!null", True),
    ("comment", "!*", False),
    ("nas.path", "null", True),         # nas.path absent
    ("nas.path", "!null", False),
    ("nas.path", "!*", True),           # "!*": the field is not set
    ("nas.path", "!/x", False),         # a negation never matches a field that is not set
    ("nas.path", "*", False),
    ("aggregates.name", "aggr2", True),
    ("aggregates.name", "!aggr3", True),
    ("aggregates.name", "!aggr2", False),
    ("is_svm_root", "false", True),
    ("name", '"data1"', True),          # double quotes: literal
    ("name", '"data*"', False),
])
def test_match_operators(field, query, expected):
    assert matches(RECORD, field, query) is expected


def test_quoted_value_is_literal():
    record = {"comment": "a|b*"}
    assert matches(record, "comment", '"a|b*"')
    assert not matches(record, "comment", '"a|b"')


@pytest.fixture(name="vols")
def vols_fixture(api):
    """data1..data3 (100, 200, 300 MiB), a, b, plus the seeded svm1_root (1 GiB)."""
    for i in (1, 2, 3):
        api.create_volume("data%d" % i, size=i * 100 * MIB)
    api.create_volume("a", nas={"path": "/a"})
    api.create_volume("b")
    return api


def _names(api, query):
    resp = api.get("/api/storage/volumes?" + query)
    assert resp.status_code == 200, resp.text
    return sorted(r["name"] for r in resp.json()["records"])


def test_collection_get_filters(vols):
    assert _names(vols, "name=data*") == ["data1", "data2", "data3"]
    assert _names(vols, "name=!svm1_root") == ["a", "b", "data1", "data2", "data3"]
    assert _names(vols, "name=a|b") == ["a", "b"]
    assert _names(vols, "name=!a|b") == ["b", "data1", "data2", "data3", "svm1_root"]
    assert _names(vols, "name=A") == []
    assert _names(vols, "size=>1000&name=data*") == ["data1", "data2", "data3"]
    assert _names(vols, "size=>150MB&name=data*") == ["data2", "data3"]
    assert _names(vols, "size=<=200MB&name=data*") == ["data1", "data2"]
    assert _names(vols, "size=150MB..250MB") == ["data2"]
    assert _names(vols, "size=%d" % (100 * MIB)) == ["data1"]
    assert _names(vols, "size=>=1GB") == ["svm1_root"]
    assert _names(vols, "name=data1..data2") == ["data1", "data2"]
    assert _names(vols, "fields=nas.path&nas.path=/a") == ["a"]
    assert _names(vols, "fields=nas.path&nas.path=!/a") == ["svm1_root"]       # unmounted volumes: not set
    assert _names(vols, "fields=nas.path&nas.path=!*") == ["b", "data1", "data2", "data3"]
    assert _names(vols, "is_svm_root=true") == ["svm1_root"]


@pytest.mark.parametrize("query", ["name={data1}", "name=data}", "name={", "size={>1}"])
def test_braces_are_an_invalid_query(vols, openapi, query):
    resp = vols.get("/api/storage/volumes?" + query)
    assert resp.status_code == 400
    schema = {"$ref": "#/definitions/error_response", "definitions": openapi["definitions"]}
    jsonschema.Draft7Validator(schema).validate(resp.json())
    error = resp.json()["error"]
    assert error["code"] == "2" and error["target"] == query.split("=")[0]
    assert "extended queries" in error["message"]
    resp = vols.delete("/api/storage/volumes?" + query)      # query-based writes too, nothing touched
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "2"
    assert len(_names(vols, "name=*")) == 6


def test_query_based_writes_use_the_same_operators(vols):
    resp = vols.patch("/api/storage/volumes?name=data*&size=>150MB", json={"comment": "big"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["num_records"] == 2
    assert _names(vols, "comment=big") == ["data2", "data3"]
    resp = vols.delete("/api/storage/volumes?name=a|svm1_root&continue_on_failure=true")   # both refused: skipped
    assert resp.status_code == 200 and resp.json()["num_records"] == 0
    resp = vols.delete("/api/storage/volumes?name=b|data1")
    assert resp.status_code == 200 and resp.json()["num_records"] == 2
    assert _names(vols, "name=!svm1_root") == ["a", "data2", "data3"]


def test_an_unknown_fields_name_is_refused_as_ontap_refuses_it(api):
    # ONTAP: 400 code 262197 'The value "x" is invalid for field "fields" (<field,...>)', target "fields"; a known
    # field that is not set (nas.path of an unmounted volume) is only left out.
    for path in ("/api/storage/volumes?fields=stat", "/api/storage/volumes?fields=name,nas.no_such"):
        resp = api.get(path)
        body = resp.json()
        assert resp.status_code == 400 and body["error"]["code"] == "262197" and body["error"]["target"] == "fields", body
    assert api.get("/api/storage/volumes?fields=nas.path,aggregates.name,svm,space").status_code == 200
    uuid = api.get("/api/storage/volumes?name=svm1_root").json()["records"][0]["uuid"]
    resp = api.get("/api/storage/volumes/%s?fields=stat" % uuid)
    assert resp.status_code == 400 and '"stat"' in resp.json()["error"]["message"]
