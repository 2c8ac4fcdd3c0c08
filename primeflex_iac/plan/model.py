"""The result of a solve: typed, serialisable, and free of wall-clock time.

``Plan.model_dump_json(indent=2)`` is ``plan.json``; ``schema/plan.schema.json`` is generated
from these models (``primeflex schema --plan``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from primeflex_iac.common.strict import Strict
from primeflex_iac.common.vocabulary import FabricLayout

__all__ = [
    "PLAN_SCHEMA_VERSION",
    "BomLine",
    "ComputeEntry",
    "Device",
    "FabricPlan",
    "ObjectiveResult",
    "Parallelism",
    "Plan",
    "RackPlan",
    "Relaxation",
    "SoftwareEntry",
    "SolveInfo",
    "Status",
    "StoragePlan",
    "Totals",
    "WorkloadResult",
]

PLAN_SCHEMA_VERSION = "primeflex-iac/plan/v1"
# unknown: no plan was found within the time limit, and none was proven impossible
Status = Literal["optimal", "feasible", "infeasible", "unknown"]


class ComputeEntry(Strict):
    node: str = Field(description="Catalog id of the compute node.")
    node_name: str
    count: int = Field(description="Compute nodes (not chassis).")
    chassis: str | None = Field(description="Catalog id of the chassis, when nodes are sleds.")
    chassis_count: int
    cooling: Literal["air", "water"]
    gpu: str
    gpu_name: str
    gpus_per_node: int
    gpus: int
    tensor_tflops: float = Field(description="Total dense FP16 tensor peak.")
    int8_tops: float = Field(description="Total dense INT8 peak (0 if the GPU has none).")
    memory_gb_per_node: int
    intra_node: Literal["nvlink", "pcie"]
    fabric_adapters_per_node: int


class FabricPlan(Strict):
    technology: str = Field(description="Catalog fabric id.")
    name: str
    family: str
    mode: str
    link_gbps: int = Field(description="Speed at each node port.")
    switch: str
    switch_ports: int
    tiers: int = Field(description="1: one switch; 2: leaf-spine; 3: leaf-spine-core.")
    head_node_on_fabric: bool = Field(
        default=True, description="False where the head node's port would add a tree level: it uses the management network."
    )
    leaf_switches: int
    spine_switches: int
    core_switches: int
    blocking_factor: int
    endpoints: int = Field(description="Node-side ports in use: compute adapters, storage servers, head node.")
    endpoints_per_port: int = Field(
        default=1, description="Endpoints one switch port serves: 2 where ports are split (HDR100, NDR200)."
    )
    layout: FabricLayout = Field(
        default="leaf-per-node-group",
        description="How compute nodes' adapters are cabled to the leaves. rail-optimised: nodes form rail groups "
        "of as many nodes as a leaf has node-facing endpoints, adapter i of every node of a group on the group's "
        "leaf i; leaf-per-node-group: each node's adapters on one leaf, leaves filled in node order. Storage servers "
        "and the head node take the ports left. Plans written before the choice existed were cabled leaf-per-node-group.",
    )
    adapter: str
    node_cables: int
    cable: str
    switch_links: int
    uplink_cable: str
    management_switches: int = Field(description="Management switches, access and aggregation.")
    management_aggregation_switches: int = Field(
        description="Of which aggregation switches, taking the access switches' uplinks and the head node (0 with one switch)."
    )
    management_switch: str
    management_cables: int = Field(description="Management patch cables: one per management port, one per access uplink.")
    management_cable: str = Field(description="Catalog id of the management cable; empty when the catalog has none.")


class StoragePlan(Strict):
    file_system: str
    access: list[str]
    usable_tib: float
    required_tib: float
    read_gbs: float = Field(description="Aggregate read rate the blocks and servers deliver (GB/s).")
    required_read_gbs: float
    rack_units: int
    blocks: dict[str, int]
    controller_shelves: int
    drive_enclosures: int
    drives: int
    servers: int
    server: str
    mdt_shelves: int


class Device(Strict):
    name: str
    catalog_id: str
    role: Literal["compute", "fabric", "management", "head", "storage"]
    position: int = Field(description="Lowest rack unit the device occupies (1 = bottom).")
    height_u: int
    power_max_w: float
    weight_kg: float
    nodes: list[str] = Field(default_factory=list, description="Compute nodes inside a chassis.")
    face: Literal["front"] = "front"


class RackPlan(Strict):
    name: str
    catalog_id: str
    height_u: int
    devices: list[Device]
    used_units: int
    power_max_w: float
    power_limit_w: float
    heat_btu_h: float
    weight_kg: float


class Parallelism(Strict):
    """How a decoder's training is split: tensor, pipeline and data parallel degrees, ZeRO stage,
    activation recomputation and sequences per micro-batch (the fastest layout that fits)."""

    tp: int
    pp: int
    dp: int
    zero: int
    recompute: str
    micro_batch: int
    virtual_stages: int = Field(default=1, description="Model chunks per pipeline stage (interleaved schedule).")


class WorkloadResult(Strict):
    name: str
    model: str
    training_flops: float
    time_to_model_s: float | None = Field(description="Estimated on the chosen cluster.")
    required_s: float
    nodes: int | None = Field(
        default=None, description="Nodes the run uses: as many of the plan's compute nodes as make it fastest."
    )
    per_gpu_tflops: float | None
    scaling_efficiency: float | None
    bound: str | None
    meets: bool
    range_s: list[float] | None = Field(
        default=None,
        description="The time-to-model at the 10th and 90th percentile of the estimate's held-out errors for its group.",
    )
    parallelism: Parallelism | None = Field(default=None, description="Decoders: the layout the estimate chose.")
    memory_per_gpu_gb: float | None = Field(default=None, description="GPU memory the run needs per GPU in that layout.")
    tokens_per_s: float | None = Field(default=None, description="Decoders: tokens per second over the run's GPUs.")
    mfu: float | None = Field(default=None, description="Decoders: model FLOPs utilisation, a fraction of the dense peak.")


class SoftwareEntry(Strict):
    category: str
    id: str
    name: str


class BomLine(Strict):
    item: str
    catalog_id: str
    category: str
    quantity: int
    unit_cost: float
    total_cost: float
    unit_power_w: float
    total_power_w: float
    rack_units: int = Field(description="Rack units of all units of the line.")
    cost_source: str
    power_source: str


class Totals(Strict):
    cost: float
    currency: str
    power_kw: float = Field(description="Maximum (nameplate) power.")
    typical_power_kw: float
    heat_btu_h: float = Field(description="Heat at maximum power.")
    rack_units: int
    racks: int
    weight_kg: float


class ObjectiveResult(Strict):
    name: str
    value: float | None
    bound: float | None
    stages: list[str] = Field(description="All lexicographic stages in the order solved, tie-breaks included.")


class Relaxation(Strict):
    """How far one conflicting requirement must move for a plan to exist, every other one held."""

    requirement: str = Field(description="The requirement group, as named in conflicts.")
    asked: str = Field(description="What the spec asks, in words.")
    needed: str | None = Field(description="What a plan needs instead, in words; None if moving it alone is not enough.")
    change: str | None = Field(description="The spec change that gives a plan, checked by solving; None if none alone does.")
    field: str | None = Field(default=None, description="The spec field the change is made in.")
    asked_value: float | None = Field(default=None, description="The spec's value, in `unit`.")
    feasible_value: float | None = Field(default=None, description="The nearest value that gives a plan, in `unit`.")
    unit: str | None = None
    alone: bool = Field(description="Whether moving this requirement alone gives a plan.")
    example: str | None = Field(default=None, description="The best plan once the change is made, in one line.")
    limit: str | None = Field(
        default=None, description="What keeps the moved requirement from going further, where it is worth naming."
    )


class SolveInfo(Strict):
    solver: str = "OR-Tools CP-SAT"
    solver_version: str
    time_limit_s: float
    workers: int
    seed: int
    gap: float | None = Field(description="Relative gap of the first objective; 0 when proven optimal.")
    placement_attempts: int
    stopped_by: Literal["time limit", "interrupt"] | None = Field(
        default=None, description="Why the search stopped before proving the plan optimal, if it did."
    )


class Plan(Strict):
    schema_version: str = PLAN_SCHEMA_VERSION
    name: str
    status: Status
    message: str = Field(description="One line for people: what was found, or why nothing was.")
    conflicts: list[str] = Field(default_factory=list, description="Requirement groups that cannot hold together.")
    relaxations: list[Relaxation] = Field(
        default_factory=list, description="For each conflicting requirement, how far it must move for a plan to exist."
    )
    combined_relaxation: Relaxation | None = Field(
        default=None,
        description="The conflicting site limits (budget, power, racks) moved together to the best plan's needs, "
        "when two or more conflict: often cheaper than any one moved alone.",
    )
    objective: ObjectiveResult | None = None
    compute: list[ComputeEntry] = Field(default_factory=list)
    fabric: FabricPlan | None = None
    storage: StoragePlan | None = None
    racks: list[RackPlan] = Field(default_factory=list)
    placement_rules: list[str] = Field(default_factory=list)
    software: list[SoftwareEntry] = Field(default_factory=list)
    workloads: list[WorkloadResult] = Field(default_factory=list)
    totals: Totals | None = None
    bom: list[BomLine] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list, description="Every assumption behind the plan's figures.")
    warnings: list[str] = Field(default_factory=list)
    solve: SolveInfo | None = None
    catalog_currency: str = "USD"
    catalog_overlays: list[str] = Field(default_factory=list)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"
