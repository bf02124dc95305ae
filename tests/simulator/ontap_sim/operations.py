"""Long operations wired through the process engine: volume move (``PATCH /api/storage/volumes/{uuid}`` with
``movement.*``).

A move PATCH is validated at once; its job then either ends when the move has been accepted (job mode ``accept``,
the default: the process starts when the job succeeds and runs on) or lasts until the move ends (``covers``: the
job is held for the process and ends with its outcome). The move writes the volume's ``movement`` object as ONTAP
reports it (``state``, ``percent_complete``, ``destination_aggregate``, ``start_time``, ``cutover_window``) and
switches ``aggregates`` at the end of the ``cutover`` phase. While a move runs, PATCH ``movement.state`` controls it:
``paused``, ``replicating`` (resume), ``cutover`` (trigger the cutover a ``cutover_wait`` waits for),
``cutover_wait`` (go to manual cutover) and ``aborted``. Fault rules (``process_*``, ``stale_terminal``,
``reboot_window``; see :mod:`ontap_sim.faults`) change what a move does.
"""

from typing import TYPE_CHECKING, Any, Dict, Optional

from .errors import ApiError, invalid_value, not_found
from .model import VOLUME_MOVE_FIELDS, WritePlan, check_fields, flatten
from .processes import Process

if TYPE_CHECKING:  # pragma: no cover
    from .core import Simulator
    from .jobs import Job

#: Error codes for refused moves (simulator choices; ONTAP's codes are not documented in the 9.8 spec).
CODE_MOVE_SAME_AGGREGATE = 917853       # the destination is the volume's aggregate
CODE_MOVE_IN_PROGRESS = 917858          # a move of the volume already runs
CODE_MOVE_NOT_RUNNING = 917859          # movement.state PATCH without a running move
CODE_MOVE_ABORTED = 917860              # a covering job of an aborted move fails with this
CODE_MOVE_FAILED = 917861               # default code of a failing move (fault without a code)

MOVE_CONTROLS = ("aborted", "cutover", "paused", "replicating", "cutover_wait")
MOVE_FAULT_PHASE = "replicating"


