"""Pictures and report: golden DOT and SVG text, valid XML, PNG conversion, and the HTML report
as a browser shows it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from primeflex_iac import Catalog, Plan, load_spec, solve
from primeflex_iac.cli.main import main
from primeflex_iac.render.bundle import render_bundle
from primeflex_iac.render.dot import DOT_MISSING
from primeflex_iac.render.rack_groups import rack_groups
from primeflex_iac.render.racks import rack_elevations_svg
from primeflex_iac.render.topology import topology_dot
from tests.conftest import REFERENCE_NAMES, ROOT, SPECS

GOLDEN = ROOT / "tests" / "golden" / "renderers"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"  # UPDATE_GOLDEN=1 make test rewrites the golden files
_plans: dict[str, Plan] = {}


def _plan(name: str, catalog: Catalog) -> Plan:
    if name not in _plans:
        _plans[name] = solve(load_spec(SPECS / "reference" / f"{name}.yaml"), catalog)
    return _plans[name]


def _golden(path: Path, text: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.read_text() == text, f"{path.name} changed; if intended, regenerate with UPDATE_GOLDEN=1"


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_topology_dot_matches_golden(name: str, catalog: Catalog) -> None:
    _golden(GOLDEN / f"{name}.gv", topology_dot(_plan(name, catalog)))


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_rack_svg_matches_golden_and_parses(name: str, catalog: Catalog) -> None:
    plan = _plan(name, catalog)
    svg = rack_elevations_svg(plan)
    _golden(GOLDEN / f"{name}-racks.svg", svg)
    root = ET.fromstring(svg)
    svg_ns = "{http://www.w3.org/2000/svg}"
    groups = root.findall(f".//{svg_ns}g[@class='rack-group']")
    # each rack of a kind is drawn once, its devices once (the front view), and the counts add up
    assert sum(int(g.get("data-racks", "0")) for g in groups) == len(plan.racks)
    drawn = sum(len(g.findall(f"{svg_ns}g[@class='device']")) for g in groups)
    assert drawn == sum(len(group.rack.devices) for group in rack_groups(plan))


def test_large_clusters_are_folded(catalog: Catalog) -> None:
    dot = topology_dot(_plan("sample-large-air", catalog))
    # each rack's nodes are one box, and racks of the same count one box: 64 nodes in 20, 20, 20, 4
    assert "rack01–rack03: 3 racks, 20 nodes each" in dot and "cn001–cn060\\n60x Fujitsu PRIMERGY RX2540 M5" in dot
    assert "cn061–cn064\\n4x Fujitsu PRIMERGY RX2540 M5" in dot
    assert dot.count("rx2540-m5 ") == 0 and "cn033" not in dot  # no box per node


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (CI installs it)")
@pytest.mark.needs_tool
@pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="rsvg-convert (librsvg2-bin) is not installed (CI installs it)")
@pytest.mark.parametrize("name", ["sample-small-air", "sample-large-water", "storage-very-large"])
def test_every_svg_converts_to_png(name: str, catalog: Catalog, tmp_path: Path) -> None:
    files, warnings = render_bundle(_plan(name, catalog))
    assert warnings == []
    for svg_name in ("topology.svg", "racks.svg"):
        svg = files[svg_name]
        assert isinstance(svg, str)
        ET.fromstring(svg.encode())
        source = tmp_path / svg_name
        source.write_text(svg)
        png = tmp_path / f"{svg_name}.png"
        subprocess.run(["rsvg-convert", "-o", str(png), str(source)], check=True, capture_output=True)
        with Image.open(png) as image:
            assert image.width > 300 and image.height > 200


def test_without_dot_the_dot_text_is_written_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "out"
    assert main(["solve", str(SPECS / "reference" / "sample-small-air.yaml"), "-o", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert "topology.gv" in names and "topology.svg" not in names and "report.html" in names
    assert capsys.readouterr().err.count(DOT_MISSING) == 1


def test_render_rewrites_the_same_files(tmp_path: Path) -> None:
    first = tmp_path / "first"
    assert main(["solve", str(SPECS / "reference" / "storage-medium.yaml"), "-o", str(first)]) == 0
    again = tmp_path / "again"
    assert main(["render", str(first / "plan.json"), "-o", str(again)]) == 0
    for path in sorted(first.iterdir()):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=5000",
]


@pytest.mark.needs_tool
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (CI installs it)")
@pytest.mark.slow
def test_html_report_in_a_browser(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["solve", str(SPECS / "customer.yaml"), "-o", str(out)]) == 0
    page = (out / "report.html").as_uri()
    profile = ["--user-data-dir=" + str(tmp_path / "profile")]
    assert CHROMIUM is not None
    dom = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, *profile, "--dump-dom", page], capture_output=True, text=True, timeout=120)
    assert "Cluster proposal: customer" in dom.stdout
    gpu = json.loads((out / "plan.json").read_text())["compute"][0]["gpu"]
    assert "Bill of materials" in dom.stdout and gpu in dom.stdout
    assert dom.stdout.count("<svg") >= 2  # both pictures inline
    shot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, *profile, "--window-size=1280,2000", f"--screenshot={shot}", page],
        capture_output=True,
        timeout=120,
        check=True,
    )
    with Image.open(shot) as image:
        assert image.size == (1280, 2000)
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 50  # text and pictures, not a blank page
        fills = {colour for _, colour in colours}
        assert (0xCF, 0xE2, 0xF3) in fills  # compute boxes of the topology and the racks
        assert (0xF9, 0xCB, 0x9C) in fills  # fabric switches


def test_render_keeps_the_exports_beside_the_plan(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["solve", str(SPECS / "reference" / "sample-small-air.yaml"), "-o", str(out), "--export", "all"]) == 0
    slurm = (out / "slurm" / "slurm.conf").read_bytes()
    assert main(["render", str(out / "plan.json")]) == 0
    assert (out / "slurm" / "slurm.conf").read_bytes() == slurm
    assert (out / "netbox").is_dir() and (out / "ansible").is_dir()
