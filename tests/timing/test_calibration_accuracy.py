"""The estimate against every published row it was calibrated on, and the calibration's reproducibility.

Every row of mlperf_calibration.tsv (time-to-train) and the H200 rows of reference facts section 3
(throughput): median absolute error at most 15 %, worst at most 50 % (issue 3). The hold-out
checks (fit on part, judge on the rest) are in benchmarks/estimate_accuracy.py.
"""

from __future__ import annotations

import filecmp
import subprocess
import sys

import pytest

from primeflex_iac import Catalog
from primeflex_iac.timing.calibration import load_calibration
from primeflex_iac.timing.measurements import DATA_DIR, load_rows, relative_error, summary
from tests.conftest import ROOT


def test_every_published_row_within_the_bounds(catalog: Catalog) -> None:
    rows = load_rows(catalog)
    calibration = load_calibration()
    assert len([r for r in rows if r.source.startswith("mlperf")]) == 47
    assert len([r for r in rows if r.source == "h200"]) == 4
    errors = [relative_error(row, catalog, calibration) for row in rows]
    median, worst = summary(errors)
    assert median <= 0.15, f"median absolute error {median:.1%}"
    assert worst <= 0.50, f"worst absolute error {worst:.1%}"


def test_multi_node_rows_within_the_bounds(catalog: Catalog) -> None:
    rows = [r for r in load_rows(catalog) if r.nodes > 1]
    assert len(rows) == 9
    median, worst = summary([relative_error(r, catalog, load_calibration()) for r in rows])
    assert median <= 0.15 and worst <= 0.50


def test_calibration_rows_are_the_shared_reference() -> None:
    shared = ROOT.parent / "shared" / "reference" / "mlperf_calibration.tsv"
    if not shared.exists():
        pytest.skip("no shared/ beside the checkout")
    assert filecmp.cmp(shared, DATA_DIR / "mlperf_calibration.tsv", shallow=False)


@pytest.mark.slow
def test_the_committed_calibration_is_what_the_fit_gives() -> None:
    pytest.importorskip("scipy")
    script = ROOT / "calibration" / "fit_calibration.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
