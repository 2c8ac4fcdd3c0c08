"""A decoder's training step in a parallel layout, and the search for the fastest layout that fits.

One step of a layout (tp, cp, pp, dp, ZeRO stage, recomputation, micro-batch b; m = global batch /
(dp x b) micro-batches per replica, rounded up to whole passes), on each GPU:

    compute     = tokens per GPU x (dense FLOPs / GEMM rate + attention FLOPs / attention rate)
                  dense 6 x parameters per token (8 with full recomputation: one more forward),
                  attention 12 x layers x width x sequence (16 when recomputed);
                  GEMM rate = peak x efficiency[generation] x w / (w + w_half) x t / (t + t_half)
                  x sustained share (w: the width a TP rank's GEMMs run at, ``tp_width_share``;
                  t: a micro-batch's tokens on one GPU, b s / cp; small shapes run worse; a
                  power-limited card sustains a share of the fully powered part); in FP8 the
                  GEMMs' part, 1 of 1 + w_half / w, runs fp8 peak / peak x fp8_gemm_share faster,
                  the narrow-width overhead beside them (memory-bound work) does not; without
                  FlashAttention each head's s x s scores also pass through memory (32 B per element,
                  45 B recomputed: ``SCORE_BYTES``) at the GPU's memory bandwidth
    tensor par. = per layer and micro-batch 4 all-reduces of b x s x width x 2 B (6 with full
                  recomputation), ring inside the node: 2 (tp-1)/tp x size / NVLink (or PCIe)
    context par.= per layer and micro-batch, ring attention passes a chunk's keys and values (2 b s h
                  / (cp tp) x 2 B) cp - 1 times forward and twice that backward (NVLink while TP x CP
                  fits a node, else the GPU's share of the adapters), beyond the attention compute
                  it overlaps (Liu et al. 2023, ring attention; Megatron-Core's context parallelism)
    bubble      = (pp - 1) / (m v) x (compute + tensor parallel + context parallel)  (1F1B; v virtual
                  stages interleaved, Narayanan et al. 2021, each sending its activations on)
    data par.   = 2 (ZeRO-0/1: one all-reduce of the accumulated gradients), m + 1 (ZeRO-2: a
                  reduce-scatter per micro-batch and an all-gather) or 3 m (ZeRO-3: two all-gathers
                  and a reduce-scatter per micro-batch) x gradient bytes of the GPU's stage, over the
                  dp x cp ranks that hold the same weights: a ring inside the node, then
                  between nodes through the GPU's share of the node's adapters; latency per
                  collective 2 log2(nodes) x the fabric's (tree or in-network reduction, as NCCL
                  runs them at scale), not 2 (n-1) per bucket.
    exposed     = data parallel time beyond what the backward pass hides (ZeRO-3 prefetches its
                  gathers over forward and backward: the whole compute)
    step        = compute + tensor parallel + context parallel + bubble + pipeline sends + exposed
                  + optimizer + fixed

The search enumerates TP (powers of two inside the node), PP (powers of two up to 32 stages),
micro-batches (powers of two up to a replica's batch and 65,536 tokens; the larger stop
once none fits), recomputation (none or full; selective
too without FlashAttention) and, for each, the lowest ZeRO stage that fits: a higher stage only
adds traffic, so the first that fits is the one to try. Context parallelism (CP, powers of two
leaving each GPU at least 4,096 tokens of a sequence) is what frameworks use where long sequences'
activations do not fit, or leave too few sequences to fill a pipeline: the search tries it only
where the fastest layout without it recomputes fully or runs fewer micro-batches than pipeline
stages (its ring attention's own losses, smaller attention blocks and the SMs the transfers take,
are in no calibration row, so it is not credited where neither is the case).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.timing.llm_layouts import (
    MAX_PIPELINE,
    capacity_bytes,
    context_degrees,
    passes_of,
    powers_of_two,
    tensor_degrees,
)
from primeflex_iac.timing.llm_memory import RECOMPUTE, ZERO_STAGES, Layout, memory_bytes

if TYPE_CHECKING:
    from primeflex_iac.timing.calibration import Calibration
    from primeflex_iac.timing.llm_memory import DecoderShape, Recompute
    from primeflex_iac.timing.shapes import Interconnect, NodeShape

__all__ = ["LayoutLimits", "LlmStep", "search_layout", "tp_width_share"]

# Without FlashAttention each head's sequence x sequence scores pass through memory, per element (Megatron's
# fused scale-mask-softmax; unfused eager attention moves more): forward 13 B: QK^T writes the scores (2),
# the softmax reads them and writes P (4), dropout reads P and writes its output and mask (5), AV reads
# the output (2); backward 19 B: AV's backward writes dP' and reads the output for dV (4), dropout's reads
# dP' and the mask and writes dP (5), the softmax's reads dP and P and writes dS (6), QK^T's reads dS for
# dQ and for dK (4); recomputation (full, or selective: the attention core) repeats the forward. The 5 B
# kept per element are Korthikanti et al. 2022's 5 a s^2 b; the traffic is this count (assumption: at
# the GPU's memory bandwidth, an optimistic bound for element-wise kernels).
SCORE_BYTES = {"none": 32, "selective": 45, "full": 45}
MAX_MICRO_TOKENS = 65_536  # largest micro-batch the search tries, in tokens (beyond, GEMMs gain little)
_CACHE: dict[tuple[object, ...], LlmStep | None] = {}
_CACHE_SIZE = 200_000


@dataclass(frozen=True)
class LayoutLimits:
    """Parts of the layout fixed in advance (a published run's own), the rest searched."""

    tp: int | None = None
    pp: int | None = None
    zero: int | None = None
    cp: int | None = None
    recompute: Recompute | None = None


@dataclass(frozen=True)
class LlmStep:
    layout: Layout
    memory_bytes: float
    step_s: float
    compute_s: float  # the GEMMs and the attention, recomputation included
    tensor_parallel_s: float
    context_parallel_s: float  # the ring attention's transfers beyond what the attention hides
    bubble_s: float
    pipeline_s: float
    communication_s: float  # the data-parallel collectives, whole
    exposed_s: float
    optimizer_s: float


def _virtual_stages(shape: DecoderShape, pp: int, micro_batches: float) -> list[int]:
    """1, and the interleaved schedule's 2 and 4 chunks per stage where each chunk keeps a layer and
    every stage has at least pp micro-batches to interleave (Megatron's condition)."""
    if pp == 1 or micro_batches < pp:
        return [1]
    return [1, *(v for v in (2, 4) if shape.layers >= pp * v)]


def _harmonic(a: float, b: float) -> float:
    return 2 * a * b / (a + b)


def _layer_width(tp: int) -> float:
    """A layer's weight GEMMs on one TP rank, in units of the width: QKV (1 x 3/tp, 3 parts of
    the layer's FLOPs), the output projection (1/tp x 1, 1 part), the MLP's two (1 x 4/tp, 4 parts
    each); each GEMM's arithmetic intensity goes with the harmonic mean of its two weight
    dimensions (tokens >> width), weighted by its FLOPs."""
    return (3 * _harmonic(1, 3 / tp) + _harmonic(1 / tp, 1) + 8 * _harmonic(1, 4 / tp)) / 12


def tp_width_share(tp: int) -> float:
    """The width a TP rank's GEMMs run at, as a share of the model's: Megatron's tensor parallelism
    splits each weight along one dimension only, so the other stays whole (TP 2: 0.82, 4: 0.60,
    8: 0.39, where width / tp would give 0.5, 0.25, 0.125)."""
    return _layer_width(tp) / _layer_width(1)


def _step(
    shape: DecoderShape,
    layout: Layout,
    node: NodeShape,
    link: Interconnect | None,
    global_batch: float,
    cal: Calibration,
    memory: float,
) -> LlmStep:
    llm, gpu, per_node = cal.llm, node.gpu, node.gpus_per_node
    tp, pp, dp, cp, b = layout.tp, layout.pp, layout.dp, layout.cp, layout.micro_batch
    micro_batches = passes_of(global_batch / dp, b)
    tokens_mb = b * shape.sequence / cp  # a micro-batch's tokens on one GPU: the GEMMs' rows
    width = shape.hidden * tp_width_share(tp)
    bf16_peak = gpu.tensor_tflops * 1e12
    # the GEMMs at full width, and the narrow-width overhead w_half / w beside them (w / (w + w_half) of
    # the full-width rate): the memory-bound work around each GEMM, which FP8 tensor cores do not speed up
    wide = bf16_peak * llm.gemm_efficiency[gpu.generation].value * gpu.sustained_share
    wide *= tokens_mb / (tokens_mb + llm.tokens_half.value)
    speedup = 1.0
    if shape.precision == "fp8" and gpu.fp8_tflops:
        speedup = gpu.fp8_tflops / gpu.tensor_tflops * llm.fp8_gemm_share.value
    gemm_rate = wide / (1 / speedup + llm.hidden_half.value / width)
    attention_rate = bf16_peak * llm.attention_efficiency[gpu.generation].value * gpu.sustained_share
    full = layout.recompute == "full"
    dense = (8 if full else 6) * shape.parameters
    attention = (16 if layout.recompute != "none" else 12) * shape.layers * shape.hidden * shape.sequence
    tokens_per_gpu = global_batch * shape.sequence / (dp * tp * pp * cp)
    attention_s = tokens_per_gpu * attention / attention_rate
    if not shape.flash_attention:  # the scores materialised: memory traffic beside the attention's FLOPs
        scores = global_batch / dp * shape.layers / pp * shape.heads / tp * shape.sequence**2
        attention_s += scores * SCORE_BYTES[layout.recompute] / (gpu.memory_bandwidth_gbs * 1e9)
    compute = tokens_per_gpu * dense / gemm_rate + attention_s

    link_share = cal.link_efficiency.value
    intra_gbs = gpu.nvlink_gbs if node.intra_node == "nvlink" and gpu.nvlink_gbs else gpu.pcie_gbs
    intra_bw = intra_gbs / 2 * 1e9 * link_share
    intra_latency = llm.intra_node_latency_us.value * 1e-6
    tensor_parallel = 0.0
    if tp > 1:
        one = 2 * (tp - 1) / tp * tokens_mb * shape.hidden * 2 / intra_bw + intra_latency
        tensor_parallel = shape.layers / pp * micro_batches * (6 if full else 4) * one

    nic_bw = node.adapters * link.link_gbps / 8 * 1e9 * link_share / per_node if link is not None and node.adapters else 0.0
    context_parallel = 0.0
    if cp > 1:
        # ring attention: each layer and micro-batch passes a chunk's keys and values cp - 1 times
        # forward, keys, values and their gradients backward (twice the bytes), once more when the
        # forward is recomputed; full width (no grouped-query sharing: an upper bound), hidden behind
        # the attention's own compute where that is longer
        inside = per_node % (tp * cp) == 0 or nic_bw == 0  # every CP group on one node's NVLink
        bandwidth = intra_bw if inside else nic_bw
        latency = intra_latency if inside or link is None else link.latency_us * 1e-6
        chunk = 2 * tokens_mb * shape.hidden / tp * 2
        ring = (cp - 1) * (chunk / bandwidth + latency) * (4 if full else 3)
        context_parallel = max(0.0, shape.layers / pp * micro_batches * ring - attention_s)
    bubble = (pp - 1) / (micro_batches * layout.virtual_stages) * (compute + tensor_parallel + context_parallel)

    group = dp * cp  # the ranks that hold the same weights and reduce their gradients together
    in_node = min(group, max(1, per_node // tp))  # of them in one node (TP, then CP and DP, then PP)
    pipeline = 0.0
    if pp > 1:
        crosses = tp * in_node * pp > per_node and nic_bw > 0
        sends = micro_batches * 2 * layout.virtual_stages
        pipeline = sends * tokens_mb * shape.hidden * 2 / tp / (nic_bw if crosses else intra_bw)

    gradient = shape.parameters / (tp * pp) * 2
    # per step, in gradients' worth: ZeRO-0/1 one all-reduce (or reduce-scatter and all-gather) of the
    # accumulated gradients; ZeRO-2 a reduce-scatter per micro-batch and an all-gather; ZeRO-3 two
    # all-gathers and a reduce-scatter per micro-batch (FSDP and DeepSpeed gather for every pass)
    passes = max(1.0, micro_batches)
    volume = {0: 2.0, 1: 2.0, 2: passes + 1, 3: 3 * passes}[layout.zero]
    communication = volume * (in_node - 1) / in_node * gradient / intra_bw
    spans = group / in_node
    buckets = max(1, math.ceil(gradient / cal.bucket_bytes.value))
    calls = 3 * passes * shape.layers / pp if layout.zero == 3 else buckets * volume / 2
    latency = intra_latency
    if spans > 1 and link is not None and nic_bw > 0:
        communication += volume * (spans - 1) / spans * gradient / in_node / nic_bw
        latency += 2 * math.ceil(math.log2(spans)) * link.latency_us * 1e-6
    communication += calls * latency
    window = compute * (1.0 if layout.zero == 3 else cal.overlap_share.value)
    exposed = max(0.0, communication - window)
    sharded = shape.parameters / (tp * pp) / (group if layout.zero >= 1 else 1)
    optimizer = sharded * cal.optimizer_bytes_per_parameter.value / (gpu.memory_bandwidth_gbs * 1e9)
    fixed = cal.step_overhead_s["transformer"].value
    step = compute + tensor_parallel + context_parallel + bubble + pipeline + exposed + optimizer + fixed
    return LlmStep(
        layout, memory, step, compute, tensor_parallel, context_parallel, bubble, pipeline, communication, exposed, optimizer
    )


def _key(
    shape: DecoderShape,
    node: NodeShape,
    link: Interconnect | None,
    nodes: int,
    batch: float,
    limits: LayoutLimits,
    cal: Calibration,
) -> tuple[object, ...]:
    gpu, llm = node.gpu, cal.llm
    return (
        shape,
        (
            gpu.generation,
            gpu.tensor_tflops,
            gpu.fp8_tflops,
            gpu.memory_gb,
            gpu.memory_bandwidth_gbs,
            gpu.nvlink_gbs,
            gpu.pcie_gbs,
            gpu.sustained_share,
        ),
        (node.gpus_per_node, node.intra_node, node.adapters),
        (link.link_gbps, link.latency_us) if link is not None else None,
        nodes,
        batch,
        limits,
        llm.gemm_efficiency[gpu.generation].value,
        llm.attention_efficiency[gpu.generation].value,
        llm.hidden_half.value,
        llm.tokens_half.value,
        llm.fp8_gemm_share.value,
        llm.fp8_extra_bytes_per_parameter.value,
        llm.memory_reserve_share.value,
        llm.intra_node_latency_us.value,
        cal.link_efficiency.value,
        cal.overlap_share.value,
        cal.optimizer_bytes_per_parameter.value,
        cal.bucket_bytes.value,
        cal.step_overhead_s["transformer"].value,
    )


def search_layout(
    shape: DecoderShape,
    node: NodeShape,
    link: Interconnect | None,
    nodes: int,
    global_batch: float,
    cal: Calibration,
    limits: LayoutLimits | None = None,
) -> LlmStep | None:
    """The fastest layout of ``shape`` on ``nodes`` nodes that fits the GPU's memory; None if none fits."""
    limits = limits or LayoutLimits()
    key = _key(shape, node, link, nodes, global_batch, limits, cal)
    if key in _CACHE:
        return _CACHE[key]
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    result = _search(shape, node, link, nodes, global_batch, cal, limits)
    _CACHE[key] = result
    return result


def _needs_context(best: LlmStep, global_batch: float) -> bool:
    """Whether the fastest layout without context parallelism pays for its long sequences: full
    recomputation, or a pipeline with fewer micro-batches than stages (mostly idle)."""
    layout = best.layout
    starved = layout.pp > 1 and passes_of(global_batch / layout.dp, layout.micro_batch) < layout.pp
    return layout.recompute == "full" or starved


def _search(
    shape: DecoderShape,
    node: NodeShape,
    link: Interconnect | None,
    nodes: int,
    global_batch: float,
    cal: Calibration,
    limits: LayoutLimits,
) -> LlmStep | None:
    per_node = node.gpus_per_node
    gpus = nodes * per_node
    capacity = capacity_bytes(node.gpu.memory_gb, cal)
    fp8_extra = cal.llm.fp8_extra_bytes_per_parameter.value
    recomputes = [r for r in RECOMPUTE if not (shape.flash_attention and r == "selective")]
    if limits.recompute is not None:
        recomputes = [limits.recompute]
    zeros = ZERO_STAGES if limits.zero is None else (limits.zero,)
    tps = tensor_degrees(shape, per_node) if limits.tp is None else [limits.tp]
    pps = powers_of_two(min(shape.layers, MAX_PIPELINE)) if limits.pp is None else [limits.pp]
    cps = context_degrees(shape) if limits.cp is None else [limits.cp]
    best: LlmStep | None = None
    for cp in (c for c in cps if c == 1 or shape.sequence % (2 * c) == 0):
        if cp == 2 and limits.cp is None and best is not None and not _needs_context(best, global_batch):
            break  # context parallelism stands in for recomputation and starved pipelines: tried only there
        for tp, pp in ((t, p) for t in tps for p in pps):
            if gpus % (tp * cp * pp):
                continue
            dp = gpus // (tp * cp * pp)
            if dp > global_batch:
                continue
            per_replica = global_batch / dp
            for micro in powers_of_two(per_replica):
                micro_batches = passes_of(per_replica, micro)
                lowest = len(ZERO_STAGES)
                if micro * shape.sequence / cp > MAX_MICRO_TOKENS and micro > 1:
                    break  # GEMMs gain under 3 % beyond this: larger micro-batches only cost memory
                for recompute in recomputes:
                    for zero in zeros:
                        if zero >= lowest:
                            break  # more recomputation only pays if it allows a lower stage
                        layout = Layout(tp, pp, dp, zero, recompute, micro, cp=cp)
                        memory = memory_bytes(shape, layout, micro_batches, fp8_extra)
                        if memory > capacity:
                            continue
                        lowest = zero
                        for virtual in _virtual_stages(shape, pp, micro_batches):
                            chosen = Layout(tp, pp, dp, zero, recompute, micro, virtual, cp)
                            need = memory if virtual == 1 else memory_bytes(shape, chosen, micro_batches, fp8_extra)
                            if need > capacity:
                                break
                            found = _step(shape, chosen, node, link, global_batch, cal, need)
                            if best is None or found.step_s < best.step_s:
                                best = found
                        break
                if lowest == len(ZERO_STAGES):
                    break  # nothing fits this micro-batch: no larger one fits either
    return best
