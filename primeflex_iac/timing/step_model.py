"""Time-to-model: a data-parallel training step from the physics, calibrated on MLPerf.

One step on each GPU (per-GPU batch b = global batch / GPUs):

    compute   = b x FLOPs per sample / (peak x efficiency[kind][generation])
                + a fixed time per step (launches, synchronisation; calibrated per kind)
                + the optimizer update (bytes per parameter / GPU memory bandwidth)
    all-reduce = 2 (g-1)/g x gradient / intra-node bandwidth (NVLink or PCIe, per direction)
                + 2 (n-1)/n x gradient / (adapters x link bandwidth) + 2 log2(n) x latency per bucket
                 (hierarchical ring for the bandwidth, Ben-Nun & Hoefler 2018; the latency of the
                 trees and in-network reductions NCCL runs between nodes at scale)
    exposed    = the all-reduce time that does not overlap the backward pass (2/3 of the compute)
    reading    = samples per step x bytes per sample / min(nodes x min(7 GB/s, adapters x link rate),
                                                         storage throughput)
    step       = max(compute + exposed, reading)      (input pipelines prefetch)

time-to-model = start-up and evaluation + epochs x samples / (samples per step / step). The
efficiency table, the fixed step time and the start-up are fitted (primeflex_iac/timing/calibration.py);
everything else is a datasheet figure or a stated assumption. The estimate names what bounds
it: the largest of compute, exposed communication and reading per step.

GPT-style decoders (``family: gpt``) take their step from the layout search instead
(:mod:`primeflex_iac.timing.llm_step`): the fastest split over tensor, pipeline and data
parallelism that fits the GPU's memory; none fitting makes the run unreachable on that GPU.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

from primeflex_iac.timing.calibration import load_calibration, range_group
from primeflex_iac.timing.estimate_memo import remembered_times
from primeflex_iac.timing.llm_layouts import context_degrees, least_memory_at, max_pipeline, tensor_degrees
from primeflex_iac.timing.llm_step import search_layout

if TYPE_CHECKING:
    from collections.abc import Callable

    from primeflex_iac.catalog.models import Gpu
    from primeflex_iac.timing.calibration import Calibration
    from primeflex_iac.timing.llm_memory import Layout
    from primeflex_iac.timing.llm_step import LayoutLimits
    from primeflex_iac.timing.shapes import Interconnect, NodeShape
    from primeflex_iac.timing.workloads import ResolvedWorkload

__all__ = [
    "MAX_NODES",
    "Bound",
    "Estimate",
    "best_estimate",
    "estimate",
    "fastest_count",
    "min_nodes",
    "peak_flops",
]

MAX_NODES = 1_000_000  # beyond this a requirement is treated as unreachable
Bound = Literal["compute", "communication", "io"]


@dataclass(frozen=True)
class Estimate:
    estimated_s: float  # the time-to-model this estimate gives (a spec's time_to_model is its deadline)
    samples_per_s: float
    per_gpu_tflops: float  # delivered by each GPU on this workload
    scaling_efficiency: float  # share of the step each GPU computes (the rest: exposed communication, reading)
    bound: Bound
    gpus: int
    per_gpu_batch: float
    efficiency: float  # per_gpu_tflops as a share of the GPU's peak at the workload's precision
    step_s: float
    compute_s: float
    communication_s: float  # the whole all-reduce per step
    exposed_communication_s: float
    io_s: float
    startup_s: float
    memory_gb: float  # GPU memory the workload needs per GPU (gpt: in the chosen layout)
    fits_memory: bool
    tokens_per_s: float | None = None  # gpt: tokens per second over the whole cluster
    mfu: float = 0.0  # gpt: (6 N + 12 L h s) x tokens/s / (GPUs x dense peak at the precision)
    layout: Layout | None = None  # gpt: the layout the search chose
    range_s: tuple[float, float] = (0.0, 0.0)  # the time-to-model at the group's 10th and 90th error percentiles
    range_group: str = ""  # whose errors: llm, mlperf, or unmeasured (a generation, or a scale, without rows)
    range_beyond_gpus: int | None = None  # the most GPUs of the group's runs, where this run has more

    @property
    def time_to_model_s(self) -> float:
        """The public name of :attr:`estimated_s`: the library's attribute and the ``estimate --json`` key."""
        return self.estimated_s

    @property
    def parallelism(self) -> dict[str, int | float | str]:
        """The layout as ``{tp, pp, dp, zero, recompute, micro_batch, virtual_stages, cp}``; plain data parallelism otherwise."""
        if self.layout is not None:
            return dict(self.layout.as_dict())
        plain: dict[str, int | float | str] = {"tp": 1, "pp": 1, "dp": self.gpus, "zero": 0, "recompute": "none"}
        return {**plain, "micro_batch": round(self.per_gpu_batch, 3), "virtual_stages": 1, "cp": 1}

    def as_dict(self) -> dict[str, object]:
        fields = asdict(self)
        fields["time_to_model_s"] = fields.pop("estimated_s")
        fields.pop("layout")
        low, high = fields.pop("range_s")
        fields["time_to_model_range_s"] = [low, high]
        fields["parallelism"] = self.parallelism
        fields["memory_per_gpu_gb"] = round(self.memory_gb, 2)
        return fields