class Operations:
    """Plans of long operations for one :class:`~ontap_sim.core.Simulator` (call with its lock held)."""

    def __init__(self, sim: "Simulator") -> None:
        self.sim = sim

    # ------------------------------------------------------------------ volume move
    def plan_volume_move(self, vol_uuid: str, body: Dict[str, Any]) -> WritePlan:
        """Validate a move PATCH (destination) or a move control PATCH (``movement.state``)."""
        # pylint: disable=too-many-locals
        store = self.sim.store
        vol = store.find_volume(vol_uuid)
        flat = flatten(body)
        check_fields(flat, VOLUME_MOVE_FIELDS)
        svm = store.svms[vol.svm_uuid]
        path = "/api/storage/volumes/%s" % vol_uuid
        running = self.sim.processes.active("volume/" + vol_uuid, "move")
        control = flat.get("movement.state")
        dest_name, dest_uuid = flat.get("movement.destination_aggregate.name"), flat.get(
            "movement.destination_aggregate.uuid")
        if control is not None:
            if dest_name is not None or dest_uuid is not None:
                raise ApiError(400, '"movement.state" cannot be set together with "movement.destination_aggregate".',
                               "2", target="movement.state")
            return self._plan_control(vol_uuid, control, running, svm.ref(), path)
        if dest_name is None and dest_uuid is None:
            raise ApiError(400, 'Missing value for field "movement.destination_aggregate.name".', "2",
                           target="movement.destination_aggregate.name")
        try:
            aggr = store.find_aggregate(name=dest_name, aggr_uuid=dest_uuid)
        except ApiError as err:
            err.target = "movement.destination_aggregate." + ("uuid" if dest_uuid else "name")
            raise
        window = flat.get("movement.cutover_window")
        if window is not None and (not isinstance(window, int) or isinstance(window, bool) or not 30 <= window <= 300):
            raise invalid_value("movement.cutover_window", window, "30..300 seconds")
        if running is not None:
            raise ApiError(409, 'A move of volume "%s" is already in progress (to aggregate "%s").'
                           % (vol.name, running.info["destination"]["name"]), str(CODE_MOVE_IN_PROGRESS),
                           target="movement.destination_aggregate.name")
        if aggr.uuid == vol.aggregate_uuid:
            raise ApiError(400, 'Volume "%s" is already in aggregate "%s".' % (vol.name, aggr.name),
                           str(CODE_MOVE_SAME_AGGREGATE), target="movement.destination_aggregate.name")
        if vol.guarantee == "volume":
            store.check_space_for(vol.name, aggr.uuid, vol.size)
        rule = self.sim.processes.rule_for("move", "PATCH", path)
        job_mode = (rule.job if rule is not None else None) or "accept"
        phases = dict(rule.phases) if rule is not None else {}
        faults = self._process_faults("PATCH", path)
        destination = {"name": aggr.name, "uuid": aggr.uuid}
        cutover_window = window if window is not None else 30

        def begin(job: Optional["Job"]) -> None:
            self._start_move(vol_uuid, destination, cutover_window, job_mode, phases, faults, job)

        if job_mode == "covers":
            return WritePlan("PATCH " + path, svm.ref(), lambda: None, started=begin, owner="process")
        return WritePlan("PATCH " + path, svm.ref(), lambda: begin(None))

    def _process_faults(self, method: str, path: str) -> Dict[str, Any]:
        faults = self.sim.faults
        out: Dict[str, Any] = {}
        for kind in ("process_fail", "process_stall", "process_needs_action", "stale_terminal"):
            rule = faults.fire(kind, method, path, "move")
            if rule is not None:
                out[kind] = rule
        return out

    def _start_move(self, vol_uuid: str, destination: Dict[str, str], cutover_window: int, job_mode: str,
                    phases: Dict[str, float], faults: Dict[str, Any], job: Optional["Job"]) -> None:
        # pylint: disable=too-many-arguments,too-many-locals
        store = self.sim.store
        vol = store.find_volume(vol_uuid, visible_only=False)
        engine = self.sim.processes
        previous = dict(vol.movement) if vol.movement else None
        process = engine.start("move", "volume/" + vol_uuid, phases, job_mode)
        process.info = {"destination": destination, "cutover_window": cutover_window, "volume": vol_uuid}
        if job is not None:
            process.job_uuid = job.uuid
        fail = faults.get("process_fail")
        if fail is not None:
            process.fail_at = (fail.phase or MOVE_FAULT_PHASE, fail.code or CODE_MOVE_FAILED, fail.message)
        stall = faults.get("process_stall")
        if stall is not None:
            process.stall_at = (stall.phase or MOVE_FAULT_PHASE, float(stall.seconds))
        action = faults.get("process_needs_action")
        if action is not None:
            process.action_at = action.phase or process.spec.action_phase
        stale = faults.get("stale_terminal")
        if stale is not None:
            if previous is None:
                # a plausible last move an hour before this one (also on a simulator younger than an hour: the
                # old start_time must never be this move's, or a freshness guard could not tell them apart)
                previous = {"state": "success", "percent_complete": 100,
                            "destination_aggregate": {"name": store.aggregates[vol.aggregate_uuid].name,
                                                      "uuid": vol.aggregate_uuid},
                            "start_time": self.sim.clock.iso(process.start - 3600),
                            "cutover_window": 30}
            engine.make_stale("volume", vol_uuid, "movement", previous, int(stale.reads))

        def update(proc: Process) -> None:
            target = store.volumes.get(vol_uuid)
            if target is not None:
                target.movement = {"state": proc.state, "percent_complete": proc.percent_complete(),
                                   "destination_aggregate": dict(destination),
                                   "start_time": self.sim.clock.iso(proc.start),
                                   "cutover_window": cutover_window}

        def cutover(proc: Process) -> None:
            del proc
            target = store.volumes.get(vol_uuid)
            if target is not None and destination["uuid"] in store.aggregates:
                target.aggregate_uuid = destination["uuid"]

        process.on_update = update
        process.on_phase_end["cutover"] = cutover
        process.on_phase_enter = self.sim.process_phase_entered
        process.on_end = self.sim.process_ended
        update(process)
        process.advance_to(self.sim.clock.now())

    def _plan_control(self, vol_uuid: str, control: Any, running: Optional[Process], svm: Dict[str, Any],
                      path: str) -> WritePlan:
        if control not in MOVE_CONTROLS:
            raise invalid_value("movement.state", control, "|".join(MOVE_CONTROLS))
        if running is None:
            raise ApiError(400, "A change of the movement state is only supported while a volume move is in "
                           "progress.", str(CODE_MOVE_NOT_RUNNING), target="movement.state")
        if control == "cutover" and not running.waiting and running.phase != "cutover":
            raise ApiError(400, 'The move can be cut over only while it is in "cutover_wait".',
                           str(CODE_MOVE_NOT_RUNNING), target="movement.state")
        process_uuid = running.uuid

        def effect() -> None:
            self.control_process(process_uuid, control)
            if vol_uuid not in self.sim.store.volumes:
                raise not_found("uuid")

        return WritePlan("PATCH " + path, svm, effect)

    def control_process(self, process_uuid: str, action: str) -> Process:
        """Apply a control to a live process: ``paused``/``pause``, ``replicating``/``resume``, ``cutover``/``act``
        (the action a waiting process needs), ``cutover_wait`` (wait before the action phase), ``aborted``/``abort``,
        ``release`` (end a stall). KeyError if unknown; ValueError if it has ended or the action is unknown."""
        engine = self.sim.processes
        engine.advance()
        process = engine.processes[process_uuid]
        if process.terminal:
            raise ValueError("process %s has ended" % process_uuid)
        now = self.sim.clock.now()
        if action in ("paused", "pause"):
            process.pause(now)
        elif action in ("replicating", "resume"):
            process.resume(now)
        elif action in ("cutover", "act"):
            process.act(now)
        elif action in ("cutover_wait", "need_action"):
            process.need_action()
        elif action in ("aborted", "abort"):
            process.abort(now, CODE_MOVE_ABORTED, "The volume move was aborted.")
        elif action == "release":
            process.release(now)
        else:
            raise ValueError("unknown action %r" % action)
        process.advance_to(now)
        self.sim.cond.notify_all()
        return process
