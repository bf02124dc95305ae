"""Self-signed TLS material generated at start with ``cryptography``.

``make_certificate(cert_dir, hosts)`` writes ``ca.pem`` (a throw-away CA), ``ca-key.pem`` (its key, so client
certificates can be issued), ``cert.pem`` (server certificate followed by the CA, usable as a client CA bundle) and
``key.pem`` (the server key). The server certificate names ``localhost``, ``127.0.0.1``, ``::1`` and the given hosts.

``make_client_certificate(cert_dir, account, out_dir=None)`` issues a client certificate whose common name is an
account name (ONTAP maps a client certificate to the account named by its CN) from the CA in ``cert_dir``;
with ``foreign=True`` it is signed by a new, unrelated CA instead (the server refuses it in the TLS handshake).
"""

import datetime
import ipaddress
import os
from typing import Iterable, List, Optional, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _names(hosts: Iterable[str]) -> List[x509.GeneralName]:
    names: List[x509.GeneralName] = []
    seen = set()
    for host in list(hosts) + ["localhost", "127.0.0.1", "::1"]:
        if not host or host in seen or host in ("0.0.0.0", "::"):
            continue
        seen.add(host)
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _new_ca(now: datetime.datetime, common_name: str) -> Tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    ca_cert = (x509.CertificateBuilder()
               .subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                            content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))
    return ca_cert, ca_key


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_certificate(cert_dir: str, hosts: Iterable[str]) -> Tuple[str, str, str]:
    """Create the CA and server certificate in ``cert_dir``; returns ``(cert_path, key_path, ca_path)``."""
    os.makedirs(cert_dir, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_cert, ca_key = _new_ca(now, "ontap-sim test CA")
    ca_name = ca_cert.subject
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ontap-sim")]))
            .issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(_names(hosts)), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True, key_cert_sign=False,
                                         crl_sign=False, content_commitment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False),
                           critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path = os.path.join(cert_dir, "cert.pem")
    key_path = os.path.join(cert_dir, "key.pem")
    ca_path = os.path.join(cert_dir, "ca.pem")
    ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM)
    with open(ca_path, "wb") as handle:
        handle.write(ca_pem)
    with open(cert_path, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM) + ca_pem)
    with open(key_path, "wb") as handle:
        handle.write(_pem_key(key))
    with open(os.path.join(cert_dir, "ca-key.pem"), "wb") as handle:
        handle.write(_pem_key(ca_key))
    return cert_path, key_path, ca_path


def make_client_certificate(cert_dir: str, account: str, out_dir: Optional[str] = None,
                            foreign: bool = False) -> Tuple[str, str]:
    """Issue a client certificate (CN = ``account``, extended key usage client auth) from the CA in ``cert_dir``
    (``foreign=True``: from a new CA the server does not trust). Writes ``client-<account>.pem`` and
    ``client-<account>-key.pem`` (``foreign-...`` with ``foreign``) in ``out_dir`` (default ``cert_dir``); returns
    ``(cert_path, key_path)``."""
    now = datetime.datetime.now(datetime.timezone.utc)
    if foreign:
        ca_cert, ca_key = _new_ca(now, "some other CA")
    else:
        with open(os.path.join(cert_dir, "ca.pem"), "rb") as handle:
            ca_cert = x509.load_pem_x509_certificate(handle.read())
        with open(os.path.join(cert_dir, "ca-key.pem"), "rb") as handle:
            loaded = serialization.load_pem_private_key(handle.read(), password=None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        ca_key = loaded
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, account)]))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    out_dir = out_dir or cert_dir
    os.makedirs(out_dir, exist_ok=True)
    prefix = "foreign" if foreign else "client"
    cert_path = os.path.join(out_dir, "%s-%s.pem" % (prefix, account))
    key_path = os.path.join(out_dir, "%s-%s-key.pem" % (prefix, account))
    with open(cert_path, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as handle:
        handle.write(_pem_key(key))
    return cert_path, key_path


def common_name(pem: str) -> Optional[str]:
    """The CN of a PEM certificate (None if it has none or cannot be parsed)."""
    try:
        cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except ValueError:
        return None
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else None
