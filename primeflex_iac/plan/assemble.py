"""Turn the solver's Selection into a Plan: compute, fabric, storage, estimates, totals, message.

Pure arithmetic over the Selection, the Demand and the catalog; no solver here. The bill of
materials (bom.py), the devices and their racks (devices.py) and the assumptions
(assumptions.py) are computed by their own modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.common.vocabulary import fabric_layout
from primeflex_iac.demand.software import choose_software
from primeflex_iac.plan.assumptions import plan_assumptions
from primeflex_iac.plan.bom import bill_of_materials
from primeflex_iac.plan.existing_site import existing_site_plan
from primeflex_iac.plan.model import (
    ComputeEntry,
    FabricPlan,
    ObjectiveResult,
    Parallelism,
    Plan,
    SoftwareEntry,
    StoragePlan,
    Totals,
    WorkloadResult,
)
from primeflex_iac.plan.placement import PLACEMENT_RULES
from primeflex_iac.plan.tco import compute_typical_w, lifetime_cost, tco_assumptions
from primeflex_iac.timing.calibration import load_calibration
from primeflex_iac.timing.step_model import best_estimate

if TYPE_CHECKING:
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.selection import Selection, SolveStatus
    from primeflex_iac.plan.model import (
        BomLine,
        RackPlan,
        SolveInfo,
    )

__all__ = ["assemble_plan", "infeasible_plan"]


def assemble_plan(
    selection: Selection, status: SolveStatus, racks: list[RackPlan], demand: Demand, options: SolveInfo, overlays: list[str]
) -> Plan:
    catalog, spec = demand.catalog, demand.spec
    bom = bill_of_materials(selection, demand)
    platform = selection.platform
    compute: list[ComputeEntry] = []
    if platform is not None:
        compute.append(
            ComputeEntry(
                node=platform.server.id,
                node_name=platform.server.name,
                count=selection.nodes,
                chassis=platform.chassis.id if platform.chassis else None,
                chassis_count=selection.enclosures if platform.chassis else 0,
                cooling=platform.server.cooling,
                gpu=platform.gpu.id,
                gpu_name=platform.gpu.name,
                gpus_per_node=platform.gpus_per_node,
                gpus=selection.nodes * platform.gpus_per_node,
                tensor_tflops=round(selection.nodes * platform.tensor_tflops, 3),
                int8_tops=round(selection.nodes * platform.int8_tops, 3),
                memory_gb_per_node=platform.upgrade.node.memory_gb if platform.upgrade else platform.server.memory_gb,
                intra_node=platform.server.intra_node,
                fabric_adapters_per_node=platform.server.fabric_adapters,
                existing_group=platform.upgrade.group if platform.upgrade is not None else None,
            )
        )
    option = selection.fabric
    mgmt = next(iter(catalog.management_switches.values()))
    fabric = FabricPlan(
        technology=option.fabric.id,
        name=option.fabric.name,
        family=option.fabric.family,
        mode=option.mode.name,
        link_gbps=option.link_gbps,
        switch=option.switch.id,
        switch_ports=option.switch.ports,
        tiers=selection.tiers,
        leaf_switches=selection.leaf_switches,
        spine_switches=selection.spine_switches,
        core_switches=selection.core_switches,
        blocking_factor=spec.preferences.blocking_factor,
        endpoints=selection.endpoints,
        endpoints_per_port=option.mode.endpoints_per_port,
        layout=fabric_layout(spec.preferences.fabric_layout, platform.server.fabric_adapters if platform else 0),
        head_node_on_fabric=selection.head_on_fabric,
        adapter=option.adapter.id,
        node_cables=selection.node_cables,
        cable=option.node_cable(selection.racks).id,
        switch_links=selection.switch_links,
        uplink_cable=option.uplink_cable.id,
        management_switches=selection.management_switches,
        management_aggregation_switches=selection.management_aggregation_switches,
        management_switch=mgmt.id,
        management_cables=selection.management_cables,
        management_cable=mgmt.cable or "",
    )
    storage = _storage_plan(selection, demand, bom) if selection.storage_blocks else None
    installed = spec.existing is not None and spec.existing.storage is not None
    workloads = []
    beyond: list[str] = []  # estimates whose range is assumed: runs larger than any measured one
    for resolved in demand.workloads:
        if platform is None:
            continue
        # the time with the links and the storage the plan buys
        result = best_estimate(
            resolved,
            platform.shape,
            option.interconnect if option else None,
            selection.nodes,
            storage_bytes_per_s=delivered_read_gbs(selection, demand) * 1e9 if storage is not None or installed else None,
        )
        required = resolved.deadline_on(platform.gpu.generation, load_calibration())
        if result.range_beyond_gpus is not None:
            beyond.append(
                f"time-to-model of {resolved.name}: its run on {result.gpus:,} GPUs is larger than the measured runs of "
                f"its kind (up to {result.range_beyond_gpus:,} GPUs), so its range is the wider band the calibration "
                "assumes for unmeasured cases; a confidence or margin in the spec is sized against the measured band"
            )
        workloads.append(
            WorkloadResult(
                name=resolved.name,
                model=resolved.model,
                training_flops=resolved.training_flops,
                time_to_model_s=round(result.estimated_s, 1),
                required_s=required,
                nodes=result.gpus // platform.gpus_per_node,
                per_gpu_tflops=round(result.per_gpu_tflops, 2),
                scaling_efficiency=result.scaling_efficiency,
                bound=result.bound,
                meets=result.estimated_s <= required * (1 + 1e-9),
                range_s=[round(result.range_s[0], 1), round(result.range_s[1], 1)],
                parallelism=Parallelism(**result.layout.as_dict()) if result.layout is not None else None,
                memory_per_gpu_gb=round(result.memory_gb, 1) if result.memory_gb else None,
                tokens_per_s=round(result.tokens_per_s, 1) if result.tokens_per_s is not None else None,
                mfu=round(result.mfu, 4) if result.layout is not None else None,
            )
        )
    cost = sum(line.total_cost for line in bom)
    power_w = sum(rack.power_max_w for rack in racks)
    typical_w = _typical_power(selection, demand)
    compute_w = compute_typical_w(selection)
    by_cooling = {"air": typical_w - compute_w}
    cooling = platform.server.cooling if platform is not None else "air"
    by_cooling[cooling] = by_cooling.get(cooling, 0.0) + compute_w
    life = lifetime_cost(cost, by_cooling, demand.tco)
    totals = Totals(
        cost=round(cost, 2),
        currency=catalog.currency,
        power_kw=round(power_w / 1000, 3),
        typical_power_kw=round(typical_w / 1000, 3),
        heat_btu_h=round(power_w * catalog.heat_btu_per_w, 1),
        rack_units=sum(rack.used_units for rack in racks),
        racks=sum(1 for rack in racks if not rack.existing),  # racks bought
        weight_kg=round(sum(rack.weight_kg for rack in racks), 1),
        capex=life.capex,
        energy_mwh=life.energy_mwh,
        energy_cost=life.energy_cost,
        support_cost=life.support_cost,
        tco=life.tco,
        lifetime_years=life.years,
    )
    objective = ObjectiveResult(
        name=status.objective_name or spec.objectives[0],
        value=status.objective_value,
        bound=status.objective_bound,
        stages=list(status.stages),
    )
    software = [SoftwareEntry(category=s.category, id=s.id, name=s.name) for s in choose_software(spec, catalog)]
    warnings = []
    if status.status == "feasible":
        why = "interrupted (Ctrl-C)" if status.stopped == "interrupt" else "time limit reached"
        warnings.append(f"{why}: the plan is the best found, not proven optimal, and may differ between runs")
    if spec.workloads and spec.storage is None and not installed:
        warnings.append("no storage requested: the workloads' datasets must be served from elsewhere")
    if any(s.category == "object_storage" for s in choose_software(spec, catalog)):
        warnings.append("S3 access: the seed proposes a separate ETERNUS CD10000 (Ceph) system; it is listed, not sized")
    note = _preference_cost(status, catalog.currency, catalog.extreme_link_gbps)
    if note:
        warnings.append(note)
    message = _message(selection, status, compute)
    return Plan(
        name=spec.name,
        status=status.status,
        message=message,
        objective=objective,
        compute=compute,
        fabric=fabric,
        storage=storage,
        racks=racks,
        placement_rules=PLACEMENT_RULES,
        software=software,
        workloads=workloads,
        totals=totals,
        bom=bom,
        assumptions=plan_assumptions(bom, demand, selection.head_on_fabric) + beyond + tco_assumptions(demand, bom),
        warnings=warnings,
        solve=options,
        catalog_currency=catalog.currency,
        catalog_overlays=overlays,
        existing=existing_site_plan(selection, demand, racks),
    )


def _typical_power(selection: Selection, demand: Demand) -> float:
    catalog = demand.catalog
    total = 0.0
    platform = selection.platform
    if platform is not None:
        total += selection.nodes * platform.node_power_typical_w
        if platform.chassis is not None:
            total += selection.enclosures * platform.chassis.power_typical_w
    option = selection.fabric
    total += (selection.leaf_switches + selection.spine_switches + selection.core_switches) * option.switch.power_typical_w
    total += selection.endpoints * option.adapter.power_max_w
    mgmt = next(iter(catalog.management_switches.values()))
    head = demand.head_node
    total += selection.management_switches * mgmt.power_typical_w + (head.power_typical_w if demand.new_head_node else 0.0)
    if selection.storage_blocks:
        rules = catalog.storage_rules
        for block_id, count in selection.storage_blocks.items():
            for device_id, per_block in catalog.storage_blocks[block_id].devices.items():
                total += count * per_block * catalog.storage_devices[device_id].power_typical_w
        total += selection.storage_server_groups * rules.servers_per_group * catalog.storage_devices[rules.server].power_typical_w
        total += demand.mdt_shelves * catalog.storage_devices[rules.mdt_shelf].power_typical_w
    return total


def delivered_read_gbs(selection: Selection, demand: Demand) -> float:
    """What the workloads read from: the new storage, and the site's file system it joins."""
    installed = demand.spec.existing.storage if demand.spec.existing is not None else None
    new = storage_read_gbs(selection, demand) if selection.storage_blocks else 0.0
    return new + (installed.read_rate / 1e9 if installed is not None else 0.0)


