"""Energy price against cooling: the plan of least lifetime cost (objective tco) for each of a range
of prices per kWh, and the prices where its cooling flips from air to water (or back).

Between two neighbouring prices whose plans differ in cooling, the bracket is halved by solving at
its middle until it is 0.1 % wide; the crossover is then where the two plans' lifetime costs meet,
each linear in the price: capex + support + energy (MWh) x 1000 x price.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from primeflex_iac.plan.price_sweep import Crossover, PricePoint, PriceSweepResult
from primeflex_iac.spec.energy import EnergyPrice

if TYPE_CHECKING:
    from collections.abc import Callable

    from primeflex_iac.plan.model import Plan
    from primeflex_iac.spec.model import Spec

__all__ = ["BRACKET", "price_range", "price_sweep", "solve_at_price", "with_price"]

BRACKET = 1e-3  # a crossover's bracket is halved until it is this share of the price wide
_MAX_HALVINGS = 30


def price_range(lowest: float, highest: float, points: int) -> list[float]:
    """``points`` prices spaced evenly on a log scale, lowest first."""
    if points < 2 or lowest >= highest:
        return [lowest]
    ratio = (highest / lowest) ** (1 / (points - 1))
    return [lowest * ratio**i for i in range(points)]


def with_price(spec: Spec, price_per_kwh: float) -> Spec:
    """The spec at another energy price (in the catalog's currency), minimising the lifetime cost."""
    energy = spec.site.energy.model_copy(update={"price": EnergyPrice(per_kwh=price_per_kwh)})
    site = spec.site.model_copy(update={"energy": energy})
    return spec.model_copy(update={"site": site, "objective": "tco"})


def solve_at_price(spec: Spec, price_per_kwh: float, solve_spec: Callable[[Spec], Plan]) -> PricePoint:
    """The plan of least lifetime cost at ``price_per_kwh``, solved by ``solve_spec`` (a spec in, its plan out)."""
    plan = solve_spec(with_price(spec, price_per_kwh))
    if plan.totals is None or plan.status not in ("optimal", "feasible"):
        return PricePoint(price_per_kwh, plan.status, "", None, None, None, None, None, "")
    t = plan.totals
    entry = plan.compute[0] if plan.compute else None
    compute = f"{entry.count}x {entry.node} with {entry.gpus_per_node}x {entry.gpu}" if entry else "no compute"
    return PricePoint(
        price_per_kwh=price_per_kwh,
        status=plan.status,
        cooling=entry.cooling if entry else "air",
        capex=t.capex,
        support_cost=t.support_cost,
        energy_mwh=t.energy_mwh,
        energy_cost=t.energy_cost,
        tco=t.tco,
        compute=compute,
    )


def _crossover(low: PricePoint, high: PricePoint, solve: Callable[[float], PricePoint]) -> Crossover:
    """Halve the bracket [low, high] until it is BRACKET wide, then meet the two plans' lines."""
    for _ in range(_MAX_HALVINGS):
        if high.price_per_kwh - low.price_per_kwh <= BRACKET * low.price_per_kwh:
            break
        middle = solve((low.price_per_kwh * high.price_per_kwh) ** 0.5)
        if not middle.cooling:
            break
        if middle.cooling == low.cooling:
            low = middle
        else:
            high = middle
    assert low.energy_mwh is not None and high.energy_mwh is not None
    saved_kwh = (low.energy_mwh - high.energy_mwh) * 1000  # the plan above saves energy, costs more to keep
    fixed_low = low.tco_at(0.0)
    fixed_high = high.tco_at(0.0)
    price = (fixed_high - fixed_low) / saved_kwh if saved_kwh > 0 else high.price_per_kwh
    return Crossover(min(max(price, low.price_per_kwh), high.price_per_kwh), low, high)


def price_sweep(
    spec: Spec,
    currency: str,
    prices: list[float],
    solve_spec: Callable[[Spec], Plan],
    progress: Callable[[int, int, PricePoint], None] | None = None,
) -> PriceSweepResult:
    """Solve the spec for the least lifetime cost at each price per kWh (in ``currency``, the catalog's), lowest first.

    ``solve_spec`` solves one spec without explaining an infeasible one (``app.planning.plan_demand``'s plan).
    """
    points: list[PricePoint] = []
    for index, price in enumerate(sorted(prices), start=1):
        point = solve_at_price(spec, price, solve_spec)
        points.append(point)
        if progress is not None:
            progress(index, len(prices), point)
    crossovers = [
        _crossover(low, high, lambda price: solve_at_price(spec, price, solve_spec))
        for low, high in itertools.pairwise(points)
        if low.cooling and high.cooling and low.cooling != high.cooling
    ]
    return PriceSweepResult(spec.name, currency, points, crossovers)
