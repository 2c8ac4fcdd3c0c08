"""Racks and power: how many racks, within height and power per rack, and the site's totals.

Rules:
- One rack holds k of a block (k = the fewer of height / block height and power per rack / block
  maximum power). Compute enclosures and fabric switches fill whole racks of their own, k at a
  time: enclosures = full racks x k + the rest. The rest of them, and every other device, share
  the remaining racks, counted by aggregate height and maximum power. Each device's unit
  position is placed after solving, the same way, and checked.
- A block that does not fit one rack (too tall, or drawing more than the power per rack) cannot
  be used.
- A rack of water-cooled compute enclosures may draw the spec's water-cooled power per rack; the
  shared racks count at the limit of the plan's compute cooling (placement then holds each rack
  to its own: water where it holds a water-cooled device, air otherwise).
- At most the site's racks; maximum power of the whole cluster within the site's total power.
- When power per rack is relaxed (an explanation), racks that blocks fill on their own count by
  height alone.
- Racks, per-cluster software and the head node's per-server licences add their price; in a plan
  of more than one rack the node cables are the fabric mode's optical ones.
- On an existing site: GPU cards in existing nodes stay in their racks (their power within each
  rack's spare, compute.py); new compute enclosures fill the existing racks' free units and spare
  power first (as many as fit, rack by rack), then new racks, and the new storage goes whole into
  one of them where it fits (existing_racks.py); the head node, the cluster's
  licences and the racks' node cables (optical: the site spans racks) are the site's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.demand.requirements import Requirement
from primeflex_iac.solver.families.existing_racks import add_existing_racks
from primeflex_iac.solver.families.vars import FullRacks, RackVars

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from primeflex_iac.solver.context import ModelContext
    from primeflex_iac.solver.families.vars import ComputeVars, FabricVars, StorageVars

__all__ = ["add_racks_and_power", "per_rack"]


def per_rack(height_u: int, power_w: float, rack_height_u: int, rack_power_w: float) -> int:
    """How many of a block one rack holds by height and by power (0 if not even one)."""
    by_height = rack_height_u // height_u if height_u else rack_height_u
    by_power = int(rack_power_w // power_w) if power_w > 0 else by_height
    return max(0, min(by_height, by_power))


def add_racks_and_power(
    ctx: ModelContext, compute: ComputeVars, storage: StorageVars, fabric: FabricVars, min_racks: int = 0
) -> RackVars:
    """Racks for every device the earlier families added; ``min_racks`` is the least the placement needs."""
    demand, model, catalog = ctx.demand, ctx.model, ctx.demand.catalog
    rack = catalog.racks[demand.rack_model]
    height, per_rack_w = rack.height_u, round(demand.power_per_rack_w)
    water_w = round(demand.power_per_rack_water_w)
    rack_units = sum(ctx.rack_units)
    power_max = sum(ctx.power_max_w)
    # full_racks[block]: racks holding only that block, k of them each
    full_racks: list[cp_model.IntVar] = []
    full_units: list[cp_model.LinearExprT] = []
    # the maximum power of the blocks in full racks, exactly as power_max counts it
    full_power: list[cp_model.LinearExprT] = []
    compute_full: list[list[FullRacks | None]] = []
    switch_full: list[FullRacks | None] = []
    power_rule = ctx.group(Requirement.POWER_PER_RACK)
    # what sits in existing racks: units and maximum power taken out of the new racks' sums
    in_existing = add_existing_racks(ctx, compute, fabric, storage)
    in_existing_units: list[cp_model.LinearExprT] = [in_existing.units]
    in_existing_power: list[cp_model.LinearExprT] = [in_existing.power]
    for index, platform in enumerate(demand.platforms):
        if platform.upgrade is not None:
            in_existing_power.append(compute.nodes[index] * round(platform.node_power_max_w))
    for fi, option in enumerate(demand.fabrics):
        compute_full.append([])
        for pi, platform in enumerate(demand.platforms):
            if platform.upgrade is not None:
                compute_full[fi].append(None)  # cards in existing nodes: no rack of their own
                continue
            # an enclosure's power depends on the fabric: its nodes' adapters draw the fabric's power
            chassis = platform.chassis
            slots, adapters = platform.nodes_per_enclosure, platform.server.fabric_adapters
            watts = platform.enclosure_power_max_w(option.adapter.power_max_w)
            counted = (round(chassis.power_max_w) if chassis else 0) + slots * (
                round(platform.node_power_max_w) + adapters * round(option.adapter.power_max_w)
            )
            pair = fabric.pairs[fi][pi]
            rack_w = water_w if platform.server.cooling == "water" else per_rack_w
            k = per_rack(platform.enclosure_height_u, watts, height, rack_w)
            if k == 0:
                model.add(pair == 0).only_enforce_if(power_rule)
            if per_rack(platform.enclosure_height_u, 0, height, 0) == 0:
                model.add(pair == 0)  # taller than a rack: never placed
                compute_full[fi].append(None)
                continue
            # pair_enclosures[p, f]: the platform's enclosures when it is used on fabric f, else 0
            enclosures = ctx.int_var(f"pair_enclosures[{platform.id},{option.id}]")
            model.add(enclosures == compute.enclosures[pi]).only_enforce_if(pair)
            model.add(enclosures == 0).only_enforce_if(pair.Not())
            placed = in_existing.placed.get((fi, pi))
            if placed is not None:
                # installed racks first (existing_racks.py); the rest fill new racks
                model.add(placed <= enclosures)
                rest = ctx.int_var(f"in_new_racks[{platform.id},{option.id}]")
                model.add(rest == enclosures - placed)
                ctx.order.append(rest * max(1, len(in_existing.compute)))  # outweighs any installed rack's position
                enclosures = rest
            full = _full_racks(
                ctx,
                f"full_racks[{platform.id},{option.id}]",
                enclosures,
                platform.enclosure_height_u,
                watts,
                counted,
                power_rule,
                rack_w,
            )
            compute_full[fi].append(full.racks_of_rule)
            full_racks.append(full.racks)
            full_units.append(full.units)
            full_power.append(full.power)
    for fi, option in enumerate(demand.fabrics):
        switch = option.switch
        k = per_rack(switch.height_u, switch.power_max_w, height, per_rack_w)
        fid = option.id
        if k == 0:
            model.add(fabric.use_fabric[fi] == 0).only_enforce_if(power_rule)
        if per_rack(switch.height_u, 0, height, 0) == 0:
            model.add(fabric.use_fabric[fi] == 0)  # taller than a rack: never placed
            switch_full.append(None)
            continue
        tree = fabric.trees[fi]
        switches = ctx.int_var(f"switches[{fid}]")
        # leaves of the installed fabric may sit in its racks (existing_racks.py)
        in_site = in_existing.leaves_total if option.existing is not None else 0
        model.add(switches == tree.leaves + tree.spines + tree.cores - in_site)
        full = _full_racks(
            ctx, f"full_racks[{fid}]", switches, switch.height_u, switch.power_max_w, round(switch.power_max_w), power_rule
        )
        switch_full.append(full.racks_of_rule)
        full_racks.append(full.racks)
        full_units.append(full.units)
        full_power.append(full.power)

    # a device that only ever shares racks must fit one rack alone
    for count, device_u, device_w in _shared_only(ctx, storage, fabric):
        if per_rack(device_u, device_w, height, per_rack_w) == 0:
            model.add(count == 0).only_enforce_if(power_rule)
    # the head node with a fabric port draws its adapter's power too: it must still fit one rack
    head = demand.head_node
    for fi, option in enumerate(demand.fabrics):
        if per_rack(head.height_u, head.power_max_w + option.adapter.power_max_w, height, per_rack_w) == 0:
            model.add(fabric.head_on_fabric[fi] == 0).only_enforce_if(power_rule)
    existing_units, existing_power = sum(in_existing_units), sum(in_existing_power)

    # shared_racks: racks for everything not in a full rack
    shared = ctx.int_var("shared_racks")
    racks = ctx.int_var("racks")
    model.add(racks == sum(full_racks) + shared)
    # a new cluster has a rack at least; an existing site's plan may need none (cards into its nodes)
    model.add(racks >= max(1 if demand.new_head_node else 0, min_racks))
    model.add(shared * height >= rack_units - sum(full_units) - existing_units)
    water_plan = _water_plan(ctx, compute) if water_w != per_rack_w else None
    in_shared_w = power_max - sum(full_power) - existing_power
    if water_plan is None:
        model.add(shared * per_rack_w >= in_shared_w).only_enforce_if(power_rule)
    else:
        model.add(shared * per_rack_w >= in_shared_w).only_enforce_if([power_rule, water_plan.Not()])
        model.add(shared * water_w >= in_shared_w).only_enforce_if([power_rule, water_plan])
    model.add(racks <= demand.racks_max).only_enforce_if(ctx.group(Requirement.RACKS))
    if demand.total_power_w is not None:
        model.add(power_max <= round(demand.total_power_w)).only_enforce_if(ctx.group(Requirement.TOTAL_POWER))
    ctx.cost.append(racks * round(rack.price))
    # node cables between racks are optical: in a plan of more than one rack they cost the long cable
    several = ctx.bool_var("several_racks")
    if not any(option.existing is not None for option in demand.fabrics):
        model.add(racks >= 2).only_enforce_if(several)
        model.add(racks <= 1).only_enforce_if(several.Not())
    else:
        model.add(several == 1)  # the installed fabric's switches are in the site's racks
    for fi, option in enumerate(demand.fabrics):
        if option.long_cable is None or option.long_cable.price == option.cable.price:
            continue
        long_cables = ctx.int_var(f"long_node_cables[{option.id}]")
        model.add(long_cables == fabric.trees[fi].node_cables).only_enforce_if(several)
        model.add(long_cables == 0).only_enforce_if(several.Not())
        ctx.cost.append(long_cables * (round(option.long_cable.price) - round(option.cable.price)))
    # per cluster, and the head node's licences of software counted per server
    per_cluster = sum(round(s.price) for s in demand.software if s.per in ("cluster", "server"))
    if per_cluster and demand.new_head_node:
        ctx.cost.append(per_cluster)
    return RackVars(
        racks=racks,
        compute_full=compute_full,
        switch_full=switch_full,
        rack_units=rack_units,
        power_max_w=power_max,
        existing=in_existing,
    )


def _water_plan(ctx: ModelContext, compute: ComputeVars) -> cp_model.IntVar | None:
    """A literal that holds when the plan's compute is water-cooled; None when no candidate is."""
    water = [used for used, p in zip(compute.use_platform, ctx.demand.platforms, strict=True) if p.server.cooling == "water"]
    if not water:
        return None
    literal = ctx.bool_var("water_cooled_plan")
    ctx.model.add(literal == sum(water))
    return literal


