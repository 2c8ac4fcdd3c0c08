"""The plan check's management network: counts from the arithmetic, every device with a management
port reachable from the head node over the cables, and no switch port used twice or missing.

The devices that need a management port are listed here from the plan's devices, apart from the
derivation of the cables (``plan.management``) that the exports write, so a cable the derivation
forgets shows as an unreachable device.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import networkx as nx

from primeflex_iac.common.naming import natural_key
from primeflex_iac.demand.management import ManagementTree, management_tree
from primeflex_iac.plan.management import management_links

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.plan.model import Plan

__all__ = ["management_violations"]

_SHOWN = 5  # names listed in a message before "and N more"


def _names(names: list[str]) -> str:
    shown = ", ".join(sorted(names, key=natural_key)[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def _managed(plan: Plan, catalog: Catalog) -> list[str]:
    """Every device with a management port: compute nodes, fabric and management switches, the head
    node, storage servers and the controller and metadata shelves."""
    found: list[str] = []
    for rack in plan.racks:
        for device in rack.devices:
            if device.role == "compute":
                found.extend(device.nodes or [device.name])
            elif device.role in ("fabric", "management", "head"):
                found.append(device.name)
            elif device.role == "storage":
                kind = catalog.storage_devices.get(device.catalog_id)
                if kind is not None and kind.role != "drive_enclosure":
                    found.append(device.name)
    return found


def management_violations(plan: Plan, catalog: Catalog) -> list[str]:
    fabric = plan.fabric
    assert fabric is not None
    switch = catalog.management_switches.get(fabric.management_switch)
    if switch is None:
        return [f"management switch {fabric.management_switch} is not in the catalog"]
    out: list[str] = []

    # counts: a port for every node, storage server and shelf, fabric switch and the head node
    storage = plan.storage
    devices = sum(entry.count for entry in plan.compute if entry.existing_group is None)
    devices += fabric.leaf_switches + fabric.spine_switches + fabric.core_switches
    devices += storage.servers + storage.controller_shelves + storage.mdt_shelves if storage else 0
    on_site = plan.existing.management_ports_used if plan.existing is not None else 0  # the spec's bound: check_existing
    if on_site > devices:
        out.append(f"{on_site} management ports on the site's network for {devices} new devices")
    rest = max(0, devices - on_site)
    tree = management_tree(rest, switch.ports, switch.uplink_ports)
    if plan.existing is not None and not rest:
        tree = ManagementTree(0, 0, 0)  # nothing for a new management switch: the site's network takes it all
    tree = ManagementTree(tree.access, tree.aggregation, tree.cables + on_site)  # and a cable per port on the site's
    found = (fabric.management_switches, fabric.management_aggregation_switches, fabric.management_cables)
    expected = (tree.switches, tree.aggregation, tree.cables)
    if found != expected:
        out.append(f"management (switches, aggregation, cables) {found} != {expected} for {devices + 1} management ports")
    if fabric.management_cable != (switch.cable or ""):
        out.append(f"management cable {fabric.management_cable!r} is not the catalog's {switch.cable!r}")

    # cables: one per port, no switch over its ports, every device reachable from the head node
    links = management_links(plan, catalog)
    if len(links) != fabric.management_cables:
        out.append(f"{len(links)} management cables laid, the plan counts {fabric.management_cables}")
    ends = Counter(end for link in links for end in (link.a, link.b))
    twice = [f"{end.device}:{end.interface}" for end, count in ends.items() if count > 1]
    if twice:
        out.append(f"management ports with more than one cable: {_names(twice)}")
    switches = [d.name for r in plan.racks for d in r.devices if d.role == "management"]
    cabled = Counter(end.device for end in ends)
    for name in switches:
        if cabled[name] > switch.ports:
            out.append(f"management switch {name} has {cabled[name]} cables on {switch.ports} ports")
    graph = nx.MultiGraph()
    managed = _managed(plan, catalog)
    graph.add_nodes_from(managed)
    graph.add_edges_from((link.a.device, link.b.device) for link in links)
    heads = [d.name for r in plan.racks for d in r.devices if d.role == "head"]
    if plan.existing is not None:  # the site's head node, outside the plan's racks
        heads = [plan.existing.head_node]
        graph.add_node(plan.existing.head_node)
        if plan.existing.management_switch is not None:  # its management network reaches its free ports
            graph.add_edge(plan.existing.management_switch, plan.existing.head_node)
    reachable = nx.node_connected_component(graph, heads[0]) if heads else set()
    unreachable = [name for name in managed if name not in reachable]
    if unreachable:
        islands = nx.number_connected_components(graph.subgraph(unreachable))
        out.append(
            f"{len(unreachable)} devices in {islands} management island{'s' if islands > 1 else ''} are not reachable from "
            f"{heads[0] if heads else 'the head node'}: {_names(unreachable)}"
        )
    return out