def peak_flops(gpu: Gpu, precision: str) -> float:
    """Dense tensor-core peak for training (FP16 and BF16 share it where the GPU has both).

    Whether the GPU supports ``precision`` at all is the caller's question (``Gpu.supports``): the
    demand marks such platforms as breaking the precision requirement, and check() refuses them.
    """
    if precision == "fp8" and gpu.fp8_tflops:
        return gpu.fp8_tflops * 1e12
    return gpu.tensor_tflops * 1e12


def _unreachable(
    workload: ResolvedWorkload, shape: NodeShape, nodes: int, startup: float, memory_gb: float | None = None
) -> Estimate:
    gpus = nodes * shape.gpus_per_node
    need = workload.min_gpu_memory_gb if memory_gb is None else memory_gb
    return Estimate(
        math.inf,
        0.0,
        0.0,
        0.0,
        "compute",
        gpus,
        0.0,
        0.0,
        math.inf,
        math.inf,
        0.0,
        0.0,
        0.0,
        startup,
        need,
        memory_gb is None and need <= shape.gpu.memory_gb,
    )


def estimate(
    workload: ResolvedWorkload,
    shape: NodeShape,
    link: Interconnect | None,
    nodes: int,
    *,
    storage_bytes_per_s: float | None = None,
    calibration: Calibration | None = None,
    limits: LayoutLimits | None = None,
) -> Estimate:
    """Time-to-model of ``workload`` on ``nodes`` nodes (gpt: in the fastest layout that fits, within ``limits``).

    ``link`` is the fabric: the all-reduce between nodes runs over it, and every node reads from
    storage through it. It may be None for one node without a fabric (reading is then bounded by
    the node's own 7 GB/s only).
    """
    cal = calibration or load_calibration()
    gpu, per_node = shape.gpu, shape.gpus_per_node
    gpus = nodes * per_node
    if nodes < 1 or per_node < 1:
        raise ValueError("nodes and GPUs per node must be at least 1")
    if nodes > 1 and (link is None or shape.adapters < 1):
        raise ValueError("more than one node needs a fabric and at least one adapter per node")
    startup = cal.startup(workload.model)
    layout = None
    memory_gb = workload.min_gpu_memory_gb
    if workload.decoder is not None and workload.global_batch:
        step = search_layout(workload.decoder, shape, link, nodes, workload.global_batch, cal, limits)
        if step is None:
            return _unreachable(workload, shape, nodes, startup, _least_gb(workload, shape, nodes, cal))
        layout = step.layout
        batch = workload.global_batch / layout.dp
        compute_s = step.step_s - step.exposed_s
        comm_s, exposed_s = step.communication_s, step.exposed_s
        memory_gb = max(memory_gb, step.memory_bytes / 1e9)
    else:
        batch = workload.global_batch / gpus if workload.global_batch else workload.per_gpu_batch_default
        # a measured efficiency of the workload is the user's own; the calibrated one was fitted on
        # fully powered parts, so a power-limited card keeps its sustained share of it
        share = workload.gpu_efficiency or cal.share(workload.kind, gpu.generation) * gpu.sustained_share
        rate = peak_flops(gpu, workload.precision) * share
        if workload.precision == "fp8":
            rate *= cal.llm.fp8_gemm_share.value
        if rate <= 0:
            return _unreachable(workload, shape, nodes, startup)
        sample_s = workload.flops_per_sample / rate
        optimizer_s = workload.parameters * cal.optimizer_bytes_per_parameter.value / (gpu.memory_bandwidth_gbs * 1e9)
        compute_s = batch * sample_s + cal.step_overhead_s[workload.kind].value + optimizer_s
        link_share = cal.link_efficiency.value
        gradient = workload.parameters * cal.gradient_bytes_per_parameter.value
        intra_gbs = gpu.nvlink_gbs if shape.intra_node == "nvlink" and gpu.nvlink_gbs else gpu.pcie_gbs
        comm_s = 2 * (per_node - 1) / per_node * gradient / (intra_gbs / 2 * 1e9 * link_share)
        if nodes > 1:
            assert link is not None
            node_bw = shape.adapters * link.link_gbps / 8 * 1e9 * link_share
            buckets = max(1, math.ceil(gradient / cal.bucket_bytes.value))
            latency = 2 * math.ceil(math.log2(nodes)) * link.latency_us * 1e-6
            comm_s += 2 * (nodes - 1) / nodes * gradient / node_bw + latency * buckets
        exposed_s = max(0.0, comm_s - cal.overlap_share.value * batch * sample_s)

    step_samples = batch * (layout.dp if layout is not None else gpus)
    node_read = cal.node_read_bytes_per_s.value
    if link is not None and shape.adapters >= 1:
        # a node reads no faster than its fabric adapters carry at line rate
        node_read = min(node_read, shape.adapters * link.link_gbps / 8 * 1e9)
    read_rate = nodes * node_read
    if storage_bytes_per_s is not None:
        read_rate = min(read_rate, storage_bytes_per_s)
    io_s = step_samples * workload.bytes_per_sample / read_rate
    step_s = max(compute_s + exposed_s, io_s)

    samples_per_s = step_samples / step_s
    time_s = startup + workload.epochs * workload.samples / samples_per_s
    parts: dict[Bound, float] = {"compute": compute_s, "communication": exposed_s, "io": io_s}
    bound = max(parts, key=lambda name: parts[name])
    per_gpu_tflops = workload.flops_per_sample * samples_per_s / gpus / 1e12
    peak = peak_flops(gpu, workload.precision)
    tokens_per_s = samples_per_s * workload.decoder.sequence if workload.decoder is not None else None
    group, beyond = range_group(workload.decoder is not None, gpu.generation, gpus, cal)
    low, high = _spread(group, cal)
    return Estimate(
        estimated_s=time_s,
        samples_per_s=samples_per_s,
        per_gpu_tflops=per_gpu_tflops,
        scaling_efficiency=min(1.0, compute_s / step_s),
        bound=bound,
        gpus=gpus,
        per_gpu_batch=batch,
        efficiency=per_gpu_tflops * 1e12 / peak,
        step_s=step_s,
        compute_s=compute_s,
        communication_s=comm_s,
        exposed_communication_s=exposed_s,
        io_s=io_s,
        startup_s=startup,
        memory_gb=memory_gb,
        fits_memory=memory_gb <= gpu.memory_gb,
        tokens_per_s=tokens_per_s,
        mfu=per_gpu_tflops * 1e12 / peak,
        layout=layout,
        range_s=(startup + (time_s - startup) * (1 + low), startup + (time_s - startup) * (1 + high)),
        range_group=group,
        range_beyond_gpus=beyond,
    )