def storage_read_gbs(selection: Selection, demand: Demand) -> float:
    """What the selection's storage delivers: its drives, its servers, and the servers' fabric links."""
    catalog = demand.catalog
    rules = catalog.storage_rules
    server = catalog.storage_devices[rules.server]
    drives = sum(n * catalog.block_read_gbs(catalog.storage_blocks[b]) for b, n in selection.storage_blocks.items())
    per_server = min(server.read_gbs, server.fabric_ports * selection.fabric.link_gbps / 8)
    return min(drives, selection.storage_server_groups * rules.servers_per_group * per_server)


def _storage_plan(selection: Selection, demand: Demand, bom: list[BomLine]) -> StoragePlan:
    catalog, spec = demand.catalog, demand.spec
    assert demand.storage is not None and spec.storage is not None
    rules = catalog.storage_rules
    blocks = {b: n for b, n in selection.storage_blocks.items()}
    usable = sum(n * catalog.block_usable_tib(catalog.storage_blocks[b]) for b, n in blocks.items())
    servers = selection.storage_server_groups * rules.servers_per_group
    shelves = sum(n * catalog.block_controller_shelves(catalog.storage_blocks[b]) for b, n in blocks.items())
    enclosures = sum(
        n * per
        for b, n in blocks.items()
        for d, per in catalog.storage_blocks[b].devices.items()
        if catalog.storage_devices[d].role == "drive_enclosure"
    )
    return StoragePlan(
        file_system=spec.storage.file_system,
        access=list(spec.storage.access),
        usable_tib=round(usable, 1),
        required_tib=round(demand.storage.capacity_tib, 1),
        read_gbs=round(storage_read_gbs(selection, demand), 2),
        required_read_gbs=round(demand.storage.read_gbs, 2),
        rack_units=sum(line.rack_units for line in bom if line.category == "storage"),
        blocks=dict(sorted(blocks.items())),
        controller_shelves=shelves,
        drive_enclosures=enclosures,
        drives=sum(n * catalog.storage_blocks[b].drives for b, n in blocks.items())
        + (rules.mdt_drives if demand.mdt_shelves else 0),
        servers=servers,
        server=rules.server,
        mdt_shelves=demand.mdt_shelves,
    )


