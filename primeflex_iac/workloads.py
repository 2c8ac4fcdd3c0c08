"""Workloads resolved against the catalog's zoo: every figure the estimate needs, with its origin."""

from __future__ import annotations

from dataclasses import dataclass

from .catalog.models import Catalog
from .spec import Workload

__all__ = ["CUSTOM_EFFICIENCY", "ResolvedWorkload", "resolve_workload"]

# Used for custom workloads that give no efficiency: between the CNN (27 %) and transformer (31 %)
# figures of the zoo. An assumption, shown in the plan.
CUSTOM_EFFICIENCY = 0.3
CUSTOM_BYTES_PER_SAMPLE = 2  # assumption: a token id, when a custom dataset gives no size
FLOPS_PER_PARAMETER_TOKEN = 6  # Kaplan et al. 2020: training FLOPs ~ 6 x parameters x tokens


@dataclass(frozen=True)
class ResolvedWorkload:
    name: str
    model: str
    flops_per_sample: float
    samples: int
    bytes_per_sample: float
    epochs: float
    gpu_efficiency: float
    min_gpu_memory_gb: float
    precision: str
    required_s: float

    @property
    def training_flops(self) -> float:
        return self.flops_per_sample * self.samples * self.epochs

    @property
    def dataset_bytes(self) -> float:
        return self.samples * self.bytes_per_sample

    @property
    def read_rate(self) -> float:
        """Bytes per second the whole cluster must read to finish in time."""
        return self.dataset_bytes * self.epochs / self.required_s


def resolve_workload(workload: Workload, catalog: Catalog) -> ResolvedWorkload:
    """Fill what the spec leaves out from the zoo. The caller has checked that the model id exists."""
    zoo = catalog.workloads.get(workload.model)
    if workload.training_flops_per_sample is not None:
        flops = workload.training_flops_per_sample
    elif zoo is not None:
        flops = zoo.training_flops_per_sample
    else:
        assert workload.parameters is not None
        flops = FLOPS_PER_PARAMETER_TOKEN * workload.parameters
    samples = workload.dataset.samples or (zoo.dataset_samples if zoo else 0)
    if workload.dataset.size is not None and samples:
        bytes_per_sample: float = workload.dataset.size / samples
    elif zoo is not None:
        bytes_per_sample = zoo.bytes_per_sample
    else:
        bytes_per_sample = CUSTOM_BYTES_PER_SAMPLE
    epochs = workload.epochs or (zoo.epochs if zoo else 1.0)
    efficiency = workload.gpu_efficiency or (zoo.gpu_efficiency if zoo else CUSTOM_EFFICIENCY)
    if workload.min_gpu_memory is not None:
        memory_gb = workload.min_gpu_memory / 1e9
    else:
        memory_gb = zoo.min_gpu_memory_gb if zoo else 0.0
    return ResolvedWorkload(
        name=workload.name,
        model=workload.model,
        flops_per_sample=flops,
        samples=samples,
        bytes_per_sample=bytes_per_sample,
        epochs=epochs,
        gpu_efficiency=efficiency,
        min_gpu_memory_gb=memory_gb,
        precision=workload.precision,
        required_s=workload.time_to_model,
    )