def _spread(group: str, cal: Calibration) -> tuple[float, float]:
    """The 10th and 90th percentile of the held-out errors of the estimate's group."""
    band = cal.spread.get(group)
    return (band.low, band.high) if band is not None else (0.0, 0.0)


def _least_gb(workload: ResolvedWorkload, shape: NodeShape, nodes: int, cal: Calibration) -> float:
    """What a GPU would need in the leanest layout of this run (the reason none fits)."""
    assert workload.decoder is not None and workload.global_batch
    return least_memory_at(workload.decoder, shape.gpus_per_node, nodes, workload.global_batch, cal) / 1e9


def _largest_nodes(workload: ResolvedWorkload, gpus_per_node: int) -> int:
    """Data parallelism needs at least one sample per replica: the global batch caps the nodes (a
    decoder's replica spans its tensor-, context- and pipeline-parallel GPUs)."""
    if workload.global_batch is None:
        return MAX_NODES
    replica = 1
    if workload.decoder is not None:
        decoder = workload.decoder
        replica = max(tensor_degrees(decoder, gpus_per_node)) * max(context_degrees(decoder)) * max_pipeline(decoder)
    return min(MAX_NODES, math.floor(workload.global_batch * replica / gpus_per_node + 1e-9))


def min_nodes(
    workload: ResolvedWorkload,
    shape: NodeShape,
    link: Interconnect,
    calibration: Calibration | None = None,
) -> int | None:
    """Fewest nodes that meet the workload's time-to-model, or None if no count does.

    The time falls with the node count until communication and the shrinking per-GPU batch win.
    The count doubles until one meets the requirement; where the doubling steps over the counts
    that do (the time falls and rises again between two doublings), the fastest count is searched
    for instead (:func:`fastest_count`). The fewest count is then bisected below the one that
    meets. Whatever it returns meets the requirement by the same ``estimate`` the plan reports.
    """
    cal = calibration or load_calibration()
    largest = _largest_nodes(workload, shape.gpus_per_node)
    deadline = workload.deadline_on(shape.gpu.generation, cal)
    if largest < 1 or deadline <= cal.startup(workload.model):
        return None

    at = times_on(workload, shape, link, cal)

    def meets(nodes: int) -> bool:
        return at(nodes) <= deadline

    if meets(1):
        return 1
    low, high = 1, 2  # misses at low
    while not meets(min(high, largest)):
        if high >= largest:
            fastest, fastest_s = fastest_count(workload, shape, link, cal)
            if fastest_s > deadline:
                return None
            low, high = 1, fastest
            break
        low, high = high, high * 2
    high = min(high, largest)  # meets at high
    while high - low > 1:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle
    return high


