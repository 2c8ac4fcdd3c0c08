"""The whole pipeline as a library call: spec and catalog in, Plan out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from primeflex_iac.app.explain.relaxations import explain_relaxations
from primeflex_iac.app.inputs import solve_options_for
from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.catalog.models import Catalog
from primeflex_iac.demand.build import Demand, build_demand
from primeflex_iac.demand.selection import Selection, SolveStatus
from primeflex_iac.plan.assemble import assemble_plan, devices_to_place, infeasible_plan, place
from primeflex_iac.plan.check import check
from primeflex_iac.plan.model import Plan, SolveInfo
from primeflex_iac.solver.fastest import solve_fastest
from primeflex_iac.solver.options import SolveOptions
from primeflex_iac.solver.stages import solve_demand
from primeflex_iac.spec.model import Spec

__all__ = ["MAX_PLACEMENT_ATTEMPTS", "solve"]

MAX_PLACEMENT_ATTEMPTS = 5


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
    overlay_names = [Path(o).name for o in overlays]
    min_racks = 0
    for attempt in range(1, MAX_PLACEMENT_ATTEMPTS + 1):
        solver = solve_fastest if spec.objectives[0] == "time" else solve_demand
        selection, status = solver(demand, options, min_racks)
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
            return _no_plan(spec, catalog, options, status, info, overlay_names, explain)
        racks = place(selection, demand)
        if racks is not None:
            plan = assemble_plan(selection, status, racks, demand, info, overlay_names)
            report = check(plan, spec, catalog)
            if not report.ok:  # a bug in the model or the assembly: never hand out a wrong plan
                raise RuntimeError(f"the plan fails its independent check: {'; '.join(report.violations)}")
            return plan
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
    spec: Spec, catalog: Catalog, options: SolveOptions, status: SolveStatus, info: SolveInfo, overlays: list[str], explain: bool
) -> Plan:
    """The plan of a spec without one: unknown (time limit) or infeasible, explained."""
    if status.status == "unknown":
        return Plan(
            name=spec.name,
            status="unknown",
            message=f"no plan found within the time limit of {options.time_limit_s:g} s, and none was proven impossible: "
            "raise the time limit (--time-limit or solver.time_limit) and solve again",
            solve=info,
            catalog_currency=catalog.currency,
            catalog_overlays=overlays,
        )
    plan = infeasible_plan(spec.name, status, info, catalog.currency, overlays)
    if not explain or not status.conflicts:
        return plan

    def solve_edited(edited: Spec, edited_options: SolveOptions) -> Plan:
        return solve(edited, catalog, edited_options, explain=False)

    # the explanation gets as long as the solve was allowed, and at least 10 s
    budget_s = max(10.0, options.time_limit_s)
    # the groups themselves, or the one sentence saying no group explains it
    conflicts = status.conflict_groups or status.conflicts
    relaxations = explain_relaxations(spec, catalog, conflicts, options, solve_edited, budget_s)
    return plan.model_copy(update={"relaxations": relaxations})
