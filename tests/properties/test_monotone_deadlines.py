"""A plan that meets a deadline meets every looser one: the cheapest plan never costs more when the
deadlines loosen. An independent check of the solver's optimum that needs no second model.

One preference breaks it on purpose: avoid_extreme_fabrics (the white paper's HDR "only in extreme
processing requirements") is a stage before cost, so a looser deadline that 100 Gb/s fabrics can
meet keeps HDR out even where HDR would be cheaper. The plan then says what the preference costs.
"""

from __future__ import annotations

import pytest

from primeflex_iac import Catalog, Spec, load_spec, solve
from primeflex_iac.demand.build import scale_deadlines
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # several solves

# the customer sweep's 3 h 56 min and 4 h 27 min points (nightly-resnet's deadline; bert's scales with it)
SWEEP_POINTS = (14185.9 / 21600, 16054.4 / 21600)


def _customer(prefer_100g: bool) -> Spec:
    spec = load_spec(ROOT / "specs" / "customer.yaml")
    return spec.model_copy(update={"preferences": spec.preferences.model_copy(update={"avoid_extreme_fabrics": prefer_100g})})


@pytest.mark.parametrize(("tight", "loose"), [SWEEP_POINTS, (0.5, 0.75), (0.25, 0.3), (0.66, 0.67)])
def test_a_looser_deadline_never_costs_more(catalog: Catalog, tight: float, loose: float) -> None:
    spec = _customer(prefer_100g=False)
    plans = [solve(scale_deadlines(spec, factor), catalog) for factor in (tight, loose)]
    assert all(p.status == "optimal" and p.totals is not None for p in plans), [p.status for p in plans]
    tight_plan, loose_plan = plans
    assert tight_plan.totals is not None and loose_plan.totals is not None
    for run in tight_plan.workloads:  # the tighter plan meets the looser deadlines too
        assert run.time_to_model_s is not None and run.time_to_model_s <= run.required_s * loose / tight
    assert loose_plan.totals.cost <= tight_plan.totals.cost, (
        f"{loose_plan.totals.cost:,.0f} at the looser deadlines, {tight_plan.totals.cost:,.0f} at the tighter ones"
    )


def test_where_the_100g_preference_costs_more_the_plan_says_how_much(catalog: Catalog) -> None:
    tight, loose = (solve(scale_deadlines(_customer(prefer_100g=True), f), catalog) for f in SWEEP_POINTS)
    free = solve(scale_deadlines(_customer(prefer_100g=False), SWEEP_POINTS[1]), catalog)
    assert tight.totals is not None and loose.totals is not None and free.totals is not None
    assert loose.fabric is not None and loose.fabric.link_gbps <= 100  # the preference held
    assert loose.totals.cost > tight.totals.cost > free.totals.cost
    (note,) = [w for w in loose.warnings if "avoid_extreme_fabrics" in w]
    assert f"cost would be {free.totals.cost:,.0f} USD instead of {loose.totals.cost:,.0f} USD" in note
    assert not any("avoid_extreme_fabrics" in w for w in tight.warnings + free.warnings)
