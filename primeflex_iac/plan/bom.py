"""The bill of materials: one line per catalog item the plan buys, with its cost and power and their sources.

Rules: every line carries the source of its price and (when it draws power) of its power figure;
lines of quantity zero are left out; storage lines list devices, then drives, in catalog order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.demand.software import choose_software
from primeflex_iac.plan.loop import loop_counts, loop_lines
from primeflex_iac.plan.model import BomLine

if TYPE_CHECKING:
    from collections.abc import Iterator

    from primeflex_iac.catalog.models import Catalog, Item
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.selection import Selection

__all__ = ["bill_of_materials"]


def _line(
    item: Item,
    category: str,
    quantity: int,
    unit_cost: float,
    unit_power: float,
    unit_u: int,
    cost_field: str = "price",
    power_field: str = "power_max_w",
) -> BomLine:
    return BomLine(
        item=item.name,
        catalog_id=item.id,
        category=category,
        quantity=quantity,
        unit_cost=round(unit_cost, 2),
        total_cost=round(unit_cost * quantity, 2),
        unit_power_w=round(unit_power, 1),
        total_power_w=round(unit_power * quantity, 1),
        rack_units=unit_u * quantity,
        cost_source=item.source_of(cost_field),
        power_source=item.source_of(power_field) if unit_power else "-",
    )


def bill_of_materials(selection: Selection, demand: Demand) -> list[BomLine]:
    catalog, spec = demand.catalog, demand.spec
    lines: list[BomLine] = []
    platform = selection.platform
    if platform is not None and platform.upgrade is not None:
        # cards into existing nodes: the cards alone are bought
        gpu = platform.gpu
        lines.append(
            _line(gpu, "compute", selection.nodes * platform.gpus_per_node, gpu.price, gpu.tdp_w, 0, power_field="tdp_w")
        )
    elif platform is not None:
        server, gpu = platform.server, platform.gpu
        lines.append(
            _line(
                server,
                "compute",
                selection.nodes,
                server.price,
                server.base_power_max_w,
                server.height_u,
                power_field="base_power_max_w",
            )
        )
        lines.append(
            _line(gpu, "compute", selection.nodes * platform.gpus_per_node, gpu.price, gpu.tdp_w, 0, power_field="tdp_w")
        )
        if platform.chassis is not None:
            chassis = platform.chassis
            lines.append(_line(chassis, "compute", selection.enclosures, chassis.price, chassis.power_max_w, chassis.height_u))
        if server.cooling == "water":
            chassis_w = platform.chassis.power_max_w if platform.chassis else 0.0
            site_loop = spec.existing is not None and spec.existing.cooling.water_loop
            counts = loop_counts(catalog, selection.nodes, selection.enclosures, platform.node_power_max_w, chassis_w, site_loop)
            lines.extend(loop_lines(catalog, counts))
    option = selection.fabric
    switches = selection.leaf_switches + selection.spine_switches + selection.core_switches
    lines.append(_line(option.switch, "fabric", switches, option.switch.price, option.switch.power_max_w, option.switch.height_u))
    lines.append(_line(option.adapter, "fabric", selection.endpoints, option.adapter.price, option.adapter.power_max_w, 0))
    cable = option.node_cable(selection.racks)
    lines.append(_line(cable, "fabric", selection.node_cables, cable.price, 0, 0))
    if selection.switch_links:
        lines.append(_line(option.uplink_cable, "fabric", selection.switch_links, option.uplink_cable.price, 0, 0))
    mgmt = next(iter(catalog.management_switches.values()))
    lines.append(_line(mgmt, "management", selection.management_switches, mgmt.price, mgmt.power_max_w, mgmt.height_u))
    if mgmt.cable is not None:
        patch = catalog.cables[mgmt.cable]
        lines.append(_line(patch, "management", selection.management_cables, patch.price, 0, 0))
    head = demand.head_node
    heads = 1 if demand.new_head_node else 0  # an existing site's head node is its own
    lines.append(_line(head, "management", heads, head.price, head.power_max_w, head.height_u))
    if selection.storage_blocks:
        lines.extend(_storage_lines(selection, catalog, demand.mdt_shelves))
    rack = catalog.racks[demand.rack_model]
    lines.append(_line(rack, "racks", selection.racks, rack.price, 0, 0))
    servers = selection.storage_server_groups * catalog.storage_rules.servers_per_group
    # an existing site has its cluster licences, and its nodes theirs
    nodes = selection.nodes if platform is not None and platform.upgrade is None else 0
    for software in choose_software(spec, catalog):
        quantity = {"cluster": heads, "node": nodes, "storage_server": servers, "server": nodes + heads + servers}[software.per]
        if quantity:
            lines.append(_line(software, "software", quantity, software.price, 0, 0))
    return [line for line in lines if line.quantity > 0]


def _storage_lines(selection: Selection, catalog: Catalog, mdt_shelves: int) -> Iterator[BomLine]:
    rules = catalog.storage_rules
    device_counts: dict[str, int] = {}
    drive_counts: dict[str, int] = {}
    for block_id, count in selection.storage_blocks.items():
        block = catalog.storage_blocks[block_id]
        for device_id, per_block in block.devices.items():
            device_counts[device_id] = device_counts.get(device_id, 0) + count * per_block
        drive_counts[block.drive] = drive_counts.get(block.drive, 0) + count * block.drives
    device_counts[rules.server] = selection.storage_server_groups * rules.servers_per_group
    device_counts[rules.mdt_shelf] = mdt_shelves
    drive_counts[rules.mdt_drive] = drive_counts.get(rules.mdt_drive, 0) + (rules.mdt_drives if mdt_shelves else 0)
    for device_id in catalog.storage_devices:
        if device_counts.get(device_id):
            device = catalog.storage_devices[device_id]
            yield _line(device, "storage", device_counts[device_id], device.price, device.power_max_w, device.height_u)
    for drive_id in catalog.drives:
        if drive_counts.get(drive_id):
            drive = catalog.drives[drive_id]
            yield _line(drive, "storage", drive_counts[drive_id], drive.price, 0, 0)
