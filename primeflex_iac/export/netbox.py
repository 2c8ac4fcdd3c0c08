"""A NetBox import bundle of a plan, in NetBox's own bulk-import field names.

Files, in the order NetBox needs them (README.md in the bundle says the same):
sites.yaml, manufacturers.yaml, device-roles.yaml, device-types/<slug>.yaml (the
netbox-community/devicetype-library format: ``u_height``, ``is_full_depth``, ``power-ports``
with ``maximum_draw``, ``interfaces``, ``device-bays``), racks.yaml, devices.yaml (rack, position,
face; sleds as child devices in their chassis' bays) and cables.yaml (between named interfaces,
as ``exporters.cluster`` wires them).

Power ports are derived, not catalogued (assumption): N+1 redundant inlets sized for the plan's
maximum draw of the device, IEC 60320 C14 (10 A, 2,300 W at 230 V) while one inlet can carry the
whole device, else C20 (16 A, 3,680 W) as many as the draw needs, plus one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from primeflex_iac.catalog.models import Chassis, HeadNode, ManagementSwitch, Server, StorageDevice, Switch
from primeflex_iac.common.escape import markdown_text
from primeflex_iac.common.naming import natural_key
from primeflex_iac.common.theme import ROLE_COLOURS
from primeflex_iac.export.cluster import (
    HOST_MANAGEMENT,
    SWITCH_MANAGEMENT,
    catalog_or_shipped,
    fabric_interface,
    require_ids,
    switch_port,
    wiring,
)
from primeflex_iac.export.hostlist import compress
from primeflex_iac.export.yamltext import yaml_text

if TYPE_CHECKING:
    from collections.abc import Iterator

    from primeflex_iac.catalog.models import Catalog, Item
    from primeflex_iac.export.cluster import Wiring
    from primeflex_iac.plan.model import Plan

__all__ = ["INLET_WATTS", "netbox_device_type", "netbox_files", "slugify"]

INLET_WATTS = {"iec-60320-c14": 2300, "iec-60320-c20": 3680}  # at 230 V: 10 A and 16 A
_VENDORS = ("Fujitsu", "Mellanox", "NVIDIA", "Intel")
ROLES = {  # plan role -> NetBox device role name and slug
    "compute": ("Compute", "compute"),
    "fabric": ("Fabric switch", "fabric-switch"),
    "management": ("Management switch", "management-switch"),
    "head": ("Head node", "head-node"),
    "storage": ("Storage", "storage"),
}
_IB = {100: "infiniband-edr", 200: "infiniband-hdr", 400: "infiniband-ndr"}
_ETHERNET = {
    10: "10gbase-x-sfpp",
    25: "25gbase-x-sfp28",
    100: "100gbase-x-qsfp28",
    200: "200gbase-x-qsfp56",
    400: "400gbase-x-osfp",
}


def slugify(text: str) -> str:
    """Lowercase letters, digits and single hyphens (devicetype-library: no dots)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _site_slug(plan: Plan) -> str:
    """The site's slug: from its name, or "cluster" for a name with no letter or digit a slug keeps."""
    return slugify(plan.name)[:100].rstrip("-") or "cluster"


def _vendor(item: Item) -> tuple[str, str]:
    """(manufacturer, model) from a catalog item's name; generic items are made by "Generic"."""
    for vendor in _VENDORS:
        if item.name.startswith(vendor + " "):
            return vendor, item.name[len(vendor) + 1 :]
    return "Generic", item.name.removeprefix("Generic ")


def _items(catalog: Catalog) -> dict[str, Item]:
    sections = (
        catalog.servers,
        catalog.chassis,
        catalog.switches,
        catalog.management_switches,
        catalog.head_nodes,
        catalog.storage_devices,
    )
    return {item_id: item for section in sections for item_id, item in section.items()}


def _power_ports(watts: float) -> list[dict[str, Any]]:
    if watts <= INLET_WATTS["iec-60320-c14"]:
        kind, inlets = "iec-60320-c14", 2
    else:
        kind = "iec-60320-c20"
        inlets = math.ceil(watts / INLET_WATTS[kind]) + 1
    draw = math.ceil(watts / (inlets - 1))
    return [{"name": f"PSU{i + 1}", "type": kind, "maximum_draw": draw} for i in range(inlets)]


def _fabric_type(plan: Plan, catalog: Catalog) -> tuple[str, str]:
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


