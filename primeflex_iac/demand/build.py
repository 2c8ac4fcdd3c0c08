"""From a spec to what the cluster must deliver: pure arithmetic, no solver.

The demand holds the candidate platforms and fabric options, the compute floors, for each
workload and each (platform, fabric) pair the fewest nodes that meet its time-to-model, and the
storage capacity and read rate. It also checks the spec's references to catalog ids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from primeflex_iac.common.units import TIB
from primeflex_iac.common.validation_messages import unknown_name
from primeflex_iac.demand.candidates import candidate_fabrics, candidate_platforms
from primeflex_iac.demand.energy import energy_problems, tco_inputs
from primeflex_iac.demand.existing import existing_problems
from primeflex_iac.demand.memo import remembered
from primeflex_iac.demand.requirements import Requirement
from primeflex_iac.demand.software import choose_software
from primeflex_iac.errors import SpecError
from primeflex_iac.timing.calibration import load_calibration
from primeflex_iac.timing.llm_layouts import least_gpu_memory_gb
from primeflex_iac.timing.step_model import min_nodes
from primeflex_iac.timing.workloads import decoder_fields_stated, heads_problem, resolve_workload

if TYPE_CHECKING:
    import datetime as dt

    from primeflex_iac.catalog.models import Catalog, HeadNode, Software
    from primeflex_iac.demand.candidates import FabricOption, Platform
    from primeflex_iac.demand.energy import TcoInputs
    from primeflex_iac.errors import Problem
    from primeflex_iac.spec.model import ObjectiveName, Spec
    from primeflex_iac.timing.workloads import ResolvedWorkload

__all__ = [
    "Demand",
    "StorageDemand",
    "build_demand",
    "check_references",
    "choose_head_node",
    "scale_deadlines",
    "scale_demand_deadlines",
    "without_time_objective",
]


@dataclass(frozen=True)
class StorageDemand:
    capacity_tib: float
    read_gbs: float
    capacity_from: str  # "spec", "datasets" or "spec and datasets"
    throughput_from: str  # "spec", "workloads" or "none"
    # an existing file system's share: the new blocks add what it lacks
    existing_tib: float = 0.0
    existing_read_gbs: float = 0.0

    @property
    def missing_tib(self) -> float:
        return max(0.0, self.capacity_tib - self.existing_tib)

    @property
    def missing_read_gbs(self) -> float:
        return max(0.0, self.read_gbs - self.existing_read_gbs) if self.read_gbs > 0 else 0.0

    @property
    def extends_existing(self) -> bool:
        return self.existing_tib > 0 or self.existing_read_gbs > 0

    @property
    def needs_blocks(self) -> bool:
        """Whether new storage blocks are needed at all (always, without an existing file system)."""
        return not self.extends_existing or self.missing_tib > 0 or self.missing_read_gbs > 0


@dataclass(frozen=True)
class Demand:
    spec: Spec
    catalog: Catalog
    workloads: list[ResolvedWorkload]
    platforms: list[Platform]
    fabrics: list[FabricOption]
    # (workload index, platform index, fabric index) -> fewest nodes meeting its deadline, or None
    # (a run takes as many of the plan's nodes as make it fastest: more nodes never miss it)
    workload_nodes: dict[tuple[int, int, int], int | None]
    gpus_min: int
    tensor_tflops_min: float
    int8_tops_min: float
    storage: StorageDemand | None
    rack_model: str
    # what the solver needs of the spec, so that it never reads the spec itself
    objectives: tuple[ObjectiveName, ...]
    avoid_extreme_fabrics: bool
    blocking_factor: int  # fat-tree oversubscription b:1
    budget: float | None  # in the catalog's currency
    racks_max: int
    power_per_rack_w: float
    total_power_w: float | None
    software: tuple[Software, ...]  # the stack the plan gets; licences priced per node, server or cluster
    head_node: HeadNode  # the newest orderable by as_of (the cluster's generation)
    tco: TcoInputs  # energy price, PUE per cooling, utilisation, lifetime, support share
    power_per_rack_water_w: float  # a rack holding water-cooled nodes (power_per_rack_w: any other rack)
    # the least GPU memory the decoders need per GPU in their leanest layout (on the most lenient
    # node shape): no smaller GPU can train them, whatever the floors say
    model_memory_gb: float = 0.0
    # an existing cluster (spec.existing): its head node, licences and metadata shelf are not bought again
    new_head_node: bool = True
    site_management_ports: int = 0  # free ports of an existing site's management network new devices may take
    mdt_shelves: int = 0  # metadata shelves a new file system gets (none when blocks extend an existing one)

    def platform_of(self, node: str, gpu: str, gpus_per_node: int, group: str | None = None) -> Platform | None:
        """The candidate platform a plan's compute entry names (``group``: cards into that existing
        group's nodes), or None if the catalog has none."""
        return next(
            (
                p
                for p in self.platforms
                if (p.server.id, p.gpu.id, p.gpus_per_node) == (node, gpu, gpus_per_node)
                and (p.upgrade.group if p.upgrade is not None else None) == group
            ),
            None,
        )

    def fabric_of(self, technology: str, mode: str) -> FabricOption | None:
        """The candidate fabric option a plan's fabric names, or None if the catalog has none."""
        return next((f for f in self.fabrics if (f.fabric.id, f.mode.name) == (technology, mode)), None)

    @property
    def site_read_gbs(self) -> float:
        """What the workloads read from an existing site's file system (0 without one)."""
        if self.storage is None or not self.storage.existing_read_gbs:
            return 0.0
        return min(self.storage.read_gbs, self.storage.existing_read_gbs)

    @property
    def needs_compute(self) -> bool:
        return bool(self.workloads) or self.gpus_min > 0 or self.tensor_tflops_min > 0 or self.int8_tops_min > 0


