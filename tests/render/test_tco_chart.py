"""The report's lifetime cost: figures, a deterministic and escaped cost-over-time chart, air against water."""

from __future__ import annotations

import pytest

from primeflex_iac import Catalog, Plan, load_spec, solve
from primeflex_iac.render.report import report_html, report_markdown
from primeflex_iac.render.tco_chart import cost_over_time_svg, yearly_costs
from tests.conftest import SPECS


@pytest.fixture(scope="module")
def plan(catalog: Catalog) -> Plan:
    return solve(load_spec(SPECS / "lifetime-cost.yaml"), catalog)


def test_cumulative_cost_by_year() -> None:
    assert yearly_costs(100.0, 50.0, 5) == [(y, 100.0, 10.0 * y) for y in range(6)]
    # a lifetime of part of a year: the last year ends at the whole operating cost
    assert yearly_costs(100.0, 30.0, 1.5) == [(0, 100.0, 0.0), (1, 100.0, 20.0), (2, 100.0, 30.0)]


def test_the_report_shows_the_lifetime_cost_and_both_coolings(plan: Plan) -> None:
    markdown = report_markdown(plan)
    assert "## Lifetime cost" in markdown and "| 5 | 957,260 | 506,939 | 1,464,199 |" in markdown
    assert "### Air and water cooling side by side" in markdown
    assert "| air | 32x Fujitsu PRIMERGY RX2540 M5" in markdown and "| water | 16x Fujitsu PRIMERGY CX2570 M5" in markdown
    html = report_html(plan, None, "<svg></svg>", "digraph {}")
    assert '<div class="picture" id="cost-over-time"><svg' in html and "water-cooled plan, total" in html


def test_the_chart_is_deterministic_and_escaped(plan: Plan) -> None:
    assert cost_over_time_svg(plan) == cost_over_time_svg(plan.model_copy())
    named = plan.model_copy(update={"name": '<b onload="x">&'})
    svg = cost_over_time_svg(named)
    assert "<b " not in svg and "&lt;b onload=&quot;x&quot;&gt;&amp;" in svg


def test_a_plan_written_before_the_lifetime_cost_has_no_section(plan: Plan) -> None:
    assert plan.totals is not None
    old = plan.model_copy(update={"totals": plan.totals.model_copy(update={"tco": 0.0, "capex": 0.0}), "alternatives": []})
    assert "Lifetime cost" not in report_markdown(old)
