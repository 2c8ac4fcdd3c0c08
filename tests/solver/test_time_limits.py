"""Time limits and Ctrl-C: the best plan so far, marked as such; never a silent partial result.

The reference specs solve to optimality in well under a second, so a real time limit cannot be
hit reproducibly. These tests cut a stage short with CP-SAT's own deterministic limits
(``stop_after_first_solution``, ``max_deterministic_time``), which take the same code path as a
wall-clock limit: the solver returns FEASIBLE (or UNKNOWN) instead of OPTIMAL. Ctrl-C is sent as
a real SIGINT to a real `primeflex solve` process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from primeflex_iac import Catalog, check, load_spec, parse_spec_text, solve
from primeflex_iac.cli.main import main
from primeflex_iac.solver import stages as solve_module
from primeflex_iac.solver.run import SolveRun
from tests.conftest import ROOT, SPECS

CUSTOMER = SPECS / "customer.yaml"


@pytest.fixture
def cut_stage(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int, str], None]]:
    """cut_stage(n, how): make the n-th solve of a lexicographic run stop early, deterministically."""

    def arm(stage: int, how: str) -> None:
        original = solve_module._solver
        calls = []

        def patched(options: solve_module.SolveOptions, remaining: float) -> cp_model.CpSolver:
            solver = original(options, remaining)
            calls.append(stage)
            if len(calls) == stage:
                if how == "first solution":
                    solver.parameters.stop_after_first_solution = True
                else:  # "nothing": not even a first solution
                    solver.parameters.max_deterministic_time = 0.0
            return solver

        monkeypatch.setattr(solve_module, "_solver", patched)

    yield arm


def test_a_stage_cut_short_gives_the_best_plan_with_its_gap(cut_stage: Callable[[int, str], None], catalog: Catalog) -> None:
    cut_stage(2, "first solution")  # stage 1 avoids extreme fabrics, stage 2 is the cost
    spec = load_spec(CUSTOMER)
    plan = solve(spec, catalog)
    assert plan.status == "feasible"
    assert plan.solve is not None and plan.solve.stopped_by == "time limit"
    assert plan.objective is not None and plan.objective.value is not None and plan.objective.bound is not None
    assert plan.solve.gap is not None and plan.solve.gap >= 0
    assert plan.objective.bound <= plan.objective.value
    assert any("may differ between runs" in w for w in plan.warnings)
    assert check(plan, spec, catalog).ok
    assert plan.message.startswith("best found (time limit)")


def test_cut_before_the_objective_stage_reports_the_value_and_an_unknown_gap(
    monkeypatch: pytest.MonkeyPatch, catalog: Catalog
) -> None:
    # stage 1 (extreme fabrics) stops with a solution it has not proven optimal: what a time limit
    # does on a harder spec (this one proves its first solution at once, so the status is reported
    # as CP-SAT reports a cut-short stage)
    original = solve_module.run_solver
    calls: list[int] = []

    def cut_first(solver: cp_model.CpSolver, model: cp_model.CpModel) -> SolveRun:
        run = original(solver, model)
        calls.append(1)
        if len(calls) == 1 and run.status == cp_model.OPTIMAL:
            return SolveRun(cp_model.FEASIBLE, run.interrupted)
        return run

    monkeypatch.setattr(solve_module, "run_solver", cut_first)
    spec = parse_spec_text(
        "apiVersion: primeflex-iac/v1\nname: big\ncompute: {gpus: 8192}\nstorage: {capacity: 3 PiB}\n"
        "site: {racks: {max: 2000, height: 42U, power_per_rack: 40 kW}}\n"
    )
    plan = solve(spec, catalog)
    assert check(plan, spec, catalog).ok
    assert plan.status == "feasible" and plan.objective is not None and plan.solve is not None
    assert plan.objective.value is not None and plan.objective.bound is None and plan.solve.gap is None
    assert plan.totals is not None and plan.objective.value == round(plan.totals.cost)


def test_a_later_stage_with_nothing_keeps_the_earlier_plan(cut_stage: Callable[[int, str], None], catalog: Catalog) -> None:
    cut_stage(3, "nothing")  # the first tie-break finds nothing in time: the cost stage's plan stands
    spec = load_spec(CUSTOMER)
    plan = solve(spec, catalog)
    optimal = solve(spec, catalog)  # the cut applies to the first run only
    assert plan.status == "feasible" and plan.solve is not None and plan.solve.gap == 0.0
    assert plan.totals is not None and optimal.totals is not None and plan.totals.cost == optimal.totals.cost
    assert check(plan, spec, catalog).ok


def test_no_plan_in_time_is_unknown_not_infeasible(
    cut_stage: Callable[[int, str], None], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut_stage(1, "nothing")
    out = tmp_path / "out"
    assert main(["solve", str(CUSTOMER), "-o", str(out)]) == 3
    printed = capsys.readouterr().out
    assert "UNKNOWN" in printed and "none was proven impossible" in printed and "raise the time limit" in printed
    assert not out.exists()


def test_cli_warns_on_a_time_limited_plan(
    cut_stage: Callable[[int, str], None], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut_stage(2, "first solution")
    out = tmp_path / "out"
    assert main(["solve", str(CUSTOMER), "-o", str(out), "--no-render"]) == 0
    captured = capsys.readouterr()
    assert "FEASIBLE" in captured.out and "gap " in captured.out
    assert "time limit reached" in captured.err and "may differ between runs" in captured.err
    plan = json.loads((out / "plan.json").read_text())
    assert plan["status"] == "feasible" and plan["solve"]["stopped_by"] == "time limit"


# ---------------------------------------------------------------------------------------------
# Ctrl-C, for real: a subprocess, a SIGINT, the best plan so far

# The stages of the real model are too quick to interrupt, so this script appends a stage whose
# objective (a market-split problem: hard to prove optimal) keeps CP-SAT busy until interrupted.
_SLOW_SOLVE = """
import random, sys
import primeflex_iac.solver.stages as S

