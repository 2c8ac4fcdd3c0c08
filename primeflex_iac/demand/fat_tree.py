"""Fat-tree arithmetic shared by the demand, the plan check, the topology and the exports."""

from __future__ import annotations

__all__ = ["leaf_down_ports"]


def leaf_down_ports(ports: int, blocking_factor: int) -> int:
    """Ports of a leaf that face nodes in a b:1 fat tree: b/(b+1) of them (half when non-blocking)."""
    return ports * blocking_factor // (blocking_factor + 1)
