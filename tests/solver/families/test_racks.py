"""Racks and power: within the site's racks and power per rack."""

from __future__ import annotations

from primeflex_iac import Catalog
from primeflex_iac.demand.build import Demand
from primeflex_iac.demand.requirements import Requirement
from primeflex_iac.solver.context import ModelContext
from primeflex_iac.solver.families.compute import add_compute
from primeflex_iac.solver.families.fabric import add_fabric
from primeflex_iac.solver.families.racks import add_racks_and_power
from primeflex_iac.solver.families.storage import add_storage
from primeflex_iac.solver.families.vars import RackVars

from .model import demand, only, solve

H100 = "generic-hgx-h100-8gpu/h100-sxm5-80gbx8"


def _build(wanted: Demand) -> tuple[ModelContext, RackVars]:
    ctx = ModelContext(wanted)
    compute = add_compute(ctx)
    storage = add_storage(ctx)
    fabric = add_fabric(ctx, compute, storage)
    return ctx, add_racks_and_power(ctx, compute, storage, fabric)


def test_racks_hold_the_nodes_within_power(catalog: Catalog) -> None:
    ctx, racks = _build(only(demand(catalog, gpus=64, racks=10), platform=H100))
    solver = solve(ctx)
    assert solver is not None
    node_w = ctx.demand.platforms[0].node_power_max_w
    # 8 nodes of over 10 kW each cannot share one 40 kW rack
    assert node_w > 10_000
    assert 2 <= solver.value(racks.racks) <= 10


def test_a_rack_limit_below_the_racks_needed_is_infeasible(catalog: Catalog) -> None:
    ctx, _ = _build(only(demand(catalog, gpus=64, racks=1), platform=H100))
    assert solve(ctx) is None


def test_the_rack_limit_relaxed_gives_the_racks_needed(catalog: Catalog) -> None:
    ctx, racks = _build(only(demand(catalog, gpus=64, racks=1), platform=H100))
    solver = solve(ctx, relaxed=(Requirement.RACKS,))
    assert solver is not None and solver.value(racks.racks) >= 2


def test_a_node_above_the_power_per_rack_is_out(catalog: Catalog) -> None:
    ctx, _ = _build(only(demand(catalog, power_per_rack_w=5_000.0), platform=H100))
    assert solve(ctx) is None
