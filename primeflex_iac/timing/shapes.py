"""What the timing model needs of the hardware: a node's shape and the fabric between nodes.

The demand builds these from catalog entries (``Platform.shape``, ``FabricOption.interconnect``);
the timing model reads nothing else of the catalog's nodes and fabrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Gpu

__all__ = ["Interconnect", "NodeShape"]


@dataclass(frozen=True)
class NodeShape:
    """What the estimate needs of a node: its GPUs, how they talk inside it, and its fabric adapters."""

    gpu: Gpu
    gpus_per_node: int
    intra_node: Literal["nvlink", "pcie"]
    adapters: int


@dataclass(frozen=True)
class Interconnect:
    """The fabric between nodes: one adapter's link speed and the MPI latency."""

    name: str
    link_gbps: float
    latency_us: float
