"""check() for the lifetime cost and the cooling: every figure recomputed from the plan, the spec
and the catalog, without the demand's or the assembly's arithmetic.

- capex = the bill of materials' sum; the coolant loop billed for the water-cooled compute;
- typical power: compute nodes (without GPUs + GPUs at their typical share of TDP) and chassis at
  the PUE of their cooling; switches, adapters (maximum), management, head node, storage at air;
- energy, its cost, support and tco from the spec's figures or the catalog's, to the cent;
- each rack within the power limit of its cooling, its heat split between water and air.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from primeflex_iac.demand.candidates import GPU_TYPICAL_SHARE

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.plan.model import Plan, RackPlan
    from primeflex_iac.spec.model import Spec

__all__ = ["rack_cooling", "tco_violations", "typical_power_by_cooling"]

_HOURS_PER_YEAR = 365 * 24
_CENT = 0.01 + 1e-9


def rack_cooling(rack: RackPlan, catalog: Catalog) -> str:
    """water when the rack holds a water-cooled node or chassis, air otherwise."""
    for device in rack.devices:
        item = catalog.servers.get(device.catalog_id) or catalog.chassis.get(device.catalog_id)
        if device.role == "compute" and item is not None and item.cooling == "water":
            return "water"
    return "air"


def typical_power_by_cooling(plan: Plan, catalog: Catalog) -> dict[str, float]:
    """Typical watts of what runs, by the cooling that takes its heat."""
    watts = {"air": 0.0, "water": 0.0}
    for entry in plan.compute:
        server, gpu = catalog.servers[entry.node], catalog.gpus[entry.gpu]
        base = 0.0 if entry.existing_group is not None else server.base_power_typical_w  # existing nodes: the cards
        node = base + entry.gpus_per_node * gpu.tdp_w * GPU_TYPICAL_SHARE
        chassis = catalog.chassis[entry.chassis].power_typical_w * entry.chassis_count if entry.chassis else 0.0
        watts[entry.cooling] += entry.count * node + chassis
    if plan.fabric is not None:
        f = plan.fabric
        switches = f.leaf_switches + f.spine_switches + f.core_switches
        watts["air"] += switches * catalog.switches[f.switch].power_typical_w
        watts["air"] += f.endpoints * catalog.adapters[f.adapter].power_max_w
        watts["air"] += f.management_switches * catalog.management_switches[f.management_switch].power_typical_w
    for rack in plan.racks:
        for device in rack.devices:
            if device.role == "head":
                watts["air"] += catalog.head_nodes[device.catalog_id].power_typical_w
    if plan.storage is not None:
        s, devices = plan.storage, catalog.storage_devices
        for block_id, count in s.blocks.items():
            for device_id, per in catalog.storage_blocks[block_id].devices.items():
                watts["air"] += count * per * devices[device_id].power_typical_w
        watts["air"] += s.servers * devices[s.server].power_typical_w
        watts["air"] += s.mdt_shelves * devices[catalog.storage_rules.mdt_shelf].power_typical_w
    return watts


def tco_violations(plan: Plan, spec: Spec, catalog: Catalog) -> list[str]:
    out: list[str] = []
    assert plan.totals is not None
    t, site, figures = plan.totals, spec.site, catalog.energy
    out.extend(_loop_violations(plan, catalog))
    out.extend(_rack_violations(plan, spec, catalog))
    capex = sum(line.total_cost for line in plan.bom)
    energy = site.energy
    price = energy.price.per_kwh if energy.price is not None else figures.price_per_kwh
    pue = {
        "air": energy.pue.air if energy.pue.air is not None else figures.pue_air,
        "water": energy.pue.water if energy.pue.water is not None else figures.pue_water,
    }
    utilisation = energy.utilisation if energy.utilisation is not None else figures.utilisation
    years = site.lifetime / (_HOURS_PER_YEAR * 3600) if site.lifetime is not None else figures.lifetime_years
    hours = years * _HOURS_PER_YEAR
    kwh = sum(w / 1000 * utilisation * pue[c] * hours for c, w in typical_power_by_cooling(plan, catalog).items())
    support = capex * figures.support_share_per_year * years
    expected = {
        "capex": (capex, _CENT),
        "energy_mwh": (kwh / 1000, 0.001 + 1e-9),
        "energy_cost": (kwh * price, _CENT),
        "support_cost": (support, _CENT),
        "tco": (capex + support + kwh * price, _CENT),
        "lifetime_years": (years, 1e-9),
    }
    for name, (value, tolerance) in expected.items():
        reported = getattr(t, name)
        if abs(reported - value) > tolerance:
            out.append(f"totals.{name} {reported} != {value:.6f} recomputed")
    return out


def _loop_violations(plan: Plan, catalog: Catalog) -> list[str]:
    """The coolant loop billed: a manifold port pair per water-cooled enclosure, CDUs by its maximum power."""
    expected: dict[str, int] = {}
    loop = list(catalog.loop_equipment.values())
    manifold = next((item for item in loop if item.role == "manifold"), None)
    cdu = next((item for item in loop if item.role == "cdu" and item.capacity_w is not None), None)
    site_loop = plan.existing is not None and plan.existing.water_loop  # its distribution units are there
    for entry in plan.compute:
        if entry.cooling != "water" or entry.existing_group is not None:
            continue
        enclosures = entry.chassis_count if entry.chassis else entry.count
        server, gpu = catalog.servers[entry.node], catalog.gpus[entry.gpu]
        node_w = round(server.base_power_max_w + entry.gpus_per_node * gpu.tdp_w)
        chassis_w = round(catalog.chassis[entry.chassis].power_max_w) if entry.chassis else 0
        if manifold is not None:
            expected[manifold.id] = expected.get(manifold.id, 0) + enclosures
        if cdu is not None and cdu.capacity_w is not None and not site_loop:
            watts = entry.count * node_w + (enclosures * chassis_w if entry.chassis else 0)
            expected[cdu.id] = expected.get(cdu.id, 0) + math.ceil(watts / max(1, round(cdu.capacity_w)))
    fewest = catalog.energy.new_loop_min_gpus
    new_water = sum(e.gpus for e in plan.compute if e.cooling == "water" and e.existing_group is None)
    if not site_loop and 0 < new_water < fewest:
        return [f"{new_water} water-cooled GPUs on a loop of their own; a new loop is planned for {fewest} or more"]
    billed = {line.catalog_id: line.quantity for line in plan.bom if line.category == "cooling"}
    found = {k: v for k, v in expected.items() if v}
    return [] if billed == found else [f"coolant loop billed {billed}, the water-cooled compute needs {found}"]


def _rack_violations(plan: Plan, spec: Spec, catalog: Catalog) -> list[str]:
    out = []
    share = catalog.energy.water_heat_share
    for rack in plan.racks:
        if rack.existing:
            continue  # an installed rack has its own limit (check_existing)
        cooling = rack_cooling(rack, catalog)
        limit = spec.site.racks.limit_w(cooling)
        power = sum(d.power_max_w for d in rack.devices)
        if power > limit + 1e-6:
            out.append(f"{rack.name} ({cooling}-cooled) draws {power:.0f} W > {limit:.0f} W per rack")
        if abs(rack.power_limit_w - limit) > 1e-6:
            out.append(f"{rack.name} reports a limit of {rack.power_limit_w:.0f} W, its cooling ({cooling}) allows {limit:.0f} W")
        water = 0.0
        for device in rack.devices:
            item = catalog.servers.get(device.catalog_id) or catalog.chassis.get(device.catalog_id)
            if device.role == "compute" and item is not None and item.cooling == "water":
                water += device.power_max_w
        if abs(rack.heat_to_water_w - share * water) > 0.051 or abs(rack.heat_to_air_w - (power - share * water)) > 0.051:
            out.append(f"{rack.name} heat to water {rack.heat_to_water_w} W / air {rack.heat_to_air_w} W does not add up")
    return out
