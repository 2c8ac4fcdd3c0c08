"""Catalog figures of the total cost of ownership: energy, cooling efficiency, lifetime, support,
and the coolant loop that water-cooled nodes bring.

Like every catalog figure each carries its source ("assumption" where no public figure was found),
and a catalog overlay may set any of them (``energy: {price_per_kwh: 0.21}``); an overlay's
currency rate converts the energy price like every price.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from primeflex_iac.common.names import DisplayName, DisplayText, Identifier
from primeflex_iac.common.strict import Month, Strict

__all__ = ["HOURS_PER_YEAR", "EnergyFigures", "LoopEquipment"]

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


class LoopEquipment(Strict):
    """Coolant loop equipment of water-cooled nodes: outside the racks' units (0U), its pumps in the water PUE.

    An item like any other of the catalog (id, name, availability, price, sources).
    """

    id: Identifier = Field(description="Stable identifier used in plans.")
    name: DisplayName = Field(description="Product name as a customer reads it.")
    available: Month = Field(description="First month the item could be ordered.")
    source: DisplayText = Field(min_length=3, description="Where the item's figures come from.")
    sources: dict[str, DisplayText] = Field(default_factory=dict, description="Per-field sources that differ from `source`.")
    notes: DisplayText = Field(default="", description="Anything an architect should know about the item.")
    generic: bool = Field(default=False, description="A stand-in for any vendor's product of this class.")
    price: float = Field(ge=0, le=1e12, description="Indicative unit price in the catalog's currency.")

    role: Literal["cdu", "manifold"] = Field(
        description="cdu: coolant distribution units, one per capacity_w of water-cooled maximum power; "
        "manifold: one supply and return port pair with hoses per water-cooled enclosure."
    )
    capacity_w: float | None = Field(default=None, gt=0, le=1e9, description="cdu: heat one unit removes at most.")

    @model_validator(mode="after")
    def _cdu_has_capacity(self) -> LoopEquipment:
        if self.role == "cdu" and self.capacity_w is None:
            raise ValueError("a cdu needs capacity_w")
        unknown = sorted(set(self.sources) - set(type(self).model_fields))
        if unknown:
            raise ValueError(f"sources name fields the item does not have: {', '.join(unknown)}")
        return self

    def source_of(self, field: str) -> str:
        return self.sources.get(field, self.source)
