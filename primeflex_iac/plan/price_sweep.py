"""The answer of an energy-price sweep: the plan of least lifetime cost at each price, and where its cooling flips."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Crossover", "PricePoint", "PriceSweepResult"]


@dataclass(frozen=True)
class PricePoint:
    price_per_kwh: float
    status: str
    cooling: str  # the plan's compute cooling; "" without a plan
    capex: float | None
    support_cost: float | None
    energy_mwh: float | None
    energy_cost: float | None
    tco: float | None
    compute: str  # nodes x node with GPUs, or "" without a plan

    def tco_at(self, price_per_kwh: float) -> float:
        """This plan's lifetime cost at another energy price (everything but the energy stays)."""
        assert self.capex is not None and self.support_cost is not None and self.energy_mwh is not None
        return self.capex + self.support_cost + self.energy_mwh * 1000 * price_per_kwh


@dataclass(frozen=True)
class Crossover:
    """Where the plan of least lifetime cost changes cooling: the price at which both plans cost the same."""

    price_per_kwh: float
    below: PricePoint  # the plan just below the price
    above: PricePoint  # the plan just above it


@dataclass(frozen=True)
class PriceSweepResult:
    spec: str
    currency: str
    points: list[PricePoint]
    crossovers: list[Crossover]
