"""What the pictures draw, computed once from a Plan in a fixed order: racks of each device,
compute nodes grouped per rack, and which leaf switch each fabric port reaches.

Leaves take the fabric's endpoints in order (compute nodes' adapters, then storage servers, then
the head node), as evenly as the leaf count allows; the plan records counts, this deterministic
assignment is the cabling a builder would follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from primeflex_iac.common.devices import head_name
from primeflex_iac.common.naming import natural_key

if TYPE_CHECKING:
    from primeflex_iac.plan.model import Device, Plan

__all__ = ["ComputeGroup", "Layout", "layout_of"]


@dataclass(frozen=True)
class ComputeGroup:
    """Compute nodes of one rack (or one enclosure when unfolded)."""

    key: str
    rack: str
    nodes: tuple[str, ...]
    enclosures: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    rack_of: dict[str, str]
    compute_nodes: tuple[str, ...]
    groups: tuple[ComputeGroup, ...]
    storage_servers: tuple[str, ...]
    storage_shelves: tuple[Device, ...]
    # endpoint (device name) -> leaf indices its ports reach (0-based), in port order
    leaf_ports: dict[str, tuple[int, ...]] = field(default_factory=dict)


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
    if plan.fabric is not None:
        adapters = plan.compute[0].fabric_adapters_per_node if plan.compute else 0
        head = [head_name()] if plan.fabric.head_node_on_fabric else []
        endpoints = [name for name in nodes for _ in range(adapters)] + storage_servers + head
        leaves = max(plan.fabric.leaf_switches, 1)
        per_leaf = -(-len(endpoints) // leaves)
        assigned: dict[str, list[int]] = {}
        for index, name in enumerate(endpoints):
            assigned.setdefault(name, []).append(index // per_leaf)
        leaf_ports = {name: tuple(ports) for name, ports in assigned.items()}
    return Layout(rack_of, tuple(nodes), tuple(groups), tuple(storage_servers), tuple(shelves), leaf_ports)
