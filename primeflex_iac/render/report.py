"""The proposal report: a Markdown file and a self-contained HTML page (pictures inline) with the
plan's summary, the estimate for each workload, the bill of materials and every assumption.

Both are rendered from Jinja2 templates (``render/templates/``); ``template_dir`` names a folder of
the user's whose report.html.j2 and report.md.j2, where present, replace the defaults
(``render/template.py``; the variables and blocks: docs/report-templates.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.render.report_context import report_context
from primeflex_iac.render.template import HTML_TEMPLATE, MARKDOWN_TEMPLATE, render_template

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from primeflex_iac.plan.model import Plan

__all__ = ["report_html", "report_markdown"]


def report_markdown(plan: Plan, template_dir: Path | None = None) -> str:
    """The report in Markdown; its pictures are links to topology.svg and racks.svg beside it."""
    return render_template(MARKDOWN_TEMPLATE, report_context(plan), template_dir)


def report_html(
    plan: Plan,
    topology_svg: str | None,
    racks_svg: str | Sequence[str],
    topology_dot: str,
    template_dir: Path | None = None,
) -> str:
    """A page that needs no other file: both pictures inline (the racks as one SVG or one per row), tables, assumptions.

    Without ``topology_svg`` (no Graphviz) the page shows the diagram's DOT source instead.
    """
    return render_template(HTML_TEMPLATE, report_context(plan, topology_svg, racks_svg, topology_dot), template_dir)
