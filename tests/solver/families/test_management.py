"""Management network: one switch while its access ports take every device and the head node, else
access switches uplinked into aggregation switches; counts, not boxes, and nothing less holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac import Catalog
from primeflex_iac.demand.management import ManagementTree, management_tree
from primeflex_iac.solver.context import ModelContext
from primeflex_iac.solver.families.compute import add_compute
from primeflex_iac.solver.families.fabric import add_fabric
from primeflex_iac.solver.families.storage import add_storage

from .model import demand, only, solve

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from primeflex_iac.solver.families.vars import ComputeVars, FabricVars

HGX = "generic-hgx-h100-8gpu/h100-sxm5-80gbx8"


def _build(catalog: Catalog, gpus: int) -> tuple[ModelContext, ComputeVars, FabricVars]:
    """The model of ``gpus`` H100 on NDR, with exactly the nodes they need (a feasibility solve picks any count)."""
    ctx = ModelContext(only(demand(catalog, gpus=gpus, racks=400), platform=HGX, fabrics=("ib-ndr:ndr",)))
    compute = add_compute(ctx)
    ctx.model.add(compute.total_nodes == gpus // 8)
    return ctx, compute, add_fabric(ctx, compute, add_storage(ctx))


def _read(solver: cp_model.CpSolver, compute: ComputeVars, fabric: FabricVars) -> tuple[int, ManagementTree]:
    """(devices with a management port besides the head node, the management counts solved)."""
    chosen = next(i for i, used in enumerate(fabric.use_fabric) if solver.value(used))
    devices = solver.value(compute.total_nodes) + solver.value(fabric.trees[chosen].switches)
    switches, aggregation = solver.value(fabric.management_switches), solver.value(fabric.management_aggregation)
    return devices, ManagementTree(switches - aggregation, aggregation, solver.value(fabric.management_cables))


def test_one_switch_takes_a_small_cluster(catalog: Catalog) -> None:
    ctx, compute, fabric = _build(catalog, gpus=8)
    solver = solve(ctx)
    assert solver is not None
    devices, found = _read(solver, compute, fabric)
    assert found == ManagementTree(access=1, aggregation=0, cables=devices + 1)


def test_access_switches_uplink_into_aggregation_when_one_is_not_enough(catalog: Catalog) -> None:
    ctx, compute, fabric = _build(catalog, gpus=512)
    solver = solve(ctx)
    assert solver is not None
    devices, found = _read(solver, compute, fabric)
    assert found == management_tree(devices, 48, 2)
    assert found.access >= 2 and found.aggregation == 1


def test_fewer_management_switches_do_not_hold(catalog: Catalog) -> None:
    ctx, _, fabric = _build(catalog, gpus=512)
    ctx.model.add(fabric.management_switches <= 2)  # the two access switches alone: islands
    assert solve(ctx) is None


def test_access_switches_without_uplinks_cannot_be_joined(catalog: Catalog) -> None:
    mgmt = next(iter(catalog.management_switches.values()))
    no_uplinks = catalog.model_copy(update={"management_switches": {mgmt.id: mgmt.model_copy(update={"uplink_ports": 0})}})
    assert solve(_build(no_uplinks, gpus=8)[0]) is not None  # one switch is enough
    assert solve(_build(no_uplinks, gpus=512)[0]) is None