def fastest_count(
    workload: ResolvedWorkload, shape: NodeShape, link: Interconnect, calibration: Calibration | None = None
) -> tuple[int, float]:
    """(node count, time-to-model) of the fastest run of the workload on this node type and fabric.

    A ternary search over the counts the global batch allows, which finds the fastest where the
    time falls and then rises (quasi-convex); used to name what limits a workload, not to plan.
    """
    cal = calibration or load_calibration()
    at = times_on(workload, shape, link, cal)
    best = _fastest(at, max(1, _largest_nodes(workload, shape.gpus_per_node)))
    return best, at(best)


def times_on(workload: ResolvedWorkload, shape: NodeShape, link: Interconnect, cal: Calibration) -> Callable[[int], float]:
    """The estimated seconds by node count, remembered across deadlines (they do not change them)."""
    times = remembered_times(workload, shape, link, cal)

    def at(nodes: int) -> float:
        found = times.get(nodes)
        if found is None:
            found = times[nodes] = estimate(workload, shape, link, nodes, calibration=cal).estimated_s
        return found

    return at


def _fastest(time_on: Callable[[int], float], most: int) -> int:
    """The count in 1..most with the shortest time (the fewest of equals), by ternary search:
    exact where the time falls and then rises with the count (quasi-convex)."""
    low, high = 1, most
    while high - low > 2:
        left, right = low + (high - low) // 3, high - (high - low) // 3
        left_s, right_s = time_on(left), time_on(right)
        if left_s == right_s == math.inf:
            low = left  # too few GPUs to hold the model on the left: the fastest lies to the right
        elif left_s <= right_s:
            high = right
        else:
            low = left
    return min(range(low, high + 1), key=lambda count: (time_on(count), count))


def best_estimate(
    workload: ResolvedWorkload,
    shape: NodeShape,
    link: Interconnect | None,
    nodes: int,
    *,
    storage_bytes_per_s: float | None = None,
    calibration: Calibration | None = None,
) -> Estimate:
    """The workload's run on a cluster of ``nodes`` nodes: on as many of them as make it fastest.

    More nodes are not always faster (a fixed global batch leaves each GPU less work while the
    all-reduce grows), and no one runs a job on nodes that slow it down: the run takes the
    fastest count up to ``nodes`` (its ``gpus`` say how many it uses). So the time never rises
    as a plan adds nodes, and a floor or another workload that asks for more nodes cannot make
    this one miss its deadline.
    """
    cal = calibration or load_calibration()
    usable = min(nodes, max(1, _largest_nodes(workload, shape.gpus_per_node)))
    if link is None or usable <= 1:
        return estimate(
            workload, shape, link, 1 if link is None else usable, storage_bytes_per_s=storage_bytes_per_s, calibration=cal
        )

    def time_on(count: int) -> float:
        return estimate(workload, shape, link, count, storage_bytes_per_s=storage_bytes_per_s, calibration=cal).estimated_s

    best = _fastest(time_on, usable)
    if workload.decoder is not None:
        # a decoder's time is not quasi-convex in the count (its layouts change with the count's
        # divisors and the memory): the whole count and the powers of two are tried too
        counts = {best, usable, *(2**k for k in range(usable.bit_length()) if 2**k <= usable)}
        best = min(sorted(counts), key=lambda count: (time_on(count), count))
    return estimate(workload, shape, link, best, storage_bytes_per_s=storage_bytes_per_s, calibration=cal)
