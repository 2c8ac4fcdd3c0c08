"""The calibration table of the time-to-model estimate: fitted efficiencies and the physics' constants.

``catalog/calibration.yaml`` is written by ``calibration/fit_calibration.py`` (which anyone can
re-run) from the MLPerf rows and the H200 measurements kept in ``calibration/``; its hand-set
constants (link efficiency, overlap, optimizer traffic, ...) carry their own sources there. Every
figure is a ``{value, source}`` pair; docs/calibration.md explains the table and how it was fitted.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import Field

from primeflex_iac.common.strict import Strict
from primeflex_iac.common.vocabulary import Generation, Kind

__all__ = [
    "CALIBRATION_FILE",
    "UNMEASURED",
    "Calibration",
    "Figure",
    "LlmCalibration",
    "Spread",
    "load_calibration",
    "range_group",
    "spread_group",
]

# generations without measured training rows: their estimates carry the widened error band
UNMEASURED: dict[bool, tuple[Generation, ...]] = {
    True: ("volta", "turing", "ada", "blackwell"),  # decoders: MPT rows on Ampere and Hopper only
    False: ("turing", "ada", "blackwell"),
}


def spread_group(decoder: bool, generation: Generation) -> str:
    """The error band a plan is sized against: llm (decoders), mlperf (the rest), or unmeasured."""
    if generation in UNMEASURED[decoder]:
        return "unmeasured"
    return "llm" if decoder else "mlperf"


def range_group(decoder: bool, generation: Generation, gpus: int, calibration: Calibration) -> tuple[str, int | None]:
    """The error band an estimate's range shows, and the most GPUs its group's runs had where this
    run has more (then the band is the unmeasured one: the held-out errors say nothing about it)."""
    group = spread_group(decoder, generation)
    band = calibration.spread.get(group)
    if band is not None and band.largest_gpus is not None and gpus > band.largest_gpus:
        return "unmeasured", band.largest_gpus
    return group, None


CALIBRATION_FILE = Path(__file__).parent.parent / "catalog" / "calibration.yaml"


class Figure(Strict):
    value: float = Field(gt=0)
    source: str = Field(min_length=3, description="Where the figure comes from: fitted (how), a document, or assumption.")


class Spread(Strict):
    """Percentiles of the held-out relative errors (estimated / measured time - 1) of a group of runs.

    A negative error is an estimate shorter than the run took (optimistic)."""

    percentiles: dict[int, float] = Field(description="Error at the 5th, 10th, 25th, 50th, 75th, 90th and 95th percentile.")
    rows: int = Field(ge=0, description="Held-out runs the percentiles come from.")
    largest_gpus: int | None = Field(
        default=None, ge=1, description="Most GPUs of a run in the group's rows: the band is measured up to there."
    )
    source: str = Field(min_length=3)

    @property
    def low(self) -> float:
        return self.percentiles[10]

    @property
    def high(self) -> float:
        return self.percentiles[90]

    def at(self, percent: float) -> float:
        """The error at ``percent`` (linear between the stored percentiles, the end ones beyond)."""
        keys = sorted(self.percentiles)
        if percent <= keys[0]:
            return self.percentiles[keys[0]]
        for left, right in itertools.pairwise(keys):
            if percent <= right:
                share = (percent - left) / (right - left)
                return self.percentiles[left] + share * (self.percentiles[right] - self.percentiles[left])
        return self.percentiles[keys[-1]]


class LlmCalibration(Strict):
    """The decoder (``family: gpt``) step model: GEMM and attention efficiency, and the memory reserve."""

    gemm_efficiency: dict[Generation, Figure] = Field(
        description="Share of the dense peak the GEMMs of a large decoder sustain (GEMM width and tokens large)."
    )
    attention_efficiency: dict[Generation, Figure] = Field(
        description="Share of the dense peak the attention (FlashAttention) sustains on its 12 x layers x width x sequence FLOPs."
    )
    hidden_half: Figure = Field(
        description="GEMM width at which GEMMs run at half their efficiency (the model width, less under tensor parallelism: tp_width_share)."
    )
    tokens_half: Figure = Field(description="Tokens per micro-batch at which GEMMs run at half their efficiency.")
    fp8_gemm_share: Figure = Field(description="GEMM efficiency at FP8 as a share of the efficiency at BF16 (of the FP8 peak).")
    fp8_extra_bytes_per_parameter: Figure = Field(description="FP8 training: the FP8 copy of the weights beside the masters.")
    memory_reserve_share: Figure = Field(description="GPU memory kept back: CUDA context, NCCL buffers, fragmentation.")
    intra_node_latency_us: Figure = Field(description="Latency of one collective inside a node (NVLink or PCIe).")


class Calibration(Strict):
    """Every constant of the estimate; ``efficiency[kind][generation]`` is the share of peak sustained."""

    source: str
    efficiency: dict[Kind, dict[Generation, Figure]] = Field(
        description="Share of the GPU's peak at the workload's precision sustained at a large per-GPU batch."
    )
    step_overhead_s: dict[Kind, Figure] = Field(description="Fixed time of every optimizer step on a GPU.")
    startup_s: Figure = Field(description="Fixed start-up and evaluation time of a training run.")
    startup_by_workload: dict[str, Figure] = Field(
        default_factory=dict,
        description="Start-up and evaluation of zoo workloads whose evaluation does not shrink with the cluster (else startup_s).",
    )
    workload_flops: dict[str, Figure] = Field(description="Equivalent FLOPs per sample of zoo workloads without a source.")
    link_efficiency: Figure = Field(description="Share of a link's bandwidth an all-reduce achieves.")
    overlap_share: Figure = Field(description="Share of the compute time the gradient all-reduce can hide behind.")
    gradient_bytes_per_parameter: Figure
    optimizer_bytes_per_parameter: Figure = Field(description="Memory traffic of the optimizer update per parameter.")
    bucket_bytes: Figure = Field(description="All-reduce bucket size: latency is paid once per bucket.")
    node_read_bytes_per_s: Figure = Field(description="Most a node reads from storage (the white paper's 7 GB/s).")
    model_state_bytes_per_parameter: Figure = Field(description="GPU memory per parameter for weights and optimizer.")
    activation_memory_share: Figure = Field(description="Memory for activations and workspace, as a share of the states.")
    default_per_gpu_batch: Figure = Field(description="Samples per GPU per step for a custom workload without a batch.")
    default_per_gpu_batch_tokens: Figure = Field(description="The same when a custom workload counts tokens.")

    llm: LlmCalibration
    spread: dict[str, Spread] = Field(
        default_factory=dict, description="Held-out error bands of the estimate by group (llm, mlperf, unmeasured)."
    )

    def startup(self, model: str) -> float:
        """Start-up and evaluation time of a run of the zoo workload ``model``."""
        figure = self.startup_by_workload.get(model)
        return (figure or self.startup_s).value

    def share(self, kind: Kind, generation: Generation) -> float:
        return self.efficiency[kind][generation].value


@lru_cache(maxsize=4)
def _load(path: Path) -> Calibration:
    # libyaml's loader where PyYAML has it (the same data, 40 ms sooner on every command that estimates)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        return Calibration.model_validate(yaml.load(handle, Loader=loader))


def load_calibration(path: str | Path | None = None) -> Calibration:
    """The shipped calibration table (cached), or another file of the same shape."""
    return _load(Path(path) if path is not None else CALIBRATION_FILE)
