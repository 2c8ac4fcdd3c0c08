"""The fabric layout (issue 10): eight-adapter nodes are cabled rail-optimised, adapter i of every
node of a rail group to the group's leaf i, so one leaf failure takes one adapter of each node of
its group instead of whole nodes; the leaf count stays what the solver counted."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from primeflex_iac import Catalog, Plan, Spec, SpecError, check, parse_spec_text, solve
from primeflex_iac.demand.fat_tree import leaf_down_ports
from primeflex_iac.plan import check_fabric
from primeflex_iac.plan.cabling import layout_of

SPEC = """
apiVersion: primeflex-iac/v1
name: rail-{gpus}
compute: {{gpus: {gpus}}}
site: {{racks: {{max: 400, height: 48U, power_per_rack: 45 kW}}}}
preferences: {{nodes: [{node}], fabrics: [{fabric}]{extra}}}
"""
_plans: dict[tuple[int, str, str, str], tuple[Spec, Plan]] = {}


def _solve(
    catalog: Catalog, gpus: int, *, node: str = "generic-hgx-h100-8gpu", fabric: str = "ib-ndr", extra: str = ""
) -> tuple[Spec, Plan]:
    key = (gpus, node, fabric, extra)
    if key not in _plans:
        spec = parse_spec_text(SPEC.format(gpus=gpus, node=node, fabric=fabric, extra=extra))
        plan = solve(spec, catalog)
        assert plan.status == "optimal" and plan.fabric is not None
        _plans[key] = spec, plan
    return _plans[key]


def _per_leaf(plan: Plan) -> int:
    assert plan.fabric is not None
    return leaf_down_ports(plan.fabric.switch_ports, plan.fabric.blocking_factor) * plan.fabric.endpoints_per_port


def _leaves_of(plan: Plan) -> dict[str, int]:
    """Compute node -> distinct leaves its adapters reach."""
    layout = layout_of(plan)
    return {node: len(set(layout.leaf_ports[node])) for node in layout.compute_nodes}


def test_32_hgx_nodes_are_cabled_rail_optimised(catalog: Catalog) -> None:
    spec, plan = _solve(catalog, 256)
    fabric = plan.fabric
    assert fabric is not None and fabric.layout == "rail-optimised" and fabric.tiers == 2
    assert check(plan, spec, catalog).ok, check(plan, spec, catalog)
    # one rail group of 32 nodes on leaves 1-8, the head node on leaf 9: the solver's 9 leaves
    assert fabric.leaf_switches == math.ceil(fabric.endpoints / _per_leaf(plan)) == 9
    assert set(_leaves_of(plan).values()) == {8}
    layout = layout_of(plan)
    assert {layout.leaf_ports[node] for node in layout.compute_nodes} == {tuple(range(8))}
    assert [(g.nodes[0], g.nodes[-1], g.leaves) for g in layout.rail_groups] == [("cn001", "cn032", tuple(range(8)))]


def test_check_catches_whole_nodes_on_one_leaf(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cabling before issue 10 (each node's eight adapters on one leaf) fails a rail-optimised plan."""
    spec, plan = _solve(catalog, 256)
    assert plan.fabric is not None
    old = plan.model_copy(update={"fabric": plan.fabric.model_copy(update={"layout": "leaf-per-node-group"})})
    monkeypatch.setattr(check_fabric, "layout_of", lambda _plan: layout_of(old))
    violations = check(plan, spec, catalog).violations
    assert any("32 compute nodes reach fewer leaves than their 8 adapters" in v for v in violations), violations
    assert any(
        "fabric layout leaf-per-node-group, the spec asks for rail-optimised" in v for v in check(old, spec, catalog).violations
    )


@pytest.mark.parametrize("gpus", [96, 264, 320, 2048])
def test_partial_rail_groups_fit_the_counted_leaves(catalog: Catalog, gpus: int) -> None:
    """12, 33, 40 and 256 nodes: the last group takes the leaves left over, none cabled beyond its ports."""
    spec, plan = _solve(catalog, gpus)
    fabric = plan.fabric
    assert fabric is not None and fabric.layout == "rail-optimised"
    assert check(plan, spec, catalog).ok, check(plan, spec, catalog)
    per_leaf = _per_leaf(plan)
    assert fabric.leaf_switches == math.ceil(fabric.endpoints / per_leaf)
    layout = layout_of(plan)
    load = Counter(leaf for ports in layout.leaf_ports.values() for leaf in ports)
    assert max(load.values()) <= per_leaf and set(load) <= set(range(fabric.leaf_switches))
    nodes = len(layout.compute_nodes)
    full = nodes // per_leaf
    reach = _leaves_of(plan)
    left_over = fabric.leaf_switches - full * 8
    for index, node in enumerate(layout.compute_nodes):
        assert reach[node] == (8 if index < full * per_leaf else min(8, left_over)), node
    assert sum(len(g.nodes) for g in layout.rail_groups) == nodes


