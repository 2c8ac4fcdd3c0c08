"""The cluster's topology as a Graphviz diagram: switches by level, compute per rack, storage,
management network, with links labelled by technology, speed and count.

Every size stays readable, on screen and printed: each rack's nodes are one box ("cn001–cn020,
20x RX2540 M5, 2x V100 PCIe 32GB each"); above FOLD_SWITCHES switches in a level, the level is
one box. A rail-optimised fabric draws its rail groups between the compute nodes and the leaves
("rail group 1: cn001–cn032, adapter i → leaf i of leaf01–leaf08"); above FOLD_RACKS groups,
consecutive groups of the same size are one box. Identifiers come from device names and everything is emitted in sorted order, so the
DOT text is the same for the same plan. A plan for an existing site is drawn by ``topology_existing``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import TYPE_CHECKING

from graphviz.quoting import quote

from primeflex_iac.common.devices import (
    SINGLE_SWITCH,
    head_name,
    management_aggregation_name,
    management_switch_name,
    switch_names,
)
from primeflex_iac.common.escape import dot_label, dot_text
from primeflex_iac.common.naming import natural_key
from primeflex_iac.common.theme import EDGE_COLOURS, FONT, ROLE_COLOURS
from primeflex_iac.demand.fat_tree import leaf_down_ports
from primeflex_iac.plan.cabling import layout_of
from primeflex_iac.render.rack_groups import model_names, short_model_name
from primeflex_iac.render.topology_existing import existing_topology_dot
from primeflex_iac.render.topology_legend import add_legend, line_samples
from primeflex_iac.render.topology_parts import (
    FOLD_RACKS,
    FOLD_SWITCHES,
    box,
    edge,
    fabric_edges,
    fold_racks,
    heading,
    new_graph,
    node_key,
    span,
    storage_cluster,
    switch_key,
)

if TYPE_CHECKING:
    import graphviz

    from primeflex_iac.plan.cabling import Layout, RailGroup
    from primeflex_iac.plan.model import Plan

__all__ = ["FOLD_SWITCHES", "topology_dot"]


def _levels(plan: Plan) -> list[tuple[str, list[str]]]:
    fabric = plan.fabric
    assert fabric is not None
    if fabric.tiers == 1:
        return [(SINGLE_SWITCH, switch_names(SINGLE_SWITCH, 1))]
    levels: list[tuple[str, list[str]]] = [("leaf", switch_names("leaf", fabric.leaf_switches))]
    levels.append(("spine", switch_names("spine", fabric.spine_switches)))
    if fabric.core_switches:
        levels.append(("core", switch_names("core", fabric.core_switches)))
    return levels


def topology_dot(plan: Plan) -> str:
    """DOT source of the plan's topology."""
    fabric = plan.fabric
    if fabric is None:
        name, label = quote(dot_text(plan.name)), quote(dot_text(f"{plan.name}: no plan ({plan.status})"))
        return f"graph {name} {{ label={label} }}\n"
    if plan.existing is not None:  # what the plan adds to an installed cluster, beside it in grey
        return existing_topology_dot(plan)
    layout = layout_of(plan)
    graph, link = new_graph(plan)

    models = model_names(plan)
    switch_model = models.get(fabric.switch, fabric.switch)
    levels = _levels(plan)
    for level, names in reversed(levels):
        if len(names) > FOLD_SWITCHES:
            with graph.subgraph(name=f"rank_{level}") as rank:
                rank.attr(rank="same")
                box(rank, level, f"{span(names)}\n{len(names)}x {switch_model}", "fabric")
            continue
        # a level's switches in a box of their own (the end of the bundled edge between levels),
        # in the declared order: invisible edges between neighbours fix it, where dot would
        # otherwise order them by its crossing minimisation (spine01, spine04, spine02 ...)
        with graph.subgraph(name=f"cluster_level_{level}") as rank:
            label = f"{len(names)}x {switch_model}" if len(names) > 1 else switch_model
            rank.attr(rank="same", label=dot_text(label), style="rounded", color="#e8c4a0", fontname=FONT, fontsize="10")
            for name in names:
                box(rank, name, name, "fabric")
            for left, right in itertools.pairwise(names):
                edge(rank, left, right, style="invis")
    _inter_switch_links(graph, plan, levels)

    leaf_level, leaf_names = levels[0]
    compute = plan.compute[0] if plan.compute else None
    rail_of = _rail_groups(graph, layout, leaf_level, leaf_names, link)
    # the head node and the storage are drawn inside the rack box they are placed in, when that
    # rack holds compute too (a rack box of their own otherwise says where they are)
    head = head_name()
    head_rack = layout.rack_of.get(head)
    storage_names = [*layout.storage_servers, *(shelf.name for shelf in layout.storage_shelves)]
    storage_racks = sorted({layout.rack_of[n] for n in storage_names if n in layout.rack_of}, key=natural_key)
    storage_rack = storage_racks[0] if len(storage_racks) == 1 else None
    drawn_head = drawn_storage = False
    for group in fold_racks(layout.groups):
        with graph.subgraph(name=node_key(f"cluster_{group.key}")) as rack:
            rack.attr(label=dot_text(group.rack), style="dashed", color="#999999", fontname=FONT, fontsize="10")
            assert compute is not None
            each = f"{compute.gpus_per_node}x {compute.gpu_name.replace('NVIDIA ', '')} each"
            key = f"nodes_{group.key}"
            nodes = list(group.nodes)
            box(rack, key, f"{span(nodes)}\n{len(nodes)}x {compute.node_name}\n{each}", "compute")
            _compute_edges(graph, layout, rail_of, key, nodes, leaf_level, leaf_names, link)
            if group.key == head_rack:
                box(rack, head, f"{head}\nhead node", "head")
                drawn_head = True
            if group.key == storage_rack:
                storage_cluster(graph, plan, layout, leaf_level, leaf_names, link, rack)
                drawn_storage = True

    if not drawn_storage:
        storage_cluster(graph, plan, layout, leaf_level, leaf_names, link, graph, storage_racks)
    if not drawn_head:
        where = f"\nin {head_rack}" if head_rack else ""
        box(graph, head, f"{head}\nhead node{where}", "head")
    fabric_edges(graph, layout, head, [head], leaf_level, leaf_names, link)
    _management(graph, plan, layout, levels)
    roles = [
        "fabric",
        *(["compute"] if plan.compute else []),
        "head",
        *(["storage"] if plan.storage else []),
        "management",
        *(["rail"] if rail_of else []),
    ]
    add_legend(graph, heading(plan), roles, line_samples(storage=plan.storage is not None, bundles=fabric.tiers > 1))
    source: str = graph.source
    return source


