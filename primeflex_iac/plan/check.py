"""Recompute every constraint of a Plan against its Spec and Catalog, without the solver.

``check(plan, spec, catalog)`` returns the list of violations (empty when the plan holds). Every
solver test ends with it, so a wrong model cannot hide behind its own arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.common.vocabulary import fabric_layout
from primeflex_iac.demand.build import build_demand
from primeflex_iac.plan.check_existing import existing_violations
from primeflex_iac.plan.check_fabric import cabling_violations
from primeflex_iac.plan.check_layout import layout_violations
from primeflex_iac.plan.check_management import management_violations
from primeflex_iac.plan.check_tco import tco_violations
from primeflex_iac.timing.calibration import load_calibration
from primeflex_iac.timing.step_model import estimate

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.demand.candidates import Platform
    from primeflex_iac.plan.model import Plan
    from primeflex_iac.spec.model import Spec

__all__ = ["CheckReport", "check"]


@dataclass(frozen=True)
class CheckReport:
    violations: list[str]

    @property
    def ok(self) -> bool:
        return not self.violations

    def __str__(self) -> str:
        return "plan holds" if self.ok else "\n".join(self.violations)


def check(plan: Plan, spec: Spec, catalog: Catalog) -> CheckReport:
    if plan.status not in ("optimal", "feasible"):
        return CheckReport([])
    demand = build_demand(spec, catalog)
    out: list[str] = []
    assert plan.fabric is not None and plan.totals is not None

    # compute: one platform of the catalog that breaks no requirement, meeting the floors
    platform: Platform | None = None
    if len(plan.compute) > 1:
        out.append("more than one compute platform")
    for entry in plan.compute:
        # the GPU trains at every workload's precision (read from the catalog, not from the demand)
        gpu = catalog.gpus.get(entry.gpu)
        for workload in spec.workloads:
            if gpu is not None and not gpu.supports(workload.precision):
                out.append(f"workload {workload.name}: {entry.gpu} does not train at {workload.precision}")
        platform = demand.platform_of(entry.node, entry.gpu, entry.gpus_per_node, entry.existing_group)
        if platform is None:
            out.append(f"compute {entry.node}/{entry.gpu}x{entry.gpus_per_node} is not a catalog platform")
            continue
        if platform.breaks:
            out.append(f"compute platform {platform.id} breaks: {', '.join(platform.breaks)}")
        if entry.gpus != entry.count * entry.gpus_per_node:
            out.append("compute gpus != count x gpus_per_node")
        if not math.isclose(entry.tensor_tflops, entry.count * platform.tensor_tflops, rel_tol=1e-9):
            out.append("compute tensor_tflops does not match the catalog")
        if platform.chassis and entry.chassis_count != math.ceil(entry.count / platform.nodes_per_enclosure):
            out.append("chassis count is not ceil(nodes / slots)")
    nodes = plan.compute[0].count if plan.compute else 0
    gpus = plan.compute[0].gpus if plan.compute else 0
    if demand.needs_compute and not plan.compute:
        out.append("the spec needs compute but the plan has none")
    if gpus < demand.gpus_min:
        out.append(f"{gpus} GPUs < floor {demand.gpus_min}")
    tflops = sum(e.tensor_tflops for e in plan.compute)
    if tflops + 1e-6 < demand.tensor_tflops_min:
        out.append(f"{tflops} tensor TFLOPS < floor {demand.tensor_tflops_min}")
    tops = sum(e.int8_tops for e in plan.compute)
    if tops + 1e-6 < demand.int8_tops_min:
        out.append(f"{tops} INT8 TOPS < floor {demand.int8_tops_min}")

    # fabric: endpoints, switch counts from the ports, Ethernet's limits, link speed
    fabric = plan.fabric
    option = demand.fabric_of(fabric.technology, fabric.mode)
    if option is None:
        out.append(f"fabric {fabric.technology}:{fabric.mode} is not in the catalog")
    else:
        if option.breaks:
            out.append(f"fabric {option.id} breaks: {', '.join(option.breaks)}")
        server_ports = catalog.storage_devices[catalog.storage_rules.server].fabric_ports
        storage_ports = plan.storage.servers * server_ports if plan.storage else 0
        head = demand.head_node
        adapters = platform.server.fabric_adapters if platform else 0
        head_ports = head.fabric_ports if fabric.head_node_on_fabric else 0
        endpoints = nodes * (platform.fabric_adapters_bought if platform else 0) + storage_ports + head_ports
        if fabric.endpoints != endpoints:
            out.append(f"fabric endpoints {fabric.endpoints} != {endpoints}")
        if fabric.head_node_on_fabric and not demand.new_head_node:
            out.append("the plan cables the existing site's head node to the fabric again")
        single, per_leaf, uplinks = option.tree_shape(spec.preferences.blocking_factor)
        ports = option.switch.ports
        if option.existing is not None and fabric.spine_switches:  # a new spine level over new leaves for every port
            leaves = math.ceil(endpoints / per_leaf)
            joins = fabric.switch_links - leaves * uplinks  # its spines' links into the installed fabric
            expected = (leaves, math.ceil((leaves * uplinks + max(joins, 0)) / ports), 0)
        elif option.existing is not None:  # new leaves only for the ports beyond the free ones
            expected = (math.ceil(max(0, endpoints - option.existing.free_leaf_ports) / per_leaf), 0, 0)
        elif endpoints <= single:
            expected = (1, 0, 0)
        elif endpoints <= ports * per_leaf:
            leaves = math.ceil(endpoints / per_leaf)
            expected = (leaves, math.ceil(leaves * uplinks / ports), 0)
        else:
            leaves = math.ceil(endpoints / per_leaf)
            aggregation = math.ceil(leaves * uplinks / (ports // 2))
            expected = (leaves, aggregation, math.ceil(aggregation * (ports - ports // 2) / ports))
        found = (fabric.leaf_switches, fabric.spine_switches, fabric.core_switches)
        if found != expected:
            out.append(f"fabric switches (leaf, spine, core) {found} != {expected} from the ports")
        # node cables reach their switch: copper within one rack, optical between racks (a site spans racks)
        spans = sum(1 for rack in plan.racks if not rack.existing)
        if fabric.cable != option.node_cable(spans).id:
            out.append(f"node cables {fabric.cable} in a plan of {spans} racks; they need {option.node_cable(spans).id}")
        # the head node stays off the fabric only where its port would need another level
        full = (single, ports * per_leaf, ports * (ports // 2) * per_leaf)
        if not fabric.head_node_on_fabric and demand.new_head_node and endpoints not in full:
            out.append(f"the head node is off the fabric although {endpoints} endpoints leave a port free")
        # the cabling: the layout asked for, within the leaves and their ports (on an existing site,
        # check_existing holds the new ports within the free ones and the new leaves)
        layout = fabric_layout(spec.preferences.fabric_layout, adapters)
        if option.existing is None:
            out.extend(cabling_violations(plan, layout, option.mode.endpoints_per_port, per_leaf, single))
        limit = option.fabric.max_compute_nodes
        if limit is not None and nodes > limit:
            out.append(f"{option.fabric.name} is viable for {limit} nodes, plan has {nodes}")
        if option.fabric.max_gpus is not None and gpus > option.fabric.max_gpus:
            out.append(f"{option.fabric.name} is viable for {option.fabric.max_gpus} GPUs, plan has {gpus}")
        if platform and option.link_gbps < platform.server.min_link_gbps:
            out.append(f"{platform.server.id} needs {platform.server.min_link_gbps} Gb/s links, fabric gives {option.link_gbps}")

    # management network: counts, cables, every device reachable from the head node
    out.extend(management_violations(plan, catalog))

    # storage: what it delivers, from the catalog: its drives, its servers and the servers' fabric links
    storage_rate: float | None = None
    installed = spec.existing.storage if spec.existing is not None else None
    if installed is not None:
        storage_rate = installed.read_rate  # the site's file system, which new blocks join
    if plan.storage is not None and option is not None:
        rules = catalog.storage_rules
        server = catalog.storage_devices[rules.server]
        drives = sum(n * catalog.block_read_gbs(catalog.storage_blocks[b]) for b, n in plan.storage.blocks.items())
        per_server = min(server.read_gbs, server.fabric_ports * option.link_gbps / 8)
        new_rate = min(drives, plan.storage.servers * per_server) * 1e9
        if abs(plan.storage.read_gbs - new_rate / 1e9) > 0.005 + 1e-9:
            out.append(f"storage reports {plan.storage.read_gbs} GB/s but delivers {new_rate / 1e9:.2f} GB/s")
        storage_rate = (storage_rate or 0.0) + new_rate

    # workloads: each time-to-model recomputed with the plan's links and storage
    for resolved in demand.workloads:
        if platform is None or option is None:
            out.append(f"workload {resolved.name} has no compute")
            continue
        # the run uses the nodes the plan says (at most the plan's, at least one sample per GPU)
        reported = next((w for w in plan.workloads if w.name == resolved.name), None)
        used = reported.nodes if reported is not None and reported.nodes is not None else nodes
        if not 1 <= used <= nodes:
            out.append(f"workload {resolved.name} runs on {used} of the plan's {nodes} nodes")
            continue
        if (
            resolved.decoder is None
            and resolved.global_batch is not None
            and used * platform.gpus_per_node > resolved.global_batch
        ):
            out.append(
                f"workload {resolved.name}: {used * platform.gpus_per_node} GPUs for a global batch of {resolved.global_batch:g}"
            )
        if reported is not None:
            out.extend(layout_violations(reported, resolved, platform.gpu, platform.gpus_per_node, load_calibration()))
        result = estimate(resolved, platform.shape, option.interconnect, used, storage_bytes_per_s=storage_rate)
        required = resolved.deadline_on(platform.gpu.generation, load_calibration())
        if not result.fits_memory:
            out.append(f"workload {resolved.name}: no layout fits {platform.gpu.id} ({result.memory_gb:,.1f} GB per GPU needed)")
        if result.estimated_s > required * (1 + 1e-9):
            out.append(f"workload {resolved.name}: {result.estimated_s:.0f} s > required {required:.0f} s")
        if (
            reported is not None
            and reported.time_to_model_s is not None
            and abs(reported.time_to_model_s - result.estimated_s) > 0.051
        ):
            out.append(
                f"workload {resolved.name} reports {reported.time_to_model_s:.1f} s, the estimate gives {result.estimated_s:.1f} s"
            )

    # storage: capacity from the drives, server groups, metadata shelf, throughput
    if demand.storage is not None:
        storage = plan.storage
        existing_tib = installed.usable / 1024**4 if installed is not None else 0.0
        if storage is None:
            if installed is None:
                out.append("the spec asks for storage but the plan has none")
            elif existing_tib + 1e-6 < demand.storage.capacity_tib or installed.read_rate / 1e9 + 1e-6 < demand.storage.read_gbs:
                out.append("the site's file system lacks capacity or read rate, and the plan adds no storage to it")
        else:
            usable = sum(n * catalog.block_usable_tib(catalog.storage_blocks[b]) for b, n in storage.blocks.items())
            if usable + existing_tib + 1e-6 < demand.storage.capacity_tib:
                out.append(f"storage {usable + existing_tib:.1f} TiB < required {demand.storage.capacity_tib:.1f} TiB")
            shelves = sum(n * catalog.block_controller_shelves(catalog.storage_blocks[b]) for b, n in storage.blocks.items())
            rules = catalog.storage_rules
            fewest = math.ceil(shelves / rules.controller_shelves_per_server_group)
            groups, odd = divmod(storage.servers, rules.servers_per_group)
            if odd or not fewest <= groups <= shelves:
                out.append(
                    f"storage servers {storage.servers}: {rules.servers_per_group} per group, each group serving "
                    f"1 to {rules.controller_shelves_per_server_group} of the {shelves} controller shelves"
                )
            if storage.mdt_shelves != (rules.mdt_shelves if installed is None else 0):
                out.append("a new file system has its metadata shelf; blocks added to the site's use its own")
            delivered = (storage_rate or 0.0) / 1e9
            if delivered + 1e-6 < demand.storage.read_gbs:
                out.append(f"storage delivers {delivered:.2f} GB/s < required {demand.storage.read_gbs:.2f} GB/s")

    # racks: positions inside the rack, no overlap, height and power per rack, every device placed
    site = spec.site
    bought = sum(1 for rack in plan.racks if not rack.existing)
    if bought > site.racks.max:
        out.append(f"{bought} racks > site maximum {site.racks.max}")
    for rack in plan.racks:
        occupied: set[int] = set()
        for device in rack.devices:
            units = set(range(device.position, device.position + device.height_u))
            if device.position < 1 or device.position + device.height_u - 1 > rack.height_u:
                out.append(f"{rack.name}/{device.name} outside the rack")
            if occupied & units:
                out.append(f"{rack.name}/{device.name} overlaps another device")
            occupied |= units
        if rack.used_units != sum(d.height_u for d in rack.devices):
            out.append(f"{rack.name} used_units does not add up")
    placed: dict[str, int] = {}
    for rack in plan.racks:
        for device in rack.devices:
            placed[device.catalog_id] = placed.get(device.catalog_id, 0) + 1
    for line in plan.bom:
        if line.rack_units and placed.get(line.catalog_id, 0) != line.quantity:
            out.append(f"BOM has {line.quantity}x {line.catalog_id} but {placed.get(line.catalog_id, 0)} are placed in racks")
    # every rack billed holds something: the racks bought are the racks the placement uses
    new_racks = [rack for rack in plan.racks if not rack.existing]
    billed = sum(line.quantity for line in plan.bom if line.category == "racks")
    used = sum(1 for rack in new_racks if rack.devices)
    if billed != used or len(new_racks) != used:
        out.append(f"{billed} racks billed, {len(new_racks)} in the plan, {used} holding devices")

    # totals: cost and power from the BOM and the racks; site limits
    cost = sum(line.total_cost for line in plan.bom)
    if not math.isclose(cost, plan.totals.cost, rel_tol=1e-9, abs_tol=0.01):
        out.append(f"total cost {plan.totals.cost} != BOM sum {cost}")
    power_w = sum(r.power_max_w for r in plan.racks)
    if site.total_power is not None and power_w > site.total_power + 1e-6:
        out.append(f"power {power_w:.0f} W > site total {site.total_power:.0f} W")
    if site.budget is not None and cost > site.budget.amount + 0.5:
        out.append(f"cost {cost:.0f} > budget {site.budget.amount:.0f}")
    if plan.totals.racks != len(new_racks):
        out.append("totals.racks != new racks listed")
    # an existing site: its racks, nodes, fabric, loop and storage within what it has free
    out.extend(existing_violations(plan, spec, catalog, demand))
    # the lifetime cost, the coolant loop, and each rack's power limit by its cooling
    out.extend(tco_violations(plan, spec, catalog))
    return CheckReport(out)
