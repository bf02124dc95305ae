"""The object model: cluster, nodes, SVMs, aggregates, volumes, snapshots and qtrees.

Objects live in a :class:`Store`. Write requests are turned into a :class:`WritePlan` by the ``plan_*`` methods:
the request is validated at once (raising :class:`~ontap_sim.errors.ApiError` with ONTAP's codes), and the change
itself is the plan's ``effect``, run by the job engine when the job succeeds (a failed job changes nothing).
Objects carry ``visible_after`` (simulated seconds): GETs do not see them before that (read-after-write lag).
The store is not thread-safe by itself; :class:`ontap_sim.core.Simulator` holds a lock around it.
"""

import copy
import re
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Tuple

from .clock import SimClock
from .errors import ApiError, duplicate, invalid_value, missing_field, not_found, unexpected_argument

MIB = 1024 * 1024
GIB = 1024 * MIB
TIB = 1024 * GIB

#: Seeded aggregates: (name, node, size in bytes).
SEED_AGGREGATES = (("aggr1", "node1", 10 * TIB), ("aggr2", "node2", 10 * TIB))
#: Seeded cluster-wide snapshot policies (ONTAP's built-in ones).
SEED_SNAPSHOT_POLICIES = ("default", "default-1weekly", "none")
#: Export policy every SVM has from its creation.
DEFAULT_EXPORT_POLICY = "default"

#: The minimum size of a FlexVol volume (swagger ``volume.size``: "The minimum size for a FlexVol volume is 20MB").
MIN_VOLUME_SIZE = 20 * MIB

#: Volume names (swagger ``volume.name``: start with a letter or "_", at most 203 characters; only letters, digits
#: and "_" as ONTAP's volume name rules say).
VOLUME_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,202}$")
VOLUME_NAME_RULE = 'must start with a letter or "_", contain only letters, digits and "_", at most 203 characters'
#: SVM names (``vserver create``: at most 47 characters, FQDNs recommended, "all" reserved).
SVM_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,46}$")
SVM_NAME_RULE = 'must start with a letter, digit or "_", contain only letters, digits, ".", "-" and "_", ' \
                'at most 47 characters, and not be "all"'
#: Snapshot names (simulator rule; ONTAP documents none): 1..255 characters, no "/", no query metacharacters.
SNAPSHOT_NAME_RE = re.compile(r'^[^/*|!?{}<>"\s][^/*|!?{}<>"]{0,254}$')
SNAPSHOT_NAME_RULE = 'at most 255 characters, none of / * | ! ? { } < > " and no leading white space'

#: SVM languages accepted on POST/PATCH: the swagger ``svm.language`` enum (YAML 1.1 reads its "no" as false).
SVM_LANGUAGES = frozenset([
    "c", "da", "de", "en", "en_us", "es", "fi", "fr", "he", "it", "ja", "ja_jp.pck", "ko", "no", "nl", "pt", "sv",
    "zh", "zh.gbk", "zh_tw", "zh_tw.big5", "c.utf_8", "ar", "ar.utf_8", "cs", "cs.utf_8", "da.utf_8", "de.utf_8",
    "en.utf_8", "en_us.utf_8", "es.utf_8", "fi.utf_8", "fr.utf_8", "he.utf_8", "hr", "hr.utf_8", "hu", "hu.utf_8",
    "it.utf_8", "ja.utf_8", "ja_v1", "ja_v1.utf_8", "ja_jp.pck.utf_8", "ja_jp.932", "ja_jp.932.utf_8",
    "ja_jp.pck_v2", "ja_jp.pck_v2.utf_8", "ko.utf_8", "no.utf_8", "nl.utf_8", "pl", "pl.utf_8", "pt.utf_8", "ro",
    "ro.utf_8", "ru", "ru.utf_8", "sk", "sk.utf_8", "sl", "sl.utf_8", "sv.utf_8", "tr", "tr.utf_8", "zh.utf_8",
    "zh.gbk.utf_8", "zh_tw.utf_8", "zh_tw.big5.utf_8", "utf8mb4",
])

#: Error codes of refusals ONTAP documents no code for (simulator choices, see README "Validation").
CODE_NO_SPACE = 917536              # job failure: the aggregate has not enough free space
CODE_VOLUME_MOUNTED = 917640        # DELETE of a volume that still has a junction path

VOLUME_CREATE_FIELDS = frozenset([
    "name", "svm.name", "svm.uuid", "aggregates", "size", "comment", "state", "type", "style", "nas.path",
    "nas.export_policy.name", "nas.security_style", "nas.unix_permissions", "guarantee.type", "snapshot_policy.name",
    "space.snapshot.reserve_percent",
])
VOLUME_MODIFY_FIELDS = frozenset([
    "name", "size", "comment", "state", "nas.path", "nas.export_policy.name", "nas.security_style",
    "nas.unix_permissions", "guarantee.type", "snapshot_policy.name", "space.snapshot.reserve_percent",
    "restore_to.snapshot.name", "restore_to.snapshot.uuid", "movement.destination_aggregate.name",
    "movement.destination_aggregate.uuid", "movement.cutover_window", "movement.state",
])
VOLUME_FILTER_FIELDS = frozenset([
    "uuid", "name", "svm.name", "svm.uuid", "size", "comment", "state", "type", "style", "create_time",
    "aggregates.name", "aggregates.uuid", "nas.path", "nas.export_policy.name", "nas.security_style",
    "nas.unix_permissions", "guarantee.type", "snapshot_policy.name", "space.size", "space.available",
    "space.used", "space.snapshot.reserve_percent", "is_svm_root", "movement.state", "movement.percent_complete",
    "movement.destination_aggregate.name", "movement.destination_aggregate.uuid", "movement.start_time",
    "movement.cutover_window",
    # Fields of ONTAP's volume object the simulator does not model, known so that a read asking for them is answered
    # (without them) as ONTAP answers, not refused as unknown (262197): what netapp.ontap's na_ontap_volume 23.2.0
    # asks on every lookup. All are in the 9.8 OpenAPI volume definition except tiering.object_tags (a later release).
    "encryption.enabled", "tiering.policy", "tiering.object_tags", "qos.policy.name", "nas.gid", "nas.uid",
    "efficiency.compression", "snaplock", "files.maximum", "space.logical_space.enforcement",
    "space.logical_space.reporting",
])
#: Fields of a volume move PATCH (served by :mod:`ontap_sim.operations`, not mixed with other fields).
VOLUME_MOVE_FIELDS = frozenset(["movement.destination_aggregate.name", "movement.destination_aggregate.uuid",
                                "movement.cutover_window", "movement.state"])
VOLUME_EXPENSIVE = ("nas.path", "nas.security_style", "nas.unix_permissions", "is_svm_root")

