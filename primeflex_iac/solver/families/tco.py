"""Total cost of ownership: purchase, support and energy over the lifetime (objective tco).

Rules, in whole currency units (CP-SAT takes integers):
- energy = sum over the blocks of count x round(typical power x utilisation x PUE of the block's
  cooling x hours of the lifetime x price per kWh / 1000): compute nodes and their chassis at the
  PUE of their cooling, every other device at the air PUE; one coefficient per block, so the model's
  size does not grow with the counts;
- support = ceil(cost x support share per year x years), the factor in hundredths;
- tco = cost + support + energy.
Built only when an objective names tco; the plan's figures are exact (plan/tco.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from primeflex_iac.solver.context import ModelContext
    from primeflex_iac.solver.families.vars import ComputeVars, FabricVars, StorageVars

__all__ = ["LARGEST_SUPPORT", "add_tco"]

LARGEST_SUPPORT = 10**16  # support's upper bound: a hundred years of a cost beyond any cluster


def add_tco(
    ctx: ModelContext, compute: ComputeVars, storage: StorageVars, fabric: FabricVars, cost: cp_model.LinearExprT
) -> cp_model.LinearExprT:
    demand, model, catalog = ctx.demand, ctx.model, ctx.demand.catalog
    tco = demand.tco

    def per_unit(typical_w: float, cooling: str = "air") -> int:
        """Lifetime energy cost of one unit drawing ``typical_w``, in whole currency units."""
        return round(tco.energy_kwh(typical_w, cooling) * tco.price_per_kwh)

    energy: list[cp_model.LinearExprT] = []
    for index, platform in enumerate(demand.platforms):
        cooling = platform.server.cooling
        energy.append(compute.nodes[index] * per_unit(platform.node_power_typical_w, cooling))
        if platform.chassis is not None:
            energy.append(compute.enclosures[index] * per_unit(platform.chassis.power_typical_w, cooling))
    for option, tree in zip(demand.fabrics, fabric.trees, strict=True):
        energy.append(tree.switches * per_unit(option.switch.power_typical_w))
        energy.append(tree.endpoints * per_unit(option.adapter.power_max_w))
    management = next(iter(catalog.management_switches.values()))
    energy.append(fabric.management_switches * per_unit(management.power_typical_w))
    if demand.new_head_node:
        energy.append(per_unit(demand.head_node.power_typical_w))
    rules = catalog.storage_rules
    server, mdt = catalog.storage_devices[rules.server], catalog.storage_devices[rules.mdt_shelf]
    energy.append(storage.server_groups * (rules.servers_per_group * per_unit(server.power_typical_w)))
    energy.append(storage.has_storage * (demand.mdt_shelves * per_unit(mdt.power_typical_w)))
    for count, block in zip(storage.blocks, catalog.storage_blocks.values(), strict=True):
        watts = sum(n * catalog.storage_devices[d].power_typical_w for d, n in block.devices.items())
        energy.append(count * per_unit(watts))
    # support: ceil(cost x factor / 100)
    factor = round(tco.support_factor * 100)
    support = model.new_int_var(0, LARGEST_SUPPORT, "support")
    ctx.hinted.append(support)
    ctx.ceil_div(support, cost * factor, 100)
    return cost + support + sum(energy)
