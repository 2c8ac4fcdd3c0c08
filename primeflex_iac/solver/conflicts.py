"""Why no plan exists: the requirement groups that cannot hold together.

CP-SAT assumptions do not mix with objectives, so this solves the same model for feasibility
only, with every requirement group's literal as an assumption. The core CP-SAT returns is then
shrunk by deletion to a minimal set: dropping any one group of it makes the rest feasible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from primeflex_iac.solver.model import build_model
from primeflex_iac.solver.run import make_solver, run_solver

if TYPE_CHECKING:
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.requirements import RequirementGroup
    from primeflex_iac.solver.options import SolveOptions

__all__ = ["NO_GROUP_AT_FAULT", "NO_GROUP_RELAXES", "explain_infeasible"]

# what the conflicts say when no requirement group explains the infeasibility
NO_GROUP_AT_FAULT = "no single requirement group is at fault; the limits of the catalog itself exclude every plan"
NO_GROUP_RELAXES = "the catalog itself allows no plan (no requirement group can be relaxed to find one)"


def _by_label(groups: list[RequirementGroup]) -> list[RequirementGroup]:
    """Groups in the order of their labels: the order the conflicts are reported in."""
    return sorted(groups, key=lambda group: group.label)


def _feasible(
    demand: Demand, options: SolveOptions, min_racks: int, groups: list[RequirementGroup]
) -> tuple[bool, list[RequirementGroup]]:
    built = build_model(demand, min_racks)
    wanted = set(groups)
    literals = {group: built.groups[group] for group in _by_label(list(built.groups)) if group in wanted}
    built.model.add_assumptions(list(literals.values()))
    # cores are only reported with one worker
    solver = make_solver(max(1.0, options.time_limit_s / 4), 1, options.seed)
    run = run_solver(solver, built.model)
    if run.interrupted:
        raise KeyboardInterrupt
    result = run.status
    if result in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True, []
    by_index = {literal.index: group for group, literal in literals.items()}
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    return False, _by_label(core)


def explain_infeasible(
    demand: Demand, options: SolveOptions, min_racks: int = 0
) -> tuple[tuple[RequirementGroup, ...], tuple[str, ...]]:
    """(a minimal set of groups that cannot hold together, what the Plan reports as its conflicts).

    The reported conflicts are the groups' labels, or one sentence when no group explains it.
    """
    every = _by_label(list(build_model(demand, min_racks).groups))
    feasible, core = _feasible(demand, options, min_racks, every)
    if feasible:
        return (), (NO_GROUP_AT_FAULT,)
    if not core:
        return (), (NO_GROUP_RELAXES,)
    minimal = list(core)
    for group in core:
        trial = [g for g in minimal if g != group]
        still_infeasible = not _feasible(demand, options, min_racks, trial)[0]
        if still_infeasible:
            minimal = trial
    return tuple(minimal), tuple(group.label for group in minimal)
