"""`primeflex solve` end to end: files, JSON, exit codes, nothing written on bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from primeflex_iac.cli.main import main
from tests.conftest import SPECS


def test_solve_writes_plan_and_bom(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["solve", str(SPECS / "customer.yaml"), "-o", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert {"bom.csv", "bom.md", "plan.json", "racks.svg", "report.html", "report.md", "topology.gv"} <= set(names)
    plan = json.loads((out / "plan.json").read_text())
    assert plan["status"] == "optimal"
    for key in ("objective", "compute", "fabric", "storage", "racks", "software", "workloads", "totals", "solve"):
        assert plan[key], key
    rows = list(csv.DictReader((out / "bom.csv").open()))
    assert abs(sum(float(r["total_cost"]) for r in rows) - plan["totals"]["cost"]) < 0.01
    assert "OPTIMAL" in capsys.readouterr().out


@pytest.mark.slow
def test_same_spec_gives_byte_identical_files(tmp_path: Path) -> None:
    spec = str(SPECS / "reference" / "storage-large.yaml")
    assert main(["solve", spec, "-o", str(tmp_path / "a")]) == 0
    assert main(["solve", spec, "-o", str(tmp_path / "b"), "--workers", "2"]) == 0
    for name in ("plan.json", "bom.csv", "bom.md"):
        a, b = (tmp_path / "a" / name).read_bytes(), (tmp_path / "b" / name).read_bytes()
        if name == "plan.json":  # the worker count is recorded in the solve options
            a = a.replace(b'"workers": 1', b'"workers": 2')
        assert a == b, name


def test_json_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", str(SPECS / "reference" / "sample-small-air.yaml"), "-o", str(tmp_path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["compute"][0]["count"] == 4
    assert (tmp_path / "plan.json").exists()


def test_invalid_spec_exits_2_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "apiVersion: primeflex-iac/v1\nname: bad\ncompute: {gpus: 8, colour: red}\nsite: {racks: {power_per_rack: 20}}\n"
    )
    out = tmp_path / "out"
    assert main(["solve", str(spec), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:3" in err and "compute.colour" in err
    assert "bad.yaml:4" in err and "site.racks.power_per_rack" in err and "missing unit" in err
    assert not out.exists()


def test_unknown_model_id_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "apiVersion: primeflex-iac/v1\nname: s\nworkloads:\n  - {name: w, model: alexnet, time_to_model: 1 h}\n"
        "site: {racks: {power_per_rack: 20 kW}}\n"
    )
    assert main(["solve", str(spec), "-o", str(tmp_path / "out")]) == 2
    assert "unknown model 'alexnet'" in capsys.readouterr().err


@pytest.mark.slow
def test_infeasible_exits_3_and_names_the_requirements(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "apiVersion: primeflex-iac/v1\nname: s\ncompute: {gpus: 128}\n"
        "site: {cooling: air, total_power: 10 kW, racks: {power_per_rack: 20 kW}}\npreferences: {as_of: 2019-06}\n"
    )
    out = tmp_path / "out"
    assert main(["solve", str(spec), "-o", str(out)]) == 3
    printed = capsys.readouterr().out
    assert "INFEASIBLE" in printed and "total power" in printed and "compute floor" in printed
    assert not out.exists()


def test_previous_output_survives_a_failed_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["solve", str(SPECS / "reference" / "storage-small.yaml"), "-o", str(out)]) == 0
    before = (out / "plan.json").read_bytes()
    bad = tmp_path / "bad.yaml"
    bad.write_text("not: [valid")
    assert main(["solve", str(bad), "-o", str(out)]) == 2
    assert (out / "plan.json").read_bytes() == before
