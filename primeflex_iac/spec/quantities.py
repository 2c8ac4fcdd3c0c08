"""The quantities a spec writes with their units, and amounts of money: parsed exactly, schema'd as read.

Each type reads text such as "150 GB" or "8 h" into a base unit (common/units.py) and tells an
editor, through its JSON Schema, the same pattern the reader accepts.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from primeflex_iac.common.strict import Strict
from primeflex_iac.common.units import (
    DIMENSIONS,
    UnitError,
    check_commas,
    parse_bandwidth,
    parse_bytes,
    parse_count,
    parse_duration,
    parse_flops,
    parse_power,
    parse_rack_units,
    quantity_pattern,
)

__all__ = [
    "LARGEST_AMOUNT",
    "MONEY_SCHEMA",
    "TIME_SCHEMA",
    "Bandwidth",
    "Bytes",
    "Count",
    "Duration",
    "Flops",
    "Money",
    "Power",
    "RackUnits",
]


def _quantity(parse: Any, dimension: str, example: str, description: str) -> Any:
    """A quantity field: its parser, and a schema an editor checks as the parser reads (a bare number only
    where the parser takes one)."""
    text = {"type": "string", "pattern": quantity_pattern(dimension)}
    bare = "" in DIMENSIONS[dimension]
    schema = {
        **({"anyOf": [text, {"type": "number", "minimum": 0}]} if bare else text),
        "examples": [example],
        "description": description,
    }
    return (BeforeValidator(parse), WithJsonSchema(schema))


Bytes = Annotated[int, *_quantity(parse_bytes, "bytes", "150 GB", "A size with its unit (kB..PB decimal, KiB..PiB binary).")]
Bandwidth = Annotated[float, *_quantity(parse_bandwidth, "bandwidth", "20 GB/s", "A rate: GB/s (bytes) or Gb/s (bits).")]
Duration = Annotated[float, *_quantity(parse_duration, "duration", "8 h", "A duration: s, min, h, d, w or y (365 days).")]
Power = Annotated[float, *_quantity(parse_power, "power", "20 kW", "A power: W, kW, MW or GW.")]
Flops = Annotated[float, *_quantity(parse_flops, "flops", "24.3 GFLOP", "Floating-point operations.")]
Count = Annotated[int, *_quantity(parse_count, "count", "340M", "A count; k, M, B (billion) and T suffixes allowed.")]
RackUnits = Annotated[int, *_quantity(parse_rack_units, "rack_units", "42U", "Rack units.")]

# time_to_model: a duration, or a target with the confidence (or margin) the plan is sized to
TIME_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": quantity_pattern("duration"), "examples": ["8 h"]},
        {
            "type": "object",
            "properties": {
                "target": {"type": "string", "pattern": quantity_pattern("duration"), "examples": ["8 h"]},
                "confidence": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                "margin": {"type": "number", "minimum": 0, "maximum": 10},
            },
            "required": ["target"],
            "additionalProperties": False,
        },
    ],
    "description": "A duration, or {target, confidence} / {target, margin}.",
}
_MONEY = re.compile(r"^\s*(?:(?P<pre>[A-Z]{3})\s*)?(?P<number>[\d_,]*\.?\d+)\s*(?P<scale>[kMB])?\s*(?P<post>[A-Z]{3})?\s*$")
_SCALE = {None: 1, "k": 10**3, "M": 10**6, "B": 10**9}
LARGEST_AMOUNT = 10**13  # ten trillion in any currency: beyond any cluster, within the solver's integers
# what Money accepts, for editors: '1.5M USD', a plain number, or {amount, currency}
MONEY_SCHEMA = {
    "anyOf": [
        {
            "type": "string",
            "pattern": r"^\s*([A-Z]{3}\s*)?[0-9_,]*\.?[0-9]+\s*[kMB]?\s*([A-Z]{3})?\s*$",
            "examples": ["2.5M USD"],
        },
        {"type": "number", "minimum": 0},
        {
            "type": "object",
            "properties": {"amount": {"type": "number", "minimum": 0}, "currency": {"type": "string"}},
            "required": ["amount"],
            "additionalProperties": False,
        },
    ],
    "description": "An amount such as '1,500,000 USD' or '1.5M USD'.",
}


class Money(Strict):
    amount: float = Field(ge=0)
    currency: str | None = Field(default=None, description="ISO code; must match the catalog's when given.")

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise UnitError(f"expected an amount such as '1.5M USD', found {value!r}")
        if isinstance(value, (int, float)):
            if value != value or value in (float("inf"), float("-inf")):
                raise UnitError(f"expected a finite amount, found {value!r}")
            return {"amount": value}
        if isinstance(value, str):
            match = _MONEY.match(value)
            if not match or (match["pre"] and match["post"]):
                raise UnitError(f"expected an amount such as '1,500,000 USD' or '1.5M USD', found {value!r}")
            check_commas(match["number"], value)
            amount = float(match["number"].replace(",", "").replace("_", "")) * _SCALE[match["scale"]]
            return {"amount": amount, "currency": match["pre"] or match["post"]}
        return value

    @model_validator(mode="after")
    def _within_reach(self) -> Money:
        if self.amount > LARGEST_AMOUNT:
            raise ValueError(f"too large to be meant (at most {LARGEST_AMOUNT:,.0f}), found {self.amount:,.0f}")
        return self
