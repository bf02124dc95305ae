"""Shared fixtures: one HTTP simulator per session (reset before each test), an authenticated session,
and the ONTAP OpenAPI definitions as JSON Schema."""

import copy
import os
import time
from pathlib import Path
from typing import Any, Dict, Iterator

import jsonschema
import pytest
import requests

from ontap_sim.testing import SimServer

# repo root = tests/simulator/tests/../../..; the spec lives beside the repo in ../shared
SPEC_PATH = Path(__file__).resolve().parents[3].parent / "shared" / "ontap-openapi" / "swagger_full.yaml"

#: Fields ONTAP added after the 9.8 spec, allowed explicitly (see ../shared/ONTAP_ASYNC.md).
POST_98_FIELDS = {
    "job": {"error": {"$ref": "#/definitions/error"},                       # 9.9
            "node": {"type": "object", "properties": {"name": {"type": "string"}},
                     "additionalProperties": False},                        # 9.11
            "svm": {"$ref": "#/definitions/svm_reference"}},                # 9.8+ per ONTAP docs
    "snapshot": {"snapmirror_label": {"type": "string"}},                   # 9.9+
}


@pytest.fixture(scope="session")
def server() -> Iterator[SimServer]:
    """One plain-HTTP simulator for the session (short jobs)."""
    with SimServer(http=True, job_seconds=0.3) as srv:
        yield srv


@pytest.fixture
def sim(server: SimServer) -> SimServer:  # pylint: disable=redefined-outer-name
    """The session simulator reset to its seed state (config back to the test defaults), with no request of an
    earlier test still in flight (a client may have timed out on a ``slow`` answer)."""
    deadline = time.monotonic() + 5
    while server.control("GET", "/stats")["inflight"] and time.monotonic() < deadline:
        time.sleep(0.05)
    server.reset()
    server.config(job_seconds=0.3, job_retention=300, time_scale=1, connection_limit=None)
    return server


class Api:
    """An authenticated keep-alive ``requests`` session bound to the simulator's URL."""

    def __init__(self, srv: SimServer) -> None:
        self.sim = srv
        self.session = requests.Session()
        self.session.auth = (srv.username, srv.password)
        self.session.trust_env = False

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """``method`` on ``sim.url + path``."""
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.sim.url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        """GET."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        """POST."""
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        """PATCH."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        """DELETE."""
        return self.request("DELETE", path, **kwargs)

    def create_volume(self, name: str, **body: Any) -> Dict[str, Any]:
        """Create a volume in svm1/aggr1 and wait for it (return_timeout=10); returns the volume record."""
        body = dict({"name": name, "svm": {"name": "svm1"}, "aggregates": [{"name": "aggr1"}]}, **body)
        resp = self.post("/api/storage/volumes?return_timeout=10", json=body)
        assert resp.status_code == 201, resp.text
        found = self.get("/api/storage/volumes", params={"name": name, "fields": "**"}).json()
        assert found["num_records"] == 1, found
        return dict(found["records"][0])

    def wait_job(self, job_uuid: str, timeout: float = 10.0) -> Dict[str, Any]:
        """Poll a job until terminal (real seconds); returns it."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get("/api/cluster/jobs/" + job_uuid).json()
            if job["state"] in ("success", "failure") or time.monotonic() > deadline:
                return dict(job)
            time.sleep(0.05)


@pytest.fixture
def api(sim: SimServer) -> Iterator[Api]:  # pylint: disable=redefined-outer-name
    """An :class:`Api` on the reset session simulator."""
    client = Api(sim)
    yield client
    client.session.close()


JSON_TYPES = ["array", "boolean", "integer", "null", "number", "object", "string"]


def _strict(node: Any) -> Any:
    """Swagger 2.0 schema -> JSON Schema: drop ``x-*``/``example``/``readOnly``/``description`` annotations, map the
    spec's ad-hoc types, and close objects that list properties (``additionalProperties: false``) so invented
    fields are caught."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: Dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-") or key in ("example", "discriminator", "readOnly", "description"):
            continue
        if key in ("properties", "definitions") and isinstance(value, dict):
            out[key] = {name: _strict(sub) for name, sub in value.items()}   # keys here are names, not keywords
        else:
            out[key] = _strict(value)
    if isinstance(out.get("type"), str) and out["type"] not in JSON_TYPES:
        out["type"] = "integer" if out["type"] == "unsigned" else JSON_TYPES
    if "properties" in node and "additionalProperties" not in node:
        out["additionalProperties"] = False
    return out


@pytest.fixture(scope="session")
def openapi() -> Dict[str, Any]:
    """``{"definitions": {...}}`` converted to JSON Schema, with the post-9.8 job/snapshot fields."""
    import yaml  # pylint: disable=import-outside-toplevel
    if not SPEC_PATH.exists():
        # No skipped checks: responses are validated against NetApp's spec, which lives beside the repository.
        pytest.fail("ONTAP OpenAPI spec not found at %s (the shared folder belongs beside the repository)" % SPEC_PATH)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(SPEC_PATH, encoding="utf-8") as handle:
        spec = yaml.load(handle, Loader=loader)  # nosec - safe loader
    definitions = _strict(copy.deepcopy(spec["definitions"]))
    for name, extra in POST_98_FIELDS.items():
        definitions[name]["properties"].update(extra)
    schema = {"definitions": definitions}
    jsonschema.Draft7Validator.check_schema(schema)
    return schema


def pytest_report_header() -> str:
    """Show where the spec was looked for."""
    return "ONTAP OpenAPI spec: %s (%s)" % (SPEC_PATH, "found" if os.path.exists(SPEC_PATH) else "missing")
