"""The process engine (ontap_sim.processes) through volume move: phases on the simulated clock, job modes, process
faults, stale terminal state and reboot windows."""

import copy
import time
from datetime import datetime

import jsonschema
import pytest
import requests

from ontap_sim.clock import SimClock
from ontap_sim.processes import Process, ProcessRule

VOLUMES = "/api/storage/volumes"
TERMINAL = ("success", "failed", "aborted")


@pytest.fixture(name="check")
def check_fixture(openapi):
    """check(body, definition) against the spec, with ``movement.start_time`` (9.9+ bindings) allowed."""
    definitions = copy.deepcopy(openapi["definitions"])
    definitions["volume"]["properties"]["movement"]["properties"]["start_time"] = {"type": "string"}

    def _check(body, definition):
        schema = {"$ref": "#/definitions/" + definition, "definitions": definitions}
        jsonschema.Draft7Validator(schema).validate(body)
    return _check


def _move(api, vol_uuid, aggr="aggr2", query="", **movement):
    body = {"movement": dict({"destination_aggregate": {"name": aggr}}, **movement)}
    return api.patch("%s/%s%s" % (VOLUMES, vol_uuid, query), json=body)


def _read(api, vol_uuid):
    return api.get("%s/%s?fields=movement,aggregates" % (VOLUMES, vol_uuid)).json()


def _follow(api, vol_uuid, until=TERMINAL, timeout=15.0):
    """Poll the volume (real seconds) until ``movement.state`` is in ``until``; returns (states, records)."""
    deadline = time.monotonic() + timeout
    states, records = [], []
    while time.monotonic() < deadline:
        record = _read(api, vol_uuid)
        records.append(record)
        state = record.get("movement", {}).get("state")
        if not states or states[-1] != state:
            states.append(state)
        if state in until:
            break
        time.sleep(0.02)
    return states, records


def test_volume_move_phases_and_aggregate_switch(api, sim, check):
    sim.config(time_scale=20)
    vol = api.create_volume("mv1", size=100 * 1024 * 1024)
    before = datetime.now().astimezone().replace(microsecond=0)
    resp = _move(api, vol["uuid"], query="?return_timeout=10")
    assert resp.status_code == 200, resp.text
    check(resp.json(), "job_link_response")
    proc = api.get("/api/cluster/jobs/" + resp.json()["job"]["uuid"]).json()
    check(proc, "job")
    assert proc["state"] == "success" and proc["description"] == "PATCH %s/%s" % (VOLUMES, vol["uuid"])
    states, records = _follow(api, vol["uuid"])
    assert states[-1] == "success", states
    assert set(states) <= {"queued", "replicating", "cutover_pending", "cutover", "success"}
    assert "replicating" in states
    percents = [r["movement"]["percent_complete"] for r in records]
    assert percents == sorted(percents) and percents[-1] == 100
    for record in records:
        aggr = record["aggregates"][0]["name"]
        assert aggr == ("aggr2" if record["movement"]["state"] == "success" else "aggr1"), record
    movement = api.get("%s/%s?fields=**" % (VOLUMES, vol["uuid"])).json()
    check(movement, "volume")
    movement = movement["movement"]
    assert movement["destination_aggregate"]["name"] == "aggr2" and movement["cutover_window"] == 30
    assert datetime.fromisoformat(movement["start_time"]) >= before
    listed = api.get(VOLUMES + "?movement.state=success&fields=movement").json()
    check(listed, "volume_response")
    assert [r["name"] for r in listed["records"]] == ["mv1"]
    proc = sim.processes()[-1]
    assert proc["kind"] == "move" and proc["outcome"] == "success" and proc["job_mode"] == "accept"