def check_references(spec: Spec, catalog: Catalog) -> None:
    """Every catalog id the spec names must exist; raises SpecError listing each unknown one."""
    problems: list[Problem] = []

    def check(ids: list[str] | None, section: dict[str, object], path: tuple[str | int, ...], what: str) -> None:
        for index, item in enumerate(ids or []):
            if item not in section:
                problems.append(spec.problem((*path, index), unknown_name(what, item, section)))

    prefs = spec.preferences
    check(prefs.gpus, dict(catalog.gpus), ("preferences", "gpus"), "GPU id")
    check(prefs.nodes, dict(catalog.servers), ("preferences", "nodes"), "node id")
    check(prefs.fabrics, dict(catalog.fabrics), ("preferences", "fabrics"), "fabric id")
    for index, workload in enumerate(spec.workloads):
        if workload.model != "custom" and workload.model not in catalog.workloads:
            known = [*catalog.workloads, "custom"]
            problems.append(spec.problem(("workloads", index, "model"), unknown_name("model", workload.model, known)))
            continue
        zoo = catalog.workloads.get(workload.model)
        heads = heads_problem(workload, zoo) if zoo is not None and zoo.family == "gpt" else None
        if heads is not None:
            problems.append(spec.problem(("workloads", index, "attention_heads"), heads))
        if zoo is None or zoo.family != "gpt":
            for field in decoder_fields_stated(workload):
                message = f"{field} describes a gpt model (model: gpt or an LLM of the zoo); {workload.model} is not one"
                problems.append(spec.problem(("workloads", index, field), message))
    for category in ("os", "cluster_manager", "scheduler"):
        chosen = getattr(prefs.software, category)
        if chosen is None:
            continue
        options = sorted(s.id for s in catalog.software.values() if s.category == category)
        if chosen not in options:
            problems.append(spec.problem(("preferences", "software", category), unknown_name(category, chosen, options)))
    if spec.site.budget and spec.site.budget.currency and spec.site.budget.currency != catalog.currency:
        problems.append(
            spec.problem(
                ("site", "budget"),
                f"budget is in {spec.site.budget.currency} but the catalog prices are in {catalog.currency}; lay a catalog overlay with a currency, or give the budget in {catalog.currency}",
            )
        )
    problems.extend(energy_problems(spec, catalog))
    problems.extend(existing_problems(spec, catalog))
    if not any(r.height_u == spec.site.racks.height for r in catalog.racks.values()):
        heights = ", ".join(f"{r.height_u}U" for r in catalog.racks.values())
        problems.append(
            spec.problem(("site", "racks", "height"), f"no rack of {spec.site.racks.height}U in the catalog (have: {heights})")
        )
    if problems:
        raise SpecError(problems)


