"""Collection descriptors: one :class:`Descriptor` per ONTAP collection, served by the generic router in
:mod:`ontap_sim.api`.

A descriptor names the collection's path (parent keys in braces, e.g. ``/storage/volumes/{volume.uuid}/snapshots``),
the record keys that follow it, the field sets (identity, filter, create, modify, expensive), how to list and read
records, and the *plan hooks* that validate a write and return its :class:`~ontap_sim.model.WritePlan` (the effect
the job applies). The router derives every route from it: ``GET`` collection and record, ``POST`` (when
``create`` is set), ``PATCH`` (``modify``), ``DELETE`` (``delete``) and query-based ``PATCH``/``DELETE`` on the
collection (when ``query_writes``). A new collection costs a descriptor plus its rules (see the snapshot
policies below).

Hooks receive a :class:`Context`: the simulator, the path keys (dotted names, e.g. ``{"volume.uuid": ...,
"uuid": ...}``), the request body and the read-after-write lag of a POST. They run with the simulator lock held.
"""

import uuid as uuidlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from .errors import ApiError, not_found
from .model import (AGGREGATE_FILTER_FIELDS, QTREE_CREATE_FIELDS, QTREE_FILTER_FIELDS, QTREE_MODIFY_FIELDS,
                    SNAPSHOT_CREATE_FIELDS, SNAPSHOT_FILTER_FIELDS, SNAPSHOT_MODIFY_FIELDS, SVM_CREATE_FIELDS,
                    SVM_FILTER_FIELDS, SVM_MODIFY_FIELDS, VOLUME_CREATE_FIELDS, VOLUME_EXPENSIVE,
                    VOLUME_FILTER_FIELDS, VOLUME_MODIFY_FIELDS, Store, WritePlan)

if TYPE_CHECKING:  # pragma: no cover
    from .core import Simulator

Record = Dict[str, Any]


@dataclass
class Context:
    """What a hook sees: the simulator, the path keys, the body and (POST) the read-after-write lag."""

    sim: "Simulator"
    keys: Dict[str, Any]
    body: Dict[str, Any] = field(default_factory=dict)
    lag: float = 0.0

    @property
    def store(self) -> Store:
        """The object store."""
        return self.sim.store


ListHook = Callable[[Context], List[Record]]
GetHook = Callable[[Context], Record]
PlanHook = Callable[[Context], WritePlan]
OwnerHook = Callable[[Context], Optional[str]]


@dataclass(frozen=True)
class Descriptor:  # pylint: disable=too-many-instance-attributes
    """One collection.

    ``path``: under ``/api``, parent keys in braces. ``keys``: ``((field, type), ...)`` of the record path after
    ``path`` (also the order of query-based writes and of their ``start.<field>`` tokens). ``identity``: fields
    every record shows (also without ``fields``). ``filter_fields``/``expensive``/``order``: as the collection GET
    uses them. ``create_fields``/``modify_fields``: the body fields POST/PATCH accept (``modify_fields`` also checks
    a query-based PATCH body; the router checks POST/PATCH bodies itself unless ``hooks_check_fields``).
    ``list``/``get``: rendered visible records (``get`` raises 404). ``create``/``modify``/``delete``: plan hooks
    (None = method not served). ``owner``: the SVM uuid owning the addressed object (None = no such object or no
    SVM), for SVM-scoped users (404 code 4 for other SVMs' objects); ``scope``: the record field such users are
    confined to in collection GETs (None = no filter); ``scoped_body``: a POST body of such a user defaults to its
    SVM. ``job_description``: the job's description, formatted with ``method`` and ``path`` (``/api/...``).
    ``process_target``: the kind name processes use for records of this collection (stale-state reads).
    """

    name: str
    path: str
    keys: Tuple[Tuple[str, type], ...]
    identity: Tuple[str, ...]
    filter_fields: frozenset
    list: ListHook
    get: GetHook
    order: Tuple[str, ...] = ()
    expensive: Tuple[str, ...] = ()
    create_fields: frozenset = frozenset()
    modify_fields: frozenset = frozenset()
    create: Optional[PlanHook] = None
    modify: Optional[PlanHook] = None
    delete: Optional[PlanHook] = None
    query_writes: bool = True
    owner: Optional[OwnerHook] = None
    scope: Optional[str] = None
    scoped_body: bool = False
    hooks_check_fields: bool = False
    job_description: str = "{method} {path}"
    process_target: Optional[str] = None

    @property
    def parents(self) -> List[str]:
        """The parent keys of ``path`` (dotted names), in order."""
        out = []
        for part in self.path.split("/"):
            if part.startswith("{") and part.endswith("}"):
                out.append(part[1:-1])
        return out

    def collection_path(self, keys: Dict[str, Any]) -> str:
        """``/api/...`` of the collection with the parent keys filled in."""
        parts = [str(keys[p[1:-1]]) if p.startswith("{") else p for p in self.path.split("/")]
        return "/api" + "/".join(parts)

    def record_path(self, keys: Dict[str, Any]) -> str:
        """``/api/...`` of one record."""
        return self.collection_path(keys) + "".join("/%s" % keys[name] for name, dummy in self.keys)

    def describe(self, method: str, path: str) -> str:
        """The job description of a ``method`` write on ``path``."""
        return self.job_description.format(method=method, path=path)


