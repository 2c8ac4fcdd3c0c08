"""The proposal report: a Markdown file and a self-contained HTML page (pictures inline) with the
plan's summary, the estimate for each workload, the bill of materials and every assumption."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from primeflex_iac.common.escape import markdown_text, xml_text
from primeflex_iac.common.units import format_duration
from primeflex_iac.render.bom import bom_markdown
from primeflex_iac.render.tco_chart import tco_html, tco_markdown

if TYPE_CHECKING:
    from collections.abc import Sequence

    from primeflex_iac.plan.model import Plan

__all__ = ["report_html", "report_markdown"]


def _rows(plan: Plan) -> list[tuple[str, str]]:
    rows = [("Status", plan.status), ("Result", plan.message)]
    for entry in plan.compute:
        chassis = f" in {entry.chassis_count}x {entry.chassis}" if entry.chassis else ""
        rows.append(("Compute", f"{entry.count}x {entry.node_name}{chassis}; {entry.gpus_per_node}x {entry.gpu_name} per node"))
        rows.append(
            ("GPUs", f"{entry.gpus:,} ({entry.tensor_tflops:,.0f} dense FP16 tensor TFLOPS, {entry.int8_tops:,.0f} INT8 TOPS)")
        )
    if plan.fabric is not None:
        f = plan.fabric
        switches = f"{f.leaf_switches} leaf, {f.spine_switches} spine, {f.core_switches} core" if f.tiers > 1 else "one switch"
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
        rows.append(("Objective", f"{o.name} = {value} ({proof}); tie-breaks: {', '.join(o.stages)}"))
    return rows


def _workload_rows(plan: Plan) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for w in plan.workloads:
        estimate = format_duration(w.time_to_model_s) if w.time_to_model_s is not None else "-"
        spread = f"{format_duration(w.range_s[0])} - {format_duration(w.range_s[1])}" if w.range_s else "-"
        per_gpu = f"{w.per_gpu_tflops:,.1f}" if w.per_gpu_tflops is not None else "-"
        scaling = f"{w.scaling_efficiency:.0%}" if w.scaling_efficiency is not None else "-"
        out.append(
            (
                w.name,
                w.model,
                estimate,
                spread,
                format_duration(w.required_s),
                per_gpu,
                scaling,
                w.bound or "-",
                "yes" if w.meets else "NO",
            )
        )
    return out


_WORKLOAD_HEAD = (
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


def layout_lines(plan: Plan) -> list[str]:
    """One line per decoder: the layout its estimate chose and the memory each GPU needs in it."""
    lines = []
    for w in plan.workloads:
        if w.parallelism is None:
            continue
        p = w.parallelism
        lines.append(
            f"{w.name}: TP {p.tp} x PP {p.pp} x DP {p.dp}, ZeRO-{p.zero}, recompute {p.recompute}, "
            f"micro-batch {p.micro_batch}{_virtual(p.virtual_stages)}; {w.memory_per_gpu_gb or 0:,.1f} GB per GPU; MFU {w.mfu or 0:.0%}"
        )
    return lines


def report_markdown(plan: Plan) -> str:
    lines = [f"# Cluster proposal: {markdown_text(plan.name)}", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {markdown_text(v, cell=True)} |" for k, v in _rows(plan)]
    if plan.workloads:
        lines += ["", "## Time-to-model", "", "| " + " | ".join(_WORKLOAD_HEAD) + " |", "|" + "---|" * len(_WORKLOAD_HEAD)]
        lines += ["| " + " | ".join(markdown_text(cell, cell=True) for cell in row) + " |" for row in _workload_rows(plan)]
        layouts = layout_lines(plan)
        if layouts:
            lines += ["", "Layouts (tensor, pipeline and data parallel; memory per GPU):", ""]
            lines += [f"- {markdown_text(line)}" for line in layouts]
    lines += ["", "## Topology", "", "![Topology](topology.svg)", "", "## Rack elevations", "", "![Racks](racks.svg)", ""]
    lines += tco_markdown(plan)
    lines += ["## Bill of materials", "", *bom_markdown(plan).splitlines()[2:]]
    lines += ["", "## Assumptions", ""] + [f"- {markdown_text(a)}" for a in plan.assumptions]
    if plan.warnings:
        lines += ["", "## Warnings", ""] + [f"- {markdown_text(w)}" for w in plan.warnings]
    if plan.solve is not None:
        s = plan.solve
        lines += [
            "",
            f"Solved with {markdown_text(s.solver)} {markdown_text(s.solver_version)}, time limit {s.time_limit_s:g} s, {s.workers} worker(s), seed {s.seed}.",
        ]
    return "\n".join(lines) + "\n"


_CSS = """
body{font-family:'DejaVu Sans',Arial,sans-serif;margin:32px;color:#222;max-width:1400px}
h1{font-size:24px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}
th{background:#f2f2f2;text-align:left}td.num{text-align:right}.summary td:first-child{font-weight:bold;white-space:nowrap}
.picture{overflow-x:auto;border:1px solid #eee;padding:8px}.picture svg{max-width:100%;height:auto}
li{font-size:13px;margin:2px 0}.warn{color:#8a3b00}pre{font-size:11px;background:#f8f8f8;padding:8px;overflow-x:auto}
.rows .picture+.picture{border-top:0}td.source{min-width:14em}
"""

# Printing (a PDF of the proposal): A4 or Letter, a page per major section, each picture scaled to
# the page's width (the topology on a landscape page, rack elevations a row at a time, never cut),
# table rows and list items kept whole, the BOM smaller so its source column wraps by phrase.
_PRINT_CSS = """
@page{size:A4;margin:12mm}
@page wide{size:A4 landscape;margin:12mm}
@media print{
body{margin:0;max-width:none}h1{margin-top:0}
h2{break-before:page;break-after:avoid;margin-top:0}
.picture{border:0;padding:0;overflow:visible;break-inside:avoid}.picture svg{width:100%;height:auto;max-width:100%}
.topology{page:wide}.topology svg{max-height:165mm}.rows .picture+.picture{margin-top:4mm}
tr,li{break-inside:avoid}table{font-size:10px}table.bom{font-size:9px}td.source{min-width:16em}td.item{min-width:9em}td.num{white-space:nowrap}
}
"""


def _table(
    head: tuple[str, ...],
    rows: list[tuple[str, ...]],
    numeric: frozenset[int] = frozenset(),
    *,
    name: str = "",
    classes: dict[int, str] | None = None,
) -> str:
    """A table; ``numeric`` columns right-aligned, ``classes`` a CSS class per column (print widths)."""
    kinds = {**dict.fromkeys(numeric, "num"), **(classes or {})}
    opening = f'<table class="{name}">' if name else "<table>"
    out = [opening + "<thead><tr>" + "".join(f"<th>{xml_text(h)}</th>" for h in head) + "</tr></thead>"]
    for row in rows:
        cells = "".join(
            f'<td class="{kinds[i]}">{xml_text(c)}</td>' if i in kinds else f"<td>{xml_text(c)}</td>" for i, c in enumerate(row)
        )
        out.append(f"<tr>{cells}</tr>")
    return "".join(out) + "</table>"


def _strip_xml_prolog(svg: str) -> str:
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def report_html(plan: Plan, topology_svg: str | None, racks_svg: str | Sequence[str], topology_dot: str) -> str:
    """A page that needs no other file: both pictures inline (the racks as one SVG or one per row), tables, assumptions."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Cluster proposal: {xml_text(plan.name)}</title><style>{_CSS}{_PRINT_CSS}</style></head><body>",
        f"<h1>Cluster proposal: {xml_text(plan.name)}</h1>",
        '<table class="summary">'
        + "".join(f"<tr><td>{xml_text(k)}</td><td>{xml_text(v)}</td></tr>" for k, v in _rows(plan))
        + "</table>",
    ]
    if plan.workloads:
        parts += ["<h2>Time-to-model</h2>", _table(_WORKLOAD_HEAD, _workload_rows(plan))]
        layouts = layout_lines(plan)
        if layouts:
            parts.append("<ul>" + "".join(f"<li>{xml_text(line)}</li>" for line in layouts) + "</ul>")
    parts.append('<section class="topology"><h2>Topology</h2>')
    if topology_svg is not None:
        parts.append(f'<div class="picture" id="topology">{_strip_xml_prolog(topology_svg)}</div>')
    else:
        parts.append("<p>Graphviz was not installed when this report was made; the diagram's DOT source:</p>")
        parts.append(f"<pre>{html.escape(topology_dot)}</pre>")  # many lines: escaped, not joined
    parts.append("</section>")
    racks = [racks_svg] if isinstance(racks_svg, str) else racks_svg  # one picture, or one per row of racks
    pictures = "".join(f'<div class="picture">{svg}</div>' for svg in racks)
    parts += ["<h2>Rack elevations</h2>", f'<div class="rows" id="racks">{pictures}</div>', *tco_html(plan)]
    parts.append("<h2>Bill of materials</h2>")
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
        t = plan.totals
        rows.append(
            (
                "total",
                "",
                "",
                "",
                "",
                f"{t.cost:,.0f}",
                f"{sum(b.total_power_w for b in plan.bom):,.0f}",
                str(sum(b.rack_units for b in plan.bom)),
                "",
            )
        )
    parts.append(_table(head, rows, numeric=frozenset({3, 4, 5, 6, 7}), name="bom", classes={1: "item", 8: "source"}))
    parts += ["<h2>Assumptions</h2>", "<ul>" + "".join(f"<li>{xml_text(a)}</li>" for a in plan.assumptions) + "</ul>"]
    if plan.warnings:
        parts += ["<h2>Warnings</h2>", "<ul>" + "".join(f'<li class="warn">{xml_text(w)}</li>' for w in plan.warnings) + "</ul>"]
    if plan.solve is not None:
        s = plan.solve
        parts.append(
            f"<p>Solved with {xml_text(s.solver)} {xml_text(s.solver_version)}, time limit {s.time_limit_s:g} s, "
            f"{s.workers} worker(s), seed {s.seed}.</p>"
        )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _virtual(stages: int) -> str:
    return f", {stages} virtual stages" if stages > 1 else ""
