"""The user's requirements: what the cluster must do, never which boxes to buy.

Strict, frozen pydantic models: unknown keys are errors, quantities carry units and are stored
in base units (bytes, bytes/s, seconds, watts). ``load_spec`` reads a YAML file and reports every
problem at its line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PrivateAttr, ValidationError, WithJsonSchema, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from primeflex_iac.common.devices import TAKEN_PREFIXES  # names other devices of a plan carry (ch001, oss01, ...)
from primeflex_iac.common.located_yaml import YamlDocument, format_path, load_yaml, parse_yaml_text, validate_document
from primeflex_iac.common.names import Description, DisplayName
from primeflex_iac.common.strict import Month, Strict
from primeflex_iac.common.units import (
    parse_duration,
    parse_power,
    quantity_pattern,
)
from primeflex_iac.common.vocabulary import FabricLayoutChoice, Kind, Precision
from primeflex_iac.errors import Problem
from primeflex_iac.spec.energy import Energy, RackPowerByCooling
from primeflex_iac.spec.existing import Existing, FileSystem, with_site_storage
from primeflex_iac.spec.quantities import (
    MONEY_SCHEMA,
    TIME_SCHEMA,
    Bandwidth,
    Bytes,
    Count,
    Duration,
    Flops,
    Money,
    Power,
    RackUnits,
)

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "ComputeFloor",
    "Dataset",
    "Money",
    "Naming",
    "ObjectiveName",
    "Preferences",
    "Racks",
    "Site",
    "SoftwareChoice",
    "SolverOptions",
    "Spec",
    "Storage",
    "Workload",
    "load_spec",
    "parse_spec_text",
]


ObjectiveName = Literal["cost", "power", "rack_units", "racks", "time", "tco", "touched_nodes"]


class Dataset(Strict):
    """A workload's training data, when it differs from the zoo's: its samples and its size on storage."""

    samples: Count | None = Field(default=None, ge=1, description="Training samples (images, sequences or tokens).")
    size: Bytes | None = Field(default=None, ge=1, description="Size of the training set on storage.")


class Workload(Strict):
    """A training job the cluster must finish in time, alone on the whole cluster."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64, description="A short name for reports.")
    model: str = Field(
        description="A workload id of the catalog's zoo (resnet50, ssd, maskrcnn, transformer, gnmt, bert-large, gpt) or 'custom'."
    )
    training_flops_per_sample: Flops | None = Field(default=None, gt=0, description="Overrides the zoo; required for custom.")
    parameters: Count | None = Field(
        default=None,
        ge=1,
        description="Model parameters; gpt: its size; custom: 6 x parameters FLOP per token (a sample is a token).",
    )
    layers: int | None = Field(default=None, ge=1, le=10_000, description="gpt: transformer layers (default: the zoo's).")
    hidden: int | None = Field(default=None, ge=1, le=1_000_000, description="gpt: model width (default: the zoo's).")
    sequence_length: int | None = Field(default=None, ge=1, le=10_000_000, description="Tokens per sequence (gpt).")
    tokens: Count | None = Field(default=None, ge=1, description="gpt: training tokens (the dataset; default: the zoo's).")
    attention_heads: int | None = Field(default=None, ge=1, le=99_999, description="gpt: heads (default: width / 128).")
    flash_attention: bool = Field(
        default=True,
        description="gpt: fused attention (FlashAttention, as current frameworks run it); false for software that writes "
        "each head's sequence x sequence scores to memory (Megatron-LM and DeepSpeed before 2022): slower, more memory.",
    )
    global_batch: Count | None = Field(
        default=None, ge=1, description="Samples per optimizer step over the whole cluster (gpt: sequences)."
    )
    kind: Kind | None = Field(
        default=None, description="Workload class of the efficiency calibration; default: the zoo's (custom: transformer)."
    )
    dataset: Dataset = Field(default_factory=Dataset, description="Overrides the zoo's default dataset.")
    epochs: float | None = Field(default=None, gt=0, le=100_000, description="Passes over the dataset.")
    precision: Precision = Field(
        default="fp16",
        description="Arithmetic the GPUs train at: fp16, bf16 (Ampere and later GPUs) or fp8 (GPUs with FP8 tensor cores).",
    )
    time_to_model: Annotated[float, BeforeValidator(parse_duration), WithJsonSchema(TIME_SCHEMA)] = Field(
        description="Required training time, e.g. '8 h'; or {target: 8 h, confidence: 0.9} to size the plan so that "
        "the run finishes in time with that probability (the estimate's held-out errors), or {target: 8 h, margin: 0.2} "
        "to size it 20 % faster than the target."
    )
    time_confidence: SkipJsonSchema[float | None] = Field(default=None, gt=0, lt=1)
    time_margin: SkipJsonSchema[float | None] = Field(default=None, ge=0, le=10)
    gpu_efficiency: float | None = Field(default=None, gt=0, le=1, description="Share of peak sustained; overrides the zoo.")
    min_gpu_memory: Bytes | None = Field(
        default=None, ge=1, description="Only GPUs with at least this much memory: a floor beside the memory the model needs."
    )

    @model_validator(mode="before")
    @classmethod
    def _time_target(cls, data: Any) -> Any:
        """``time_to_model: {target, confidence | margin}``: the target, and how to size against it."""
        if not isinstance(data, dict):
            return data
        if not isinstance(data.get("time_to_model"), dict):
            if data.get("time_confidence") is not None or data.get("time_margin") is not None:
                raise ValueError("write a confidence or margin inside time_to_model: {target: 8 h, confidence: 0.9}")
            return data
        target = data["time_to_model"]
        unknown = sorted(set(target) - {"target", "confidence", "margin"})
        if unknown or "target" not in target or ("confidence" in target and "margin" in target):
            raise ValueError(
                "time_to_model takes a duration ('8 h'), or {target: 8 h, confidence: 0.9}, or {target: 8 h, margin: 0.2}"
                + (f" (unknown: {', '.join(map(str, unknown))})" if unknown else "")
            )
        confidence, margin = target.get("confidence"), target.get("margin")
        if confidence is not None and (
            isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1
        ):
            raise ValueError(f"time_to_model.confidence is a probability between 0 and 1, e.g. 0.9 (found {confidence!r})")
        if margin is not None and (isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin <= 10):
            raise ValueError(f"time_to_model.margin is a share between 0 and 10, e.g. 0.2 for 20 % (found {margin!r})")
        return {
            **data,
            "time_to_model": target["target"],
            "time_confidence": target.get("confidence"),
            "time_margin": target.get("margin"),
        }

    @field_validator("precision", mode="before")
    @classmethod
    def _training_precision(cls, value: Any) -> Any:
        if value == "int8":
            raise ValueError("int8 is an inference precision; primeflex sizes training, which runs at fp16, bf16 or fp8")
        return value

    @model_validator(mode="after")
    def _custom_needs_flops(self) -> Workload:
        if self.model == "custom":
            missing = [f for f in ("dataset",) if self.dataset.samples is None]
            if self.training_flops_per_sample is None and self.parameters is None:
                missing.append("training_flops_per_sample or parameters")
            if missing:
                raise ValueError(f"a custom workload needs {' and '.join(missing)} (dataset: samples)")
        if self.time_to_model <= 0:
            raise ValueError("time_to_model must be positive")
        if self.tokens is not None and self.dataset.samples is not None:
            raise ValueError("give tokens or dataset.samples, not both (tokens: a gpt model's training tokens)")
        return self


