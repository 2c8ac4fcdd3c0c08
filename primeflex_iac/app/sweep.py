"""Cost against time-to-model: the cheapest plan for each of a range of deadlines, and its Pareto frontier.

Each point re-solves the spec with every workload's time_to_model scaled so that the focus
workload's equals the point's deadline (the count model is the same size at every point). A
point is on the frontier when no other plan is both cheaper (or as cheap) and faster (or as fast).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.app.inputs import solve_options_for
from primeflex_iac.app.parallel import Workers
from primeflex_iac.app.planning import plan_demand
from primeflex_iac.demand.build import build_demand, scale_deadlines
from primeflex_iac.plan.pareto import SweepPoint, SweepResult

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.plan.model import Plan
    from primeflex_iac.solver.options import SolveOptions
    from primeflex_iac.spec.model import Spec

__all__ = ["SweepInputs", "deadline_range", "fastest_deadline", "shortest_deadline", "solve_point", "sweep"]


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


@dataclass(frozen=True)
class SweepInputs:
    """What every point of a sweep shares: the spec, the catalog, the solver options and the focus workload."""

    spec: Spec
    catalog: Catalog
    options: SolveOptions
    focus: str


def solve_point(inputs: SweepInputs, deadline: float) -> SweepPoint:
    """The cheapest plan (the spec's objectives) with the focus workload's deadline at ``deadline`` seconds.

    A deadline without a plan is infeasible (proven) or unknown (the time limit), unexplained: a
    sweep needs no conflicts. Ctrl-C during the solve raises KeyboardInterrupt: a point stopped
    early is not the point asked for.
    """
    spec, catalog, focus = inputs.spec, inputs.catalog, inputs.focus
    required = next(w.time_to_model for w in spec.workloads if w.name == focus)
    scaled = scale_deadlines(spec, deadline / required)
    demand = build_demand(scaled, catalog)
    plan, status = plan_demand(scaled, catalog, demand, inputs.options, [], conflicts=False, price_preference=False)
    if status.stopped == "interrupt":
        raise KeyboardInterrupt
    return _point(deadline, plan, focus)


def fastest_deadline(inputs: SweepInputs, longest_s: float) -> float:
    """:func:`shortest_deadline` of the inputs (a piece of work for :class:`Workers`)."""
    return shortest_deadline(inputs.spec, inputs.catalog, inputs.options, inputs.focus, longest_s)


def sweep(
    spec: Spec,
    catalog: Catalog,
    deadlines: list[float],
    options: SolveOptions | None = None,
    workload: str | None = None,
    progress: Callable[[int, int, SweepPoint], None] | None = None,
    workers: Workers[SweepInputs] | None = None,
    started: Mapping[float, Callable[[], SweepPoint]] | None = None,
) -> SweepResult:
    """Solve the spec at each deadline (seconds, for ``workload``: default the first), in ``workers`` if given.

    Each point is solved on its own (:func:`solve_point`), so the result is the same however many
    workers there are; ``progress`` hears of the points in the deadlines' order. ``started`` holds
    points already handed to the workers, by deadline (see :meth:`Workers.submit`).
    """
    if not spec.workloads:
        raise ValueError("a sweep needs workloads: it varies their time-to-model")
    names = [w.name for w in spec.workloads]
    focus = workload or names[0]
    if focus not in names:
        raise ValueError(f"no workload named {focus!r} (workloads: {', '.join(names)})")
    inputs = SweepInputs(spec, catalog, options or solve_options_for(spec), focus)
    if workers is not None and workers.state != inputs:
        raise ValueError("the workers share other inputs than the sweep's")
    started = started or {}
    rest = [d for d in deadlines if d not in started]
    solved = (workers or Workers(1, inputs)).map(solve_point, rest)
    points = []
    for index, deadline in enumerate(deadlines, start=1):
        point = started[deadline]() if deadline in started else next(solved)
        points.append(point)
        if progress is not None:
            progress(index, len(deadlines), point)
    return SweepResult(spec.name, focus, catalog.currency, _mark_frontier(points))
