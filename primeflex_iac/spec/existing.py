"""What a site already runs, when AI is added to an existing HPC cluster (``existing:`` in a spec).

The paper's own deployment story: "enabling a cluster for AI usually surmounts to adding GPGPU
cards into some of the existing compute nodes (if that option is supported) ... Otherwise,
additional GPU enabled nodes may need to be purchased and added to the cluster", with "normal HPC
operation ... kept un-interrupted". Nothing listed here is bought; the plan buys what it adds.
"""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

from pydantic import Field, field_validator, model_validator

from primeflex_iac.common.devices import TAKEN_PREFIXES
from primeflex_iac.common.hostlist import expand
from primeflex_iac.common.names import HOST_PATTERN, HostName, Identifier
from primeflex_iac.common.strict import Strict
from primeflex_iac.spec.quantities import Bandwidth, Bytes, Power, RackUnits

__all__ = [
    "Existing",
    "ExistingCooling",
    "ExistingFabric",
    "ExistingManagement",
    "ExistingNodes",
    "ExistingRack",
    "ExistingSoftware",
    "ExistingStorage",
    "FileSystem",
    "with_site_storage",
]

FileSystem = Literal["lustre", "beegfs", "spectrum-scale"]
LARGEST_GROUP = 100_000  # installed nodes in one group: beyond any site, and a bound on hostlist expansion


class ExistingNodes(Strict):
    """A group of identical installed nodes."""

    name: Identifier = Field(description="A short name for the group, e.g. hpc.")
    node: str = Field(description="Catalog id of the node model: a CPU-only node (cpu_nodes), e.g. rx2540-m5-cpu.")
    count: int = Field(ge=1, le=LARGEST_GROUP, description="Installed nodes in the group.")
    hostnames: str = Field(
        max_length=2000,
        description="The nodes' host names as a Slurm hostlist, e.g. cn[001-200]; kept in every export. "
        "The first names are the first nodes of the first rack.",
    )
    free_gpu_slots: int = Field(
        default=0, ge=0, le=16, description="GPU slots free in each node; which GPUs fit is the catalog's rule for the node."
    )
    keep_cpu_only: int = Field(default=0, ge=0, le=LARGEST_GROUP, description="Nodes the HPC partition keeps untouched.")
    keep_cpu_cores: int = Field(
        default=0, ge=0, le=100_000_000, description="CPU cores the HPC partition keeps untouched (whole nodes are kept)."
    )
    racks: list[HostName] = Field(
        default_factory=list,
        max_length=10_000,
        description="Names of the existing racks the group fills, in order; the nodes are spread evenly over them "
        "(the first racks take one more where the count does not divide).",
    )

    @field_validator("hostnames")
    @classmethod
    def _hostlist(cls, value: str) -> str:
        names = expand(value, limit=LARGEST_GROUP)  # ValueError: bad syntax, or too many names
        bad = next((n for n in names if not re.match(HOST_PATTERN, n)), None)
        if bad is not None:
            raise ValueError(f"{bad!r} is not a host name (letters, digits and '-', at most 63)")
        if len(set(names)) != len(names):
            raise ValueError("the hostlist names a host twice")
        return value

    @model_validator(mode="after")
    def _counts_agree(self) -> ExistingNodes:
        names = len(expand(self.hostnames))
        if names != self.count:
            raise ValueError(f"hostnames name {names} hosts but count is {self.count}")
        if self.keep_cpu_only > self.count:
            raise ValueError(f"keep_cpu_only ({self.keep_cpu_only}) is more than the group's {self.count} nodes")
        if self.free_gpu_slots and not self.racks:
            raise ValueError("a group with free GPU slots names its racks, so that their spare power is known")
        if len(set(self.racks)) != len(self.racks):
            raise ValueError("racks names a rack twice")
        return self

    @property
    def hosts(self) -> list[str]:
        return expand(self.hostnames)


class ExistingRack(Strict):
    """An installed rack: its height, the units and the power still free."""

    name: HostName = Field(description="The rack's name, e.g. r01.")
    height: RackUnits = Field(default=42, description="Rack height.")
    free_units: RackUnits = Field(
        default=0, description="Units free for new devices; read as one run at the top of the rack (an interpretation)."
    )
    power_limit: Power = Field(description="Power the rack may draw at most.")
    power_used: Power = Field(description="Maximum power of what the rack holds today.")

    @model_validator(mode="after")
    def _fits(self) -> ExistingRack:
        if self.free_units > self.height:
            raise ValueError(f"free_units ({self.free_units}U) is more than the rack's height ({self.height}U)")
        if self.power_used > self.power_limit:
            raise ValueError("power_used is more than power_limit: the rack is already over its limit")
        return self

    @property
    def spare_w(self) -> float:
        return self.power_limit - self.power_used


