"""The topology's parts shared by a new cluster's diagram (``topology``) and an existing site's
(``topology_existing``): the graph and its title, node ids, boxes and edges, racks folded above
FOLD_RACKS, the storage cluster and the edges from endpoints to their leaves."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

import graphviz

from primeflex_iac.common.devices import CONTROLLER_SHELF, DRIVE_ENCLOSURE, MDT_SHELF
from primeflex_iac.common.escape import dot_label, dot_text
from primeflex_iac.common.theme import EDGE_COLOURS, FONT, ROLE_COLOURS
from primeflex_iac.plan.cabling import ComputeGroup
from primeflex_iac.render.rack_groups import short_model_name

if TYPE_CHECKING:
    from primeflex_iac.plan.cabling import Layout
    from primeflex_iac.plan.model import Device, Plan

__all__ = [
    "FOLD_RACKS",
    "FOLD_SWITCHES",
    "box",
    "edge",
    "fabric_edges",
    "fold_racks",
    "heading",
    "new_graph",
    "node_key",
    "span",
    "storage_cluster",
    "switch_key",
]

FOLD_SWITCHES = 8
FOLD_RACKS = 2  # a wider row of racks prints too small on a page (the legibility test's bar)
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")


def new_graph(plan: Plan) -> tuple[graphviz.Graph, str]:
    """The diagram's graph with its default styles, and the fabric's link ("100 Gb/s InfiniBand"); its
    label, the heading with the legend, is ``topology_legend.add_legend``'s."""
    fabric = plan.fabric
    assert fabric is not None
    graph = graphviz.Graph(name=dot_text(plan.name), strict=False)
    graph.attr(
        rankdir="TB",
        newrank="true",
        nodesep="0.25",
        ranksep="0.5",
        fontname=FONT,
        fontsize="14",
        labelloc="t",
        splines="spline",
        compound="true",
    )
    graph.attr("node", shape="box", style="rounded,filled", fontname=FONT, fontsize="10", margin="0.12,0.06")
    graph.attr("edge", fontname=FONT, fontsize="10", color=EDGE_COLOURS["fabric"], fontcolor="#444444")
    family = {"infiniband": "InfiniBand", "omni-path": "Omni-Path", "ethernet": "Ethernet"}[fabric.family]
    return graph, f"{fabric.link_gbps} Gb/s {family}"


def heading(plan: Plan) -> list[str]:
    """The diagram's heading: the plan's name, then what was planned, on lines of their own (a long
    summary beside the name would widen the picture, which would print it smaller). Always two
    lines, whatever the texts hold."""
    return [plan.name, plan.message]


def span(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]}–{names[-1]}"


def node_key(text: str) -> str:
    """A node id: every id is one of these, so names (host names already) can never be DOT syntax,
    an HTML-like ``<...>`` id or an edge's ``node:port``."""
    return dot_text(_UNSAFE_ID.sub("_", text))


def box(graph: graphviz.Graph, key: str, label: str, role: str) -> None:
    # lines are broken where the code says, never by the length of a name: the SVG's structure
    # (a text element a line) is the same for every name
    graph.node(node_key(key), dot_label(*label.split("\n")), fillcolor=ROLE_COLOURS[role])


def edge(graph: graphviz.Graph, tail: str, head: str, **attrs: str) -> None:
    graph.edge(node_key(tail), node_key(head), **attrs)


def switch_key(level: str, names: list[str], index: int) -> str:
    return level if len(names) > FOLD_SWITCHES else names[index]


def fold_racks(groups: tuple[ComputeGroup, ...], installed: frozenset[str] = frozenset()) -> list[ComputeGroup]:
    """Above FOLD_RACKS racks, consecutive racks holding the same number of nodes become one box (an
    existing site's ``installed`` racks only with each other: they are drawn apart from new ones)."""
    if len(groups) <= FOLD_RACKS:
        return list(groups)
    runs: list[list[ComputeGroup]] = []
    for group in groups:
        alike = runs and (runs[-1][0].rack in installed) == (group.rack in installed)
        if alike and len(runs[-1][0].nodes) == len(group.nodes):
            runs[-1].append(group)
        else:
            runs.append([group])
    folded = []
    for run in runs:
        first, last = run[0].rack, run[-1].rack
        label = first if len(run) == 1 else f"{first}–{last}: {len(run)} racks, {len(run[0].nodes)} nodes each"
        nodes = tuple(node for group in run for node in group.nodes)
        enclosures = tuple(e for group in run for e in group.enclosures)
        folded.append(ComputeGroup(f"{first}" if len(run) == 1 else f"{first}_{last}", label, nodes, enclosures))
    return folded


def fabric_edges(
    graph: graphviz.Graph, layout: Layout, key: str, endpoints: list[str], level: str, leaf_names: list[str], link: str
) -> None:
    counts: Counter[str] = Counter()
    for name in endpoints:
        for leaf in layout.leaf_ports.get(name, ()):
            counts[switch_key(level, leaf_names, leaf)] += 1
    for target in sorted(counts):
        edge(graph, target, key, label=f"{counts[target]}x {link}")


def storage_cluster(
    graph: graphviz.Graph,
    plan: Plan,
    layout: Layout,
    level: str,
    leaf_names: list[str],
    link: str,
    container: graphviz.Graph,
    racks: list[str] | None = None,
) -> None:
    """The storage box, drawn in ``container`` (a rack's box, or the graph with the ``racks`` it
    sits in named); its edges go on ``graph`` so that no switch is pulled into the box."""
    if plan.storage is None:
        return
    where = f"; in {span(racks)}" if racks else ""
    with container.subgraph(name="cluster_storage") as storage:
        storage.attr(
            label=dot_text(f"storage: {plan.storage.file_system}, {plan.storage.usable_tib:,.1f} TiB usable{where}"),
            style="dashed",
            color="#38761d",
            fontname=FONT,
            fontsize="10",
        )
        servers = list(layout.storage_servers)
        box(
            storage,
            "storage_servers",
            f"{span(servers)}\n{len(servers)}x storage server\n{short_model_name(plan, plan.storage.server)}",
            "storage",
        )
        by_kind: dict[str, list[Device]] = {}
        for shelf in layout.storage_shelves:
            by_kind.setdefault(shelf.catalog_id, []).append(shelf)
        keys = {}
        for catalog_id in sorted(by_kind):
            shelves = sorted(by_kind[catalog_id], key=lambda d: d.name)
            keys[catalog_id] = key = f"shelves_{catalog_id}"
            names = [s.name for s in shelves]
            box(storage, key, f"{span(names)}\n{len(names)}x {short_model_name(plan, catalog_id)}", "storage")
        fc = {"label": "FC 32 Gb/s", "color": EDGE_COLOURS["storage"], "fontcolor": EDGE_COLOURS["storage"]}
        sas = {**fc, "label": "SAS 12 Gb/s"}
        controllers = [k for c, k in keys.items() if by_kind[c][0].name.startswith((CONTROLLER_SHELF, MDT_SHELF))]
        enclosures = [k for c, k in keys.items() if by_kind[c][0].name.startswith(DRIVE_ENCLOSURE)]
        for key in controllers:
            edge(graph, "storage_servers", key, **fc)
        for key in enclosures:
            for controller in controllers:
                if controller.startswith("shelves_") and by_kind[controller.removeprefix("shelves_")][0].name.startswith(
                    CONTROLLER_SHELF
                ):
                    edge(graph, controller, key, **sas)
    fabric_edges(graph, layout, "storage_servers", servers, level, leaf_names, link)
