"""For each conflicting requirement, how far it must move for a plan to exist, every other one held.

The conflicts (solver/conflicts.py) say which requirements cannot hold together; this says what
to change. Every numeric requirement is moved to the nearest value that gives a plan:

- budget, total power, racks: the cheapest plan's cost, the lowest maximum power, the fewest racks
  with that requirement switched off (an optimisation solve);
- compute floors, storage capacity and throughput: the most that fits (a maximisation);
- power per rack and a time-to-model change the model's coefficients, so they are found by
  bisection over feasibility solves of the edited spec (feasibility is monotone in both);
- availability month, cooling, allowed GPUs / nodes / fabrics, GPU memory, precision: the
  nearest catalog value that gives a plan.

Each proposed change is then checked by solving the edited spec in full; only a change that gives
a plan is proposed, and that plan is quoted as the example. Times are rounded up to what the
summary prints (whole minutes, or whole hours past two days), power up to 0.1 kW, money up to a
whole currency unit, so the printed figure itself works.

The searches live by kind: capacity.py (optimisation), limits.py (bisection), catalog_limits.py
(catalog values); search.py holds what they share.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from primeflex_iac.app.explain.answers import unexplained
from primeflex_iac.app.explain.capacity import (
    relax_budget,
    relax_compute_floor,
    relax_racks,
    relax_storage_capacity,
    relax_storage_throughput,
    relax_total_power,
)
from primeflex_iac.app.explain.catalog_limits import (
    relax_allowed,
    relax_as_of,
    relax_cooling,
    relax_gpu_memory,
    relax_precision,
)
from primeflex_iac.app.explain.combined import combined_relaxation
from primeflex_iac.app.explain.existing_site import relax_existing_site
from primeflex_iac.app.explain.limits import relax_power_per_rack, relax_time_to_model
from primeflex_iac.app.explain.search import OutOfTime, SearchContext, dropped
from primeflex_iac.demand.requirements import Requirement, RequirementGroup

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.plan.model import Plan, Relaxation
    from primeflex_iac.solver.options import SolveOptions
    from primeflex_iac.spec.model import Spec

__all__ = ["RELAXATION_BUDGET_S", "explain_conflicts", "explain_relaxations"]

RELAXATION_BUDGET_S = 60.0  # at most this long for all the relaxations of one spec


def explain_relaxations(
    spec: Spec,
    catalog: Catalog,
    conflicts: Sequence[RequirementGroup | str],
    options: SolveOptions,
    solve_plan: Callable[[Spec, SolveOptions], Plan],
    budget_s: float = RELAXATION_BUDGET_S,
) -> list[Relaxation]:
    """One Relaxation per conflict, in the order given.

    A conflict is a requirement group, or a sentence when no group explains the infeasibility
    (the catalog's own limits); for that one the answer says whether a plan exists at all.
    ``solve_plan`` solves an edited spec in full without explaining it (the pipeline's solve);
    it checks each proposed change.
    """
    return explain_conflicts(spec, catalog, conflicts, options, solve_plan, budget_s)[0]


def explain_conflicts(
    spec: Spec,
    catalog: Catalog,
    conflicts: Sequence[RequirementGroup | str],
    options: SolveOptions,
    solve_plan: Callable[[Spec, SolveOptions], Plan],
    budget_s: float = RELAXATION_BUDGET_S,
) -> tuple[list[Relaxation], Relaxation | None]:
    """The relaxations of :func:`explain_relaxations`, and the cheapest move of the conflicting
    site limits together (``combined.py``) when two or more of them conflict."""
    ctx = SearchContext(spec, catalog, options, time.monotonic() + budget_s, solve_plan)
    found = []
    for conflict in conflicts:
        label = conflict.label if isinstance(conflict, RequirementGroup) else conflict
        try:
            if isinstance(conflict, RequirementGroup):
                found.append(_relax(ctx, conflict))
            else:
                found.append(dropped(ctx, conflict, ()))
        except OutOfTime:
            found.append(unexplained(label, f"not worked out within {budget_s:g} s"))
    groups = [conflict for conflict in conflicts if isinstance(conflict, RequirementGroup)]
    try:
        together = combined_relaxation(ctx, groups)
    except OutOfTime:
        together = None
    return found, together


def _relax(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    handler = _HANDLERS.get(group.kind)
    if handler is None:
        return dropped(ctx, group.label, (group,))
    return handler(ctx, group)


# how far each kind of requirement must move, found by the search of its kind
_HANDLERS: dict[Requirement, Callable[[SearchContext, RequirementGroup], Relaxation]] = {
    Requirement.BUDGET: relax_budget,
    Requirement.TOTAL_POWER: relax_total_power,
    Requirement.RACKS: relax_racks,
    Requirement.POWER_PER_RACK: relax_power_per_rack,
    Requirement.TIME_TO_MODEL: relax_time_to_model,
    Requirement.COMPUTE_FLOOR: relax_compute_floor,
    Requirement.STORAGE_CAPACITY: relax_storage_capacity,
    Requirement.STORAGE_THROUGHPUT: relax_storage_throughput,
    Requirement.AS_OF: relax_as_of,
    Requirement.COOLING: relax_cooling,
    Requirement.ALLOWED_GPUS: relax_allowed("gpus", "gpus", "GPUs"),
    Requirement.ALLOWED_NODES: relax_allowed("servers", "nodes", "nodes"),
    Requirement.ALLOWED_FABRICS: relax_allowed("fabrics", "fabrics", "fabrics"),
    Requirement.GPU_MEMORY: relax_gpu_memory,
    Requirement.PRECISION: relax_precision,
    Requirement.EXISTING_SITE: relax_existing_site,
}
