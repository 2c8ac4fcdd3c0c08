"""What a report template gets: the plan's pieces already worded and formatted, so that a template
(the default one, or a pre-sales team's own: docs/report-templates.md) lays them out and computes nothing.

Text from data stays plain text here: the HTML template escapes it (autoescape), the Markdown one
with the ``md`` filter. Only fragments rendered in Python, pictures and the lifetime-cost section,
are marked safe (``Markup``): they were escaped when they were drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from primeflex_iac.common.units import format_duration
from primeflex_iac.render.bom import bom_markdown
from primeflex_iac.render.site_changes import existing_site, upgrade_text
from primeflex_iac.render.tco_chart import cost_over_time_svg, tco_html, tco_markdown

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markupsafe import Markup

    from primeflex_iac.plan.model import Plan

__all__ = ["LifetimeCost", "Table", "layout_lines", "report_context"]


@dataclass(frozen=True)
class Table:
    """A table: its column heads, rows of text cells, and a CSS class per column ("" for none)."""

    head: tuple[str, ...]
    rows: list[tuple[str, ...]]
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class LifetimeCost:
    """The lifetime-cost section, rendered in Python: ``html`` (tables and chart), ``markdown`` (tables), ``chart_svg``."""

    html: Markup
    markdown: str
    chart_svg: Markup


def summary_rows(plan: Plan) -> list[tuple[str, str]]:
    rows = [("Status", plan.status), ("Result", plan.message)]
    for entry in plan.compute:
        chassis = f" in {entry.chassis_count}x {entry.chassis}" if entry.chassis else ""
        if entry.existing_group is not None:  # cards into installed nodes: no node bought
            rows.append(("Compute", f"GPU cards: {upgrade_text(entry)}"))
        else:
            rows.append(
                ("Compute", f"{entry.count}x {entry.node_name}{chassis}; {entry.gpus_per_node}x {entry.gpu_name} per node")
            )
        rows.append(
            ("GPUs", f"{entry.gpus:,} ({entry.tensor_tflops:,.0f} dense FP16 tensor TFLOPS, {entry.int8_tops:,.0f} INT8 TOPS)")
        )
    if plan.fabric is not None:
        f = plan.fabric
        switches = f"{f.leaf_switches} leaf, {f.spine_switches} spine, {f.core_switches} core" if f.tiers > 1 else "one switch"
        installed = plan.existing.fabric if plan.existing is not None else None
        if installed is not None:  # new ports on the site's fabric, and the new leaves they need
            switches = f"the site's fabric: {installed.leaf_ports_used} of {installed.free_leaf_ports} free leaf ports, {f.leaf_switches} new leaf"
        rows.append(
            ("Fabric", f"{f.name}, {f.link_gbps} Gb/s per node port; {switches} ({f.switch}); {f.endpoints} ports in use")
        )
        aggregation = f" ({f.management_aggregation_switches} aggregation)" if f.management_aggregation_switches else ""
        rows.append(("Management", f"{f.management_switches}x {f.management_switch}{aggregation}; {f.management_cables} cables"))
    if plan.storage is not None:
        s = plan.storage
        blocks = ", ".join(f"{n}x {b}" for b, n in s.blocks.items())
        rows.append(
            (
                "Storage",
                f"{s.file_system} ({', '.join(s.access)}): {s.usable_tib:,.1f} TiB usable of {s.required_tib:,.1f} "
                f"required; {blocks}; {s.servers} servers; {s.rack_units}U; {s.read_gbs:,.1f} GB/s",
            )
        )
    if plan.software:
        rows.append(("Software", ", ".join(item.name for item in plan.software)))
    if plan.totals is not None:
        t = plan.totals
        rows.append(("Cost", f"{t.cost:,.0f} {t.currency}"))
        rows.append(("Power", f"{t.power_kw:,.1f} kW maximum, {t.typical_power_kw:,.1f} kW typical; {t.heat_btu_h:,.0f} BTU/h"))
        rows.append(("Racks", f"{t.racks} ({t.rack_units}U used), {t.weight_kg:,.0f} kg"))
    if plan.objective is not None:
        o = plan.objective
        proof = "proven optimal" if plan.status == "optimal" else "best found within the time limit"
        value = "-" if o.value is None else format_duration(o.value) if o.name == "time" else f"{o.value:,.0f}"
        rows.append(("Objective", f"{o.name} = {value} ({proof}); solved in stages: {', '.join(o.stages)}"))
    return rows


WORKLOAD_HEAD = (
    "Workload",
    "Model",
    "Estimated",
    "Range (10-90 %)",
    "Required",
    "TFLOPS per GPU",
    "Scaling",
    "Bound",
    "Meets",
)


def workload_table(plan: Plan) -> Table:
    rows: list[tuple[str, ...]] = []
    for w in plan.workloads:
        estimate = format_duration(w.time_to_model_s) if w.time_to_model_s is not None else "-"
        spread = f"{format_duration(w.range_s[0])} - {format_duration(w.range_s[1])}" if w.range_s else "-"
        per_gpu = f"{w.per_gpu_tflops:,.1f}" if w.per_gpu_tflops is not None else "-"
        scaling = f"{w.scaling_efficiency:.0%}" if w.scaling_efficiency is not None else "-"
        meets = "yes" if w.meets else "NO"
        rows.append((w.name, w.model, estimate, spread, format_duration(w.required_s), per_gpu, scaling, w.bound or "-", meets))
    return Table(WORKLOAD_HEAD, rows, ("",) * len(WORKLOAD_HEAD))


def layout_lines(plan: Plan) -> list[str]:
    """One line per decoder: the layout its estimate chose and the memory each GPU needs in it."""
    lines = []
    for w in plan.workloads:
        if w.parallelism is None:
            continue
        lines.append(f"{w.name}: {w.parallelism.describe()}; {w.memory_per_gpu_gb or 0:,.1f} GB per GPU; MFU {w.mfu or 0:.0%}")
    return lines


def bom_table(plan: Plan) -> Table:
    """The BOM as the HTML page shows it, with a total row when the plan has totals."""
    currency = plan.catalog_currency
    head = (
        "Category",
        "Item",
        "Catalog id",
        "Qty",
        f"Unit ({currency})",
        f"Total ({currency})",
        "Power (W)",
        "RU",
        "Cost source",
    )
    rows: list[tuple[str, ...]] = [
        (
            b.category,
            b.item,
            b.catalog_id,
            f"{b.quantity:,}",
            f"{b.unit_cost:,.0f}",
            f"{b.total_cost:,.0f}",
            f"{b.total_power_w:,.0f}",
            str(b.rack_units),
            b.cost_source,
        )
        for b in plan.bom
    ]
    if plan.totals is not None:
        power = f"{sum(b.total_power_w for b in plan.bom):,.0f}"
        rows.append(("total", "", "", "", "", f"{plan.totals.cost:,.0f}", power, str(sum(b.rack_units for b in plan.bom)), ""))
    return Table(head, rows, ("", "item", "", "num", "num", "num", "num", "num", "source"))


def _strip_xml_prolog(svg: str) -> str:
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def report_context(
    plan: Plan,
    topology_svg: str | None = None,
    racks_svg: str | Sequence[str] = (),
    topology_dot: str = "",
) -> dict[str, Any]:
    """The variables a report template sees (each documented in docs/report-templates.md).

    The pictures are for the HTML page; the Markdown report links the files beside it instead.
    """
    from markupsafe import Markup  # with jinja2: loaded only when a report is rendered

    racks = [racks_svg] if isinstance(racks_svg, str) else list(racks_svg)  # one picture, or one per row of racks
    tco = tco_markdown(plan)
    lifetime_cost = (
        LifetimeCost(Markup("\n".join(tco_html(plan))), "\n".join(tco[:-1]), Markup(cost_over_time_svg(plan))) if tco else None
    )
    return {
        "plan": plan,
        "summary": summary_rows(plan),
        "existing_site": existing_site(plan),
        "workloads": workload_table(plan),
        "layouts": layout_lines(plan),
        "topology_svg": None if topology_svg is None else Markup(_strip_xml_prolog(topology_svg)),
        "topology_dot": topology_dot,
        "rack_svgs": [Markup(svg) for svg in racks],
        "lifetime_cost": lifetime_cost,
        "bom": bom_table(plan),
        "bom_markdown": "\n".join(bom_markdown(plan).splitlines()[2:]),
        "currency": plan.catalog_currency,
        "assumptions": list(plan.assumptions),
        "warnings": list(plan.warnings),
        "solve": plan.solve,
    }
