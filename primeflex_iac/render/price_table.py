"""An energy-price sweep as text: the CSV of every price, one progress line per price, and each crossover."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from primeflex_iac.plan.price_sweep import Crossover, PricePoint, PriceSweepResult

__all__ = ["describe_crossover", "describe_price", "price_csv"]


def _money(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else ""


def price_csv(result: PriceSweepResult) -> str:
    """One row per price: the plan of least lifetime cost, its cooling and its costs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    unit = result.currency.lower()
    writer.writerow(
        [
            f"price_{unit}_per_kwh",
            "status",
            "cooling",
            "compute",
            f"capex_{unit}",
            f"support_{unit}",
            "energy_mwh",
            f"energy_{unit}",
            f"tco_{unit}",
        ]
    )
    for p in result.points:
        energy = f"{p.energy_mwh:.3f}" if p.energy_mwh is not None else ""
        row = [f"{p.price_per_kwh:.6f}", p.status, p.cooling, p.compute, _money(p.capex), _money(p.support_cost)]
        writer.writerow([*row, energy, _money(p.energy_cost), _money(p.tco)])
    return buffer.getvalue()


def describe_price(point: PricePoint, currency: str) -> str:
    """One progress line: the price and the plan of least lifetime cost at it."""
    head = f"{point.price_per_kwh:.4f} {currency}/kWh"
    if point.tco is None:
        return f"{head}: no plan ({point.status})"
    return f"{head}: {point.cooling}-cooled, {point.compute}, tco {point.tco:,.0f} {currency} (capex {point.capex:,.0f})"


def describe_crossover(crossover: Crossover, currency: str) -> str:
    """Where the cooling flips, and the two plans on either side."""
    below, above = crossover.below, crossover.above
    return (
        f"crossover at {crossover.price_per_kwh:.4f} {currency}/kWh: {below.cooling} below ({below.compute}), "
        f"{above.cooling} above ({above.compute}); both cost {below.tco_at(crossover.price_per_kwh):,.0f} {currency} there"
    )
