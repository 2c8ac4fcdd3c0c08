"""The topology's legend: a cell per role drawn (colours as in every picture, ``common/theme.py``)
and a sample of each kind of line, under the diagram's heading.

Heading and legend are the graph's label (an HTML-like table), so the legend takes no rank and no
room beside the diagram: a column at the side took a quarter of a small plan's width, and a wide
picture prints small on a page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.common.escape import dot_html_text
from primeflex_iac.common.theme import EDGE_COLOURS, EXISTING_COLOURS, ROLE_COLOURS

if TYPE_CHECKING:
    import graphviz

__all__ = ["EXISTING_STYLE", "ROLE_TEXT", "UPGRADED_STYLE", "add_legend", "line_samples"]

SPACERS = 12
ROLE_TEXT = {
    "fabric": "fabric switch",
    "compute": "compute nodes",
    "head": "head node",
    "storage": "storage",
    "management": "management switch",
    "rail": "rail group of nodes",
    "existing": "existing (installed)",
    "upgraded": "existing nodes, new GPU cards",
}
# an existing site's boxes: installed ones grey; its nodes that take new cards grey with a compute-blue border
EXISTING_STYLE = {
    "style": "rounded,filled,dashed",
    "fillcolor": EXISTING_COLOURS["fill"],
    "color": EXISTING_COLOURS["line"],
    "fontcolor": EXISTING_COLOURS["text"],
}
UPGRADED_STYLE = {**EXISTING_STYLE, "style": "rounded,filled", "color": "#3d85c6", "penwidth": "2"}


def line_samples(*, storage: bool, bundles: bool, existing: bool = False) -> list[tuple[str, dict[str, str]]]:
    """(text, edge attributes) of each kind of line the diagram draws."""
    samples = [("fabric: count x speed", {"color": EDGE_COLOURS["fabric"], "penwidth": "1"})]
    if bundles:
        samples.append(("all links between levels", {"color": EDGE_COLOURS["fabric"], "penwidth": "2.5"}))
    samples.append(("management 1 GbE", {"color": EDGE_COLOURS["management"], "style": "dashed"}))
    if storage:
        samples.append(("storage FC / SAS", {"color": EDGE_COLOURS["storage"]}))
    if existing:
        samples.append(("existing cabling", {"color": EXISTING_COLOURS["line"], "style": "dashed"}))
    return samples


def add_legend(
    graph: graphviz.Graph,
    heading: list[str],
    roles: list[str],
    lines: list[tuple[str, dict[str, str]]],
    title: str = "legend",
) -> None:
    """The diagram's heading (its lines) with the legend under it, as the graph's label: ``roles`` (keys of
    ROLE_TEXT) in a row of coloured cells, ``lines`` (line_samples) in a row below."""
    role_cells = "".join(_role_cell(role) for role in roles)
    line_cells = "".join(_line_cell(text, attrs) for text, attrs in lines)
    # under a heading wider than the legend, `dot` shares the spare width out over the columns:
    # empty ones left of the legend take all but 1 / (SPACERS + 1) of it, and the legend keeps
    # about its own width, at the right
    spacer = "<TD></TD>" * SPACERS
    table = (
        '<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">'
        f'<TR><TD COLSPAN="{SPACERS + 1}"><FONT POINT-SIZE="14">{"<BR/>".join(dot_html_text(line) for line in heading)}</FONT></TD></TR>'
        f"<TR>{spacer}"
        '<TD><TABLE BORDER="1" COLOR="#bbbbbb" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1" STYLE="rounded">'
        f'<TR><TD ROWSPAN="2"><FONT POINT-SIZE="10" COLOR="#333333">{dot_html_text(title)}</FONT></TD>'
        f'<TD><TABLE BORDER="0" CELLBORDER="1" CELLSPACING="4" CELLPADDING="2"><TR>{role_cells}</TR></TABLE></TD></TR>'
        f'<TR><TD><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="0"><TR>{line_cells}</TR></TABLE></TD></TR>'
        "</TABLE></TD></TR></TABLE>"
    )
    graph.attr(label=f"<{table}>")


def _role_cell(role: str) -> str:
    if role in ("existing", "upgraded"):
        style = EXISTING_STYLE if role == "existing" else UPGRADED_STYLE
        fill, colour, text = style["fillcolor"], style["color"], style.get("fontcolor", "#000000")
    else:
        fill = ROLE_COLOURS["blank" if role == "rail" else role]
        colour, text = "#000000", "#000000"
    return (
        f'<TD BGCOLOR="{fill}" COLOR="{colour}"><FONT POINT-SIZE="10" COLOR="{text}">{dot_html_text(ROLE_TEXT[role])}</FONT></TD>'
    )


def _line_cell(text: str, attrs: dict[str, str]) -> str:
    # a line sample in box-drawing characters of the line's colour: dashed, heavy (a bundle) or plain
    if attrs.get("style") == "dashed":
        sample = "\u254c\u254c\u254c"
    elif float(attrs.get("penwidth", "1")) > 2:
        sample = "\u2501\u2501\u2501"
    else:
        sample = "\u2500\u2500\u2500"
    return (
        f'<TD><FONT POINT-SIZE="10" COLOR="{attrs["color"]}">{sample}</FONT>'
        f' <FONT POINT-SIZE="10" COLOR="#333333">{dot_html_text(text)}</FONT></TD>'
    )
