"""NetBox device types of a plan's hardware, in the netbox-community/devicetype-library format.

Hardware the library has (a catalog item with ``netbox``: PRIMERGY RX2540 M5, Mellanox SB7800 and
QM8700) gets the library's manufacturer, model, slug and component names, so a NetBox that imported
the library already holds the type and the bundle's devices and cables fit it. Its switches' fabric
ports are the library's physical ports (``IB1/1`` ... ``IB1/40``); a split port (HDR100, NDR200) is
no type component: the bundle cables it with one breakout cable from the physical port to the
endpoints of its halves (NetBox's breakout cable profiles). Add-in fabric adapters
(``ib0`` ...) of a library server are device interfaces too, and so are its power ports where the
library has none (the RX2540 M5's PSUs are module bays).

Everything else keeps a type of our own: ``<manufacturer>-<model>`` slugs, ``port1``... on
switches, ``eth0`` and the fabric adapters on servers, and power ports derived, not catalogued
(assumption): N+1 redundant inlets sized for the plan's maximum draw of the device, IEC 60320 C14
(10 A, 2,300 W at 230 V) while one inlet can carry the whole device, else C20 (16 A, 3,680 W) as
many as the draw needs, plus one. Every power port's ``allocated_draw`` is its share of the plan's
draw (the inlets share the load), which NetBox adds up for the rack's power utilisation.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from primeflex_iac.catalog.models import Chassis, HeadNode, ManagementSwitch, Server, StorageDevice, Switch
from primeflex_iac.export.cluster import HOST_MANAGEMENT, SWITCH_MANAGEMENT, fabric_interface

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog, Item
    from primeflex_iac.catalog.netbox import NetboxType
    from primeflex_iac.plan.model import Plan

__all__ = [
    "INLET_WATTS",
    "device_types",
    "fabric_kind",
    "fabric_port_count",
    "host_fabric_interfaces",
    "items",
    "library_name",
    "netbox_device_type",
    "power_ports",
    "slugify",
    "vendor",
]

INLET_WATTS = {"iec-60320-c14": 2300, "iec-60320-c20": 3680}  # at 230 V: 10 A and 16 A
_VENDORS = ("Fujitsu", "Mellanox", "NVIDIA", "Intel")
_IB = {100: "infiniband-edr", 200: "infiniband-hdr", 400: "infiniband-ndr"}
_ETHERNET = {
    10: "10gbase-x-sfpp",
    25: "25gbase-x-sfp28",
    100: "100gbase-x-qsfp28",
    200: "200gbase-x-qsfp56",
    400: "400gbase-x-osfp",
}
_SWITCH_PORT = re.compile(r"port(\d+)(/\d+)?")


def slugify(text: str) -> str:
    """Lowercase letters, digits and single hyphens (devicetype-library: no dots)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def vendor(item: Item) -> tuple[str, str]:
    """(manufacturer, model) from a catalog item's name; generic items are made by "Generic"."""
    for name in _VENDORS:
        if item.name.startswith(name + " "):
            return name, item.name[len(name) + 1 :]
    return "Generic", item.name.removeprefix("Generic ")


def items(catalog: Catalog) -> dict[str, Item]:
    sections = (
        catalog.servers,
        catalog.chassis,
        catalog.switches,
        catalog.management_switches,
        catalog.head_nodes,
        catalog.storage_devices,
    )
    return {item_id: item for section in sections for item_id, item in section.items()}


def power_ports(watts: float) -> list[dict[str, Any]]:
    """N+1 inlets for a device drawing at most ``watts``, each with its share of the draw allocated."""
    if watts <= INLET_WATTS["iec-60320-c14"]:
        kind, inlets = "iec-60320-c14", 2
    else:
        kind = "iec-60320-c20"
        inlets = math.ceil(watts / INLET_WATTS[kind]) + 1
    draw = math.ceil(watts / (inlets - 1))
    share = max(1, math.ceil(watts / inlets))
    return [{"name": f"PSU{i + 1}", "type": kind, "maximum_draw": draw, "allocated_draw": share} for i in range(inlets)]


