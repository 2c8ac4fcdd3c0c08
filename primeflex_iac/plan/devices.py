"""Every rack-mounted device of a Selection, named and in placement order, and their placement in racks.

Order: fabric switches (core, spine, leaf), management switches (aggregation, access), the head node, storage (servers,
metadata shelves, then each storage block's devices), compute (nodes, or chassis holding sleds).
Names come from common/devices.py; compute names from the spec's naming.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.common.devices import (
    RACK,
    SINGLE_SWITCH,
    chassis_name,
    head_name,
    management_aggregation_name,
    management_switch_name,
    mdt_shelf_name,
    shelf_name,
    shelf_prefix,
    storage_server_name,
    switch_name,
)
from primeflex_iac.plan.existing_site import existing_racks, first_number, into_existing_racks
from primeflex_iac.plan.placement import DeviceToPlace, place_devices

if TYPE_CHECKING:
    from collections.abc import Iterator

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.common.devices import (
        SwitchLevel,
    )
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.selection import Selection
    from primeflex_iac.plan.model import RackPlan

__all__ = ["devices_to_place", "place"]


def devices_to_place(selection: Selection, demand: Demand) -> list[DeviceToPlace]:
    """Every rack-mounted device, named, in the placement order."""
    catalog = demand.catalog
    devices: list[DeviceToPlace] = []
    option = selection.fabric
    switch = option.switch
    levels: tuple[tuple[SwitchLevel, int], ...] = (
        ("core", selection.core_switches),
        ("spine", selection.spine_switches),
        ("leaf", selection.leaf_switches),
    )
    for level, count in levels:
        # in a one-level fabric the level is no information: its switch is switch01
        named: SwitchLevel = SINGLE_SWITCH if selection.tiers == 1 else level
        for index in range(count):
            devices.append(
                DeviceToPlace(
                    switch_name(named, index + 1), switch.id, "fabric", switch.height_u, switch.power_max_w, switch.weight_kg
                )
            )
    mgmt = next(iter(catalog.management_switches.values()))
    aggregation = selection.management_aggregation_switches
    management = [management_aggregation_name(n + 1) for n in range(aggregation)]
    management += [management_switch_name(n + 1) for n in range(selection.management_switches - aggregation)]
    for name in management:
        devices.append(DeviceToPlace(name, mgmt.id, "management", mgmt.height_u, mgmt.power_max_w, mgmt.weight_kg))
    head = demand.head_node
    adapter_w = option.adapter.power_max_w
    head_w = head.power_max_w + (adapter_w if selection.head_on_fabric else 0.0)
    if demand.new_head_node:  # an existing site's head node is its own
        devices.append(DeviceToPlace(head_name(), head.id, "head", head.height_u, head_w, head.weight_kg))
    if selection.storage_blocks:
        devices.extend(_storage_devices(selection, catalog, adapter_w, demand.mdt_shelves))
    platform = selection.platform
    naming = demand.spec.naming
    # on an existing site, new nodes continue its numbering
    first = first_number(demand.spec, naming.compute.rstrip("#"))
    if platform is not None and platform.upgrade is None:
        node_w = platform.node_power_max_w + platform.server.fabric_adapters * adapter_w
        if platform.chassis is None:
            for index in range(selection.nodes):
                devices.append(
                    DeviceToPlace(
                        naming.compute_name(index + first, selection.nodes + first - 1),
                        platform.server.id,
                        "compute",
                        platform.server.height_u,
                        node_w,
                        platform.server.weight_kg,
                        cooling=platform.server.cooling,
                    )
                )
        else:
            chassis, slots = platform.chassis, platform.nodes_per_enclosure
            for index in range(selection.enclosures):
                members = range(index * slots + 1, min((index + 1) * slots, selection.nodes) + 1)
                names = tuple(naming.compute_name(n + first - 1, selection.nodes + first - 1) for n in members)
                power = chassis.power_max_w + len(names) * node_w
                weight = chassis.weight_kg + len(names) * platform.server.weight_kg
                devices.append(
                    DeviceToPlace(
                        chassis_name(index + 1),
                        chassis.id,
                        "compute",
                        chassis.height_u,
                        power,
                        weight,
                        names,
                        platform.server.cooling,
                    )
                )
    return devices


def _storage_devices(selection: Selection, catalog: Catalog, adapter_w: float, mdt_shelves: int) -> Iterator[DeviceToPlace]:
    rules = catalog.storage_rules
    server = catalog.storage_devices[rules.server]
    for index in range(selection.storage_server_groups * rules.servers_per_group):
        yield DeviceToPlace(
            storage_server_name(index + 1),
            server.id,
            "storage",
            server.height_u,
            server.power_max_w + adapter_w,
            server.weight_kg,
        )
    mdt = catalog.storage_devices[rules.mdt_shelf]
    for index in range(mdt_shelves):
        yield DeviceToPlace(mdt_shelf_name(index + 1), mdt.id, "storage", mdt.height_u, mdt.power_max_w, mdt.weight_kg)
    counters: dict[str, int] = {}
    for block_id in catalog.storage_blocks:
        block = catalog.storage_blocks[block_id]
        for _ in range(selection.storage_blocks.get(block_id, 0)):
            for device_id, per_block in block.devices.items():
                device = catalog.storage_devices[device_id]
                prefix = shelf_prefix(device.role)  # numbered per prefix, across blocks
                for _ in range(per_block):
                    counters[prefix] = counters.get(prefix, 0) + 1
                    yield DeviceToPlace(
                        shelf_name(device.role, counters[prefix]),
                        device.id,
                        "storage",
                        device.height_u,
                        device.power_max_w,
                        device.weight_kg,
                    )


def place(selection: Selection, demand: Demand) -> list[RackPlan] | None:
    catalog = demand.catalog
    rack = catalog.racks[demand.rack_model]
    devices = devices_to_place(selection, demand)
    # on an existing site, the devices its racks take (as the solver counted them) go there first
    taken = into_existing_racks(selection, devices)
    added = existing_racks(selection, demand, taken)
    moved = {id(d) for rack in taken for d in rack}
    new = place_devices(
        [d for d in devices if id(d) not in moved],
        selection.racks,
        rack.id,
        rack.height_u,
        demand.power_per_rack_w,
        rack.weight_kg,
        catalog.heat_btu_per_w,
        full_racks=[("fabric", *selection.switch_full_racks), ("compute", *selection.compute_full_racks)],
        water_limit_w=demand.power_per_rack_water_w,
        water_heat_share=demand.tco.water_heat_share,
        first_rack=first_number(demand.spec, RACK),
    )
    return None if new is None else added + new
