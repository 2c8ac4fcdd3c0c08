"""Candidate building blocks for a spec: compute platforms and fabric options, with their figures.

A *platform* is one node model fitted with one GPU model at one GPU count. A *fabric option* is
one fabric run in one of its modes (HDR at 200 Gb/s, or split as HDR100). Each candidate lists the
spec's requirement groups it would break, so the solver can keep it out and the explanation can
say which requirement did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from primeflex_iac.demand.fat_tree import leaf_down_ports
from primeflex_iac.demand.requirements import Requirement
from primeflex_iac.timing.shapes import Interconnect, NodeShape

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from primeflex_iac.catalog.models import Adapter, Cable, Catalog, Chassis, Fabric, FabricMode, Gpu, Server, Switch
    from primeflex_iac.demand.existing import Upgrade
    from primeflex_iac.spec.existing import ExistingFabric
    from primeflex_iac.spec.model import Spec

__all__ = [
    "GPU_TYPICAL_SHARE",
    "FabricOption",
    "Platform",
    "candidate_fabrics",
    "candidate_platforms",
]

# Typical GPU draw as a share of TDP, for energy figures only (limits use the maximum).
# An assumption: training keeps GPUs near, not at, their power limit.
GPU_TYPICAL_SHARE = 0.7


@dataclass(frozen=True)
class Platform:
    server: Server
    gpu: Gpu
    gpus_per_node: int
    chassis: Chassis | None
    breaks: tuple[Requirement, ...] = field(default=())
    # cards into free slots of an existing group's nodes, instead of new nodes: then the price,
    # power and rack units below are what the cards add (the nodes are already there)
    upgrade: Upgrade | None = None

    @property
    def id(self) -> str:
        base = f"{self.server.id}/{self.gpu.id}x{self.gpus_per_node}"
        return base if self.upgrade is None else f"{self.upgrade.group}+{base}"

    @property
    def fabric_adapters_bought(self) -> int:
        """Fabric adapters a node of the platform adds: none where the node is already on the fabric."""
        return 0 if self.upgrade is not None else self.server.fabric_adapters

    @property
    def nodes_per_enclosure(self) -> int:
        return self.chassis.node_slots if self.chassis else 1

    @property
    def enclosure_height_u(self) -> int:
        if self.upgrade is not None:
            return 0
        return self.chassis.height_u if self.chassis else self.server.height_u

    @property
    def node_price(self) -> float:
        base = 0.0 if self.upgrade is not None else self.server.price
        return base + self.gpus_per_node * self.gpu.price

    @property
    def node_power_max_w(self) -> float:
        base = 0.0 if self.upgrade is not None else self.server.base_power_max_w
        return base + self.gpus_per_node * self.gpu.tdp_w

    @property
    def node_power_typical_w(self) -> float:
        base = 0.0 if self.upgrade is not None else self.server.base_power_typical_w
        return base + self.gpus_per_node * self.gpu.tdp_w * GPU_TYPICAL_SHARE

    def enclosure_power_max_w(self, adapter_w: float) -> float:
        """Maximum power of a full enclosure (a chassis with every slot filled, or a node) whose nodes'
        adapters draw ``adapter_w`` each."""
        chassis_w = self.chassis.power_max_w if self.chassis else 0.0
        return chassis_w + self.nodes_per_enclosure * (self.node_power_max_w + self.server.fabric_adapters * adapter_w)

    @property
    def tensor_tflops(self) -> float:
        return self.gpus_per_node * self.gpu.tensor_tflops

    @property
    def int8_tops(self) -> float:
        return self.gpus_per_node * (self.gpu.int8_tops or 0.0)

    @property
    def shape(self) -> NodeShape:
        """What the time-to-model estimate needs of this node."""
        return NodeShape(self.gpu, self.gpus_per_node, self.server.intra_node, self.server.fabric_adapters)


@dataclass(frozen=True)
class FabricOption:
    fabric: Fabric
    mode: FabricMode
    switch: Switch
    adapter: Adapter
    cable: Cable
    uplink_cable: Cable
    long_cable: Cable | None  # the node cable between racks, where the copper one does not reach
    extreme: bool
    breaks: tuple[Requirement, ...] = field(default=())
    existing: ExistingFabric | None = None  # the site's installed fabric: new ports on its free ones

    @property
    def id(self) -> str:
        base = self.fabric.id if len(self.fabric.modes) == 1 else f"{self.fabric.id}:{self.mode.name}"
        return base if self.existing is None else f"existing:{base}"

    def node_cable(self, racks: int) -> Cable:
        """The node-to-switch cable of a plan in ``racks`` racks: copper within one rack, optical
        between racks (the switches sit in racks of their own or shared ones, not beside each node).
        On an existing site, always optical: its switches sit in racks the plan does not place."""
        spans = racks > 1 or self.existing is not None
        return self.long_cable if spans and self.long_cable is not None else self.cable

    @property
    def link_gbps(self) -> int:
        return self.mode.link_gbps

    @property
    def interconnect(self) -> Interconnect:
        """What the time-to-model estimate needs of this fabric."""
        return Interconnect(self.id, self.link_gbps, self.fabric.latency_us)

    def tree_shape(self, blocking_factor: int) -> tuple[int, int, int]:
        """(endpoints on one switch, endpoints per leaf, uplink ports per leaf) for a b:1 fat tree."""
        ports = self.switch.ports
        per_port = self.mode.endpoints_per_port
        down = leaf_down_ports(ports, blocking_factor)
        return ports * per_port, down * per_port, ports - down


def _available(date: dt.date, as_of: dt.date | None) -> bool:
    return as_of is None or date <= as_of


def candidate_platforms(
    spec: Spec, catalog: Catalog, min_gpu_memory_gb: float, model_memory_gb: Callable[[int], float] | None = None
) -> list[Platform]:
    """Every node x GPU x count of the catalog, in catalog order, with the requirements each breaks;
    then, on an existing site, every GPU x count that free slots of an existing group take.

    A GPU breaks the memory requirement when it has less than the floors (``min_gpu_memory_gb``)
    or less than the models need per GPU in their leanest layout on nodes of that many GPUs
    (``model_memory_gb(gpus_per_node)``: decoders sharded by TP, PP and ZeRO-3). Water-cooled new
    nodes break the cooling requirement on an existing site without a water loop."""
    platforms = []
    existing = spec.existing
    for server in catalog.servers.values():
        chassis = catalog.chassis[server.chassis] if server.chassis else None
        for gpu_id in server.gpus:
            gpu = catalog.gpus[gpu_id]
            for count in server.gpu_counts:
                breaks = _breaks(spec, server, gpu, count, chassis, min_gpu_memory_gb, model_memory_gb)
                if (spec.site.cooling != "any" and server.cooling != spec.site.cooling) or (
                    existing is not None and server.cooling == "water" and not existing.cooling.water_loop
                ):
                    breaks.insert(min(1, len(breaks)) if Requirement.AS_OF in breaks else 0, Requirement.COOLING)
                platforms.append(Platform(server, gpu, count, chassis, tuple(breaks)))
    if existing is not None:
        from primeflex_iac.demand.existing import upgrade_for  # the existing site's arithmetic, only where there is one

        for group in existing.nodes:
            node = catalog.cpu_nodes[group.node]
            if not group.free_gpu_slots or node.gpu_upgrade is None:
                continue
            server = catalog.servers[node.gpu_upgrade]
            for gpu_id in server.gpus:
                gpu = catalog.gpus[gpu_id]
                for count in (c for c in server.gpu_counts if c <= group.free_gpu_slots):
                    breaks = _breaks(spec, server, gpu, count, None, min_gpu_memory_gb, model_memory_gb, also=node.id)
                    upgrade = upgrade_for(existing, group, node, count * gpu.tdp_w)
                    platforms.append(Platform(server, gpu, count, None, tuple(breaks), upgrade))
    return platforms


def _breaks(
    spec: Spec,
    server: Server,
    gpu: Gpu,
    count: int,
    chassis: Chassis | None,
    min_gpu_memory_gb: float,
    model_memory_gb: Callable[[int], float] | None,
    also: str | None = None,
) -> list[Requirement]:
    """The requirements a platform breaks, cooling aside (``also``: a node id the allowed nodes may name instead)."""
    prefs = spec.preferences
    breaks: list[Requirement] = []
    latest = max(server.available, gpu.available, chassis.available if chassis else server.available)
    if not _available(latest, prefs.as_of):
        breaks.append(Requirement.AS_OF)
    if prefs.nodes is not None and server.id not in prefs.nodes and also not in prefs.nodes:
        breaks.append(Requirement.ALLOWED_NODES)
    if prefs.gpus is not None and gpu.id not in prefs.gpus:
        breaks.append(Requirement.ALLOWED_GPUS)
    model_gb = model_memory_gb(count) if model_memory_gb is not None else 0.0
    if gpu.memory_gb < max(min_gpu_memory_gb, model_gb):
        breaks.append(Requirement.GPU_MEMORY)
    if not all(gpu.supports(w.precision) for w in spec.workloads):
        breaks.append(Requirement.PRECISION)
    return breaks


def candidate_fabrics(spec: Spec, catalog: Catalog) -> list[FabricOption]:
    """Every fabric of the catalog in each of its modes; on a site with an installed fabric, that one
    alone (new nodes join the cluster's fabric, so they reach its storage and its scheduler)."""
    prefs = spec.preferences
    installed = spec.existing.fabric if spec.existing is not None else None
    options = []
    for fabric in catalog.fabrics.values():
        if installed is not None and fabric.id != installed.technology:
            continue
        switch = catalog.switches[installed.switch or fabric.switch if installed is not None else fabric.switch]
        for mode in fabric.modes:
            if installed is not None and mode.name != (installed.mode or fabric.modes[0].name):
                continue
            adapter = catalog.adapters[mode.adapter]
            breaks: list[Requirement] = []
            latest = max(fabric.available, switch.available, adapter.available)
            if installed is None and not _available(latest, prefs.as_of):
                breaks.append(Requirement.AS_OF)
            if installed is None and prefs.fabrics is not None and fabric.id not in prefs.fabrics:
                breaks.append(Requirement.ALLOWED_FABRICS)
            options.append(
                FabricOption(
                    fabric=fabric,
                    mode=mode,
                    switch=switch,
                    adapter=adapter,
                    cable=catalog.cables[mode.cable],
                    uplink_cable=catalog.cables[fabric.uplink_cable],
                    long_cable=catalog.cables[mode.long_cable] if mode.long_cable else None,
                    extreme=mode.link_gbps > catalog.extreme_link_gbps and installed is None,
                    breaks=tuple(breaks),
                    existing=installed,
                )
            )
    return options
