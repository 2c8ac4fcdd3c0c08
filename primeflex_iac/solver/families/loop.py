"""Coolant loop: what water-cooled compute brings with it.

Rules (the catalog's loop equipment, outside the racks' units):
- one manifold port pair with its hoses per water-cooled enclosure (a chassis, or a rack server);
- coolant distribution units: ceil(maximum power of the water-cooled nodes and chassis / capacity
  of one unit).
Both add their price. Air-cooled compute needs neither. (A new site's loop is planned only where
the requirement needs the catalog's new_loop_min_gpus water-cooled GPUs: demand/build.py.)
On an existing site with a water loop, the loop's distribution units are there: water-cooled
compute (new nodes, or cards in water-cooled existing nodes) takes no new unit, and its maximum
power stays within the loop's spare heat removal (the paper's small and moderate water-cooled
samples are "only valid when being added to an existing water-cooled cluster"). Without a loop,
an existing site takes no water-cooled new node (demand/candidates.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.demand.requirements import Requirement

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from primeflex_iac.demand.candidates import Platform
    from primeflex_iac.solver.context import ModelContext
    from primeflex_iac.solver.families.vars import ComputeVars

__all__ = ["LoopVars", "add_loop"]


@dataclass(frozen=True)
class LoopVars:
    cdus: cp_model.LinearExprT  # coolant distribution units (0 without water-cooled compute)
    manifold_ports: cp_model.LinearExprT  # one per water-cooled enclosure


def add_loop(ctx: ModelContext, compute: ComputeVars) -> LoopVars:
    demand = ctx.demand
    water = [i for i, p in enumerate(demand.platforms) if p.server.cooling == "water"]
    loop = demand.catalog.loop_equipment.values()
    cdu = next((item for item in loop if item.role == "cdu"), None)
    manifold = next((item for item in loop if item.role == "manifold"), None)
    if not water:
        return LoopVars(cdus=0, manifold_ports=0)
    new = [i for i in water if demand.platforms[i].upgrade is None]
    ports = sum(compute.enclosures[i] for i in new)
    if manifold is not None and round(manifold.price):
        ctx.cost.append(ports * round(manifold.price))
    # water_power: maximum power of the water-cooled nodes and their chassis, as the plan counts it
    water_power = sum(
        compute.nodes[i] * round(demand.platforms[i].node_power_max_w) + compute.enclosures[i] * _chassis_w(demand.platforms[i])
        for i in water
    )
    cdus: cp_model.LinearExprT = 0
    existing = demand.spec.existing
    if existing is not None and existing.cooling.water_loop:
        spare = round(existing.cooling.spare_heat_removal)
        ctx.model.add(water_power <= spare).only_enforce_if(ctx.group(Requirement.EXISTING_SITE))
    elif cdu is not None and cdu.capacity_w is not None:
        units = ctx.int_var("cdus")
        ctx.ceil_div(units, water_power, max(1, round(cdu.capacity_w)))
        ctx.cost.append(units * round(cdu.price))
        cdus = units
    return LoopVars(cdus=cdus, manifold_ports=ports)


def _chassis_w(platform: Platform) -> int:
    return round(platform.chassis.power_max_w) if platform.chassis is not None else 0
