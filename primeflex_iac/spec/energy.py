"""What the spec says about running the cluster: electricity, cooling efficiency, and the power a
rack may draw for each way of cooling it.

Every figure is optional: what the spec leaves out, the catalog's energy figures give (with their
sources). An energy price is read as '0.18 EUR/kWh' (or per MWh); its currency must be the
catalog's, checked where the spec meets the catalog.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from primeflex_iac.common.strict import Strict
from primeflex_iac.common.units import UnitError, check_commas, parse_power

__all__ = ["LARGEST_PRICE_PER_KWH", "Energy", "EnergyPrice", "PueByCooling", "RackPowerByCooling", "parse_energy_price"]

LARGEST_PRICE_PER_KWH = 100  # a hundred currency units per kWh: beyond any tariff, within the solver's integers
_PRICE = re.compile(
    r"^\s*(?:(?P<pre>[A-Z]{3})\s*)?(?P<number>\d[\d_,]*(?:\.\d*)?|\.\d+)\s*(?P<post>[A-Z]{3})?\s*/\s*(?P<unit>kWh|MWh)\s*$"
)
_PER_KWH = {"kWh": Fraction(1), "MWh": Fraction(1, 1000)}
_POWER_SCHEMA = {"type": ["string", "number"], "examples": ["20 kW"], "description": "A power: W, kW or MW."}
Power = Annotated[float, BeforeValidator(parse_power), WithJsonSchema(_POWER_SCHEMA)]


class EnergyPrice(Strict):
    """What a kWh costs: '0.18 EUR/kWh', '180 EUR/MWh', or {per_kwh: 0.18, currency: EUR}."""

    per_kwh: float = Field(gt=0, le=LARGEST_PRICE_PER_KWH, description="Price of one kWh.")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="ISO code; must be the catalog's.")

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _PRICE.match(value)
            if not match or (match["pre"] and match["post"]):
                raise UnitError(f"expected a price per energy such as '0.18 EUR/kWh' or '180 EUR/MWh', found {value!r}")
            check_commas(match["number"], value)
            number = Fraction(match["number"].replace(",", "").replace("_", ""))
            if number * _PER_KWH[match["unit"]] > LARGEST_PRICE_PER_KWH:
                raise UnitError(f"too large to be meant (at most {LARGEST_PRICE_PER_KWH} per kWh), found {value!r}")
            return {"per_kwh": float(number * _PER_KWH[match["unit"]]), "currency": match["pre"] or match["post"]}
        if isinstance(value, (bool, int, float)):
            raise UnitError(f"an energy price needs its unit, as in '0.18 EUR/kWh'; found {value!r}")
        return value


def parse_energy_price(text: str) -> EnergyPrice:
    """'0.18 EUR/kWh', '180 EUR/MWh', or a bare number (per kWh, in the catalog's currency)."""
    try:
        return EnergyPrice.model_validate({"per_kwh": float(text)})
    except ValueError:
        pass
    try:
        return EnergyPrice.model_validate(text)
    except ValueError as exc:
        first = exc.errors()[0]["msg"] if hasattr(exc, "errors") else str(exc)
        raise UnitError(str(first).removeprefix("Value error, ")) from None


_PRICE_SCHEMA = {
    "anyOf": [
        {
            "type": "string",
            "pattern": r"^\s*([A-Z]{3}\s*)?[0-9_,]*\.?[0-9]+\s*([A-Z]{3})?\s*/\s*(kWh|MWh)\s*$",
            "examples": ["0.18 EUR/kWh"],
        },
        {
            "type": "object",
            "properties": {"per_kwh": {"type": "number", "exclusiveMinimum": 0}, "currency": {"type": "string"}},
            "required": ["per_kwh"],
            "additionalProperties": False,
        },
    ],
    "description": "What a kWh costs, e.g. '0.18 EUR/kWh' or '180 EUR/MWh'.",
}


class PueByCooling(Strict):
    """Power usage effectiveness: facility power per IT power, for each way of cooling."""

    air: float | None = Field(default=None, ge=1, le=5, description="PUE of air-cooled equipment, e.g. 1.5.")
    water: float | None = Field(default=None, ge=1, le=5, description="PUE of water-cooled nodes, e.g. 1.15.")


class Energy(Strict):
    price: Annotated[EnergyPrice, WithJsonSchema(_PRICE_SCHEMA)] | None = Field(
        default=None, description="Electricity price, e.g. '0.18 EUR/kWh'; default: the catalog's."
    )
    pue: PueByCooling = Field(default_factory=PueByCooling, description="PUE per cooling; default: the catalog's.")
    utilisation: float | None = Field(
        default=None, gt=0, le=1, description="Share of the lifetime the cluster runs at typical power; default: the catalog's."
    )


class RackPowerByCooling(Strict):
    """Power per rack for each way of cooling: a rack holding water-cooled nodes takes the water limit."""

    air: Power = Field(description="A rack of air-cooled equipment only, e.g. '20 kW'.")
    water: Power = Field(description="A rack holding water-cooled nodes, e.g. '60 kW'.")
