"""Cost against time-to-model: the cheapest plan for each of a range of deadlines, and its Pareto frontier.

Each point re-solves the spec with every workload's time_to_model scaled so that the focus
workload's equals the point's deadline (the count model is the same size at every point). A
point is on the frontier when no other plan is both cheaper (or as cheap) and faster (or as fast).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.app.inputs import solve_options_for
from primeflex_iac.app.planning import plan_demand
from primeflex_iac.demand.build import build_demand, scale_deadlines
from primeflex_iac.plan.pareto import SweepPoint, SweepResult
from primeflex_iac.solver.fastest import find_feasible

if TYPE_CHECKING:
    from collections.abc import Callable

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.plan.model import Plan
    from primeflex_iac.solver.options import SolveOptions
    from primeflex_iac.spec.model import Spec

__all__ = ["deadline_range", "shortest_deadline", "sweep"]


def deadline_range(shortest_s: float, longest_s: float, points: int) -> list[float]:
    """``points`` deadlines spaced evenly on a log scale, longest first (easy to hard)."""
    if points < 2 or shortest_s >= longest_s:
        return [longest_s]
    ratio = (shortest_s / longest_s) ** (1 / (points - 1))
    return [longest_s * ratio**i for i in range(points)]


def shortest_deadline(spec: Spec, catalog: Catalog, options: SolveOptions, focus: str, longest_s: float) -> float:
    """The focus workload's deadline of the fastest plan the site allows (deadlines loose enough not to bind).

    Every workload's deadline scales with the focus one, so the slowest of them sets it; without
    any plan, a sixteenth of ``longest_s``.
    """
    required = next(w.time_to_model for w in spec.workloads if w.name == focus)
    loose = scale_deadlines(spec, longest_s / required).model_copy(update={"objective": "time"})
    fastest, _ = plan_demand(loose, catalog, build_demand(loose, catalog), options, [])
    ratios = [w.time_to_model_s / w.required_s for w in fastest.workloads if w.time_to_model_s is not None]
    return max(ratios) * longest_s * (1 + 1e-6) if ratios else longest_s / 16  # slack for rounding


def _point(deadline: float, plan: Plan, focus: str) -> SweepPoint:
    if plan.status not in ("optimal", "feasible") or plan.totals is None:
        return SweepPoint(deadline, plan.status, None, None, {}, 0, 0, "", "")
    times = {w.name: w.time_to_model_s for w in plan.workloads if w.time_to_model_s is not None}
    entry = plan.compute[0] if plan.compute else None
    return SweepPoint(
        deadline_s=deadline,
        status=plan.status,
        cost=plan.totals.cost,
        time_to_model_s=times.get(focus),
        times_s=times,
        nodes=entry.count if entry else 0,
        gpus=entry.gpus if entry else 0,
        compute=f"{entry.node} x {entry.gpus_per_node} {entry.gpu}" if entry else "",
        fabric=plan.fabric.technology if plan.fabric else "",
    )


def _mark_frontier(points: list[SweepPoint]) -> list[SweepPoint]:
    planned = [p for p in points if p.cost is not None and p.time_to_model_s is not None]
    marked: list[SweepPoint] = []
    seen: set[tuple[float, float]] = set()
    for point in points:
        on = False
        if point.cost is not None and point.time_to_model_s is not None:
            key = (point.cost, point.time_to_model_s)
            dominated = any(
                q.cost is not None
                and q.time_to_model_s is not None
                and q.cost <= point.cost
                and q.time_to_model_s <= point.time_to_model_s
                and (q.cost < point.cost or q.time_to_model_s < point.time_to_model_s)
                for q in planned
            )
            on = not dominated and key not in seen  # one entry per distinct plan
            seen.add(key)
        marked.append(SweepPoint(**{**point.__dict__, "pareto": on}))
    return marked


def sweep(
    spec: Spec,
    catalog: Catalog,
    deadlines: list[float],
    options: SolveOptions | None = None,
    workload: str | None = None,
    progress: Callable[[int, int, SweepPoint], None] | None = None,
) -> SweepResult:
    """Solve the spec at each deadline (seconds, for ``workload``: default the first)."""
    if not spec.workloads:
        raise ValueError("a sweep needs workloads: it varies their time-to-model")
    names = [w.name for w in spec.workloads]
    focus = workload or names[0]
    if focus not in names:
        raise ValueError(f"no workload named {focus!r} (workloads: {', '.join(names)})")
    required = next(w.time_to_model for w in spec.workloads if w.name == focus)
    points = []
    options = options or solve_options_for(spec)
    for index, deadline in enumerate(deadlines, start=1):
        scaled = scale_deadlines(spec, deadline / required)
        # a quick feasibility solve first: a deadline without a plan needs no optimisation or explanation
        demand = build_demand(scaled, catalog)
        found, proven = find_feasible(demand, options, 0, options.time_limit_s)
        if found is None:
            point = SweepPoint(deadline, "infeasible" if proven else "unknown", None, None, {}, 0, 0, "", "")
        else:
            point = _point(deadline, plan_demand(scaled, catalog, demand, options, [])[0], focus)
        points.append(point)
        if progress is not None:
            progress(index, len(deadlines), point)
    return SweepResult(spec.name, focus, catalog.currency, _mark_frontier(points))