@remembered  # a solve asks three times: validating, solving, checking
def build_demand(spec: Spec, catalog: Catalog) -> Demand:
    check_references(spec, catalog)
    workloads = [resolve_workload(w, catalog) for w in spec.workloads]
    floor = spec.compute
    memory_gb = max(
        [w.min_gpu_memory_gb for w in workloads] + [floor.min_gpu_memory / 1e9 if floor and floor.min_gpu_memory else 0.0]
    )
    calibration = load_calibration()

    def model_memory_gb(gpus_per_node: int) -> float:
        """The least GPU memory the decoders need on nodes of this many GPUs, in any layout."""
        needs = [
            least_gpu_memory_gb(w.decoder, gpus_per_node, w.global_batch, calibration)
            for w in workloads
            if w.decoder is not None and w.global_batch
        ]
        return max(needs, default=0.0)

    platforms = candidate_platforms(spec, catalog, memory_gb, model_memory_gb)
    fabrics = candidate_fabrics(spec, catalog)
    workload_nodes = {
        (w, p, f): min_nodes(workload, platform.shape, fabric.interconnect)
        for w, workload in enumerate(workloads)
        for p, platform in enumerate(platforms)
        for f, fabric in enumerate(fabrics)
    }
    platforms = _small_water_on_its_own(spec, catalog, platforms, workload_nodes, len(fabrics))
    storage = None
    if spec.storage is not None:
        datasets_tib = sum(w.dataset_bytes for w in workloads) / TIB
        given_tib = (spec.storage.capacity or 0) / TIB
        capacity_from = (
            "spec" if given_tib >= datasets_tib else ("datasets" if spec.storage.capacity is None else "spec and datasets")
        )
        if spec.storage.throughput is not None:
            read_gbs, throughput_from = spec.storage.throughput / 1e9, "spec"
        elif workloads:
            # each workload runs alone on the cluster, so the busiest one sets the rate
            startup_s = load_calibration().startup_s.value
            read_gbs, throughput_from = max(w.read_rate(startup_s) for w in workloads) / 1e9, "workloads"
        else:
            read_gbs, throughput_from = 0.0, "none"
        installed = spec.existing.storage if spec.existing is not None else None
        storage = StorageDemand(
            max(given_tib, datasets_tib),
            read_gbs,
            capacity_from,
            throughput_from,
            existing_tib=installed.usable / TIB if installed is not None else 0.0,
            existing_read_gbs=installed.read_rate / 1e9 if installed is not None else 0.0,
        )
    rack_model = next(r.id for r in catalog.racks.values() if r.height_u == spec.site.racks.height)
    return Demand(
        spec=spec,
        catalog=catalog,
        workloads=workloads,
        platforms=platforms,
        fabrics=fabrics,
        workload_nodes=workload_nodes,
        gpus_min=floor.gpus or 0 if floor else 0,
        tensor_tflops_min=floor.tensor_tflops or 0.0 if floor else 0.0,
        int8_tops_min=floor.int8_tops or 0.0 if floor else 0.0,
        storage=storage,
        rack_model=rack_model,
        objectives=tuple(spec.objectives),
        avoid_extreme_fabrics=spec.preferences.avoid_extreme_fabrics,
        blocking_factor=spec.preferences.blocking_factor,
        budget=spec.site.budget.amount if spec.site.budget is not None else None,
        racks_max=spec.site.racks.max,
        power_per_rack_w=spec.site.racks.limit_w("air"),
        total_power_w=spec.site.total_power,
        software=tuple(choose_software(spec, catalog)),
        head_node=choose_head_node(catalog, spec.preferences.as_of),
        tco=tco_inputs(spec, catalog),
        power_per_rack_water_w=spec.site.racks.limit_w("water"),
        model_memory_gb=min((model_memory_gb(p.gpus_per_node) for p in platforms), default=0.0),
        new_head_node=spec.existing is None,
        site_management_ports=spec.existing.management.free_ports if spec.existing is not None else 0,
        mdt_shelves=0 if storage is not None and storage.extends_existing else catalog.storage_rules.mdt_shelves,
    )


