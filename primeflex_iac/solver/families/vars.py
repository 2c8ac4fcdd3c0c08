"""The typed contract between the constraint families: what each one hands to the later ones.

Lists run over the demand's candidates in order: ``demand.platforms`` for compute,
``catalog.storage_blocks`` for storage, ``demand.fabrics`` for the fabric. A family takes the
variables of the earlier families it reads as arguments, so it cannot run before them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from primeflex_iac.solver.families.existing_racks import ExistingRackVars

__all__ = [
    "BIG",
    "CAPACITY_SCALE",
    "RATE_SCALE",
    "ComputeVars",
    "FabricVars",
    "FullRacks",
    "RackVars",
    "StorageVars",
    "Totals",
    "TreeVars",
]

BIG = 10**7  # upper bound of any count variable (nodes, switches, blocks, racks)
CAPACITY_SCALE = 100  # storage capacity in the model: hundredths of a TiB
RATE_SCALE = 1000  # read rates in the model: MB/s


@dataclass(frozen=True)
class ComputeVars:
    use_platform: list[cp_model.IntVar]  # the plan's platform is this one
    nodes: list[cp_model.IntVar]  # compute nodes of the platform (0 unless used)
    enclosures: list[cp_model.IntVar]  # chassis, or the nodes themselves for rack servers
    total_nodes: cp_model.LinearExprT  # compute nodes of whichever platform is used
    new_nodes: cp_model.LinearExprT  # of which bought (not existing nodes that take cards)


@dataclass(frozen=True)
class StorageVars:
    blocks: list[cp_model.IntVar]  # storage building blocks of each kind
    has_storage: cp_model.IntVar  # the plan has a storage system at all
    server_groups: cp_model.IntVar  # pairs of storage servers
    servers: cp_model.LinearExprT  # storage servers (fabric endpoints, management ports)
    shelves: cp_model.LinearExprT  # controller and metadata shelves (management ports)


@dataclass(frozen=True)
class TreeVars:
    """The switches and cables of one fabric option (all 0 unless it is the fabric)."""

    tiers: list[cp_model.IntVar]  # one-, two- or three-level tree
    leaves: cp_model.IntVar
    spines: cp_model.IntVar
    cores: cp_model.IntVar
    switches: cp_model.LinearExprT  # leaves + spines + cores
    endpoints: cp_model.IntVar  # fabric ports in use
    node_cables: cp_model.IntVar
    switch_links: cp_model.IntVar


@dataclass(frozen=True)
class FabricVars:
    use_fabric: list[cp_model.IntVar]  # the cluster's fabric is this option
    pairs: list[list[cp_model.IntVar]]  # pairs[f][p]: platform p is used on fabric option f
    head_on_fabric: list[cp_model.IntVar]  # the head node has a port on fabric option f
    trees: list[TreeVars]
    management_switches: cp_model.IntVar  # access and aggregation switches
    management_aggregation: cp_model.IntVar  # of which aggregation (0 while one switch takes every port)
    management_cables: cp_model.IntVar  # one per management port and per access uplink
    extreme: cp_model.LinearExprT  # 1 when the fabric's links are above the catalog's extreme speed


@dataclass(frozen=True)
class FullRacks:
    """Racks that hold only one block, ``per_rack`` of them each."""

    racks: cp_model.IntVar
    per_rack: int


@dataclass(frozen=True)
class RackVars:
    racks: cp_model.IntVar
    # compute_full[f][p] per platform on each fabric option (the adapters' power depends on the
    # fabric), switch_full[f] per fabric option; None when one rack cannot hold even one block
    compute_full: list[list[FullRacks | None]]
    switch_full: list[FullRacks | None]
    rack_units: cp_model.LinearExprT
    power_max_w: cp_model.LinearExprT
    existing: ExistingRackVars  # new devices in an existing site's racks (empty elsewhere)


@dataclass(frozen=True)
class Totals:
    """What the objectives and tie-breaks minimise."""

    cost: cp_model.LinearExprT  # whole currency units
    power_max_w: cp_model.LinearExprT
    rack_units: cp_model.LinearExprT
    racks: cp_model.LinearExprT
    tco: cp_model.LinearExprT | None = None  # whole currency units; built only for objective tco
    touched_nodes: cp_model.LinearExprT = 0  # existing nodes that take GPU cards