SVM_CREATE_FIELDS = frozenset(["name", "comment", "language", "subtype", "ipspace.name", "state", "aggregates"])
SVM_MODIFY_FIELDS = frozenset(["name", "comment", "language", "state", "aggregates"])
SVM_FILTER_FIELDS = frozenset(["uuid", "name", "comment", "language", "subtype", "state", "ipspace.name",
                               "aggregates.name", "aggregates.uuid"])

SNAPSHOT_CREATE_FIELDS = frozenset(["name", "comment", "expiry_time", "snapmirror_label"])
SNAPSHOT_MODIFY_FIELDS = SNAPSHOT_CREATE_FIELDS
SNAPSHOT_FILTER_FIELDS = frozenset(["uuid", "name", "comment", "expiry_time", "snapmirror_label", "create_time",
                                    "state", "volume.name", "volume.uuid", "svm.name", "svm.uuid"])

QTREE_CREATE_FIELDS = frozenset(["name", "svm.name", "svm.uuid", "volume.name", "volume.uuid", "security_style",
                                 "unix_permissions", "export_policy.name"])
QTREE_MODIFY_FIELDS = frozenset(["name", "security_style", "unix_permissions", "export_policy.name"])
QTREE_FILTER_FIELDS = frozenset(["id", "name", "svm.name", "svm.uuid", "volume.name", "volume.uuid", "path",
                                 "security_style", "unix_permissions", "export_policy.name", "export_policy.id"])

AGGREGATE_FILTER_FIELDS = frozenset(["uuid", "name", "node.name", "node.uuid", "state", "space.block_storage.size",
                                     "space.block_storage.available", "space.block_storage.used"])


def new_uuid() -> str:
    """A fresh random UUID string."""
    return str(uuidlib.uuid4())


def flatten(body: Dict[str, Any], prefix: str = "") -> Dict[str, Any]:
    """``{"svm": {"name": "a"}}`` -> ``{"svm.name": "a"}``; lists and scalars are leaves."""
    out: Dict[str, Any] = {}
    for key, value in body.items():
        name = prefix + key
        if isinstance(value, dict) and value:
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def check_fields(flat: Dict[str, Any], allowed: frozenset) -> None:
    """400 code 2 (target = the field) for the first field not in ``allowed``."""
    for name in sorted(flat):
        if name not in allowed:
            raise unexpected_argument(name)


def _want_str(flat: Dict[str, Any], name: str, choices: Optional[Tuple[str, ...]] = None) -> Optional[str]:
    value = flat.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or (choices is not None and value not in choices):
        raise invalid_value(name, value, "|".join(choices) if choices else "")
    return value


def _want_int(flat: Dict[str, Any], name: str, low: int = 0) -> Optional[int]:
    value = flat.get(name)
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise invalid_value(name, value)
    return value


def _want_name(flat: Dict[str, Any], name: str, pattern: "re.Pattern[str]", rule: str) -> Optional[str]:
    """A string field that must match ``pattern``; 400 code 262197 naming the ``rule`` otherwise."""
    value = _want_str(flat, name)
    if value is not None and not pattern.match(value):
        raise invalid_value(name, value, rule)
    return value


def _want_size(flat: Dict[str, Any], name: str = "size") -> Optional[int]:
    """A volume size in bytes, at least :data:`MIN_VOLUME_SIZE`; 400 code 262197 otherwise."""
    size = _want_int(flat, name, 1)
    if size is not None and size < MIN_VOLUME_SIZE:
        raise invalid_value(name, size, "the minimum size of a FlexVol volume is 20MB (%d bytes)" % MIN_VOLUME_SIZE)
    return size


def _want_language(flat: Dict[str, Any]) -> Optional[str]:
    """``language``: one of :data:`SVM_LANGUAGES` (case-insensitive); 400 code 262197 otherwise."""
    value = flat.get("language")
    if value is None:
        return None
    if not isinstance(value, str) or value.lower() not in SVM_LANGUAGES:
        raise invalid_value("language", value, "one of the svm.language values, e.g. c.utf_8, en_us.utf_8")
    return value


def _want_datetime(flat: Dict[str, Any], name: str, clock: SimClock) -> Optional[str]:
    """An ISO-8601 date-time (``2026-12-01T10:00:00Z``, ``...+02:00``, naive = cluster time), normalised as ONTAP
    reads it back: cluster time zone, whole seconds, with offset (``2026-12-01T10:00:00+00:00``)."""
    value = flat.get(name)
    if value is None:
        return None
    moment = None
    if isinstance(value, str) and "T" in value.upper():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        raise invalid_value(name, value, "an ISO-8601 date-time such as 2026-12-01T10:00:00+00:00")
    return clock.localize(moment).isoformat()


#: The release the simulated cluster runs, as REST's ``cluster.version`` shows it; ZAPI's ``system-get-version``
#: answers the same release.
VERSION = {"full": "NetApp Release 9.14.1: Mon Mar 04 12:00:00 UTC 2024", "generation": 9, "major": 14, "minor": 1}


@dataclass
class WritePlan:  # pylint: disable=too-many-instance-attributes
    """A validated write: what the job will do.

    ``description`` is the job description (``"<METHOD> /api/<path>"``); ``effect`` applies the change (may raise
    ApiError, which fails the job); ``cleanup`` runs when the job ends either way; ``location`` is the
    ``Location`` header of a POST; ``record`` the record returned with ``return_records=true``. ``started`` is
    called with the job once it exists; ``owner`` (non-empty) holds the job for that owner (a process), which ends
    it (see :meth:`ontap_sim.jobs.JobEngine.conclude`).
    """

    description: str
    svm: Optional[Dict[str, str]]
    effect: Callable[[], None]
    cleanup: Optional[Callable[[], None]] = None
    location: Optional[str] = None
    record: Optional[Dict[str, Any]] = None
    started: Optional[Callable[[Any], None]] = None
    owner: str = ""


@dataclass
class Svm:  # pylint: disable=too-many-instance-attributes
    """A storage VM."""

    name: str
    uuid: str = field(default_factory=new_uuid)
    comment: str = ""
    language: str = "c.utf_8"
    subtype: str = "default"
    state: str = "running"
    ipspace: str = "Default"
    aggregates: List[str] = field(default_factory=list)
    root_uuid: str = ""
    visible_after: float = 0.0

    def ref(self) -> Dict[str, Any]:
        """``{"name", "uuid", "_links"}`` as embedded in other objects."""
        return {"name": self.name, "uuid": self.uuid, "_links": {"self": {"href": "/api/svm/svms/%s" % self.uuid}}}


@dataclass
class Aggregate:
    """A storage aggregate (read-only in the simulator)."""

    name: str
    node: str
    uuid: str = field(default_factory=new_uuid)
    size: int = 10 * TIB
    visible_after: float = 0.0


