"""The topology's legend: a box per role drawn (colours as in every picture, ``common/theme.py``)
and a sample of each kind of line, in rows beside the diagram.

Each row is a rank of its own (``rank=same``) and the rows hang on one invisible chain, so the
legend is a column a few ranks tall placed at the side; a line sample ends at its text (a node
without a border), since a label on a flat edge would add a rank.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.common.theme import EDGE_COLOURS, EXISTING_COLOURS, FONT, ROLE_COLOURS

if TYPE_CHECKING:
    import graphviz

__all__ = ["EXISTING_STYLE", "ROLE_TEXT", "UPGRADED_STYLE", "add_legend", "line_samples"]

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


def add_legend(graph: graphviz.Graph, roles: list[str], lines: list[tuple[str, dict[str, str]]], title: str = "legend") -> None:
    """The legend as a cluster of ``graph``: ``roles`` (keys of ROLE_TEXT) and ``lines`` (line_samples)."""
    with graph.subgraph(name="cluster_legend") as box:
        box.attr(label=title, style="rounded", color="#bbbbbb", fontname=FONT, fontsize="10")
        box.attr("node", fontsize="10", margin="0.08,0.03", height="0.3")
        previous = ""
        for index in range(max(len(roles), len(lines))):
            with box.subgraph(name=f"legend_row_{index}") as row:
                row.attr(rank="same")
                first = ""
                if index < len(roles):
                    role = roles[index]
                    first = f"legend_{role}"
                    if role in ("existing", "upgraded"):
                        row.node(first, ROLE_TEXT[role], **(EXISTING_STYLE if role == "existing" else UPGRADED_STYLE))
                    elif role == "rail":
                        row.node(first, ROLE_TEXT[role], shape="note", style="filled", fillcolor=ROLE_COLOURS["blank"])
                    else:
                        row.node(first, ROLE_TEXT[role], fillcolor=ROLE_COLOURS[role])
                if index < len(lines):
                    text, attrs = lines[index]
                    start, end = f"legend_line_{index}", f"legend_line_{index}_text"
                    row.node(start, "", shape="point", width="0.04", color=attrs["color"])
                    row.node(end, text, shape="plaintext", style="", fontcolor="#333333")
                    row.edge(start, end, **attrs)
                    if first:  # the role's box left of the line
                        row.edge(first, start, style="invis")
                    first = first or start
            if previous:
                box.edge(previous, first, style="invis")
            previous = first
