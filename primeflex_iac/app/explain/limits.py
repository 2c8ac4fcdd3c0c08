"""Numeric requirements moved by bisection: power per rack and a workload's time-to-model.

Both change the model's coefficients, so they are found by bisection over feasibility solves of
the edited spec (feasibility is monotone in both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from primeflex_iac.app.explain.answers import bisect, ceil_to, checked, edit, kw, not_alone
from primeflex_iac.common.units import format_duration

if TYPE_CHECKING:
    from primeflex_iac.app.explain.search import SearchContext
    from primeflex_iac.demand.requirements import RequirementGroup
    from primeflex_iac.plan.model import Relaxation

__all__ = ["relax_power_per_rack", "relax_time_to_model"]


def relax_power_per_rack(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    asked_w = ctx.spec.site.racks.power_per_rack
    asked = f"{kw(asked_w)} per rack"
    values: dict[str, Any] = {"asked_value": round(asked_w / 1000, 3), "unit": "kW"}
    demand = ctx.demand()
    if ctx.feasible_without(demand, [group]) is not True:
        return not_alone(group.label, asked, "site.racks.power_per_rack", **values)

    def works(watts: float) -> bool:
        return ctx.feasible(edit(ctx.spec, ("site", "racks", "power_per_rack"), watts))

    start = ceil_to(asked_w, 100)
    found = start if start > asked_w and works(start) else bisect(works, start, 100.0)
    if found is None:
        return not_alone(group.label, asked, "site.racks.power_per_rack", **values)
    needed = f"racks of at least {kw(found)} hold a plan meeting every other requirement"
    change = f"raise site.racks.power_per_rack to {kw(found)}"
    edited = edit(ctx.spec, ("site", "racks", "power_per_rack"), found)
    return checked(
        ctx,
        group.label,
        asked,
        needed,
        change,
        edited,
        "site.racks.power_per_rack",
        feasible_value=round(found / 1000, 3),
        **values,
    )


def _duration_step(seconds: float) -> float:
    """The rounding the summary prints a duration at."""
    if seconds < 60:
        return 1.0
    if seconds < 48 * 3600:
        return 60.0
    return 3600.0


def _spec_duration(seconds: float) -> str:
    """A duration in one unit, as the spec takes it."""
    if seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def relax_time_to_model(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    name = group.workload
    assert name is not None
    index = next(i for i, w in enumerate(ctx.spec.workloads) if w.name == name)
    asked_s = ctx.spec.workloads[index].time_to_model
    field = f"workloads[{index}].time_to_model"
    asked = f"time-to-model {format_duration(asked_s)} for {name}"
    values: dict[str, Any] = {"asked_value": asked_s, "unit": "s"}
    demand = ctx.demand()
    if ctx.feasible_without(demand, [group]) is not True:
        return not_alone(group.label, asked, field, **values)

    def works(seconds: float) -> bool:
        return ctx.feasible(edit(ctx.spec, ("workloads", index, "time_to_model"), seconds))

    # bisection in the units the summary prints; coarser steps once the time passes two days
    step = _duration_step(asked_s)
    start = ceil_to(asked_s, step)
    found = start if start > asked_s and works(start) else bisect(works, start, step)
    if found is None:
        return not_alone(group.label, asked, field, **values)
    if _duration_step(found) > step:
        found = ceil_to(found, _duration_step(found))
    needed = f"the shortest time-to-model a plan meeting every other requirement reaches is {format_duration(found)}"
    change = f"relax {field} to {_spec_duration(found)}"
    edited = edit(ctx.spec, ("workloads", index, "time_to_model"), found)
    return checked(ctx, group.label, asked, needed, change, edited, field, feasible_value=found, **values)
