"""Solver behaviour beyond the reference answers: determinism, scale, infeasibility, overlays."""

from __future__ import annotations

from pathlib import Path

import pytest

from primeflex_iac import Catalog, SolveOptions, check, load_catalog, parse_spec_text, solve
from primeflex_iac.demand.build import build_demand
from primeflex_iac.solver.model import build_model
from tests.conftest import REFERENCE_NAMES, SPECS

BASE = """
apiVersion: primeflex-iac/v1
name: t
compute: {{gpus: {gpus}}}
site:
  racks: {{max: {racks}, height: 42U, power_per_rack: 40 kW}}
  {extra}
preferences:
  gpus: [h100-sxm5-80gb]
"""


def _spec(gpus: int, racks: int = 2000, extra: str = "") -> str:
    return BASE.format(gpus=gpus, racks=racks, extra=extra)


def test_model_size_does_not_grow_with_the_cluster(catalog: Catalog) -> None:
    sizes = []
    # 64 and 8,192: both need more water-cooled GPUs than a new loop's least (an 8-GPU floor adds the
    # cooling rule's few constraints, whatever the counts)
    for gpus in (64, 8192):
        model = build_model(build_demand(parse_spec_text(_spec(gpus)), catalog)).model.proto
        sizes.append((len(model.variables), len(model.constraints)))
    assert sizes[0] == sizes[1]


def test_8192_gpus_plan_holds(catalog: Catalog) -> None:
    spec = parse_spec_text(_spec(8192))
    plan = solve(spec, catalog)
    assert plan.status == "optimal"
    assert plan.compute[0].gpus == 8192
    assert plan.fabric is not None and plan.fabric.tiers == 3
    assert check(plan, spec, catalog).violations == []


@pytest.mark.slow
def test_same_plan_bytes_across_runs_and_worker_counts(catalog: Catalog) -> None:
    for name in [*REFERENCE_NAMES, "customer"]:
        path = SPECS / "reference" / f"{name}.yaml" if name != "customer" else SPECS / "customer.yaml"
        spec = parse_spec_text(path.read_text(), str(path))
        first = solve(spec, catalog, SolveOptions(workers=1)).model_dump(exclude={"solve"})
        again = solve(spec, catalog, SolveOptions(workers=1)).model_dump(exclude={"solve"})
        parallel = solve(spec, catalog, SolveOptions(workers=2)).model_dump(exclude={"solve"})
        assert first == again == parallel, name


@pytest.mark.slow
def test_infeasible_budget_is_named(catalog: Catalog) -> None:
    # 64 H100 cost about 3.2M; one H100 node or 64 cheaper GPUs would fit 1M
    plan = solve(parse_spec_text(_spec(64, extra="budget: 1M USD")), catalog)
    assert plan.status == "infeasible"
    assert plan.conflicts == ["allowed gpus", "budget", "compute floor"]


@pytest.mark.slow
def test_infeasible_racks_and_power_are_named(catalog: Catalog) -> None:
    plan = solve(parse_spec_text(_spec(512, racks=2)), catalog)
    assert plan.status == "infeasible"
    assert "racks" in plan.conflicts and "compute floor" in plan.conflicts


def test_time_to_model_drives_the_node_count(catalog: Catalog) -> None:
    text = """
apiVersion: primeflex-iac/v1
name: t
workloads:
  - {name: r, model: resnet50, epochs: 90, time_to_model: 2 h}
site:
  cooling: air
  racks: {max: 10, power_per_rack: 20 kW}
preferences: {as_of: 2019-06}
"""
    fast = solve(parse_spec_text(text), catalog)
    slow = solve(parse_spec_text(text.replace("2 h", "8 h")), catalog)
    assert fast.compute[0].count > slow.compute[0].count
    for plan in (fast, slow):
        assert plan.workloads[0].meets and plan.workloads[0].time_to_model_s is not None
        assert plan.workloads[0].time_to_model_s <= plan.workloads[0].required_s


def test_overlay_price_moves_the_cost(tmp_path: Path) -> None:
    overlay = tmp_path / "prices.yaml"
    overlay.write_text(
        "apiVersion: primeflex-iac/v1\nkind: CatalogOverlay\nsource: quote 42\ngpus:\n  v100-pcie-32gb: {price: 5000}\n"
    )
    spec = parse_spec_text((SPECS / "reference" / "sample-small-air.yaml").read_text())
    shipped = solve(spec, load_catalog())
    cheaper = solve(spec, load_catalog([overlay]), overlays=[overlay])
    assert shipped.totals is not None and cheaper.totals is not None
    assert shipped.totals.cost - cheaper.totals.cost == 8 * (9000 - 5000)
    gpu_line = next(line for line in cheaper.bom if line.catalog_id == "v100-pcie-32gb")
    assert gpu_line.cost_source == "quote 42"
    assert cheaper.catalog_overlays == ["prices.yaml"]


PRECISION_SPEC = """
apiVersion: primeflex-iac/v1
name: p
workloads:
  - {{name: bert, model: bert-large, time_to_model: 2 d, precision: {precision}}}
site: {{racks: {{power_per_rack: 40 kW}}}}
"""


def test_bf16_training_is_planned_only_on_gpus_that_have_it(catalog: Catalog) -> None:
    fp16 = parse_spec_text(PRECISION_SPEC.format(precision="fp16"))
    bf16 = parse_spec_text(PRECISION_SPEC.format(precision="bf16"))
    cheapest_fp16 = solve(fp16, catalog)
    assert cheapest_fp16.status == "optimal"
    # with fp16 the cheapest plan is a Volta one; bf16 moves it to a GPU with BF16 tensor cores
    assert cheapest_fp16.compute[0].gpu.startswith("v100")
    plan = solve(bf16, catalog)
    assert plan.status == "optimal" and catalog.gpus[plan.compute[0].gpu].supports("bf16")
    # check() would have caught the fp16 plan handed out for the bf16 spec
    report = check(cheapest_fp16, bf16, catalog)
    assert not report.ok
    assert any("does not train at bf16" in v for v in report.violations)