def test_phases_follow_the_simulated_clock_and_time_scale(api, sim):
    vol = api.create_volume("mv2")
    sim.set_process("move", phases={"queued": 0, "replicating": 40})
    assert _move(api, vol["uuid"], query="?return_timeout=5").status_code == 200
    time.sleep(0.5)
    movement = _read(api, vol["uuid"])["movement"]
    assert movement["state"] == "replicating" and movement["percent_complete"] < 10, movement
    sim.config(time_scale=200)
    states, dummy = _follow(api, vol["uuid"], timeout=5)
    assert states[-1] == "success", states


def test_job_covers_the_move(api, sim, check):
    sim.config(time_scale=10)
    vol = api.create_volume("mv3")
    sim.set_process("move", job="covers", phases={"replicating": 20})
    resp = _move(api, vol["uuid"], query="?return_timeout=1")
    assert resp.status_code == 202, resp.text
    job_uuid = resp.json()["job"]["uuid"]
    job = api.get("/api/cluster/jobs/" + job_uuid).json()
    assert job["state"] == "running"
    assert sim.held_jobs() == []          # held for the process, not for the control API
    assert _read(api, vol["uuid"])["movement"]["state"] in ("queued", "replicating")
    sim.config(time_scale=100)
    job = api.wait_job(job_uuid, timeout=10)
    check(job, "job")
    assert job["state"] == "success", job
    assert _read(api, vol["uuid"])["movement"]["state"] == "success"
    # return_timeout waits for the whole move when the job covers it
    sim.set_process("move", job="covers", phases={"replicating": 2})
    back = _move(api, vol["uuid"], aggr="aggr1", query="?return_timeout=30")
    assert back.status_code == 200, back.text
    assert _read(api, vol["uuid"])["aggregates"][0]["name"] == "aggr1"


@pytest.mark.parametrize("mode", ["accept", "covers"])
def test_process_fail_at_a_phase(api, sim, mode):
    sim.config(time_scale=20)
    vol = api.create_volume("mv4")
    sim.set_process("move", job=mode)
    sim.add_fault("process_fail", process="move", phase="cutover_pending", code=917999, message="Destination offline")
    resp = _move(api, vol["uuid"], query="?return_timeout=30")
    states, dummy = _follow(api, vol["uuid"])
    assert states[-1] == "failed" and "cutover" not in states, states
    assert _read(api, vol["uuid"])["aggregates"][0]["name"] == "aggr1"
    proc = sim.processes()[-1]
    assert proc["error"] == {"code": "917999", "message": "Destination offline"} and proc["phase"] == "cutover_pending"
    if mode == "accept":
        assert resp.status_code == 200, resp.text
    else:
        body = resp.json()
        assert resp.status_code == 400 and body["error"]["code"] == "917999", body
        assert api.get("/api/cluster/jobs/" + body["job"]["uuid"]).json()["code"] == 917999


def test_process_stall_until_released(api, sim):
    sim.config(time_scale=20)
    vol = api.create_volume("mv5")
    sim.add_fault("process_stall", phase="cutover_pending", seconds=0)
    _move(api, vol["uuid"], query="?return_timeout=5")
    states, dummy = _follow(api, vol["uuid"], until=("cutover_pending",))
    time.sleep(0.5)           # 10 simulated seconds: still stalled
    assert _read(api, vol["uuid"])["movement"]["state"] == "cutover_pending"
    proc = sim.processes()[-1]
    sim.process_action(proc["uuid"], "release")
    states, dummy = _follow(api, vol["uuid"])
    assert states[-1] == "success", states
    # a stall with seconds only delays
    sim.add_fault("process_stall", phase="queued", seconds=4)
    _move(api, vol["uuid"], aggr="aggr1", query="?return_timeout=5")
    started = time.monotonic()
    states, dummy = _follow(api, vol["uuid"])
    assert states[-1] == "success" and time.monotonic() - started >= 0.2


