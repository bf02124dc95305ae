# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ontap.rest contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Doc fragment ontap.rest.connection; its argument spec is options.connection_spec()."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  hostname:
    description:
      - Name or address of the ONTAP cluster management interface.
      - Falls back to the environment variable E(ONTAP_HOSTNAME), so an AWX/AAP credential can inject it.
    type: str
    required: true
  port:
    description:
      - TCP port of the ONTAP REST API.
      - Falls back to E(ONTAP_PORT).
    type: int
    default: 443
  username:
    description:
      - Account name for HTTP basic authentication.
      - Falls back to E(ONTAP_USERNAME).
    type: str
  password:
    description:
      - Password for HTTP basic authentication. Never logged or returned.
      - Falls back to E(ONTAP_PASSWORD).
    type: str
  cert_filepath:
    description:
      - Path to a PEM client certificate for certificate authentication (the certificate's CN is the ONTAP account).
      - Requires O(key_filepath). The same certificate is used for every call of the task, job polls included.
      - Falls back to E(ONTAP_CERT_FILEPATH).
    type: path
  key_filepath:
    description:
      - Path to the PEM private key of O(cert_filepath).
      - Falls back to E(ONTAP_KEY_FILEPATH).
    type: path
  token:
    description:
      - OAuth 2.0 bearer token (ONTAP 9.14 and later). Never logged or returned.
      - Falls back to E(ONTAP_TOKEN).
    type: str
  validate_certs:
    description:
      - Verify the cluster's TLS certificate on every call, job polls included.
      - Falls back to E(ONTAP_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM CA bundle used to verify the cluster's certificate, for clusters signed by a private CA.
      - A directory works too when its certificates have OpenSSL's hashed names (C(openssl rehash DIR)); one without
        them is refused before anything is sent.
      - Falls back to E(ONTAP_CA_PATH).
    type: path
  http_timeout:
    description:
      - Seconds to wait for ONTAP to start answering one HTTP request (connect and read timeout).
      - For a request sent with ONTAP's C(return_timeout), the read timeout is O(http_timeout) plus that C(return_timeout),
        so ONTAP's own server-side wait can never race the client's timeout.
      - Neither is ever longer than what is left of the task's O(job_timeout) (plus one second), which bounds the whole
        task.
      - Must be a positive, finite number.
      - Falls back to E(ONTAP_HTTP_TIMEOUT).
    type: float
    default: 60
notes:
  - One of O(username)/O(password), O(cert_filepath)/O(key_filepath) or O(token) must be given (directly or through the environment).
  - Each task opens one keep-alive HTTP session to the cluster and reuses it for every request, job polls included.
requirements:
  - requests (Python library, on the host that runs the module)
'''
