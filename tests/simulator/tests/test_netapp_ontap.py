"""NetApp's official Python client (netapp-ontap, unmodified) against the simulator over HTTPS."""

from typing import Iterator

import pytest

netapp_ontap = pytest.importorskip("netapp_ontap")
# pylint: disable=wrong-import-position
from netapp_ontap import HostConnection, config  # noqa: E402
from netapp_ontap.error import NetAppRestError  # noqa: E402
from netapp_ontap.resources import Job, Volume  # noqa: E402  pylint: disable=no-name-in-module

from ontap_sim.testing import SimServer  # noqa: E402


@pytest.fixture(scope="module")
def tls_server() -> Iterator[SimServer]:
    """An HTTPS simulator for this module."""
    with SimServer(job_seconds=0.3) as srv:
        yield srv


@pytest.fixture
def connection(tls_server):  # pylint: disable=redefined-outer-name
    """``config.CONNECTION`` pointed at the simulator (verify=False, fast polling)."""
    tls_server.reset()
    conn = HostConnection(tls_server.host, port=tls_server.port, username=tls_server.username,
                          password=tls_server.password, verify=False, poll_interval=0.1, poll_timeout=10)
    previous = config.CONNECTION
    config.CONNECTION = conn
    yield conn
    config.CONNECTION = previous


@pytest.mark.usefixtures("connection")
def test_volume_lifecycle_with_poll():
    vol = Volume(name="nvol1", svm={"name": "svm1"}, aggregates=[{"name": "aggr1"}], size=100 * 1024 ** 2)
    response = vol.post(poll=True, poll_interval=0.1)
    assert response.http_response.status_code in (200, 201, 202)
    found = list(Volume.get_collection(name="nvol1", fields="size,svm.name"))
    assert len(found) == 1 and found[0].size == 100 * 1024 ** 2 and found[0].svm.name == "svm1"
    vol = Volume(uuid=found[0].uuid)
    vol.get(fields="name,size,state")
    assert vol.name == "nvol1" and vol.state == "online"
    vol.size = 200 * 1024 ** 2
    vol.patch(poll=True, poll_interval=0.1)
    vol.get(fields="size")
    assert vol.size == 200 * 1024 ** 2
    vol.delete(poll=True, poll_interval=0.1)
    assert not list(Volume.get_collection(name="nvol1"))


@pytest.mark.usefixtures("connection")
def test_job_resource():
    vol = Volume(name="nvol2", svm={"name": "svm1"}, aggregates=[{"name": "aggr1"}])
    response = vol.post(poll=False)
    assert response.http_response.status_code == 202
    job = Job(uuid=response.http_response.json()["job"]["uuid"])
    job.get()
    assert job.state in ("queued", "running", "success")
    assert job.description == "POST /api/storage/volumes"
    jobs = list(Job.get_collection(fields="state,description"))
    assert any(j.uuid == job.uuid for j in jobs)


@pytest.mark.usefixtures("connection")
def test_failing_job_raises_ontap_message(tls_server):  # pylint: disable=redefined-outer-name
    tls_server.set_job("POST", "/api/storage/volumes", seconds=0.2, outcome="failure", code=917536,
                       message="Not enough space in aggregate aggr1.")
    vol = Volume(name="nvol3", svm={"name": "svm1"}, aggregates=[{"name": "aggr1"}])
    with pytest.raises(NetAppRestError) as excinfo:
        vol.post(poll=True, poll_interval=0.1)
    assert "Not enough space in aggregate aggr1." in str(excinfo.value)
    # the same failure inside return_timeout comes back as the HTTP error itself
    with pytest.raises(NetAppRestError) as excinfo:
        Volume(name="nvol4", svm={"name": "svm1"}, aggregates=[{"name": "aggr1"}]).post(poll=False, return_timeout=5)
    assert "Not enough space in aggregate aggr1." in str(excinfo.value)
    assert excinfo.value.http_err_response.http_response.status_code == 400


@pytest.mark.usefixtures("connection")
def test_return_timeout_202_or_201(tls_server):  # pylint: disable=redefined-outer-name
    tls_server.set_job("POST", "/api/storage/volumes", seconds=1.5)
    slow = Volume(name="nvol5", svm={"name": "svm1"}, aggregates=[{"name": "aggr1"}])
    slow = slow.post(poll=False, return_timeout=1)
    assert slow.http_response.status_code == 202
    tls_server.set_job("POST", "/api/storage/volumes", seconds=0.1)
    fast = Volume(name="nvol6", svm={"name": "svm1"}, aggregates=[{"name": "aggr1"}])
    fast = fast.post(poll=False, return_timeout=5)
    assert fast.http_response.status_code == 201
    with pytest.raises(NetAppRestError) as excinfo:
        Volume(name="nvol7", svm={"name": "svm1"}, aggregates=[{"name": "aggr1"}]).post(poll=False,
                                                                                        return_timeout=600)
    assert "262197" in str(excinfo.value) or "return_timeout" in str(excinfo.value)
