"""What every relaxation shares: the search's context and time budget, editing a spec, and
the Relaxation a search ends in (checked by a full solve of the edited spec, or not alone).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from primeflex_iac.catalog.models import Catalog
from primeflex_iac.common.units import format_duration
from primeflex_iac.demand.build import build_demand
from primeflex_iac.demand.requirements import RequirementGroup
from primeflex_iac.plan.model import Plan, Relaxation
from primeflex_iac.solver.options import SolveOptions
from primeflex_iac.solver.relax import feasible
from primeflex_iac.spec.model import Spec

__all__ = [
    "OutOfTime",
    "SearchContext",
    "bisect",
    "ceil_to",
    "checked",
    "dropped",
    "edit",
    "example",
    "kw",
    "not_alone",
    "proposed",
    "unexplained",
]

STEP_LIMIT_S = 10.0  # at most this long for one solve inside them
MAX_DOUBLINGS = 24  # a time-to-model or power per rack is raised at most 2**24-fold


@dataclass
class SearchContext:
    """One explanation's spec, catalog and options, and the deadline every solve inside it keeps."""

    spec: Spec
    catalog: Catalog
    options: SolveOptions
    deadline: float
    solve_plan: Callable[[Spec, SolveOptions], Plan]

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def limit(self) -> float:
        left = self.remaining()
        if left <= 0:
            raise OutOfTime
        return min(STEP_LIMIT_S, left)

    def feasible(self, spec: Spec) -> bool:
        """Whether the edited spec has a plan (an unknown answer counts as no)."""
        return feasible(build_demand(spec, self.catalog), self.options, self.limit()) is True

    def plan(self, spec: Spec) -> Plan | None:
        """The full solve of an edited spec, or None if it gives no plan."""
        options = SolveOptions(min(self.options.time_limit_s, self.limit()), self.options.workers, self.options.seed)
        plan = self.solve_plan(spec, options)
        return plan if plan.status in ("optimal", "feasible") else None


class OutOfTime(Exception):
    """The explanation's time budget is spent: the requirement at hand stays unexplained."""


def edit(model: Any, path: Sequence[str | int], value: Any) -> Any:
    """A copy of a frozen pydantic model (or list) with the field at ``path`` set to ``value``."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(model, list):
        assert isinstance(head, int)
        return [edit(item, rest, value) if index == head else item for index, item in enumerate(model)]
    assert isinstance(model, BaseModel) and isinstance(head, str)
    return model.model_copy(update={head: edit(getattr(model, head), rest, value)})


def example(plan: Plan) -> str:
    parts = [f"{c.count}x {c.node_name} with {c.gpus_per_node}x {c.gpu_name} ({c.gpus} GPUs)" for c in plan.compute]
    if plan.fabric is not None:
        parts.append(plan.fabric.name)
    if plan.storage is not None:
        parts.append(f"{plan.storage.usable_tib:,.1f} TiB storage")
    if plan.totals is not None:
        t = plan.totals
        parts.append(f"{t.cost:,.0f} {t.currency}, {t.power_kw:,.1f} kW, {t.racks} rack{'s' if t.racks != 1 else ''}")
    for w in plan.workloads:
        if w.time_to_model_s is not None:
            parts.append(f"{w.name} in {format_duration(w.time_to_model_s)}")
    return "; ".join(parts)


def unexplained(group: str, why: str) -> Relaxation:
    return Relaxation(requirement=group, asked=group, needed=None, change=None, alone=False, example=why)


def not_alone(group: str, asked: str, field: str | None = None, **values: Any) -> Relaxation:
    return Relaxation(
        requirement=group,
        asked=asked,
        needed="no plan exists even without this requirement; another one must move too",
        change=None,
        field=field,
        alone=False,
        **values,
    )


def proposed(group: str, asked: str, needed: str, change: str, plan: Plan | None, field: str | None, **values: Any) -> Relaxation:
    """A relaxation whose change was checked by a full solve of the changed spec (``plan``, None if it gave none)."""
    if plan is None:
        return Relaxation(
            requirement=group,
            asked=asked,
            needed=needed + " (but the full solve of the changed spec found no plan)",
            change=None,
            field=field,
            alone=False,
            **values,
        )
    return Relaxation(
        requirement=group, asked=asked, needed=needed, change=change, field=field, alone=True, example=example(plan), **values
    )


def checked(
    ctx: SearchContext, group: str, asked: str, needed: str, change: str, edited: Spec, field: str | None, **values: Any
) -> Relaxation:
    """A relaxation whose change is checked by a full solve of the edited spec."""
    return proposed(group, asked, needed, change, ctx.plan(edited), field, **values)


def dropped(ctx: SearchContext, group: str, relaxed: Sequence[RequirementGroup]) -> Relaxation:
    """A conflict without a handler of its own: say whether relaxing ``relaxed`` gives a plan.

    ``group`` is what the Plan reports; ``relaxed`` is empty for a conflict no group explains.
    """
    demand = build_demand(ctx.spec, ctx.catalog)
    if feasible(demand, ctx.options, ctx.limit(), relaxed) is not True:
        return not_alone(group, group)
    return Relaxation(requirement=group, asked=group, needed="a plan exists without this requirement", change=None, alone=True)


def bisect(works: Callable[[float], bool], start: float, step: float) -> float | None:
    """The smallest ``start + k * step`` (k >= 1) where ``works``, or None within 2**24 steps.

    ``works`` must be monotone: once true, true for every larger value.
    """
    k = 1
    while not works(start + k * step):
        k *= 2
        if k > 2**MAX_DOUBLINGS:
            return None
    lo, hi = k // 2, k  # works at hi; at lo it did not (or lo is 0, the start, which does not)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if works(start + mid * step):
            hi = mid
        else:
            lo = mid
    return start + hi * step


def kw(watts: float) -> str:
    return f"{watts / 1000:,.1f} kW"


def ceil_to(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step
