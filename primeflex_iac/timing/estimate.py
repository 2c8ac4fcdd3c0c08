"""``primeflex_iac.estimate``: the time-to-model of a zoo workload on a catalog GPU in any node and cluster shape.

The node need not be a catalog platform: name a GPU, how many sit in a node, how they talk inside
it (NVLink or PCIe) and how many fabric adapters the node has, so published results of systems
outside the catalog (MLPerf submissions, other vendors) can be checked against the estimate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.spec.model import Workload
from primeflex_iac.timing.calibration import load_calibration
from primeflex_iac.timing.llm_layouts import check_limits
from primeflex_iac.timing.shapes import Interconnect, NodeShape
from primeflex_iac.timing.step_model import estimate as estimate_step
from primeflex_iac.timing.workloads import decoder_fields_stated, heads_problem, resolve_workload

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.timing.calibration import Calibration
    from primeflex_iac.timing.llm_step import LayoutLimits
    from primeflex_iac.timing.step_model import Estimate
    from primeflex_iac.timing.workloads import ResolvedWorkload

__all__ = ["EstimateInput", "estimate", "find_interconnect", "prepare"]


@dataclass(frozen=True)
class EstimateInput:
    """A workload, a node shape and a fabric, resolved against the catalog; estimate it with any calibration."""

    workload: Workload
    node: NodeShape
    fabric: Interconnect | None
    nodes: int
    storage_bytes_per_s: float | None
    limits: LayoutLimits | None = None  # gpt: parts of the layout fixed in advance (a published run's own)

    def resolve(self, catalog: Catalog, calibration: Calibration) -> ResolvedWorkload:
        return resolve_workload(self.workload, catalog, calibration)

    def run(self, catalog: Catalog, calibration: Calibration) -> Estimate:
        return estimate_step(
            self.resolve(catalog, calibration),
            self.node,
            self.fabric,
            self.nodes,
            storage_bytes_per_s=self.storage_bytes_per_s,
            calibration=calibration,
            limits=self.limits,
        )


def find_interconnect(catalog: Catalog, fabric: str) -> Interconnect | None:
    """A catalog fabric by id (its first mode) or ``id:mode`` (e.g. ib-hdr:hdr100); ``none`` for one node."""
    if fabric == "none":
        return None
    fabric_id, _, mode_name = fabric.partition(":")
    entry = catalog.fabrics.get(fabric_id)
    if entry is None:
        known = ", ".join(["none", *catalog.fabrics])
        raise ValueError(f"unknown fabric {fabric!r} (known: {known})")
    modes = [m for m in entry.modes if not mode_name or m.name == mode_name]
    if not modes:
        raise ValueError(f"fabric {fabric_id!r} has no mode {mode_name!r} (modes: {', '.join(m.name for m in entry.modes)})")
    mode = modes[0]
    return Interconnect(fabric if mode_name else fabric_id, mode.link_gbps, entry.latency_us)


def prepare(
    model: str,
    *,
    gpu: str,
    gpus_per_node: int = 8,
    nodes: int = 1,
    fabric: str = "none",
    adapters_per_node: int | None = None,
    intra_node: Literal["nvlink", "pcie"] | None = None,
    catalog: Catalog | None = None,
    storage_gbs: float | None = None,
    **workload: Any,
) -> EstimateInput:
    """Check and resolve the inputs; raises ValueError naming the first thing that is wrong."""
    catalog = catalog or load_catalog()
    if model != "custom" and model not in catalog.workloads:
        raise ValueError(f"unknown model {model!r} (known: {', '.join([*catalog.workloads, 'custom'])})")
    if gpu not in catalog.gpus:
        raise ValueError(f"unknown GPU {gpu!r} (known: {', '.join(catalog.gpus)})")
    if nodes < 1 or gpus_per_node < 1:
        raise ValueError("nodes and GPUs per node must be at least 1")
    interconnect = find_interconnect(catalog, fabric)
    if nodes > 1 and interconnect is None:
        raise ValueError("more than one node needs a fabric (--fabric FABRIC_ID)")
    adapters = adapters_per_node if adapters_per_node is not None else (1 if interconnect is not None else 0)
    if nodes > 1 and adapters < 1:
        raise ValueError("more than one node needs at least one fabric adapter per node")
    chip = catalog.gpus[gpu]
    intra = intra_node or ("nvlink" if chip.nvlink_gbs else "pcie")
    fields = {k: v for k, v in workload.items() if v is not None}
    try:
        spec_workload = Workload.model_validate({"name": "estimate", "model": model, "time_to_model": "1 s", **fields})
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'workload'}: {e['msg']}" for e in error.errors())
        raise ValueError(problems) from None
    if not chip.supports(spec_workload.precision):
        takes = "fp16, bf16" if chip.bf16 else "fp16"
        if chip.fp8_tflops:
            takes += ", fp8"
        raise ValueError(f"{gpu} ({chip.generation}) does not train at {spec_workload.precision}: its tensor cores take {takes}")
    zoo = catalog.workloads.get(model)
    decoder = zoo is not None and zoo.family == "gpt"
    if not decoder and spec_workload.global_batch is not None and spec_workload.global_batch < nodes * gpus_per_node:
        raise ValueError(f"a global batch of {spec_workload.global_batch} is less than one sample per GPU")
    if not decoder and decoder_fields_stated(spec_workload):
        raise ValueError(
            f"layers, hidden, tokens, attention heads and FlashAttention describe a gpt model; {model} is not one (use --model gpt)"
        )
    heads = heads_problem(spec_workload, zoo) if zoo is not None and decoder else None
    if heads is not None:
        raise ValueError(heads)
    storage = storage_gbs * 1e9 if storage_gbs is not None else None
    return EstimateInput(spec_workload, NodeShape(chip, gpus_per_node, intra, adapters), interconnect, nodes, storage)


def estimate(
    model: str,
    *,
    gpu: str,
    gpus_per_node: int = 8,
    nodes: int = 1,
    fabric: str = "none",
    adapters_per_node: int | None = None,
    intra_node: Literal["nvlink", "pcie"] | None = None,
    epochs: float | None = None,
    batch: int | None = None,
    catalog: Catalog | None = None,
    calibration: Calibration | None = None,
    storage_gbs: float | None = None,
    layout: LayoutLimits | None = None,
    **workload: Any,
) -> Estimate:
    """Estimate training ``model`` (a zoo id, or custom) on ``nodes`` x ``gpus_per_node`` ``gpu``.

    ``batch`` is the global batch (``global_batch``, the spec's name, is taken too); other workload
    fields of a spec (parameters, sequence_length, precision, dataset, training_flops_per_sample,
    gpu_efficiency, kind) may be given by name. ``layout`` fixes parts of a decoder's parallel
    layout (a published run's own); the rest is searched.
    """
    if "global_batch" in workload:
        named = workload.pop("global_batch")
        if batch is not None and named != batch:
            raise ValueError(f"two global batches: batch={batch} and global_batch={named}")
        batch = named
    catalog = catalog or load_catalog()
    inputs = prepare(
        model,
        gpu=gpu,
        gpus_per_node=gpus_per_node,
        nodes=nodes,
        fabric=fabric,
        adapters_per_node=adapters_per_node,
        intra_node=intra_node,
        catalog=catalog,
        storage_gbs=storage_gbs,
        epochs=epochs,
        global_batch=batch,
        **workload,
    )
    calibration = calibration or load_calibration()
    if layout is not None:
        decoder = inputs.resolve(catalog, calibration).decoder
        if decoder is None:
            raise ValueError(f"a parallel layout applies to decoders (gpt-style models), not to {model}")
        check_limits(layout, decoder, gpus_per_node, nodes)
        inputs = replace(inputs, limits=layout)
    return inputs.run(catalog, calibration)
