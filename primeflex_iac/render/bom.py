"""Bill of materials as CSV and Markdown, one line per catalog item, with the source of its figures."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from primeflex_iac.plan.model import Plan

__all__ = ["BOM_COLUMNS", "bom_csv", "bom_markdown"]

BOM_COLUMNS = (
    "category",
    "item",
    "catalog_id",
    "quantity",
    "unit_cost",
    "total_cost",
    "currency",
    "unit_power_w",
    "total_power_w",
    "rack_units",
    "cost_source",
    "power_source",
)


def bom_csv(plan: Plan) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BOM_COLUMNS)
    currency = plan.catalog_currency
    for line in plan.bom:
        writer.writerow(
            [
                line.category,
                line.item,
                line.catalog_id,
                line.quantity,
                f"{line.unit_cost:.2f}",
                f"{line.total_cost:.2f}",
                currency,
                f"{line.unit_power_w:.1f}",
                f"{line.total_power_w:.1f}",
                line.rack_units,
                line.cost_source,
                line.power_source,
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def bom_markdown(plan: Plan) -> str:
    currency = plan.catalog_currency
    lines = [
        f"# Bill of materials: {plan.name}",
        "",
        f"Prices are indicative, in {currency}; figures marked *assumption* have no public source and "
        "should be replaced by a quote (`--catalog-overlay`).",
        "",
        f"| Category | Item | Catalog id | Qty | Unit ({currency}) | Total ({currency}) | Power each (W) | Power (W) | RU | Cost source | Power source |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for line in plan.bom:
        lines.append(
            f"| {line.category} | {_cell(line.item)} | `{line.catalog_id}` | {line.quantity:,} | {line.unit_cost:,.0f} | "
            f"{line.total_cost:,.0f} | {line.unit_power_w:,.0f} | {line.total_power_w:,.0f} | {line.rack_units} | "
            f"{_cell(line.cost_source)} | {_cell(line.power_source)} |"
        )
    if plan.totals is not None:
        totals = plan.totals
        lines.append(
            f"| **total** | | | | | **{totals.cost:,.0f}** | | **{sum(b.total_power_w for b in plan.bom):,.0f}** | "
            f"**{sum(b.rack_units for b in plan.bom)}** | | |"
        )
        lines += [
            "",
            f"Racks: {totals.racks}; maximum power {totals.power_kw:,.1f} kW (typical {totals.typical_power_kw:,.1f} kW); "
            f"heat {totals.heat_btu_h:,.0f} BTU/h; weight {totals.weight_kg:,.0f} kg.",
        ]
    return "\n".join(lines) + "\n"
