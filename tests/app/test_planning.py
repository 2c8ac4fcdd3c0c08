"""A valid spec ends in a plan or an explained infeasibility, never in a plan that misses a deadline."""

from __future__ import annotations

from primeflex_iac import Catalog, check, parse_spec_text, solve

# 128 GPUs asked for, but a global batch of 256 sequences leaves 2 per GPU on 16 nodes, where the
# all-reduce makes the run slower than on fewer nodes
FLOOR_VS_BATCH = """
apiVersion: primeflex-iac/v1
name: floor-vs-batch
compute: {gpus: 128}
workloads:
  - {name: w, model: transformer, time_to_model: 24 h, global_batch: 256}
site: {racks: {power_per_rack: 40 kW}}
preferences: {gpus: [a100-sxm4-40gb]}
"""


def test_a_run_takes_the_nodes_that_make_it_fastest(catalog: Catalog) -> None:
    spec = parse_spec_text(FLOOR_VS_BATCH)
    plan = solve(spec, catalog)
    # a floor beyond the workload's useful nodes: the run uses fewer of them, and meets its deadline
    assert plan.status == "optimal" and check(plan, spec, catalog).ok
    (entry,) = plan.compute
    (run,) = plan.workloads
    assert entry.count == 16 and run.nodes is not None and run.nodes < entry.count
    assert run.meets and run.time_to_model_s is not None and run.time_to_model_s <= 24 * 3600


def test_check_refuses_a_run_on_more_nodes_than_the_plan_has(catalog: Catalog) -> None:
    spec = parse_spec_text(FLOOR_VS_BATCH)
    plan = solve(spec, catalog)
    (run,) = plan.workloads
    doctored = plan.model_copy(update={"workloads": [run.model_copy(update={"nodes": 17})]})
    assert any("runs on 17 of the plan's 16 nodes" in v for v in check(doctored, spec, catalog).violations)
