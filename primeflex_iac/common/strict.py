"""The base of every input and output model, and the one month type they share.

Strict: unknown keys are errors (pydantic's default is to ignore them) and models are frozen.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

__all__ = ["Month", "Strict", "parse_month"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_month(value: object) -> object:
    """Accept '2019-06' (the first of the month) as well as full ISO dates."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value.strip()):
        return dt.date.fromisoformat(value.strip() + "-01")
    return value


Month = Annotated[dt.date, BeforeValidator(parse_month), WithJsonSchema({"type": "string", "examples": ["2019-06"]})]
