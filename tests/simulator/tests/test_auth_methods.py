"""Authentication methods: mutual TLS (client certificates from the simulator's CA, CN = account; a certificate from
another CA refused in the handshake) and OAuth 2.0 bearer tokens (``/_sim/tokens``, revoked = 401). FIELD_CASES F30."""

import ssl
from typing import Iterator

import pytest
import requests

from ontap_sim.testing import SimServer


@pytest.fixture(scope="module")
def mtls() -> Iterator[SimServer]:
    with SimServer(mtls=True, job_seconds=0.2) as server:
        yield server


def _get(server: SimServer, **kwargs: object) -> requests.Response:
    with requests.Session() as session:
        session.trust_env = False
        return session.get(server.url + "/api/cluster", verify=server.ca_path, timeout=10, **kwargs)  # type: ignore


def test_client_certificate_authenticates_as_its_cn(mtls: SimServer) -> None:
    mtls.add_user("certuser", "unused-password", role="readonly")
    cert = mtls.client_certificate("certuser")
    mtls.clear_log()
    resp = _get(mtls, cert=cert)
    assert resp.status_code == 200
    assert mtls.log()[-1]["user"] == "certuser"


def test_certificate_of_unknown_account_is_401(mtls: SimServer) -> None:
    resp = _get(mtls, cert=mtls.client_certificate("nobody"))
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "6"


def test_certificate_from_another_ca_is_refused_in_the_handshake(mtls: SimServer) -> None:
    cert = mtls.client_certificate("admin", foreign=True)
    mtls.clear_log()
    # TLS 1.3: the client may see the server's "unknown ca" alert or only the closed connection (EOF).
    with pytest.raises(requests.exceptions.SSLError):
        _get(mtls, cert=cert)
    assert mtls.log() == []                 # no request reached the API


def test_without_a_certificate_basic_auth_still_works(mtls: SimServer) -> None:
    assert _get(mtls, auth=(mtls.username, mtls.password)).status_code == 200
    assert _get(mtls).status_code == 401


def test_without_mtls_a_client_certificate_is_not_asked_for() -> None:
    with SimServer(job_seconds=0.2) as server:
        resp = _get(server, cert=server.client_certificate("admin"))
        assert resp.status_code == 401        # no certificate requested, so none was sent: no credentials


def test_bearer_token_then_revoked(mtls: SimServer) -> None:
    mtls.add_token("tok-123", "admin")
    mtls.clear_log()
    assert _get(mtls, headers={"Authorization": "Bearer tok-123"}).status_code == 200
    assert mtls.log()[-1]["user"] == "admin"
    assert _get(mtls, headers={"Authorization": "Bearer wrong"}).status_code == 401
    mtls.revoke_tokens()
    resp = _get(mtls, headers={"Authorization": "Bearer tok-123"})
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "6"


def test_token_for_unknown_user_is_refused(mtls: SimServer) -> None:
    with pytest.raises(Exception):
        mtls.add_token("tok-x", "no-such-user")


def test_mtls_needs_https() -> None:
    with pytest.raises(Exception):
        SimServer(mtls=True, http=True, startup_timeout=10).start()


def test_ssl_module_sees_the_ca() -> None:
    """The CA bundle written for clients is loadable as a verify location (sanity of the generated files)."""
    with SimServer(job_seconds=0.2) as server:
        assert server.ca_path is not None
        ssl.create_default_context(cafile=server.ca_path)