def _preference_cost(status: SolveStatus, currency: str, extreme_gbps: float) -> str | None:
    """What the avoid_extreme_fabrics preference costs, where the first objective is better without it."""
    without, with_it = status.unpreferred_value, status.objective_value
    if without is None or with_it is None:
        return None
    unit = {"cost": f" {currency}", "tco": f" {currency}", "power": " W"}.get(status.objective_name or "", "")
    return (
        f"preferences.avoid_extreme_fabrics kept node links above {extreme_gbps:g} Gb/s out (the white paper: HDR only for extreme "
        f"processing requirements): with them allowed, {status.objective_name} would be {without:,.0f}{unit} instead "
        f"of {with_it:,.0f}{unit}; set avoid_extreme_fabrics: false to plan that"
    )


def _message(selection: Selection, status: SolveStatus, compute: list[ComputeEntry]) -> str:
    parts = []
    for entry in compute:
        parts.append(f"{entry.count}x {entry.node_name} with {entry.gpus_per_node}x {entry.gpu_name}")
    option = selection.fabric
    split = option.mode.endpoints_per_port > 1
    parts.append(
        option.fabric.name + (f" split as {option.mode.name.upper()} ({option.link_gbps} Gb/s per node)" if split else "")
    )
    stopped = "interrupted" if status.stopped == "interrupt" else "time limit"
    word = "optimal" if status.status == "optimal" else f"best found ({stopped})"
    return f"{word}: " + ", ".join(parts)


def infeasible_plan(name: str, status: SolveStatus, options: SolveInfo, currency: str, overlays: list[str]) -> Plan:
    conflicts = list(status.conflicts)
    return Plan(
        name=name,
        status="infeasible",
        message="no plan meets the spec: these requirements cannot hold together: " + "; ".join(conflicts),
        conflicts=conflicts,
        solve=options,
        catalog_currency=currency,
        catalog_overlays=overlays,
    )
