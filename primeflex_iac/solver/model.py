"""Build the CP-SAT model from a Demand: the constraint families, in their fixed order.

The families run in one fixed order, in :func:`build_model`: compute, storage, fabric (which connects the compute nodes and
storage servers), racks and power (which hold every device so far), the coolant loop of
water-cooled compute, budget (which sums every cost) and, for objective tco, the lifetime cost. Each family takes the variables of the earlier ones it reads and returns its own, so the
order is also what the types allow. The order is part of the plan: CP-SAT's search, the hints and
the tie-breaks follow the order of the variables, so the same demand always gives the same model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.solver.context import ModelContext
from primeflex_iac.solver.families.budget import add_budget
from primeflex_iac.solver.families.compute import add_compute
from primeflex_iac.solver.families.fabric import add_fabric
from primeflex_iac.solver.families.loop import add_loop
from primeflex_iac.solver.families.racks import add_racks_and_power
from primeflex_iac.solver.families.storage import add_storage
from primeflex_iac.solver.families.tco import add_tco
from primeflex_iac.solver.families.vars import Totals

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.requirements import RequirementGroup
    from primeflex_iac.solver.families.vars import ComputeVars, FabricVars, RackVars, StorageVars

__all__ = ["BuiltModel", "build_model"]


@dataclass(frozen=True)
class BuiltModel:
    """The model with every family's variables, typed, and the totals the objectives minimise."""

    demand: Demand
    model: cp_model.CpModel
    groups: dict[RequirementGroup, cp_model.IntVar]  # each requirement group's literal
    compute: ComputeVars
    storage: StorageVars
    fabric: FabricVars
    racks: RackVars
    totals: Totals
    order: list[cp_model.LinearExprT]  # tie-break terms: catalog order of the chosen blocks
    hinted: list[cp_model.IntVar]  # the variables each stage hints with the previous solution


def build_model(demand: Demand, min_racks: int = 0) -> BuiltModel:
    """The whole model; its size depends on the catalog and the spec's workloads, never on counts."""
    ctx = ModelContext(demand)
    compute = add_compute(ctx)
    storage = add_storage(ctx)
    fabric = add_fabric(ctx, compute, storage)
    racks = add_racks_and_power(ctx, compute, storage, fabric, min_racks)
    add_loop(ctx, compute)
    cost = add_budget(ctx)
    # the lifetime cost only where an objective asks for it: other solves keep their model
    tco = add_tco(ctx, compute, storage, fabric, cost) if "tco" in demand.objectives else None
    touched = sum(n for n, p in zip(compute.nodes, demand.platforms, strict=True) if p.upgrade is not None)
    totals = Totals(
        cost=cost, power_max_w=racks.power_max_w, rack_units=racks.rack_units, racks=racks.racks, tco=tco, touched_nodes=touched
    )
    return BuiltModel(
        demand=demand,
        model=ctx.model,
        groups=ctx.groups,
        compute=compute,
        storage=storage,
        fabric=fabric,
        racks=racks,
        totals=totals,
        order=ctx.order,
        hinted=ctx.hinted,
    )
