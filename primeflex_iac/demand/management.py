"""Management network arithmetic shared by the model's reading, the plan check and the brute-force test.

Rules (the catalog's management switch, ``ports`` of which ``uplinks`` are kept for uplinks):
- every compute node, storage server, controller and metadata shelf and fabric switch has one
  management port, and so has the head node;
- when the access ports of one switch (ports - uplinks) take them all, one switch is the network;
- else the devices other than the head node fill access switches, each access switch sends its
  uplinks to aggregation switches of the same model, which use all their ports for the access
  uplinks and the head node (interpretation): access = ceil(devices / (ports - uplinks)),
  aggregation = ceil((access x uplinks + 1) / ports);
- one cable per management port, plus one per access uplink.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ManagementTree", "management_tree"]


@dataclass(frozen=True)
class ManagementTree:
    access: int  # switches the devices plug into (the one switch when it takes them all)
    aggregation: int  # switches the access switches' uplinks and the head node plug into (0 with one switch)
    cables: int  # one per management port, one per access uplink

    @property
    def switches(self) -> int:
        return self.access + self.aggregation


def management_tree(devices: int, ports: int, uplinks: int) -> ManagementTree:
    """The management network of ``devices`` management ports besides the head node's."""
    access_ports = ports - uplinks
    if devices + 1 <= access_ports:
        return ManagementTree(access=1, aggregation=0, cables=devices + 1)
    access = -(-devices // access_ports)
    aggregation = -(-(access * uplinks + 1) // ports)
    return ManagementTree(access=access, aggregation=aggregation, cables=devices + 1 + access * uplinks)
