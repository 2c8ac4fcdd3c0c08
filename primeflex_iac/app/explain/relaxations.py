"""For each conflicting requirement, how far it must move for a plan to exist, every other one held.

The conflicts (solvers/explain.py) say which requirements cannot hold together; this says what
to change. Every numeric requirement is moved to the nearest value that gives a plan:

- budget, total power, racks: the cheapest plan's cost, the lowest maximum power, the fewest racks
  with that requirement switched off (an optimisation solve);
- compute floors, storage capacity and throughput: the most that fits (a maximisation);
- power per rack and a time-to-model change the model's coefficients, so they are found by
  bisection over feasibility solves of the edited spec (feasibility is monotone in both);
- availability month, cooling, allowed GPUs / nodes / fabrics, GPU memory, precision: the
  nearest catalog value that gives a plan.

Each proposed change is then checked by solving the edited spec in full; only a change that gives
a plan is proposed, and that plan is quoted as the example. Times are rounded up to what the
summary prints (whole minutes, or whole hours past two days), power up to 0.1 kW, money up to a
whole currency unit, so the printed figure itself works.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from primeflex_iac.catalog.models import Catalog
from primeflex_iac.common.units import TIB, format_duration
from primeflex_iac.demand.build import build_demand
from primeflex_iac.plan.model import Plan, Relaxation
from primeflex_iac.solver.relax import feasible, relaxed_optimum
from primeflex_iac.solver.stages import SolveOptions
from primeflex_iac.spec.model import Spec

__all__ = ["RELAXATION_BUDGET_S", "explain_relaxations"]

RELAXATION_BUDGET_S = 60.0  # at most this long for all the relaxations of one spec
_STEP_LIMIT_S = 10.0  # at most this long for one solve inside them
_MAX_DOUBLINGS = 24  # a time-to-model or power per rack is raised at most 2**24-fold


@dataclass
class _Context:
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
            raise _OutOfTime
        return min(_STEP_LIMIT_S, left)

    def feasible(self, spec: Spec) -> bool:
        """Whether the edited spec has a plan (an unknown answer counts as no)."""
        return feasible(build_demand(spec, self.catalog), self.options, self.limit()) is True

    def plan(self, spec: Spec) -> Plan | None:
        """The full solve of an edited spec, or None if it gives no plan."""
        options = SolveOptions(min(self.options.time_limit_s, self.limit()), self.options.workers, self.options.seed)
        plan = self.solve_plan(spec, options)
        return plan if plan.status in ("optimal", "feasible") else None


class _OutOfTime(Exception):
    pass


def explain_relaxations(
    spec: Spec,
    catalog: Catalog,
    conflicts: Sequence[str],
    options: SolveOptions,
    solve_plan: Callable[[Spec, SolveOptions], Plan],
    budget_s: float = RELAXATION_BUDGET_S,
) -> list[Relaxation]:
    """One Relaxation per conflicting requirement group, in the order given.

    ``solve_plan`` solves an edited spec in full without explaining it (the pipeline's solve);
    it checks each proposed change.
    """
    ctx = _Context(spec, catalog, options, time.monotonic() + budget_s, solve_plan)
    found = []
    for group in conflicts:
        try:
            found.append(_relax(ctx, group))
        except _OutOfTime:
            found.append(_unexplained(group, f"not worked out within {budget_s:g} s"))
    return found


def _relax(ctx: _Context, group: str) -> Relaxation:
    if group.startswith("time-to-model: "):
        return _time_to_model(ctx, group, group.removeprefix("time-to-model: "))
    handler = _HANDLERS.get(group)
    if handler is None:
        return _dropped(ctx, group)
    return handler(ctx, group)


# ---------------------------------------------------------------------------------------------
# helpers


def _edit(model: Any, path: Sequence[str | int], value: Any) -> Any:
    """A copy of a frozen pydantic model (or list) with the field at ``path`` set to ``value``."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(model, list):
        assert isinstance(head, int)
        return [_edit(item, rest, value) if index == head else item for index, item in enumerate(model)]
    assert isinstance(model, BaseModel) and isinstance(head, str)
    return model.model_copy(update={head: _edit(getattr(model, head), rest, value)})


def _example(plan: Plan) -> str:
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


def _unexplained(group: str, why: str) -> Relaxation:
    return Relaxation(requirement=group, asked=group, needed=None, change=None, alone=False, example=why)


def _not_alone(group: str, asked: str, field: str | None = None, **values: Any) -> Relaxation:
    return Relaxation(
        requirement=group,
        asked=asked,
        needed="no plan exists even without this requirement; another one must move too",
        change=None,
        field=field,
        alone=False,
        **values,
    )


def _result(group: str, asked: str, needed: str, change: str, plan: Plan | None, field: str | None, **values: Any) -> Relaxation:
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
        requirement=group, asked=asked, needed=needed, change=change, field=field, alone=True, example=_example(plan), **values
    )