def _compute_edges(
    graph: graphviz.Graph,
    layout: Layout,
    rail_of: dict[str, str],
    key: str,
    nodes: list[str],
    level: str,
    leaf_names: list[str],
    link: str,
) -> None:
    """Compute nodes to their leaves, or to their rail groups' boxes when the fabric has rails."""
    if not rail_of:
        fabric_edges(graph, layout, key, nodes, level, leaf_names, link)
        return
    counts = Counter(rail_of[node] for node in nodes)
    for target in sorted(counts):
        edge(graph, target, key, label=f"{counts[target]} node{'s' if counts[target] > 1 else ''}")


def _rail_groups(graph: graphviz.Graph, layout: Layout, level: str, leaf_names: list[str], link: str) -> dict[str, str]:
    """A box per rail group (per run of equal groups above FOLD_RACKS) with its leaf links; node -> box key."""
    runs: list[list[RailGroup]] = []
    fold = len(layout.rail_groups) > FOLD_RACKS
    for group in layout.rail_groups:
        same = runs and len(runs[-1][0].nodes) == len(group.nodes) and len(runs[-1][0].leaves) == len(group.leaves)
        if fold and same:
            runs[-1].append(group)
        else:
            runs.append([group])
    rail_of: dict[str, str] = {}
    for run in runs:
        first, last = run[0], run[-1]
        key = f"rail_{first.number}" if len(run) == 1 else f"rail_{first.number}_{last.number}"
        nodes = [node for group in run for node in group.nodes]
        leaves = [leaf_names[leaf] for group in run for leaf in group.leaves]
        adapters = len(layout.leaf_ports[first.nodes[0]])
        if len(run) > 1:
            label = (
                f"rail groups {first.number}–{last.number}: {len(first.nodes)} nodes each, {span(nodes)}\n"
                f"adapter i → leaf i of the group's {len(first.leaves)} leaves ({span(leaves)})"
            )
        elif len(first.leaves) >= adapters:
            label = f"rail group {first.number}: {span(nodes)}\nadapter i → leaf i of {span(leaves)}"
        else:  # a last group with fewer leaves than adapters: each node on every one of them
            label = f"rail group {first.number}: {span(nodes)}\n{adapters} adapters each over {span(leaves)}"
        graph.node(node_key(key), dot_label(*label.split("\n")), shape="note", style="filled", fillcolor=ROLE_COLOURS["blank"])
        rail_of.update(dict.fromkeys(nodes, key))
        fabric_edges(graph, layout, key, nodes, level, leaf_names, link)
    return rail_of


