"""A plan on an existing site: which nodes take cards, what goes into its racks, what it uses of it.

Pure arithmetic over the Selection and the Demand, after solving (the rules are the solver's,
demand/existing.py): cards go into the upgrade's nodes rack by rack within each rack's spare power;
new compute enclosures fill the existing racks' free units at the top, rack by rack, as many as
each takes by units and spare power; new devices continue the site's numbering (a site with cn001
to cn200 gets cn201 onwards, racks after its rack names of the plan's pattern).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from primeflex_iac.demand.existing import group_racks, kept_nodes, upgrade_hosts
from primeflex_iac.plan.existing_model import (
    ExistingFabricUse,
    ExistingGroupPlan,
    ExistingRackUse,
    ExistingSitePlan,
    ExistingStorageUse,
)
from primeflex_iac.plan.model import RackPlan
from primeflex_iac.plan.placement import to_device

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.selection import Selection
    from primeflex_iac.plan.model import Device
    from primeflex_iac.plan.placement import DeviceToPlace
    from primeflex_iac.spec.model import Spec

__all__ = ["existing_racks", "existing_site_plan", "first_number", "into_existing_racks", "upgraded_by_rack"]


def first_number(spec: Spec, prefix: str) -> int:
    """The number the plan's first new ``prefix``NNN device gets: one past the site's highest of that pattern."""
    existing = spec.existing
    if existing is None:
        return 1
    names = [h for g in existing.nodes for h in g.hosts] + [r.name for r in existing.racks] + [existing.head_node]
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    numbers = [int(m[1]) for m in map(pattern.match, names) if m is not None]
    return max(numbers, default=0) + 1


def upgraded_by_rack(selection: Selection) -> dict[str, list[str]]:
    """Rack -> the hosts that take cards in it (empty without an upgrade)."""
    platform = selection.platform
    if platform is None or platform.upgrade is None:
        return {}
    found: dict[str, list[str]] = {}
    for rack, host in upgrade_hosts(platform.upgrade, selection.nodes):
        found.setdefault(rack, []).append(host)
    return found


def into_existing_racks(selection: Selection, devices: list[DeviceToPlace]) -> list[list[DeviceToPlace]]:
    """The new devices each installed rack takes, as the solver counted them (in the spec's rack order):
    the first compute enclosures, management switches and leaf switches, in their order, and the
    whole storage system in the rack the solver put it in."""
    queues = {
        role: [d for d in devices if d.role == role and (role != "fabric" or d.name.startswith("leaf"))]
        for role in ("compute", "management", "fabric")
    }
    counts = {
        "compute": selection.compute_in_existing,
        "management": selection.management_in_existing,
        "fabric": selection.leaves_in_existing,
    }
    racks: list[list[DeviceToPlace]] = [[] for _ in selection.compute_in_existing]
    for role, queue in queues.items():
        start = 0
        for index, count in enumerate(counts[role]):
            racks[index].extend(queue[start : start + count])
            start += count
    if selection.storage_in_existing is not None:
        racks[selection.storage_in_existing].extend(d for d in devices if d.role == "storage")
    return racks


def existing_racks(selection: Selection, demand: Demand, taken: list[list[DeviceToPlace]]) -> list[RackPlan]:
    """The installed racks the plan adds to: ``taken[r]`` in rack r's free units (compute and storage
    from their lowest unit up, heaviest for its height lowest; switches from the top down), and the
    cards' power."""
    existing = demand.spec.existing
    if existing is None:
        return []
    platform = selection.platform
    cards = upgraded_by_rack(selection)
    card_w = platform.node_power_max_w if platform is not None and platform.upgrade is not None else 0.0
    heat_per_w = demand.catalog.heat_btu_per_w
    share = demand.tco.water_heat_share
    plans: list[RackPlan] = []
    for index, rack in enumerate(existing.racks):
        new = taken[index] if index < len(taken) else []
        devices: list[Device] = []
        bottom, top = rack.height - rack.free_units + 1, rack.height
        # compute and storage from the lowest free unit up, the heaviest for its height lowest (as in new
        # racks: placement.py); switches from the top down
        by_role = [d for role in ("storage", "compute") for d in new if d.role == role]  # ties as placement.py
        stacked = sorted(by_role, key=lambda d: -d.weight_kg / max(d.height_u, 1))
        for device in stacked:
            devices.append(to_device(device, bottom))
            bottom += device.height_u
        for device in (d for d in new if d.role not in ("compute", "storage")):
            top -= device.height_u
            devices.append(to_device(device, top + 1))
        added_w = sum(d.power_max_w for d in new) + len(cards.get(rack.name, [])) * card_w
        if not devices and not added_w:
            continue
        water_w = sum(d.power_max_w for d in new if d.cooling == "water")
        if platform is not None and platform.upgrade is not None and platform.server.cooling == "water":
            water_w += len(cards.get(rack.name, [])) * card_w
        devices.sort(key=lambda d: -d.position)
        plans.append(
            RackPlan(
                name=rack.name,
                catalog_id="existing",
                height_u=rack.height,
                devices=devices,
                used_units=sum(d.height_u for d in devices),
                power_max_w=round(added_w, 1),
                power_limit_w=rack.power_limit,
                heat_btu_h=round(added_w * heat_per_w, 1),
                heat_to_water_w=round(water_w * share, 1),
                heat_to_air_w=round(added_w - water_w * share, 1),
                weight_kg=round(sum(d.weight_kg for d in new), 1),
                existing=True,
                existing_units=rack.height - rack.free_units,
                existing_power_w=rack.power_used,
            )
        )
    return plans