class ComputeFloor(Strict):
    """A plain compute requirement, as architects often state it."""

    gpus: int | None = Field(default=None, ge=1, le=1_000_000, description="At least this many GPUs.")
    tensor_tflops: float | None = Field(default=None, gt=0, le=1e9, description="At least this dense FP16 tensor peak.")
    int8_tops: float | None = Field(default=None, gt=0, le=1e9, description="At least this dense INT8 peak.")
    min_gpu_memory: Bytes | None = Field(default=None, description="Only GPUs with at least this much memory.")

    @model_validator(mode="after")
    def _something(self) -> ComputeFloor:
        if self.gpus is None and self.tensor_tflops is None and self.int8_tops is None:
            raise ValueError("give at least one of gpus, tensor_tflops, int8_tops")
        return self


def _rack_power(value: Any) -> Any:
    """One limit for every rack ('20 kW'), or one per cooling ({air: 20 kW, water: 60 kW})."""
    if not isinstance(value, dict):
        return parse_power(value)
    try:
        return RackPowerByCooling.model_validate(value)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ValueError(f"{where}: {message}" if where else message) from None


_RACK_POWER_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": quantity_pattern("power"), "examples": ["20 kW"]},
        {
            "type": "object",
            "properties": {
                "air": {"type": "string", "pattern": quantity_pattern("power")},
                "water": {"type": "string", "pattern": quantity_pattern("power")},
            },
            "required": ["air", "water"],
            "additionalProperties": False,
        },
    ],
    "description": "A power ('20 kW'), or one per cooling ({air: 20 kW, water: 60 kW}).",
}