def test_process_needs_action_cutover_wait(api, sim, check):
    sim.config(time_scale=20)
    vol = api.create_volume("mv6")
    early = api.patch("%s/%s" % (VOLUMES, vol["uuid"]), json={"movement": {"state": "cutover"}})
    assert early.status_code == 400 and early.json()["error"]["target"] == "movement.state"
    sim.add_fault("process_needs_action", process="move")
    _move(api, vol["uuid"], query="?return_timeout=5")
    states, dummy = _follow(api, vol["uuid"], until=("cutover_wait",))
    assert states[-1] == "cutover_wait", states
    time.sleep(0.3)
    record = _read(api, vol["uuid"])
    check(record, "volume")
    assert record["movement"]["state"] == "cutover_wait" and record["aggregates"][0]["name"] == "aggr1"
    assert sim.processes()[-1]["waiting"] is True
    resp = api.patch("%s/%s?return_timeout=5" % (VOLUMES, vol["uuid"]), json={"movement": {"state": "cutover"}})
    assert resp.status_code == 200, resp.text
    states, dummy = _follow(api, vol["uuid"])
    assert states[-1] == "success" and _read(api, vol["uuid"])["aggregates"][0]["name"] == "aggr2"


def test_manual_cutover_pause_resume_and_abort_through_the_api(api, sim):
    sim.config(time_scale=20)
    vol = api.create_volume("mv7")
    sim.set_process("move", phases={"replicating": 200})
    _move(api, vol["uuid"], query="?return_timeout=5")
    sim.advance_clock(1.5)     # past the 1 s queued phase whatever the machine's speed: the pause is of a replication
    patch = "%s/%s?return_timeout=5" % (VOLUMES, vol["uuid"])
    assert api.patch(patch, json={"movement": {"state": "paused"}}).status_code == 200
    first = _read(api, vol["uuid"])["movement"]
    time.sleep(0.3)
    second = _read(api, vol["uuid"])["movement"]
    assert first["state"] == second["state"] == "paused" and first["percent_complete"] == second["percent_complete"]
    assert api.patch(patch, json={"movement": {"state": "replicating"}}).status_code == 200
    assert _read(api, vol["uuid"])["movement"]["state"] == "replicating"
    bad = api.patch(patch, json={"movement": {"state": "queued"}})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "262197"
    assert api.patch(patch, json={"movement": {"state": "aborted"}}).status_code == 200
    record = _read(api, vol["uuid"])
    assert record["movement"]["state"] == "aborted" and record["aggregates"][0]["name"] == "aggr1"
    # manual cutover: cutover_wait requested while replicating, then the cutover is triggered
    sim.set_process("move", phases={"replicating": 40})
    _move(api, vol["uuid"], query="?return_timeout=5")
    assert api.patch(patch, json={"movement": {"state": "cutover_wait"}}).status_code == 200
    states, dummy = _follow(api, vol["uuid"], until=("cutover_wait",))
    assert states[-1] == "cutover_wait", states
    assert api.patch(patch, json={"movement": {"state": "cutover"}}).status_code == 200
    assert _follow(api, vol["uuid"])[0][-1] == "success"


