"""Workloads resolved against the catalog's zoo: every figure the estimate needs, with its origin.

A spec's workload names a zoo id (or ``custom``) and may override any figure. GPT-style decoders
(``family: gpt``) derive their training FLOPs, dataset and memory from the parameter count and
sequence length: 6 x parameters + 12 x layers x width x sequence FLOPs per token (Kaplan et al.
2020), with the layers of the nearest GPT-3 shape (Brown et al. 2020, table 2.1) when not given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.timing.calibration import load_calibration, spread_group
from primeflex_iac.timing.llm_memory import DecoderShape

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog, WorkloadModel
    from primeflex_iac.common.vocabulary import Generation, Kind
    from primeflex_iac.spec.model import Workload
    from primeflex_iac.timing.calibration import Calibration

__all__ = [
    "CUSTOM_BYTES_PER_SAMPLE",
    "FLOPS_PER_PARAMETER_TOKEN",
    "GPT3_SHAPES",
    "ResolvedWorkload",
    "decoder_fields_stated",
    "gpt_flops_per_token",
    "gpt_shape",
    "heads_problem",
    "resolve_workload",
    "sized_deadline",
    "zoo_fields_used",
]

CUSTOM_BYTES_PER_SAMPLE = 2  # assumption: a 16-bit token id, when a custom dataset gives no size
GPT2_VOCABULARY = 50257  # Radford et al. 2019: the vocabulary of a gpt entry that states none
FLOPS_PER_PARAMETER_TOKEN = 6  # Kaplan et al. 2020: training FLOPs ~ 6 x parameters x tokens
# (parameters, layers) of the GPT-3 family, Brown et al. 2020 table 2.1
GPT3_SHAPES = (
    (125e6, 12),
    (350e6, 24),
    (760e6, 24),
    (1.3e9, 24),
    (2.7e9, 32),
    (6.7e9, 32),
    (13e9, 40),
    (175e9, 96),
)


@dataclass(frozen=True)
class ResolvedWorkload:
    name: str
    model: str
    kind: Kind
    flops_per_sample: float
    parameters: float
    samples: int
    bytes_per_sample: float
    epochs: float
    global_batch: float | None  # None: a custom workload without one (a fixed per-GPU batch is assumed)
    per_gpu_batch_default: float  # used only when global_batch is None
    gpu_efficiency: float | None  # the spec's override of the calibrated efficiency
    min_gpu_memory_gb: float
    precision: str
    deadline_s: float
    decoder: DecoderShape | None = None  # gpt family: the shape the layout search splits
    target_s: float = 0.0  # the spec's time_to_model (deadline_s: what the plan is sized to)
    confidence: float | None = None
    margin: float | None = None

    def deadline_on(self, generation: Generation, calibration: Calibration) -> float:
        """The time a run on this generation must be estimated within: the target, less the margin,
        or less the error at the asked confidence of the estimate's group on this generation."""
        if self.confidence is None:
            return self.deadline_s
        band = calibration.spread.get(spread_group(self.decoder is not None, generation))
        if band is None:
            return self.deadline_s
        return self.target_s * (1 + min(0.0, band.at(100 * (1 - self.confidence))))

    @property
    def tokens_per_sample(self) -> int:
        return self.decoder.sequence if self.decoder is not None else 0

    @property
    def training_flops(self) -> float:
        return self.flops_per_sample * self.samples * self.epochs

    @property
    def dataset_bytes(self) -> float:
        return self.samples * self.bytes_per_sample

    def read_rate(self, startup_s: float) -> float:
        """Bytes per second the whole cluster must read to finish in time: every epoch's reading in
        the time the run has after its start-up (a deadline inside the start-up cannot be met anyway)."""
        left = self.deadline_s - startup_s
        return self.dataset_bytes * self.epochs / (left if left > 0 else self.deadline_s)


def gpt_shape(parameters: float, layers: int | None = None, hidden: int | None = None) -> tuple[int, int]:
    """(layers, width) of a GPT-style decoder: given, or the nearest GPT-3 shape with width from 12 x layers x width^2."""
    if layers is None:
        layers = min(GPT3_SHAPES, key=lambda shape: abs(math.log(shape[0] / parameters)))[1]
    if hidden is None:
        hidden = max(1, round(math.sqrt(parameters / (12 * layers))))
    return layers, hidden


