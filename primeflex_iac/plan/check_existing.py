"""The plan check on an existing site: nothing beyond what the site has free, recomputed from the spec.

- Cards go only into nodes of the named group, at most the group less its kept nodes, as many per
  node as its free slots and of a GPU its catalog build takes; each rack's power (today's, the new
  devices' and the cards') stays within its limit.
- New devices in an installed rack sit in its free units (the top ones), within its spare power.
- New fabric ports fit the free leaf ports and the new leaves; the new leaves' uplinks fit the free
  spine ports, or a new spine level's links fit the free spine and leaf ports.
- Water-cooled compute only with the site's loop, within its spare heat removal.
- Nothing the site has is bought again (its nodes, head node); new host names are not the site's.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from primeflex_iac.demand.existing import group_racks, kept_nodes

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.plan.model import Plan
    from primeflex_iac.spec.model import Spec

__all__ = ["existing_violations"]


def existing_violations(plan: Plan, spec: Spec, catalog: Catalog, demand: Demand) -> list[str]:
    existing = spec.existing
    if existing is None:
        return ["the plan describes an existing site the spec does not have"] if plan.existing is not None else []
    if plan.existing is None:
        return ["the spec describes an existing site but the plan does not say what it changes on it"]
    out: list[str] = []
    cards_w_by_rack = _upgrade_violations(plan, spec, catalog, out)

    # management: new devices on the site's network only in its free ports, on the switch it names
    used, free = plan.existing.management_ports_used, existing.management.free_ports
    if used > free:
        out.append(f"{used} new management ports on the site's network, which has {free} free")
    if used and plan.existing.management_switch != existing.management.switch:
        out.append(f"the site's free management ports are on {existing.management.switch}, not {plan.existing.management_switch}")

    # racks: the spec's, new devices in the free units at the top, power within each limit
    racks = {r.name: r for r in existing.racks}
    for rack in plan.racks:
        if not rack.existing:
            continue
        site = racks.get(rack.name)
        if site is None:
            out.append(f"{rack.name} is marked existing but the site has no such rack")
            continue
        if (rack.height_u, rack.existing_units, rack.existing_power_w) != (
            site.height,
            site.height - site.free_units,
            site.power_used,
        ):
            out.append(f"{rack.name} does not match the site's rack (height, units in use, power in use)")
        lowest = site.height - site.free_units + 1
        for device in rack.devices:
            if device.position < lowest:
                out.append(f"{rack.name}/{device.name} at U{device.position} is below the rack's free units (U{lowest} up)")
        if rack.used_units > site.free_units:
            out.append(f"{rack.name}: {rack.used_units}U of new devices in {site.free_units}U free")
        added = sum(d.power_max_w for d in rack.devices) + cards_w_by_rack.get(rack.name, 0.0)
        if abs(added - rack.power_max_w) > 0.11:
            out.append(f"{rack.name} adds {rack.power_max_w:.0f} W but its new devices and cards draw {added:.0f} W")
        if site.power_used + added > site.power_limit + 1e-6:
            out.append(
                f"{rack.name} draws {site.power_used + added:,.0f} W with what the plan adds, over its {site.power_limit:,.0f} W"
            )
    missing = set(cards_w_by_rack) - {r.name for r in plan.racks if r.existing}
    if missing:
        out.append(f"cards go into racks the plan does not list: {', '.join(sorted(missing))}")

    # fabric: new ports within the free leaf ports and the new leaves; their uplinks within the free spine ports
    fabric, installed = plan.fabric, existing.fabric
    if installed is not None and fabric is not None:
        option = demand.fabric_of(fabric.technology, fabric.mode)
        if fabric.technology != installed.technology or option is None or option.existing is None:
            out.append(f"new nodes join a {fabric.technology} fabric, the site runs {installed.technology}")
        else:
            _single, per_leaf, uplinks = option.tree_shape(spec.preferences.blocking_factor)
            spines = fabric.spine_switches  # a new spine level: every new port on the new leaves under them
            on_free = 0 if spines else installed.free_leaf_ports
            if fabric.endpoints > on_free + fabric.leaf_switches * per_leaf:
                out.append(
                    f"{fabric.endpoints} new fabric ports > {on_free} free leaf ports "
                    f"+ {fabric.leaf_switches} new leaves x {per_leaf}"
                )
            joins = fabric.switch_links - fabric.leaf_switches * uplinks if spines else 0
            if spines and not spines <= joins <= installed.free_spine_ports + installed.free_leaf_ports:
                out.append(
                    f"{joins} links join {spines} new spines to the installed fabric, which has {installed.free_spine_ports} "
                    f"free spine and {installed.free_leaf_ports} free leaf ports (each spine needs one)"
                )
            read = demand.site_read_gbs  # what crosses the joins: the reads from the site's file system
            if spines and joins * fabric.link_gbps / 8 + 1e-9 < read:
                out.append(
                    f"{joins} links of {fabric.link_gbps} Gb/s carry less than the {read:,.2f} GB/s read from the site's storage"
                )
            if not spines and fabric.leaf_switches * uplinks > installed.free_spine_ports:
                out.append(
                    f"{fabric.leaf_switches} new leaves need {fabric.leaf_switches * uplinks} spine ports, "
                    f"the site has {installed.free_spine_ports} free"
                )

    # the coolant loop: water-cooled compute only on the site's loop, within its spare heat removal
    water_w = 0.0
    for entry in plan.compute:
        if entry.cooling != "water":
            continue
        gpu, server = catalog.gpus[entry.gpu], catalog.servers[entry.node]
        base = 0.0 if entry.existing_group is not None else server.base_power_max_w
        chassis = catalog.chassis[entry.chassis].power_max_w * entry.chassis_count if entry.chassis else 0.0
        water_w += entry.count * (base + entry.gpus_per_node * gpu.tdp_w) + chassis
        if entry.existing_group is None and not existing.cooling.water_loop:
            out.append("water-cooled new nodes on a site without a water loop")
    if existing.cooling.water_loop and water_w > existing.cooling.spare_heat_removal + 1e-6:
        out.append(
            f"water-cooled compute of {water_w:,.0f} W > the loop's spare heat removal {existing.cooling.spare_heat_removal:,.0f} W"
        )

    # nothing the site has is bought again, and no new name is one of the site's
    have = {g.node for g in existing.nodes}
    for line in plan.bom:
        if line.catalog_id in have or line.catalog_id in catalog.head_nodes:
            out.append(f"the BOM buys {line.catalog_id}, which the site already has")
    hosts = {h for g in existing.nodes for h in g.hosts} | {existing.head_node}
    for rack in plan.racks:
        for device in rack.devices:
            clash = sorted({device.name, *device.nodes} & hosts)
            if clash:
                out.append(f"new device {device.name} takes the site's host name {clash[0]}")
    return out


def _upgrade_violations(plan: Plan, spec: Spec, catalog: Catalog, out: list[str]) -> dict[str, float]:
    """Check the cards going into existing nodes; return the power they add to each rack."""
    assert spec.existing is not None and plan.existing is not None
    groups = {g.name: g for g in spec.existing.nodes}
    planned = {g.name: g for g in plan.existing.groups}
    cards_w: dict[str, float] = {}
    for entry in plan.compute:
        if entry.existing_group is None:
            continue
        group, reported = groups.get(entry.existing_group), planned.get(entry.existing_group)
        if group is None or reported is None:
            out.append(f"cards go into group {entry.existing_group}, which the site does not have")
            continue
        node = catalog.cpu_nodes[group.node]
        build = catalog.servers.get(node.gpu_upgrade) if node.gpu_upgrade is not None else None
        if build is None or entry.node != build.id:
            out.append(f"{group.node} takes no {entry.node} build's cards")
            continue
        if entry.gpu not in build.gpus or entry.gpus_per_node not in build.gpu_counts:
            out.append(f"{group.node} takes {build.gpu_counts} of {build.gpus}, not {entry.gpus_per_node}x {entry.gpu}")
        if entry.gpus_per_node > group.free_gpu_slots:
            out.append(f"{entry.gpus_per_node} cards per node > {group.free_gpu_slots} free slots in group {group.name}")
        if len(reported.upgraded) != entry.count or len(set(reported.upgraded)) != entry.count:
            out.append(f"group {group.name}: {entry.count} nodes take cards but {len(reported.upgraded)} are named")
        kept = kept_nodes(group, node)
        if entry.count > group.count - kept:
            out.append(f"group {group.name}: {entry.count} nodes take cards, the HPC partition keeps {kept} of {group.count}")
        per_node_w = entry.gpus_per_node * catalog.gpus[entry.gpu].tdp_w
        where = {host: rack for rack, hosts in group_racks(group) for host in hosts}
        for host in reported.upgraded:
            if host not in where:
                out.append(f"{host} takes cards but is not a node of group {group.name}")
                continue
            cards_w[where[host]] = cards_w.get(where[host], 0.0) + per_node_w
        by_rack = {rack: math.floor(w / per_node_w + 0.5) for rack, w in cards_w.items()} if per_node_w else {}
        if by_rack != reported.upgraded_by_rack:
            out.append(
                f"group {group.name}: nodes taking cards by rack {reported.upgraded_by_rack} != {by_rack} from their names"
            )
    return cards_w
