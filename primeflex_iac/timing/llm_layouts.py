"""The space of parallel layouts a decoder and a node allow: the degrees the search tries, the
micro-batches a replica runs, and the least memory a GPU needs in any layout (the leanest one).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from primeflex_iac.timing.llm_memory import RECOMPUTE, ZERO_STAGES, Layout, memory_bytes

if TYPE_CHECKING:
    from primeflex_iac.timing.calibration import Calibration
    from primeflex_iac.timing.llm_memory import DecoderShape
    from primeflex_iac.timing.llm_step import LayoutLimits

__all__ = [
    "MAX_PIPELINE",
    "MIN_CONTEXT_TOKENS",
    "capacity_bytes",
    "check_limits",
    "context_degrees",
    "least_gpu_memory_gb",
    "least_memory_at",
    "least_memory_bytes",
    "max_pipeline",
    "passes_of",
    "powers_of_two",
    "tensor_degrees",
]

MAX_PIPELINE = 32  # most pipeline stages the search tries
MIN_CONTEXT_TOKENS = 4096  # shortest part of a sequence context parallelism leaves one GPU (search pruning)


def passes_of(per_replica: float, micro: int) -> int:
    """Micro-batches a replica runs per step: whole passes, the last one partly filled where the
    micro-batch does not divide the replica's batch (a framework runs no half pass)."""
    return max(1, math.ceil(per_replica / micro - 1e-9))


def powers_of_two(limit: float) -> list[int]:
    values, value = [], 1
    while value <= limit:
        values.append(value)
        value *= 2
    return values


def context_degrees(shape: DecoderShape) -> list[int]:
    """Context-parallel degrees for ``shape``: 1, and powers of two that split each sequence into
    2 x cp equal parts (the load-balanced causal split) of at least MIN_CONTEXT_TOKENS / 2 tokens; 1 only
    without FlashAttention (ring attention passes blocks of a fused attention on)."""
    if not shape.flash_attention:
        return [1]
    return [c for c in powers_of_two(max(1.0, shape.sequence / MIN_CONTEXT_TOKENS)) if c == 1 or shape.sequence % (2 * c) == 0]


def tensor_degrees(shape: DecoderShape, per_node: int) -> list[int]:
    """Tensor-parallel degrees: powers of two dividing a node's GPUs and, where the heads are stated,
    the heads (each rank computes whole heads; the default width / 128 is an assumption, not held)."""
    heads = shape.attention_heads
    return [t for t in powers_of_two(per_node) if per_node % t == 0 and (heads is None or heads % t == 0)]


def max_pipeline(shape: DecoderShape) -> int:
    return max(powers_of_two(min(shape.layers, MAX_PIPELINE)))


def capacity_bytes(shape_gpu_memory_gb: float, cal: Calibration) -> float:
    return shape_gpu_memory_gb * 1e9 * (1 - cal.llm.memory_reserve_share.value)


def least_memory_bytes(shape: DecoderShape, gpus_per_node: int, global_batch: float, cal: Calibration) -> float:
    """The least a GPU can need in any layout: the most TP (across the node, in whole heads), the
    sequence split as far as context parallelism goes, the most pipeline stages, ZeRO-3 over as many
    replicas as the global batch allows, full recomputation, one sequence per micro-batch."""
    tp = max(tensor_degrees(shape, gpus_per_node))
    pp = max_pipeline(shape)
    dp = max(1, int(global_batch))
    layout = Layout(tp, pp, dp, 3, "full", 1, cp=max(context_degrees(shape)))
    return memory_bytes(shape, layout, 1.0, cal.llm.fp8_extra_bytes_per_parameter.value)


def least_memory_at(shape: DecoderShape, per_node: int, nodes: int, global_batch: float, cal: Calibration) -> float:
    """The least a GPU needs in any layout of ``nodes`` nodes (ZeRO-3, full recomputation, one sequence
    per micro-batch, the TP, CP and PP that shard most); infinite when no layout divides the GPUs."""
    gpus, least = nodes * per_node, math.inf
    fp8_extra = cal.llm.fp8_extra_bytes_per_parameter.value
    for tp in tensor_degrees(shape, per_node):
        for cp in context_degrees(shape):
            for pp in powers_of_two(min(shape.layers, MAX_PIPELINE)):
                if gpus % (tp * cp * pp) == 0 and gpus // (tp * cp * pp) <= global_batch:
                    dp = gpus // (tp * cp * pp)
                    layout = Layout(tp, pp, dp, 3, "full", 1, cp=cp)
                    least = min(least, memory_bytes(shape, layout, global_batch / dp, fp8_extra))
    return least


def least_gpu_memory_gb(shape: DecoderShape, gpus_per_node: int, global_batch: float, cal: Calibration) -> float:
    """GPU memory (reserve included) a GPU must have for any layout of ``shape`` to fit, in GB."""
    need = least_memory_bytes(shape, gpus_per_node, global_batch, cal)
    return need / (1 - cal.llm.memory_reserve_share.value) / 1e9


def check_limits(limits: LayoutLimits, shape: DecoderShape, gpus_per_node: int, nodes: int) -> None:
    """Raise ValueError naming the first part of a stated layout that no framework runs on this cluster."""
    for name, value in (("TP", limits.tp), ("CP", limits.cp), ("PP", limits.pp)):
        if value is not None and value < 1:
            raise ValueError(f"{name} {value}: a parallel degree is at least 1")
    if limits.tp is not None and gpus_per_node % limits.tp:
        raise ValueError(f"TP {limits.tp} does not divide a node's {gpus_per_node} GPUs (tensor parallelism stays inside a node)")
    if limits.tp is not None and shape.attention_heads is not None and shape.attention_heads % limits.tp:
        raise ValueError(f"TP {limits.tp} does not divide the model's {shape.attention_heads} attention heads")
    if limits.pp is not None and limits.pp > shape.layers:
        raise ValueError(f"PP {limits.pp}: more pipeline stages than the model's {shape.layers} layers")
    if limits.cp is not None and limits.cp > 1 and shape.sequence % (2 * limits.cp):
        raise ValueError(f"CP {limits.cp} does not split a {shape.sequence:,}-token sequence into {2 * limits.cp} equal parts")
    if limits.cp is not None and limits.cp > 1 and not shape.flash_attention:
        raise ValueError(f"CP {limits.cp} needs FlashAttention: ring attention passes blocks of a fused attention on")
    if limits.zero is not None and limits.zero not in ZERO_STAGES:
        raise ValueError(f"ZeRO stage {limits.zero}: the stages are 0, 1, 2 and 3")
    if limits.recompute is not None and limits.recompute not in RECOMPUTE:
        raise ValueError(f"recompute {limits.recompute!r}: one of {', '.join(RECOMPUTE)}")
    split = (limits.tp or 1) * (limits.cp or 1) * (limits.pp or 1)
    if (nodes * gpus_per_node) % split:
        raise ValueError(f"TP x CP x PP = {split} does not divide the {nodes * gpus_per_node:,} GPUs")