@dataclass
class Volume:  # pylint: disable=too-many-instance-attributes
    """A FlexVol volume. Sizes in bytes; ``create_time`` in simulated seconds."""

    name: str
    svm_uuid: str
    aggregate_uuid: str
    create_time: float
    uuid: str = field(default_factory=new_uuid)
    size: int = 20 * MIB
    comment: str = ""
    state: str = "online"
    type: str = "rw"
    style: str = "flexvol"
    path: str = ""
    export_policy: str = "default"
    security_style: str = "unix"
    unix_permissions: int = 755
    guarantee: str = "volume"
    snapshot_policy: str = "default"
    snapshot_reserve: int = 5
    used: int = 344064
    visible_after: float = 0.0
    movement: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Snapshot:  # pylint: disable=too-many-instance-attributes
    """A volume snapshot."""

    name: str
    volume_uuid: str
    create_time: float
    uuid: str = field(default_factory=new_uuid)
    comment: str = ""
    expiry_time: Optional[str] = None
    snapmirror_label: str = ""
    visible_after: float = 0.0


@dataclass
class Qtree:
    """A qtree; ``id`` 0 is the volume's own (unnamed) qtree."""

    name: str
    volume_uuid: str
    id: int
    security_style: str = "unix"
    unix_permissions: int = 755
    export_policy: str = "default"
    visible_after: float = 0.0


