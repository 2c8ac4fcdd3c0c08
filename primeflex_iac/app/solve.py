"""The whole pipeline as a library call: spec and catalog in, Plan out (an infeasible one explained)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from primeflex_iac.app.alternatives import cooling_alternatives
from primeflex_iac.app.explain.relaxations import explain_conflicts
from primeflex_iac.app.inputs import solve_options_for
from primeflex_iac.app.planning import plan_demand
from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.demand.build import build_demand

if TYPE_CHECKING:
    from collections.abc import Sequence

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.plan.model import Plan
    from primeflex_iac.solver.options import SolveOptions
    from primeflex_iac.spec.model import Spec

__all__ = ["solve"]


def solve(
    spec: Spec,
    catalog: Catalog | None = None,
    options: SolveOptions | None = None,
    overlays: Sequence[str | Path] = (),
    explain: bool = True,
) -> Plan:
    """Find the best plan for ``spec``.

    Returns a Plan whose status is optimal, feasible (time limit) or infeasible (with the
    conflicting requirement groups and, with ``explain``, how far each must move), or unknown
    (no plan found within the time limit). Raises :class:`SpecError` if the spec names unknown
    ids, KeyboardInterrupt on Ctrl-C before any plan was found. Every plan returned has passed
    :func:`check`. ``overlays`` only records which overlay files built ``catalog``.
    """
    if catalog is None:
        catalog = load_catalog(overlays)
    if options is None:
        options = solve_options_for(spec)
    demand = build_demand(spec, catalog)
    plan, status = plan_demand(spec, catalog, demand, options, [Path(o).name for o in overlays])

    # air against water, each solved on its own, where the spec allows both and asks about the lifetime cost
    def solve_cooling(edited: Spec) -> Plan:
        return plan_demand(edited, catalog, build_demand(edited, catalog), options, [], price_preference=False)[0]

    alternatives = cooling_alternatives(plan, spec, solve_cooling)
    if alternatives:
        plan = plan.model_copy(update={"alternatives": alternatives})
    if plan.status != "infeasible" or not explain or not status.conflicts:
        return plan

    def solve_edited(edited: Spec, edited_options: SolveOptions) -> Plan:
        return solve(edited, catalog, edited_options, explain=False)

    # the explanation gets as long as the solve was allowed, and at least 10 s
    budget_s = max(10.0, options.time_limit_s)
    # the groups themselves, or the one sentence saying no group explains it
    conflicts = status.conflict_groups or status.conflicts
    relaxations, together = explain_conflicts(spec, catalog, conflicts, options, solve_edited, budget_s)
    return plan.model_copy(update={"relaxations": relaxations, "combined_relaxation": together})
