"""Rack elevations at scale: racks of the same content drawn once with their count, in rows that fit
a page width, labelled with model names, the empty unit grid defined once."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from primeflex_iac import Catalog, Plan, parse_spec_text, solve
from primeflex_iac.render.rack_groups import model_names, name_runs, rack_groups
from primeflex_iac.render.racks import MIN_FONT_PX, PAGE_PX, rack_elevation_rows, rack_elevations_svg

SVG = "{http://www.w3.org/2000/svg}"
# the scaling spec of benchmarks/solve_times.py with 8-GPU H100 nodes: 2,048 nodes in 740 racks
LARGE = """apiVersion: primeflex-iac/v1
name: large-2048
compute: {gpus: 16384}
site:
  racks: {max: 5000, height: 42U, power_per_rack: 40 kW}
preferences:
  gpus: [h100-sxm5-80gb]
  nodes: [generic-hgx-h100-8gpu]
"""


@pytest.fixture(scope="module")
def large(catalog: Catalog) -> Plan:
    plan = solve(parse_spec_text(LARGE), catalog)
    assert plan.compute and plan.compute[0].count == 2048
    return plan


def test_racks_of_the_same_content_are_drawn_once_with_their_count(large: Plan) -> None:
    svg = rack_elevations_svg(large)
    root = ET.fromstring(svg)
    groups = root.findall(f".//{SVG}g[@class='rack-group']")
    counts = [int(g.get("data-racks", "0")) for g in groups]
    assert sum(counts) == len(large.racks) > 700 and len(groups) <= 8
    assert max(counts) > 600  # the compute racks: one drawing, "682 racks: rack56–rack737"
    captions = [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "name"]
    assert any(c.startswith(f"{max(counts)} racks: ") for c in captions)
    assert len(svg.encode()) < 100_000  # 9.2 MB before folding


def test_the_picture_fits_a_page_width_at_a_legible_size(large: Plan) -> None:
    root = ET.fromstring(rack_elevations_svg(large))
    assert float(root.get("width", "0")) <= PAGE_PX
    style = root.findtext(f"{SVG}style") or ""
    sizes = [float(size) for size in style.replace("px", " ").split("font-size:")[1:] for size in [size.split()[0]]]
    assert min(sizes) >= MIN_FONT_PX
    # at PAGE_PX printed 180 mm wide (A4 with 15 mm margins; 1 px = 0.75 pt at 96 px to the inch)
    assert MIN_FONT_PX * 0.75 * (180 / 25.4 * 96) / PAGE_PX >= 6


def test_the_unit_grid_is_one_pattern_and_no_rack_repeats_it(large: Plan) -> None:
    root = ET.fromstring(rack_elevations_svg(large))
    patterns = root.findall(f".//{SVG}pattern")
    assert len(patterns) == 1
    blanks = [e for e in root.iter(f"{SVG}rect") if e.get("class") == "blank"]
    assert len(blanks) == 1  # the pattern's tile


def test_labels_show_model_names_not_catalog_ids(large: Plan) -> None:
    root = ET.fromstring(rack_elevations_svg(large))
    labels = " ".join(t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") in ("label", "model"))
    names = model_names(large)
    assert names["rack-42u"] in labels and "Generic HGX H100 8-GPU server" in labels
    assert "generic-hgx-h100-8gpu" not in labels and "rack-42u" not in labels


def test_rows_for_the_report_carry_their_own_ids(large: Plan) -> None:
    rows = rack_elevation_rows(large)
    assert len(rows) == -(-len(rack_groups(large)) // 3) >= 2
    ids = [p.get("id") for row in rows for p in ET.fromstring(row).iter(f"{SVG}pattern")]
    assert len(ids) == len(set(ids)) == len(rows)
    assert "front view" in rows[0] and "front view" not in rows[1]


def test_output_is_the_same_for_the_same_plan(large: Plan) -> None:
    assert rack_elevations_svg(large) == rack_elevations_svg(Plan.model_validate_json(large.to_json()))


def test_name_runs() -> None:
    assert name_runs(["rack3", "rack1", "rack2", "rack7", "x"]) == ["rack1–rack3", "rack7", "x"]
    assert name_runs(["rack09", "rack10"]) == ["rack09–rack10"]