def _shared_only(ctx: ModelContext, storage: StorageVars, fabric: FabricVars) -> list[tuple[cp_model.LinearExprT, int, float]]:
    """(count, height, maximum power) of the devices that never fill racks of their own."""
    catalog = ctx.demand.catalog
    head = ctx.demand.head_node
    management = next(iter(catalog.management_switches.values()))
    rules = catalog.storage_rules
    found: list[tuple[cp_model.LinearExprT, int, float]] = [
        (ctx.model.new_constant(1 if ctx.demand.new_head_node else 0), head.height_u, head.power_max_w),
        (fabric.management_switches, management.height_u, management.power_max_w),
    ]
    server, mdt = catalog.storage_devices[rules.server], catalog.storage_devices[rules.mdt_shelf]
    found.append((storage.server_groups, server.height_u, server.power_max_w))
    found.append((storage.has_storage * ctx.demand.mdt_shelves, mdt.height_u, mdt.power_max_w))
    for count, block in zip(storage.blocks, catalog.storage_blocks.values(), strict=True):
        for device_id in block.devices:
            device = catalog.storage_devices[device_id]
            found.append((count, device.height_u, device.power_max_w))
    return found


@dataclass(frozen=True)
class _Full:
    racks: cp_model.LinearExprT  # racks the block fills on its own
    units: cp_model.LinearExprT  # rack units of the blocks in them
    power: cp_model.LinearExprT  # their maximum power, as power_max counts it
    racks_of_rule: FullRacks | None  # the split the plan is placed by (power per rack held)