def test_leaf_per_node_group_when_asked(catalog: Catalog) -> None:
    spec, plan = _solve(catalog, 256, extra=", fabric_layout: leaf-per-node-group")
    assert plan.fabric is not None and plan.fabric.layout == "leaf-per-node-group"
    assert check(plan, spec, catalog).ok
    # leaves filled in node order, evenly: a node's adapters share a leaf, or two where one fills up
    assert Counter(_leaves_of(plan).values()) == {1: 25, 2: 7} and not layout_of(plan).rail_groups
    _, rail_plan = _solve(catalog, 256)
    assert plan.bom == rail_plan.bom and plan.fabric.model_copy(update={"layout": "rail-optimised"}) == rail_plan.fabric


def test_auto_keeps_one_adapter_nodes_on_a_leaf(catalog: Catalog) -> None:
    """A 4-GPU PCIe node has one adapter: auto means leaf-per-node-group."""
    spec, plan = _solve(catalog, 400, node="generic-2u-pcie-4gpu", fabric="ib-hdr")
    assert plan.fabric is not None and plan.fabric.layout == "leaf-per-node-group" and plan.fabric.tiers == 2
    assert plan.compute[0].fabric_adapters_per_node == 1
    assert check(plan, spec, catalog).ok


def test_a_bad_layout_is_refused_at_its_line() -> None:
    with pytest.raises(SpecError, match=r"preferences\.fabric_layout") as caught:
        parse_spec_text(SPEC.format(gpus=8, node="generic-hgx-h100-8gpu", fabric="ib-ndr", extra=", fabric_layout: rails"))
    assert ":6" in str(caught.value) or "line 6" in str(caught.value)


def test_the_topology_draws_the_rail_groups(catalog: Catalog) -> None:
    from primeflex_iac.render.topology import topology_dot

    _, plan = _solve(catalog, 256)
    dot = topology_dot(plan)
    assert 'rail_1 [label="rail group 1: cn001–cn032\\nadapter i → leaf i of leaf01–leaf08"' in dot
    # eight racks of four nodes: one box, one edge from the rail group to it
    assert dot.count("rail_1 -- nodes_rack") == 1 and 'label="32 nodes"' in dot
    _, partial = _solve(catalog, 320)
    assert "rail group 2: cn033–cn040\\n8 adapters each over leaf09–leaf11" in topology_dot(partial)
    # 1,024 nodes (names widened to four digits): 32 rail groups drawn as one note, the picture stays small
    _, big = _solve(catalog, 8192)
    dot = topology_dot(big)
    assert "rail groups 1–32: 32 nodes each, cn0001–cn1024" in dot
    assert dot.count("shape=note") == 1 and "rail group of nodes" in dot  # one note, and the legend's sample of it


def test_rail_groups_never_need_more_leaves_or_ports() -> None:
    """Every node count, adapter count, leaf size and extra endpoints: the solver's leaf count holds them."""
    from primeflex_iac.plan.cabling import _rail_optimised

    for adapters in (2, 4, 8):
        for per_leaf in (8, 20, 32, 64):
            for count in range(1, 5 * per_leaf):
                for others in (0, 1, 5):
                    nodes = [f"cn{i:04d}" for i in range(count)]
                    extra = [f"x{i}" for i in range(others)]
                    leaves = max(1, math.ceil((count * adapters + others) / per_leaf))
                    ports, groups = _rail_optimised(nodes, adapters, extra, leaves, per_leaf)
                    load = Counter(leaf for cabled in ports.values() for leaf in cabled)
                    assert max(load.values()) <= per_leaf and set(load) <= set(range(leaves))
                    assert all(len(ports[n]) == adapters for n in nodes) and all(len(ports[x]) == 1 for x in extra)
                    for group in groups:
                        wide = min(adapters, len(group.leaves))
                        assert all(len(set(ports[n])) == wide for n in group.nodes), (adapters, per_leaf, count, others)
