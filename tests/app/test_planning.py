"""A valid spec ends in a plan or an explained infeasibility, never in a plan that misses a deadline."""

from __future__ import annotations

from dataclasses import replace

from primeflex_iac import Catalog, SolveOptions, check, parse_spec_text, solve
from primeflex_iac.app.planning import plan_demand
from primeflex_iac.demand.build import build_demand

# 128 GPUs asked for, but a global batch of 256 sequences leaves 2 per GPU on 16 nodes, where the
# all-reduce makes the run slower than on fewer nodes: the floor and the deadline conflict
FLOOR_VS_BATCH = """
apiVersion: primeflex-iac/v1
name: floor-vs-batch
compute: {gpus: 128}
workloads:
  - {name: w, model: transformer, time_to_model: 8 h, global_batch: 256}
site: {racks: {power_per_rack: 40 kW}}
preferences: {gpus: [a100-sxm4-40gb]}
"""


def test_a_floor_beyond_the_workloads_useful_nodes_is_an_explained_conflict(catalog: Catalog) -> None:
    plan = solve(parse_spec_text(FLOOR_VS_BATCH), catalog, explain=False)
    assert plan.status == "infeasible"
    assert {"compute floor", "time-to-model: w"} <= set(plan.conflicts)
    looser = solve(parse_spec_text(FLOOR_VS_BATCH.replace("gpus: 128", "gpus: 64")), catalog)
    assert looser.status == "optimal" and looser.workloads[0].meets
    assert check(looser, parse_spec_text(FLOOR_VS_BATCH.replace("gpus: 128", "gpus: 64")), catalog).ok


def test_a_count_that_misses_inside_its_range_is_excluded_and_solved_again(catalog: Catalog) -> None:
    spec = parse_spec_text(FLOOR_VS_BATCH.replace("gpus: 128", "gpus: 8"))
    demand = build_demand(spec, catalog)
    # widen every range by one count that misses the deadline, as a time that falls, rises and
    # falls again would; the floor of 8 GPUs leaves the cheapest count at the range's start
    widened = {key: (found[0], found[1] + 1) if found else None for key, found in demand.workload_nodes.items()}
    usable = [
        found
        for (_w, p, f), found in widened.items()
        if found and not demand.platforms[p].breaks and not demand.fabrics[f].breaks
    ]
    floor = max(most for _fewest, most in usable) * 8
    doctored = replace(demand, workload_nodes=widened, gpus_min=floor)
    plan, status = plan_demand(spec, catalog, doctored, SolveOptions(), [])
    # the only count the floor allows misses the deadline: it is excluded, and no plan is left
    assert plan.status == "infeasible" and status.conflicts