def existing_site_plan(selection: Selection, demand: Demand, racks: list[RackPlan]) -> ExistingSitePlan | None:
    """What the plan changes on the existing site and what it leaves untouched."""
    spec, catalog = demand.spec, demand.catalog
    existing = spec.existing
    if existing is None:
        return None
    platform = selection.platform
    upgrade = platform.upgrade if platform is not None else None
    cards = upgraded_by_rack(selection)
    groups = []
    for group in existing.nodes:
        node = catalog.cpu_nodes[group.node]
        mine = upgrade is not None and upgrade.group == group.name
        upgraded = [host for _rack, hosts in group_racks(group) for host in hosts if mine and host in cards.get(_rack, [])]
        groups.append(
            ExistingGroupPlan(
                name=group.name,
                node=group.node,
                hosts=group.hosts,
                upgraded=upgraded,
                upgraded_by_rack={rack: len(hosts) for rack, hosts in cards.items()} if mine else {},
                gpu=platform.gpu.id if mine and platform is not None else None,
                gpus_per_node=platform.gpus_per_node if mine and platform is not None else 0,
                kept=kept_nodes(group, node),
                cpu_cores=node.cpu_sockets * node.cpu_cores_per_socket,
            )
        )
    added = {r.name: r for r in racks if r.existing}
    rack_uses = [
        ExistingRackUse(
            name=r.name,
            height_u=r.height,
            free_units=r.free_units,
            power_limit_w=r.power_limit,
            power_used_w=r.power_used,
            new_units=added[r.name].used_units if r.name in added else 0,
            new_power_w=added[r.name].power_max_w if r.name in added else 0.0,
        )
        for r in existing.racks
    ]
    fabric = None
    option = selection.fabric
    if option.existing is not None:
        uplinks = option.tree_shape(spec.preferences.blocking_factor)[2]
        island = selection.spine_switches > 0  # a new spine level: its spines' links into the installed fabric
        joins = selection.switch_links - selection.leaf_switches * uplinks if island else 0
        fabric = ExistingFabricUse(
            technology=option.fabric.id,
            mode=option.mode.name,
            switch=option.switch.id,
            free_leaf_ports=option.existing.free_leaf_ports,
            free_spine_ports=option.existing.free_spine_ports,
            leaf_ports_used=0 if island else min(selection.endpoints, option.existing.free_leaf_ports),
            new_leaves=selection.leaf_switches,
            spine_ports_used=min(joins, option.existing.free_spine_ports) if island else selection.leaf_switches * uplinks,
            new_spines=selection.spine_switches,
            join_leaf_ports=joins - min(joins, option.existing.free_spine_ports) if island else 0,
        )
    water_w = 0.0
    if platform is not None and platform.server.cooling == "water":
        chassis_w = platform.chassis.power_max_w if platform.chassis else 0.0
        water_w = selection.nodes * platform.node_power_max_w + selection.enclosures * chassis_w
    storage = None
    if existing.storage is not None:
        storage = ExistingStorageUse(
            file_system=existing.storage.file_system,
            usable_tib=round(existing.storage.usable / 1024**4, 1),
            read_gbs=round(existing.storage.read_rate / 1e9, 2),
            extended=bool(selection.storage_blocks),
        )
    return ExistingSitePlan(
        head_node=existing.head_node,
        groups=groups,
        racks=rack_uses,
        fabric=fabric,
        water_loop=existing.cooling.water_loop,
        spare_heat_removal_w=existing.cooling.spare_heat_removal,
        water_heat_w=round(water_w, 1),
        storage=storage,
        cluster_manager=existing.software.cluster_manager,
        scheduler=existing.software.scheduler,
        management_ports_used=min(management_ports(racks, catalog), existing.management.free_ports),
        management_switch=existing.management.switch if existing.management.free_ports else None,
    )


def management_ports(racks: list[RackPlan], catalog: Catalog) -> int:
    """The management ports of the devices the plan adds: compute nodes, fabric switches, storage
    servers and controller and metadata shelves (the order the cabling takes them in)."""
    count = 0
    for rack in racks:
        for device in rack.devices:
            if device.role == "compute":
                count += len(device.nodes) or 1
            elif device.role == "fabric":
                count += 1
            elif device.role == "storage":
                count += catalog.storage_devices[device.catalog_id].role != "drive_enclosure"
    return count