class ExistingFabric(Strict):
    """The installed high-speed fabric: its technology and the switch ports still free."""

    technology: str = Field(description="Catalog fabric id, e.g. ib-edr.")
    mode: str | None = Field(default=None, description="The fabric mode it runs (e.g. hdr100); default: its first.")
    switch: str | None = Field(default=None, description="Catalog switch id of its leaves; default: the fabric's switch.")
    free_leaf_ports: int = Field(default=0, ge=0, le=1_000_000, description="Node-facing leaf ports free.")
    free_spine_ports: int = Field(
        default=0, ge=0, le=1_000_000, description="Spine ports free: new leaf switches' uplinks go into them."
    )


class ExistingCooling(Strict):
    """The site's warm-water loop, if it has one."""

    water_loop: bool = Field(default=False, description="A warm-water loop for water-cooled nodes exists.")
    spare_heat_removal: Power = Field(default=0.0, description="Heat the loop can still remove, e.g. '40 kW'.")

    @model_validator(mode="after")
    def _loop_for_capacity(self) -> ExistingCooling:
        if self.spare_heat_removal > 0 and not self.water_loop:
            raise ValueError("spare_heat_removal is the water loop's: set water_loop: true, or leave it out")
        return self


class ExistingStorage(Strict):
    """The installed parallel file system."""

    file_system: FileSystem = Field(description="Its file system.")
    usable: Bytes = Field(description="Usable capacity free for the training data, e.g. '500 TiB'.")
    read_rate: Bandwidth = Field(description="Aggregate read rate it delivers, e.g. '10 GB/s'.")


class ExistingManagement(Strict):
    """The site's management Ethernet: free ports new devices' management ports may take."""

    free_ports: int = Field(
        default=0,
        ge=0,
        le=1_000_000,
        description="Access ports free on the site's management switches: new devices' management ports take "
        "them before the plan buys a management switch of its own.",
    )
    switch: HostName = Field(
        default="site-mgmt", description="Name of the site's management switch with those ports, for the patch list."
    )


class ExistingSoftware(Strict):
    """The software the cluster runs (catalog ids): the plan keeps it and buys no cluster licence again."""

    cluster_manager: str | None = Field(default=None, description="e.g. openhpc or bright.")
    scheduler: str | None = Field(default=None, description="e.g. slurm.")


class Existing(Strict):
    """An existing HPC cluster the AI capability joins: nothing here is bought."""

    nodes: list[ExistingNodes] = Field(default_factory=list, max_length=100, description="Groups of installed nodes.")
    racks: list[ExistingRack] = Field(default_factory=list, max_length=10_000, description="Installed racks.")
    fabric: ExistingFabric | None = Field(default=None, description="The installed high-speed fabric.")
    cooling: ExistingCooling = Field(default_factory=ExistingCooling, description="The site's warm-water loop.")
    storage: ExistingStorage | None = Field(default=None, description="The installed parallel file system.")
    software: ExistingSoftware = Field(default_factory=ExistingSoftware)
    management: ExistingManagement = Field(
        default_factory=ExistingManagement, description="The site's management network (its free ports)."
    )
    head_node: HostName = Field(default="head01", description="Host name of the cluster's head node (the Slurm controller).")

    @model_validator(mode="after")
    def _names_resolve(self) -> Existing:
        rack_names = [r.name for r in self.racks]
        if len(set(rack_names)) != len(rack_names):
            raise ValueError("existing racks must have unique names")
        groups = [g.name for g in self.nodes]
        if len(set(groups)) != len(groups):
            raise ValueError("existing node groups must have unique names")
        hosts: set[str] = set()
        for group in self.nodes:
            unknown = [r for r in group.racks if r not in rack_names]
            if unknown:
                raise ValueError(f"node group {group.name} names racks not in existing.racks: {', '.join(unknown)}")
            names = set(group.hosts)
            if hosts & names:
                raise ValueError(f"node group {group.name} repeats host names of another group: {sorted(hosts & names)[0]}")
            hosts |= names
        # the plan names its new switches, storage and chassis leaf01, oss01, ch001 ...: a site host of that
        # form would be two devices under one name (racks and compute nodes continue the site's numbering)
        reserved = re.compile(rf"^(?:{'|'.join(p for p in TAKEN_PREFIXES if p not in ('head', 'rack'))})\d+$")
        clash = sorted(h for h in (*hosts, self.management.switch) if reserved.match(h))
        if clash:
            raise ValueError(
                f"host {clash[0]} has the form of a name the plan gives its new devices ({', '.join(TAKEN_PREFIXES)} "
                "and a number): rename the group's hostnames or keep it out of existing.nodes"
            )
        if self.nodes and self.fabric is None:
            raise ValueError("installed nodes sit on a fabric: describe it in existing.fabric")
        return self


def with_site_storage(data: Any) -> Any:
    """A spec's data with ``storage`` set to the existing site's file system where the spec has none:
    that file system serves the workloads, and storage blocks are added to it where it lacks."""
    existing = data.get("existing") if isinstance(data, dict) else None
    installed = existing.get("storage") if isinstance(existing, dict) else None
    if isinstance(installed, dict) and data.get("storage") is None and installed.get("file_system") in get_args(FileSystem):
        return {**data, "storage": {"file_system": installed["file_system"]}}
    return data