def fabric_kind(plan: Plan, catalog: Catalog) -> tuple[str, str]:
    """NetBox's interface type of the fabric's ports, and a description of the fabric."""
    fabric = plan.fabric
    assert fabric is not None
    speed = catalog.switches[fabric.switch].port_gbps
    if fabric.family == "infiniband":
        kind = _IB.get(speed, "other")
    elif fabric.family == "ethernet":
        kind = _ETHERNET.get(speed, "other")
    else:
        kind = "other"  # NetBox has no Omni-Path type
    return kind, f"{fabric.name}, {fabric.link_gbps} Gb/s per node port"


def host_fabric_interfaces(plan: Plan, catalog: Catalog, ports: int) -> list[dict[str, Any]]:
    """A host's fabric adapter ports: ib0, ib1 ... (eth1 ... on Ethernet)."""
    assert plan.fabric is not None
    kind, description = fabric_kind(plan, catalog)
    return [
        {"name": fabric_interface(plan.fabric.family, index), "type": kind, "description": description} for index in range(ports)
    ]


def fabric_port_count(item: Item) -> int:
    """Fabric adapter ports of a host item (0 for anything else)."""
    if isinstance(item, Server):
        return item.fabric_adapters
    if isinstance(item, HeadNode) or (isinstance(item, StorageDevice) and item.role == "storage_server"):
        return item.fabric_ports
    return 0


def library_name(library: NetboxType, name: str) -> str:
    """Our interface name (``port3``, ``port3/2``, ``mgmt0``, ``eth0``) as the library type names it."""
    if name in (HOST_MANAGEMENT, SWITCH_MANAGEMENT) and library.management_interface:
        return library.management_interface
    match = _SWITCH_PORT.fullmatch(name)
    if match and library.fabric_ports:
        return library.fabric_ports.format(n=match[1]) + (match[2] or "")
    return name


def _library_type(plan: Plan, catalog: Catalog, item: Item, watts: float) -> dict[str, Any]:
    library = item.netbox
    assert library is not None
    kind: dict[str, Any] = {
        "manufacturer": library.manufacturer,
        "model": library.model,
        "slug": library.slug,
        "u_height": getattr(item, "height_u", 0),
        "is_full_depth": library.is_full_depth,
    }
    weight = getattr(item, "weight_kg", 0)
    if weight:
        kind.update(weight=weight, weight_unit="kg")
    if library.console_ports:
        kind["console-ports"] = [{"name": c.name, "type": c.type} for c in library.console_ports]
    if library.power_ports:
        share = max(1, math.ceil(watts / len(library.power_ports))) if watts else None
        kind["power-ports"] = [
            {"name": p.name, "type": p.type}
            | ({"maximum_draw": p.maximum_draw} if p.maximum_draw else {})
            | ({"allocated_draw": share} if share else {})
            for p in library.power_ports
        ]
    interfaces = [{"name": i.name, "type": i.type} | ({"mgmt_only": True} if i.mgmt_only else {}) for i in library.interfaces]
    if isinstance(item, Switch) and library.fabric_ports:
        port_type = library.fabric_port_type or fabric_kind(plan, catalog)[0]
        interfaces += [{"name": library.fabric_ports.format(n=n), "type": port_type} for n in range(1, item.ports + 1)]
    if interfaces:
        kind["interfaces"] = interfaces
    kind["comments"] = f"{library.source}; primeflex-iac catalog id {item.id}."
    return kind


