"""What a plan costs to run: the spec's energy and lifetime over the catalog's defaults.

Lifetime energy of a device = typical power x utilisation x PUE of its cooling x hours of the
lifetime; its cost = that energy x the price of a kWh. Support and maintenance = purchase price x
share per year x years. Every figure keeps its source: the spec's own ("spec") or the catalog's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.catalog.energy import HOURS_PER_YEAR

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.errors import Problem
    from primeflex_iac.spec.model import Spec

__all__ = ["TcoInputs", "energy_problems", "tco_inputs"]

SECONDS_PER_YEAR = HOURS_PER_YEAR * 3600


@dataclass(frozen=True)
class TcoInputs:
    """The figures of the total cost of ownership, each with where it comes from."""

    price_per_kwh: float  # in the catalog's currency
    pue_air: float
    pue_water: float
    utilisation: float
    years: float
    support_share_per_year: float
    water_heat_share: float
    currency: str
    sources: dict[str, str]  # figure -> "spec" or the catalog's source

    @property
    def hours(self) -> float:
        """Hours over the lifetime."""
        return self.years * HOURS_PER_YEAR

    def pue(self, cooling: str) -> float:
        return self.pue_water if cooling == "water" else self.pue_air

    def energy_kwh(self, typical_w: float, cooling: str) -> float:
        """Lifetime energy of a device of ``typical_w`` cooled by ``cooling``, in kWh."""
        return typical_w / 1000 * self.utilisation * self.pue(cooling) * self.hours

    @property
    def support_factor(self) -> float:
        """Support over the lifetime per unit of purchase price."""
        return self.support_share_per_year * self.years


def tco_inputs(spec: Spec, catalog: Catalog) -> TcoInputs:
    """The spec's figures where it gives them, the catalog's otherwise."""
    figures, energy = catalog.energy, spec.site.energy
    sources: dict[str, str] = {}

    def pick(name: str, given: float | None, default: float) -> float:
        sources[name] = "spec" if given is not None else figures.source_of(name)
        return given if given is not None else default

    price = pick("price_per_kwh", energy.price.per_kwh if energy.price else None, figures.price_per_kwh)
    lifetime = spec.site.lifetime
    return TcoInputs(
        price_per_kwh=price,
        pue_air=pick("pue_air", energy.pue.air, figures.pue_air),
        pue_water=pick("pue_water", energy.pue.water, figures.pue_water),
        utilisation=pick("utilisation", energy.utilisation, figures.utilisation),
        years=pick("lifetime_years", lifetime / SECONDS_PER_YEAR if lifetime is not None else None, figures.lifetime_years),
        support_share_per_year=pick("support_share_per_year", None, figures.support_share_per_year),
        water_heat_share=pick("water_heat_share", None, figures.water_heat_share),
        currency=catalog.currency,
        sources=sources,
    )


def energy_problems(spec: Spec, catalog: Catalog) -> list[Problem]:
    """The energy price's currency must be the catalog's; a lifetime must be positive."""
    problems = []
    price = spec.site.energy.price
    if price is not None and price.currency is not None and price.currency != catalog.currency:
        problems.append(
            spec.problem(
                ("site", "energy", "price"),
                f"the energy price is in {price.currency} but the catalog's prices are in {catalog.currency}; "
                f"give it in {catalog.currency}, or lay a catalog overlay with a currency and its rate",
            )
        )
    if spec.site.lifetime is not None and spec.site.lifetime <= 0:
        problems.append(spec.problem(("site", "lifetime"), "a lifetime must be positive, e.g. '5 y'"))
    return problems
