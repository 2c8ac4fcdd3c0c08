"""The calibration table of the time-to-model estimate: fitted efficiencies and the physics' constants.

``catalog/calibration.yaml`` is written by ``calibration/fit_calibration.py`` (which anyone can
re-run) from the MLPerf rows and the H200 measurements kept in ``calibration/``; its hand-set
constants (link efficiency, overlap, optimizer traffic, ...) carry their own sources there. Every
figure is a ``{value, source}`` pair; docs/calibration.md explains the table and how it was fitted.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import Field

from primeflex_iac.common.strict import Strict
from primeflex_iac.common.vocabulary import Generation, Kind

__all__ = ["CALIBRATION_FILE", "Calibration", "Figure", "load_calibration"]

CALIBRATION_FILE = Path(__file__).parent.parent / "catalog" / "calibration.yaml"


class Figure(Strict):
    value: float = Field(gt=0)
    source: str = Field(min_length=3, description="Where the figure comes from: fitted (how), a document, or assumption.")


class Calibration(Strict):
    """Every constant of the estimate; ``efficiency[kind][generation]`` is the share of peak sustained."""

    source: str
    efficiency: dict[Kind, dict[Generation, Figure]] = Field(
        description="Share of the GPU's peak at the workload's precision sustained at a large per-GPU batch."
    )
    step_overhead_s: dict[Kind, Figure] = Field(description="Fixed time of every optimizer step on a GPU.")
    startup_s: Figure = Field(description="Fixed start-up and evaluation time of a training run.")
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

    def share(self, kind: Kind, generation: Generation) -> float:
        return self.efficiency[kind][generation].value


@lru_cache(maxsize=4)
def _load(path: Path) -> Calibration:
    with path.open(encoding="utf-8") as handle:
        return Calibration.model_validate(yaml.safe_load(handle))


def load_calibration(path: str | Path | None = None) -> Calibration:
    """The shipped calibration table (cached), or another file of the same shape."""
    return _load(Path(path) if path is not None else CALIBRATION_FILE)