class Store:  # pylint: disable=too-many-public-methods,too-many-instance-attributes
    """All simulated objects, with lookups, rendering and write planning."""

    def __init__(self, clock: SimClock, cluster_name: str = "cluster1") -> None:
        self.clock = clock
        self.cluster_name = cluster_name
        self.cluster_uuid = new_uuid()
        self.nodes = [{"name": "node1", "uuid": new_uuid()}, {"name": "node2", "uuid": new_uuid()}]
        self.svms: Dict[str, Svm] = {}
        self.aggregates: Dict[str, Aggregate] = {}
        self.volumes: Dict[str, Volume] = {}
        self.snapshots: Dict[str, Snapshot] = {}
        self.qtrees: Dict[Tuple[str, int], Qtree] = {}
        self.reserved: Dict[Tuple[str, str, str], int] = {}
        self.snapshot_policies: List[str] = []
        self.export_policies: Dict[str, List[str]] = {}     # SVM uuid -> export policy names
        self.seed()

    # ------------------------------------------------------------------ seed and helpers
    def seed(self) -> None:
        """Reset to the seed state: SVM ``svm1`` (with root volume ``svm1_root`` and export policy ``default``),
        aggregates ``aggr1``/``aggr2`` (10 TiB each), snapshot policies ``default``, ``default-1weekly``, ``none``."""
        self.svms.clear()
        self.aggregates.clear()
        self.volumes.clear()
        self.snapshots.clear()
        self.qtrees.clear()
        self.reserved.clear()
        self.snapshot_policies = list(SEED_SNAPSHOT_POLICIES)
        self.export_policies = {}
        for name, node, size in SEED_AGGREGATES:
            aggr = Aggregate(name=name, node=node, size=size)
            self.aggregates[aggr.uuid] = aggr
        svm = Svm(name="svm1", aggregates=list(self.aggregates))
        self.svms[svm.uuid] = svm
        self.export_policies[svm.uuid] = [DEFAULT_EXPORT_POLICY]
        root = Volume(name="svm1_root", svm_uuid=svm.uuid, aggregate_uuid=next(iter(self.aggregates)),
                      create_time=self.clock.now(), size=1 * GIB, path="/")
        svm.root_uuid = root.uuid
        self._add_volume(root)

    def _add_volume(self, vol: Volume) -> None:
        self.volumes[vol.uuid] = vol
        self.qtrees[(vol.uuid, 0)] = Qtree(name="", volume_uuid=vol.uuid, id=0, visible_after=vol.visible_after)

    def _visible(self, obj: Any) -> bool:
        return bool(obj.visible_after <= self.clock.now())

    def _reserve(self, key: Tuple[str, str, str]) -> Callable[[], None]:
        self.reserved[key] = self.reserved.get(key, 0) + 1

        def release() -> None:
            left = self.reserved.get(key, 0) - 1
            if left > 0:
                self.reserved[key] = left
            else:
                self.reserved.pop(key, None)
        return release

    def _is_reserved(self, kind: str, scope: str, name: str) -> bool:
        return (kind, scope, name) in self.reserved

    def aggregate_used(self, aggr_uuid: str) -> int:
        """Bytes of the aggregate in use: a guaranteed volume (``guarantee.type`` volume) takes its whole size, a
        thin one (``none``) only what it uses."""
        return sum(v.size if v.guarantee == "volume" else v.used for v in self.volumes.values()
                   if v.aggregate_uuid == aggr_uuid)

    def aggregate_available(self, aggr_uuid: str) -> int:
        """Free bytes of the aggregate."""
        return max(0, self.aggregates[aggr_uuid].size - self.aggregate_used(aggr_uuid))

    def _check_space(self, vol_name: str, aggr_uuid: str, needed: int, size: int) -> None:
        """Fail (the job) with :data:`CODE_NO_SPACE` when ``needed`` more bytes do not fit in the aggregate."""
        available = self.aggregate_available(aggr_uuid)
        if needed > available:
            aggr = self.aggregates[aggr_uuid]
            raise ApiError(400, 'Request to size volume "%s" to %d bytes failed because there is not enough space in '
                           'aggregate "%s": %d bytes more are needed, %d bytes are available.'
                           % (vol_name, size, aggr.name, needed, available), str(CODE_NO_SPACE), target="size")

    def check_space_for(self, vol_name: str, aggr_uuid: str, size: int,
                        target: str = "movement.destination_aggregate.name") -> None:
        """400 :data:`CODE_NO_SPACE` (``target``) when ``size`` more bytes do not fit in the aggregate."""
        try:
            self._check_space(vol_name, aggr_uuid, size, size)
        except ApiError as err:
            err.target = target
            raise

    def check_snapshot_policy(self, name: Optional[str]) -> None:
        """404 code 4 (target ``snapshot_policy.name``) unless ``name`` is None or an existing snapshot policy."""
        if name is not None and name not in self.snapshot_policies:
            raise not_found("snapshot_policy.name", 'Snapshot policy "%s" does not exist.' % name)

    def check_export_policy(self, svm: Svm, name: Optional[str], target: str = "nas.export_policy.name") -> None:
        """404 code 4 (``target``) unless ``name`` is None or an export policy of the SVM."""
        if name is not None and name not in self.export_policies.get(svm.uuid, []):
            raise not_found(target, 'Export policy "%s" does not exist in SVM "%s".' % (name, svm.name))

    def node_ref(self, name: str) -> Dict[str, Any]:
        """``{"name", "uuid", "_links"}`` of a node."""
        node = next(n for n in self.nodes if n["name"] == name)
        return {"name": node["name"], "uuid": node["uuid"],
                "_links": {"self": {"href": "/api/cluster/nodes/%s" % node["uuid"]}}}

    # ------------------------------------------------------------------ lookups
    def find_svm(self, name: Optional[str] = None, svm_uuid: Optional[str] = None,
                 visible_only: bool = True) -> Svm:
        """The SVM by uuid or name; 404 code 4 (target ``svm.uuid``/``svm.name``) when absent."""
        for svm in self.svms.values():
            if visible_only and not self._visible(svm):
                continue
            if (svm_uuid is None or svm.uuid == svm_uuid) and (name is None or svm.name == name):
                return svm
        if svm_uuid is not None:
            raise not_found("svm.uuid", 'SVM "%s" does not exist.' % svm_uuid)
        raise not_found("svm.name", 'SVM "%s" does not exist.' % name)

    def find_aggregate(self, name: Optional[str] = None, aggr_uuid: Optional[str] = None) -> Aggregate:
        """The aggregate by uuid or name; 404 code 4 (target ``aggregates.name``/``aggregates.uuid``)."""
        for aggr in self.aggregates.values():
            if (aggr_uuid is None or aggr.uuid == aggr_uuid) and (name is None or aggr.name == name):
                return aggr
        if aggr_uuid is not None:
            raise not_found("aggregates.uuid", 'Aggregate "%s" does not exist.' % aggr_uuid)
        raise not_found("aggregates.name", 'Aggregate "%s" does not exist.' % name)

    def find_volume(self, vol_uuid: str, visible_only: bool = True) -> Volume:
        """The volume by uuid; 404 code 4 (target ``uuid``)."""
        vol = self.volumes.get(vol_uuid)
        if vol is None or (visible_only and not self._visible(vol)):
            raise not_found("uuid")
        return vol

    def _svm_from(self, flat: Dict[str, Any]) -> Svm:
        name, svm_uuid = _want_str(flat, "svm.name"), _want_str(flat, "svm.uuid")
        if name is None and svm_uuid is None:
            raise ApiError(400, 'No SVM was specified. Either "svm.name" or "svm.uuid" must be supplied.', "2621707",
                           target="svm.name")
        if name is not None and svm_uuid is not None:
            svm = self.find_svm(svm_uuid=svm_uuid)
            if svm.name != name:
                raise ApiError(400, 'The specified "svm.uuid" and "svm.name" do not refer to the same SVM.',
                               "2621706", target="svm.uuid")
            return svm
        return self.find_svm(name=name, svm_uuid=svm_uuid)

    # ------------------------------------------------------------------ rendering
    def render_cluster(self) -> Dict[str, Any]:
        """The ``cluster`` object (ONTAP :data:`VERSION`)."""
        return {
            "name": self.cluster_name,
            "uuid": self.cluster_uuid,
            "version": dict(VERSION),
            "location": "lab",
            "contact": "storage-admins@example.com",
            "dns_domains": ["example.com"],
            "name_servers": ["192.0.2.53"],
            "ntp_servers": ["pool.ntp.org"],
            "management_interfaces": [{"name": "cluster_mgmt", "ip": {"address": "192.0.2.10"}}],
            "_links": {"self": {"href": "/api/cluster"}},
        }

    def render_svm(self, svm: Svm) -> Dict[str, Any]:
        """Full ``svm`` record."""
        return {
            "uuid": svm.uuid, "name": svm.name, "state": svm.state, "subtype": svm.subtype,
            "language": svm.language, "comment": svm.comment, "ipspace": {"name": svm.ipspace},
            "aggregates": [{"name": self.aggregates[a].name, "uuid": a} for a in svm.aggregates
                           if a in self.aggregates],
            "_links": {"self": {"href": "/api/svm/svms/%s" % svm.uuid}},
        }

    def render_aggregate(self, aggr: Aggregate) -> Dict[str, Any]:
        """Full ``aggregate`` record (space in bytes)."""
        used = self.aggregate_used(aggr.uuid)
        return {
            "uuid": aggr.uuid, "name": aggr.name, "state": "online",
            "node": self.node_ref(aggr.node),
            "space": {"block_storage": {"size": aggr.size, "used": used, "available": max(0, aggr.size - used)}},
            "_links": {"self": {"href": "/api/storage/aggregates/%s" % aggr.uuid}},
        }

    def render_volume(self, vol: Volume) -> Dict[str, Any]:
        """Full ``volume`` record (sizes in bytes)."""
        svm = self.svms[vol.svm_uuid]
        aggr = self.aggregates[vol.aggregate_uuid]
        reserve = vol.size * vol.snapshot_reserve // 100
        nas: Dict[str, Any] = {"export_policy": {"name": vol.export_policy}, "security_style": vol.security_style,
                               "unix_permissions": vol.unix_permissions}
        if vol.path and vol.state == "online":
            nas["path"] = vol.path
        out = {
            "uuid": vol.uuid, "name": vol.name, "comment": vol.comment,
            "create_time": self.clock.iso(vol.create_time),
            "state": vol.state, "type": vol.type, "style": vol.style, "size": vol.size,
            "svm": svm.ref(),
            "aggregates": [{"name": aggr.name, "uuid": aggr.uuid}],
            "nas": nas,
            "guarantee": {"type": vol.guarantee, "honored": True},
            "snapshot_policy": {"name": vol.snapshot_policy},
            "space": {"size": vol.size, "used": vol.used, "available": max(0, vol.size - reserve - vol.used),
                      "snapshot": {"reserve_percent": vol.snapshot_reserve}},
            "is_svm_root": vol.uuid == svm.root_uuid,
            "_links": {"self": {"href": "/api/storage/volumes/%s" % vol.uuid}},
        }
        if vol.movement:
            out["movement"] = copy.deepcopy(vol.movement)
        return out

    def render_snapshot(self, snap: Snapshot) -> Dict[str, Any]:
        """Full ``snapshot`` record."""
        vol = self.volumes[snap.volume_uuid]
        svm = self.svms[vol.svm_uuid]
        out: Dict[str, Any] = {
            "uuid": snap.uuid, "name": snap.name, "comment": snap.comment,
            "create_time": self.clock.iso(snap.create_time), "state": "valid",
            "snapmirror_label": snap.snapmirror_label,
            "volume": {"name": vol.name, "uuid": vol.uuid,
                       "_links": {"self": {"href": "/api/storage/volumes/%s" % vol.uuid}}},
            "svm": svm.ref(),
            "_links": {"self": {"href": "/api/storage/volumes/%s/snapshots/%s" % (vol.uuid, snap.uuid)}},
        }
        if snap.expiry_time:
            out["expiry_time"] = snap.expiry_time
        return out

    def render_qtree(self, qtree: Qtree) -> Dict[str, Any]:
        """Full ``qtree`` record."""
        vol = self.volumes[qtree.volume_uuid]
        svm = self.svms[vol.svm_uuid]
        return {
            "id": qtree.id, "name": qtree.name,
            "path": "/%s/%s" % (vol.name, qtree.name) if qtree.name else "/%s" % vol.name,
            "security_style": qtree.security_style, "unix_permissions": qtree.unix_permissions,
            "export_policy": {"name": qtree.export_policy, "id": 0},
            "volume": {"name": vol.name, "uuid": vol.uuid,
                       "_links": {"self": {"href": "/api/storage/volumes/%s" % vol.uuid}}},
            "svm": svm.ref(),
            "_links": {"self": {"href": "/api/storage/qtrees/%s/%d" % (vol.uuid, qtree.id)}},
        }

    def list_svms(self) -> List[Dict[str, Any]]:
        """Rendered visible SVMs."""
        return [self.render_svm(s) for s in self.svms.values() if self._visible(s)]

    def list_aggregates(self) -> List[Dict[str, Any]]:
        """Rendered aggregates."""
        return [self.render_aggregate(a) for a in self.aggregates.values()]

    def list_volumes(self) -> List[Dict[str, Any]]:
        """Rendered visible volumes."""
        return [self.render_volume(v) for v in self.volumes.values() if self._visible(v)]

    def list_snapshots(self, vol_uuid: str) -> List[Dict[str, Any]]:
        """Rendered visible snapshots of a visible volume (404 when the volume is absent)."""
        self.find_volume(vol_uuid)
        return [self.render_snapshot(s) for s in self.snapshots.values()
                if s.volume_uuid == vol_uuid and self._visible(s)]

    def list_qtrees(self) -> List[Dict[str, Any]]:
        """Rendered visible qtrees (of visible volumes)."""
        return [self.render_qtree(q) for q in self.qtrees.values()
                if self._visible(q) and self._visible(self.volumes[q.volume_uuid])]

    # ------------------------------------------------------------------ volumes
    def _volume_name_taken(self, svm_uuid: str, name: str, exclude: Optional[str] = None) -> bool:
        return any(v.svm_uuid == svm_uuid and v.name == name and v.uuid != exclude
                   for v in self.volumes.values()) or self._is_reserved("volume", svm_uuid, name)

    def plan_volume_create(self, body: Dict[str, Any], lag: float = 0.0) -> WritePlan:
        """Validate ``POST /api/storage/volumes``; the volume appears when the job succeeds (``lag`` s later)."""
        flat = flatten(body)
        check_fields(flat, VOLUME_CREATE_FIELDS)
        name = _want_str(flat, "name")
        if not name:
            raise missing_field("name")
        _want_name(flat, "name", VOLUME_NAME_RE, VOLUME_NAME_RULE)
        svm = self._svm_from(flat)
        aggrs = flat.get("aggregates")
        if not aggrs:
            raise ApiError(400, 'One of "aggregates.uuid", "aggregates.name", or "style" must be provided.',
                           "787140", target="aggregates")
        if not isinstance(aggrs, list) or len(aggrs) != 1 or not isinstance(aggrs[0], dict):
            raise ApiError(400, 'When creating a flexible volume, exactly one aggregate must be specified via either '
                           '"aggregates.name" or "aggregates.uuid".', "918242", target="aggregates")
        extra = set(aggrs[0]) - {"name", "uuid"}
        if extra:
            raise unexpected_argument("aggregates." + sorted(extra)[0])
        aggr = self.find_aggregate(name=aggrs[0].get("name"), aggr_uuid=aggrs[0].get("uuid"))
        size = _want_size(flat)
        state = _want_str(flat, "state", ("online", "offline", "restricted"))
        vtype = _want_str(flat, "type", ("rw", "dp"))
        style = _want_str(flat, "style", ("flexvol",))
        path = _want_str(flat, "nas.path")
        if path and (not path.startswith("/") or (len(path) > 1 and path.endswith("/"))):
            raise ApiError(400, '"nas.path" is invalid.', "918252", target="nas.path")
        self.check_snapshot_policy(_want_str(flat, "snapshot_policy.name"))
        self.check_export_policy(svm, _want_str(flat, "nas.export_policy.name"))
        if self._volume_name_taken(svm.uuid, name):
            raise duplicate('Duplicate volume name "%s" in SVM "%s".' % (name, svm.name))
        vol = Volume(name=name, svm_uuid=svm.uuid, aggregate_uuid=aggr.uuid, create_time=0.0,
                     size=size or MIN_VOLUME_SIZE, comment=_want_str(flat, "comment") or "", state=state or "online",
                     type=vtype or "rw", style=style or "flexvol", path=path or "",
                     export_policy=_want_str(flat, "nas.export_policy.name") or "default",
                     security_style=_want_str(flat, "nas.security_style", ("unix", "ntfs", "mixed", "unified"))
                     or "unix",
                     unix_permissions=_want_int(flat, "nas.unix_permissions") or 755,
                     guarantee=_want_str(flat, "guarantee.type", ("volume", "none")) or "volume",
                     snapshot_policy=_want_str(flat, "snapshot_policy.name") or "default",
                     snapshot_reserve=_want_int(flat, "space.snapshot.reserve_percent") or 5)
        release = self._reserve(("volume", svm.uuid, name))

        def effect() -> None:
            release()
            if self._volume_name_taken(svm.uuid, name) or svm.uuid not in self.svms:
                raise duplicate('Duplicate volume name "%s" in SVM "%s".' % (name, svm.name))
            if vol.guarantee == "volume":
                self._check_space(name, vol.aggregate_uuid, vol.size, vol.size)
            vol.create_time = self.clock.now()
            vol.visible_after = vol.create_time + lag
            self._add_volume(vol)

        return WritePlan("POST /api/storage/volumes", svm.ref(), effect, cleanup=release,
                         location="/api/storage/volumes/?name=%s" % name,
                         record={"uuid": vol.uuid, "name": name,
                                 "_links": {"self": {"href": "/api/storage/volumes/%s" % vol.uuid}}})

    def plan_volume_modify(self, vol_uuid: str, body: Dict[str, Any]) -> WritePlan:
        """Validate ``PATCH /api/storage/volumes/{uuid}`` (rename, resize, state, junction, comment, ...)."""
        vol = self.find_volume(vol_uuid)
        flat = flatten(body)
        check_fields(flat, VOLUME_MODIFY_FIELDS)
        name = _want_name(flat, "name", VOLUME_NAME_RE, VOLUME_NAME_RULE)
        if name is not None and self._volume_name_taken(vol.svm_uuid, name, exclude=vol.uuid):
            raise duplicate('Duplicate volume name "%s".' % name)
        size = _want_size(flat)
        state = _want_str(flat, "state", ("online", "offline", "restricted"))
        path = _want_str(flat, "nas.path")
        if path and (not path.startswith("/") or (len(path) > 1 and path.endswith("/"))):
            raise ApiError(400, '"nas.path" is invalid.', "918252", target="nas.path")
        changes: Dict[str, Any] = {
            "name": name, "size": size, "state": state, "path": path,
            "comment": _want_str(flat, "comment"),
            "export_policy": _want_str(flat, "nas.export_policy.name"),
            "security_style": _want_str(flat, "nas.security_style", ("unix", "ntfs", "mixed", "unified")),
            "unix_permissions": _want_int(flat, "nas.unix_permissions"),
            "guarantee": _want_str(flat, "guarantee.type", ("volume", "none")),
            "snapshot_policy": _want_str(flat, "snapshot_policy.name"),
            "snapshot_reserve": _want_int(flat, "space.snapshot.reserve_percent"),
        }
        changes = {k: v for k, v in changes.items() if v is not None}
        svm = self.svms[vol.svm_uuid]
        self.check_snapshot_policy(changes.get("snapshot_policy"))
        self.check_export_policy(svm, changes.get("export_policy"))
        restore_name, restore_uuid = _want_str(flat, "restore_to.snapshot.name"), _want_str(flat, "restore_to.snapshot.uuid")
        restore = None
        if restore_name is not None or restore_uuid is not None:
            restore = next((s for s in self.snapshots.values() if s.volume_uuid == vol_uuid and self._visible(s)
                            and (restore_name is None or s.name == restore_name)
                            and (restore_uuid is None or s.uuid == restore_uuid)), None)
            if restore is None:
                raise not_found("restore_to.snapshot.name" if restore_name is not None else "restore_to.snapshot.uuid")

        def effect() -> None:
            target = self.find_volume(vol_uuid, visible_only=False)
            if restore is not None:
                # A restore (snapshot revert) deletes the snapshots newer than the one restored, as ONTAP does.
                for snap in [s for s in self.snapshots.values() if s.volume_uuid == vol_uuid
                             and s.create_time > restore.create_time]:
                    del self.snapshots[snap.uuid]
            if "name" in changes and self._volume_name_taken(target.svm_uuid, changes["name"], exclude=target.uuid):
                raise duplicate('Duplicate volume name "%s".' % changes["name"])
            new_size = changes.get("size", target.size)
            guarantee = changes.get("guarantee", target.guarantee)
            if guarantee == "volume":
                taken = target.size if target.guarantee == "volume" else target.used
                self._check_space(target.name, target.aggregate_uuid, new_size - taken, new_size)
            for key, value in changes.items():
                setattr(target, key, value)
            if changes.get("state") == "offline":
                target.path = ""

        return WritePlan("PATCH /api/storage/volumes/%s" % vol_uuid, svm.ref(), effect)

    def plan_volume_delete(self, vol_uuid: str) -> WritePlan:
        """Validate ``DELETE /api/storage/volumes/{uuid}``; the volume (with snapshots, qtrees) goes at success."""
        vol = self.find_volume(vol_uuid)
        svm = self.svms[vol.svm_uuid]
        if vol.uuid == svm.root_uuid:
            raise ApiError(409, 'Cannot delete the root volume of SVM "%s".' % svm.name, "8", target="uuid")
        if vol.path and vol.state == "online":
            raise ApiError(400, 'Volume "%s" in SVM "%s" is mounted at junction path "%s". Unmount it (PATCH '
                           '"nas.path" to "") before deleting it.' % (vol.name, svm.name, vol.path),
                           str(CODE_VOLUME_MOUNTED), target="nas.path")

        def effect() -> None:
            self.find_volume(vol_uuid, visible_only=False)
            self._remove_volume(vol_uuid)

        return WritePlan("DELETE /api/storage/volumes/%s" % vol_uuid, svm.ref(), effect)

    def _remove_volume(self, vol_uuid: str) -> None:
        self.volumes.pop(vol_uuid, None)
        for snap_uuid in [s.uuid for s in self.snapshots.values() if s.volume_uuid == vol_uuid]:
            del self.snapshots[snap_uuid]
        for key in [k for k in self.qtrees if k[0] == vol_uuid]:
            del self.qtrees[key]

    # ------------------------------------------------------------------ svms
    def plan_svm_create(self, body: Dict[str, Any], lag: float = 0.0) -> WritePlan:
        """Validate ``POST /api/svm/svms``."""
        flat = flatten(body)
        check_fields(flat, SVM_CREATE_FIELDS)
        name = _want_name(flat, "name", SVM_NAME_RE, SVM_NAME_RULE)
        if not name:
            raise missing_field("name")
        if name.lower() == "all":
            raise invalid_value("name", name, SVM_NAME_RULE)
        if any(s.name == name for s in self.svms.values()) or self._is_reserved("svm", "", name):
            raise duplicate('Duplicate SVM name "%s".' % name)
        aggr_uuids = []
        for item in flat.get("aggregates") or []:
            if not isinstance(item, dict):
                raise invalid_value("aggregates", item)
            aggr_uuids.append(self.find_aggregate(name=item.get("name"), aggr_uuid=item.get("uuid")).uuid)
        svm = Svm(name=name, comment=_want_str(flat, "comment") or "",
                  language=_want_language(flat) or "c.utf_8",
                  subtype=_want_str(flat, "subtype", ("default", "dp_destination")) or "default",
                  state=_want_str(flat, "state", ("running", "stopped")) or "running",
                  ipspace=_want_str(flat, "ipspace.name") or "Default", aggregates=aggr_uuids)
        release = self._reserve(("svm", "", name))

        def effect() -> None:
            release()
            if any(s.name == name for s in self.svms.values()):
                raise duplicate('Duplicate SVM name "%s".' % name)
            svm.visible_after = self.clock.now() + lag
            self.svms[svm.uuid] = svm
            root = Volume(name=re.sub(r"[^A-Za-z0-9_]", "_", name) + "_root", svm_uuid=svm.uuid,
                          aggregate_uuid=(aggr_uuids or list(self.aggregates))[0], create_time=self.clock.now(),
                          size=1 * GIB, path="/", visible_after=svm.visible_after)
            svm.root_uuid = root.uuid
            self._add_volume(root)
            self.export_policies[svm.uuid] = [DEFAULT_EXPORT_POLICY]

        return WritePlan("POST /api/svm/svms", None, effect, cleanup=release,
                         location="/api/svm/svms/?name=%s" % name,
                         record={"uuid": svm.uuid, "name": name,
                                 "_links": {"self": {"href": "/api/svm/svms/%s" % svm.uuid}}})

    def plan_svm_modify(self, svm_uuid: str, body: Dict[str, Any]) -> WritePlan:
        """Validate ``PATCH /api/svm/svms/{uuid}``."""
        svm = self.find_svm(svm_uuid=svm_uuid)
        flat = flatten(body)
        check_fields(flat, SVM_MODIFY_FIELDS)
        name = _want_name(flat, "name", SVM_NAME_RE, SVM_NAME_RULE)
        if name is not None and name.lower() == "all":
            raise invalid_value("name", name, SVM_NAME_RULE)
        if name is not None and any(s.name == name and s.uuid != svm_uuid for s in self.svms.values()):
            raise duplicate('Duplicate SVM name "%s".' % name)
        changes = {"name": name, "comment": _want_str(flat, "comment"), "language": _want_language(flat),
                   "state": _want_str(flat, "state", ("running", "stopped"))}
        changes = {k: v for k, v in changes.items() if v is not None}
        if flat.get("aggregates") is not None:
            changes["aggregates"] = [self.find_aggregate(name=item.get("name"), aggr_uuid=item.get("uuid")).uuid
                                     for item in flat["aggregates"] if isinstance(item, dict)]

        def effect() -> None:
            target = self.find_svm(svm_uuid=svm_uuid, visible_only=False)
            for key, value in changes.items():
                setattr(target, key, value)

        return WritePlan("PATCH /api/svm/svms/%s" % svm_uuid, svm.ref(), effect)

    def plan_svm_delete(self, svm_uuid: str) -> WritePlan:
        """Validate ``DELETE /api/svm/svms/{uuid}``; 409 code 8 while it holds volumes other than its root."""
        svm = self.find_svm(svm_uuid=svm_uuid)
        vols = [v for v in self.volumes.values() if v.svm_uuid == svm_uuid and v.uuid != svm.root_uuid]
        if vols:
            raise ApiError(409, 'Cannot delete SVM "%s" because it contains %d volume(s).' % (svm.name, len(vols)),
                           "8", target="uuid")

        def effect() -> None:
            self.find_svm(svm_uuid=svm_uuid, visible_only=False)
            for vol_uuid in [v.uuid for v in self.volumes.values() if v.svm_uuid == svm_uuid]:
                self._remove_volume(vol_uuid)
            del self.svms[svm_uuid]
            self.export_policies.pop(svm_uuid, None)

        return WritePlan("DELETE /api/svm/svms/%s" % svm_uuid, svm.ref(), effect)

    # ------------------------------------------------------------------ snapshots
    def find_snapshot(self, vol_uuid: str, snap_uuid: str) -> Snapshot:
        """The snapshot of a volume; 404 code 4."""
        self.find_volume(vol_uuid)
        snap = self.snapshots.get(snap_uuid)
        if snap is None or snap.volume_uuid != vol_uuid or not self._visible(snap):
            raise not_found("uuid")
        return snap

    def plan_snapshot_create(self, vol_uuid: str, body: Dict[str, Any], lag: float = 0.0) -> WritePlan:
        """Validate ``POST /api/storage/volumes/{uuid}/snapshots``."""
        vol = self.find_volume(vol_uuid)
        flat = flatten(body)
        check_fields(flat, SNAPSHOT_CREATE_FIELDS)
        name = _want_name(flat, "name", SNAPSHOT_NAME_RE, SNAPSHOT_NAME_RULE)
        if not name:
            raise missing_field("name")
        if vol.state != "online":
            raise ApiError(400, 'Volume "%s" is not online.' % vol.name, "2", target="volume.uuid")
        taken = any(s.volume_uuid == vol_uuid and s.name == name for s in self.snapshots.values())
        if taken or self._is_reserved("snapshot", vol_uuid, name):
            raise duplicate('Snapshot copy "%s" of volume "%s" already exists.' % (name, vol.name))
        snap = Snapshot(name=name, volume_uuid=vol_uuid, create_time=0.0, comment=_want_str(flat, "comment") or "",
                        expiry_time=_want_datetime(flat, "expiry_time", self.clock),
                        snapmirror_label=_want_str(flat, "snapmirror_label") or "")
        release = self._reserve(("snapshot", vol_uuid, name))

        def effect() -> None:
            release()
            self.find_volume(vol_uuid, visible_only=False)
            if any(s.volume_uuid == vol_uuid and s.name == name for s in self.snapshots.values()):
                raise duplicate('Snapshot copy "%s" of volume "%s" already exists.' % (name, vol.name))
            snap.create_time = self.clock.now()
            snap.visible_after = snap.create_time + lag
            self.snapshots[snap.uuid] = snap

        base = "/api/storage/volumes/%s/snapshots" % vol_uuid
        return WritePlan("POST %s" % base, self.svms[vol.svm_uuid].ref(), effect, cleanup=release,
                         location="%s/?name=%s" % (base, name),
                         record={"uuid": snap.uuid, "name": name,
                                 "_links": {"self": {"href": "%s/%s" % (base, snap.uuid)}}})

    def plan_snapshot_modify(self, vol_uuid: str, snap_uuid: str, body: Dict[str, Any]) -> WritePlan:
        """Validate ``PATCH /api/storage/volumes/{uuid}/snapshots/{uuid}`` (rename, comment, label, expiry)."""
        snap = self.find_snapshot(vol_uuid, snap_uuid)
        flat = flatten(body)
        check_fields(flat, SNAPSHOT_MODIFY_FIELDS)
        name = _want_name(flat, "name", SNAPSHOT_NAME_RE, SNAPSHOT_NAME_RULE)
        if name is not None and any(s.volume_uuid == vol_uuid and s.name == name and s.uuid != snap_uuid
                                    for s in self.snapshots.values()):
            raise duplicate('Snapshot copy "%s" already exists.' % name)
        changes = {"name": name, "comment": _want_str(flat, "comment"),
                   "expiry_time": _want_datetime(flat, "expiry_time", self.clock),
                   "snapmirror_label": _want_str(flat, "snapmirror_label")}
        changes = {k: v for k, v in changes.items() if v is not None}

        def effect() -> None:
            if snap.uuid not in self.snapshots:
                raise not_found("uuid")
            for key, value in changes.items():
                setattr(snap, key, value)

        vol = self.volumes[vol_uuid]
        return WritePlan("PATCH /api/storage/volumes/%s/snapshots/%s" % (vol_uuid, snap_uuid),
                         self.svms[vol.svm_uuid].ref(), effect)

    def plan_snapshot_delete(self, vol_uuid: str, snap_uuid: str) -> WritePlan:
        """Validate ``DELETE /api/storage/volumes/{uuid}/snapshots/{uuid}``."""
        self.find_snapshot(vol_uuid, snap_uuid)

        def effect() -> None:
            if self.snapshots.pop(snap_uuid, None) is None:
                raise not_found("uuid")

        vol = self.volumes[vol_uuid]
        return WritePlan("DELETE /api/storage/volumes/%s/snapshots/%s" % (vol_uuid, snap_uuid),
                         self.svms[vol.svm_uuid].ref(), effect)

    # ------------------------------------------------------------------ qtrees
    def find_qtree(self, vol_uuid: str, qtree_id: int) -> Qtree:
        """The qtree by volume uuid and id; 404 code 4."""
        self.find_volume(vol_uuid)
        qtree = self.qtrees.get((vol_uuid, qtree_id))
        if qtree is None or not self._visible(qtree):
            raise not_found("id")
        return qtree

    def plan_qtree_create(self, body: Dict[str, Any], lag: float = 0.0) -> WritePlan:
        """Validate ``POST /api/storage/qtrees`` (``svm``, ``volume`` and ``name`` required)."""
        flat = flatten(body)
        check_fields(flat, QTREE_CREATE_FIELDS)
        name = _want_str(flat, "name")
        if not name:
            raise missing_field("name")
        svm = self._svm_from(flat)
        vol_name, vol_uuid = _want_str(flat, "volume.name"), _want_str(flat, "volume.uuid")
        if vol_name is None and vol_uuid is None:
            raise missing_field("volume.name")
        vol = next((v for v in self.volumes.values() if v.svm_uuid == svm.uuid and self._visible(v)
                    and (vol_uuid is None or v.uuid == vol_uuid) and (vol_name is None or v.name == vol_name)), None)
        if vol is None:
            raise not_found("volume.uuid" if vol_uuid else "volume.name",
                            'Volume "%s" does not exist in SVM "%s".' % (vol_uuid or vol_name, svm.name))
        taken = any(q.volume_uuid == vol.uuid and q.name == name for q in self.qtrees.values())
        if taken or self._is_reserved("qtree", vol.uuid, name):
            raise duplicate('Qtree "%s" already exists in volume "%s".' % (name, vol.name))
        qtree = Qtree(name=name, volume_uuid=vol.uuid, id=-1,
                      security_style=_want_str(flat, "security_style", ("unix", "ntfs", "mixed")) or "unix",
                      unix_permissions=_want_int(flat, "unix_permissions") or 755,
                      export_policy=_want_str(flat, "export_policy.name") or DEFAULT_EXPORT_POLICY)
        self.check_export_policy(svm, _want_str(flat, "export_policy.name"), "export_policy.name")
        release = self._reserve(("qtree", vol.uuid, name))
        target_vol = vol

        def effect() -> None:
            release()
            self.find_volume(target_vol.uuid, visible_only=False)
            if any(q.volume_uuid == target_vol.uuid and q.name == name for q in self.qtrees.values()):
                raise duplicate('Qtree "%s" already exists in volume "%s".' % (name, target_vol.name))
            qtree.id = 1 + max(q.id for q in self.qtrees.values() if q.volume_uuid == target_vol.uuid)
            qtree.visible_after = self.clock.now() + lag
            self.qtrees[(target_vol.uuid, qtree.id)] = qtree

        return WritePlan("POST /api/storage/qtrees", svm.ref(), effect, cleanup=release,
                         location="/api/storage/qtrees/?name=%s&volume.uuid=%s" % (name, vol.uuid),
                         record={"name": name, "volume": {"name": vol.name, "uuid": vol.uuid}})

    def plan_qtree_modify(self, vol_uuid: str, qtree_id: int, body: Dict[str, Any]) -> WritePlan:
        """Validate ``PATCH /api/storage/qtrees/{volume.uuid}/{id}``."""
        qtree = self.find_qtree(vol_uuid, qtree_id)
        flat = flatten(body)
        check_fields(flat, QTREE_MODIFY_FIELDS)
        name = _want_str(flat, "name")
        if qtree_id == 0 and name is not None:
            raise invalid_value("name", name)
        if name is not None and any(q.volume_uuid == vol_uuid and q.name == name and q.id != qtree_id
                                    for q in self.qtrees.values()):
            raise duplicate('Qtree "%s" already exists.' % name)
        changes = {"name": name,
                   "security_style": _want_str(flat, "security_style", ("unix", "ntfs", "mixed")),
                   "unix_permissions": _want_int(flat, "unix_permissions"),
                   "export_policy": _want_str(flat, "export_policy.name")}
        changes = {k: v for k, v in changes.items() if v is not None}
        self.check_export_policy(self.svms[self.volumes[vol_uuid].svm_uuid], changes.get("export_policy"),
                                 "export_policy.name")

        def effect() -> None:
            if self.qtrees.get((vol_uuid, qtree_id)) is not qtree:
                raise not_found("id")
            for key, value in changes.items():
                setattr(qtree, key, value)

        vol = self.volumes[vol_uuid]
        return WritePlan("PATCH /api/storage/qtrees/%s/%d" % (vol_uuid, qtree_id), self.svms[vol.svm_uuid].ref(),
                         effect)

    def plan_qtree_delete(self, vol_uuid: str, qtree_id: int) -> WritePlan:
        """Validate ``DELETE /api/storage/qtrees/{volume.uuid}/{id}`` (qtree 0 cannot be deleted)."""
        self.find_qtree(vol_uuid, qtree_id)
        if qtree_id == 0:
            raise ApiError(400, "The default qtree (ID 0) of a volume cannot be deleted.", "2", target="id")

        def effect() -> None:
            if self.qtrees.pop((vol_uuid, qtree_id), None) is None:
                raise not_found("id")

        vol = self.volumes[vol_uuid]
        return WritePlan("DELETE /api/storage/qtrees/%s/%d" % (vol_uuid, qtree_id), self.svms[vol.svm_uuid].ref(),
                         effect)

    def snapshot_state(self) -> Dict[str, Any]:
        """A JSON dump of every object (for ``GET /_sim/state``)."""
        return copy.deepcopy({
            "svms": [self.render_svm(s) for s in self.svms.values()],
            "aggregates": self.list_aggregates(),
            "volumes": [self.render_volume(v) for v in self.volumes.values()],
            "snapshots": [self.render_snapshot(s) for s in self.snapshots.values()],
            "qtrees": [self.render_qtree(q) for q in self.qtrees.values()],
            "snapshot_policies": list(self.snapshot_policies),
            "export_policies": [{"svm": {"name": self.svms[u].name, "uuid": u}, "name": n}
                                for u, names in self.export_policies.items() if u in self.svms for n in names],
        })

    def add_policy(self, data: Dict[str, Any]) -> Dict[str, Any]:
        """``POST /_sim/policies``: ``{"kind": "snapshot", "name"}`` or ``{"kind": "export", "name", "svm": <SVM
        name>}`` adds a policy (until reset); ValueError when invalid. Returns the body."""
        unknown = set(data) - {"kind", "name", "svm"}
        if unknown:
            raise ValueError("unknown policy keys: %s" % ", ".join(sorted(unknown)))
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError('"name" (a string) is required')
        if data.get("kind") == "snapshot" and "svm" not in data:
            if name not in self.snapshot_policies:
                self.snapshot_policies.append(name)
        elif data.get("kind") == "export":
            svm = next((v for v in self.svms.values() if v.name == data.get("svm")), None)
            if svm is None:
                raise ValueError('"svm" must name an existing SVM')
            names = self.export_policies.setdefault(svm.uuid, [])
            if name not in names:
                names.append(name)
        else:
            raise ValueError('"kind" must be snapshot (no "svm") or export (with "svm")')
        return dict(data)
