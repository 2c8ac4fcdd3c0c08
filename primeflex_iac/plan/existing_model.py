"""What a plan changes on an existing site, and what it leaves alone (``plan.existing``)."""

from __future__ import annotations

from pydantic import Field

from primeflex_iac.common.names import HostName, Identifier
from primeflex_iac.common.strict import Strict

__all__ = ["ExistingFabricUse", "ExistingGroupPlan", "ExistingRackUse", "ExistingSitePlan", "ExistingStorageUse"]


class ExistingGroupPlan(Strict):
    """A group of installed nodes: which take GPU cards, which stay as they are."""

    name: Identifier
    node: Identifier = Field(description="Catalog id of the CPU-only node model.")
    hosts: list[HostName] = Field(description="Every node of the group, in the spec's order.")
    upgraded: list[HostName] = Field(default_factory=list, description="Nodes that take GPU cards.")
    upgraded_by_rack: dict[HostName, int] = Field(default_factory=dict, description="Of which in each rack.")
    gpu: Identifier | None = Field(default=None, description="The cards they take.")
    gpus_per_node: int = 0
    kept: int = Field(description="Nodes the HPC partition keeps untouched, at least.")
    cpu_cores: int = Field(description="CPU cores of one node.")


class ExistingRackUse(Strict):
    """An installed rack: its free units and spare power, and what the plan adds to it."""

    name: HostName
    height_u: int
    free_units: int
    power_limit_w: float
    power_used_w: float
    new_units: int = Field(description="Units the plan's new devices take in its free units (the run at the top of the rack).")
    new_power_w: float = Field(description="Maximum power the plan adds: new devices and GPU cards.")


class ExistingFabricUse(Strict):
    technology: Identifier
    mode: Identifier
    switch: Identifier
    free_leaf_ports: int
    free_spine_ports: int
    leaf_ports_used: int = Field(description="Free leaf ports the new nodes' and servers' ports take.")
    new_leaves: int = Field(description="New leaf switches, for the ports beyond the free ones.")
    spine_ports_used: int = Field(description="Free spine ports the new leaves' uplinks (or the new spines' links) take.")
    new_spines: int = Field(default=0, description="A new spine level: new spines over the new leaves (0 without).")
    join_leaf_ports: int = Field(
        default=0, description="Free leaf ports the new spines' links take where the free spine ports run out."
    )


class ExistingStorageUse(Strict):
    file_system: Identifier
    usable_tib: float
    read_gbs: float
    extended: bool = Field(description="Whether the plan adds storage blocks to it.")


class ExistingSitePlan(Strict):
    """The existing cluster the plan joins; nothing listed here is bought."""

    head_node: HostName
    groups: list[ExistingGroupPlan] = Field(default_factory=list)
    racks: list[ExistingRackUse] = Field(default_factory=list, description="Every installed rack, used or not.")
    fabric: ExistingFabricUse | None = None
    water_loop: bool = False
    spare_heat_removal_w: float = 0.0
    water_heat_w: float = Field(default=0.0, description="Maximum power of the plan's water-cooled compute on the loop.")
    storage: ExistingStorageUse | None = None
    cluster_manager: Identifier | None = None
    scheduler: Identifier | None = None
    management_ports_used: int = Field(
        default=0, ge=0, description="New devices' management ports on the site's free management ports (the first ones)."
    )
    management_switch: HostName | None = Field(default=None, description="The site's management switch those ports are on.")