# ---------------------------------------------------------------------- hooks shared by the storage objects
def _volume_owner(key: str) -> OwnerHook:
    def owner(ctx: Context) -> Optional[str]:
        vol = ctx.store.volumes.get(ctx.keys[key])
        return vol.svm_uuid if vol is not None else None
    return owner


def _svm_get(ctx: Context) -> Record:
    try:
        return ctx.store.render_svm(ctx.store.find_svm(svm_uuid=ctx.keys["uuid"]))
    except ApiError as err:
        err.target = "uuid"
        raise


def _volume_modify(ctx: Context) -> WritePlan:
    """PATCH of a volume: a move (``movement.*``) goes to :mod:`ontap_sim.operations`, anything else to the model."""
    if "movement" in ctx.body:
        return ctx.sim.operations.plan_volume_move(ctx.keys["uuid"], ctx.body)
    return ctx.store.plan_volume_modify(ctx.keys["uuid"], ctx.body)


def _aggregate_get(ctx: Context) -> Record:
    aggr = ctx.store.aggregates.get(ctx.keys["uuid"])
    if aggr is None:
        raise ApiError(404, "entry doesn't exist", "4", target="uuid")
    return ctx.store.render_aggregate(aggr)


SVMS = Descriptor(
    name="svm", path="/svm/svms", keys=(("uuid", str),), identity=("uuid", "name"),
    filter_fields=SVM_FILTER_FIELDS, order=("name",),
    create_fields=SVM_CREATE_FIELDS, modify_fields=SVM_MODIFY_FIELDS, hooks_check_fields=True,
    list=lambda ctx: ctx.store.list_svms(), get=_svm_get,
    create=lambda ctx: ctx.store.plan_svm_create(ctx.body, ctx.lag),
    modify=lambda ctx: ctx.store.plan_svm_modify(ctx.keys["uuid"], ctx.body),
    delete=lambda ctx: ctx.store.plan_svm_delete(ctx.keys["uuid"]),
    query_writes=False, owner=lambda ctx: ctx.keys["uuid"], scope="uuid",
)

AGGREGATES = Descriptor(
    name="aggregate", path="/storage/aggregates", keys=(("uuid", str),), identity=("uuid", "name"),
    filter_fields=AGGREGATE_FILTER_FIELDS, order=("name",),
    list=lambda ctx: ctx.store.list_aggregates(), get=_aggregate_get, query_writes=False,
)

VOLUMES = Descriptor(
    name="volume", path="/storage/volumes", keys=(("uuid", str),), identity=("uuid", "name"),
    filter_fields=VOLUME_FILTER_FIELDS, order=("name", "svm.name"), expensive=VOLUME_EXPENSIVE,
    create_fields=VOLUME_CREATE_FIELDS, modify_fields=VOLUME_MODIFY_FIELDS, hooks_check_fields=True,
    list=lambda ctx: ctx.store.list_volumes(),
    get=lambda ctx: ctx.store.render_volume(ctx.store.find_volume(ctx.keys["uuid"])),
    create=lambda ctx: ctx.store.plan_volume_create(ctx.body, ctx.lag),
    modify=_volume_modify,
    delete=lambda ctx: ctx.store.plan_volume_delete(ctx.keys["uuid"]),
    owner=_volume_owner("uuid"), scope="svm.uuid", scoped_body=True, process_target="volume",
)

