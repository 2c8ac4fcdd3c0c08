"""Reports printed to PDF by headless Chromium (a 2,048-node plan, the README's example, a 160-node
leaf-spine plan): every picture's labels are text in the PDF at a legible size (MIN_PT), the
topology has a landscape page, nothing is cut. And every spec's topology, measured without a
browser: scaled into the box the report's print styles give it, its smallest text is legible."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from primeflex_iac import Catalog, Spec, load_spec, parse_spec_text, solve
from primeflex_iac.render.bundle import render_bundle
from primeflex_iac.render.dot import render_dot
from primeflex_iac.render.racks import rack_elevation_rows
from primeflex_iac.render.topology import topology_dot
from tests.conftest import SPECS
from tests.render.test_rack_folding import LARGE
from tests.render.test_renderers import CHROMIUM, CHROMIUM_FLAGS
from tests.render.test_topology_scale import SPEC as SCALING

MIN_PT = 6.0  # the smallest text a printed proposal may carry (a common floor for legible print)
# the topology's box on its landscape page (report.html.j2's print styles: A4 landscape, 12 mm
# margins, the picture at most 165 mm high), in points
TOPOLOGY_BOX = (273 / 25.4 * 72, 165 / 25.4 * 72)
PRINTED = {
    "large-2048": lambda: parse_spec_text(LARGE),
    "customer": lambda: load_spec(SPECS / "customer.yaml"),
    "leaf-spine-160": lambda: parse_spec_text(SCALING.format(name="leaf-spine", gpus=640, gpu="v100-sxm2-32gb")),
}


def _labels(svg: str) -> set[str]:
    """Every text of a picture (whole words of at least 4 characters, as the PDF's text runs may split lines)."""
    texts = " ".join(element.text or "" for element in ET.fromstring(svg).iter() if element.tag.endswith("text"))
    return {word for word in texts.split() if len(word) >= 4 and "…" not in word}


@pytest.mark.needs_tool
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (CI installs it)")
@pytest.mark.parametrize("name", sorted(PRINTED))
def test_the_printed_report_has_legible_pictures(name: str, catalog: Catalog, tmp_path: Path) -> None:
    layout = pytest.importorskip("pdfminer.layout", reason="pdfminer.six (the test extra) reads the PDF's text")
    high_level = pytest.importorskip("pdfminer.high_level")
    plan = solve(PRINTED[name](), catalog)
    files, warnings = render_bundle(plan)
    if warnings:
        pytest.skip("Graphviz's dot is not installed (CI installs it)")
    page = tmp_path / "report.html"
    page.write_text(str(files["report.html"]))
    pdf = tmp_path / "report.pdf"
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    pages: list[tuple[float, float, str, float]] = []  # width, height, text, smallest character (pt)
    for page_layout in high_level.extract_pages(str(pdf)):
        sizes: list[float] = []
        text: list[str] = []

        def walk(item: object, sizes: list[float] = sizes, text: list[str] = text) -> None:
            if isinstance(item, layout.LTChar):
                sizes.append(item.size)
            if isinstance(item, layout.LTTextLine):
                text.append(item.get_text())
            if isinstance(item, layout.LTContainer):
                for child in item:
                    walk(child)

        walk(page_layout)
        printed = unicodedata.normalize("NFKC", " ".join(text))  # the ligature "ﬁ" as "fi"
        pages.append((page_layout.width, page_layout.height, printed, min(sizes, default=99.0)))
    assert 3 <= len(pages) <= 10
    smallest = min(size for *_, size in pages)
    assert smallest >= MIN_PT, [round(size, 2) for *_, size in pages]

    # each picture is there as text (not an image, not cut off): its words on the pages it is printed on
    topology = str(files["topology.svg"])
    (landscape,) = [text for width, height, text, _ in pages if width > height]
    printed = " ".join(landscape.split())
    missing = {word for word in _labels(topology) if word not in printed}
    assert not missing, sorted(missing)[:10]
    portrait = " ".join(" ".join(text.split()) for width, height, text, _ in pages if width < height)
    for row in rack_elevation_rows(plan):
        missing = {word for word in _labels(row) if word not in portrait}
        assert not missing, sorted(missing)[:10]
    if name == "large-2048":
        assert "682 racks: rack56–rack737" in portrait


def _specs() -> list[str]:
    return sorted(str(p.relative_to(SPECS)) for p in SPECS.rglob("*.yaml"))


@pytest.mark.needs_tool
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (CI installs it)")
@pytest.mark.parametrize("spec", [*_specs(), "large-2048", "leaf-spine-160"])
def test_every_topology_prints_at_a_legible_size(spec: str, catalog: Catalog) -> None:
    # the picture is scaled to the box's width, or its height where it is the taller: its smallest
    # text, so scaled, is what the page shows (the Chromium test above reads the same from a PDF)
    chosen: Spec = PRINTED[spec]() if spec in PRINTED else load_spec(SPECS / spec)
    rendered = render_dot(topology_dot(solve(chosen, catalog)), ("svg",))
    assert rendered is not None
    svg = rendered["svg"].decode() if isinstance(rendered["svg"], bytes) else rendered["svg"]
    view = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg)
    assert view is not None
    width, height = float(view[1]), float(view[2])
    scale = min(TOPOLOGY_BOX[0] / width, TOPOLOGY_BOX[1] / height)
    smallest = min(float(size) for size in re.findall(r'font-size="([\d.]+)"', svg))
    assert smallest * scale >= MIN_PT, f"{width:.0f} x {height:.0f} pt: {smallest * scale:.1f} pt printed"