def _checked(
    ctx: _Context, group: str, asked: str, needed: str, change: str, edited: Spec, field: str | None, **values: Any
) -> Relaxation:
    """A relaxation whose change is checked by a full solve of the edited spec."""
    return _result(group, asked, needed, change, ctx.plan(edited), field, **values)


def _dropped(ctx: _Context, group: str) -> Relaxation:
    """A requirement without a handler of its own: say whether dropping it gives a plan."""
    demand = build_demand(ctx.spec, ctx.catalog)
    if feasible(demand, ctx.options, ctx.limit(), [group]) is not True:
        return _not_alone(group, group)
    return Relaxation(requirement=group, asked=group, needed="a plan exists without this requirement", change=None, alone=True)


def _bisect(works: Callable[[float], bool], start: float, step: float) -> float | None:
    """The smallest ``start + k * step`` (k >= 1) where ``works``, or None within 2**24 steps.

    ``works`` must be monotone: once true, true for every larger value.
    """
    k = 1
    while not works(start + k * step):
        k *= 2
        if k > 2**_MAX_DOUBLINGS:
            return None
    lo, hi = k // 2, k  # works at hi; at lo it did not (or lo is 0, the start, which does not)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if works(start + mid * step):
            hi = mid
        else:
            lo = mid
    return start + hi * step


def _kw(watts: float) -> str:
    return f"{watts / 1000:,.1f} kW"


