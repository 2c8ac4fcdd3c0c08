"""The report of a 2,048-node plan printed to PDF by headless Chromium: every picture's labels are
text in the PDF at a legible size (MIN_PT), the topology has a landscape page, nothing is cut."""

from __future__ import annotations

import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from primeflex_iac import Catalog, parse_spec_text, solve
from primeflex_iac.render.bundle import render_bundle
from primeflex_iac.render.racks import rack_elevation_rows
from tests.render.test_rack_folding import LARGE
from tests.render.test_renderers import CHROMIUM, CHROMIUM_FLAGS

MIN_PT = 6.0  # the smallest text a printed proposal may carry (a common floor for legible print)


def _labels(svg: str) -> set[str]:
    """Every text of a picture (whole words of at least 4 characters, as the PDF's text runs may split lines)."""
    texts = " ".join(element.text or "" for element in ET.fromstring(svg).iter() if element.tag.endswith("text"))
    return {word for word in texts.split() if len(word) >= 4 and "…" not in word}


@pytest.mark.needs_tool
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (CI installs it)")
def test_the_printed_report_of_a_large_plan_has_legible_pictures(catalog: Catalog, tmp_path: Path) -> None:
    layout = pytest.importorskip("pdfminer.layout", reason="pdfminer.six (the test extra) reads the PDF's text")
    high_level = pytest.importorskip("pdfminer.high_level")
    plan = solve(parse_spec_text(LARGE), catalog)
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
    assert "682 racks: rack56–rack737" in portrait
