"""Bill of materials as CSV and Markdown, one line per catalog item, with the source of its figures."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from primeflex_iac.common.escape import csv_cell, markdown_text, one_line

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
                csv_cell(line.category),
                csv_cell(line.item),
                csv_cell(line.catalog_id),
                line.quantity,
                f"{line.unit_cost:.2f}",
                f"{line.total_cost:.2f}",
                csv_cell(currency),
                f"{line.unit_power_w:.1f}",
                f"{line.total_power_w:.1f}",
                line.rack_units,
                csv_cell(line.cost_source),
                csv_cell(line.power_source),
            ]
        )
    return out.getvalue()


def _code(catalog_id: str) -> str:
    """An id in a code span: ids have no backtick or pipe (common/names.py); one from code has them dropped."""
    return one_line(catalog_id).replace("`", "").replace("|", "")


def bom_markdown(plan: Plan) -> str:
    currency = plan.catalog_currency
    lines = [
        f"# Bill of materials: {markdown_text(plan.name)}",
        "",
        f"Prices are indicative, in {currency}; figures marked *assumption* have no public source and "
        "should be replaced by a quote (`--catalog-overlay`).",
        "",
        f"| Category | Item | Catalog id | Qty | Unit ({currency}) | Total ({currency}) | Power each (W) | Power (W) | RU | Cost source | Power source |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for line in plan.bom:
        lines.append(
            f"| {markdown_text(line.category, cell=True)} | {markdown_text(line.item, cell=True)} | `{_code(line.catalog_id)}` | {line.quantity:,} | {line.unit_cost:,.0f} | "
            f"{line.total_cost:,.0f} | {line.unit_power_w:,.0f} | {line.total_power_w:,.0f} | {line.rack_units} | "
            f"{markdown_text(line.cost_source, cell=True)} | {markdown_text(line.power_source, cell=True)} |"
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
