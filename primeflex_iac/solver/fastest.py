"""Objective ``time``: the fastest time-to-model the site's budget, power and racks allow.

Rule: every workload finishes within f x its time_to_model, for the smallest f (at most 1, the
spec's own deadlines); the spec's other objectives and the tie-breaks then pick among the plans
that reach it. The time is not linear in the node count, so it is not a CP-SAT objective: the
count model is re-solved for feasibility at deadlines scaled by f, bisecting f on a log scale
(each plan found moves the upper end down to the time it achieves; no run is shorter than its
start-up, which gives the lower end) until both ends are within TOLERANCE. The model's size stays independent of node counts.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from primeflex_iac.demand.build import scale_demand_deadlines, without_time_objective
from primeflex_iac.solver.model import build_model
from primeflex_iac.solver.read import read_selection
from primeflex_iac.solver.run import make_solver, run_solver
from primeflex_iac.solver.stages import solve_demand
from primeflex_iac.timing.calibration import load_calibration
from primeflex_iac.timing.step_model import best_estimate

if TYPE_CHECKING:
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.selection import Selection, SolveStatus
    from primeflex_iac.solver.options import SolveOptions

__all__ = ["TOLERANCE", "achieved_factor", "find_feasible", "solve_fastest"]

TOLERANCE = 1e-3  # relative width of the final bracket on f


def achieved_factor(selection: Selection, demand: Demand) -> tuple[float, int]:
    """(largest estimated time / required time over the workloads, index of that workload)."""
    assert selection.platform is not None
    ratios = []
    for workload in demand.workloads:
        link = selection.fabric.interconnect if selection.fabric else None
        result = best_estimate(workload, selection.platform.shape, link, selection.nodes)
        ratios.append(result.estimated_s / workload.deadline_on(selection.platform.gpu.generation, load_calibration()))
    worst = max(range(len(ratios)), key=lambda i: ratios[i])
    return ratios[worst], worst


def find_feasible(demand: Demand, options: SolveOptions, min_racks: int, remaining: float) -> tuple[Selection | None, bool]:
    """(a plan meeting the demand, or None; whether the answer is proven)."""
    built = build_model(demand, min_racks)
    for literal in built.groups.values():
        built.model.add(literal == 1)
    solver = make_solver(remaining, options.workers, options.seed)
    run = run_solver(solver, built.model)
    if run.interrupted:
        raise KeyboardInterrupt  # the bisection has no best plan to keep; the CLI exits 130 and writes nothing
    result = run.status
    if result in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return read_selection(built, solver), True
    return None, result == cp_model.INFEASIBLE


def solve_fastest(demand: Demand, options: SolveOptions, min_racks: int = 0) -> tuple[Selection | None, SolveStatus]:
    started = time.monotonic()
    # the spec's other objectives order the plans that reach the time
    rest = without_time_objective(demand)

    def at(factor: float) -> Demand:
        return scale_demand_deadlines(rest, factor)

    def remaining() -> float:
        return options.time_limit_s - (time.monotonic() - started)

    found, _ = find_feasible(at(1.0), options, min_racks, remaining())
    if found is None:
        # the spec's own deadlines cannot be met (or time ran out): the usual answer and explanation
        return solve_demand(rest, options, min_racks, price_preference=False)
    high = achieved_factor(found, demand)[0]
    # no run is shorter than its start-up: below this factor nothing is feasible
    startup = load_calibration().startup_s.value
    low = min(high, max(startup / w.deadline_s for w in demand.workloads)) * (1 - 1e-9)
    proven = True
    while high / low > 1 + TOLERANCE and remaining() > 0:
        middle = math.sqrt(low * high)
        found_here, certain = find_feasible(at(middle), options, min_racks, remaining())
        if found_here is None:
            low, proven = middle, proven and certain
        else:
            high = min(middle, achieved_factor(found_here, demand)[0])
    # the plan: the spec's other objectives among those reaching the fastest factor found
    final = at(high * (1 + 1e-9))
    selection, status = solve_demand(
        final, replace(options, time_limit_s=max(remaining(), 1.0)), min_racks, price_preference=False
    )
    if selection is None:
        return selection, status
    factor, worst = achieved_factor(selection, demand)
    required = demand.workloads[worst].deadline_s
    converged = high / low <= 1 + TOLERANCE and proven
    return selection, replace(
        status,
        status="optimal" if converged and status.status == "optimal" else "feasible",
        objective_name="time",
        objective_value=round(factor * required, 1),
        objective_bound=round(low * required, 1),
        gap=(factor - low) / factor,
        stages=("time", *status.stages),
    )
