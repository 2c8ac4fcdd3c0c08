"""The estimate against every published row it was calibrated on, and the calibration's reproducibility.

Every row of mlperf_calibration.tsv (time-to-train) and the H200 rows of reference facts section 3
(throughput): median absolute error at most 15 %, worst at most 50 %. The rows the calibration was
not fitted on (the fixed held-out split of ``measurements.held_out``): MLPerf within 15 % median
and 50 % worst, the MPT LLM rows (tokens/s per GPU) within 6 % median and 25 % worst, every group's
median within 12 %, and every LLM run fitting memory in its own layout. The same source's H100
FP8 and A100 40GB runs (calibration/llm_unfitted.tsv, never fitted) by the same bars but the worst,
which one measured outlier breaks (benchmarks/ESTIMATE_ACCURACY.md).
"""

from __future__ import annotations

import filecmp
import subprocess
import sys
from dataclasses import replace

import pytest

from primeflex_iac import Catalog
from primeflex_iac.timing.calibration import load_calibration
from primeflex_iac.timing.measurements import (
    DATA_DIR,
    held_out,
    load_rows,
    relative_error,
    summary,
    unfitted_llm_rows,
)
from tests.conftest import ROOT


def test_every_published_row_within_the_bounds(catalog: Catalog) -> None:
    # every MLPerf and H200 row, but the H200 GPT rows: eager PyTorch (fused attention or not unstated), other
    # software than the decoder model's, held out and reported (benchmarks/ESTIMATE_ACCURACY.md)
    rows = [r for r in load_rows(catalog) if not r.is_llm]
    assert len([r for r in rows if r.source.startswith("mlperf")]) == 47
    assert len([r for r in rows if r.source == "h200"]) == 4
    rows = [r for r in rows if not (r.source == "h200" and held_out(r))]
    calibration = load_calibration()
    errors = [relative_error(row, catalog, calibration) for row in rows]
    median, worst = summary(errors)
    assert median <= 0.15, f"median absolute error {median:.1%}"
    assert worst <= 0.50, f"worst absolute error {worst:.1%}"


def test_multi_node_rows_within_the_bounds(catalog: Catalog) -> None:
    rows = [r for r in load_rows(catalog) if r.nodes > 1 and not r.is_llm]
    assert len(rows) == 9
    median, worst = summary([relative_error(r, catalog, load_calibration()) for r in rows])
    assert median <= 0.15 and worst <= 0.50


def test_held_out_llm_rows_within_the_bars(catalog: Catalog) -> None:
    calibration = load_calibration()
    rows = [r for r in load_rows(catalog) if r.is_llm]
    assert len(rows) == 113
    checked = [r for r in rows if held_out(r)]
    assert len(checked) == 37
    median, worst = summary([relative_error(r, catalog, calibration) for r in checked])
    assert median <= 0.06, f"median absolute error {median:.1%}"
    assert worst <= 0.25, f"worst absolute error {worst:.1%}"
    groups: dict[str, list[float]] = {}
    for row in checked:  # by GPU, by scale, by sequence length
        error = relative_error(row, catalog, calibration)
        for key in (row.gpu, "multi-node" if row.nodes > 1 else "one node", "long" if row.sequence > 8192 else "short"):
            groups.setdefault(key, []).append(error)
    for key, errors in groups.items():
        assert summary(errors)[0] <= 0.12, f"group {key}: median {summary(errors)[0]:.1%}"
    for row in rows:
        assert row.inputs.run(catalog, calibration).fits_memory, row.label


def test_held_out_llm_rows_within_the_bars_with_the_layout_searched(catalog: Catalog) -> None:
    # `primeflex estimate` told no layout searches one: it must not find layouts faster than the
    # measured runs could have used (the runs' own: TP 1 with their ZeRO stage and recomputation)
    calibration = load_calibration()
    checked = [r for r in load_rows(catalog) if r.is_llm and held_out(r)]
    searched = [replace(r, inputs=replace(r.inputs, limits=None)) for r in checked]
    median, worst = summary([relative_error(r, catalog, calibration) for r in searched])
    assert median <= 0.06, f"median absolute error {median:.1%}"
    assert worst <= 0.25, f"worst absolute error {worst:.1%}"


def test_llm_runs_never_fitted_within_the_bars(catalog: Catalog) -> None:
    """Other memory (A100 40GB, up to 128 GPUs) and FP8 (H100): 6 % median, every group within 12 %,
    each fitting memory, in the runs' own layouts and searched. The worst is held under 30 %: MPT-1B
    on 32 A100 40GB ran at 82 % of its own 16- and 64-GPU runs' rate per GPU (+28 %), and MPT-70B
    on 64 at 73 % of its 128-GPU run's (+26 %, +37 % searched: a searched layout is held to 40 %)."""
    calibration = load_calibration()
    rows = unfitted_llm_rows(catalog)
    assert len(rows) == 88
    groups: dict[str, list[float]] = {}
    searched_errors = []
    for row in rows:
        error = relative_error(row, catalog, calibration)
        searched = replace(row, inputs=replace(row.inputs, limits=None))
        searched_errors.append(relative_error(searched, catalog, calibration))
        assert row.inputs.run(catalog, calibration).fits_memory, row.label
        scale = "multi-node" if row.nodes > 1 else "one node"
        for key in (row.gpu, scale, "long" if row.sequence > 8192 else "short", "all"):
            groups.setdefault(key, []).append(error)
    for key, errors in groups.items():
        assert summary(errors)[0] <= (0.06 if key == "all" else 0.12), f"group {key}: median {summary(errors)[0]:.1%}"
    assert summary(groups["all"])[1] < 0.30
    median, worst = summary(searched_errors)
    assert median <= 0.06 and worst < 0.40, f"searched: median {median:.1%}, worst {worst:.1%}"


def test_held_out_mlperf_rows_within_the_bars(catalog: Catalog) -> None:
    calibration = load_calibration()
    checked = [r for r in load_rows(catalog) if held_out(r) and r.source.startswith("mlperf")]
    assert len(checked) == 15
    median, worst = summary([relative_error(r, catalog, calibration) for r in checked])
    assert median <= 0.15 and worst <= 0.50, f"median {median:.1%}, worst {worst:.1%}"


@pytest.mark.parametrize("name", ["mlperf_calibration.tsv", "llm_calibration.tsv"])
def test_calibration_rows_are_the_shared_reference(name: str) -> None:
    shared = ROOT.parent / "shared" / "reference" / name
    if not shared.exists():
        pytest.skip("no shared/ beside the checkout")
    assert filecmp.cmp(shared, DATA_DIR / name, shallow=False)


@pytest.mark.slow
def test_the_committed_calibration_is_what_the_fit_gives() -> None:
    pytest.importorskip("scipy")
    script = ROOT / "calibration" / "fit_calibration.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
