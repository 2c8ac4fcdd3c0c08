"""`primeflex sweep`: cost against time-to-model over deadlines, as CSV, SVG and PNG, with progress."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from primeflex_iac.app.sweep import deadline_range
from primeflex_iac.cli.exit_codes import EXIT_INVALID, EXIT_OK
from primeflex_iac.cli.main import main

SPEC = """\
apiVersion: primeflex-iac/v1
name: sweep-me
workloads:
  - {name: bert, model: bert-large, epochs: 4, global_batch: 2048, time_to_model: 1 d}
site:
  racks: {max: 4, height: 42U, power_per_rack: 30 kW}
  budget: 3M USD
preferences:
  gpus: [a100-sxm4-40gb, a100-pcie-40gb]
"""


def test_deadlines_are_log_spaced_longest_first() -> None:
    assert deadline_range(100, 10_000, 3) == pytest.approx([10_000, 1_000, 100])
    assert deadline_range(100, 100, 5) == [100]


def _run(tmp_path: Path, out: str, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SPEC)
    folder = tmp_path / out
    assert main(["sweep", str(spec), "-o", str(folder), "--points", "5", "--from", "2 h", "--to", "2 d"]) == EXIT_OK
    return folder, capsys.readouterr().err


@pytest.mark.slow
def test_sweep_writes_a_frontier_and_shows_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, err = _run(tmp_path, "a", capsys)
    assert sorted(p.name for p in folder.iterdir()) == [".primeflex-manifest.json", "pareto.csv", "pareto.png", "pareto.svg"]
    assert [f"sweep {i}/5" in err for i in range(1, 6)] == [True] * 5
    rows = list(csv.DictReader((folder / "pareto.csv").open()))
    assert len(rows) == 5
    planned = [r for r in rows if r["cost_usd"]]
    assert planned, "at least the loosest deadline has a plan"
    for row in planned:
        assert float(row["time_to_model_s"]) <= float(row["deadline_s"]) * (1 + 1e-9)
    frontier = sorted((r for r in rows if r["pareto"] == "yes"), key=lambda r: float(r["time_to_model_s"]))
    costs = [float(r["cost_usd"]) for r in frontier]
    assert costs == sorted(costs, reverse=True) and len(set(costs)) == len(costs)  # faster costs more
    assert (folder / "pareto.png").read_bytes().startswith(b"\x89PNG")
    svg = (folder / "pareto.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


@pytest.mark.slow
def test_sweep_output_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = _run(tmp_path, "a", capsys)
    second, _ = _run(tmp_path, "b", capsys)
    for name in ("pareto.csv", "pareto.svg", "pareto.png"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_sweep_needs_workloads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "floor.yaml"
    spec.write_text(
        SPEC.replace(
            "workloads:\n  - {name: bert, model: bert-large, epochs: 4, global_batch: 2048, time_to_model: 1 d}\n",
            "compute: {gpus: 8}\n",
        )
    )
    assert main(["sweep", str(spec), "-o", str(tmp_path / "x")]) == EXIT_INVALID
    assert "needs workloads" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_sweep_output_is_the_same_in_one_process_and_in_workers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SPEC)
    errs = []
    for jobs in ("1", "2", "3"):
        arguments = ["sweep", str(spec), "-o", str(tmp_path / jobs), "--points", "6", "--to", "2 d", "--jobs", jobs]
        assert main(arguments) == EXIT_OK
        errs.append(capsys.readouterr().err)
    for name in ("pareto.csv", "pareto.svg", "pareto.png"):
        assert (
            (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes() == (tmp_path / "3" / name).read_bytes()
        )
    assert errs[0] == errs[1] == errs[2]  # progress in the deadlines' order, whoever finished first
    assert [f"sweep {i}/6" in errs[0] for i in range(1, 7)] == [True] * 6


def test_jobs_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SPEC)
    assert main(["sweep", str(spec), "-o", str(tmp_path / "x"), "--jobs", "0"]) == EXIT_INVALID
    assert "--jobs must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