def _host_interfaces(plan: Plan, catalog: Catalog, fabric_ports: int) -> list[dict[str, Any]]:
    assert plan.fabric is not None
    kind, description = _fabric_type(plan, catalog)
    interfaces: list[dict[str, Any]] = [
        {"name": HOST_MANAGEMENT, "type": "1000base-t", "description": "management and provisioning network"}
    ]
    for index in range(fabric_ports):
        interfaces.append({"name": fabric_interface(plan.fabric.family, index), "type": kind, "description": description})
    return interfaces


def netbox_device_type(plan: Plan, catalog: Catalog, catalog_id: str, *, sled: bool = False) -> dict[str, Any]:
    """One device type in the devicetype-library format, for an item of the plan."""
    item = _items(catalog)[catalog_id]
    fabric = plan.fabric
    assert fabric is not None
    manufacturer, model = _vendor(item)
    devices = [d for r in plan.racks for d in r.devices if d.catalog_id == catalog_id]
    watts = max((d.power_max_w for d in devices), default=0.0)
    entry = next((e for e in plan.compute if e.node == catalog_id), None)
    if entry is not None:
        gpu_manufacturer, gpu_model = _vendor(catalog.gpus[entry.gpu])
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
        kind["power-ports"] = _power_ports(watts)
        comments.append(f"Power ports: N+1 inlets for the plan's {watts:,.0f} W maximum (assumption).")
    interfaces: list[dict[str, Any]] = []
    if isinstance(item, Server):
        interfaces = _host_interfaces(plan, catalog, item.fabric_adapters)
    elif isinstance(item, HeadNode) or (isinstance(item, StorageDevice) and item.role == "storage_server"):
        interfaces = _host_interfaces(plan, catalog, item.fabric_ports)
    elif isinstance(item, StorageDevice) and item.role in ("controller_shelf", "mdt_shelf"):
        interfaces = [{"name": SWITCH_MANAGEMENT, "type": "1000base-t", "mgmt_only": True}]
    elif isinstance(item, Switch):
        fabric_kind, description = _fabric_type(plan, catalog)
        per_port = next(m.endpoints_per_port for m in catalog.fabrics[fabric.technology].modes if m.name == fabric.mode)
        interfaces = [
            {"name": switch_port(slot, per_port), "type": fabric_kind, "description": description}
            for slot in range(item.ports * per_port)
        ]
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


def _device_types(plan: Plan, catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Device types by catalog id, in the order devices first use them; each with a model and slug of its own."""
    types: dict[str, dict[str, Any]] = {}
    for rack in plan.racks:
        for device in rack.devices:
            if device.catalog_id not in types:
                types[device.catalog_id] = netbox_device_type(plan, catalog, device.catalog_id)
            if device.nodes:
                node = next(e.node for e in plan.compute if e.chassis == device.catalog_id)
                if node not in types:
                    types[node] = netbox_device_type(plan, catalog, node, sled=True)
    _distinct(types)
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


def _devices(plan: Plan, types: dict[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    site = plan.name
    children: list[dict[str, Any]] = []

    def record(device_name: str, role: str, catalog_id: str) -> dict[str, Any]:
        kind = types[catalog_id]
        return {
            "name": device_name,
            "role": ROLES[role][0],
            "manufacturer": kind["manufacturer"],
            "device_type": kind["model"],
            "site": site,
            "status": "planned",
        }

    for rack in plan.racks:
        for device in sorted(rack.devices, key=lambda d: -d.position):
            yield {
                **record(device.name, device.role, device.catalog_id),
                "rack": rack.name,
                "position": device.position,
                "face": device.face,
            }
            if device.nodes:
                node = next(e.node for e in plan.compute if e.chassis == device.catalog_id)
                for bay, name in enumerate(device.nodes, start=1):
                    children.append({**record(name, "compute", node), "parent": device.name, "device_bay": f"bay{bay}"})
    yield from sorted(children, key=lambda child: natural_key(child["name"]))


def _cable_type(catalog_id: str) -> str | None:
    if not catalog_id or catalog_id.startswith("cat6"):
        return "cat6"  # management patch cords
    if catalog_id.startswith(("dac-", "splitter-")):
        return "dac-passive"
    if catalog_id.startswith("aoc-"):
        return "aoc"
    return None  # NetBox has no class for it (e.g. an OSFP cable of either kind)


def _cables(wired: Wiring) -> list[dict[str, Any]]:
    cables = []
    for link in wired.links:
        cable: dict[str, Any] = {
            "side_a_device": link.a.device,
            "side_a_type": "dcim.interface",
            "side_a_name": link.a.interface,
            "side_b_device": link.b.device,
            "side_b_type": "dcim.interface",
            "side_b_name": link.b.interface,
        }
        kind = _cable_type(link.cable)
        if kind is not None:
            cable["type"] = kind
        cable["status"] = "planned"
        cable["label"] = f"{link.a.device}:{link.a.interface}"
        cables.append(cable)
    return cables


def _fabric_cabling(plan: Plan, wired: Wiring) -> str:
    """The fabric layout in words, with the rail groups."""
    fabric = plan.fabric
    assert fabric is not None
    if fabric.tiers == 1:
        return "Fabric cabling: one switch takes every fabric port.\n"
    if not wired.rail_groups:
        return (
            "Fabric cabling: leaf per node group. Each compute node's adapters, then the storage servers and the\n"
            "head node fill the leaves' node-facing ports in order.\n"
        )
    groups = "\n".join(f"- {compress(list(nodes))}: {compress(list(leaves))}" for nodes, leaves in wired.rail_groups)
    return f"""Fabric cabling: rail-optimised. Compute nodes form rail groups; adapter i of every node of a group
goes to the group's leaf i (the first adapter to its first leaf; in a full group each node on the
same port of every leaf), so one leaf failure takes one adapter of each node of its group, never
a whole node. A last group with fewer leaves than adapters spreads each node's adapters over all of
them. Storage servers and the head node take the ports left. Rail groups (nodes: leaves):
{groups}
"""


def _readme(plan: Plan, types: dict[str, dict[str, Any]], wired: Wiring) -> str:
    type_files = "\n".join(f"   - device-types/{kind['slug']}.yaml" for kind in types.values())
    return f"""# NetBox import bundle: {markdown_text(plan.name)}

