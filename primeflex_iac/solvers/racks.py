"""Racks and power: how many racks, within height and power per rack, and the site's totals.

Rules:
- racks x height >= rack units of all devices, and racks x power per rack >= their maximum power
  (aggregates; each device's unit position is placed after solving, and the placement is checked).
- A device whose own maximum power exceeds the power per rack cannot be used.
- At most the site's racks; maximum power of the whole cluster within the site's total power.
- Software per cluster and racks add their price.
"""

from __future__ import annotations

from ..software import choose_software
from .context import ModelContext

__all__ = ["add_racks_and_power"]


def add_racks_and_power(ctx: ModelContext, min_racks: int = 0) -> None:
    demand, model, catalog, spec = ctx.demand, ctx.model, ctx.demand.catalog, ctx.demand.spec
    rack = catalog.racks[demand.rack_model]
    per_rack_w = round(spec.site.racks.power_per_rack)
    # racks: racks of the site's height
    racks = ctx.int_var("racks")
    model.add(racks >= max(1, min_racks))
    rack_units = sum(ctx.rack_units)
    power_max = sum(ctx.power_max_w)
    model.add(racks * rack.height_u >= rack_units)
    model.add(racks <= spec.site.racks.max).only_enforce_if(ctx.group("racks"))
    model.add(racks * per_rack_w >= power_max).only_enforce_if(ctx.group("power per rack"))
    for _index, platform in enumerate(demand.platforms):
        enclosure_w = platform.node_power_max_w * platform.nodes_per_enclosure + (
            platform.chassis.power_max_w if platform.chassis else 0
        )
        if enclosure_w > per_rack_w or platform.enclosure_height_u > rack.height_u:
            model.add(ctx.var[f"use_platform[{platform.id}]"] == 0).only_enforce_if(ctx.group("power per rack"))
    if spec.site.total_power is not None:
        model.add(power_max <= round(spec.site.total_power)).only_enforce_if(ctx.group("total power"))
    ctx.cost.append(racks * round(rack.price))
    per_cluster = sum(round(s.price) for s in choose_software(spec, catalog) if s.per == "cluster")
    if per_cluster:
        ctx.cost.append(per_cluster)
    ctx.expr["rack_units"] = rack_units
    ctx.expr["power_max_w"] = power_max
    ctx.expr["power_typical_w"] = sum(ctx.power_typical_w)
    ctx.expr["racks"] = racks
