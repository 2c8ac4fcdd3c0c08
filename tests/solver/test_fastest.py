"""Objective ``time``: the fastest time-to-model within budget, power and racks."""

from __future__ import annotations

import pytest

from primeflex_iac import Catalog, SpecError, check, parse_spec_text, solve

SPEC = """\
apiVersion: primeflex-iac/v1
name: fastest
workloads:
  - {{name: resnet, model: resnet50, time_to_model: 1 d}}
site:
  racks: {{max: 2, height: 42U, power_per_rack: 30 kW}}
  budget: {budget}
preferences:
  gpus: [a100-sxm4-40gb, a100-pcie-40gb, v100-sxm2-32gb]
objective: {objective}
"""


def _time(plan: object) -> float:
    (workload,) = plan.workloads  # type: ignore[attr-defined]
    assert workload.time_to_model_s is not None
    return float(workload.time_to_model_s)


@pytest.mark.slow
def test_fastest_plan_within_the_budget(catalog: Catalog) -> None:
    spec = parse_spec_text(SPEC.format(budget="800k USD", objective="time"))
    plan = solve(spec, catalog)
    assert plan.status == "optimal" and check(plan, spec, catalog).ok
    assert plan.objective is not None and plan.objective.name == "time" and plan.objective.stages[0] == "time"
    fastest = _time(plan)
    assert plan.objective.value == pytest.approx(fastest, abs=0.1)
    assert plan.objective.bound is not None and plan.objective.bound <= fastest <= plan.objective.bound * 1.002
    assert plan.totals is not None and plan.totals.cost <= 800_000
    # cheapest plans: faster than the fastest one is out of reach within the budget ...
    tighter = SPEC.format(budget="800k USD", objective="cost").replace("1 d", f"{fastest * 0.99:.0f} s")
    assert solve(parse_spec_text(tighter), catalog).status == "infeasible"
    # ... and a larger budget buys a faster plan
    richer = solve(parse_spec_text(SPEC.format(budget="2M USD", objective="time")), catalog)
    assert _time(richer) < fastest


@pytest.mark.slow
def test_fastest_is_faster_than_cheapest(catalog: Catalog) -> None:
    cheapest = solve(parse_spec_text(SPEC.format(budget="800k USD", objective="cost")), catalog)
    fastest = solve(parse_spec_text(SPEC.format(budget="800k USD", objective="[time, cost]")), catalog)
    assert _time(fastest) < _time(cheapest)
    assert fastest.totals is not None and cheapest.totals is not None and fastest.totals.cost > cheapest.totals.cost


@pytest.mark.slow
def test_unmeetable_deadline_is_infeasible(catalog: Catalog) -> None:
    spec = parse_spec_text(SPEC.format(budget="100k USD", objective="time").replace("1 d", "10 min"))
    plan = solve(spec, catalog)
    assert plan.status == "infeasible"


@pytest.mark.parametrize("objective", ["[cost, time]", "time"])
def test_time_must_come_first_and_needs_workloads(objective: str) -> None:
    text = SPEC.format(budget="1M USD", objective=objective)
    if objective == "time":
        text = text.replace("workloads:\n  - {name: resnet, model: resnet50, time_to_model: 1 d}\n", "compute: {gpus: 8}\n")
    with pytest.raises(SpecError) as exc:
        parse_spec_text(text)
    assert "objective time" in str(exc.value)