Written by primeflex-iac from the plan ({plan.schema_version}, {plan.status}). Import in this order,
each file on its object type's Import page (data format YAML); every object is `planned`:

1. sites.yaml (Organization > Sites)
2. manufacturers.yaml (Devices > Manufacturers)
3. device-roles.yaml (Devices > Device Roles)
4. device types (Devices > Device Types), one file each, in the devicetype-library format:
{type_files}
5. racks.yaml (Organization > Racks)
6. devices.yaml (Devices > Devices): rack, position and face; sleds go into their chassis' bays
7. cables.yaml (Connections > Cables): fabric and management cables between named interfaces

{_fabric_cabling(plan, wired)}
Power ports are N+1 inlets sized for the plan's maximum draw (an assumption, not a datasheet).
"""


def netbox_files(plan: Plan, catalog: Catalog | None = None) -> dict[str, str]:
    """The bundle's files by name (device types under device-types/)."""
    catalog = catalog_or_shipped(catalog)
    require_ids(plan, catalog)
    types = _device_types(plan, catalog)
    wired = wiring(plan, catalog)
    manufacturers = sorted({kind["manufacturer"] for kind in types.values()})
    used_roles = [role for role in ROLES if any(d.role == role for r in plan.racks for d in r.devices)]
    files = {
        "README.md": _readme(plan, types, wired),
        "sites.yaml": yaml_text(
            [{"name": plan.name, "slug": _site_slug(plan), "status": "planned", "description": plan.message[:200]}]
        ),
        "manufacturers.yaml": yaml_text([{"name": name, "slug": slugify(name)} for name in manufacturers]),
        "device-roles.yaml": yaml_text(
            [{"name": ROLES[role][0], "slug": ROLES[role][1], "color": ROLE_COLOURS[role].lstrip("#")} for role in used_roles]
        ),
        "racks.yaml": yaml_text([_rack(plan, catalog, index) for index in range(len(plan.racks))]),
        "devices.yaml": yaml_text(list(_devices(plan, types))),
        "cables.yaml": yaml_text(_cables(wired)),
    }
    for kind in types.values():
        files[f"device-types/{kind['slug']}.yaml"] = yaml_text(kind)
    return files


def _rack(plan: Plan, catalog: Catalog, index: int) -> dict[str, Any]:
    rack = plan.racks[index]
    model = catalog.racks[rack.catalog_id]
    return {
        "site": plan.name,
        "name": rack.name,
        "status": "planned",
        "form_factor": "4-post-cabinet",
        "width": 19,
        "u_height": rack.height_u,
        "weight": model.weight_kg,
        "weight_unit": "kg",
        "description": f"{model.name}: {rack.power_max_w / 1000:,.1f} kW of {rack.power_limit_w / 1000:,.1f} kW, "
        f"{rack.heat_btu_h:,.0f} BTU/h, {rack.weight_kg:,.0f} kg loaded"[:200],
    }