def gpt_flops_per_token(parameters: float, sequence: int, layers: int, hidden: int) -> float:
    return FLOPS_PER_PARAMETER_TOKEN * parameters + 12 * layers * hidden * sequence


def decoder_shape_of(workload: Workload, zoo: WorkloadModel) -> tuple[float, int, int]:
    """(parameters, layers, width) of a GPT-style decoder: the spec's fields, else the zoo's (layers
    and width from the nearest GPT-3 shape when only the size changes)."""
    custom_size = workload.parameters is not None and workload.parameters != zoo.parameters
    parameters = float(workload.parameters or zoo.parameters)
    zoo_layers = None if custom_size else zoo.layers
    zoo_hidden = None if custom_size or workload.layers is not None else zoo.hidden
    layers, hidden = gpt_shape(parameters, workload.layers or zoo_layers, workload.hidden or zoo_hidden)
    return parameters, layers, hidden


def decoder_fields_stated(workload: Workload) -> list[str]:
    """The fields a workload states that only a GPT-style decoder takes."""
    stated = [f for f in ("layers", "hidden", "tokens", "attention_heads") if getattr(workload, f) is not None]
    return stated if workload.flash_attention else [*stated, "flash_attention"]


def heads_problem(workload: Workload, zoo: WorkloadModel) -> str | None:
    """Why the stated attention heads cannot be the model's (None when they can): at most one per width unit."""
    heads = workload.attention_heads
    if heads is None:
        return None
    width = decoder_shape_of(workload, zoo)[2]
    return f"{heads:,} attention heads in a model {width:,} wide: a head is at least one unit wide" if heads > width else None


def _gpt(workload: Workload, zoo: WorkloadModel) -> tuple[DecoderShape, float, int, float]:
    """(shape, FLOPs per sequence, sequences, bytes per sequence) of a GPT-style decoder: the spec's
    fields, else the zoo's (layers and width from the nearest GPT-3 shape when only the size changes)."""
    assert zoo.sequence_length is not None
    custom_size = workload.parameters is not None and workload.parameters != zoo.parameters
    sequence = workload.sequence_length or zoo.sequence_length
    parameters, layers, hidden = decoder_shape_of(workload, zoo)
    shape = DecoderShape(
        parameters,
        layers,
        hidden,
        sequence,
        zoo.vocabulary or GPT2_VOCABULARY,
        workload.precision,
        flash_attention=workload.flash_attention,
        attention_heads=workload.attention_heads,
    )
    flops = gpt_flops_per_token(parameters, sequence, layers, hidden) * sequence
    if workload.tokens is not None:
        tokens = float(workload.tokens)
    elif workload.dataset.samples is not None:
        tokens = float(workload.dataset.samples) * sequence
    elif zoo.tokens is not None and not custom_size:
        tokens = zoo.tokens
    else:
        assert zoo.tokens_per_parameter is not None
        tokens = zoo.tokens_per_parameter * parameters
    sequences = max(1, math.ceil(tokens / sequence - 1e-9))
    bytes_per_sequence = zoo.bytes_per_sample * sequence / zoo.sequence_length
    return shape, flops, sequences, bytes_per_sequence


def zoo_fields_used(workload: Workload, zoo: WorkloadModel) -> set[str]:
    """The zoo entry's fields :func:`resolve_workload` takes for ``workload``: those the spec leaves out.

    A plan lists the assumptions behind these only, not behind figures the spec overrides.
    """
    spec_sets = {
        "parameters": workload.parameters is not None,
        "sequence_length": workload.sequence_length is not None,
        "global_batch": workload.global_batch is not None,
        "kind": workload.kind is not None,
        "epochs": workload.epochs is not None,
        "training_flops_per_sample": workload.training_flops_per_sample is not None,
        "dataset_samples": workload.dataset.samples is not None,
        "tokens_per_parameter": workload.dataset.samples is not None,
        "bytes_per_sample": workload.dataset.size is not None and bool(workload.dataset.samples or zoo.dataset_samples),
        "min_gpu_memory_gb": zoo.family == "gpt",  # gpt: from the layout; a spec's floor adds to the zoo's
    }
    if zoo.family == "gpt":
        custom_size = workload.parameters is not None and workload.parameters != zoo.parameters
        given_tokens = workload.tokens is not None or workload.dataset.samples is not None
        spec_sets |= {
            "layers": custom_size or workload.layers is not None,
            "hidden": custom_size or workload.hidden is not None or workload.layers is not None,
            "dataset_samples": True,
            "tokens": given_tokens or custom_size,
            "tokens_per_parameter": given_tokens or (zoo.tokens is not None and not custom_size),
        }
        # the dataset size, when given, sets the bytes of each sequence whatever the sample count
        spec_sets["bytes_per_sample"] = workload.dataset.size is not None
    return {name for name in type(zoo).model_fields if not spec_sets.get(name, False)}


