"""Outputs of a plan for an existing site show old and new: the installed cluster in grey in the
topology with the new cables into its free ports, installed racks with their equipment of today as
a grey block and the plan's devices in colour, the report's "Changes to the existing site", and the
CLI summary's line; names from the spec stay escaped everywhere."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from primeflex_iac import Catalog, Plan, parse_spec_text, solve
from primeflex_iac.common.naming import natural_key
from primeflex_iac.render.dot import render_dot
from primeflex_iac.render.racks import rack_elevations_svg
from primeflex_iac.render.report import report_html, report_markdown
from primeflex_iac.render.summary import summary_text
from primeflex_iac.render.topology import topology_dot
from tests.conftest import SPECS

REFERENCE = (SPECS / "existing" / "resnet-into-free-slots.yaml").read_text()
SVG = "{http://www.w3.org/2000/svg}"
# the reference spec and the variants of it: (text replaced, by), in order
VARIANTS: dict[str, list[tuple[str, str]]] = {
    "cards": [],  # 1x T4 into cn001-cn003 in r01: nothing else
    "new-rack": [("power_used: 18 kW", "power_used: 19.95 kW")],  # no spare power: one new node in a new rack
    "into-r01": [  # no free slots; 4U free and 1 kW spare: the new node goes into r01
        ("power_used: 18 kW", "power_used: 19 kW"),
        ("free_gpu_slots: 2", "free_gpu_slots: 0"),
        ("free_units: 2U", "free_units: 4U"),
    ],
    "storage-r01": [  # no free slots, 20U free and 10 kW spare, no file system: the new node and storage go into r01
        ("power_used: 18 kW", "power_used: 10 kW"),
        ("free_gpu_slots: 2", "free_gpu_slots: 0"),
        ("free_units: 2U", "free_units: 20U"),
        ("  storage: {file_system: lustre, usable: 500 TiB, read_rate: 10 GB/s}\n", ""),
    ],
    "six-nodes": [("power_used: 18 kW", "power_used: 19.95 kW"), ("time_to_model: 24 h", "time_to_model: 2 h")],
    "new-leaf": [
        ("power_used: 18 kW", "power_used: 19.95 kW"),
        ("time_to_model: 24 h", "time_to_model: 2 h"),
        ("free_leaf_ports: 12, free_spine_ports: 0", "free_leaf_ports: 2, free_spine_ports: 36"),
    ],
    "new-spine": [  # no free spine port: a new spine level, joined on a free leaf port
        ("power_used: 18 kW", "power_used: 19.95 kW"),
        ("time_to_model: 24 h", "time_to_model: 2 h"),
        ("free_leaf_ports: 12, free_spine_ports: 0", "free_leaf_ports: 2, free_spine_ports: 0"),
    ],
    "site-management": [  # six new nodes, two on the site's free management ports, four on a new switch
        ("power_used: 18 kW", "power_used: 19.95 kW"),
        ("time_to_model: 24 h", "time_to_model: 2 h"),
        ("free_spine_ports: 0}", "free_spine_ports: 0}\n  management: {free_ports: 2, switch: sw-mgmt07}"),
    ],
}
_plans: dict[str, Plan] = {}


def _plan(variant: str, catalog: Catalog) -> Plan:
    if variant not in _plans:
        text = REFERENCE
        for old, new in VARIANTS[variant]:
            assert old in text
            text = text.replace(old, new)
        _plans[variant] = plan = solve(parse_spec_text(text), catalog)
        assert plan.status == "optimal" and plan.existing is not None
    return _plans[variant]


def _groups(svg: str, kind: str) -> list[ET.Element]:
    return ET.fromstring(svg).findall(f".//{SVG}g[@class='{kind}']")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_racks_show_existing_equipment_grey_and_new_devices(variant: str, catalog: Catalog) -> None:
    plan = _plan(variant, catalog)
    svg = rack_elevations_svg(plan)
    installed = [rack for rack in plan.racks if rack.existing]
    blocks = _groups(svg, "existing-equipment")
    assert len(blocks) == len(installed)
    for rack in installed:
        assert f"{rack.name} (existing)" in svg
    assert all("existing equipment" in "".join(block.itertext()) for block in blocks)
    drawn = {g.get("data-name") for g in _groups(svg, "device")}
    assert drawn == {device.name for rack in plan.racks for device in rack.devices}
    if installed:
        assert "existing{fill:" in svg and "existing equipment (r0" in svg  # the legend names the untouched racks


def test_a_rack_whose_nodes_take_cards_says_so(catalog: Catalog) -> None:
    plan = _plan("cards", catalog)
    svg = rack_elevations_svg(plan)
    assert [rack.name for rack in plan.racks] == ["r01"] and plan.racks[0].devices == []
    assert "3 hpc nodes take GPU cards:" in svg and "1x Tesla T4 each: +210 W" in svg
    assert "40 U existing + 0 U new of 42 U" in svg and "18.0 kW today + 0.2 kW new of 20.0 kW" in svg


def test_a_new_node_in_an_installed_rack_sits_above_its_equipment(catalog: Catalog) -> None:
    plan = _plan("into-r01", catalog)
    r01 = next(rack for rack in plan.racks if rack.name == "r01")
    assert r01.existing and [d.name for d in r01.devices] == ["mgmt01", "cn201"]  # top down
    assert all(d.position > r01.existing_units for d in r01.devices)
    svg = rack_elevations_svg(plan)
    assert "38 U existing + 3 U new of 42 U" in svg


def test_new_storage_in_an_installed_rack_is_named_where_it_goes(catalog: Catalog) -> None:
    plan = _plan("storage-r01", catalog)
    r01 = next(rack for rack in plan.racks if rack.name == "r01")
    storage = sorted(d.name for d in r01.devices if d.role == "storage")
    assert storage and [r.name for r in plan.racks] == ["r01"]
    line = next(line for line in report_markdown(plan).splitlines() if line.startswith("- Rack r01 (existing):"))
    assert "oss01–oss02" in line and all(name in line for name in storage if not name.startswith("oss"))
    assert f"in {r01.used_units} of its 20 free units" in line


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_topology_draws_the_installed_cluster_and_the_new_links(variant: str, catalog: Catalog) -> None:
    plan = _plan(variant, catalog)
    site = plan.existing
    assert site is not None and site.fabric is not None
    dot = topology_dot(plan)
    assert "subgraph cluster_existing_site" in dot and 'existing_fabric [label="existing InfiniBand EDR' in dot
    assert f"{site.fabric.free_leaf_ports} free leaf ports: {site.fabric.leaf_ports_used} used by new ports" in dot
    assert "head01\\nexisting head node" in dot and "legend: colour = new, grey = existing" in dot
    upgraded = [g for g in site.groups if g.upgraded]
    for group in upgraded:
        assert re.search(rf"existing_{group.name}_upgraded \[label=\"{group.name}: cn\[", dot)
    for rack in plan.racks:  # each rack's new nodes in one box: "cn201–cn206\n6x ... (new)"
        new_nodes = sorted((d.name for d in rack.devices if d.role == "compute"), key=natural_key)
        if new_nodes:
            shown = new_nodes[0] if len(new_nodes) == 1 else f"{new_nodes[0]}–{new_nodes[-1]}"
            assert re.search(rf'\[label="{shown}\\n{len(new_nodes)}x [^"]*\(new\)', dot), shown
    # the free leaf ports the new ports take are new cables into the installed fabric
    on_free = [line for line in dot.splitlines() if line.strip().startswith("existing_fabric --") and "free leaf ports)" in line]
    assert bool(on_free) == bool(site.fabric.leaf_ports_used)
    if site.fabric.new_spines:  # a new spine level: its links into the installed fabric, on the ports they take
        assert "leaf01 [label=leaf01" in dot and "spine01 [label=spine01" in dot
        assert f"new spines' links on {site.fabric.join_leaf_ports} free leaf ports" in dot
    elif site.fabric.new_leaves:
        assert "leaf01 [label=leaf01" in dot and "uplinks to free spine ports" in dot


def test_cards_alone_add_no_switch_or_node(catalog: Catalog) -> None:
    dot = topology_dot(_plan("cards", catalog))
    assert 'existing_hpc_upgraded [label="hpc: cn[001-003] (3 existing nodes in r01)\\n+1x Tesla T4 each (new cards)"' in dot
    assert "hpc: 197 nodes, CPU-only, untouched" in dot
    assert "leaf01" not in dot and "mgmt" not in dot and "(new)" not in dot


@pytest.mark.needs_tool
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (CI installs it)")
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_dot_renders_the_topology(variant: str, catalog: Catalog) -> None:
    rendered = render_dot(topology_dot(_plan(variant, catalog)), ("svg",))
    assert rendered is not None
    ET.fromstring(rendered["svg"])


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_report_says_what_changes_and_what_stays(variant: str, catalog: Catalog) -> None:
    plan = _plan(variant, catalog)
    site = plan.existing
    assert site is not None
    markdown = report_markdown(plan)
    html = report_html(plan, None, [], topology_dot(plan))
    assert "## Changes to the existing site" in markdown and "<h2>Changes to the existing site</h2>" in html
    assert "Untouched:" in markdown and "Racks r0" in markdown and "Head node head01" in markdown
    for group in site.groups:
        if group.upgraded:
            assert "GPU cards: 1x NVIDIA Tesla T4 into each of" in markdown and r"cn\[001-" in markdown
            assert "cn[001-" in html and "Compute | GPU cards:" in markdown
        assert f"Nodes of {group.name}:" in markdown
    assert ("new leaf switch" in markdown) == bool(site.fabric and site.fabric.new_leaves)
    if variant != "storage-r01":  # the one site without a file system
        assert "Storage: the existing lustre (500 TiB, 10.0 GB/s) is used as is." in markdown
    if any(not rack.existing for rack in plan.racks):
        assert "1 new rack: rack01 (" in markdown


def test_a_new_cluster_has_no_such_section(catalog: Catalog) -> None:
    from primeflex_iac import load_spec

    plan = solve(load_spec(SPECS / "reference" / "sample-small-air.yaml"), catalog)
    assert "existing" not in report_markdown(plan).lower() and "existing" not in summary_text(plan)
    assert "existing" not in topology_dot(plan) and "existing" not in rack_elevations_svg(plan)


def test_the_summary_reads_cards_into_existing_nodes(catalog: Catalog) -> None:
    text = summary_text(_plan("cards", catalog))
    assert "compute   1x NVIDIA Tesla T4 into each of 3 existing hpc nodes: 3 GPUs" in text
    assert "existing  cards into 3 of 200 hpc nodes (r01); 197 hpc nodes stay CPU-only; no new rack" in text
    assert "RX2540" not in text
    text = summary_text(_plan("into-r01", catalog))
    assert "existing  1 new node in r01; 200 hpc nodes stay CPU-only; no new rack" in text
    assert "fabric    InfiniBand EDR 100 Gb/s, existing: 1 of 12 free leaf ports" in text


HOSTILE = "<b>&amp;\"'`*_[x](y)|\\"


def _hostile(plan: Plan) -> Plan:
    """The plan with names no spec accepts (built in code): every output must escape them."""
    site = plan.existing
    assert site is not None
    racks = [rack.model_copy(update={"name": HOSTILE + rack.name}) for rack in plan.racks]
    site_racks = [rack.model_copy(update={"name": HOSTILE + rack.name}) for rack in site.racks]
    groups = [
        group.model_copy(
            update={
                "name": HOSTILE,
                "hosts": [HOSTILE + h for h in group.hosts[:5]],
                "upgraded": [HOSTILE + h for h in group.upgraded],
                "upgraded_by_rack": {HOSTILE + r: n for r, n in group.upgraded_by_rack.items()},
            }
        )
        for group in site.groups
    ]
    compute = [e.model_copy(update={"existing_group": HOSTILE}) if e.existing_group else e for e in plan.compute]
    new_site = site.model_copy(update={"racks": site_racks, "groups": groups, "head_node": HOSTILE + "head"})
    return plan.model_copy(update={"racks": racks, "existing": new_site, "compute": compute})


@pytest.mark.parametrize("variant", ["cards", "into-r01"])
def test_hostile_names_stay_escaped(variant: str, catalog: Catalog) -> None:
    plan = _hostile(_plan(variant, catalog))
    html = report_html(plan, None, [], topology_dot(plan))
    assert "<b>" not in html and "&lt;b&gt;&amp;amp;" in html
    markdown = report_markdown(plan)
    assert "<b>" not in markdown and r"\_\[x\](y)\|" in markdown
    svg = rack_elevations_svg(plan)
    ET.fromstring(svg)
    assert "<b>" not in svg
    dot = topology_dot(plan)
    assert "<b>&amp;amp;" in dot  # a DOT label shows the name as written: & as an entity, never HTML-like
    if shutil.which("dot") is not None:
        rendered = render_dot(dot, ("svg",))
        assert rendered is not None
        ET.fromstring(rendered["svg"])


def test_ports_on_the_sites_management_network_are_drawn_and_said(catalog: Catalog) -> None:
    plan = _plan("site-management", catalog)
    assert plan.existing is not None and plan.existing.management_ports_used == 2
    dot = topology_dot(plan)
    assert 'site_management [label="sw-mgmt07\\nsite management switch: 2 free ports used"' in dot
    assert "-- site_management" in dot and "-- mgmt" in dot  # the rest on a new switch
    assert "2 management ports of new devices on free ports of the site's management switch sw-mgmt07." in report_markdown(plan)
