"""The coolant loop water-cooled compute brings: bill of materials lines (solver/families/loop.py counts them).

One manifold port pair per water-cooled enclosure; ceil(maximum power of the water-cooled nodes
and chassis / capacity) coolant distribution units. Both sit outside the racks' units; their pumps'
power is in the water PUE.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from primeflex_iac.plan.model import BomLine

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog, LoopEquipment

__all__ = ["loop_counts", "loop_lines"]


def loop_counts(
    catalog: Catalog,
    water_nodes: int,
    water_enclosures: int,
    node_max_w: float,
    chassis_max_w: float,
    site_loop: bool = False,
) -> dict[str, int]:
    """Catalog id -> units of each loop item, for ``water_nodes`` nodes in ``water_enclosures`` enclosures
    (``site_loop``: an existing site's loop, whose distribution units are there)."""
    counts: dict[str, int] = {}
    if not water_nodes:
        return counts
    loop = list(catalog.loop_equipment.values())
    manifold = next((item for item in loop if item.role == "manifold"), None)
    cdu = next((item for item in loop if item.role == "cdu"), None)
    if cdu is not None and cdu.capacity_w is not None and not site_loop:
        watts = water_nodes * round(node_max_w) + water_enclosures * round(chassis_max_w)
        counts[cdu.id] = math.ceil(watts / max(1, round(cdu.capacity_w)))
    if manifold is not None:
        counts[manifold.id] = water_enclosures
    return counts


def _line(item: LoopEquipment, quantity: int) -> BomLine:
    return BomLine(
        item=item.name,
        catalog_id=item.id,
        category="cooling",
        quantity=quantity,
        unit_cost=round(item.price, 2),
        total_cost=round(item.price * quantity, 2),
        unit_power_w=0.0,
        total_power_w=0.0,
        rack_units=0,
        cost_source=item.source_of("price"),
        power_source="-",
    )


def loop_lines(catalog: Catalog, counts: dict[str, int]) -> list[BomLine]:
    """One line per loop item bought, in catalog order."""
    return [_line(item, counts[item_id]) for item_id, item in catalog.loop_equipment.items() if counts.get(item_id)]
