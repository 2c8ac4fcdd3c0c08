"""The topology of a plan for an existing site (``plan.existing``): what is installed in grey, what
the plan adds in colour, and the new cables between them.

The installed cluster is one grey box ("existing cluster") holding its fabric ("existing InfiniBand
EDR fabric: 12 free leaf ports, 1 used by new nodes"), its head node, its storage, and per group
of installed nodes a box of the nodes that take GPU cards (grey with a blue border: existing nodes,
new cards) and one of the nodes left as they are. New nodes are drawn per rack as on a new cluster
("r01 (existing)" where they go into an installed rack), new leaves above them; new ports take the
installed fabric's free leaf ports first, in the order of the nodes, the rest the new leaves (as
the solver counts them), and the new leaves' uplinks go to the installed spines' free ports.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from typing import TYPE_CHECKING

from primeflex_iac.common.devices import SINGLE_SWITCH, management_aggregation_name, management_switch_name, switch_names
from primeflex_iac.common.escape import dot_label, dot_text
from primeflex_iac.common.hostlist import compress
from primeflex_iac.common.theme import EDGE_COLOURS, EXISTING_COLOURS, FONT
from primeflex_iac.plan.cabling import layout_of
from primeflex_iac.render.rack_groups import model_names, short_model_name
from primeflex_iac.render.topology_legend import EXISTING_STYLE, UPGRADED_STYLE, add_legend, line_samples
from primeflex_iac.render.topology_parts import (
    FOLD_SWITCHES,
    box,
    edge,
    fold_racks,
    heading,
    new_graph,
    node_key,
    span,
    storage_cluster,
)

if TYPE_CHECKING:
    import graphviz

    from primeflex_iac.plan.cabling import Layout
    from primeflex_iac.plan.existing_model import ExistingGroupPlan, ExistingSitePlan
    from primeflex_iac.plan.model import Plan

__all__ = ["EXISTING_FABRIC", "existing_topology_dot"]

EXISTING_FABRIC = "existing_fabric"  # the node id of the installed fabric
_GREY_EDGE = {"color": EXISTING_COLOURS["line"], "fontcolor": EXISTING_COLOURS["text"], "style": "dashed"}
_MANAGEMENT = {"style": "dashed", "color": EDGE_COLOURS["management"], "fontcolor": EDGE_COLOURS["management"]}


def _grey(graph: graphviz.Graph, key: str, label: str, style: dict[str, str] = EXISTING_STYLE) -> None:
    graph.node(node_key(key), dot_label(*label.split("\n")), **style)


def _new_levels(plan: Plan, site: ExistingSitePlan) -> list[tuple[str, list[str]]]:
    """The new switches by level, lowest first (none when every new port is on a free leaf port)."""
    fabric = plan.fabric
    assert fabric is not None
    if site.fabric is None and fabric.tiers == 1:
        return [(SINGLE_SWITCH, switch_names(SINGLE_SWITCH, 1))]
    leaves, spines, cores = fabric.leaf_switches, fabric.spine_switches, fabric.core_switches
    levels = [
        ("leaf", switch_names("leaf", leaves)),
        ("spine", switch_names("spine", spines)),
        ("core", switch_names("core", cores)),
    ]
    return [(level, names) for level, names in levels if names]


def _ports(plan: Plan, site: ExistingSitePlan, layout: Layout, leaves: list[str]) -> dict[str, list[str]]:
    """Endpoint -> the box each of its ports reaches: the installed fabric's free leaf ports first
    (``leaf_ports_used`` of them), then the new leaves in order, ceil(rest / leaves) each."""
    adapters = plan.compute[0].fabric_adapters_per_node if plan.compute else 0
    endpoints = [name for name in layout.compute_nodes for _ in range(adapters)] + list(layout.storage_servers)
    free = site.fabric.leaf_ports_used if site.fabric is not None else 0
    rest = len(endpoints) - free
    folded = len(leaves) > FOLD_SWITCHES
    per_leaf = max(-(-rest // max(len(leaves), 1)), 1)
    ports: dict[str, list[str]] = {}
    for index, name in enumerate(endpoints):
        if index < free or not leaves:
            target = EXISTING_FABRIC
        else:
            target = "leaf" if folded else leaves[min((index - free) // per_leaf, len(leaves) - 1)]
        ports.setdefault(name, []).append(target)
    return ports


def _port_edges(graph: graphviz.Graph, ports: dict[str, list[str]], key: str, endpoints: list[str], link: str) -> None:
    counts = Counter(target for name in endpoints for target in ports.get(name, ()))
    for target in sorted(counts):
        free = " (free leaf ports)" if target == EXISTING_FABRIC else ""
        edge(graph, target, key, label=f"{counts[target]}x {link}{free}")


def _fabric_label(plan: Plan, site: ExistingSitePlan) -> str:
    fabric = plan.fabric
    assert fabric is not None and site.fabric is not None
    use = site.fabric
    lines = [f"existing {fabric.name} fabric", f"{use.free_leaf_ports} free leaf ports: {use.leaf_ports_used} used by new ports"]
    if use.free_spine_ports or use.spine_ports_used:
        by = "new spines" if use.new_spines else "new leaves"
        lines.append(f"{use.free_spine_ports} free spine ports: {use.spine_ports_used} used by {by}")
    if use.join_leaf_ports:
        lines.append(f"{use.join_leaf_ports} free leaf ports used by new spines")
    return "\n".join(lines)


def _group_boxes(graph: graphviz.Graph, plan: Plan, group: ExistingGroupPlan) -> None:
    """An installed group: the nodes that take cards (when some do), and those left as they are."""
    others = len(group.hosts) - len(group.upgraded)
    if group.upgraded:
        entry = next((e for e in plan.compute if e.existing_group == group.name), None)
        gpu = entry.gpu_name.replace("NVIDIA ", "") if entry is not None else group.gpu
        racks = ", ".join(group.upgraded_by_rack)
        key = f"existing_{group.name}_upgraded"
        label = (
            f"{group.name}: {compress(group.upgraded)} ({len(group.upgraded)} existing nodes in {racks})\n"
            f"+{group.gpus_per_node}x {gpu} each (new cards)"
        )
        _grey(graph, key, label, UPGRADED_STYLE)
        edge(graph, EXISTING_FABRIC, key, label=f"{len(group.upgraded)} nodes, installed ports", **_GREY_EDGE)
    if others:
        key = f"existing_{group.name}_kept"
        _grey(graph, key, f"{group.name}: {others:,} nodes, CPU-only, untouched\n(at least {group.kept:,} kept for HPC work)")
        edge(graph, EXISTING_FABRIC, key, label=f"{others:,} nodes", **_GREY_EDGE)


def _existing_site(graph: graphviz.Graph, plan: Plan, site: ExistingSitePlan) -> None:
    """The installed cluster in one grey box: fabric, head node, storage, node groups."""
    with graph.subgraph(name="cluster_existing_site") as installed:
        installed.attr(
            label=dot_text("existing cluster (installed)"),
            style="dashed",
            color=EXISTING_COLOURS["line"],
            fontcolor=EXISTING_COLOURS["text"],
            fontname=FONT,
            fontsize="10",
        )
        if site.fabric is not None:
            _grey(installed, EXISTING_FABRIC, _fabric_label(plan, site))
        _grey(installed, site.head_node, f"{site.head_node}\nexisting head node")
        if site.storage is not None:
            how = "extended by the new storage" if site.storage.extended else "used as is"
            label = f"existing {site.storage.file_system}: {site.storage.usable_tib:,.0f} TiB, {site.storage.read_gbs:,.1f} GB/s\n{how}"
            _grey(installed, "existing_storage", label)
            if site.fabric is not None:
                edge(installed, EXISTING_FABRIC, "existing_storage", **_GREY_EDGE)
        for group in site.groups:
            _group_boxes(installed, plan, group)


def _switches(graph: graphviz.Graph, plan: Plan, site: ExistingSitePlan, levels: list[tuple[str, list[str]]]) -> None:
    """The new switch levels, each in a box; uplinks between them, and from the highest new level to
    the installed fabric's free spine ports."""
    fabric = plan.fabric
    assert fabric is not None
    model = model_names(plan).get(fabric.switch, fabric.switch)
    for level, names in reversed(levels):
        with graph.subgraph(name=f"cluster_level_{level}") as rank:
            rank.attr(rank="same", label=dot_text(f"new: {len(names)}x {model}"), style="rounded", color="#e8c4a0")
            rank.attr(fontname=FONT, fontsize="10")
            if len(names) > FOLD_SWITCHES:
                box(rank, level, f"{span(names)}\n{len(names)}x {model}", "fabric")
                continue
            for name in names:
                box(rank, name, name, "fabric")
            for left, right in itertools.pairwise(names):
                edge(rank, left, right, style="invis")
    for (low, low_names), (high, high_names) in itertools.pairwise(levels):
        middle = (len(high_names) - 1) // 2
        upper = high if len(high_names) > FOLD_SWITCHES else high_names[middle]
        lower = low if len(low_names) > FOLD_SWITCHES else low_names[(len(low_names) - 1) // 2]
        attrs = {"ltail": f"cluster_level_{high}", "lhead": f"cluster_level_{low}", "penwidth": "2.5"}
        edge(graph, upper, lower, label=dot_label(f"{low} uplinks to the {high}s"), **attrs)
    if levels and site.fabric is not None and (site.fabric.spine_ports_used or site.fabric.join_leaf_ports):
        level, names = levels[-1]
        target = level if len(names) > FOLD_SWITCHES else names[(len(names) - 1) // 2]
        use = site.fabric
        if use.new_spines:  # a new spine level: one link per new spine, on free spine ports, then free leaf ports
            on = [
                f"{use.spine_ports_used} free spine" if use.spine_ports_used else "",
                f"{use.join_leaf_ports} free leaf" if use.join_leaf_ports else "",
            ]
            label = dot_label(f"{use.new_spines}x {fabric.name}", f"new spines' links on {' + '.join(p for p in on if p)} ports")
        else:
            label = dot_label(f"{use.spine_ports_used}x {fabric.name}", "uplinks to free spine ports")
        edge(graph, EXISTING_FABRIC, target, label=label, lhead=f"cluster_level_{level}", penwidth="2.5")


def _compute(graph: graphviz.Graph, plan: Plan, layout: Layout, ports: dict[str, list[str]], link: str) -> list[str]:
    """The new compute nodes per rack, as on a new cluster; the keys their management edges start from."""
    if not plan.compute or not layout.compute_nodes:
        return []
    entry = next((e for e in plan.compute if e.existing_group is None), plan.compute[0])
    each = f"{entry.gpus_per_node}x {entry.gpu_name.replace('NVIDIA ', '')} each"
    installed = {rack.name for rack in plan.racks if rack.existing}
    keys: list[str] = []
    for group in fold_racks(layout.groups, frozenset(installed)):
        with graph.subgraph(name=node_key(f"cluster_{group.key}")) as rack:
            existing = layout.rack_of.get(group.nodes[0]) in installed  # a folded run is all installed or all new
            label = f"{group.rack} (existing)" if existing else group.rack
            colour = EXISTING_COLOURS["line"] if existing else "#999999"
            rack.attr(label=dot_text(label), style="dashed", color=colour, fontname=FONT, fontsize="10")
            nodes = list(group.nodes)
            key = f"nodes_{group.key}"
            box(rack, key, f"{span(nodes)}\n{len(nodes)}x {entry.node_name} (new)\n{each}", "compute")
            _port_edges(graph, ports, key, nodes, link)
            keys.append(key)
    return keys


def _management(graph: graphviz.Graph, plan: Plan, site: ExistingSitePlan, sources: list[str]) -> None:
    """New management switches (when the plan adds devices), their uplinks to the site's management network."""
    fabric = plan.fabric
    assert fabric is not None
    if site.management_ports_used and site.management_switch is not None:
        # the first new devices take the site's free management ports: one edge with their count
        used = site.management_ports_used
        label = f"{site.management_switch}\nsite management switch: {used} free port{'s' if used > 1 else ''} used"
        _grey(graph, "site_management", label)
        target = sources[0] if fabric.management_switches or not sources else None
        for key in [target] if target else sources:
            edge(graph, key, "site_management", **_MANAGEMENT)
        edge(graph, site.head_node, "site_management", **_GREY_EDGE)
    if not fabric.management_switches:
        return
    aggregation = fabric.management_aggregation_switches
    names = [management_switch_name(i + 1) for i in range(fabric.management_switches - aggregation)]
    model = short_model_name(plan, fabric.management_switch)
    box(graph, "mgmt", f"{span(names)}\n{len(names)}x {model}", "management")
    for key in sources:
        edge(graph, key, "mgmt", **_MANAGEMENT)
    top = "mgmt"
    if aggregation:
        upper = [management_aggregation_name(i + 1) for i in range(aggregation)]
        box(graph, "magg", f"{span(upper)}\n{aggregation}x {model}\n(aggregation)", "management")
        edge(graph, "mgmt", "magg", label="uplinks", **_MANAGEMENT)
        top = "magg"
    edge(graph, site.head_node, top, label="to the site's management network", **_MANAGEMENT)


def existing_topology_dot(plan: Plan) -> str:
    """DOT source of the topology of a plan for an existing site."""
    site = plan.existing
    fabric = plan.fabric
    assert site is not None and fabric is not None
    layout = layout_of(plan)
    graph, link = new_graph(plan)
    _existing_site(graph, plan, site)
    levels = _new_levels(plan, site)
    _switches(graph, plan, site, levels)
    leaves = levels[0][1] if levels else []
    ports = _ports(plan, site, layout, leaves)
    sources = _compute(graph, plan, layout, ports, link)
    new_compute = bool(sources)
    if plan.storage is not None:
        racks = sorted({layout.rack_of[n] for n in layout.storage_servers if n in layout.rack_of})
        storage_cluster(graph, plan, dataclasses.replace(layout, leaf_ports={}), "leaf", leaves, link, graph, racks)
        _port_edges(graph, ports, "storage_servers", list(layout.storage_servers), link)
        sources.append("storage_servers")
        if site.storage is not None and site.storage.extended:
            edge(graph, "storage_servers", "existing_storage", label="extends", **_GREY_EDGE)
    _management(graph, plan, site, sources)
    roles = [
        *(["fabric"] if levels else []),
        *(["compute"] if new_compute else []),
        *(["storage"] if plan.storage else []),
        *(["management"] if fabric.management_switches else []),
        "existing",
        *(["upgraded"] if any(group.upgraded for group in site.groups) else []),
    ]
    lines = line_samples(
        storage=plan.storage is not None,
        bundles=(fabric.tiers > 1 and fabric.spine_switches + fabric.core_switches > 0) or fabric.switch_links > 0,
        existing=True,
    )
    drawn = {
        "fabric": bool(levels or new_compute or plan.storage),
        "management": bool(fabric.management_switches or site.management_ports_used),
    }
    lines = [(text, attrs) for text, attrs in lines if drawn.get(text.split()[0].rstrip(":"), True)]
    add_legend(graph, heading(plan), roles, lines, title="legend: colour = new, grey = existing")
    source: str = graph.source
    return source