def _full_racks(
    ctx: ModelContext,
    name: str,
    count: cp_model.IntVar,
    unit_u: int,
    unit_w: float,
    counted_w: int,
    power_rule: cp_model.IntVar,
    rack_w: int | None = None,
) -> _Full:
    """The racks ``count`` blocks fill on their own, k at a time: k by height and power per rack
    while that requirement holds, by height alone when an explanation relaxes it."""
    demand, model = ctx.demand, ctx.model
    height = ctx.demand.catalog.racks[demand.rack_model].height_u
    k_rule = per_rack(unit_u, unit_w, height, round(demand.power_per_rack_w) if rack_w is None else rack_w)
    k_height = per_rack(unit_u, 0, height, 0)
    if k_rule == k_height:
        full = _split(ctx, name, count, k_rule, None)
        return _Full(full, full * k_rule * unit_u, full * k_rule * counted_w, FullRacks(full, k_rule))
    relaxed = _split(ctx, f"{name}:height", count, k_height, power_rule.Not())
    model.add(relaxed == 0).only_enforce_if(power_rule)
    if k_rule == 0:
        return _Full(relaxed, relaxed * k_height * unit_u, relaxed * k_height * counted_w, None)
    held = _split(ctx, name, count, k_rule, power_rule)
    model.add(held == 0).only_enforce_if(power_rule.Not())
    return _Full(
        held + relaxed,
        (held * k_rule + relaxed * k_height) * unit_u,
        (held * k_rule + relaxed * k_height) * counted_w,
        FullRacks(held, k_rule),
    )


def _split(ctx: ModelContext, name: str, count: cp_model.IntVar, k: int, when: cp_model.IntVar | None) -> cp_model.IntVar:
    """full = floor(count / k): the racks that ``count`` blocks fill completely, k at a time (when ``when`` holds)."""
    full = ctx.int_var(name)
    enforce = [when] if when is not None else []
    ctx.model.add(full * k <= count).only_enforce_if(enforce)
    ctx.model.add(full * k >= count - (k - 1)).only_enforce_if(enforce)
    return full
