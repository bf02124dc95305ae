"""scripts/sim_session.py: the simulator's options, the env file, the README's curl examples, SIGTERM."""

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "sim_session.py"
SIM_README = ROOT / "tests" / "simulator" / "README.md"


def _read_env(path):
    env = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        words = shlex.split(line)
        assert words[0] == "export"
        key, value = words[1].split("=", 1)
        env[key] = value
    return env


@pytest.fixture(name="session")
def session_fixture(tmp_path):
    """start(*options) -> (process, env dict); stopped with SIGTERM at the end."""
    procs = []

    def start(*options):
        env_file = tmp_path / "sim.env"
        proc = subprocess.Popen([sys.executable, str(SCRIPT), str(env_file)] + list(options),  # pylint: disable=consider-using-with
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        deadline = time.monotonic() + 30
        while not env_file.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no env file"
            time.sleep(0.05)
        return proc, _read_env(env_file)

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_help():
    out = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True).stdout
    for option in ("ENV_FILE", "--time-scale", "--job-seconds", "--job-retention", "--users", "--http", "--username",
                   "--password", "--cert-dir", "--connection-limit", "--cluster-name", "--host", "--port", "--mtls"):
        assert option in out
    bad = subprocess.run([sys.executable, str(SCRIPT), "x.env", "--time-scale", "0"], capture_output=True, text=True,
                         check=False)
    assert bad.returncode == 2 and "--time-scale" in bad.stderr
    bad = subprocess.run([sys.executable, str(SCRIPT), "x.env", "--mtls", "--http"], capture_output=True, text=True,
                         check=False)
    assert bad.returncode == 2 and "--mtls needs HTTPS" in bad.stderr


def test_options_reach_the_simulator_and_sigterm_stops_it(session):
    proc, env = session("--time-scale", "5", "--job-seconds", "0.5", "--job-retention", "60", "--users",
                        "ro:pw:readonly", "--cluster-name", "labcluster")
    assert env["ONTAP_VALIDATE_CERTS"] == "true" and os.path.exists(env["ONTAP_CA_PATH"])
    assert "ONTAP_SIM_CLIENT_CERT" not in env                     # only with --mtls
    assert env["ONTAP_SIM_URL"] == "https://%s:%s" % (env["ONTAP_HOSTNAME"], env["ONTAP_PORT"])
    assert (env["ONTAP_USERNAME"], env["ONTAP_PASSWORD"]) == ("admin", "netapp1!")
    assert (env["ONTAP_SIM_TIME_SCALE"], env["ONTAP_SIM_JOB_SECONDS"], env["ONTAP_SIM_JOB_RETENTION"]) == (
        "5", "0.5", "60")
    url, ca_path = env["ONTAP_SIM_URL"], env["ONTAP_CA_PATH"]
    config = requests.get(url + "/_sim/config", verify=ca_path, timeout=10).json()
    assert config["time_scale"] == 5 and config["job_seconds"] == 0.5 and config["cluster_name"] == "labcluster"
    users = requests.get(url + "/_sim/users", verify=ca_path, timeout=10).json()["users"]
    assert {"name": "ro", "role": "readonly"} in users
    resp = requests.post(url + "/api/svm/svms", json={"name": "x"}, auth=("ro", "pw"), verify=ca_path, timeout=10)
    assert resp.status_code == 403
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    assert not os.path.exists(ca_path)                          # its temporary certificate directory is gone
    with pytest.raises(OSError):                                # nothing listens any more
        socket.create_connection((env["ONTAP_HOSTNAME"], int(env["ONTAP_PORT"])), timeout=5).close()


def test_http_and_own_credentials(session):
    proc, env = session("--http", "--username", "root", "--password", "s3cret")
    assert env["ONTAP_SIM_URL"].startswith("http://") and env["ONTAP_VALIDATE_CERTS"] == "false"
    assert "ONTAP_CA_PATH" not in env and env["ONTAP_USERNAME"] == "root" and env["ONTAP_PASSWORD"] == "s3cret"
    assert requests.get(env["ONTAP_SIM_URL"] + "/api/cluster", auth=("root", "s3cret"), timeout=10).status_code == 200
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 0


def test_mtls_issues_a_client_certificate_the_simulator_accepts(session):
    proc, env = session("--mtls")
    url, ca_path = env["ONTAP_SIM_URL"], env["ONTAP_CA_PATH"]
    cert = (env["ONTAP_SIM_CLIENT_CERT"], env["ONTAP_SIM_CLIENT_KEY"])
    assert all(os.path.exists(path) for path in cert)
    resp = requests.get(url + "/api/cluster", cert=cert, verify=ca_path, timeout=10)       # no basic credentials
    assert resp.status_code == 200, resp.text
    assert requests.get(url + "/api/cluster", verify=ca_path, timeout=10).status_code == 401
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0


def _readme_curl_commands():
    """Every line of tests/simulator/README.md that starts with ``curl `` (the control API examples)."""
    return [line.strip() for line in SIM_README.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith("curl ")]


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None, reason="needs curl and bash")
def test_readme_curl_examples_work_as_printed(session, tmp_path):
    commands = _readme_curl_commands()
    assert len(commands) >= 4
    _proc, _env = session()
    for command in commands:
        script = 'set -a; . %s; set +a; %s' % (shlex.quote(str(tmp_path / "sim.env")), command.replace(
            "curl ", "curl -sS --fail-with-body ", 1))
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False, timeout=30)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        json.loads(done.stdout or "null")
