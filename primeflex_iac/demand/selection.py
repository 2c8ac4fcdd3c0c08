"""What the solver decided, as plain counts: the bridge between the model and the Plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from primeflex_iac.demand.candidates import FabricOption, Platform
    from primeflex_iac.demand.requirements import RequirementGroup

__all__ = ["Selection", "SolveStatus"]


@dataclass(frozen=True)
class SolveStatus:
    status: str  # optimal, feasible, infeasible, unknown (no plan within the time limit)
    objective_name: str | None = None
    objective_value: float | None = None
    objective_bound: float | None = None
    gap: float | None = None
    stages: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()  # as the Plan reports them: the groups' labels, or why no group explains it
    conflict_groups: tuple[RequirementGroup, ...] = ()  # the conflicting requirement groups themselves
    solver_version: str = ""
    stopped: str | None = None  # "time limit" or "interrupt" when a stage was cut short
    # the first objective's proven optimum without the avoid_extreme_fabrics preference, where that is lower
    unpreferred_value: float | None = None


@dataclass(frozen=True)
class Selection:
    platform: Platform | None
    nodes: int
    enclosures: int
    fabric: FabricOption
    tiers: int
    leaf_switches: int
    spine_switches: int
    core_switches: int
    endpoints: int
    head_on_fabric: bool
    node_cables: int
    switch_links: int
    management_switches: int  # access and aggregation switches
    management_aggregation_switches: int
    management_cables: int
    storage_blocks: dict[str, int] = field(default_factory=dict)
    storage_server_groups: int = 0
    racks: int = 1
    # racks filled by one block alone: (racks, blocks per rack) for the compute enclosures and the switches
    compute_full_racks: tuple[int, int] = (0, 0)
    switch_full_racks: tuple[int, int] = (0, 0)
    # an existing site: compute enclosures, management switches and leaf switches each installed rack takes
    compute_in_existing: tuple[int, ...] = ()
    management_in_existing: tuple[int, ...] = ()
    leaves_in_existing: tuple[int, ...] = ()
    storage_in_existing: int | None = None  # the installed rack (index) that holds the new storage
