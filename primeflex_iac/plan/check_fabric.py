"""The fabric cabling ``check()`` holds: the layout the spec asks for, every endpoint with its ports,
no leaf cabled beyond its node-facing ports and, rail-optimised, every compute node spread over
as many leaves as its adapters and its rail group's leaves allow.

The cabling is derived from the plan (``plan.cabling.layout_of``); this module recomputes what it
must satisfy from the catalog's figures, not from the derivation.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from primeflex_iac.common.devices import head_name
from primeflex_iac.plan.cabling import layout_of

if TYPE_CHECKING:
    from primeflex_iac.common.vocabulary import FabricLayout
    from primeflex_iac.plan.cabling import Layout
    from primeflex_iac.plan.model import Plan

__all__ = ["cabling_violations"]


def cabling_violations(plan: Plan, layout: FabricLayout, per_port: int, per_leaf: int, single: int) -> list[str]:
    """Violations of the plan's fabric cabling.

    ``layout`` is the one the spec asks for, ``per_port`` endpoints per switch port, ``per_leaf``
    the node-facing endpoints of a leaf and ``single`` those of a one-switch fabric (catalog figures).
    """
    fabric = plan.fabric
    assert fabric is not None
    out: list[str] = []
    if fabric.layout != layout:
        out.append(f"fabric layout {fabric.layout}, the spec asks for {layout}")
    if fabric.endpoints_per_port != per_port:
        out.append(f"fabric endpoints per port {fabric.endpoints_per_port} != {per_port} of the catalog")
    cabled = layout_of(plan)
    adapters = plan.compute[0].fabric_adapters_per_node if plan.compute else 0
    wanted = dict.fromkeys(cabled.compute_nodes, adapters) | dict.fromkeys(cabled.storage_servers, 1)
    wanted |= {head_name(): 1} if fabric.head_node_on_fabric else {}
    found = {name: len(ports) for name, ports in cabled.leaf_ports.items()}
    if found != {name: count for name, count in wanted.items() if count}:
        out.append("the fabric cabling does not give every endpoint its ports")
    leaves = fabric.leaf_switches
    load = Counter(leaf for ports in cabled.leaf_ports.values() for leaf in ports)
    if any(not 0 <= leaf < leaves for leaf in load):
        out.append(f"the fabric cabling uses leaves beyond the plan's {leaves}")
    capacity = per_leaf if fabric.tiers > 1 else single
    full = sorted(leaf for leaf, count in load.items() if count > capacity)
    if full:
        out.append(f"{len(full)} leaves cabled beyond their {capacity} node-facing endpoints (leaf index {full[0]})")
    if fabric.layout == "rail-optimised" and fabric.tiers > 1 and adapters > 1:
        out.extend(_rail_violations(plan, cabled, per_leaf, adapters))
    return out


def _rail_violations(plan: Plan, cabled: Layout, per_leaf: int, adapters: int) -> list[str]:
    """Rail groups of ``per_leaf`` nodes in node order, each on ``adapters`` leaves; a last, partial
    group on the leaves left over, as many as there are up to ``adapters``."""
    fabric = plan.fabric
    assert fabric is not None
    nodes = cabled.compute_nodes
    full_groups = len(nodes) // per_leaf
    left_over = fabric.leaf_switches - full_groups * adapters
    short: list[str] = []
    for index, node in enumerate(nodes):
        reach = adapters if index // per_leaf < full_groups else min(adapters, left_over)
        if len(set(cabled.leaf_ports.get(node, ()))) < reach:
            short.append(node)
    out = []
    if short:
        first = short[0]
        out.append(
            f"rail-optimised fabric: {len(short)} compute nodes reach fewer leaves than their {adapters} adapters "
            f"and rail group allow ({first} reaches {len(set(cabled.leaf_ports.get(first, ())))})"
        )
    for group in range(full_groups):
        members = nodes[group * per_leaf : (group + 1) * per_leaf]
        if len({cabled.leaf_ports.get(node) for node in members}) != 1:
            out.append(f"rail group {group + 1}: adapter i of its nodes is not on one leaf per i")
    return out
