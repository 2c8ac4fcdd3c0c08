"""Pure functions of a Plan that return text; nothing here knows that a solver exists."""

from .bom import bom_csv, bom_markdown
from .bundle import render_bundle
from .racks import rack_elevations_svg
from .report import report_html, report_markdown
from .summary import summary_text
from .topology import topology_dot

__all__ = [
    "bom_csv",
    "bom_markdown",
    "rack_elevations_svg",
    "render_bundle",
    "report_html",
    "report_markdown",
    "summary_text",
    "topology_dot",
]
