"""Numeric requirements moved by optimisation: budget, total power, racks, compute floors, storage.

With the requirement relaxed and every other one held, the cheapest plan's cost is the smallest
budget that works, and so on; the most GPUs (TFLOPS, TiB, GB/s) that fit is the largest floor.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from primeflex_iac.app.explain.answers import ceil_to, checked, edit, kw, not_alone, proposed
from primeflex_iac.common.units import TIB
from primeflex_iac.plan.model import Relaxation

if TYPE_CHECKING:
    from primeflex_iac.app.explain.search import SearchContext
    from primeflex_iac.demand.requirements import RequirementGroup
    from primeflex_iac.solver.relax import Quantity

__all__ = [
    "relax_budget",
    "relax_compute_floor",
    "relax_racks",
    "relax_storage_capacity",
    "relax_storage_throughput",
    "relax_total_power",
]


def relax_budget(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    budget = ctx.spec.site.budget
    assert budget is not None
    currency = ctx.catalog.currency
    asked = f"budget {budget.amount:,.0f} {currency}"
    values: dict[str, Any] = {"asked_value": budget.amount, "unit": currency}
    demand = ctx.demand()
    cost, _proven = ctx.relaxed_optimum(demand, group, "cost", False)
    if cost is None:
        return not_alone(group.label, asked, "site.budget", **values)
    # whole currency units, as the model counts them
    amount = float(math.ceil(cost))
    needed = f"the cheapest plan that meets every other requirement costs {amount:,.0f} {currency}"
    change = f"raise site.budget to {amount:,.0f} {currency}"
    edited = edit(ctx.spec, ("site", "budget"), budget.model_copy(update={"amount": amount}))
    return checked(ctx, group.label, asked, needed, change, edited, "site.budget", feasible_value=amount, **values)


def relax_total_power(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    limit = ctx.spec.site.total_power
    assert limit is not None
    asked = f"total power {kw(limit)}"
    values: dict[str, Any] = {"asked_value": round(limit / 1000, 3), "unit": "kW"}
    demand = ctx.demand()
    watts, _proven = ctx.relaxed_optimum(demand, group, "power_max_w", False)
    if watts is None:
        return not_alone(group.label, asked, "site.total_power", **values)
    needed_w = ceil_to(watts, 100)
    needed = f"the plan drawing least power that meets every other requirement draws {kw(watts)} at most"
    change = f"raise site.total_power to {kw(needed_w)}"
    edited = edit(ctx.spec, ("site", "total_power"), needed_w)
    return checked(
        ctx, group.label, asked, needed, change, edited, "site.total_power", feasible_value=round(needed_w / 1000, 3), **values
    )


def relax_racks(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    most = ctx.spec.site.racks.max
    asked = f"at most {most} rack{'s' if most != 1 else ''}"
    values: dict[str, Any] = {"asked_value": float(most), "unit": "racks"}
    demand = ctx.demand()
    racks, _proven = ctx.relaxed_optimum(demand, group, "racks", False)
    if racks is None:
        return not_alone(group.label, asked, "site.racks.max", **values)
    # devices are placed after solving; a placement that needs one more rack is allowed for
    for count in (racks, racks + 1, racks + 2):
        plan = ctx.plan(edit(ctx.spec, ("site", "racks", "max"), count))
        if plan is not None:
            break
    needed = f"the fewest racks that hold a plan meeting every other requirement: {count}"
    change = f"raise site.racks.max to {count}"
    return proposed(group.label, asked, needed, change, plan, "site.racks.max", feasible_value=float(count), **values)


def relax_compute_floor(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    floor = ctx.spec.compute
    assert floor is not None
    demand = ctx.demand()
    # (field, quantity, asked, scale to the model's integers, unit)
    floors: list[tuple[str, Quantity, float | None, int, str]] = [
        ("gpus", "gpus", floor.gpus, 1, "GPUs"),
        ("tensor_tflops", "tensor_tflops", floor.tensor_tflops, 10, "tensor TFLOPS"),
        ("int8_tops", "int8_tops", floor.int8_tops, 10, "INT8 TOPS"),
    ]
    asked_parts = [f"at least {value:,g} {unit}" for _, _, value, _, unit in floors if value is not None]
    asked = "compute floor: " + ", ".join(asked_parts)
    needed_parts, changes = [], []
    edited = ctx.spec
    values: dict[str, Any] = {}
    for field, quantity, asked_value, scale, unit in floors:
        if asked_value is None:
            continue
        best, _proven = ctx.relaxed_optimum(demand, group, quantity, True)
        if best is None:
            return not_alone(group.label, asked, "compute")
        most = best / scale
        values = values or {"asked_value": float(asked_value), "feasible_value": most, "unit": unit}
        needed_parts.append(f"at most {most:,g} {unit}")
        if most < asked_value:
            changes.append(f"lower compute.{field} to {most:,g}")
            edited = edit(edited, ("compute", field), int(most) if field == "gpus" else most)
    needed = ", ".join(needed_parts) + " fit with every other requirement held"
    if not changes:  # each floor fits alone, but not all of them together
        return Relaxation(
            requirement=group.label,
            asked=asked,
            needed=needed + ", but not all together",
            change=None,
            field="compute",
            alone=False,
            **values,
        )
    return checked(ctx, group.label, asked, needed, "; ".join(changes), edited, "compute", **values)


def relax_storage_capacity(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    demand = ctx.demand()
    assert demand.storage is not None and ctx.spec.storage is not None
    required = demand.storage.capacity_tib
    source = {"spec": "storage.capacity", "datasets": "the workloads' datasets"}.get(
        demand.storage.capacity_from, "storage.capacity and the datasets"
    )
    asked = f"{required:,.1f} TiB usable storage ({source})"
    values: dict[str, Any] = {"asked_value": round(required, 2), "unit": "TiB"}
    best, _proven = ctx.relaxed_optimum(demand, group, "storage_tib", True)
    if best is None or best == 0:
        return not_alone(group.label, asked, "storage.capacity", **values)
    most = math.floor(best) / 100  # hundredths of a TiB in the model
    needed = f"at most {most:,.2f} TiB usable fit with every other requirement held"
    if demand.storage.capacity_from != "spec":
        return Relaxation(
            requirement=group.label,
            asked=asked,
            needed=needed + "; the datasets need more, so shrink them or move another requirement",
            change=None,
            field="storage.capacity",
            alone=False,
            feasible_value=most,
            **values,
        )
    edited = edit(ctx.spec, ("storage", "capacity"), int(most * TIB))
    change = f"lower storage.capacity to {most:,.2f} TiB"
    return checked(ctx, group.label, asked, needed, change, edited, "storage.capacity", feasible_value=most, **values)


def relax_storage_throughput(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    demand = ctx.demand()
    assert demand.storage is not None
    required = demand.storage.read_gbs
    source = "storage.throughput" if demand.storage.throughput_from == "spec" else "the busiest workload's read rate"
    asked = f"{required:,.2f} GB/s storage read rate ({source})"
    values: dict[str, Any] = {"asked_value": round(required, 3), "unit": "GB/s"}
    best, _proven = ctx.relaxed_optimum(demand, group, "storage_read", True)
    if best is None or best == 0:
        return not_alone(group.label, asked, "storage.throughput", **values)
    most = math.floor(best) / 1000  # MB/s in the model
    needed = f"at most {most:,.2f} GB/s fit with every other requirement held"
    if demand.storage.throughput_from != "spec":
        return Relaxation(
            requirement=group.label,
            asked=asked,
            needed=needed + "; the read rate follows from the workloads: give them more time, or set storage.throughput",
            change=None,
            field="storage.throughput",
            alone=False,
            feasible_value=most,
            **values,
        )
    edited = edit(ctx.spec, ("storage", "throughput"), most * 1e9)
    change = f"lower storage.throughput to {most:,.2f} GB/s"
    return checked(ctx, group.label, asked, needed, change, edited, "storage.throughput", feasible_value=most, **values)
