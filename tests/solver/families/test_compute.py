"""Compute: one platform, nodes meeting the floors, whole chassis; broken requirements keep a platform out."""

from __future__ import annotations

from dataclasses import replace

from primeflex_iac import Catalog
from primeflex_iac.demand.requirements import Requirement
from primeflex_iac.solver.context import ModelContext
from primeflex_iac.solver.families.compute import add_compute

from .model import demand, only, solve


def test_nodes_meet_the_gpu_floor_on_one_platform(catalog: Catalog) -> None:
    # 36 GPUs: more than the few the paper leaves to an existing site's water loop
    wanted = only(demand(catalog, gpus=36), platform="cx2570-m5/v100-sxm2-32gbx4")
    ctx = ModelContext(wanted)
    compute = add_compute(ctx)
    solver = solve(ctx)
    assert solver is not None
    assert [solver.value(u) for u in compute.use_platform] == [1]
    assert solver.value(compute.nodes[0]) * 4 >= 36
    # a CX2570 node sits in a chassis: enclosures = ceil(nodes / slots)
    slots = wanted.platforms[0].nodes_per_enclosure
    assert slots > 1
    assert solver.value(compute.enclosures[0]) == -(-solver.value(compute.nodes[0]) // slots)


def test_a_platform_that_breaks_a_requirement_is_out(catalog: Catalog) -> None:
    base = demand(catalog)
    broken = [replace(p, breaks=(Requirement.GPU_MEMORY,)) for p in base.platforms]
    ctx = ModelContext(replace(base, platforms=broken))
    add_compute(ctx)
    assert solve(ctx) is None


def test_the_broken_requirement_relaxed_lets_the_platform_in(catalog: Catalog) -> None:
    base = demand(catalog)
    broken = [replace(p, breaks=(Requirement.GPU_MEMORY,)) for p in base.platforms]
    ctx = ModelContext(replace(base, platforms=broken))
    compute = add_compute(ctx)
    solver = solve(ctx, relaxed=(Requirement.GPU_MEMORY,))
    assert solver is not None and sum(solver.value(u) for u in compute.use_platform) == 1


def test_a_floor_beyond_any_node_count_is_infeasible(catalog: Catalog) -> None:
    # no platform reaches 10**9 GPUs within the model's count bound
    ctx = ModelContext(demand(catalog, gpus_min=10**9))
    add_compute(ctx)
    assert solve(ctx) is None