def sized_deadline(workload: Workload, decoder: bool, calibration: Calibration) -> float:
    """The time the plan is sized to: the target, less a margin or the estimate's own error at the
    asked confidence (the held-out errors of its group: LLM runs, or MLPerf-class runs)."""
    target = workload.time_to_model
    if workload.time_margin is not None:
        return target / (1 + workload.time_margin)
    if workload.time_confidence is not None:
        band = calibration.spread.get("llm" if decoder else "mlperf")
        if band is not None:
            # the run takes estimate / (1 + error): in time with this probability when the estimate
            # meets target x (1 + the error at the 1 - confidence percentile)
            return target * (1 + min(0.0, band.at(100 * (1 - workload.time_confidence))))
    return target


def resolve_workload(workload: Workload, catalog: Catalog, calibration: Calibration | None = None) -> ResolvedWorkload:
    """Fill what the spec leaves out from the zoo. The caller has checked that the model id exists."""
    calibration = calibration or load_calibration()
    zoo = catalog.workloads.get(workload.model)
    kind: Kind = workload.kind or (zoo.kind if zoo else "transformer")
    tokens = False
    decoder = None
    if zoo is not None and zoo.family == "gpt":
        decoder, flops, samples, bytes_per_sample = _gpt(workload, zoo)
        parameters, memory_gb = decoder.parameters, 0.0
    elif zoo is not None:
        parameters = float(workload.parameters or zoo.parameters)
        zoo_flops = zoo.training_flops_per_sample or calibration.workload_flops[zoo.id].value
        flops = zoo_flops
        samples = zoo.dataset_samples or 0
        bytes_per_sample = zoo.bytes_per_sample
        memory_gb = zoo.min_gpu_memory_gb or 0.0
    else:
        # custom: FLOPs per sample given, or 6 x parameters per token (a sample is then a token)
        tokens = workload.training_flops_per_sample is None
        parameters = float(workload.parameters or 0)
        flops = FLOPS_PER_PARAMETER_TOKEN * parameters
        samples = 0
        bytes_per_sample = CUSTOM_BYTES_PER_SAMPLE
        memory_gb = 0.0
    if workload.training_flops_per_sample is not None:
        flops = workload.training_flops_per_sample
    if decoder is None:
        samples = workload.dataset.samples or samples
    if workload.dataset.size is not None and samples:
        bytes_per_sample = workload.dataset.size / samples
    if zoo is None and parameters:
        states = parameters * calibration.model_state_bytes_per_parameter.value
        memory_gb = states * (1 + calibration.activation_memory_share.value) / 1e9
    if workload.min_gpu_memory is not None:
        memory_gb = max(memory_gb, workload.min_gpu_memory / 1e9)  # a floor beside the model's own need
    default_batch = calibration.default_per_gpu_batch_tokens if tokens else calibration.default_per_gpu_batch
    return ResolvedWorkload(
        name=workload.name,
        model=workload.model,
        kind=kind,
        flops_per_sample=flops,
        parameters=parameters,
        samples=samples,
        bytes_per_sample=bytes_per_sample,
        epochs=workload.epochs or (zoo.epochs if zoo else 1.0),
        global_batch=float(workload.global_batch) if workload.global_batch else (float(zoo.global_batch) if zoo else None),
        per_gpu_batch_default=default_batch.value,
        gpu_efficiency=workload.gpu_efficiency,
        min_gpu_memory_gb=memory_gb,
        precision=workload.precision,
        deadline_s=sized_deadline(workload, decoder is not None, calibration),
        decoder=decoder,
        target_s=workload.time_to_model,
        confidence=workload.time_confidence,
        margin=workload.time_margin,
    )