def _small_water_on_its_own(
    spec: Spec, catalog: Catalog, platforms: list[Platform], workload_nodes: dict[tuple[int, int, int], int | None], fabrics: int
) -> list[Platform]:
    """Water-cooled new nodes break the cooling requirement where the spec needs fewer GPUs of them than
    a new site's coolant loop is planned for (the paper's footnote: catalog energy.new_loop_min_gpus),
    unless an existing site's loop takes them. The need is the requirement's, never the plan's: a
    plan is not made larger to justify a loop."""
    fewest = catalog.energy.new_loop_min_gpus
    if fewest <= 1 or (spec.existing is not None and spec.existing.cooling.water_loop):
        return platforms
    floor = spec.compute
    found = []
    for p, platform in enumerate(platforms):
        if platform.server.cooling != "water" or platform.upgrade is not None or Requirement.COOLING in platform.breaks:
            found.append(platform)
            continue
        per_gpu = platform.gpu
        needs: list[float] = [floor.gpus or 0 if floor else 0]
        if floor and floor.tensor_tflops:
            needs.append(math.ceil(floor.tensor_tflops / per_gpu.tensor_tflops))
        if floor and floor.int8_tops and per_gpu.int8_tops:
            needs.append(math.ceil(floor.int8_tops / per_gpu.int8_tops))
        # a deadline the platform cannot meet at all is the time-to-model's conflict, not the loop's
        by_fabric = [
            max((workload_nodes[(w, p, f)] or math.inf for w in range(len(spec.workloads))), default=0) * platform.gpus_per_node
            for f in range(fabrics)
        ]
        needs.append(min(by_fabric, default=0))
        if max(needs) < fewest:
            platform = replace(platform, breaks=(*platform.breaks, Requirement.COOLING))
        found.append(platform)
    return found


def choose_head_node(catalog: Catalog, as_of: dt.date | None) -> HeadNode:
    """The newest head node orderable by ``as_of`` (the cluster's generation), or the oldest when
    none was yet (the seed's master node); ties keep catalog order."""
    heads = list(catalog.head_nodes.values())
    orderable = [h for h in heads if as_of is None or h.available <= as_of]
    if not orderable:
        return min(heads, key=lambda h: h.available)
    return max(orderable, key=lambda h: h.available)


def scale_demand_deadlines(demand: Demand, factor: float) -> Demand:
    """The demand of the spec with every time-to-model multiplied by ``factor`` (objective time)."""
    return build_demand(scale_deadlines(demand.spec, factor), demand.catalog)


def without_time_objective(demand: Demand) -> Demand:
    """The demand with ``time`` taken out of its objectives (``cost`` if none is left): what orders
    the plans that reach the fastest time."""
    rest = [name for name in demand.spec.objectives if name != "time"]
    spec = demand.spec.model_copy(update={"objective": rest or "cost"})
    return replace(demand, spec=spec, objectives=tuple(spec.objectives))


def scale_deadlines(spec: Spec, factor: float) -> Spec:
    """The spec with every workload's time-to-model multiplied by ``factor`` (objective time, sweeps)."""
    workloads = [w.model_copy(update={"time_to_model": w.time_to_model * factor}) for w in spec.workloads]
    return spec.model_copy(update={"workloads": workloads})