class Racks(Strict):
    """The racks the room takes: how many, how tall, and the power each may draw."""

    max: int = Field(default=10, ge=1, le=10_000, description="Most racks the room takes.")
    height: RackUnits = Field(default=42, description="Rack height: a rack model of this height is used.")
    power_per_rack: Annotated[float | RackPowerByCooling, BeforeValidator(_rack_power), WithJsonSchema(_RACK_POWER_SCHEMA)] = (
        Field(
            description="Power a rack may draw at most (nameplate), e.g. '20 kW'; or per cooling, "
            "{air: 20 kW, water: 60 kW}: a rack holding water-cooled nodes may draw the water limit."
        )
    )

    def limit_w(self, cooling: str) -> float:
        """The power a rack of this cooling may draw (the one limit, when the spec gives one)."""
        limit = self.power_per_rack
        return float(limit) if isinstance(limit, (int, float)) else float(getattr(limit, cooling))


class Site(Strict):
    """What the data centre allows: cooling, racks, total power and budget."""

    cooling: Literal["air", "water", "any"] = Field(default="any", description="How compute nodes may be cooled.")
    racks: Racks
    total_power: Power | None = Field(default=None, description="Power the whole cluster may draw at most.")
    budget: Annotated[Money, WithJsonSchema(MONEY_SCHEMA)] | None = Field(
        default=None, description="Most the cluster may cost, e.g. '1.5M USD'."
    )
    energy: Energy = Field(default_factory=Energy, description="Electricity price, PUE per cooling, utilisation (TCO).")
    lifetime: Duration | None = Field(default=None, description="How long the cluster runs, e.g. '5 y'; default: the catalog's.")


class Storage(Strict):
    """The parallel file system: usable capacity, file system, access protocols and read rate."""

    capacity: Bytes | None = Field(default=None, description="Usable capacity; at least the workloads' datasets.")
    file_system: FileSystem = Field(default="lustre", description="Parallel file system.")
    access: list[Literal["posix", "hdfs", "s3"]] = Field(default=["posix"], min_length=1, description="Access protocols.")
    throughput: Bandwidth | None = Field(default=None, description="Aggregate read rate; derived from workloads if omitted.")


class SoftwareChoice(Strict):
    """Software to use instead of the catalog's default, by catalog id."""

    os: str | None = Field(default=None, description="Catalog software id, e.g. rhel or centos.")
    cluster_manager: str | None = Field(default=None, description="e.g. openhpc or bright.")
    scheduler: str | None = Field(default=None, description="e.g. slurm, pbs-pro, pbs-pro-oss.")


class Preferences(Strict):
    """Choices the architect restricts: GPUs, nodes and fabrics allowed, availability date, software."""

    gpus: list[str] | None = Field(default=None, description="Only these GPU ids.")
    nodes: list[str] | None = Field(default=None, description="Only these compute node ids.")
    fabrics: list[str] | None = Field(default=None, description="Only these fabric ids.")
    as_of: Month | None = Field(default=None, description="Only items available by this month, e.g. 2019-06.")
    blocking_factor: int = Field(default=1, ge=1, le=8, description="Fat-tree oversubscription b:1 (1 = non-blocking).")
    avoid_extreme_fabrics: bool = Field(
        default=True,
        description="Follow the paper: node links above 100 Gb/s only when something requires them.",
    )
    fabric_layout: FabricLayoutChoice = Field(
        default="auto",
        description="How compute nodes' fabric adapters are cabled to leaf switches. rail-optimised: nodes form rail "
        "groups, adapter i of every node of a group on the group's leaf i, so one leaf failure takes one adapter of "
        "each node, not whole nodes; leaf-per-node-group: a node's adapters on one leaf, leaves filled in node order; "
        "auto (default): rail-optimised for nodes with 4 or more fabric adapters, leaf-per-node-group otherwise. "
        "Only the ports change: the switch and cable counts are the same.",
    )
    software: SoftwareChoice = Field(default_factory=SoftwareChoice)


class SolverOptions(Strict):
    """How long and how the solver searches; the command line's --time-limit, --workers and --seed win over these."""

    time_limit: Duration = Field(default=30.0, gt=0, le=86_400, description="Wall-clock limit for the whole solve, e.g. '30 s'.")
    workers: int = Field(default=1, ge=1, le=64, description="CP-SAT search workers.")
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="CP-SAT random seed.")


