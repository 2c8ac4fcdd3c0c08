"""The result of a solve: typed, serialisable, and free of wall-clock time.

``Plan.model_dump_json(indent=2)`` is ``plan.json``; ``schema/plan.schema.json`` is generated
from these models (``primeflex schema --plan``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from primeflex_iac.common.names import DisplayName, DisplayText, HostName, Identifier
from primeflex_iac.common.strict import Strict
from primeflex_iac.common.vocabulary import FabricLayout
from primeflex_iac.plan.existing_model import ExistingSitePlan
from primeflex_iac.timing.llm_memory import describe_layout

__all__ = [
    "PLAN_SCHEMA_VERSION",
    "BomLine",
    "ComputeEntry",
    "CoolingAlternative",
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
# what a plan holds is checked like the inputs it came from (common/names.py): a hand-edited
# plan.json given to `render` or `export` cannot put a newline, markup or a bad host name in a file
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class ComputeEntry(Strict):
    node: Identifier = Field(description="Catalog id of the compute node.")
    node_name: DisplayName
    count: int = Field(description="Compute nodes (not chassis).")
    chassis: Identifier | None = Field(description="Catalog id of the chassis, when nodes are sleds.")
    chassis_count: int
    cooling: Literal["air", "water"]
    gpu: Identifier
    gpu_name: DisplayName
    gpus_per_node: int
    gpus: int
    tensor_tflops: float = Field(description="Total dense FP16 tensor peak.")
    int8_tops: float = Field(description="Total dense INT8 peak (0 if the GPU has none).")
    memory_gb_per_node: int
    intra_node: Literal["nvlink", "pcie"]
    fabric_adapters_per_node: int
    existing_group: Identifier | None = Field(
        default=None, description="GPU cards into this existing group's nodes (plan.existing), instead of new nodes."
    )


class FabricPlan(Strict):
    technology: Identifier = Field(description="Catalog fabric id.")
    name: DisplayName
    family: Literal["ethernet", "infiniband", "omni-path"]
    mode: DisplayName
    link_gbps: int = Field(description="Speed at each node port.")
    switch: Identifier
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
    adapter: Identifier
    node_cables: int
    cable: Identifier
    switch_links: int
    uplink_cable: Identifier
    management_switches: int = Field(description="Management switches, access and aggregation.")
    management_aggregation_switches: int = Field(
        description="Of which aggregation switches, taking the access switches' uplinks and the head node (0 with one switch)."
    )
    management_switch: Identifier
    management_cables: int = Field(description="Management patch cables: one per management port, one per access uplink.")
    management_cable: Identifier | Literal[""] = Field(
        description="Catalog id of the management cable; empty when the catalog has none."
    )


class StoragePlan(Strict):
    file_system: Identifier
    access: list[Identifier]
    usable_tib: float
    required_tib: float
    read_gbs: float = Field(description="Aggregate read rate the blocks and servers deliver (GB/s).")
    required_read_gbs: float
    rack_units: int
    blocks: dict[Identifier, int]
    controller_shelves: int
    drive_enclosures: int
    drives: int
    servers: int
    server: Identifier
    mdt_shelves: int


class Device(Strict):
    name: HostName
    catalog_id: Identifier
    role: Literal["compute", "fabric", "management", "head", "storage"]
    position: int = Field(description="Lowest rack unit the device occupies (1 = bottom).")
    height_u: int
    power_max_w: float
    weight_kg: float
    nodes: list[HostName] = Field(default_factory=list, description="Compute nodes inside a chassis.")
    face: Literal["front"] = "front"


class RackPlan(Strict):
    name: HostName
    catalog_id: Identifier
    height_u: int
    devices: list[Device]
    used_units: int
    power_max_w: float
    power_limit_w: float = Field(description="The rack's limit: the water-cooled one where it holds water-cooled devices.")
    heat_btu_h: float
    heat_to_water_w: float = Field(
        default=0.0, description="Heat the coolant loop takes at maximum power: water-cooled devices x the water heat share."
    )
    heat_to_air_w: float = Field(default=0.0, description="Heat the room's air takes at maximum power: the rest.")
    weight_kg: float
    existing: bool = Field(
        default=False,
        description="An installed rack of the site: devices and power_max_w are what the plan adds (weight too); "
        "existing_units and existing_power_w are what it holds today.",
    )
    existing_units: int = Field(default=0, description="Units taken today (an existing rack): the bottom ones.")
    existing_power_w: float = Field(default=0.0, description="Maximum power drawn today (an existing rack).")


class Parallelism(Strict):
    """How a decoder's training is split: tensor, context, pipeline and data parallel degrees, ZeRO
    stage, activation recomputation and sequences per micro-batch (the fastest layout that fits)."""

    tp: int
    pp: int
    dp: int
    zero: int
    recompute: str
    micro_batch: int
    virtual_stages: int = Field(default=1, description="Model chunks per pipeline stage (interleaved schedule).")
    cp: int = Field(default=1, description="Context parallel degree: GPUs each sequence is split over (ring attention).")

    def describe(self) -> str:
        return describe_layout(**self.model_dump())


class WorkloadResult(Strict):
    name: DisplayName
    model: DisplayName
    training_flops: float
    time_to_model_s: float | None = Field(description="Estimated on the chosen cluster.")
    required_s: float
    nodes: int | None = Field(
        default=None, description="Nodes the run uses: as many of the plan's compute nodes as make it fastest."
    )
    per_gpu_tflops: float | None
    scaling_efficiency: float | None
    bound: DisplayName | None
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
    category: DisplayName
    id: Identifier
    name: DisplayName


class BomLine(Strict):
    item: DisplayName
    catalog_id: Identifier
    category: DisplayName
    quantity: int
    unit_cost: float
    total_cost: float
    unit_power_w: float
    total_power_w: float
    rack_units: int = Field(description="Rack units of all units of the line.")
    cost_source: DisplayText
    power_source: DisplayText


class Totals(Strict):
    cost: float
    currency: Currency
    power_kw: float = Field(description="Maximum (nameplate) power.")
    typical_power_kw: float
    heat_btu_h: float = Field(description="Heat at maximum power.")
    rack_units: int
    racks: int
    weight_kg: float
    # the total cost of ownership over the lifetime (formulas and sources in the plan's assumptions)
    capex: float = Field(default=0.0, description="Purchase price: the bill of materials.")
    energy_mwh: float = Field(
        default=0.0, description="Lifetime energy: typical power x utilisation x PUE of its cooling x hours, in MWh."
    )
    energy_cost: float = Field(default=0.0, description="Lifetime energy x the price of a kWh.")
    support_cost: float = Field(default=0.0, description="Support and maintenance: capex x share per year x years.")
    tco: float = Field(default=0.0, description="Total cost of ownership: capex + support_cost + energy_cost.")
    lifetime_years: float = Field(default=0.0, description="The lifetime the figures cover.")


class CoolingAlternative(Strict):
    """The best plan with compute of one cooling only, beside the plan (where the spec allows both)."""

    cooling: Literal["air", "water"]
    status: Status
    summary: str = Field(description="What the plan buys, in one line; why there is none otherwise.")
    racks: int = 0
    typical_power_kw: float = 0.0
    capex: float = 0.0
    energy_mwh: float = 0.0
    energy_cost: float = 0.0
    support_cost: float = 0.0
    tco: float = 0.0


class ObjectiveResult(Strict):
    name: DisplayName
    value: float | None
    bound: float | None
    stages: list[DisplayName] = Field(description="All lexicographic stages in the order solved, tie-breaks included.")


class Relaxation(Strict):
    """How far one conflicting requirement must move for a plan to exist, every other one held."""

    requirement: DisplayText = Field(description="The requirement group, as named in conflicts.")
    asked: DisplayText = Field(description="What the spec asks, in words.")
    needed: DisplayText | None = Field(description="What a plan needs instead, in words; None if moving it alone is not enough.")
    change: DisplayText | None = Field(
        description="The spec change that gives a plan, checked by solving; None if none alone does."
    )
    field: DisplayText | None = Field(default=None, description="The spec field the change is made in.")
    asked_value: float | None = Field(default=None, description="The spec's value, in `unit`.")
    feasible_value: float | None = Field(default=None, description="The nearest value that gives a plan, in `unit`.")
    unit: DisplayName | None = None
    alone: bool = Field(description="Whether moving this requirement alone gives a plan.")
    example: DisplayText | None = Field(default=None, description="The best plan once the change is made, in one line.")
    limit: DisplayText | None = Field(
        default=None, description="What keeps the moved requirement from going further, where it is worth naming."
    )


class SolveInfo(Strict):
    solver: DisplayName = "OR-Tools CP-SAT"
    solver_version: DisplayName
    time_limit_s: float
    workers: int
    seed: int
    gap: float | None = Field(description="Relative gap of the first objective; 0 when proven optimal.")
    placement_attempts: int
    stopped_by: Literal["time limit", "interrupt"] | None = Field(
        default=None, description="Why the search stopped before proving the plan optimal, if it did."
    )


class Plan(Strict):
    schema_version: DisplayName = PLAN_SCHEMA_VERSION
    name: DisplayName
    status: Status
    message: DisplayText = Field(description="One line for people: what was found, or why nothing was.")
    conflicts: list[DisplayText] = Field(default_factory=list, description="Requirement groups that cannot hold together.")
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
    placement_rules: list[DisplayText] = Field(default_factory=list)
    software: list[SoftwareEntry] = Field(default_factory=list)
    workloads: list[WorkloadResult] = Field(default_factory=list)
    totals: Totals | None = None
    bom: list[BomLine] = Field(default_factory=list)
    assumptions: list[DisplayText] = Field(default_factory=list, description="Every assumption behind the plan's figures.")
    alternatives: list[CoolingAlternative] = Field(
        default_factory=list,
        description="Where the spec allows air and water cooling and asks about the lifetime cost: the best plan "
        "of each cooling, solved on its own, for a side-by-side comparison.",
    )
    warnings: list[DisplayText] = Field(default_factory=list)
    solve: SolveInfo | None = None
    catalog_currency: Currency = "USD"
    catalog_overlays: list[DisplayText] = Field(default_factory=list)
    existing: ExistingSitePlan | None = Field(
        default=None, description="The existing cluster the plan joins: what changes on it and what stays untouched."
    )

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"
