"""Assumptions a plan rests on: the model's own, then every catalog and calibration figure it uses
that is an assumption or an interpretation rather than a sourced value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.catalog.models import is_assumption
from primeflex_iac.demand.candidates import GPU_TYPICAL_SHARE
from primeflex_iac.timing.calibration import load_calibration
from primeflex_iac.timing.workloads import zoo_fields_used

if TYPE_CHECKING:
    from collections.abc import Mapping

    from primeflex_iac.catalog.models import Item
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.plan.model import BomLine

__all__ = ["MODEL_ASSUMPTIONS", "plan_assumptions"]

MODEL_ASSUMPTIONS = [
    f"typical GPU power is {GPU_TYPICAL_SHARE:.0%} of TDP (energy figures only; limits use the maximum)",
    "node maximum power = node without GPUs + GPUs at TDP + fabric adapters",
    "time-to-model: data-parallel step from the physics (GPU peak x efficiency by workload class and GPU "
    "generation, fixed step time, hierarchical gradient all-reduce over NVLink/PCIe and the fabric's adapters, "
    "reading bounded by 7 GB/s per node (seed), the node's adapters and the plan's storage at line rate), "
    "calibrated on MLPerf v0.6/v0.7 and H200 measurements "
    "(docs/calibration.md); GPT-style decoders: the fastest layout (tensor, pipeline and data parallel, ZeRO "
    "stage, recomputation, micro-batch) that fits the GPU's memory less a 5 % reserve, calibrated on MosaicML's "
    "MPT runs; every estimate carries the 10th-90th percentile range of its group's held-out errors",
    "each workload runs alone, on as many of the cluster's nodes as make it fastest (more can be slower)",
]


def plan_assumptions(bom: list[BomLine], demand: Demand, head_on_fabric: bool = True) -> list[str]:
    """MODEL_ASSUMPTIONS, then the assumed figures behind the items billed and the workloads, sorted."""
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
            # only the zoo figures the estimate took: a figure the spec sets is the customer's, not ours
            for field in sorted(zoo_fields_used(workload, zoo)):
                source = zoo.source_of(field)
                if field not in {"id", "name", "source", "sources", "notes", "generic"} and is_assumption(source):
                    found.append(f"{zoo.id}.{field}: {source}")
    if not head_on_fabric:
        found.append(
            "interpretation: the head node stays off the compute fabric where its port would add a fat-tree level; "
            "it schedules and manages the cluster over the management network"
        )
    found.extend(_calibration_assumptions(demand, used_ids))
    return MODEL_ASSUMPTIONS + sorted(set(found)) + (EXISTING_SITE_READINGS if demand.spec.existing is not None else [])


# how the plan reads an existing site where the spec cannot say more (demand/existing.py)
EXISTING_SITE_READINGS = [
    "interpretation (existing site): a group's nodes are spread evenly over its racks in order, the first racks "
    "one more; cards go into a rack's nodes while its spare power (limit - in use) takes their maximum power",
    "interpretation (existing site): a rack's free units are one run at its top; new compute enclosures, management "
    "switches and leaf switches go into existing racks within their free units and spare power (maximum power "
    "rounded up), and the new storage system whole into one of them where it fits (never beside cards going into "
    "the site's nodes, whose racks' spare power is theirs); every other new device into new racks",
    "interpretation (existing site): total_power bounds what the plan adds; the site's head node, cluster licences, "
    "management network and metadata shelf are its own; new nodes join the installed fabric, on its free leaf "
    "ports, then on new leaves whose uplinks take its free spine ports, or, where the spines lack those, on a new "
    "spine level whose spines each join the installed fabric by one link (a free spine port, else a free leaf port)",
    "interpretation (existing site): its file system serves the training data at the read rate the spec gives; "
    "blocks added to it serve on top of that",
]


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
