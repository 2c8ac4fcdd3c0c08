"""Numeric requirements moved by bisection: power per rack and a workload's time-to-model.

Both change the model's coefficients, so they are found by bisection over feasibility solves of
the edited spec (feasibility is monotone in both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from primeflex_iac.app.explain.answers import bisect, ceil_to, checked, edit, kw, not_alone, proposed
from primeflex_iac.common.units import format_duration
from primeflex_iac.timing.step_model import fastest_count

if TYPE_CHECKING:
    from primeflex_iac.app.explain.search import SearchContext
    from primeflex_iac.demand.requirements import RequirementGroup
    from primeflex_iac.plan.model import Plan, Relaxation

__all__ = ["relax_power_per_rack", "relax_time_to_model"]


def relax_power_per_rack(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    # with a limit per cooling, the smaller one; the change proposed is one limit for every rack
    asked_w = min(ctx.spec.site.racks.limit_w("air"), ctx.spec.site.racks.limit_w("water"))
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
    plan = ctx.plan(edited)
    relaxation = proposed(group.label, asked, needed, change, plan, field, feasible_value=found, **values)
    limit = _speed_limit(ctx, index, plan, found - step) if plan is not None else None
    return relaxation.model_copy(update={"limit": limit}) if limit else relaxation


def _speed_limit(ctx: SearchContext, index: int, plan: Plan, sooner_s: float) -> str | None:
    """What keeps the workload from finishing by ``sooner_s`` on ``plan``'s node type: its own
    scaling (the global batch and the all-reduce), or the site's limits on more nodes."""
    entry = plan.compute[0] if plan.compute else None
    if entry is None or plan.fabric is None or plan.totals is None:
        return None
    demand = ctx.demand()
    platform = demand.platform_of(entry.node, entry.gpu, entry.gpus_per_node)
    option = demand.fabric_of(plan.fabric.technology, plan.fabric.mode)
    if platform is None or option is None:
        return None
    workload, per_node = demand.workloads[index], entry.gpus_per_node
    nodes, fastest_s = fastest_count(workload, platform.shape, option.interconnect)
    batch = workload.global_batch
    if fastest_s > sooner_s:
        if batch is not None and workload.decoder is not None:
            return (
                f"the global batch of {batch:,.0f} sequences: {nodes} nodes of {per_node} GPUs are the decoder's fastest "
                f"count ({format_duration(fastest_s)}); more data-parallel replicas would each get less than a "
                "micro-batch, and deeper pipelines idle in their bubble (a larger global batch, where the training "
                "still converges, would use more)"
            )
        if batch is not None and (nodes + 1) * per_node > batch:
            return (
                f"the global batch of {batch:,.0f}: at one sample per GPU it keeps {nodes} nodes of {per_node} GPUs "
                f"busy and no more ({format_duration(fastest_s)} at best; a larger global batch, where the training "
                "still converges, would use more)"
            )
        held = f" of {batch:,.0f}" if batch is not None else ""
        return (
            f"the workload's own scaling: {nodes} nodes of {entry.node} are its fastest count "
            f"({format_duration(fastest_s)}); past them a step gets slower (with its global batch{held}, each GPU has "
            "less work while the all-reduce grows; a larger global batch, where the training converges, helps)"
        )
    site, totals = ctx.spec.site, plan.totals
    bound = []
    if totals.racks >= site.racks.max:
        bound.append(f"racks ({site.racks.max})")
    if site.total_power is not None and (totals.power_kw * 1000 + platform.node_power_max_w) > site.total_power:
        bound.append(f"total power ({kw(site.total_power)})")
    if site.budget is not None and totals.cost + platform.node_price > site.budget.amount:
        bound.append(f"budget ({site.budget.amount:,.0f} {totals.currency})")
    return f"the site's {', '.join(bound)}: the nodes a faster run needs do not fit" if bound else None