original = S._stages

def stages(ctx):
    found = original(ctx)
    model, rng = ctx.model, random.Random(3)
    picks = [model.new_bool_var(f"x{i}") for i in range(40)]
    gaps = []
    for k in range(5):
        weights = [rng.randint(0, 99) for _ in picks]
        gap = model.new_int_var(0, 10**4, f"gap{k}")
        model.add_abs_equality(gap, sum(w * x for w, x in zip(weights, picks)) - sum(weights) // 2)
        gaps.append(gap)
    print("primeflex-test: slow stage", file=sys.stderr, flush=True)
    return [*found, ("market split", sum(gaps))]

S._stages = stages
from primeflex_iac.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _interrupt_solve(tmp_path: Path, wait_s: float) -> tuple[int, str, str, float]:
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-c", _SLOW_SOLVE, "solve", str(CUSTOMER), "-o", str(out), "--no-render", "--time-limit", "120"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    line = process.stderr.readline()  # the stages are built: solving starts now
    assert "slow stage" in line, line
    time.sleep(wait_s)
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return process.returncode, stdout, stderr, time.monotonic() - sent


@pytest.mark.skipif(os.name != "posix", reason="SIGINT")
@pytest.mark.slow
def test_ctrl_c_stops_cleanly_with_the_best_plan_so_far(tmp_path: Path) -> None:
    code, stdout, stderr, took = _interrupt_solve(tmp_path, wait_s=2.0)
    assert code == 130, stderr
    assert took < 10  # the search stops promptly, not at the 120 s limit
    assert "Traceback" not in stderr
    assert "interrupted; the plan is the best found" in stderr
    assert "FEASIBLE" in stdout
    plan = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert plan["status"] == "feasible" and plan["solve"]["stopped_by"] == "interrupt"
    assert any(w.startswith("interrupted (Ctrl-C)") for w in plan["warnings"])
    # every real stage had finished: the plan is the optimal one, only the extra stage was cut
    assert plan["objective"]["bound"] == plan["objective"]["value"]
