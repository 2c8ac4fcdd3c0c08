"""The lifetime cost in the report: a table, the cost over time as an inline SVG chart, and the
air- and water-cooled alternatives side by side.

The chart stacks, for each year from purchase (year 0) to the end of the lifetime, the capex and
the operating cost so far (energy and support, spread evenly over the years). The alternatives,
where the plan has them, are drawn as lines of their cumulative cost. Every text is escaped; the
geometry depends only on the plan, so the same plan draws the same chart, byte for byte.
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

from primeflex_iac.common.theme import FONT

if TYPE_CHECKING:
    from primeflex_iac.plan.model import Plan, Totals

__all__ = ["cost_over_time_svg", "tco_html", "tco_markdown", "yearly_costs"]

_WIDTH, _HEIGHT = 720, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 90, 190, 24, 40
_CAPEX, _OPEX = "#9fc5e8", "#f6b26b"
_LINES = {"air": "#3d85c6", "water": "#134f5c"}


def yearly_costs(capex: float, opex: float, years: float) -> list[tuple[int, float, float]]:
    """(year, capex, operating cost so far) from year 0 to the end of the lifetime (the last year may be part of one)."""
    if years <= 0:
        return [(0, capex, 0.0)]
    return [(year, capex, opex * min(year, years) / years) for year in range(math.ceil(years - 1e-9) + 1)]


def _opex(t: Totals) -> float:
    return t.energy_cost + t.support_cost


def _table_rows(plan: Plan) -> list[tuple[str, str]]:
    assert plan.totals is not None
    t, cur = plan.totals, plan.totals.currency
    return [
        ("Capex", f"{t.capex:,.2f} {cur}"),
        ("Support", f"{t.support_cost:,.2f} {cur} over {t.lifetime_years:g} years"),
        ("Energy", f"{t.energy_mwh:,.3f} MWh, {t.energy_cost:,.2f} {cur}"),
        ("Total cost of ownership", f"{t.tco:,.2f} {cur}"),
    ]


def _alternative_rows(plan: Plan) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for a in plan.alternatives:
        if a.status not in ("optimal", "feasible"):
            rows.append((a.cooling, a.summary, "-", "-", "-", "-", "-", "-"))
            continue
        money = [f"{value:,.0f}" for value in (a.capex, a.support_cost, a.energy_cost, a.tco)]
        rows.append((a.cooling, a.summary, str(a.racks), f"{a.typical_power_kw:,.1f}", f"{a.energy_mwh:,.1f}", *money))
    return rows


def _alternative_head(currency: str) -> tuple[str, ...]:
    return (
        "Cooling",
        "Plan",
        "Racks",
        "Typical kW",
        "Energy MWh",
        f"Capex ({currency})",
        f"Support ({currency})",
        f"Energy ({currency})",
        f"TCO ({currency})",
    )


def _has_lifetime_cost(plan: Plan) -> bool:
    """Plans written before the lifetime cost existed read it as zero: they get no section."""
    return plan.totals is not None and (plan.totals.tco > 0 or plan.totals.cost == 0)


def tco_markdown(plan: Plan) -> list[str]:
    """The report's lifetime-cost section in Markdown: the figures, cumulative cost by year, the alternatives."""
    if plan.totals is None or not _has_lifetime_cost(plan):
        return []
    t, cur = plan.totals, plan.totals.currency
    lines = ["## Lifetime cost", "", "| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in _table_rows(plan))]
    lines += ["", f"| Year | Capex ({cur}) | Operating so far ({cur}) | Cumulative ({cur}) |", "|---|---|---|---|"]
    for year, capex, opex in yearly_costs(t.capex, _opex(t), t.lifetime_years):
        lines.append(f"| {year} | {capex:,.0f} | {opex:,.0f} | {capex + opex:,.0f} |")
    if plan.alternatives:
        head = _alternative_head(cur)
        lines += ["", "### Air and water cooling side by side", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in _alternative_rows(plan)]
    return [*lines, ""]


def tco_html(plan: Plan) -> list[str]:
    """The same section as HTML, with the chart inline."""
    if plan.totals is None or not _has_lifetime_cost(plan):
        return []
    parts = ["<h2>Lifetime cost</h2>", '<table class="summary">']
    parts += [f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in _table_rows(plan)]
    parts += ["</table>", f'<div class="picture" id="cost-over-time">{cost_over_time_svg(plan)}</div>']
    if plan.alternatives:
        parts.append("<h3>Air and water cooling side by side</h3>")
        head = _alternative_head(plan.totals.currency)
        rows = ["<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"]
        for row in _alternative_rows(plan):
            rows.append("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>")
        parts.append("".join(rows) + "</table>")
    return parts


def cost_over_time_svg(plan: Plan) -> str:
    """Cumulative capex and operating cost by year, as an SVG element (no XML prolog: it sits inline)."""
    assert plan.totals is not None
    t, cur = plan.totals, plan.totals.currency
    bars = yearly_costs(t.capex, _opex(t), t.lifetime_years)
    lines = {
        a.cooling: yearly_costs(a.capex, a.energy_cost + a.support_cost, t.lifetime_years)
        for a in plan.alternatives
        if a.status in ("optimal", "feasible")
    }
    top = max([c + o for _, c, o in bars] + [c + o for points in lines.values() for _, c, o in points] + [1.0])
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    step = plot_w / len(bars)

    def y(value: float) -> float:
        return _TOP + plot_h * (1 - value / top)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        f'font-family="{escape(FONT)}" font-size="11">',
        f"<title>{escape(f'Cumulative cost over {t.lifetime_years:g} years: {plan.name}')}</title>",
        f'<line x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{_LEFT + plot_w}" y2="{_TOP + plot_h}" stroke="#444"/>',
    ]
    for tick in range(5):
        value = top * tick / 4
        out.append(f'<text x="{_LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{escape(f"{value:,.0f}")}</text>')
        out.append(f'<line x1="{_LEFT}" y1="{y(value):.1f}" x2="{_LEFT + plot_w}" y2="{y(value):.1f}" stroke="#eee"/>')
    for index, (year, capex, opex) in enumerate(bars):
        x = _LEFT + index * step + step * 0.2
        width = step * 0.6
        out.append(f'<rect x="{x:.1f}" y="{y(capex):.1f}" width="{width:.1f}" height="{y(0) - y(capex):.1f}" fill="{_CAPEX}"/>')
        out.append(
            f'<rect x="{x:.1f}" y="{y(capex + opex):.1f}" width="{width:.1f}" height="{y(capex) - y(capex + opex):.1f}" '
            f'fill="{_OPEX}"/>'
        )
        out.append(f'<text x="{x + width / 2:.1f}" y="{_TOP + plot_h + 16}" text-anchor="middle">{year}</text>')
    for cooling, points in sorted(lines.items()):
        xy = " ".join(f"{_LEFT + i * step + step / 2:.1f},{y(c + o):.1f}" for i, (_, c, o) in enumerate(points))
        out.append(f'<polyline points="{xy}" fill="none" stroke="{_LINES[cooling]}" stroke-width="2"/>')
    legend = [(_CAPEX, "capex"), (_OPEX, "energy and support")]
    legend += [(_LINES[c], f"{c}-cooled plan, total") for c in sorted(lines)]
    for index, (colour, label) in enumerate(legend):
        ly = _TOP + 10 + index * 18
        out.append(f'<rect x="{_LEFT + plot_w + 12}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{_LEFT + plot_w + 30}" y="{ly + 1}">{escape(label)}</text>')
    out.append(f'<text x="{_LEFT + plot_w / 2:.1f}" y="{_HEIGHT - 6}" text-anchor="middle">year</text>')
    out.append(f'<text x="4" y="{_TOP - 10}">{escape(f"cumulative cost ({cur})")}</text>')
    out.append("</svg>")
    return "\n".join(out)
