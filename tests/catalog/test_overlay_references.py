"""An overlay's mistakes are reported in the overlay, at the line that made them, never in a shipped file."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.errors import CatalogError

if TYPE_CHECKING:
    from pathlib import Path

OVERLAY = """\
apiVersion: primeflex-iac/v1
kind: CatalogOverlay
source: ACME quote 42
servers:
  rx2540-m5:
    gpus: [v100-pcie-32gb, no-such-gpu]
storage_rules:
  server: no-such-server
"""
FIGURES = """\
apiVersion: primeflex-iac/v1
kind: CatalogOverlay
source: ACME quote 42
switches:
  mellanox-sb7800:
    ports: 1000000000
gpus:
  v100-pcie-32gb:
    tensor_tflops: 1e300
"""


def test_overlay_mistakes_are_located_in_the_overlay(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(OVERLAY)
    with pytest.raises(CatalogError) as caught:
        load_catalog([overlay])
    found = {(p.file, p.line, p.path) for p in caught.value.problems}
    assert found == {(str(overlay), 6, "servers.rx2540-m5.gpus[1]"), (str(overlay), 8, "storage_rules.server")}
    messages = " ".join(p.message for p in caught.value.problems)
    assert "names no gpus item of the catalog (found 'no-such-gpu')" in messages


def test_figures_beyond_any_product_are_refused_at_their_line(tmp_path: Path) -> None:
    """A million ports or 1e300 TFLOPS would overflow the solver or exhaust memory."""
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(FIGURES)
    with pytest.raises(CatalogError) as caught:
        load_catalog([overlay])
    found = {(p.file, p.line, p.path) for p in caught.value.problems}
    assert found == {(str(overlay), 6, "switches.mellanox-sb7800.ports"), (str(overlay), 9, "gpus.v100-pcie-32gb.tensor_tflops")}
