"""Quantities with units, parsed exactly.

A spec writes "150 GB", "8 h", "20 kW" or "2 PiB"; this module turns such strings into plain numbers
in one base unit per dimension (bytes, bytes per second, seconds, watts, FLOP), using
:class:`fractions.Fraction` while parsing so that "1.1 TiB" is exact. Decimal prefixes (k, M, G,
T, P, E) are powers of 1000; binary prefixes (Ki, Mi, Gi, Ti, Pi, Ei) powers of 1024. Bits and bytes
are told apart by case: "Gb/s" is gigabits per second, "GB/s" gigabytes per second.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Final

from primeflex_iac.common.validation_messages import closest

__all__ = [
    "GB",
    "LARGEST",
    "TIB",
    "UnitError",
    "check_commas",
    "format_bytes",
    "format_duration",
    "parse_bandwidth",
    "parse_bytes",
    "parse_count",
    "parse_duration",
    "parse_flops",
    "parse_power",
    "parse_quantity",
    "parse_rack_units",
    "quantity_pattern",
]

TIB: Final = 1024**4
GB: Final = 1000**3

_DECIMAL = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}

# dimension -> {unit symbol: factor to the base unit}
_BYTES: dict[str, Fraction] = {}
_BANDWIDTH: dict[str, Fraction] = {}
for _p, _f in {**_DECIMAL, **_BINARY}.items():
    _BYTES[f"{_p}B"] = Fraction(_f)
    _BANDWIDTH[f"{_p}B/s"] = Fraction(_f)
    _BANDWIDTH[f"{_p}b/s"] = Fraction(_f, 8)
    _BANDWIDTH[f"{_p}bps"] = Fraction(_f, 8)
_BYTES["byte"] = _BYTES["bytes"] = Fraction(1)

_DURATION: dict[str, Fraction] = {
    "s": Fraction(1),
    "sec": Fraction(1),
    "second": Fraction(1),
    "seconds": Fraction(1),
    "min": Fraction(60),
    "minute": Fraction(60),
    "minutes": Fraction(60),
    "h": Fraction(3600),
    "hour": Fraction(3600),
    "hours": Fraction(3600),
    "d": Fraction(86400),
    "day": Fraction(86400),
    "days": Fraction(86400),
    "w": Fraction(604800),
    "week": Fraction(604800),
    "weeks": Fraction(604800),
    # a year of 365 days (8,760 h), as energy bills count it: for lifetimes ('5 y')
    "y": Fraction(31536000),
    "year": Fraction(31536000),
    "years": Fraction(31536000),
}
_POWER: dict[str, Fraction] = {"W": Fraction(1), "kW": Fraction(10**3), "MW": Fraction(10**6), "GW": Fraction(10**9)}
_FLOPS: dict[str, Fraction] = {f"{p}FLOP": Fraction(f) for p, f in _DECIMAL.items() if p != "K"} | {
    f"{p}FLOPs": Fraction(f) for p, f in _DECIMAL.items() if p != "K"
}
_COUNT: dict[str, Fraction] = {
    "": Fraction(1),
    "k": Fraction(10**3),
    "K": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "B": Fraction(10**9),
    "T": Fraction(10**12),
}
_RACK_UNITS: dict[str, Fraction] = {"U": Fraction(1), "RU": Fraction(1)}

DIMENSIONS: Final[dict[str, dict[str, Fraction]]] = {
    "bytes": _BYTES,
    "bandwidth": _BANDWIDTH,
    "duration": _DURATION,
    "power": _POWER,
    "flops": _FLOPS,
    "count": _COUNT,
    "rack_units": _RACK_UNITS,
}
_EXAMPLES = {
    "bytes": "'150 GB' or '2 PiB'",
    "bandwidth": "'20 GB/s' or '100 Gb/s'",
    "duration": "'8 h', '90 min', '2 d' or '5 y'",
    "power": "'20 kW' or '700 W'",
    "flops": "'24.3 GFLOP'",
    "count": "'1281167' or '340M'",
    "rack_units": "'42U'",
}

_NUMBER = r"[+-]?(?:\d[\d_,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_QUANTITY = re.compile(rf"^\s*(?P<number>{_NUMBER})\s*(?P<unit>[A-Za-z/]*)\s*$")
# A comma only ever separates thousands: '1,500,000'. '2,5' (a decimal comma) is refused, never read as 25.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d+)?$")
# The largest value of each dimension a spec may give: far beyond any cluster, yet small enough
# that every figure derived from it fits the solver's 64-bit integers.
LARGEST: Final[dict[str, Fraction]] = {
    "bytes": Fraction(10**21),  # 1 ZB
    "bandwidth": Fraction(10**15),  # 1 PB/s
    "duration": Fraction(100 * 366 * 86400),  # a century
    "power": Fraction(10**10),  # 10 GW
    "flops": Fraction(10**30),
    "count": Fraction(10**18),
    "rack_units": Fraction(1000),
}
_LARGEST_TEXT = {
    "bytes": "1 ZB",
    "bandwidth": "1 PB/s",
    "duration": "100 years",
    "power": "10 GW",
    "flops": "1e30 FLOP",
    "count": "1e18",
    "rack_units": "1000U",
}


def quantity_pattern(dimension: str) -> str:
    """A JSON Schema (ECMA) pattern of the text this module reads for ``dimension``: a number, then a unit."""
    units = sorted((u for u in DIMENSIONS[dimension] if u), key=lambda u: (-len(u), u))
    number = r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?|[0-9][0-9_]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    unit = "|".join(re.escape(u).replace("\\/", "/") for u in units)
    optional = "?" if "" in DIMENSIONS[dimension] else ""
    return rf"^\s*{number}\s*(?:{unit}){optional}\s*$"


class UnitError(ValueError):
    """A quantity that could not be read: says what was expected and what was found."""


def check_commas(number: str, value: object) -> None:
    """Refuse a comma that is not a thousands separator: '2,5 d' is not read as 25 days."""
    if "," in number and not _GROUPED.match(number.replace("_", "")):
        raise UnitError(
            "a comma only separates thousands, as in '1,500,000'; for a decimal write a point: "
            f"'{number.replace(',', '.', 1)}' rather than '{number}'"
        )


def _to_fraction(number: str) -> Fraction:
    cleaned = number.replace("_", "").replace(",", "")
    _mantissa, _, exponent = cleaned.lower().partition("e")
    # refuse huge exponents before Fraction computes the whole power of ten
    if exponent and abs(int(exponent)) > 40:
        raise UnitError(f"exponent out of range in {number!r}")
    return Fraction(cleaned)


def parse_quantity(value: object, dimension: str, *, allow_bare: bool = False) -> Fraction:
    """Parse ``value`` as a quantity of ``dimension`` and return it in the base unit, exactly.

    A bare number is accepted only where ``allow_bare`` is set (counts, or a unit the field's
    name already states). Booleans, NaN, infinity, negative and absurdly large values are refused.
    """
    units = DIMENSIONS[dimension]
    if isinstance(value, bool):
        raise UnitError(f"expected a {dimension.replace('_', ' ')} quantity such as {_EXAMPLES[dimension]}, found {value!r}")
    if isinstance(value, int):
        if not allow_bare:
            raise UnitError(f"missing unit: expected a quantity such as {_EXAMPLES[dimension]}, found {value!r}")
        result = Fraction(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise UnitError(f"expected a finite number, found {value!r}")
        if not allow_bare:
            raise UnitError(f"missing unit: expected a quantity such as {_EXAMPLES[dimension]}, found {value!r}")
        result = Fraction(value)
    elif isinstance(value, str):
        match = _QUANTITY.match(value)
        if not match:
            raise UnitError(f"expected a quantity such as {_EXAMPLES[dimension]}, found {value!r}")
        unit = match["unit"]
        if unit == "" and not allow_bare:
            raise UnitError(f"missing unit: expected a quantity such as {_EXAMPLES[dimension]}, found {value!r}")
        if unit not in units:
            ordered = sorted({u for u in units if u}, key=lambda u: (units[u], u))
            guess = closest(unit, ordered)
            hint = f"; did you mean {guess!r}?" if guess is not None else ""
            raise UnitError(
                f"unknown unit {unit!r} for a {dimension.replace('_', ' ')} quantity{hint} (known: {', '.join(ordered[:12])})"
            )
        check_commas(match["number"], value)
        try:
            result = _to_fraction(match["number"]) * units[unit]
        except UnitError:
            raise
        except (ValueError, ZeroDivisionError) as exc:
            raise UnitError(f"cannot read the number in {value!r}") from exc
    else:
        raise UnitError(f"expected a quantity such as {_EXAMPLES[dimension]}, found {type(value).__name__}")
    if result < 0:
        raise UnitError(f"must not be negative, found {value!r}")
    if result > LARGEST[dimension]:
        raise UnitError(f"too large to be meant (at most {_LARGEST_TEXT[dimension]}), found {value!r}")
    return result


def parse_bytes(value: object) -> int:
    """Bytes, rounded up to a whole byte."""
    return math.ceil(parse_quantity(value, "bytes"))


def parse_bandwidth(value: object) -> float:
    """Bytes per second."""
    return float(parse_quantity(value, "bandwidth"))


def parse_duration(value: object) -> float:
    """Seconds; a bare number is refused because '8' could be hours or seconds."""
    return float(parse_quantity(value, "duration"))


def parse_power(value: object) -> float:
    """Watts."""
    return float(parse_quantity(value, "power"))


def parse_flops(value: object) -> float:
    """Floating-point operations (a count, not a rate)."""
    return float(parse_quantity(value, "flops", allow_bare=True))


def parse_count(value: object) -> int:
    """A whole count; '340M' and '1.3B' are accepted (B is billion here, as in parameter counts)."""
    result = parse_quantity(value, "count", allow_bare=True)
    return math.ceil(result)


def parse_rack_units(value: object) -> int:
    """Rack units; '42U' or a bare 42."""
    result = parse_quantity(value, "rack_units", allow_bare=True)
    if result.denominator != 1:
        raise UnitError(f"rack units are whole numbers, found {value!r}")
    return int(result)


def format_bytes(value: float, *, binary: bool = True) -> str:
    """A readable size: '171.1 TiB' (binary) or '140 GB' (decimal)."""
    step, names = (
        (1024.0, ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"])
        if binary
        else (
            1000.0,
            ["B", "kB", "MB", "GB", "TB", "PB", "EB"],
        )
    )
    size = float(value)
    for name in names:
        if abs(round(size, 1 if name != "B" else 0)) < step or name == names[-1]:
            return f"{size:,.1f} {name}" if name != "B" else f"{size:,.0f} B"
        size /= step
    raise AssertionError("unreachable")


def format_duration(seconds: float) -> str:
    """'2 h 05 min', '45 min 10 s', '3.2 s'."""
    if round(seconds, 1) < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours:02d} h"
