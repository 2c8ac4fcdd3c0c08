"""Why no plan exists: the requirement groups that cannot hold together.

CP-SAT assumptions do not mix with objectives, so this solves the same model for feasibility
only, with every requirement group's literal as an assumption. The core CP-SAT returns is then
shrunk by deletion to a minimal set: dropping any one group of it makes the rest feasible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from primeflex_iac.demand.build import Demand
from primeflex_iac.solver.run import make_solver, run_solver

if TYPE_CHECKING:
    from primeflex_iac.solver.stages import SolveOptions

__all__ = ["explain_infeasible"]


def _feasible(demand: Demand, options: SolveOptions, min_racks: int, groups: list[str]) -> tuple[bool, list[str]]:
    from primeflex_iac.solver.stages import build_model

    ctx = build_model(demand, min_racks)
    literals = {name: ctx.groups[name] for name in sorted(ctx.groups) if name in groups}
    ctx.model.add_assumptions(list(literals.values()))
    # cores are only reported with one worker
    solver = make_solver(max(1.0, options.time_limit_s / 4), 1, options.seed)
    run = run_solver(solver, ctx.model)
    if run.interrupted:
        raise KeyboardInterrupt
    result = run.status
    if result in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True, []
    by_index = {literal.index: name for name, literal in literals.items()}
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    return False, sorted(core)


def explain_infeasible(demand: Demand, options: SolveOptions, min_racks: int = 0) -> list[str]:
    from primeflex_iac.solver.stages import build_model

    every = sorted(build_model(demand, min_racks).groups)
    feasible, core = _feasible(demand, options, min_racks, every)
    if feasible:
        return ["no single requirement group is at fault; the limits of the catalog itself exclude every plan"]
    if not core:
        return ["the catalog itself allows no plan (no requirement group can be relaxed to find one)"]
    minimal = list(core)
    for name in core:
        trial = [g for g in minimal if g != name]
        still_infeasible = not _feasible(demand, options, min_racks, trial)[0]
        if still_infeasible:
            minimal = trial
    return minimal