class Naming(Strict):
    """Host names the plan gives its devices; every export (Slurm, NetBox, Ansible) uses them."""

    compute: str = Field(
        default="cn###",
        pattern=r"^[a-z](?:[a-z0-9-]*[a-z-])?#{1,6}$",
        max_length=40,
        description="Compute node names: a lowercase prefix not ending in a digit, then one '#' per digit of the "
        "zero-padded node number. cn### gives cn001, cn002, ... (Slurm hostlist cn[001-064]); gpu### gives gpu001, ... "
        "A plan with more nodes than the digits hold widens every name alike: 1,000 nodes with cn### are cn0001 to cn1000.",
    )

    @model_validator(mode="after")
    def _prefix_is_free(self) -> Naming:
        if self.compute.rstrip("#") in TAKEN_PREFIXES:
            raise ValueError(f"the compute prefix must differ from the other devices' ({', '.join(TAKEN_PREFIXES)})")
        return self

    def compute_name(self, number: int, count: int = 0) -> str:
        """The name of compute node ``number`` (1-based) of ``count``: every name of the plan is as wide as
        its widest number needs (cn0001 ... cn1000), so the names sort and form one hostlist range."""
        prefix = self.compute.rstrip("#")
        width = max(len(self.compute) - len(prefix), len(str(max(count, number))))
        return f"{prefix}{number:0{width}d}"


class Spec(Strict):
    """A cluster specification (``apiVersion: primeflex-iac/v1``)."""

    apiVersion: Literal["primeflex-iac/v1"] = Field(description="Always primeflex-iac/v1.")
    kind: Literal["ClusterSpec"] = "ClusterSpec"
    name: DisplayName = Field(min_length=1, description="Name used in reports and exports: printable, one line.")
    description: Description = ""
    workloads: list[Workload] = Field(default_factory=list, description="Training jobs with a time-to-model.")
    compute: ComputeFloor | None = Field(default=None, description="A plain compute floor.")
    site: Site
    storage: Storage | None = Field(default=None, description="Parallel file system requirements.")
    preferences: Preferences = Field(default_factory=Preferences)
    naming: Naming = Field(default_factory=Naming, description="Host names in the plan and its exports.")
    objective: ObjectiveName | list[ObjectiveName] = Field(
        default="cost",
        description="What to minimise; a list is lexicographic. time: the fastest time-to-model within the site's limits; "
        "tco: purchase, support and energy over the site's lifetime; touched_nodes: existing nodes that take GPU cards "
        "(first, to prefer new nodes and leave the HPC cluster as it is).",
    )
    solver: SolverOptions = Field(default_factory=SolverOptions)
    existing: Existing | None = Field(
        default=None, description="An existing HPC cluster the plan adds to: its nodes, racks, fabric, loop and storage."
    )

    _document: YamlDocument | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _site_storage(cls, data: Any) -> Any:
        return with_site_storage(data)  # an existing site's file system serves the workloads

    @model_validator(mode="after")
    def _needs_something(self) -> Spec:
        if not self.workloads and self.compute is None and self.storage is None:
            raise ValueError("a spec needs workloads, a compute floor or storage")
        names = [w.name for w in self.workloads]
        if len(set(names)) != len(names):
            raise ValueError("workload names must be unique")
        if isinstance(self.objective, list) and len(set(self.objective)) != len(self.objective):
            raise ValueError("an objective list names each objective once")
        if "time" in self.objectives and (self.objectives[0] != "time" or not self.workloads):
            raise ValueError("objective time (fastest time-to-model) needs workloads and must come first in the list")
        return self

    @field_validator("objective")
    @classmethod
    def _objective_list_not_empty(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise ValueError(
                "an objective list names at least one objective (cost, power, rack_units, racks, time, tco or touched_nodes)"
            )
        return value

    @property
    def objectives(self) -> list[ObjectiveName]:
        return list(self.objective) if isinstance(self.objective, list) else [self.objective]

    def problem(self, path: tuple[str | int, ...], message: str) -> Problem:
        """A problem located at ``path`` in the spec's file, when it was loaded from one."""
        if self._document is not None:
            return self._document.problem(path, message)
        return Problem("<spec>", None, None, format_path(path), message)


def _from_document(document: YamlDocument) -> Spec:
    spec = validate_document(document, Spec)
    spec._document = document
    return spec


def load_spec(path: str | Path) -> Spec:
    """Read and validate a spec file; raises :class:`SpecError` listing every problem."""
    return _from_document(load_yaml(path))


def parse_spec_text(text: str, name: str = "<spec>") -> Spec:
    return _from_document(parse_yaml_text(text, name))