def test_move_refusals(api, sim):
    vol = api.create_volume("mv8")
    same = _move(api, vol["uuid"], aggr="aggr1")
    assert same.status_code == 400 and same.json()["error"]["target"] == "movement.destination_aggregate.name"
    missing = _move(api, vol["uuid"], aggr="nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "4"
    window = _move(api, vol["uuid"], cutover_window=10)
    assert window.status_code == 400 and window.json()["error"]["target"] == "movement.cutover_window"
    extra = api.patch("%s/%s" % (VOLUMES, vol["uuid"]), json={"movement": {"colour": "red"}})
    assert extra.status_code == 400 and extra.json()["error"]["target"] == "movement.colour"
    sim.set_process("move", phases={"replicating": 100})
    assert _move(api, vol["uuid"], query="?return_timeout=5").status_code == 200
    again = _move(api, vol["uuid"], aggr="aggr2")
    assert again.status_code == 409 and "already in progress" in again.json()["error"]["message"]
    with pytest.raises(Exception):
        sim.set_process("fly")
    with pytest.raises(Exception):
        sim.set_process("move", phases={"warp": 1})
    with pytest.raises(Exception):
        sim.set_process("move", job="sometimes")


def test_stale_terminal_state_from_the_previous_move(api, sim):
    sim.config(time_scale=20)
    vol = api.create_volume("mv9")
    _move(api, vol["uuid"], query="?return_timeout=5")
    assert _follow(api, vol["uuid"])[0][-1] == "success"
    previous = _read(api, vol["uuid"])["movement"]
    time.sleep(0.1)     # two simulated seconds: the next start_time differs
    sim.set_process("move", phases={"replicating": 100})
    sim.add_fault("stale_terminal", process="move", reads=2)
    assert _move(api, vol["uuid"], aggr="aggr1", query="?return_timeout=5").status_code == 200
    assert _read(api, vol["uuid"])["movement"] == previous
    assert api.get(VOLUMES + "?name=mv9&fields=movement").json()["records"][0]["movement"] == previous
    fresh = _read(api, vol["uuid"])["movement"]
    assert fresh["destination_aggregate"]["name"] == "aggr1" and fresh["state"] in ("queued", "replicating")
    assert fresh["start_time"] > previous["start_time"]


def test_stale_terminal_without_a_previous_move_is_a_plausible_success(api, sim):
    vol = api.create_volume("mv10")
    sim.add_fault("stale_terminal")
    assert _move(api, vol["uuid"], query="?return_timeout=5").status_code == 200
    stale = _read(api, vol["uuid"])["movement"]
    assert stale["state"] == "success" and stale["destination_aggregate"]["name"] == "aggr1"
    fresh = _read(api, vol["uuid"])["movement"]
    assert fresh["destination_aggregate"]["name"] == "aggr2"
    # the stale view keeps an OLD start_time (an hour before the new move, though the simulator is seconds old)
    age = datetime.fromisoformat(fresh["start_time"]) - datetime.fromisoformat(stale["start_time"])
    assert age.total_seconds() == pytest.approx(3600, abs=1)


def test_reboot_window_503_and_job_gets_404(api, sim, check):
    job_uuid = api.post(VOLUMES, json={"name": "rb1", "svm": {"name": "svm1"},
                                       "aggregates": [{"name": "aggr1"}]}).json()["job"]["uuid"]
    api.wait_job(job_uuid)
    sim.reboot(seconds=30)
    resp = api.get(VOLUMES)
    assert resp.status_code == 503 and resp.json()["error"]["code"] == "7"
    check(resp.json(), "error_response")
    assert api.post(VOLUMES, json={"name": "rb2"}).status_code == 503
    gone = api.get("/api/cluster/jobs/" + job_uuid)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "4"
    assert sim.control("GET", "/processes")["reboots"][0]["response"] == "503"
    sim.config(time_scale=300)
    time.sleep(0.2)     # 60 simulated seconds
    assert api.get(VOLUMES).status_code == 200
    assert api.get("/api/cluster/jobs/" + job_uuid).json()["state"] == "success"


def test_reboot_window_dropped_connections(api, sim):
    sim.reboot(seconds=30, response="drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(sim.url + VOLUMES, auth=(sim.username, sim.password), timeout=5)
    assert sim.log()[-1]["status"] == 0
    sim.config(time_scale=300)
    time.sleep(0.2)
    assert api.get(VOLUMES).status_code == 200


def test_reboot_window_opened_by_a_process_phase(api, sim):
    sim.config(time_scale=20)
    vol = api.create_volume("rb3")
    sim.reboot(seconds=20, phase="cutover", process="move")
    assert api.get(VOLUMES).status_code == 200           # not open before the phase
    _move(api, vol["uuid"], query="?return_timeout=5")
    deadline = time.monotonic() + 5
    status = 200
    while time.monotonic() < deadline and status == 200:
        status = api.get("%s/%s?fields=movement" % (VOLUMES, vol["uuid"])).status_code
        time.sleep(0.02)
    assert status == 503
    time.sleep(1.1)     # 22 simulated seconds: the window is closed, the move has ended
    assert _read(api, vol["uuid"])["movement"]["state"] == "success"
    assert sim.control("GET", "/faults")["faults"][0]["hits"] == 1


def test_process_rules_control_api(sim):
    rule = sim.set_process("move", path="/api/storage/volumes/*", job="covers", phases={"cutover": 3}, count=1)
    assert rule["id"] >= 1 and rule["method"] == "*" and rule["job"] == "covers"
    assert sim.control("GET", "/processes")["rules"] == [rule]
    sim.clear_processes()
    assert sim.control("GET", "/processes")["rules"] == []
    with pytest.raises(Exception):
        sim.process_action("00000000-0000-0000-0000-000000000000", "pause")
    with pytest.raises(Exception):
        sim.add_fault("reboot_window", seconds=0)


def test_process_unit_phases_faults_and_actions():
    now = [0.0]
    clock = SimClock(monotonic=lambda: now[0])
    seen = []
    proc = Process("update", "cluster", 0.0, {"updating": 4})
    proc.on_update = lambda p: seen.append(p.state)
    proc.action_at = "rebooting"
    proc.advance_to(3.0)
    assert proc.state == "updating" and 0 < proc.percent_complete() < 100
    proc.advance_to(10.0)
    assert proc.state == "pause_on_error" and proc.waiting and proc.next_due() is None
    proc.act(10.0)
    proc.advance_to(100.0)
    assert proc.outcome == "success" and proc.state == "completed" and proc.percent_complete() == 100
    assert proc.end == 10.0 + 4 + 2
    assert seen[0] == "validating" and "rebooting" in seen
    assert proc.render(clock)["end_time"]
    rule = ProcessRule.from_dict({"kind": "transfer", "phases": {"transferring": 1}})
    assert rule.matches("transfer", "POST", "/api/snapmirror/relationships/x/transfers")
    assert not rule.matches("move", "POST", "/x")
    failing = Process("transfer", "rel", 0.0)
    failing.fail_at = ("transferring", 13303812, "Transfer failed")
    failing.advance_to(50.0)
    assert failing.outcome == "failure" and failing.end == 1.0 and failing.error["code"] == "13303812"


def test_move_is_scoped_to_an_svm_user(api, sim):
    vol = api.create_volume("mv11")
    assert api.post("/api/svm/svms?return_timeout=10", json={"name": "svm2"}).status_code == 201
    sim.add_user("other", "pw", role="svm", svm="svm2")
    sim.add_user("owner", "pw", role="svm", svm="svm1")
    hidden = api.patch("%s/%s" % (VOLUMES, vol["uuid"]), auth=("other", "pw"),
                       json={"movement": {"destination_aggregate": {"name": "aggr2"}}})
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "4"
    mine = api.patch("%s/%s?return_timeout=5" % (VOLUMES, vol["uuid"]), auth=("owner", "pw"),
                     json={"movement": {"destination_aggregate": {"name": "aggr2"}}})
    assert mine.status_code == 200, mine.text
    assert sim.processes()[-1]["target"] == "volume/" + vol["uuid"]


def test_query_based_move(api, sim):
    sim.config(time_scale=20)
    api.create_volume("qm1")
    api.create_volume("qm2")
    resp = api.patch(VOLUMES + "?name=qm*&return_timeout=10",
                     json={"movement": {"destination_aggregate": {"name": "aggr2"}}})
    assert resp.status_code == 200 and resp.json()["num_records"] == 2, resp.text
    assert sorted(p["kind"] for p in sim.processes()) == ["move", "move"]
