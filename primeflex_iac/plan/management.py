"""The management network's cables, derived from a plan's devices in a fixed order, so the same
plan always gives the same cables (the exports write them, the plan check walks them).

Rules:
- the management ports, rack by rack in the plan's order: every compute node (sleds inside their
  chassis), fabric switch, storage server, controller and metadata shelf; the head node last;
- with no aggregation switch, the ports fill the access switches' device ports (all but the
  uplink ports) in that order, the head node's too;
- with aggregation switches, the head node takes port 1 of the first aggregation switch and the
  other ports fill the access switches; uplink k of access switch i (0-based) goes into
  aggregation switch (i + k) mod the aggregation count, so consecutive access switches share an
  aggregation switch and every aggregation switch is reached; an uplink takes the access
  switch's first uplink port free and the aggregation switch's next free port;
- a switch given more ports than it has still gets its cables (port numbers past its last):
  the plan check reports them, the exports refuse them;
- on an existing site, the first ports (as many as the plan says the site's free management ports
  take) go to its management switch, "free-port1" on; the site's head node joins the new switches
  only when ports are left for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from primeflex_iac.common.devices import MANAGEMENT_AGGREGATION
from primeflex_iac.common.naming import natural_key

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.plan.model import Plan

__all__ = [
    "HOST_MANAGEMENT",
    "SWITCH_MANAGEMENT",
    "Link",
    "Port",
    "management_links",
    "management_ports",
    "management_switches",
]

HOST_MANAGEMENT = "eth0"  # a server's 1 GbE port: BMC and provisioning network
SWITCH_MANAGEMENT = "mgmt0"  # the management port of a switch or storage shelf


@dataclass(frozen=True)
class Port:
    device: str
    interface: str


@dataclass(frozen=True)
class Link:
    a: Port  # the host or lower switch
    b: Port  # the switch it plugs into
    network: Literal["fabric", "uplink", "management"]  # host to leaf, fabric switch to switch, management LAN
    cable: str  # catalog id of the cable, or "" when the catalog has none


def management_ports(plan: Plan, catalog: Catalog) -> list[Port]:
    """Every management port but the management switches' own, in cabling order (the head node last)."""
    ports: list[Port] = []
    head: list[Port] = []
    for rack in plan.racks:
        for device in rack.devices:
            if device.role == "compute":
                ports.extend(Port(name, HOST_MANAGEMENT) for name in device.nodes or [device.name])
            elif device.role == "fabric":
                ports.append(Port(device.name, SWITCH_MANAGEMENT))
            elif device.role == "head":
                head.append(Port(device.name, HOST_MANAGEMENT))
            elif device.role == "storage":
                role = catalog.storage_devices[device.catalog_id].role
                if role == "storage_server":
                    ports.append(Port(device.name, HOST_MANAGEMENT))
                elif role in ("controller_shelf", "mdt_shelf"):
                    ports.append(Port(device.name, SWITCH_MANAGEMENT))
    if plan.existing is not None and len(ports) > plan.existing.management_ports_used:
        # an existing site: ports beyond its free management ports go on new switches, which join
        # its management network where its head node is
        head.append(Port(plan.existing.head_node, HOST_MANAGEMENT))
    return ports + head


def management_switches(plan: Plan) -> tuple[list[str], list[str]]:
    """(access, aggregation) management switch names of the plan, each in natural order."""
    names = sorted((d.name for r in plan.racks for d in r.devices if d.role == "management"), key=natural_key)
    aggregation = [name for name in names if natural_key(name)[0] == MANAGEMENT_AGGREGATION]
    return [name for name in names if name not in aggregation], aggregation


def management_links(plan: Plan, catalog: Catalog) -> list[Link]:
    """Every management cable of the plan, as the module explains."""
    fabric = plan.fabric
    assert fabric is not None
    switch = catalog.management_switches[fabric.management_switch]
    capacity = switch.ports - switch.uplink_ports
    cable = fabric.management_cable
    access, aggregation = management_switches(plan)
    ports = management_ports(plan, catalog)
    links: list[Link] = []
    site = plan.existing
    if site is not None and site.management_switch is not None and site.management_ports_used:
        # an existing site's free management ports take the first ports, in order
        on_site, ports = ports[: site.management_ports_used], ports[site.management_ports_used :]
        for number, port in enumerate(on_site, start=1):
            links.append(Link(port, Port(site.management_switch, f"free-port{number}"), "management", cable))
    used = dict.fromkeys(aggregation, 0)
    if aggregation:
        head = ports.pop()
        links.append(Link(head, Port(aggregation[0], "port1"), "management", cable))
        used[aggregation[0]] = 1
    if not access:
        return links  # nothing to plug into: the check finds every device unreachable
    for index, port in enumerate(ports):
        number = min(index // capacity, len(access) - 1)
        links.append(Link(port, Port(access[number], f"port{index - number * capacity + 1}"), "management", cable))
    if not aggregation:
        return links
    for i, lower in enumerate(access):
        for k in range(switch.uplink_ports):
            upper = aggregation[(i + k) % len(aggregation)]
            used[upper] += 1
            links.append(Link(Port(lower, f"port{capacity + k + 1}"), Port(upper, f"port{used[upper]}"), "management", cable))
    return links
