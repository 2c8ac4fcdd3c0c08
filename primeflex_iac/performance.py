"""The simple sustained-rate estimate of time-to-model.

time = training FLOPs / (nodes x GPUs per node x per-GPU sustained rate x scaling efficiency),
where the per-GPU sustained rate is the GPU's peak at the workload's precision times the
workload's GPU efficiency, and the scaling efficiency is 1 on one node and the fabric's figure
across nodes. Reading the data is bounded by the paper's 7 GB/s per node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .platforms import FabricOption, Platform
from .workloads import ResolvedWorkload

__all__ = ["MAX_NODES", "NODE_READ_BYTES_PER_S", "Estimate", "estimate", "min_nodes"]

NODE_READ_BYTES_PER_S = 7e9  # seed: "each node having up to 7GB/s data throughput to the storage layer"
MAX_NODES = 1_000_000  # beyond this a requirement is treated as unreachable


@dataclass(frozen=True)
class Estimate:
    time_to_model_s: float
    per_gpu_tflops: float
    scaling_efficiency: float
    bound: str  # "compute" or "io"


def _per_gpu_rate(workload: ResolvedWorkload, platform: Platform) -> float:
    """Sustained FLOP/s of one GPU on this workload."""
    peak = platform.gpu.int8_tops if workload.precision == "int8" else platform.gpu.tensor_tflops
    return (peak or 0.0) * 1e12 * workload.gpu_efficiency


def estimate(workload: ResolvedWorkload, platform: Platform, fabric: FabricOption | None, nodes: int) -> Estimate:
    rate = _per_gpu_rate(workload, platform)
    efficiency = 1.0 if nodes <= 1 or fabric is None else fabric.fabric.scaling_efficiency
    compute_s = workload.training_flops / (nodes * platform.gpus_per_node * rate * efficiency) if rate > 0 else math.inf
    io_s = workload.dataset_bytes * workload.epochs / (nodes * NODE_READ_BYTES_PER_S)
    bound = "io" if io_s > compute_s else "compute"
    return Estimate(max(compute_s, io_s), rate * efficiency / 1e12, efficiency, bound)


def min_nodes(workload: ResolvedWorkload, platform: Platform, fabric: FabricOption) -> int | None:
    """Fewest nodes that meet the workload's time-to-model, or None if none up to MAX_NODES do."""
    rate = _per_gpu_rate(workload, platform)
    if rate <= 0:
        return None
    node_rate = platform.gpus_per_node * rate
    io_nodes = math.ceil(workload.read_rate / NODE_READ_BYTES_PER_S - 1e-9)
    single = math.ceil(workload.training_flops / (workload.required_s * node_rate) - 1e-9)
    if max(single, io_nodes) <= 1:
        return 1
    scaled = math.ceil(workload.training_flops / (workload.required_s * node_rate * fabric.fabric.scaling_efficiency) - 1e-9)
    needed = max(scaled, io_nodes, 2)
    return needed if needed <= MAX_NODES else None
