"""What the pictures draw, computed once from a Plan in a fixed order: racks of each device,
compute nodes grouped per rack, and which leaf switch each fabric port reaches.

The plan records counts; this deterministic assignment is the cabling a builder follows, in the
layout the plan records (``plan.fabric.layout``):
- leaf-per-node-group: leaves take the fabric's endpoints in order (compute nodes' adapters,
  then storage servers, then the head node) as evenly as the leaf count allows, so a node's
  adapters share a leaf;
- rail-optimised: compute nodes in order form rail groups of P nodes, P the endpoints one leaf
  takes (node-facing ports x endpoints per port); a group has A leaves of its own, A the adapters
  per node, and adapter i of every node of the group goes to the group's leaf i. A last, smaller
  group takes the leaves left over: rail by rail when there are A or more of them, else its
  adapters rail by rail spread evenly over them (each node still reaches every one). Storage
  servers, then the head node, take a free port of the least used leaf. The leaf count is the
  solver's (ceil(endpoints / P)); no leaf takes more than P endpoints.
One switch (tiers 1) takes every endpoint either way.

On an existing site (``plan.existing.fabric``: the plan's ports join the installed fabric) the
endpoints, in the order above, first take the installed fabric's free leaf ports (as many as
``leaf_ports_used``; every one where the plan has no new leaf), listed in ``existing_ports``;
the rest fill the new leaves in order (leaf per node group, whatever the layout asks: the
installed leaves' free ports are scattered, so no rail group is promised).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from primeflex_iac.common.devices import head_name
from primeflex_iac.common.naming import natural_key
from primeflex_iac.demand.fat_tree import leaf_down_ports

if TYPE_CHECKING:
    from primeflex_iac.plan.model import Device, Plan

__all__ = ["ComputeGroup", "Layout", "RailGroup", "layout_of"]


@dataclass(frozen=True)
class ComputeGroup:
    """Compute nodes of one rack (or one enclosure when unfolded)."""

    key: str
    rack: str
    nodes: tuple[str, ...]
    enclosures: tuple[str, ...]


@dataclass(frozen=True)
class RailGroup:
    """Compute nodes cabled to the same leaves, adapter i of each to ``leaves[i]`` (rail-optimised)."""

    number: int  # 1-based
    nodes: tuple[str, ...]
    leaves: tuple[int, ...]  # 0-based leaf indices the group's adapters reach, in rail order


@dataclass(frozen=True)
class Layout:
    rack_of: dict[str, str]
    compute_nodes: tuple[str, ...]
    groups: tuple[ComputeGroup, ...]
    storage_servers: tuple[str, ...]
    storage_shelves: tuple[Device, ...]
    # endpoint (device name) -> leaf indices its ports reach (0-based), in port order
    leaf_ports: dict[str, tuple[int, ...]] = field(default_factory=dict)
    rail_groups: tuple[RailGroup, ...] = ()  # empty unless the layout is rail-optimised
    # an existing site: endpoint (device name) -> its ports on free leaf ports of the installed fabric
    existing_ports: dict[str, int] = field(default_factory=dict)


def layout_of(plan: Plan) -> Layout:
    rack_of: dict[str, str] = {}
    nodes: list[str] = []
    groups: list[ComputeGroup] = []
    storage_servers: list[str] = []
    shelves: list[Device] = []
    for rack in plan.racks:
        rack_nodes: list[str] = []
        enclosures: list[str] = []
        for device in sorted(rack.devices, key=lambda d: natural_key(d.name)):
            rack_of[device.name] = rack.name
            for node in device.nodes:
                rack_of[node] = rack.name
            if device.role == "compute":
                members = device.nodes or [device.name]
                rack_nodes.extend(members)
                enclosures.append(device.name)
            elif device.role == "storage" and device.catalog_id == (plan.storage.server if plan.storage else None):
                storage_servers.append(device.name)
            elif device.role == "storage":
                shelves.append(device)
        if rack_nodes:
            groups.append(ComputeGroup(rack.name, rack.name, tuple(rack_nodes), tuple(enclosures)))
            nodes.extend(rack_nodes)
    nodes.sort(key=natural_key)
    storage_servers.sort(key=natural_key)
    leaf_ports: dict[str, tuple[int, ...]] = {}
    rails: tuple[RailGroup, ...] = ()
    on_existing: dict[str, int] = {}
    fabric = plan.fabric
    if fabric is not None:
        adapters = plan.compute[0].fabric_adapters_per_node if plan.compute else 0
        others = storage_servers + ([head_name()] if fabric.head_node_on_fabric else [])
        leaves = max(fabric.leaf_switches, 1)
        installed = plan.existing.fabric if plan.existing is not None else None
        if installed is not None:
            endpoints = [name for name in nodes for _ in range(adapters)] + others
            free = installed.leaf_ports_used if fabric.leaf_switches else len(endpoints)
            for name in endpoints[:free]:
                on_existing[name] = on_existing.get(name, 0) + 1
            leaf_ports = _in_order(endpoints[free:], leaves) if fabric.leaf_switches else {}
        elif fabric.layout == "rail-optimised" and fabric.tiers > 1 and adapters > 1:
            per_leaf = leaf_down_ports(fabric.switch_ports, fabric.blocking_factor) * fabric.endpoints_per_port
            leaf_ports, rails = _rail_optimised(nodes, adapters, others, leaves, per_leaf)
        else:
            leaf_ports = _in_order([name for name in nodes for _ in range(adapters)] + others, leaves)
    return Layout(rack_of, tuple(nodes), tuple(groups), tuple(storage_servers), tuple(shelves), leaf_ports, rails, on_existing)


def _in_order(endpoints: list[str], leaves: int) -> dict[str, tuple[int, ...]]:
    """Endpoints fill the leaves in order, ceil(endpoints / leaves) each."""
    per_leaf = max(-(-len(endpoints) // leaves), 1)
    assigned: dict[str, list[int]] = {}
    for index, name in enumerate(endpoints):
        assigned.setdefault(name, []).append(index // per_leaf)
    return {name: tuple(ports) for name, ports in assigned.items()}


def _rail_optimised(
    nodes: list[str], adapters: int, others: list[str], leaves: int, per_leaf: int
) -> tuple[dict[str, tuple[int, ...]], tuple[RailGroup, ...]]:
    """Rail groups of ``per_leaf`` nodes on ``adapters`` leaves each, as the module explains."""
    assigned: dict[str, tuple[int, ...]] = {}
    groups: list[RailGroup] = []
    full = min(len(nodes) // per_leaf, leaves // adapters)
    for number in range(full):
        members = nodes[number * per_leaf : (number + 1) * per_leaf]
        rail_leaves = tuple(range(number * adapters, (number + 1) * adapters))
        assigned.update(dict.fromkeys(members, rail_leaves))
        groups.append(RailGroup(number + 1, tuple(members), rail_leaves))
    rest = nodes[full * per_leaf :]
    first, left_over = full * adapters, leaves - full * adapters
    if rest and left_over >= adapters:
        rail_leaves = tuple(range(first, first + adapters))
        assigned.update(dict.fromkeys(rest, rail_leaves))
        groups.append(RailGroup(full + 1, tuple(rest), rail_leaves))
    elif rest:
        # adapters rail by rail (rail 0 of every node, then rail 1, ...) over the leaves left, in
        # even runs: each run is at least as long as the group, so every node reaches every leaf
        total = len(rest) * adapters
        starts = [index * total // left_over for index in range(left_over)]
        for k, node in enumerate(rest):
            assigned[node] = tuple(first + bisect.bisect_right(starts, rail * len(rest) + k) - 1 for rail in range(adapters))
        groups.append(RailGroup(full + 1, tuple(rest), tuple(range(first, leaves))))
    load = [0] * leaves
    for ports in assigned.values():
        for leaf in ports:
            load[leaf] += 1
    for name in others:
        leaf = min(range(leaves), key=lambda index: (load[index], index))
        load[leaf] += 1
        assigned[name] = (leaf,)
    return assigned, tuple(groups)
