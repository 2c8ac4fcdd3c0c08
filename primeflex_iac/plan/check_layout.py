"""Audit the parallel layout a plan states for a decoder: one a framework can run, on the plan's GPUs,
within their memory.

The estimate searched the layout; this recomputes what the plan claims from the layout alone:
TP x CP x PP x DP is the run's GPU count, tensor parallel stays inside a node (and splits whole
heads where the spec states them), context parallel splits each sequence into 2 x CP equal parts
(the load-balanced causal split) of a fused attention, every replica has at least one micro-batch,
an interleaved schedule has a layer per chunk, and the memory the layout needs (the memory model,
not the search) fits the GPU less the reserve and is the figure stated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.timing.llm_layouts import passes_of
from primeflex_iac.timing.llm_memory import RECOMPUTE, ZERO_STAGES, Layout, memory_bytes

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Gpu
    from primeflex_iac.plan.model import WorkloadResult
    from primeflex_iac.timing.calibration import Calibration
    from primeflex_iac.timing.workloads import ResolvedWorkload

__all__ = ["layout_violations"]

MEMORY_TOLERANCE_GB = 0.051  # the plan states the memory to 0.1 GB


def layout_violations(
    reported: WorkloadResult,
    resolved: ResolvedWorkload,
    gpu: Gpu,
    gpus_per_node: int,
    cal: Calibration,
) -> list[str]:
    """Why the layout ``reported`` states for ``resolved`` cannot run as stated (empty when it can)."""
    name, shape, stated = resolved.name, resolved.decoder, reported.parallelism
    if shape is None or not resolved.global_batch:
        return [f"workload {name} states a parallel layout but is not a decoder"] if stated is not None else []
    if stated is None or reported.nodes is None:
        return [f"workload {name}: a decoder without its parallel layout"]
    gpus = reported.nodes * gpus_per_node
    out: list[str] = []
    if min(stated.tp, stated.cp, stated.pp, stated.dp, stated.micro_batch, stated.virtual_stages) < 1:
        return [f"workload {name}: a layout degree below 1 ({stated})"]
    if stated.tp * stated.cp * stated.pp * stated.dp != gpus:
        out.append(
            f"workload {name}: TP {stated.tp} x CP {stated.cp} x PP {stated.pp} x DP {stated.dp} is not the run's {gpus} GPUs"
        )
    if stated.cp > 1 and shape.sequence % (2 * stated.cp):
        out.append(
            f"workload {name}: CP {stated.cp} does not split its {shape.sequence:,}-token sequences into {2 * stated.cp} equal parts"
        )
    if shape.attention_heads is not None and stated.tp >= 1 and shape.attention_heads % stated.tp:
        out.append(f"workload {name}: TP {stated.tp} does not divide its {shape.attention_heads} attention heads")
    if stated.cp > 1 and not shape.flash_attention:
        out.append(f"workload {name}: CP {stated.cp} without FlashAttention (ring attention passes fused attention blocks on)")
    if gpus_per_node % stated.tp:
        out.append(f"workload {name}: TP {stated.tp} does not divide a node's {gpus_per_node} GPUs (it stays inside the node)")
    if stated.zero not in ZERO_STAGES or stated.recompute not in RECOMPUTE:
        out.append(f"workload {name}: ZeRO-{stated.zero} with recompute {stated.recompute} is no layout")
        return out
    if stated.pp * stated.virtual_stages > shape.layers:
        out.append(f"workload {name}: {stated.pp} stages of {stated.virtual_stages} chunks for {shape.layers} layers")
    if stated.dp * stated.micro_batch > resolved.global_batch * (1 + 1e-9):
        out.append(
            f"workload {name}: {stated.dp} replicas of micro-batch {stated.micro_batch} exceed the global batch "
            f"of {resolved.global_batch:g} sequences"
        )
    layout = Layout(
        stated.tp, stated.pp, stated.dp, stated.zero, stated.recompute, stated.micro_batch, stated.virtual_stages, stated.cp
    )
    passes = passes_of(resolved.global_batch / stated.dp, stated.micro_batch)
    need_gb = memory_bytes(shape, layout, passes, cal.llm.fp8_extra_bytes_per_parameter.value) / 1e9
    capacity_gb = gpu.memory_gb * (1 - cal.llm.memory_reserve_share.value)
    if need_gb > capacity_gb * (1 + 1e-9):
        out.append(
            f"workload {name}: its layout needs {need_gb:,.1f} GB per GPU, the {gpu.id} has {capacity_gb:,.1f} GB "
            "less the reserve"
        )
    stated_gb = reported.memory_per_gpu_gb
    if stated_gb is None or abs(stated_gb - max(need_gb, resolved.min_gpu_memory_gb)) > MEMORY_TOLERANCE_GB:
        out.append(f"workload {name} states {stated_gb} GB per GPU, its layout needs {need_gb:,.1f} GB")
    return out
