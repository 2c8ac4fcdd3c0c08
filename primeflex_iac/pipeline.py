"""The whole pipeline as a library call: spec and catalog in, Plan out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .assemble import assemble_plan, infeasible_plan, place
from .catalog import Catalog, load_catalog
from .demand import build_demand
from .plan import Plan, SolveInfo
from .solvers import SolveOptions, solve_demand
from .spec import Spec

__all__ = ["MAX_PLACEMENT_ATTEMPTS", "solve"]

MAX_PLACEMENT_ATTEMPTS = 5


def solve(
    spec: Spec,
    catalog: Catalog | None = None,
    options: SolveOptions | None = None,
    overlays: Sequence[str | Path] = (),
) -> Plan:
    """Find the best plan for ``spec``.

    Returns a Plan whose status is optimal, feasible (time limit) or infeasible (with the
    conflicting requirement groups). Raises :class:`SpecError` if the spec names unknown ids.
    ``overlays`` only records which overlay files built ``catalog``.
    """
    if catalog is None:
        catalog = load_catalog(overlays)
    if options is None:
        options = SolveOptions(spec.solver.time_limit, spec.solver.workers, spec.solver.seed)
    demand = build_demand(spec, catalog)
    overlay_names = [Path(o).name for o in overlays]
    min_racks = 0
    for attempt in range(1, MAX_PLACEMENT_ATTEMPTS + 1):
        selection, status = solve_demand(demand, options, min_racks)
        info = SolveInfo(
            solver_version=status.solver_version,
            time_limit_s=options.time_limit_s,
            workers=options.workers,
            seed=options.seed,
            gap=status.gap,
            placement_attempts=attempt,
        )
        if selection is None:
            return infeasible_plan(spec.name, status, info, catalog.currency, overlay_names)
        racks = place(selection, demand)
        if racks is not None:
            return assemble_plan(selection, status, racks, demand, info, overlay_names)
        # the devices did not fit the racks counted by aggregate height and power: one more
        min_racks = selection.racks + 1
    raise RuntimeError(f"devices could not be placed in racks after {MAX_PLACEMENT_ATTEMPTS} attempts")
