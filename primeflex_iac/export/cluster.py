"""What the exporters read from a plan beyond its fields: compute hosts per platform, fabric
switches by level, and every cable (fabric and management) between named interfaces.

The plan records counts and unit positions; the wiring is derived from them in a fixed order,
so the same plan always gives the same cables:
- fabric endpoints reach the leaves in the plan's layout (``plan.cabling``: rail-optimised,
  adapter i of every node of a rail group on the group's leaf i; or leaf-per-node-group, each
  node's adapters, then the storage servers, then the head node in order), as the topology
  picture draws them; each leaf fills its node-facing ports from port 1, in node order, so
  with rails the port of a node is the same on each of its group's leaves; a split port
  (HDR100, NDR200) serves two endpoints, named as its halves (``port1/1``, ``port1/2``);
- a switch's uplinks use the whole ports (``port33``) above its node-facing ones and go round-robin over the
  level above, continuing where the previous switch stopped, so no upper switch is given more
  links than it has ports;
- the management network is cabled as ``plan.management`` derives it: devices fill the access
  switches' ports except their uplink ports; with aggregation switches, the access switches'
  uplinks and the head node go into them.

On an existing site the plan's fabric joins the installed one, whose switches the plan does not
know: ports on its free leaf ports (``Layout.existing_ports``) and new leaves' uplinks to its
spines' free ports end on ``INSTALLED_FABRIC``, a stand-in, at ``free-leaf-portN`` and
``free-spine-portN`` (the Nth free port the plan uses, counted from 1): a site patches them to
ports of its choice. Installed nodes that take GPU cards keep their cables.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.common.devices import INSTALLED_FABRIC, SINGLE_SWITCH, SWITCH_LEVELS
from primeflex_iac.common.naming import natural_key
from primeflex_iac.demand.fat_tree import leaf_down_ports
from primeflex_iac.plan.cabling import layout_of
from primeflex_iac.plan.management import (
    HOST_MANAGEMENT,
    SWITCH_MANAGEMENT,
    Link,
    Port,
    management_links,
    management_ports,
    management_switches,
)

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.plan.model import ComputeEntry, Device, Plan

__all__ = [
    "HOST_MANAGEMENT",
    "INSTALLED_FABRIC",
    "SWITCH_MANAGEMENT",
    "Link",
    "Platform",
    "Port",
    "Wiring",
    "catalog_or_shipped",
    "endpoints_per_port",
    "fabric_interface",
    "natural_key",
    "platforms",
    "require_ids",
    "split_half",
    "switch_levels",
    "switch_port",
    "wiring",
]


@cache
def _shipped() -> Catalog:
    return load_catalog()


def catalog_or_shipped(catalog: Catalog | None) -> Catalog:
    """The catalog given, or the shipped one (loaded once): device names and figures the plan only names by id."""
    return catalog if catalog is not None else _shipped()


def require_ids(plan: Plan, catalog: Catalog) -> None:
    """Raise ValueError naming every catalog id of the plan that ``catalog`` lacks (an overlay's item)."""
    if plan.status == "infeasible" or plan.fabric is None:
        raise ValueError(f"plan {plan.name!r} holds no cluster (status {plan.status}); nothing to export")
    sections = (getattr(catalog, name) for name in type(catalog).model_fields)
    known = {item_id for section in sections if isinstance(section, dict) for item_id in section}
    used = {d.catalog_id for r in plan.racks for d in r.devices} | {r.catalog_id for r in plan.racks if not r.existing}
    for entry in plan.compute:
        used |= {entry.node, entry.gpu} | ({entry.chassis} if entry.chassis else set())
    f = plan.fabric
    used |= {f.technology, f.switch, f.adapter, f.cable, f.uplink_cable, f.management_switch}
    used |= {f.management_cable} if f.management_cable else set()
    missing = sorted(used - known)
    if missing:
        raise ValueError(
            f"plan {plan.name!r} names catalog ids the catalog lacks: {', '.join(missing)}; "
            "give the catalog overlays it was solved with"
        )


def fabric_interface(family: str, index: int) -> str:
    """A host's fabric port as Linux names it: ib0, ib1 (InfiniBand, Omni-Path) or eth1, eth2 (Ethernet)."""
    return f"eth{index + 1}" if family == "ethernet" else f"ib{index}"


def switch_port(slot: int, per_port: int) -> str:
    """The switch interface of 0-based endpoint ``slot``: port1, port2 or, split, port1/1, port1/2."""
    port, sub = divmod(slot, per_port)
    return f"port{port + 1}" if per_port == 1 else f"port{port + 1}/{sub + 1}"


def split_half(interface: str) -> tuple[str, int] | None:
    """The physical port and half of a split switch interface ``switch_port`` named (port3/2:
    port3 and 2); None for a whole port."""
    port, slash, half = interface.rpartition("/")
    return (port, int(half)) if slash and port and half.isdigit() else None


def endpoints_per_port(plan: Plan, catalog: Catalog) -> int:
    """Endpoints one switch port serves in the plan's fabric mode (2 where ports are split: HDR100, NDR200)."""
    fabric = plan.fabric
    if fabric is None:
        raise ValueError(f"plan {plan.name!r} has no fabric (status {plan.status})")
    return next(mode.endpoints_per_port for mode in catalog.fabrics[fabric.technology].modes if mode.name == fabric.mode)


@dataclass(frozen=True)
class Platform:
    """One compute platform of the plan and its hosts, in node order."""

    entry: ComputeEntry
    key: str  # unique among the plan's platforms: the GPU id, or node and GPU ids when two share a GPU
    hosts: tuple[str, ...]
    enclosure_of: dict[str, str]  # host -> chassis device, for sleds


def platforms(plan: Plan) -> list[Platform]:
    """The compute hosts of each platform; raises ValueError if the plan's devices disagree with its counts."""
    gpu_counts = Counter(entry.gpu for entry in plan.compute)
    result = []
    for entry in plan.compute:
        hosts: list[str] = []
        enclosure_of: dict[str, str] = {}
        if entry.existing_group is not None:  # GPU cards into installed nodes, which have no device
            groups = plan.existing.groups if plan.existing is not None else []
            hosts = [host for group in groups if group.name == entry.existing_group for host in group.upgraded]
        for device in _devices(plan) if entry.existing_group is None else ():
            if device.role != "compute":
                continue
            if entry.chassis is not None and device.catalog_id == entry.chassis:
                hosts.extend(device.nodes)
                enclosure_of.update(dict.fromkeys(device.nodes, device.name))
            elif entry.chassis is None and device.catalog_id == entry.node:
                hosts.append(device.name)
        if len(hosts) != entry.count:
            raise ValueError(f"plan lists {entry.count} {entry.node} nodes but places {len(hosts)}")
        key = entry.gpu if gpu_counts[entry.gpu] == 1 else f"{entry.node}-{entry.gpu}"
        result.append(Platform(entry, key, tuple(sorted(hosts, key=natural_key)), enclosure_of))
    return result


@dataclass(frozen=True)
class Wiring:
    levels: tuple[tuple[str, tuple[str, ...]], ...]  # (level, switch names), lowest first
    leaf_of: dict[str, str]  # compute host -> the leaf holding most of its fabric ports (the first, on a tie)
    rail_groups: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # rail-optimised: (nodes, their leaves)
    children: dict[str, tuple[str, ...]]  # switch -> the switches one level down it links to
    links: tuple[Link, ...]


def _devices(plan: Plan) -> list[Device]:
    return [device for rack in plan.racks for device in rack.devices]


def switch_levels(plan: Plan) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The fabric switches by level, lowest first: (level, names in order); ValueError if they disagree with the counts."""
    fabric = plan.fabric
    assert fabric is not None
    names = sorted((d.name for d in _devices(plan) if d.role == "fabric"), key=natural_key)
    if fabric.tiers == 1:
        levels = [(SINGLE_SWITCH, tuple(names))]
        expected = [1]
    else:
        levels = [(level, tuple(n for n in names if n.startswith(level))) for level in SWITCH_LEVELS]
        levels = [level for level in levels if level[1]]
        expected = [fabric.leaf_switches, fabric.spine_switches] + ([fabric.core_switches] if fabric.tiers == 3 else [])
        if plan.existing is not None:  # the installed fabric's switches are not the plan's: new ones only
            expected = [count for count in expected if count]
    if [len(level[1]) for level in levels] != expected:
        raise ValueError(f"plan places fabric switches {names} for a {fabric.tiers}-level tree of {expected}")
    return tuple(levels)


_LAST: list[tuple[Plan, Catalog, Wiring]] = []  # the last wiring derived: every target of one export needs it


def wiring(plan: Plan, catalog: Catalog) -> Wiring:
    """Every cable of the plan's fabric and management networks, derived as the module explains.

    The last plan's wiring is kept (plan and catalog are frozen models, matched by identity), so
    the targets of one export derive it once."""
    if _LAST and _LAST[0][0] is plan and _LAST[0][1] is catalog:
        return _LAST[0][2]
    wired = _wiring(plan, catalog)
    _LAST[:] = [(plan, catalog, wired)]
    return wired


def _wiring(plan: Plan, catalog: Catalog) -> Wiring:
    fabric = plan.fabric
    if fabric is None:
        raise ValueError(f"plan {plan.name!r} has no fabric (status {plan.status})")
    levels = switch_levels(plan)
    per_port = endpoints_per_port(plan, catalog)
    ports = fabric.switch_ports
    links: list[Link] = []

    # hosts to leaves, as the topology picture draws them
    leaf_names = levels[0][1] if levels else ()  # an existing site may add no switch
    slots = Counter[str]()
    leaf_counts: dict[str, Counter[str]] = {}
    layout = layout_of(plan)
    free_ports = 0
    for name, count in layout.existing_ports.items():  # an existing site: free ports of its installed leaves
        for index in range(count):
            free_ports += 1
            links.append(
                Link(
                    Port(name, fabric_interface(fabric.family, index)),
                    Port(INSTALLED_FABRIC, f"free-leaf-port{free_ports}"),
                    "fabric",
                    fabric.cable,
                )
            )
            leaf_counts.setdefault(name, Counter())[INSTALLED_FABRIC] += 1
    for name, leaf_indices in layout.leaf_ports.items():
        first = layout.existing_ports.get(name, 0)
        for index, leaf_index in enumerate(leaf_indices, start=first):
            leaf = leaf_names[leaf_index]
            links.append(
                Link(
                    Port(name, fabric_interface(fabric.family, index)),
                    Port(leaf, switch_port(slots[leaf], per_port)),
                    "fabric",
                    fabric.cable,
                )
            )
            slots[leaf] += 1
            leaf_counts.setdefault(name, Counter())[leaf] += 1
    host_names = {host for platform in platforms(plan) for host in platform.hosts}
    leaf_of = {name: counts.most_common(1)[0][0] for name, counts in leaf_counts.items() if name in host_names}

    # switch levels, round-robin
    children: dict[str, tuple[str, ...]] = {}
    if fabric.tiers > 1 and len(levels) == 1 and plan.existing is not None:
        links.extend(_installed_uplinks(plan, leaf_names, ports))
    elif fabric.tiers > 1:
        down = [leaf_down_ports(ports, fabric.blocking_factor), ports // 2 if fabric.tiers == 3 else ports, ports]
        for step in range(len(levels) - 1):
            lower_names, upper_names = levels[step][1], levels[step + 1][1]
            uplinks = ports - down[step]
            upper_capacity = down[step + 1]  # uplinks take whole ports, split or not
            used = Counter[str]()
            linked: dict[str, set[str]] = {}
            for i, lower in enumerate(lower_names):
                for k in range(uplinks):
                    upper = upper_names[(i * uplinks + k) % len(upper_names)]
                    if used[upper] >= upper_capacity:
                        raise ValueError(f"{upper} has no free port for an uplink of {lower}")
                    links.append(
                        Link(
                            Port(lower, f"port{down[step] + k + 1}"),  # an uplink takes a whole port, split or not
                            Port(upper, f"port{used[upper] + 1}"),
                            "uplink",
                            fabric.uplink_cable,
                        )
                    )
                    used[upper] += 1
                    linked.setdefault(upper, set()).add(lower)
            for upper, lowers in linked.items():
                children[upper] = tuple(sorted(lowers, key=natural_key))
        if plan.existing is not None and plan.existing.fabric is not None and plan.existing.fabric.new_spines:
            links.extend(_spine_joins(plan, levels[-1][1], used))

    links.extend(_management_links(plan, catalog))
    rails = tuple((group.nodes, tuple(leaf_names[i] for i in group.leaves)) for group in layout.rail_groups)
    return Wiring(levels, leaf_of, rails, children, tuple(links))


def _spine_joins(plan: Plan, spines: tuple[str, ...], used: Counter[str]) -> list[Link]:
    """A new spine level's links into the installed fabric, round-robin over the new spines on the
    ports their leaves left free: to free spine ports of the installed fabric, then to free leaf ports."""
    fabric, use = plan.fabric, plan.existing.fabric if plan.existing is not None else None
    assert fabric is not None and use is not None
    links = []
    for index in range(use.spine_ports_used + use.join_leaf_ports):
        spine = spines[index % len(spines)]
        used[spine] += 1
        on_spine = index < use.spine_ports_used
        target = f"free-spine-port{index + 1}" if on_spine else f"free-leaf-port{index - use.spine_ports_used + 1}"
        links.append(Link(Port(spine, f"port{used[spine]}"), Port(INSTALLED_FABRIC, target), "uplink", fabric.uplink_cable))
    return links


def _installed_uplinks(plan: Plan, leaves: tuple[str, ...], ports: int) -> list[Link]:
    """New leaves' uplinks on an existing site without new spines: to free ports of its installed spines."""
    fabric = plan.fabric
    assert fabric is not None
    down = leaf_down_ports(ports, fabric.blocking_factor)
    links = []
    for i, leaf in enumerate(leaves):
        for k in range(ports - down):
            number = i * (ports - down) + k + 1
            links.append(
                Link(
                    Port(leaf, f"port{down + k + 1}"),
                    Port(INSTALLED_FABRIC, f"free-spine-port{number}"),
                    "uplink",
                    fabric.uplink_cable,
                )
            )
    return links


def _management_links(plan: Plan, catalog: Catalog) -> list[Link]:
    fabric = plan.fabric
    assert fabric is not None
    switch = catalog.management_switches[fabric.management_switch]
    access, aggregation = management_switches(plan)
    links = management_links(plan, catalog)
    cabled = Counter(link.b.device for link in links)
    limit = {**dict.fromkeys(access, switch.ports - switch.uplink_ports), **dict.fromkeys(aggregation, switch.ports)}
    full = [name for name in limit if cabled[name] > limit[name]]
    on_site = plan.existing.management_ports_used if plan.existing is not None else 0  # ports on the site's own switch
    if full or (not access and len(links) > on_site) or (not access and plan.existing is None):
        raise ValueError(
            f"{len(management_ports(plan, catalog))} management ports do not fit the plan's "
            f"{len(access)} access and {len(aggregation)} aggregation switches"
        )
    return links
