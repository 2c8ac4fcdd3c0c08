"""The cheapest move of several conflicting site limits together.

Each single relaxation moves one requirement with every other one held. When two or more of the
conflicts are site limits (budget, total power, racks, power per rack), moving them together can
give a cheaper plan than any one moved alone (three racks at 50 kW rather than six at 20 kW):
the best plan with all of them lifted sets each to what it needs, and the edited spec is checked
by a full solve like every other proposed change.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from primeflex_iac.app.explain.answers import ceil_to, edit, example, kw
from primeflex_iac.common.units import LARGEST
from primeflex_iac.demand.requirements import Requirement
from primeflex_iac.plan.model import Relaxation

if TYPE_CHECKING:
    from collections.abc import Sequence

    from primeflex_iac.app.explain.search import SearchContext
    from primeflex_iac.demand.requirements import RequirementGroup
    from primeflex_iac.plan.model import Plan
    from primeflex_iac.spec.model import Spec

__all__ = ["SITE_LIMITS", "combined_relaxation"]

SITE_LIMITS = (Requirement.BUDGET, Requirement.TOTAL_POWER, Requirement.RACKS, Requirement.POWER_PER_RACK)
_UNLIMITED_RACKS = 10_000  # the spec's own upper bound
_UNLIMITED_W = float(LARGEST["power"])  # the most a spec may say: the solver's integers still hold it


def combined_relaxation(ctx: SearchContext, conflicts: Sequence[RequirementGroup]) -> Relaxation | None:
    """The site limits among ``conflicts`` moved together to the best plan's needs, or None when
    fewer than two are site limits or the move is not checked by a full solve."""
    limits = [group for group in conflicts if group.kind in SITE_LIMITS]
    if len(limits) < 2:
        return None
    lifted = ctx.spec
    for group in limits:
        lifted = _lift(lifted, group.kind)
    best = ctx.plan(lifted)
    if best is None or best.totals is None:
        return None
    edited, changes = ctx.spec, []
    for group in limits:
        edited, change = _set_to_need(edited, group.kind, best)
        if change:
            changes.append(change)
    if len(changes) < 2:
        return None  # one change alone: a single relaxation already offers it
    plan = ctx.plan(edited)
    if plan is None:
        return None
    labels = [group.label for group in limits]
    return Relaxation(
        requirement=" + ".join(labels),
        asked="; ".join(labels),
        needed="the best plan with these limits lifted together needs no more than this",
        change="set " + " and ".join(changes),
        alone=True,
        example=example(plan),
    )


def _lift(spec: Spec, kind: Requirement) -> Spec:
    path, value = {
        Requirement.RACKS: (("site", "racks", "max"), _UNLIMITED_RACKS),
        Requirement.POWER_PER_RACK: (("site", "racks", "power_per_rack"), _UNLIMITED_W),
        Requirement.TOTAL_POWER: (("site", "total_power"), None),
        Requirement.BUDGET: (("site", "budget"), None),
    }[kind]
    lifted: Spec = edit(spec, path, value)
    return lifted


def _set_to_need(spec: Spec, kind: Requirement, plan: Plan) -> tuple[Spec, str | None]:
    """The spec with one limit set to what ``plan`` needs (rounded up as the summary prints), and the change."""
    assert plan.totals is not None
    site = spec.site
    if kind is Requirement.RACKS:
        racks = plan.totals.racks
        return (
            (edit(spec, ("site", "racks", "max"), racks), f"site.racks.max to {racks}")
            if racks > site.racks.max
            else (spec, None)
        )
    if kind is Requirement.POWER_PER_RACK:
        watts = ceil_to(max(rack.power_max_w for rack in plan.racks), 100)
        if watts <= min(site.racks.limit_w("air"), site.racks.limit_w("water")):
            return spec, None
        return edit(spec, ("site", "racks", "power_per_rack"), watts), f"site.racks.power_per_rack to {kw(watts)}"
    if kind is Requirement.TOTAL_POWER:
        watts = ceil_to(plan.totals.power_kw * 1000, 100)
        if site.total_power is None or watts <= site.total_power:
            return spec, None
        return edit(spec, ("site", "total_power"), watts), f"site.total_power to {kw(watts)}"
    assert site.budget is not None
    amount = math.ceil(plan.totals.cost)
    if amount <= site.budget.amount:
        return spec, None
    budget = site.budget.model_copy(update={"amount": float(amount)})
    return edit(spec, ("site", "budget"), budget), f"site.budget to {amount:,} {plan.totals.currency}"
