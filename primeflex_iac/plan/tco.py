"""The plan's total cost of ownership: capex, energy and support over the lifetime, with formulas.

Typical power of what runs: compute nodes and their chassis at the PUE of their cooling, every
other device (switches, adapters, head node, storage) at the air PUE. Money rounded to the cent,
energy to the kWh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.catalog.models import is_assumption

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.energy import TcoInputs
    from primeflex_iac.demand.selection import Selection
    from primeflex_iac.plan.model import BomLine

__all__ = ["LifetimeCost", "compute_typical_w", "lifetime_cost", "tco_assumptions"]


@dataclass(frozen=True)
class LifetimeCost:
    capex: float
    energy_mwh: float
    energy_cost: float
    support_cost: float
    tco: float
    years: float


def compute_typical_w(selection: Selection) -> float:
    """Typical power of the compute nodes and their chassis (the part cooled as the platform is)."""
    platform = selection.platform
    if platform is None:
        return 0.0
    chassis_w = selection.enclosures * platform.chassis.power_typical_w if platform.chassis else 0.0
    return selection.nodes * platform.node_power_typical_w + chassis_w


def lifetime_cost(capex: float, typical_w: dict[str, float], inputs: TcoInputs) -> LifetimeCost:
    """The lifetime figures of a plan costing ``capex`` whose typical power by cooling is ``typical_w``."""
    kwh = sum(inputs.energy_kwh(watts, cooling) for cooling, watts in sorted(typical_w.items()))
    energy_cost = kwh * inputs.price_per_kwh
    support = capex * inputs.support_factor
    return LifetimeCost(
        capex=round(capex, 2),
        energy_mwh=round(kwh / 1000, 3),
        energy_cost=round(energy_cost, 2),
        support_cost=round(support, 2),
        tco=round(capex + support + energy_cost, 2),
        years=inputs.years,
    )


def tco_assumptions(demand: Demand, bom: list[BomLine]) -> list[str]:
    """The formulas of the lifetime figures with the source of each input, and the loop items' assumptions."""
    inputs, catalog = demand.tco, demand.catalog
    src = inputs.sources
    cur = inputs.currency
    found = [
        "tco: capex = the bill of materials' total; tco = capex + support_cost + energy_cost",
        f"tco: energy_mwh = typical power x utilisation {inputs.utilisation:g} ({src['utilisation']}) x PUE "
        f"(air {inputs.pue_air:g}: {src['pue_air']}; water {inputs.pue_water:g}: {src['pue_water']}) x "
        f"{inputs.hours:,.0f} h ({inputs.years:g} years of 8,760 h: {src['lifetime_years']}); compute nodes and their "
        "chassis at the PUE of their cooling, every other device at the air PUE",
        f"tco: energy_cost = energy_mwh x 1000 x {inputs.price_per_kwh:g} {cur}/kWh ({src['price_per_kwh']})",
        f"tco: support_cost = capex x {inputs.support_share_per_year:g} per year ({src['support_share_per_year']}) "
        f"x {inputs.years:g} years",
        f"water-cooled devices give {inputs.water_heat_share:.0%} of their heat to the coolant loop "
        f"({src['water_heat_share']}); the rest to the room's air",
    ]
    return found + _loop_assumptions(catalog, {line.catalog_id for line in bom})


def _loop_assumptions(catalog: Catalog, used: set[str]) -> list[str]:
    found = []
    for item_id, item in catalog.loop_equipment.items():
        if item_id not in used:
            continue
        for field in ("price", "capacity_w", "available"):
            source = item.source_of(field)
            if getattr(item, field) is not None and (is_assumption(source) or source.lower().startswith("interpretation")):
                found.append(f"{item_id}.{field}: {source}")
    return found
