"""A NetBox import bundle of a plan, in NetBox's own bulk-import field names.

Files, in the order NetBox needs them (README.md in the bundle says the same): tags.yaml,
sites.yaml, manufacturers.yaml, device-roles.yaml, device-types/<slug>.yaml (the
netbox-community/devicetype-library format; ``export/netbox_types.py``: the library's own types
where it has the hardware), racks.yaml, power-panels.yaml, power-feeds.yaml (``netbox_power.py``),
devices.yaml (rack, position, face; sleds as child devices in their chassis' bays; 0U PDUs),
interfaces.yaml (what the device types lack: add-in fabric adapters of library servers),
power-ports.yaml (inlets of library servers whose type has none) and cables.yaml (fabric and
management cables between named interfaces, as ``exporters.cluster`` wires them, a split switch
port as one breakout cable; then power cables from feeds to PDUs and from inlets to PDU outlets).

Every object of the design carries one tag, ``primeflex-<site slug>``, to find it and roll it back;
manufacturers, device roles and device types are shared vocabulary a site may hold already, so
they carry none (rolling the design back must not delete them). On an existing site
(``plan.existing``) the bundle also holds what of the site the plan touches, and ports-to-patch.csv:
``export/netbox_existing.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from primeflex_iac.common.escape import markdown_text
from primeflex_iac.common.hostlist import compress
from primeflex_iac.common.naming import natural_key
from primeflex_iac.common.theme import ROLE_COLOURS
from primeflex_iac.export.cluster import catalog_or_shipped, require_ids, wiring
from primeflex_iac.export.netbox_cables import cable_records
from primeflex_iac.export.netbox_existing import (
    EXISTING_TAG,
    existing_devices,
    existing_rack,
    patch_csv,
    patch_lines,
    readme_section,
)
from primeflex_iac.export.netbox_power import power
from primeflex_iac.export.netbox_types import (
    INLET_WATTS,
    device_types,
    fabric_port_count,
    host_fabric_interfaces,
    items,
    library_name,
    netbox_device_type,
    power_ports,
    slugify,
)
from primeflex_iac.export.yamltext import yaml_text

if TYPE_CHECKING:
    from collections.abc import Iterator

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.catalog.netbox import NetboxType
    from primeflex_iac.export.cluster import Wiring
    from primeflex_iac.export.netbox_power import Power
    from primeflex_iac.plan.model import Plan

__all__ = ["INLET_WATTS", "ROLES", "netbox_device_type", "netbox_files", "slugify", "tag_slug"]

ROLES = {  # plan role -> NetBox device role name and slug
    "compute": ("Compute", "compute"),
    "fabric": ("Fabric switch", "fabric-switch"),
    "management": ("Management switch", "management-switch"),
    "head": ("Head node", "head-node"),
    "storage": ("Storage", "storage"),
    "pdu": ("PDU", "pdu"),
}
_COLOURS = {**ROLE_COLOURS, "pdu": "#b7b7b7"}
_TAG_COLOUR = "2196f3"
_EXISTING_COLOUR = "9e9e9e"


def _site_slug(plan: Plan) -> str:
    """The site's slug: from its name, or "cluster" for a name with no letter or digit a slug keeps."""
    return slugify(plan.name)[:100].rstrip("-") or "cluster"


def tag_slug(plan: Plan) -> str:
    """The tag on every object of the plan's design: ``primeflex-<site slug>``."""
    return f"primeflex-{_site_slug(plan)}"[:100].rstrip("-")


class _Bundle:
    """What the files are written from: the plan's types, wiring, library types by device, power."""

    def __init__(self, plan: Plan, catalog: Catalog) -> None:
        self.plan = plan
        self.catalog = catalog
        self.tags = [tag_slug(plan)]
        self.types = device_types(plan, catalog)
        for entry in plan.compute:  # installed nodes that take cards: the GPU build they become
            if entry.existing_group is not None and entry.node not in self.types:
                self.types[entry.node] = netbox_device_type(plan, catalog, entry.node)
        self.wired = wiring(plan, catalog)
        known = items(catalog)
        self.library: dict[str, NetboxType] = {}
        self.catalog_of: dict[str, str] = {}
        for rack in plan.racks:
            for device in rack.devices:
                self.catalog_of[device.name] = device.catalog_id
                library = known[device.catalog_id].netbox
                if library is not None and self.types[device.catalog_id]["slug"] == library.slug:
                    self.library[device.name] = library
        self.device_power = self._device_power_ports()
        inlets = {name: [(port["name"], port["type"]) for port in ports] for name, ports in self._power_ports_by_device().items()}
        new_racks = plan.model_copy(update={"racks": [rack for rack in plan.racks if not rack.existing]})
        self.power: Power = power(new_racks, inlets, plan.name, self.tags, ROLES["pdu"][0])
        modelled = {device.name for rack in plan.racks for device in rack.devices}
        modelled |= {node for rack in plan.racks for device in rack.devices for node in device.nodes}
        patches = patch_lines(self.wired.links, modelled)
        self.patches = [{**line, "interface": self.name(line["device"], line["interface"])} for line in patches]
        self.links = [link for link in self.wired.links if {link.a.device, link.b.device} <= modelled]

    def name(self, device: str, interface: str) -> str:
        library = self.library.get(device)
        return interface if library is None else library_name(library, interface)

    def _device_power_ports(self) -> list[dict[str, Any]]:
        """Inlets of devices whose library type has no power ports (PSUs as module bays)."""
        records = []
        for rack in self.plan.racks:
            for device in sorted(rack.devices, key=lambda d: -d.position):
                library = self.library.get(device.name)
                if library is not None and not library.power_ports and device.power_max_w:
                    records += [{"device": device.name, **port, "tags": self.tags} for port in power_ports(device.power_max_w)]
        return records

    def _power_ports_by_device(self) -> dict[str, list[dict[str, Any]]]:
        ports: dict[str, list[dict[str, Any]]] = {}
        for record in self.device_power:
            ports.setdefault(record["device"], []).append(record)
        for rack in self.plan.racks:
            for device in rack.devices:
                if device.name not in ports:
                    ports[device.name] = self.types[device.catalog_id].get("power-ports", [])
        return ports