def _inter_switch_links(graph: graphviz.Graph, plan: Plan, levels: list[tuple[str, list[str]]]) -> None:
    """One bundled edge between each two levels, from box to box, labelled with what each switch
    of the lower level has to the upper one: "each leaf 5x InfiniBand HDR 200 Gb/s / to each spine
    (140 links)"."""
    fabric = plan.fabric
    assert fabric is not None
    if fabric.tiers == 1:
        return
    ports = fabric.switch_ports
    uplinks = ports - leaf_down_ports(ports, fabric.blocking_factor)
    per_lower = [uplinks, ports - ports // 2]  # leaf uplinks; aggregation (spine) uplinks in 3 levels
    for step, ((low, low_names), (high, high_names)) in enumerate(itertools.pairwise(levels)):
        # uplinks go round-robin over the level above, continuing where the previous switch
        # stopped, so no upper switch gets more links than it has ports (as the exports cable it)
        counts: Counter[tuple[int, int]] = Counter()
        upper_index = 0
        for lower in range(len(low_names)):
            for _ in range(per_lower[step]):
                counts[lower, upper_index % len(high_names)] += 1
                upper_index += 1
        total = sum(counts.values())
        each = set(counts.values())
        if len(counts) == len(low_names) * len(high_names) and len(each) == 1:
            label = (f"each {low} {each.pop()}x {fabric.name}", f"to each {high} ({total:,} links)")
        else:
            label = (f"each {low} {per_lower[step]}x {fabric.name} up,", f"spread over the {high}s ({total:,} links)")
        attrs = {"label": dot_label(*label), "penwidth": "2.5"}
        if len(high_names) <= FOLD_SWITCHES:
            attrs["ltail"] = f"cluster_level_{high}"
        if len(low_names) <= FOLD_SWITCHES:
            attrs["lhead"] = f"cluster_level_{low}"
        middle_high, middle_low = (len(high_names) - 1) // 2, (len(low_names) - 1) // 2
        edge(graph, switch_key(high, high_names, middle_high), switch_key(low, low_names, middle_low), **attrs)


def _management(graph: graphviz.Graph, plan: Plan, layout: Layout, levels: list[tuple[str, list[str]]]) -> None:
    fabric = plan.fabric
    assert fabric is not None
    aggregation = fabric.management_aggregation_switches
    names = [management_switch_name(i + 1) for i in range(fabric.management_switches - aggregation)]
    model = short_model_name(plan, fabric.management_switch)
    box(graph, "mgmt", f"{span(names)}\n{len(names)}x {model}", "management")
    style = {"style": "dashed", "color": EDGE_COLOURS["management"], "fontcolor": EDGE_COLOURS["management"]}
    for group in fold_racks(layout.groups):
        edge(graph, f"nodes_{group.key}", "mgmt", label=f"{len(group.nodes)}x 1 GbE", **style)
    if plan.storage is not None:
        edge(graph, "storage_servers", "mgmt", **style)
    top = "mgmt"
    if aggregation:
        # the access switches' uplinks and the head node go into the aggregation switches
        upper = [management_aggregation_name(i + 1) for i in range(aggregation)]
        label = f"{span(upper)}\n{aggregation}x {model}\n(aggregation)"
        box(graph, "magg", label, "management")
        edge(graph, "mgmt", "magg", label="uplinks", **style)
        top = "magg"
    edge(graph, head_name(), top, **style)
