"""What every relaxation shares: editing a spec, the Relaxation a search ends in (checked by a
full solve of the edited spec, or not alone), and the arithmetic of the searches.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from primeflex_iac.common.units import format_duration
from primeflex_iac.plan.model import Relaxation

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from primeflex_iac.app.explain.search import SearchContext
    from primeflex_iac.plan.model import Plan
    from primeflex_iac.spec.model import Spec

__all__ = [
    "bisect",
    "ceil_to",
    "checked",
    "edit",
    "example",
    "kw",
    "not_alone",
    "proposed",
    "unexplained",
]

MAX_DOUBLINGS = 24  # a time-to-model or power per rack is raised at most 2**24-fold


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
