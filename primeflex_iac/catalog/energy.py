"""Catalog figures of the total cost of ownership: energy, cooling efficiency, lifetime, support,
and the coolant loop that water-cooled nodes bring.

Like every catalog figure each carries its source ("assumption" where no public figure was found),
and a catalog overlay may set any of them (``energy: {price_per_kwh: 0.21}``); an overlay's
currency rate converts the energy price like every price.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from primeflex_iac.common.names import DisplayText
from primeflex_iac.common.strict import Strict

__all__ = ["HOURS_PER_YEAR", "EnergyFigures"]

HOURS_PER_YEAR = 8760  # 365 days: a year of the lifetime, as the spec's 'y' reads it


class EnergyFigures(Strict):
    """Defaults a spec's site.energy and site.lifetime override, and figures only the catalog sets."""

    source: DisplayText = Field(min_length=3, description="Source of the figures without a source of their own.")
    sources: dict[str, DisplayText] = Field(default_factory=dict, description="Per-figure sources that differ from `source`.")
    price_per_kwh: float = Field(gt=0, le=100, description="Electricity price in the catalog's currency per kWh.")
    pue_air: float = Field(ge=1, le=5, description="Power usage effectiveness of an air-cooled data hall.")
    pue_water: float = Field(ge=1, le=5, description="Power usage effectiveness with warm-water direct liquid cooling.")
    utilisation: float = Field(gt=0, le=1, description="Share of the lifetime the cluster runs at typical power.")
    lifetime_years: float = Field(gt=0, le=100, description="Years the cluster runs.")
    support_share_per_year: float = Field(
        ge=0, le=1, description="Support and maintenance per year, as a share of the purchase price."
    )
    new_loop_min_gpus: int = Field(
        default=1,
        ge=1,
        le=1_000_000,
        description="Fewest GPUs of water-cooled compute a new site's coolant loop is planned for; fewer only join an "
        "existing site's loop (existing.cooling).",
    )
    water_heat_share: float = Field(
        gt=0, le=1, description="Share of a water-cooled device's heat its coolant loop takes; the rest goes to the room's air."
    )

    @model_validator(mode="after")
    def _sources_name_figures(self) -> EnergyFigures:
        unknown = sorted(set(self.sources) - set(type(self).model_fields))
        if unknown:
            raise ValueError(f"sources name figures that do not exist: {', '.join(unknown)}")
        return self

    def source_of(self, field: str) -> str:
        return self.sources.get(field, self.source)
