"""Turn the solver's Selection into a Plan: bill of materials, devices in racks, estimates, totals.

Pure arithmetic over the Selection, the Demand and the catalog; no solver here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from primeflex_iac.catalog.models import Catalog, Item, is_assumption
from primeflex_iac.demand.build import Demand
from primeflex_iac.demand.candidates import GPU_TYPICAL_SHARE
from primeflex_iac.demand.selection import Selection, SolveStatus
from primeflex_iac.demand.software import choose_software
from primeflex_iac.plan.model import (
    BomLine,
    ComputeEntry,
    FabricPlan,
    ObjectiveResult,
    Plan,
    RackPlan,
    SoftwareEntry,
    SolveInfo,
    StoragePlan,
    Totals,
    WorkloadResult,
)
from primeflex_iac.plan.placement import PLACEMENT_RULES, DeviceToPlace, place_devices
from primeflex_iac.timing.calibration import load_calibration
from primeflex_iac.timing.step_model import estimate

__all__ = ["MODEL_ASSUMPTIONS", "assemble_plan", "devices_to_place", "infeasible_plan"]

MODEL_ASSUMPTIONS = [
    f"typical GPU power is {GPU_TYPICAL_SHARE:.0%} of TDP (energy figures only; limits use the maximum)",
    "node maximum power = node without GPUs + GPUs at TDP + fabric adapters",
    "time-to-model: data-parallel step from the physics (GPU peak x efficiency by workload class and GPU "
    "generation, fixed step time, hierarchical gradient all-reduce over NVLink/PCIe and the fabric's adapters, "
    "reading bounded by 7 GB/s per node (seed)), calibrated on MLPerf v0.6/v0.7 and H200 measurements "
    "(docs/calibration.md); data parallelism only: the model must fit one GPU",
    "each workload runs alone on the whole cluster",
]


def _line(
    item: Item,
    category: str,
    quantity: int,
    unit_cost: float,
    unit_power: float,
    unit_u: int,
    cost_field: str = "price",
    power_field: str = "power_max_w",
) -> BomLine:
    return BomLine(
        item=item.name,
        catalog_id=item.id,
        category=category,
        quantity=quantity,
        unit_cost=round(unit_cost, 2),
        total_cost=round(unit_cost * quantity, 2),
        unit_power_w=round(unit_power, 1),
        total_power_w=round(unit_power * quantity, 1),
        rack_units=unit_u * quantity,
        cost_source=item.source_of(cost_field),
        power_source=item.source_of(power_field) if unit_power else "-",
    )


def bill_of_materials(selection: Selection, demand: Demand) -> list[BomLine]:
    catalog, spec = demand.catalog, demand.spec
    lines: list[BomLine] = []
    platform = selection.platform
    if platform is not None:
        server, gpu = platform.server, platform.gpu
        lines.append(
            _line(
                server,
                "compute",
                selection.nodes,
                server.price,
                server.base_power_max_w,
                server.height_u,
                power_field="base_power_max_w",
            )
        )
        lines.append(
            _line(gpu, "compute", selection.nodes * platform.gpus_per_node, gpu.price, gpu.tdp_w, 0, power_field="tdp_w")
        )
        if platform.chassis is not None:
            chassis = platform.chassis
            lines.append(_line(chassis, "compute", selection.enclosures, chassis.price, chassis.power_max_w, chassis.height_u))
    option = selection.fabric
    switches = selection.leaf_switches + selection.spine_switches + selection.core_switches
    lines.append(_line(option.switch, "fabric", switches, option.switch.price, option.switch.power_max_w, option.switch.height_u))
    lines.append(_line(option.adapter, "fabric", selection.endpoints, option.adapter.price, option.adapter.power_max_w, 0))
    lines.append(_line(option.cable, "fabric", selection.node_cables, option.cable.price, 0, 0))
    if selection.switch_links:
        lines.append(_line(option.uplink_cable, "fabric", selection.switch_links, option.uplink_cable.price, 0, 0))
    mgmt = next(iter(catalog.management_switches.values()))
    lines.append(_line(mgmt, "management", selection.management_switches, mgmt.price, mgmt.power_max_w, mgmt.height_u))
    head = next(iter(catalog.head_nodes.values()))
    lines.append(_line(head, "management", 1, head.price, head.power_max_w, head.height_u))
    if selection.storage_blocks:
        lines.extend(_storage_lines(selection, catalog))
    rack = catalog.racks[demand.rack_model]
    lines.append(_line(rack, "racks", selection.racks, rack.price, 0, 0))
    servers = selection.storage_server_groups * catalog.storage_rules.servers_per_group
    for software in choose_software(spec, catalog):
        quantity = {"cluster": 1, "node": selection.nodes, "storage_server": servers}[software.per]
        if quantity:
            lines.append(_line(software, "software", quantity, software.price, 0, 0))
    return [line for line in lines if line.quantity > 0]


def _storage_lines(selection: Selection, catalog: Catalog) -> Iterator[BomLine]:
    rules = catalog.storage_rules
    device_counts: dict[str, int] = {}
    drive_counts: dict[str, int] = {}
    for block_id, count in selection.storage_blocks.items():
        block = catalog.storage_blocks[block_id]
        for device_id, per_block in block.devices.items():
            device_counts[device_id] = device_counts.get(device_id, 0) + count * per_block
        drive_counts[block.drive] = drive_counts.get(block.drive, 0) + count * block.drives
    device_counts[rules.server] = selection.storage_server_groups * rules.servers_per_group
    device_counts[rules.mdt_shelf] = rules.mdt_shelves
    drive_counts[rules.mdt_drive] = drive_counts.get(rules.mdt_drive, 0) + rules.mdt_drives
    for device_id in catalog.storage_devices:
        if device_counts.get(device_id):
            device = catalog.storage_devices[device_id]
            yield _line(device, "storage", device_counts[device_id], device.price, device.power_max_w, device.height_u)
    for drive_id in catalog.drives:
        if drive_counts.get(drive_id):
            drive = catalog.drives[drive_id]
            yield _line(drive, "storage", drive_counts[drive_id], drive.price, 0, 0)


def devices_to_place(selection: Selection, demand: Demand) -> list[DeviceToPlace]:
    """Every rack-mounted device, named, in the placement order."""
    catalog = demand.catalog
    devices: list[DeviceToPlace] = []
    option = selection.fabric
    switch = option.switch
    for prefix, count in (
        ("core", selection.core_switches),
        ("spine", selection.spine_switches),
        ("leaf", selection.leaf_switches),
    ):
        name = "switch" if selection.tiers == 1 else prefix
        for index in range(count):
            devices.append(
                DeviceToPlace(
                    f"{name}{index + 1:02d}", switch.id, "fabric", switch.height_u, switch.power_max_w, switch.weight_kg
                )
            )
    mgmt = next(iter(catalog.management_switches.values()))
    for index in range(selection.management_switches):
        devices.append(
            DeviceToPlace(f"mgmt{index + 1:02d}", mgmt.id, "management", mgmt.height_u, mgmt.power_max_w, mgmt.weight_kg)
        )
    head = next(iter(catalog.head_nodes.values()))
    adapter_w = option.adapter.power_max_w
    devices.append(DeviceToPlace("head01", head.id, "head", head.height_u, head.power_max_w + adapter_w, head.weight_kg))
    if selection.storage_blocks:
        devices.extend(_storage_devices(selection, catalog, adapter_w))
    platform = selection.platform
    naming = demand.spec.naming
    if platform is not None:
        node_w = platform.node_power_max_w + platform.server.fabric_adapters * adapter_w
        if platform.chassis is None:
            for index in range(selection.nodes):
                devices.append(
                    DeviceToPlace(
                        naming.compute_name(index + 1),
                        platform.server.id,
                        "compute",
                        platform.server.height_u,
                        node_w,
                        platform.server.weight_kg,
                    )
                )
        else:
            chassis, slots = platform.chassis, platform.nodes_per_enclosure
            for index in range(selection.enclosures):
                members = range(index * slots + 1, min((index + 1) * slots, selection.nodes) + 1)
                names = tuple(naming.compute_name(n) for n in members)
                power = chassis.power_max_w + len(names) * node_w
                weight = chassis.weight_kg + len(names) * platform.server.weight_kg
                devices.append(DeviceToPlace(f"ch{index + 1:03d}", chassis.id, "compute", chassis.height_u, power, weight, names))
    return devices


def _storage_devices(selection: Selection, catalog: Catalog, adapter_w: float) -> Iterator[DeviceToPlace]:
    rules = catalog.storage_rules
    server = catalog.storage_devices[rules.server]
    for index in range(selection.storage_server_groups * rules.servers_per_group):
        yield DeviceToPlace(
            f"oss{index + 1:02d}", server.id, "storage", server.height_u, server.power_max_w + adapter_w, server.weight_kg
        )
    mdt = catalog.storage_devices[rules.mdt_shelf]
    for index in range(rules.mdt_shelves):
        yield DeviceToPlace(f"mdt{index + 1:02d}", mdt.id, "storage", mdt.height_u, mdt.power_max_w, mdt.weight_kg)
    counters: dict[str, int] = {}
    for block_id in catalog.storage_blocks:
        block = catalog.storage_blocks[block_id]
        for _ in range(selection.storage_blocks.get(block_id, 0)):
            for device_id, per_block in block.devices.items():
                device = catalog.storage_devices[device_id]
                prefix = {"controller_shelf": "cs", "drive_enclosure": "de"}.get(device.role, "st")
                for _ in range(per_block):
                    counters[prefix] = counters.get(prefix, 0) + 1
                    yield DeviceToPlace(
                        f"{prefix}{counters[prefix]:02d}",
                        device.id,
                        "storage",
                        device.height_u,
                        device.power_max_w,
                        device.weight_kg,
                    )


def place(selection: Selection, demand: Demand) -> list[RackPlan] | None:
    catalog, spec = demand.catalog, demand.spec
    rack = catalog.racks[demand.rack_model]
    return place_devices(
        devices_to_place(selection, demand),
        selection.racks,
        rack.id,
        rack.height_u,
        spec.site.racks.power_per_rack,
        rack.weight_kg,
        catalog.heat_btu_per_w,
        full_racks=[("fabric", *selection.switch_full_racks), ("compute", *selection.compute_full_racks)],
    )


def _assumptions(bom: list[BomLine], demand: Demand) -> list[str]:
    catalog = demand.catalog
    used_ids = {line.catalog_id for line in bom}
    found: list[str] = []
    sections: list[Mapping[str, Item]] = [
        catalog.gpus,
        catalog.servers,
        catalog.chassis,
        catalog.switches,
        catalog.adapters,
        catalog.cables,
        catalog.management_switches,
        catalog.head_nodes,
        catalog.storage_devices,
        catalog.drives,
        catalog.racks,
        catalog.software,
    ]
    for section in sections:
        for item_id, item in section.items():
            if item_id not in used_ids:
                continue
            for field in type(item).model_fields:
                if field in {"id", "name", "source", "sources", "notes", "generic"}:
                    continue
                source = item.source_of(field)
                if is_assumption(source) or source.lower().startswith("interpretation"):
                    found.append(f"{item_id}.{field}: {source}")
    fabric = next((f for f in demand.fabrics if f.switch.id in used_ids), None)
    if fabric is not None:
        for field in ("max_gpus", "latency_us", "available"):
            source = fabric.fabric.source_of(field)
            if is_assumption(source) or source.lower().startswith("interpretation"):
                found.append(f"{fabric.fabric.id}.{field}: {source}")
    if any(line.category == "storage" for line in bom):
        found.append(f"storage: {catalog.storage_rules.source}")
    for workload in demand.spec.workloads:
        zoo = catalog.workloads.get(workload.model)
        if zoo is not None:
            for field in type(zoo).model_fields:
                source = zoo.source_of(field)
                if field not in {"id", "name", "source", "sources", "notes", "generic"} and is_assumption(source):
                    found.append(f"{zoo.id}.{field}: {source}")
    found.extend(_calibration_assumptions(demand, used_ids))
    return MODEL_ASSUMPTIONS + sorted(set(found))


def _calibration_assumptions(demand: Demand, used_ids: set[str]) -> list[str]:
    """The calibration figures behind the plan's estimates that are assumptions rather than fits."""
    calibration = load_calibration()
    found = []
    for gpu in (g for g in demand.catalog.gpus.values() if g.id in used_ids):
        for workload in demand.workloads:
            figure = calibration.efficiency[workload.kind][gpu.generation]
            if is_assumption(figure.source) and workload.gpu_efficiency is None:
                found.append(f"calibration efficiency {workload.kind}/{gpu.generation}: {figure.source}")
    for figure_name in ("link_efficiency", "optimizer_bytes_per_parameter", "activation_memory_share"):
        figure = getattr(calibration, figure_name)
        if is_assumption(figure.source):
            found.append(f"calibration {figure_name}: {figure.source}")
    return found


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
                memory_gb_per_node=platform.server.memory_gb,
                intra_node=platform.server.intra_node,
                fabric_adapters_per_node=platform.server.fabric_adapters,
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
        adapter=option.adapter.id,
        node_cables=selection.node_cables,
        cable=option.cable.id,
        switch_links=selection.switch_links,
        uplink_cable=option.uplink_cable.id,
        management_switches=selection.management_switches,
        management_switch=mgmt.id,
    )
    storage = _storage_plan(selection, demand, bom) if selection.storage_blocks else None
    workloads = []
    for resolved in demand.workloads:
        if platform is None:
            continue
        result = estimate(
            resolved, platform.shape, option.interconnect if option and selection.nodes > 1 else None, selection.nodes
        )
        workloads.append(
            WorkloadResult(
                name=resolved.name,
                model=resolved.model,
                training_flops=resolved.training_flops,
                time_to_model_s=round(result.time_to_model_s, 1),
                required_s=resolved.required_s,
                per_gpu_tflops=round(result.per_gpu_tflops, 2),
                scaling_efficiency=result.scaling_efficiency,
                bound=result.bound,
                meets=result.time_to_model_s <= resolved.required_s * (1 + 1e-9),
            )
        )
    cost = sum(line.total_cost for line in bom)
    power_w = sum(rack.power_max_w for rack in racks)
    typical_w = _typical_power(selection, demand)
    totals = Totals(
        cost=round(cost, 2),
        currency=catalog.currency,
        power_kw=round(power_w / 1000, 3),
        typical_power_kw=round(typical_w / 1000, 3),
        heat_btu_h=round(power_w * catalog.heat_btu_per_w, 1),
        rack_units=sum(rack.used_units for rack in racks),
        racks=len(racks),
        weight_kg=round(sum(rack.weight_kg for rack in racks), 1),
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
    if spec.workloads and spec.storage is None:
        warnings.append("no storage requested: the workloads' datasets must be served from elsewhere")
    if any(s.category == "object_storage" for s in choose_software(spec, catalog)):
        warnings.append("S3 access: the seed proposes a separate ETERNUS CD10000 (Ceph) system; it is listed, not sized")
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
        assumptions=_assumptions(bom, demand),
        warnings=warnings,
        solve=options,
        catalog_currency=catalog.currency,
        catalog_overlays=overlays,
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
    head = next(iter(catalog.head_nodes.values()))
    total += selection.management_switches * mgmt.power_typical_w + head.power_typical_w
    if selection.storage_blocks:
        rules = catalog.storage_rules
        for block_id, count in selection.storage_blocks.items():
            for device_id, per_block in catalog.storage_blocks[block_id].devices.items():
                total += count * per_block * catalog.storage_devices[device_id].power_typical_w
        total += selection.storage_server_groups * rules.servers_per_group * catalog.storage_devices[rules.server].power_typical_w
        total += rules.mdt_shelves * catalog.storage_devices[rules.mdt_shelf].power_typical_w
    return total


def _storage_plan(selection: Selection, demand: Demand, bom: list[BomLine]) -> StoragePlan:
    catalog, spec = demand.catalog, demand.spec
    assert demand.storage is not None and spec.storage is not None
    rules = catalog.storage_rules
    blocks = {b: n for b, n in selection.storage_blocks.items()}
    usable = sum(n * catalog.block_usable_tib(catalog.storage_blocks[b]) for b, n in blocks.items())
    servers = selection.storage_server_groups * rules.servers_per_group
    drive_rate = sum(n * catalog.block_read_gbs(catalog.storage_blocks[b]) for b, n in blocks.items())
    server_rate = servers * catalog.storage_devices[rules.server].read_gbs
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
        read_gbs=round(min(drive_rate, server_rate), 2),
        required_read_gbs=round(demand.storage.read_gbs, 2),
        rack_units=sum(line.rack_units for line in bom if line.category == "storage"),
        blocks=dict(sorted(blocks.items())),
        controller_shelves=shelves,
        drive_enclosures=enclosures,
        drives=sum(n * catalog.storage_blocks[b].drives for b, n in blocks.items()) + rules.mdt_drives,
        servers=servers,
        server=rules.server,
        mdt_shelves=rules.mdt_shelves,
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
