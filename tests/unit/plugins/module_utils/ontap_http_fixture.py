# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A scripted HTTP/1.1 keep-alive server on 127.0.0.1 (and a tiny PKI) for the client unit tests.

Loopback only; every test server stops at the end of its test. Not a pytest module (no ``test_`` prefix).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import ipaddress
import json
import socketserver
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit


def reply(status=200, body=None, headers=None, raw=None, delay=0.0, close=False):
    """One scripted answer. ``body`` is sent as JSON, ``raw`` as text/html; ``close`` drops the connection unanswered."""
    return dict(status=status, body=body, headers=headers or {}, raw=raw, delay=delay, close=close)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    timeout = 5

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass

    def _serve(self):
        length = int(self.headers.get('Content-Length') or 0)
        data = self.rfile.read(length) if length else b''
        parts = urlsplit(self.path)
        record = dict(method=self.command, path=parts.path, query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                      raw_path=self.path, headers=dict(self.headers), body=json.loads(data) if data else None,
                      connection=id(self.connection))
        server = self.server
        with server.lock:
            server.requests.append(record)
            answer = server.next_answer(self.command, parts.path)
        if callable(answer):
            answer = answer(record)
        if answer['delay']:
            time.sleep(answer['delay'])
        if answer['close']:
            self.close_connection = True
            return
        if answer['raw'] is not None:
            payload, ctype = answer['raw'].encode('utf-8'), 'text/html'
        elif answer['body'] is not None:
            payload, ctype = json.dumps(answer['body']).encode('utf-8'), 'application/hal+json'
        else:
            payload, ctype = b'', None
        self.send_response(answer['status'])
        if ctype:
            self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(payload)))
        for key, value in answer['headers'].items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = _serve


class ScriptedServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """``routes[(METHOD, path)]`` is a list of answers (``reply(...)`` dicts or callables ``record -> reply``);
    the last one repeats. Counts accepted TCP connections in ``connections``; records requests in ``requests``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, routes=None, tls_context=None):
        socketserver.TCPServer.__init__(self, ('127.0.0.1', 0), _Handler)
        self.routes = dict((key, list(value)) for key, value in (routes or {}).items())
        self.tls_context = tls_context
        self.requests = []
        self.connections = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={'poll_interval': 0.02})
        self.thread.daemon = True

    @property
    def port(self):
        return self.server_address[1]

    def get_request(self):
        sock, addr = self.socket.accept()
        with self.lock:
            self.connections += 1
        if self.tls_context is not None:
            sock.settimeout(5)
            sock = self.tls_context.wrap_socket(sock, server_side=True)
        return sock, addr

    def next_answer(self, method, path):
        answers = self.routes.get((method, path))
        if not answers:
            return reply(404, raw='<html><body><h1>Not Found</h1>%s %s</body></html>' % (method, path))
        return answers.pop(0) if len(answers) > 1 else answers[0]

    def count(self, method=None, path=None):
        return len([r for r in self.requests if (method is None or r['method'] == method)
                    and (path is None or r['path'] == path)])

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()


def make_pki(directory):
    """Write a CA, a server certificate for 127.0.0.1 signed by it, and a client certificate signed by ANOTHER CA.

    :returns: dict of file paths: ca, server_cert, server_key, client_cert, client_key, client_ca.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(common):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def key():
        return ec.generate_private_key(ec.SECP256R1())

    def cert(subject, subject_key, issuer, issuer_key, ca=False, san=None):
        builder = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
                   .public_key(subject_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=not ca,
                                                data_encipherment=False, key_agreement=False, key_cert_sign=ca,
                                                crl_sign=ca, encipher_only=False, decipher_only=False), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                                  critical=False))
        if not ca:
            usage = ExtendedKeyUsageOID.SERVER_AUTH if san else ExtendedKeyUsageOID.CLIENT_AUTH
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    def write(filename, data):
        path = str(directory / filename)
        with open(path, 'wb') as handle:
            handle.write(data)
        return path

    def pem_key(private):
        return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())

    ca_key, other_ca_key, server_key, client_key = key(), key(), key(), key()
    ca = cert('ontap.rest test CA', ca_key, 'ontap.rest test CA', ca_key, ca=True)
    other_ca = cert('unknown client CA', other_ca_key, 'unknown client CA', other_ca_key, ca=True)
    server = cert('127.0.0.1', server_key, 'ontap.rest test CA', ca_key,
                  san=[x509.IPAddress(ipaddress.ip_address('127.0.0.1')), x509.DNSName('localhost')])
    client = cert('admin', client_key, 'unknown client CA', other_ca_key)
    pem = serialization.Encoding.PEM
    return dict(
        ca=write('ca.pem', ca.public_bytes(pem)),
        server_cert=write('server.pem', server.public_bytes(pem)),
        server_key=write('server.key', pem_key(server_key)),
        client_cert=write('client.pem', client.public_bytes(pem)),
        client_key=write('client.key', pem_key(client_key)),
        client_ca=write('client_ca.pem', other_ca.public_bytes(pem)),
    )


def server_tls_context(pki, require_client_cert=False):
    """Server-side TLS context; with ``require_client_cert`` it trusts only the test CA for clients (so the client
    certificate from ``make_pki``, signed by another CA, gets an ``unknown ca`` alert) and speaks TLS 1.2 so the
    alert arrives during the handshake."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki['server_cert'], pki['server_key'])
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(pki['ca'])
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    return context
