"""One demand solved, placed in racks, assembled and checked: the pipeline up to a Plan.

An infeasible demand's Plan names the requirement groups that conflict; how far each would have
to move is the explanation's job (``app/explain``), which :func:`primeflex_iac.app.solve.solve` adds.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from primeflex_iac.plan.assemble import assemble_plan, infeasible_plan
from primeflex_iac.plan.check import check
from primeflex_iac.plan.devices import devices_to_place, place
from primeflex_iac.plan.model import Plan, SolveInfo
from primeflex_iac.solver.conflicts import explain_infeasible
from primeflex_iac.solver.fastest import solve_fastest
from primeflex_iac.solver.stages import solve_demand

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.selection import Selection, SolveStatus
    from primeflex_iac.solver.options import SolveOptions
    from primeflex_iac.spec.model import Spec

__all__ = ["MAX_PLACEMENT_ATTEMPTS", "plan_demand"]

MAX_PLACEMENT_ATTEMPTS = 5


def plan_demand(
    spec: Spec,
    catalog: Catalog,
    demand: Demand,
    options: SolveOptions,
    overlays: list[str],
    *,
    conflicts: bool = True,
    price_preference: bool = True,
) -> tuple[Plan, SolveStatus]:
    """The plan for ``demand`` (built from ``spec``) and the solver's status.

    The plan is optimal or feasible (and has passed :func:`check`), unknown (no plan within the
    time limit) or infeasible (the status names the conflicting requirement groups, unless
    ``conflicts`` is false: sweeps only need to know there is no plan). ``price_preference``: the
    plan says what avoid_extreme_fabrics costs, where it costs (sweeps and alternatives need not).
    ``overlays`` only records which overlay files built ``catalog``.
    """
    min_racks = 0
    for attempt in range(1, MAX_PLACEMENT_ATTEMPTS + 1):
        if spec.objectives[0] == "time":
            selection, status = solve_fastest(demand, options, min_racks)
        else:
            selection, status = solve_demand(demand, options, min_racks, price_preference=price_preference)
        info = SolveInfo(
            solver_version=status.solver_version,
            time_limit_s=options.time_limit_s,
            workers=options.workers,
            seed=options.seed,
            gap=status.gap,
            placement_attempts=attempt,
            stopped_by="interrupt" if status.stopped == "interrupt" else "time limit" if status.stopped else None,
        )
        if selection is None:
            if not conflicts and status.status == "infeasible":
                return infeasible_plan(spec.name, status, info, catalog.currency, overlays), status
            return _no_plan(spec, catalog, demand, options, status, info, overlays, min_racks)
        racks = place(selection, demand)
        if racks is not None:
            plan = assemble_plan(selection, status, racks, demand, info, overlays)
            report = check(plan, spec, catalog)
            if not report.ok:  # a bug in the model or the assembly: never hand out a wrong plan
                raise RuntimeError(f"the plan fails its independent check: {'; '.join(report.violations)}")
            return plan, status
        # the devices did not fit the racks counted by aggregate height and power: at least one
        # more, and at least as many as first-fit fills when it may open racks without limit
        min_racks = max(selection.racks + 1, _first_fit_racks(selection, demand))
    raise RuntimeError(f"devices could not be placed in racks after {MAX_PLACEMENT_ATTEMPTS} attempts")


def _first_fit_racks(selection: Selection, demand: Demand) -> int:
    """Racks the placement fills when it may use as many as there are devices."""
    unlimited = replace(selection, racks=selection.racks + len(devices_to_place(selection, demand)))
    racks = place(unlimited, demand)
    return len(racks) if racks is not None else 0


def _no_plan(
    spec: Spec,
    catalog: Catalog,
    demand: Demand,
    options: SolveOptions,
    status: SolveStatus,
    info: SolveInfo,
    overlays: list[str],
    min_racks: int,
) -> tuple[Plan, SolveStatus]:
    """The plan of a demand without one: unknown (time limit), or infeasible with its conflicts."""
    if status.status == "unknown":
        plan = Plan(
            name=spec.name,
            status="unknown",
            message=f"no plan found within the time limit of {options.time_limit_s:g} s, and none was proven impossible: "
            "raise the time limit (--time-limit or solver.time_limit) and solve again",
            solve=info,
            catalog_currency=catalog.currency,
            catalog_overlays=overlays,
        )
        return plan, status
    groups, conflicts = explain_infeasible(demand, options, min_racks)
    status = replace(status, conflicts=conflicts, conflict_groups=groups)
    return infeasible_plan(spec.name, status, info, catalog.currency, overlays), status
