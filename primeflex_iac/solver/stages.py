"""Solve the model of a Demand lexicographically, and read the Selection back.

Stages, each minimised with the earlier ones fixed at their optimum:
  1. extreme fabrics (when the spec avoids them, the seed's rule on HDR);
  2. the spec's objectives, in order;
  3. tie-breaks in a fixed order: cost, power, rack units, racks, then catalog order,
so that the same spec and catalog always give the same plan, whatever the worker count.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import ortools
from ortools.sat.python import cp_model

from primeflex_iac.demand.selection import SolveStatus
from primeflex_iac.solver.model import build_model
from primeflex_iac.solver.read import read_selection
from primeflex_iac.solver.run import make_solver, run_solver

if TYPE_CHECKING:
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.selection import Selection
    from primeflex_iac.solver.families.vars import Totals
    from primeflex_iac.solver.model import BuiltModel
    from primeflex_iac.solver.options import SolveOptions

__all__ = ["TIE_BREAKS", "objective", "solve_demand"]

TIE_BREAKS = ("cost", "power", "rack_units", "racks")
EXTREME_STAGE = "extreme fabrics"  # the avoid_extreme_fabrics preference's stage, before the objectives


def objective(totals: Totals, name: str) -> cp_model.LinearExprT:
    """The total an objective or tie-break minimises: cost, power (maximum), rack_units, racks or tco."""
    by_name = {
        "cost": totals.cost,
        "power": totals.power_max_w,
        "rack_units": totals.rack_units,
        "racks": totals.racks,
        "touched_nodes": totals.touched_nodes,
    }
    if name == "tco" and totals.tco is not None:
        return totals.tco
    return by_name[name]


def _stages(built: BuiltModel) -> list[tuple[str, cp_model.LinearExprT]]:
    demand = built.demand
    stages: list[tuple[str, cp_model.LinearExprT]] = []
    if demand.avoid_extreme_fabrics:
        stages.append((EXTREME_STAGE, built.fabric.extreme))
    names = list(demand.objectives) + [name for name in TIE_BREAKS if name not in demand.objectives]
    stages.extend((name, objective(built.totals, name)) for name in names)
    stages.append(("catalog order", sum(built.order)))
    return stages


def _solver(options: SolveOptions, remaining: float) -> cp_model.CpSolver:
    return make_solver(remaining, options.workers, options.seed)


def solve_demand(
    demand: Demand, options: SolveOptions, min_racks: int = 0, *, price_preference: bool = True
) -> tuple[Selection | None, SolveStatus]:
    """Solve for the spec's objectives in stages; an infeasible demand gives status "infeasible".

    A stage cut short by the time limit or by Ctrl-C ends the solve with the best solution found
    so far: status "feasible" and ``stopped`` saying why. Without any solution, the status is
    "unknown" (time limit) or the solve raises KeyboardInterrupt (Ctrl-C). Where the
    avoid_extreme_fabrics stage keeps every faster fabric out, ``price_preference`` also solves
    the first objective without it, so the plan can say what the preference costs.
    """
    started = time.monotonic()
    built = build_model(demand, min_racks)
    for literal in built.groups.values():
        built.model.add(literal == 1)
    first_user = demand.objectives[0]
    status_word = "optimal"
    stopped: str | None = None
    value = bound = gap = None
    best: cp_model.CpSolver | None = None  # the solver of the last stage that found a solution
    stage_names = []
    unbound: cp_model.CpModel | None = None
    for name, expr in _stages(built):
        stage_names.append(name)
        built.model.minimize(expr)
        solver = _solver(options, options.time_limit_s - (time.monotonic() - started))
        run = run_solver(solver, built.model)
        result = run.status
        if result == cp_model.MODEL_INVALID:  # inputs are bounded so that this cannot happen: a bug
            raise RuntimeError(f"the solver model is invalid: {built.model.validate()}")
        if result == cp_model.INFEASIBLE:
            # which requirements conflict is a solve of its own: solver/conflicts.py
            return None, SolveStatus("infeasible", solver_version=ortools.__version__)
        if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if best is None:
                if run.interrupted:
                    raise KeyboardInterrupt
                # time ran out before any plan was found: not proven infeasible
                return None, SolveStatus("unknown", stopped="time limit", solver_version=ortools.__version__)
            # this stage found nothing in time: keep the previous stage's solution
            status_word, stopped = "feasible", "interrupt" if run.interrupted else "time limit"
            break
        achieved = round(solver.objective_value)
        if name == EXTREME_STAGE and achieved == 0 and price_preference and not isinstance(expr, int):
            unbound = built.model.clone()  # before the stage's bound: faster fabrics still allowed
        if name == first_user:
            value, bound = float(achieved), float(solver.best_objective_bound)
            gap = 0.0 if result == cp_model.OPTIMAL else abs(achieved - bound) / max(abs(achieved), 1)
        _fix(built, expr, achieved, solver)
        best = solver
        if result != cp_model.OPTIMAL or run.interrupted:
            status_word, stopped = "feasible", "interrupt" if run.interrupted else "time limit"
            break
    assert best is not None
    unpreferred = None
    if unbound is not None and stopped is None:  # what the preference costs: the first objective without it
        # no longer than the stages took (a plan need not wait on its note); Ctrl-C drops the note only
        spent = time.monotonic() - started
        limit = min(options.time_limit_s - spent, max(1.0, spent))
        unpreferred = _optimum(unbound, objective(built.totals, first_user), options, limit)
    if value is None:
        # stopped before the first objective's stage: its value at the solution found, bound unknown
        value = float(round(best.value(objective(built.totals, first_user))))
    selection = read_selection(built, best)
    return selection, SolveStatus(
        status_word,
        objective_name=first_user,
        objective_value=value,
        objective_bound=bound,
        gap=gap,
        stages=tuple(stage_names),
        solver_version=ortools.__version__,
        stopped=stopped,
        unpreferred_value=unpreferred if unpreferred is not None and unpreferred < value - 0.5 else None,
    )


def _optimum(model: cp_model.CpModel, expr: cp_model.LinearExprT, options: SolveOptions, limit_s: float) -> float | None:
    """``expr``'s proven minimum on ``model`` within ``limit_s`` seconds; None where not proven (or
    where Ctrl-C stopped it)."""
    model.minimize(expr)
    run = run_solver(solver := _solver(options, limit_s), model)
    return float(round(solver.objective_value)) if run.status == cp_model.OPTIMAL and not run.interrupted else None


def _fix(built: BuiltModel, expr: cp_model.LinearExprT, achieved: int, solver: cp_model.CpSolver) -> None:
    """Keep the stage's optimum for the later stages, and hint the solution found."""
    built.model.add(expr <= achieved)
    built.model.clear_hints()
    for variable in built.hinted:
        built.model.add_hint(variable, solver.value(variable))