SNAPSHOTS = Descriptor(
    name="snapshot", path="/storage/volumes/{volume.uuid}/snapshots", keys=(("uuid", str),),
    identity=("uuid", "name"), filter_fields=SNAPSHOT_FILTER_FIELDS, order=("create_time", "name"),
    create_fields=SNAPSHOT_CREATE_FIELDS, modify_fields=SNAPSHOT_MODIFY_FIELDS, hooks_check_fields=True,
    list=lambda ctx: ctx.store.list_snapshots(ctx.keys["volume.uuid"]),
    get=lambda ctx: ctx.store.render_snapshot(ctx.store.find_snapshot(ctx.keys["volume.uuid"], ctx.keys["uuid"])),
    create=lambda ctx: ctx.store.plan_snapshot_create(ctx.keys["volume.uuid"], ctx.body, ctx.lag),
    modify=lambda ctx: ctx.store.plan_snapshot_modify(ctx.keys["volume.uuid"], ctx.keys["uuid"], ctx.body),
    delete=lambda ctx: ctx.store.plan_snapshot_delete(ctx.keys["volume.uuid"], ctx.keys["uuid"]),
    owner=_volume_owner("volume.uuid"),
)

QTREES = Descriptor(
    name="qtree", path="/storage/qtrees", keys=(("volume.uuid", str), ("id", int)),
    identity=("svm.name", "svm.uuid", "volume.name", "volume.uuid", "id", "name"),
    filter_fields=QTREE_FILTER_FIELDS, order=("svm.name", "volume.name", "id"),
    create_fields=QTREE_CREATE_FIELDS, modify_fields=QTREE_MODIFY_FIELDS, hooks_check_fields=True,
    list=lambda ctx: ctx.store.list_qtrees(),
    get=lambda ctx: ctx.store.render_qtree(ctx.store.find_qtree(ctx.keys["volume.uuid"], ctx.keys["id"])),
    create=lambda ctx: ctx.store.plan_qtree_create(ctx.body, ctx.lag),
    modify=lambda ctx: ctx.store.plan_qtree_modify(ctx.keys["volume.uuid"], ctx.keys["id"], ctx.body),
    delete=lambda ctx: ctx.store.plan_qtree_delete(ctx.keys["volume.uuid"], ctx.keys["id"]),
    owner=_volume_owner("volume.uuid"), scope="svm.uuid", scoped_body=True,
)


# ---------------------------------------------------------------------- snapshot policies (descriptor only)
#: Field sets of ``/api/storage/snapshot-policies`` (GET only; policies are added with ``POST /_sim/policies``).
SNAPSHOT_POLICY_FILTER_FIELDS = frozenset(["uuid", "name", "comment", "enabled", "scope", "copies.count",
                                           "copies.prefix", "copies.schedule.name"])
#: Copies of the built-in policies (ONTAP's defaults); other policies have none.
SNAPSHOT_POLICY_COPIES = {
    "default": [(6, "hourly"), (2, "daily"), (2, "weekly")],
    "default-1weekly": [(6, "hourly"), (2, "daily"), (1, "weekly")],
}
_POLICY_NAMESPACE = uuidlib.UUID("6c1b0b8e-5e1f-4a4f-9d52-2f5b8f0c7a11")


def snapshot_policy_uuid(store: Store, name: str) -> str:
    """A stable uuid per cluster and policy name."""
    return str(uuidlib.uuid5(_POLICY_NAMESPACE, "%s/%s" % (store.cluster_uuid, name)))


def render_snapshot_policy(store: Store, name: str) -> Record:
    """A ``snapshot_policy`` record."""
    policy_uuid = snapshot_policy_uuid(store, name)
    copies = [{"count": count, "prefix": schedule, "schedule": {"name": schedule}}
              for count, schedule in SNAPSHOT_POLICY_COPIES.get(name, [])]
    return {"uuid": policy_uuid, "name": name, "comment": "", "enabled": name != "none", "scope": "cluster",
            "copies": copies, "_links": {"self": {"href": "/api/storage/snapshot-policies/%s" % policy_uuid}}}


def _snapshot_policy_get(ctx: Context) -> Record:
    for name in ctx.store.snapshot_policies:
        if snapshot_policy_uuid(ctx.store, name) == ctx.keys["uuid"]:
            return render_snapshot_policy(ctx.store, name)
    raise not_found("uuid")


SNAPSHOT_POLICIES = Descriptor(
    name="snapshot_policy", path="/storage/snapshot-policies", keys=(("uuid", str),), identity=("uuid", "name"),
    filter_fields=SNAPSHOT_POLICY_FILTER_FIELDS, order=("name",),
    list=lambda ctx: [render_snapshot_policy(ctx.store, n) for n in ctx.store.snapshot_policies],
    get=_snapshot_policy_get, query_writes=False,
)

#: Every collection the router serves, in registration order.
DESCRIPTORS = (SVMS, AGGREGATES, VOLUMES, SNAPSHOTS, QTREES, SNAPSHOT_POLICIES)