def _devices(bundle: _Bundle) -> Iterator[dict[str, Any]]:
    plan, types = bundle.plan, bundle.types
    site = plan.name
    children: list[dict[str, Any]] = []
    gpus = {e.node: f"{e.gpus_per_node}x {e.gpu_name}, {e.memory_gb_per_node} GB per node" for e in plan.compute}

    def record(device_name: str, role: str, catalog_id: str) -> dict[str, Any]:
        kind = types[catalog_id]
        fields = {
            "name": device_name,
            "role": ROLES[role][0],
            "manufacturer": kind["manufacturer"],
            "device_type": kind["model"],
            "site": site,
            "status": "planned",
        }
        if role == "compute" and catalog_id in gpus:
            fields["description"] = gpus[catalog_id][:200]
        return fields

    pdus = iter(bundle.power.pdus)
    for rack in plan.racks:
        for device in sorted(rack.devices, key=lambda d: -d.position):
            yield {
                **record(device.name, device.role, device.catalog_id),
                "rack": rack.name,
                "position": device.position,
                "face": device.face,
                "tags": bundle.tags,
            }
            if device.nodes:
                node = next(e.node for e in plan.compute if e.chassis == device.catalog_id)
                for bay, name in enumerate(device.nodes, start=1):
                    children.append(
                        {**record(name, "compute", node), "parent": device.name, "device_bay": f"bay{bay}", "tags": bundle.tags}
                    )
        if not rack.existing:  # an installed rack: the site's PDUs
            yield next(pdus)
            yield next(pdus)
    yield from existing_devices(plan, types, ROLES["compute"][0], bundle.tags)
    yield from sorted(children, key=lambda child: natural_key(child["name"]))


def _interfaces(bundle: _Bundle) -> list[dict[str, Any]]:
    """Device interfaces the types lack: the fabric adapters of library hosts."""
    known = items(bundle.catalog)
    records: list[dict[str, Any]] = []
    for rack in bundle.plan.racks:
        for device in sorted(rack.devices, key=lambda d: -d.position):
            if device.name in bundle.library and device.role != "fabric":
                for interface in host_fabric_interfaces(bundle.plan, bundle.catalog, fabric_port_count(known[device.catalog_id])):
                    records.append({"device": device.name, **interface, "tags": bundle.tags})
    return records


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


