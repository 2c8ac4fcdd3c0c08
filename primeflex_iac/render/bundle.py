"""Every output file of a plan, by name: the plan itself, the BOM, the pictures and the report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.render.bom import bom_csv, bom_markdown
from primeflex_iac.render.dot import DOT_MISSING, render_dot
from primeflex_iac.render.racks import rack_elevation_rows, rack_elevations_svg
from primeflex_iac.render.report import report_html, report_markdown
from primeflex_iac.render.topology import topology_dot

if TYPE_CHECKING:
    from pathlib import Path

    from primeflex_iac.plan.model import Plan

__all__ = ["render_bundle"]


def render_bundle(
    plan: Plan, *, pictures: bool = True, pdf: bool = False, template_dir: Path | None = None
) -> tuple[dict[str, str | bytes], list[str]]:
    """(files by name, warnings). Without `dot` the topology is written as DOT text only, with one warning.

    ``template_dir``: the user's report templates (report.html.j2, report.md.j2) over the defaults;
    a template that fails raises TemplateError here, before any file is written.
    """
    files: dict[str, str | bytes] = {"plan.json": plan.to_json(), "bom.csv": bom_csv(plan), "bom.md": bom_markdown(plan)}
    warnings: list[str] = []
    if not pictures:
        return files, warnings
    dot_source = topology_dot(plan)
    racks_svg = rack_elevations_svg(plan)
    files["topology.gv"] = dot_source
    files["racks.svg"] = racks_svg
    rendered = render_dot(dot_source, ("svg", "png", "pdf") if pdf else ("svg", "png"))
    topology_svg = None
    if rendered is None:
        warnings.append(DOT_MISSING)
    else:
        topology_svg = rendered["svg"].decode("utf-8")
        files["topology.svg"] = topology_svg
        files["topology.png"] = rendered["png"]
        if pdf:
            files["topology.pdf"] = rendered["pdf"]
    files["report.md"] = report_markdown(plan, template_dir)
    files["report.html"] = report_html(plan, topology_svg, rack_elevation_rows(plan), dot_source, template_dir)
    return files, warnings
