"""The fields every catalog item shares: id, name, availability and the sources of its figures.

Every item carries an availability date and a ``source`` for its figures; ``sources`` overrides
the source of single fields (most often ``price: assumption``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from primeflex_iac.catalog.netbox import NetboxType
from primeflex_iac.common.names import DisplayName, DisplayText, Identifier
from primeflex_iac.common.strict import Month, Strict

__all__ = ["BoundedFloat", "BoundedInt", "Cooling", "Item", "LoopEquipment", "Powered", "Priced", "is_assumption"]

# Every figure is bounded far beyond any real product, so that an overlay's 1e300 or a million
# ports is refused at its line instead of overflowing the solver or exhausting memory.
BoundedFloat = Annotated[float, Field(gt=0, le=1e12)]
BoundedInt = Annotated[int, Field(ge=1, le=1_000_000)]

Cooling = Literal["air", "water"]


def is_assumption(source: str) -> bool:
    return source.strip().lower().startswith("assumption")


class Item(Strict):
    """Fields common to every catalog item."""

    id: Identifier = Field(description="Stable identifier used in specs and plans.")
    name: DisplayName = Field(description="Product name as a customer reads it.")
    available: Month = Field(description="First month the item could be ordered.")
    source: DisplayText = Field(min_length=3, description="Where the item's figures come from.")
    sources: dict[str, DisplayText] = Field(default_factory=dict, description="Per-field sources that differ from `source`.")
    notes: DisplayText = Field(default="", description="Anything an architect should know about the item.")
    generic: bool = Field(default=False, description="A stand-in for any vendor's product of this class.")
    netbox: NetboxType | None = Field(default=None, description="The devicetype-library type of this hardware, if it has one.")

    @model_validator(mode="after")
    def _sources_name_fields(self) -> Item:
        unknown = sorted(set(self.sources) - set(type(self).model_fields))
        if unknown:
            raise ValueError(f"sources name fields the item does not have: {', '.join(unknown)}")
        return self

    def source_of(self, field: str) -> str:
        return self.sources.get(field, self.source)


class Priced(Item):
    price: float = Field(ge=0, le=1e12, description="Indicative unit price in the catalog's currency.")


class LoopEquipment(Priced):
    """Coolant loop equipment of water-cooled nodes: outside the racks' units (0U), its pumps in the water PUE."""

    role: Literal["cdu", "manifold"] = Field(
        description="cdu: coolant distribution units, one per capacity_w of water-cooled maximum power; "
        "manifold: one supply and return port pair with hoses per water-cooled enclosure."
    )
    capacity_w: float | None = Field(default=None, gt=0, le=1e9, description="cdu: heat one unit removes at most.")

    @model_validator(mode="after")
    def _cdu_has_capacity(self) -> LoopEquipment:
        if self.role == "cdu" and self.capacity_w is None:
            raise ValueError("a cdu needs capacity_w")
        return self


class Powered(Priced):
    height_u: int = Field(ge=0, le=60, description="Rack units.")
    power_max_w: float = Field(ge=0, le=1e7, description="Maximum (nameplate) draw, used for rack and site limits.")
    power_typical_w: float = Field(ge=0, le=1e7, description="Typical draw, used for energy estimates.")
    weight_kg: float = Field(ge=0, le=1e5, description="Weight.")