def _readme(bundle: _Bundle) -> str:
    plan, types = bundle.plan, bundle.types
    slugs = dict.fromkeys(kind["slug"] for kind in types.values())
    library = {library.slug: library.source for library in bundle.library.values()}
    lines = []
    for slug in [*slugs, bundle.power.pdu_type["slug"] if bundle.power.pdu_type and bundle.power.pdus else ""]:
        if slug:
            source = f" ({markdown_text(library[slug])})" if slug in library else ""
            lines.append(f"   - device-types/{slug}.yaml{source}")
    type_files = "\n".join(lines)
    racks = len(bundle.power.panels)
    return f"""# NetBox import bundle: {markdown_text(plan.name)}

Written by primeflex-iac from the plan ({plan.schema_version}, {plan.status}). Import in this order,
each file on its object type's Import page (data format YAML); every object is `planned`, and every
object of the design carries the tag `{tag_slug(plan)}` (filter by it to review the design, or
delete by it to roll it back). Manufacturers, device roles and device types carry no tag: they are
shared with the rest of the NetBox; skip any the NetBox holds already.

1. tags.yaml (Customization > Tags)
2. sites.yaml (Organization > Sites)
3. manufacturers.yaml (Devices > Manufacturers)
4. device-roles.yaml (Devices > Device Roles)
5. device types (Devices > Device Types), one file each, in the devicetype-library format. Those
   marked devicetype-library are the library's own types (slug, model and component names): a
   NetBox that imported the library has them; skip their files. Our files add each power port's
   `allocated_draw` (the plan's draw shared over the inlets), which the library's lack: where the
   NetBox's own copy is used, set it on those devices' power ports, or the rack power view leaves
   their draw out.
{type_files}
6. racks.yaml (Organization > Racks)
7. power-panels.yaml, then power-feeds.yaml (Power > Power Panels, Power Feeds): a panel per rack,
   feeds A (primary) and B (redundant), each sized to carry the rack's power limit alone
8. devices.yaml (Devices > Devices): rack, position and face; sleds go into their chassis' bays;
   two 0U PDUs per rack
9. interfaces.yaml (Devices > Interfaces): fabric adapter ports of servers whose library type lacks
   them
10. power-ports.yaml (Devices > Power Ports): inlets of servers whose library type has none
11. cables.yaml (Connections > Cables): fabric and management cables between named interfaces (a
    split switch port is one breakout cable from the physical port to its endpoints), then the
    power cables: each of the {2 * racks} feeds to its PDU's `Inlet`, every device inlet to a PDU
    outlet. NetBox's rack power utilisation counts what reaches the feeds over these cables: each
    rack shows its planned draw against its two feeds together.

Checked by importing bundles into NetBox 4.7 through these Import pages; earlier NetBox releases
lack the cable import's power-panel and multi-termination fields and its breakout profiles.

{_fabric_cabling(plan, bundle.wired)}
Power ports of our own types are N+1 inlets sized for the plan's maximum draw, each allocated its
share (an assumption, not a datasheet); feeds and PDUs are assumptions too (README of primeflex-iac).
{readme_section(plan, len(bundle.patches))}"""


def netbox_files(plan: Plan, catalog: Catalog | None = None) -> dict[str, str]:
    """The bundle's files by name (device types under device-types/)."""
    catalog = catalog_or_shipped(catalog)
    require_ids(plan, catalog)
    bundle = _Bundle(plan, catalog)
    types = bundle.types
    manufacturers = sorted({kind["manufacturer"] for kind in types.values()} | {"Generic"})
    devices = list(_devices(bundle))
    named = {device["role"] for device in devices}
    used_roles = [role for role in ROLES if ROLES[role][0] in named]  # the roles the devices name, no others
    tag = tag_slug(plan)
    # weight: NetBox's tag import requires it (4.7 refused a tag without one); 1000 is its default
    tags = [
        {"name": tag, "slug": tag, "color": _TAG_COLOUR, "weight": 1000, "description": f"primeflex-iac design {plan.name}"[:200]}
    ]
    if plan.existing is not None:
        tags.append(
            {
                "name": EXISTING_TAG,
                "slug": EXISTING_TAG,
                "color": _EXISTING_COLOUR,
                "weight": 1000,
                "description": "installed before the design",
            }
        )
    files = {
        "README.md": _readme(bundle),
        "tags.yaml": yaml_text(tags),
        "sites.yaml": yaml_text(
            [
                {
                    "name": plan.name,
                    "slug": _site_slug(plan),
                    "status": "planned" if plan.existing is None else "active",
                    "description": plan.message[:200],
                    "tags": bundle.tags,
                }
            ]
        ),
        "manufacturers.yaml": yaml_text([{"name": name, "slug": slugify(name)} for name in manufacturers]),
        "device-roles.yaml": yaml_text(
            [{"name": ROLES[role][0], "slug": ROLES[role][1], "color": _COLOURS[role].lstrip("#")} for role in used_roles]
        ),
        "racks.yaml": yaml_text([_rack(plan, catalog, index, bundle.tags) for index in range(len(plan.racks))]),
        "power-panels.yaml": yaml_text(bundle.power.panels),
        "power-feeds.yaml": yaml_text(bundle.power.feeds),
        "devices.yaml": yaml_text(devices),
        "interfaces.yaml": yaml_text(_interfaces(bundle)),
        "power-ports.yaml": yaml_text(bundle.device_power),
        "cables.yaml": yaml_text(cable_records(bundle)),
    }
    for kind in types.values():
        files.setdefault(f"device-types/{kind['slug']}.yaml", yaml_text(kind))
    if plan.existing is not None:
        files["ports-to-patch.csv"] = patch_csv(bundle.patches)
    if bundle.power.pdu_type is not None and bundle.power.pdus:
        files[f"device-types/{bundle.power.pdu_type['slug']}.yaml"] = yaml_text(bundle.power.pdu_type)
    return files


def _rack(plan: Plan, catalog: Catalog, index: int, tags: list[str]) -> dict[str, Any]:
    rack = plan.racks[index]
    if rack.existing:
        return existing_rack(plan, rack, tags)
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
        "tags": tags,
    }
