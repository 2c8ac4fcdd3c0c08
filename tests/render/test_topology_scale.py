"""The topology of larger fabrics: switches left to right in their declared order, one bundled edge
between two switch levels with technology, speed and counts, and a legend."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from primeflex_iac import Catalog, Plan, parse_spec_text, solve
from primeflex_iac.common.naming import natural_key
from primeflex_iac.render.dot import render_dot
from primeflex_iac.render.topology import topology_dot

# the scaling spec of benchmarks/solve_times.py: 160 V100 nodes on 7 leaves and 4 spines (unfolded)
SPEC = """apiVersion: primeflex-iac/v1
name: {name}
compute: {{gpus: {gpus}}}
site:
  racks: {{max: 5000, height: 42U, power_per_rack: 40 kW}}
preferences:
  gpus: [{gpu}]
"""
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def leaf_spine(catalog: Catalog) -> Plan:
    plan = solve(parse_spec_text(SPEC.format(name="leaf-spine", gpus=640, gpu="v100-sxm2-32gb")), catalog)
    assert plan.fabric is not None and (plan.fabric.leaf_switches, plan.fabric.spine_switches) == (7, 4)
    return plan


def _edges(dot: str) -> list[str]:
    return [line.strip() for line in dot.splitlines() if " -- " in line and "style=invis" not in line]


def test_one_bundled_edge_between_leaves_and_spines(leaf_spine: Plan) -> None:
    dot = topology_dot(leaf_spine)
    between = [e for e in _edges(dot) if re.match(r"spine\d+ -- leaf\d+", e)]
    assert len(between) == 1
    assert "each leaf 6x Intel Omni-Path 100 Gb/s\\nto each spine (168 links)" in between[0]
    assert "ltail=cluster_level_spine" in between[0] and "lhead=cluster_level_leaf" in between[0]


def test_folded_levels_keep_technology_and_speed(catalog: Catalog) -> None:
    text = SPEC.format(name="folded", gpus=8192, gpu="v100-sxm2-32gb")
    dot = topology_dot(solve(parse_spec_text(text), catalog))
    levels = [e for e in _edges(dot) if re.match(r"(spine|core) -- (leaf|spine) ", e)]
    assert len(levels) == 2 and all("Intel Omni-Path 100 Gb/s" in e and " links)" in e for e in levels)
    assert all(re.search(r'label="\d+x 1 GbE"', e) for e in _edges(dot) if re.match(r"nodes_\S+ -- mgmt ", e))


def test_the_legend_names_colours_and_lines(leaf_spine: Plan) -> None:
    dot = topology_dot(leaf_spine)
    assert "legend</FONT>" in dot  # under the heading, in the graph's label
    for text in ("fabric switch", "compute nodes", "management switch", "management 1 GbE", "between levels"):
        assert text in dot


@pytest.mark.needs_tool
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (CI installs it)")
def test_switches_are_drawn_in_their_declared_order(leaf_spine: Plan) -> None:
    rendered = render_dot(topology_dot(leaf_spine), ("svg",))
    assert rendered is not None
    centres: dict[str, float] = {}
    for node in ET.fromstring(rendered["svg"]).iter(f"{SVG}g"):
        title = node.findtext(f"{SVG}title") or ""
        label = node.find(f"{SVG}text")
        if node.get("class") == "node" and re.fullmatch(r"(leaf|spine)\d+", title) and label is not None:
            centres[title] = float(label.get("x", "nan"))
    for level in ("leaf", "spine"):
        names = sorted((n for n in centres if n.startswith(level)), key=natural_key)
        xs = [centres[n] for n in names]
        assert len(xs) >= 4 and xs == sorted(xs), dict(zip(names, xs, strict=True))


def test_racks_fold_only_with_racks_like_them() -> None:
    from primeflex_iac.plan.cabling import ComputeGroup
    from primeflex_iac.render.topology_parts import fold_racks

    def group(rack: str, first: int) -> ComputeGroup:
        nodes = tuple(f"cn{first + i:03d}" for i in range(4))
        return ComputeGroup(rack, rack, nodes, nodes)

    racks = (group("r01", 1), group("r02", 5), group("rack01", 9), group("rack02", 13))
    # four racks of four nodes: the two installed ones fold together, apart from the two new ones
    folded = fold_racks(racks, frozenset({"r01", "r02"}))
    assert [g.rack for g in folded] == ["r01–r02: 2 racks, 4 nodes each", "rack01–rack02: 2 racks, 4 nodes each"]
    assert [g.rack for g in fold_racks(racks)] == ["r01–rack02: 4 racks, 4 nodes each"]
    assert fold_racks(racks[:2]) == list(racks[:2])  # two racks are drawn as they are
