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

    @property
    def id(self) -> str:
        return f"{self.server.id}/{self.gpu.id}x{self.gpus_per_node}"

    @property
    def nodes_per_enclosure(self) -> int:
        return self.chassis.node_slots if self.chassis else 1

    @property
    def enclosure_height_u(self) -> int:
        return self.chassis.height_u if self.chassis else self.server.height_u

    @property
    def node_price(self) -> float:
        return self.server.price + self.gpus_per_node * self.gpu.price

    @property
    def node_power_max_w(self) -> float:
        return self.server.base_power_max_w + self.gpus_per_node * self.gpu.tdp_w

    @property
    def node_power_typical_w(self) -> float:
        return self.server.base_power_typical_w + self.gpus_per_node * self.gpu.tdp_w * GPU_TYPICAL_SHARE

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

    @property
    def id(self) -> str:
        return self.fabric.id if len(self.fabric.modes) == 1 else f"{self.fabric.id}:{self.mode.name}"

    def node_cable(self, racks: int) -> Cable:
        """The node-to-switch cable of a plan in ``racks`` racks: copper within one rack, optical
        between racks (the switches sit in racks of their own or shared ones, not beside each node)."""
        return self.long_cable if racks > 1 and self.long_cable is not None else self.cable

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
    """Every node x GPU x count of the catalog, in catalog order, with the requirements each breaks.

    A GPU breaks the memory requirement when it has less than the floors (``min_gpu_memory_gb``)
    or less than the models need per GPU in their leanest layout on nodes of that many GPUs
    (``model_memory_gb(gpus_per_node)``: decoders sharded by TP, PP and ZeRO-3)."""
    prefs = spec.preferences
    platforms = []
    for server in catalog.servers.values():
        chassis = catalog.chassis[server.chassis] if server.chassis else None
        for gpu_id in server.gpus:
            gpu = catalog.gpus[gpu_id]
            for count in server.gpu_counts:
                breaks: list[Requirement] = []
                latest = max(server.available, gpu.available, chassis.available if chassis else server.available)
                if not _available(latest, prefs.as_of):
                    breaks.append(Requirement.AS_OF)
                if spec.site.cooling != "any" and server.cooling != spec.site.cooling:
                    breaks.append(Requirement.COOLING)
                if prefs.nodes is not None and server.id not in prefs.nodes:
                    breaks.append(Requirement.ALLOWED_NODES)
                if prefs.gpus is not None and gpu.id not in prefs.gpus:
                    breaks.append(Requirement.ALLOWED_GPUS)
                model_gb = model_memory_gb(count) if model_memory_gb is not None else 0.0
                if gpu.memory_gb < max(min_gpu_memory_gb, model_gb):
                    breaks.append(Requirement.GPU_MEMORY)
                if not all(gpu.supports(w.precision) for w in spec.workloads):
                    breaks.append(Requirement.PRECISION)
                platforms.append(Platform(server, gpu, count, chassis, tuple(breaks)))
    return platforms


def candidate_fabrics(spec: Spec, catalog: Catalog) -> list[FabricOption]:
    prefs = spec.preferences
    options = []
    for fabric in catalog.fabrics.values():
        switch = catalog.switches[fabric.switch]
        for mode in fabric.modes:
            adapter = catalog.adapters[mode.adapter]
            breaks: list[Requirement] = []
            latest = max(fabric.available, switch.available, adapter.available)
            if not _available(latest, prefs.as_of):
                breaks.append(Requirement.AS_OF)
            if prefs.fabrics is not None and fabric.id not in prefs.fabrics:
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
                    extreme=mode.link_gbps > catalog.extreme_link_gbps,
                    breaks=tuple(breaks),
                )
            )
    return options