def netbox_device_type(plan: Plan, catalog: Catalog, catalog_id: str, *, sled: bool = False) -> dict[str, Any]:
    """One device type in the devicetype-library format, for an item of the plan."""
    item = items(catalog)[catalog_id]
    fabric = plan.fabric
    assert fabric is not None
    devices = [d for r in plan.racks for d in r.devices if d.catalog_id == catalog_id]
    watts = max((d.power_max_w for d in devices), default=0.0)
    if item.netbox is not None and not sled:
        return _library_type(plan, catalog, item, watts)
    manufacturer, model = vendor(item)
    entry = next((e for e in plan.compute if e.node == catalog_id), None)
    if entry is not None:
        gpu_manufacturer, gpu_model = vendor(catalog.gpus[entry.gpu])
        model = f"{model} with {entry.gpus_per_node}x {gpu_manufacturer} {gpu_model}".replace("Generic ", "")
    model = model[:100]  # NetBox's limit; slugs likewise
    kind: dict[str, Any] = {
        "manufacturer": manufacturer,
        "model": model,
        "slug": f"{slugify(manufacturer)}-{slugify(model)}"[:100].rstrip("-"),
        "u_height": 0 if sled else getattr(item, "height_u", 0),
        "is_full_depth": not sled and not isinstance(item, ManagementSwitch),
    }
    weight = getattr(item, "weight_kg", 0)
    if weight:
        kind.update(weight=weight, weight_unit="kg")
    if sled:
        kind["subdevice_role"] = "child"
    elif isinstance(item, Chassis):
        kind["subdevice_role"] = "parent"
    comments = [f"primeflex-iac catalog id {item.id}; figures: {item.source}."]
    if watts and not sled:
        kind["power-ports"] = power_ports(watts)
        comments.append(f"Power ports: N+1 inlets for the plan's {watts:,.0f} W maximum (assumption).")
    interfaces: list[dict[str, Any]] = []
    if fabric_port_count(item):
        interfaces = [{"name": HOST_MANAGEMENT, "type": "1000base-t", "description": "management and provisioning network"}]
        interfaces += host_fabric_interfaces(plan, catalog, fabric_port_count(item))
    elif isinstance(item, StorageDevice) and item.role in ("controller_shelf", "mdt_shelf"):
        interfaces = [{"name": SWITCH_MANAGEMENT, "type": "1000base-t", "mgmt_only": True}]
    elif isinstance(item, Switch):
        port_kind, description = fabric_kind(plan, catalog)
        interfaces = [{"name": f"port{n}", "type": port_kind, "description": description} for n in range(1, item.ports + 1)]
        interfaces.append({"name": SWITCH_MANAGEMENT, "type": "1000base-t", "mgmt_only": True})
    elif isinstance(item, ManagementSwitch):
        interfaces = [{"name": f"port{p}", "type": "1000base-t"} for p in range(1, item.ports + 1)]
        for interface in interfaces[item.ports - item.uplink_ports :]:
            interface["description"] = "uplink"
    if interfaces:
        kind["interfaces"] = interfaces
    if isinstance(item, Chassis):
        kind["device-bays"] = [{"name": f"bay{n}"} for n in range(1, item.node_slots + 1)]
    kind["comments"] = " ".join(comments)
    return kind


def device_types(plan: Plan, catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Device types by catalog id, in the order devices first use them. Items of one library type share
    it; every other type has a model and slug of its own."""
    types: dict[str, dict[str, Any]] = {}
    for rack in plan.racks:
        for device in rack.devices:
            if device.catalog_id not in types:
                types[device.catalog_id] = netbox_device_type(plan, catalog, device.catalog_id)
            if device.nodes:
                node = next(e.node for e in plan.compute if e.chassis == device.catalog_id)
                if node not in types:
                    types[node] = netbox_device_type(plan, catalog, node, sled=True)
    known = items(catalog)
    library = {item_id for item_id in types if known[item_id].netbox is not None and types[item_id].get("u_height")}
    _distinct({item_id: kind for item_id, kind in types.items() if item_id not in library})
    return types


def _distinct(types: dict[str, dict[str, Any]]) -> None:
    """Two items of one name (an overlay's copy of a product) would be one NetBox device type, the
    second file overwriting the first: each of them gets its catalog id in its model and slug."""
    models = Counter((kind["manufacturer"], kind["model"].casefold()) for kind in types.values())
    slugs = Counter(kind["slug"] for kind in types.values())
    for catalog_id, kind in types.items():
        if models[kind["manufacturer"], kind["model"].casefold()] > 1 or slugs[kind["slug"]] > 1 or not kind["slug"]:
            suffix = f" ({catalog_id})"
            kind["model"] = kind["model"][: 100 - len(suffix)] + suffix
            tail = f"-{slugify(catalog_id)}"
            kind["slug"] = (kind["slug"][: 100 - len(tail)].rstrip("-") + tail).lstrip("-")
    taken = Counter(kind["slug"] for kind in types.values())
    if any(count > 1 for count in taken.values()):  # ids are unique, so only a cut slug can repeat
        clash = sorted(slug for slug, count in taken.items() if count > 1)
        raise ValueError(f"device types share the NetBox slug {', '.join(clash)}; give the catalog items distinct names")
