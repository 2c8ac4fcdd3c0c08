"""Existing racks: the new devices an existing site's racks take in their free units and spare power.

Rules (one count per installed rack and kind of device, and one product per rack for the units and
power of its enclosures, so the model grows with the site's racks, never with its nodes):
- each installed rack takes new compute enclosures, management switches and leaf switches of the
  installed fabric while their units fit its free units and their maximum power (rounded up) its
  spare power (limit - in use);
- compute enclosures only of a new-node platform, at most the plan's; where the plan puts GPU cards
  into existing nodes, the racks' spare power is theirs (compute.py) and takes no other new device;
- the new storage system (its servers, metadata shelf and blocks, cabled together) goes whole into
  one installed rack where it fits beside that rack's other new devices (its servers' power with
  the plan's fabric adapters), or whole into new racks;
- whatever the installed racks do not take goes into new racks (racks.py); fewer enclosures in new
  racks is a tie-break, so the existing racks fill first where cost does not decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from primeflex_iac.solver.families.vars import BIG

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from primeflex_iac.solver.context import ModelContext
    from primeflex_iac.solver.families.vars import ComputeVars, FabricVars, StorageVars

__all__ = ["ExistingRackVars", "add_existing_racks"]


@dataclass(frozen=True)
class ExistingRackVars:
    compute: list[cp_model.IntVar] = field(default_factory=list)  # enclosures in each installed rack
    management: list[cp_model.IntVar] = field(default_factory=list)  # management switches in each
    leaves: list[cp_model.IntVar] = field(default_factory=list)  # leaf switches of the installed fabric in each
    storage: list[cp_model.IntVar] = field(default_factory=list)  # 1 in the installed rack that holds the new storage
    # enclosures of each (fabric, platform) pair in installed racks (0 unless the pair is the plan's)
    placed: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    leaves_total: cp_model.LinearExprT = 0
    units: cp_model.LinearExprT = 0  # rack units of the new devices in installed racks
    power: cp_model.LinearExprT = 0  # their maximum power, as the plan's power_max counts it


def add_existing_racks(ctx: ModelContext, compute: ComputeVars, fabric: FabricVars, storage: StorageVars) -> ExistingRackVars:
    demand, model, catalog = ctx.demand, ctx.model, ctx.demand.catalog
    racks = list(demand.spec.existing.racks) if demand.spec.existing is not None else []
    if not racks:
        return ExistingRackVars()
    management = next(iter(catalog.management_switches.values()))
    installed = next((fi for fi, option in enumerate(demand.fabrics) if option.existing is not None), None)
    leaf = demand.fabrics[installed].switch if installed is not None else None
    enclosures = [ctx.int_var(f"compute_in_existing[{r.name}]", r.free_units) for r in racks]
    switches = [ctx.int_var(f"management_in_existing[{r.name}]", r.free_units) for r in racks]
    leaves = [ctx.int_var(f"leaves_in_existing[{r.name}]", r.free_units) for r in racks]
    m_u, m_w = management.height_u, math.ceil(management.power_max_w)
    l_u, l_w = (leaf.height_u, math.ceil(leaf.power_max_w)) if leaf is not None else (0, 0)
    spare = [math.floor(r.spare_w) for r in racks]
    if leaf is None:
        for variable in leaves:
            model.add(variable == 0)
    placed: dict[tuple[int, int], cp_model.IntVar] = {}
    units: list[cp_model.LinearExprT] = []
    power: list[cp_model.LinearExprT] = []
    new_pairs: list[cp_model.IntVar] = []
    # the plan's enclosure: its height and its maximum power (rounded up), 0 without new nodes
    unit_terms: list[cp_model.LinearExprT] = []
    watt_terms: list[cp_model.LinearExprT] = []
    height = catalog.racks[demand.rack_model].height_u
    for fi, option in enumerate(demand.fabrics):
        for pi, platform in enumerate(demand.platforms):
            unit_u = platform.enclosure_height_u
            if platform.upgrade is not None or not 0 < unit_u <= height:
                continue
            pair = fabric.pairs[fi][pi]
            chassis = platform.chassis
            counted = (round(chassis.power_max_w) if chassis else 0) + platform.nodes_per_enclosure * (
                round(platform.node_power_max_w) + platform.server.fabric_adapters * round(option.adapter.power_max_w)
            )
            unit_terms.append(pair * unit_u)
            watt_terms.append(pair * math.ceil(platform.enclosure_power_max_w(option.adapter.power_max_w)))
            count = ctx.int_var(f"in_existing_racks[{platform.id},{option.id}]")
            model.add(count == sum(enclosures)).only_enforce_if(pair)
            model.add(count == 0).only_enforce_if(pair.Not())
            placed[(fi, pi)] = count
            units.append(count * unit_u)
            power.append(count * counted)
            new_pairs.append(pair)
    largest_w = max((math.floor(r.spare_w) for r in racks), default=0) + 1
    enclosure_u = ctx.int_var("enclosure_height_in_existing", height)
    enclosure_w = ctx.int_var("enclosure_power_in_existing", BIG)
    model.add(enclosure_u == sum(unit_terms))
    model.add(enclosure_w == sum(watt_terms))
    footprint = _storage_footprint(ctx, storage)
    holds_storage = [ctx.bool_var(f"storage_in_existing[{r.name}]") for r in racks]
    model.add(sum(holds_storage) <= storage.has_storage)
    for r, rack in enumerate(racks):
        # units and power of rack r's enclosures: count x the plan's enclosure (a product, one per rack)
        taken_u = ctx.int_var(f"compute_units_in_existing[{rack.name}]", rack.free_units)
        taken_w = ctx.int_var(f"compute_power_in_existing[{rack.name}]", largest_w)
        model.add_multiplication_equality(taken_u, [enclosures[r], enclosure_u])
        model.add_multiplication_equality(taken_w, [enclosures[r], enclosure_w])
        others_u = taken_u + switches[r] * m_u + leaves[r] * l_u
        others_w = taken_w + switches[r] * m_w + leaves[r] * l_w
        model.add(others_u <= rack.free_units)
        model.add(others_w <= spare[r])
        model.add(others_u + footprint.units <= rack.free_units).only_enforce_if(holds_storage[r])
        for use, watts in zip(fabric.use_fabric, footprint.fits_w, strict=True):
            model.add(others_w + watts <= spare[r]).only_enforce_if([holds_storage[r], use])
    # what the new storage takes out of the new racks' sums: its units, and its power as power_max counts it
    in_site = ctx.bool_var("storage_in_existing_racks")
    model.add(in_site == sum(holds_storage))
    storage_u = ctx.int_var("storage_units_in_existing")
    storage_w = ctx.int_var("storage_power_in_existing")
    model.add(storage_u == footprint.units).only_enforce_if(in_site)
    for use, watts in zip(fabric.use_fabric, footprint.counted_w, strict=True):
        model.add(storage_w == watts).only_enforce_if([in_site, use])
    model.add(storage_u == 0).only_enforce_if(in_site.Not())
    model.add(storage_w == 0).only_enforce_if(in_site.Not())
    # compute in installed racks only with a new-node platform
    model.add(sum(enclosures) <= BIG * sum(new_pairs) if new_pairs else sum(enclosures) == 0)
    for used, platform in zip(compute.use_platform, demand.platforms, strict=True):
        if platform.upgrade is not None:
            for r in range(len(racks)):
                model.add(switches[r] == 0).only_enforce_if(used)
                model.add(leaves[r] == 0).only_enforce_if(used)
                model.add(holds_storage[r] == 0).only_enforce_if(used)
    # tie-break: new compute (racks.py) and storage go into installed racks rather than new ones, by a
    # weight no rack's position outweighs, and into the site's first racks with room; switches go into
    # an installed rack only where that saves a rack (cost), else with the new racks' devices
    ctx.order.append(sum(r * (enclosures[r] + holds_storage[r]) + (r + 1) * (switches[r] + leaves[r]) for r in range(len(racks))))
    ctx.order.append((storage.has_storage - in_site) * len(racks))
    model.add(sum(switches) <= fabric.management_switches)
    leaves_total = sum(leaves)
    model.add(leaves_total <= (fabric.trees[installed].leaves if installed is not None else 0))
    return ExistingRackVars(
        compute=enclosures,
        management=switches,
        leaves=leaves,
        storage=holds_storage,
        placed=placed,
        leaves_total=leaves_total,
        units=sum(units) + sum(switches) * m_u + leaves_total * l_u + storage_u,
        power=sum(power)
        + sum(switches) * round(management.power_max_w)
        + leaves_total * (round(leaf.power_max_w) if leaf else 0)
        + storage_w,
    )


@dataclass(frozen=True)
class _StorageFootprint:
    units: cp_model.LinearExprT  # rack units of the new storage system
    fits_w: list[cp_model.LinearExprT]  # its maximum power with each fabric option's adapters, each device rounded up
    counted_w: list[cp_model.LinearExprT]  # the same as power_max counts it (each device rounded)


def _storage_footprint(ctx: ModelContext, storage: StorageVars) -> _StorageFootprint:
    """The storage family's devices (storage.py): blocks, servers with their fabric adapters, the metadata shelf."""
    demand, catalog = ctx.demand, ctx.demand.catalog
    rules = catalog.storage_rules
    server, mdt = catalog.storage_devices[rules.server], catalog.storage_devices[rules.mdt_shelf]
    mdt_shelves = storage.has_storage * demand.mdt_shelves
    units: cp_model.LinearExprT = storage.servers * server.height_u + mdt_shelves * mdt.height_u
    up: cp_model.LinearExprT = storage.servers * math.ceil(server.power_max_w) + mdt_shelves * math.ceil(mdt.power_max_w)
    counted: cp_model.LinearExprT = storage.servers * round(server.power_max_w) + mdt_shelves * round(mdt.power_max_w)
    for count, block in zip(storage.blocks, catalog.storage_blocks.values(), strict=True):
        for device_id, per_block in block.devices.items():
            device = catalog.storage_devices[device_id]
            units += count * per_block * device.height_u
            up += count * per_block * math.ceil(device.power_max_w)
            counted += count * per_block * round(device.power_max_w)
    ports = storage.servers * server.fabric_ports
    return _StorageFootprint(
        units=units,
        fits_w=[up + ports * math.ceil(option.adapter.power_max_w) for option in demand.fabrics],
        counted_w=[counted + ports * round(option.adapter.power_max_w) for option in demand.fabrics],
    )