def _ceil_to(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


# ---------------------------------------------------------------------------------------------
# numeric requirements moved by optimisation


def _budget(ctx: _Context, group: str) -> Relaxation:
    budget = ctx.spec.site.budget
    assert budget is not None
    currency = ctx.catalog.currency
    asked = f"budget {budget.amount:,.0f} {currency}"
    values: dict[str, Any] = {"asked_value": budget.amount, "unit": currency}
    demand = build_demand(ctx.spec, ctx.catalog)
    cost, _proven = relaxed_optimum(demand, group, "cost", False, ctx.options, ctx.limit())
    if cost is None:
        return _not_alone(group, asked, "site.budget", **values)
    # whole currency units, as the model counts them
    amount = float(math.ceil(cost))
    needed = f"the cheapest plan that meets every other requirement costs {amount:,.0f} {currency}"
    change = f"raise site.budget to {amount:,.0f} {currency}"
    edited = _edit(ctx.spec, ("site", "budget"), budget.model_copy(update={"amount": amount}))
    return _checked(ctx, group, asked, needed, change, edited, "site.budget", feasible_value=amount, **values)


def _total_power(ctx: _Context, group: str) -> Relaxation:
    limit = ctx.spec.site.total_power
    assert limit is not None
    asked = f"total power {_kw(limit)}"
    values: dict[str, Any] = {"asked_value": round(limit / 1000, 3), "unit": "kW"}
    demand = build_demand(ctx.spec, ctx.catalog)
    watts, _proven = relaxed_optimum(demand, group, "power_max_w", False, ctx.options, ctx.limit())
    if watts is None:
        return _not_alone(group, asked, "site.total_power", **values)
    needed_w = _ceil_to(watts, 100)
    needed = f"the plan drawing least power that meets every other requirement draws {_kw(watts)} at most"
    change = f"raise site.total_power to {_kw(needed_w)}"
    edited = _edit(ctx.spec, ("site", "total_power"), needed_w)
    return _checked(
        ctx, group, asked, needed, change, edited, "site.total_power", feasible_value=round(needed_w / 1000, 3), **values
    )


def _racks(ctx: _Context, group: str) -> Relaxation:
    most = ctx.spec.site.racks.max
    asked = f"at most {most} rack{'s' if most != 1 else ''}"
    values: dict[str, Any] = {"asked_value": float(most), "unit": "racks"}
    demand = build_demand(ctx.spec, ctx.catalog)
    racks, _proven = relaxed_optimum(demand, group, "racks", False, ctx.options, ctx.limit())
    if racks is None:
        return _not_alone(group, asked, "site.racks.max", **values)
    # devices are placed after solving; a placement that needs one more rack is allowed for
    for count in (racks, racks + 1, racks + 2):
        plan = ctx.plan(_edit(ctx.spec, ("site", "racks", "max"), count))
        if plan is not None:
            break
    needed = f"the fewest racks that hold a plan meeting every other requirement: {count}"
    change = f"raise site.racks.max to {count}"
    return _result(group, asked, needed, change, plan, "site.racks.max", feasible_value=float(count), **values)


def _compute_floor(ctx: _Context, group: str) -> Relaxation:
    floor = ctx.spec.compute
    assert floor is not None
    demand = build_demand(ctx.spec, ctx.catalog)
    # (field, quantity, asked, scale to the model's integers, unit)
    floors = [
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
        best, _proven = relaxed_optimum(demand, group, quantity, True, ctx.options, ctx.limit())
        if best is None:
            return _not_alone(group, asked, "compute")
        most = best / scale
        values = values or {"asked_value": float(asked_value), "feasible_value": most, "unit": unit}
        needed_parts.append(f"at most {most:,g} {unit}")
        if most < asked_value:
            changes.append(f"lower compute.{field} to {most:,g}")
            edited = _edit(edited, ("compute", field), int(most) if field == "gpus" else most)
    needed = ", ".join(needed_parts) + " fit with every other requirement held"
    if not changes:  # each floor fits alone, but not all of them together
        return Relaxation(
            requirement=group,
            asked=asked,
            needed=needed + ", but not all together",
            change=None,
            field="compute",
            alone=False,
            **values,
        )
    return _checked(ctx, group, asked, needed, "; ".join(changes), edited, "compute", **values)


def _storage_capacity(ctx: _Context, group: str) -> Relaxation:
    demand = build_demand(ctx.spec, ctx.catalog)
    assert demand.storage is not None and ctx.spec.storage is not None
    required = demand.storage.capacity_tib
    source = {"spec": "storage.capacity", "datasets": "the workloads' datasets"}.get(
        demand.storage.capacity_from, "storage.capacity and the datasets"
    )
    asked = f"{required:,.1f} TiB usable storage ({source})"
    values: dict[str, Any] = {"asked_value": round(required, 2), "unit": "TiB"}
    best, _proven = relaxed_optimum(demand, group, "storage_tib", True, ctx.options, ctx.limit())
    if best is None or best == 0:
        return _not_alone(group, asked, "storage.capacity", **values)
    most = math.floor(best) / 100  # hundredths of a TiB in the model
    needed = f"at most {most:,.2f} TiB usable fit with every other requirement held"
    if demand.storage.capacity_from != "spec":
        return Relaxation(
            requirement=group,
            asked=asked,
            needed=needed + "; the datasets need more, so shrink them or move another requirement",
            change=None,
            field="storage.capacity",
            alone=False,
            feasible_value=most,
            **values,
        )
    edited = _edit(ctx.spec, ("storage", "capacity"), int(most * TIB))
    change = f"lower storage.capacity to {most:,.2f} TiB"
    return _checked(ctx, group, asked, needed, change, edited, "storage.capacity", feasible_value=most, **values)


def _storage_throughput(ctx: _Context, group: str) -> Relaxation:
    demand = build_demand(ctx.spec, ctx.catalog)
    assert demand.storage is not None
    required = demand.storage.read_gbs
    source = "storage.throughput" if demand.storage.throughput_from == "spec" else "the busiest workload's read rate"
    asked = f"{required:,.2f} GB/s storage read rate ({source})"
    values: dict[str, Any] = {"asked_value": round(required, 3), "unit": "GB/s"}
    best, _proven = relaxed_optimum(demand, group, "storage_read", True, ctx.options, ctx.limit())
    if best is None or best == 0:
        return _not_alone(group, asked, "storage.throughput", **values)
    most = math.floor(best) / 1000  # MB/s in the model
    needed = f"at most {most:,.2f} GB/s fit with every other requirement held"
    if demand.storage.throughput_from != "spec":
        return Relaxation(
            requirement=group,
            asked=asked,
            needed=needed + "; the read rate follows from the workloads: give them more time, or set storage.throughput",
            change=None,
            field="storage.throughput",
            alone=False,
            feasible_value=most,
            **values,
        )
    edited = _edit(ctx.spec, ("storage", "throughput"), most * 1e9)
    change = f"lower storage.throughput to {most:,.2f} GB/s"
    return _checked(ctx, group, asked, needed, change, edited, "storage.throughput", feasible_value=most, **values)


# ---------------------------------------------------------------------------------------------
# numeric requirements moved by bisection


def _power_per_rack(ctx: _Context, group: str) -> Relaxation:
    asked_w = ctx.spec.site.racks.power_per_rack
    asked = f"{_kw(asked_w)} per rack"
    values: dict[str, Any] = {"asked_value": round(asked_w / 1000, 3), "unit": "kW"}
    demand = build_demand(ctx.spec, ctx.catalog)
    if feasible(demand, ctx.options, ctx.limit(), [group]) is not True:
        return _not_alone(group, asked, "site.racks.power_per_rack", **values)

    def works(watts: float) -> bool:
        return ctx.feasible(_edit(ctx.spec, ("site", "racks", "power_per_rack"), watts))

    start = _ceil_to(asked_w, 100)
    found = start if start > asked_w and works(start) else _bisect(works, start, 100.0)
    if found is None:
        return _not_alone(group, asked, "site.racks.power_per_rack", **values)
    needed = f"racks of at least {_kw(found)} hold a plan meeting every other requirement"
    change = f"raise site.racks.power_per_rack to {_kw(found)}"
    edited = _edit(ctx.spec, ("site", "racks", "power_per_rack"), found)
    return _checked(
        ctx, group, asked, needed, change, edited, "site.racks.power_per_rack", feasible_value=round(found / 1000, 3), **values
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


def _time_to_model(ctx: _Context, group: str, name: str) -> Relaxation:
    index = next(i for i, w in enumerate(ctx.spec.workloads) if w.name == name)
    asked_s = ctx.spec.workloads[index].time_to_model
    field = f"workloads[{index}].time_to_model"
    asked = f"time-to-model {format_duration(asked_s)} for {name}"
    values: dict[str, Any] = {"asked_value": asked_s, "unit": "s"}
    demand = build_demand(ctx.spec, ctx.catalog)
    if feasible(demand, ctx.options, ctx.limit(), [group]) is not True:
        return _not_alone(group, asked, field, **values)

    def works(seconds: float) -> bool:
        return ctx.feasible(_edit(ctx.spec, ("workloads", index, "time_to_model"), seconds))

    # bisection in the units the summary prints; coarser steps once the time passes two days
    step = _duration_step(asked_s)
    start = _ceil_to(asked_s, step)
    found = start if start > asked_s and works(start) else _bisect(works, start, step)
    if found is None:
        return _not_alone(group, asked, field, **values)
    if _duration_step(found) > step:
        found = _ceil_to(found, _duration_step(found))
    needed = f"the shortest time-to-model a plan meeting every other requirement reaches is {format_duration(found)}"
    change = f"relax {field} to {_spec_duration(found)}"
    edited = _edit(ctx.spec, ("workloads", index, "time_to_model"), found)
    return _checked(ctx, group, asked, needed, change, edited, field, feasible_value=found, **values)


# ---------------------------------------------------------------------------------------------
# choices among catalog values


def _as_of(ctx: _Context, group: str) -> Relaxation:
    as_of = ctx.spec.preferences.as_of
    assert as_of is not None
    asked = f"only items available by {as_of:%Y-%m}"
    catalog = ctx.catalog
    months: set[dt.date] = set()
    for section in (catalog.gpus, catalog.servers, catalog.chassis, catalog.fabrics, catalog.switches, catalog.adapters):
        months.update(item.available for item in section.values())
    for month in sorted(m for m in months if m > as_of):
        edited = _edit(ctx.spec, ("preferences", "as_of"), month)
        if ctx.feasible(edited):
            needed = f"items available by {month:%Y-%m} give a plan meeting every other requirement"
            change = f"move preferences.as_of to {month:%Y-%m}"
            return _checked(ctx, group, asked, needed, change, edited, "preferences.as_of")
    return _not_alone(group, asked, "preferences.as_of")


def _cooling(ctx: _Context, group: str) -> Relaxation:
    cooling = ctx.spec.site.cooling
    asked = f"{cooling}-cooled compute nodes"
    for other in ("air", "water"):
        if other == cooling:
            continue
        edited = _edit(ctx.spec, ("site", "cooling"), other)
        if ctx.feasible(edited):
            needed = f"{other}-cooled nodes give a plan meeting every other requirement"
            return _checked(ctx, group, asked, needed, f"set site.cooling to {other} (or any)", edited, "site.cooling")
    return _not_alone(group, asked, "site.cooling")


def _allowed(section: str, field: str, what: str) -> Callable[[_Context, str], Relaxation]:
    def handler(ctx: _Context, group: str) -> Relaxation:
        allowed = list(getattr(ctx.spec.preferences, field) or [])
        asked = f"only these {what}: {', '.join(allowed)}"
        working = []
        for item_id in getattr(ctx.catalog, section):
            if item_id in allowed:
                continue
            if ctx.feasible(_edit(ctx.spec, ("preferences", field), [*allowed, item_id])):
                working.append(item_id)
        if not working:
            return _not_alone(group, asked, f"preferences.{field}")
        needed = f"allowing one more of these gives a plan meeting every other requirement: {', '.join(working)}"
        change = f"add {working[0]} to preferences.{field}"
        edited = _edit(ctx.spec, ("preferences", field), [*allowed, working[0]])
        return _checked(ctx, group, asked, needed, change, edited, f"preferences.{field}")

    return handler


def _gpu_memory(ctx: _Context, group: str) -> Relaxation:
    demand = build_demand(ctx.spec, ctx.catalog)
    asked_gb = max([w.min_gpu_memory_gb for w in demand.workloads] + [_floor_memory_gb(ctx.spec)])
    asked = f"GPUs with at least {asked_gb:,g} GB of memory"
    values: dict[str, Any] = {"asked_value": asked_gb, "unit": "GB"}
    sizes = sorted({g.memory_gb for g in ctx.catalog.gpus.values() if g.memory_gb < asked_gb}, reverse=True)
    for size in sizes:
        edited = _with_memory(ctx.spec, [w.min_gpu_memory_gb for w in demand.workloads], size)
        if ctx.feasible(edited):
            needed = f"GPUs of {size:,g} GB give a plan meeting every other requirement"
            change = f"lower the GPU memory requirement to {size:,g} GB (compute.min_gpu_memory, workloads[*].min_gpu_memory)"
            return _checked(ctx, group, asked, needed, change, edited, "min_gpu_memory", feasible_value=size, **values)
    return _not_alone(group, asked, "min_gpu_memory", **values)


def _floor_memory_gb(spec: Spec) -> float:
    floor = spec.compute
    return floor.min_gpu_memory / 1e9 if floor is not None and floor.min_gpu_memory else 0.0


def _with_memory(spec: Spec, workload_gb: list[float], size_gb: float) -> Spec:
    """The spec with every GPU memory requirement (floor and workloads, the zoo's included) at most ``size_gb``."""
    edited = spec
    limit = int(size_gb * 1e9)
    if spec.compute is not None and spec.compute.min_gpu_memory:
        edited = _edit(edited, ("compute", "min_gpu_memory"), min(spec.compute.min_gpu_memory, limit))
    for index, needed_gb in enumerate(workload_gb):
        edited = _edit(edited, ("workloads", index, "min_gpu_memory"), min(int(needed_gb * 1e9), limit))
    return edited


def _precision(ctx: _Context, group: str) -> Relaxation:
    names = [(i, w.name) for i, w in enumerate(ctx.spec.workloads) if w.precision == "int8"]
    asked = f"INT8 training for {', '.join(n for _, n in names)} (only GPUs with INT8 support)"
    edited = ctx.spec
    for index, _ in names:
        edited = _edit(edited, ("workloads", index, "precision"), "fp16")
    if not ctx.feasible(edited):
        return _not_alone(group, asked, "workloads[*].precision")
    fields = ", ".join(f"workloads[{i}].precision" for i, _ in names)
    return _checked(
        ctx,
        group,
        asked,
        "FP16 training gives a plan meeting every other requirement",
        f"set {fields} to fp16",
        edited,
        "workloads[*].precision",
    )


_HANDLERS: dict[str, Callable[[_Context, str], Relaxation]] = {
    "budget": _budget,
    "total power": _total_power,
    "racks": _racks,
    "power per rack": _power_per_rack,
    "compute floor": _compute_floor,
    "storage capacity": _storage_capacity,
    "storage throughput": _storage_throughput,
    "as_of": _as_of,
    "cooling": _cooling,
    "allowed gpus": _allowed("gpus", "gpus", "GPUs"),
    "allowed nodes": _allowed("servers", "nodes", "nodes"),
    "allowed fabrics": _allowed("fabrics", "fabrics", "fabrics"),
    "gpu memory": _gpu_memory,
    "precision": _precision,
}
