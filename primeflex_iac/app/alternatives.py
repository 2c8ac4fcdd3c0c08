"""Air against water: where the spec allows both coolings and asks about the lifetime cost, the best
plan of each cooling, solved on its own with the spec's objectives, beside the plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.plan.model import CoolingAlternative

if TYPE_CHECKING:
    from collections.abc import Callable

    from primeflex_iac.plan.model import Plan
    from primeflex_iac.spec.model import Spec

__all__ = ["asks_lifetime_cost", "cooling_alternatives"]


def asks_lifetime_cost(spec: Spec) -> bool:
    """The spec names an energy figure, a lifetime or the objective tco."""
    energy = spec.site.energy
    given = (
        energy.price is not None or energy.utilisation is not None or energy.pue.air is not None or energy.pue.water is not None
    )
    return given or spec.site.lifetime is not None or "tco" in spec.objectives


def _alternative(cooling: str, plan: Plan) -> CoolingAlternative:
    if plan.totals is None or plan.status not in ("optimal", "feasible") or not plan.compute:
        why = "; ".join(plan.conflicts) or plan.message
        return CoolingAlternative(cooling=cooling, status=plan.status, summary=f"no plan: {why}")
    t, entry = plan.totals, plan.compute[0]
    return CoolingAlternative(
        cooling=cooling,
        status=plan.status,
        summary=f"{entry.count}x {entry.node_name} with {entry.gpus_per_node}x {entry.gpu_name}",
        racks=t.racks,
        typical_power_kw=t.typical_power_kw,
        capex=t.capex,
        energy_mwh=t.energy_mwh,
        energy_cost=t.energy_cost,
        support_cost=t.support_cost,
        tco=t.tco,
    )


def cooling_alternatives(plan: Plan, spec: Spec, solve_spec: Callable[[Spec], Plan]) -> list[CoolingAlternative]:
    """The air- and water-cooled plans (the plan itself for its own cooling, ``solve_spec`` the other);
    none unless the spec allows both coolings, asks about the lifetime cost, and the plan has compute."""
    if spec.site.cooling != "any" or not asks_lifetime_cost(spec) or not plan.compute or plan.totals is None:
        return []
    found = []
    for cooling in ("air", "water"):
        if plan.compute[0].cooling == cooling:
            found.append(_alternative(cooling, plan))
            continue
        edited = spec.model_copy(update={"site": spec.site.model_copy(update={"cooling": cooling})})
        found.append(_alternative(cooling, solve_spec(edited)))
    return found
