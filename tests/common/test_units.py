"""Exact parsing of quantities with units, and the refusals of what cannot be meant."""

from __future__ import annotations

import math
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from primeflex_iac.common.units import (
    GB,
    TIB,
    UnitError,
    format_bytes,
    format_duration,
    parse_bandwidth,
    parse_bytes,
    parse_count,
    parse_duration,
    parse_flops,
    parse_power,
    parse_quantity,
    parse_rack_units,
)
from tests.conftest import ROOT

if TYPE_CHECKING:
    from collections.abc import Callable

# --- sizes -----------------------------------------------------------------------------------


def test_binary_and_decimal_sizes_are_exact() -> None:
    assert parse_bytes("1 TiB") == 1024**4 == TIB
    assert parse_bytes("1 TB") == 10**12
    assert parse_bytes("1.5 TB") == 1_500_000_000_000
    assert parse_bytes("1.5 TB") == 1.5e12
    assert parse_bytes("150 GB") == 150 * GB
    assert parse_bytes("2 PiB") == 2 * 1024**5
    assert parse_bytes("1 KiB") == 1024
    assert parse_bytes("1 kB") == 1000


def test_binary_fraction_is_exact_not_float_rounded() -> None:
    # 1.1 TiB computed with floats is 1209462790553.6; the exact value rounds up to ...554
    assert parse_bytes("1.1 TiB") == math.ceil(11 * 1024**4 / 10)
    assert parse_bytes("1.1 TiB") == 1_209_462_790_554
    assert isinstance(parse_bytes("1.1 TiB"), int)


def test_size_spacing_and_separators() -> None:
    assert parse_bytes("150GB") == 150 * 10**9
    assert parse_bytes("  150   GB ") == 150 * 10**9
    assert parse_bytes("1,000 GB") == 10**12
    assert parse_bytes("1_000 GB") == 10**12
    assert parse_bytes(".5 GB") == 500_000_000
    assert parse_bytes("1e3 GB") == 10**12


def test_sizes_need_a_unit() -> None:
    for bare in (150, "150", 1.5, "1.5"):
        with pytest.raises(UnitError, match="missing unit"):
            parse_bytes(bare)


def test_size_unit_case_matters() -> None:
    # "Gb" is gigabits, not a size; "TIB" and "gb" are not units at all
    for text in ("1 Gb", "1 TIB", "1 gb", "1 parsec"):
        with pytest.raises(UnitError, match="unknown unit"):
            parse_bytes(text)


# --- bandwidth -------------------------------------------------------------------------------


def test_bits_and_bytes_per_second_differ_by_eight() -> None:
    assert parse_bandwidth("100 Gb/s") == 12.5e9
    assert parse_bandwidth("100 GB/s") == 100e9
    assert parse_bandwidth("100 GB/s") == 8 * parse_bandwidth("100 Gb/s")
    assert parse_bandwidth("100 Gbps") == parse_bandwidth("100 Gb/s")
    assert parse_bandwidth("1 GiB/s") == 2**30


def test_bandwidth_refusals() -> None:
    with pytest.raises(UnitError, match="missing unit"):
        parse_bandwidth(100)
    with pytest.raises(UnitError, match="unknown unit"):
        parse_bandwidth("100 GB")  # a size, not a rate
    with pytest.raises(UnitError, match="unknown unit"):
        parse_bandwidth("100 Gbit/s")


# --- durations -------------------------------------------------------------------------------


def test_durations() -> None:
    assert parse_duration("8 h") == 8 * 3600
    assert parse_duration("90 min") == 5400
    assert parse_duration("2 d") == 172_800
    assert parse_duration("1 w") == 604_800
    assert parse_duration("30 s") == 30
    assert parse_duration("1.5 h") == 5400
    assert parse_duration("2 hours") == 7200


def test_durations_need_a_unit() -> None:
    for bare in (8, 8.0, "8"):
        with pytest.raises(UnitError, match="missing unit"):
            parse_duration(bare)


def test_duration_unknown_unit() -> None:
    with pytest.raises(UnitError, match="unknown unit"):
        parse_duration("8 hrs")
    with pytest.raises(UnitError, match="unknown unit"):
        parse_duration("8 m")  # ambiguous: minutes or months; refused


# --- power -----------------------------------------------------------------------------------


def test_power() -> None:
    assert parse_power("20 kW") == 20_000
    assert parse_power("700 W") == 700
    assert parse_power("1.2 MW") == 1_200_000
    assert parse_power("0.5 kW") == 500


def test_power_refusals() -> None:
    with pytest.raises(UnitError, match="missing unit"):
        parse_power(20)
    with pytest.raises(UnitError, match="missing unit"):
        parse_power("20")
    with pytest.raises(UnitError, match="unknown unit"):
        parse_power("20 KW")
    with pytest.raises(UnitError, match="unknown unit"):
        parse_power("20 kVA")


# --- counts, flops, rack units ---------------------------------------------------------------


def test_counts() -> None:
    assert parse_count("340M") == 340_000_000
    assert parse_count("1.3B") == 1_300_000_000
    assert parse_count("1281167") == 1_281_167
    assert parse_count(1281167) == 1_281_167
    assert parse_count("25.6M") == 25_600_000
    assert parse_count("2k") == 2000
    assert isinstance(parse_count("1.3B"), int)


def test_flops() -> None:
    assert parse_flops("24.3 GFLOP") == 24.3e9
    assert parse_flops("1117 GFLOP") == 1.117e12
    assert parse_flops(1e9) == 1e9


def test_rack_units() -> None:
    assert parse_rack_units("42U") == 42
    assert parse_rack_units("48 U") == 48
    assert parse_rack_units("42 RU") == 42
    assert parse_rack_units(42) == 42
    with pytest.raises(UnitError, match="whole"):
        parse_rack_units("42.5U")
    with pytest.raises(UnitError, match="unknown unit"):
        parse_rack_units("42 cm")


# --- refusals common to every dimension ------------------------------------------------------


@pytest.mark.parametrize("value", ["-1 GB", "-0.5 TiB"])
def test_negative_sizes_refused(value: str) -> None:
    with pytest.raises(UnitError, match="negative"):
        parse_bytes(value)


def test_negative_refused_elsewhere() -> None:
    with pytest.raises(UnitError, match="negative"):
        parse_duration("-8 h")
    with pytest.raises(UnitError, match="negative"):
        parse_power("-20 kW")
    with pytest.raises(UnitError, match="negative"):
        parse_count(-5)
    with pytest.raises(UnitError, match="negative"):
        parse_rack_units(-1)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_refused(value: float) -> None:
    with pytest.raises(UnitError, match="finite"):
        parse_count(value)
    with pytest.raises(UnitError, match="finite"):
        parse_flops(value)
    with pytest.raises(UnitError):
        parse_bytes(value)


@pytest.mark.parametrize("value", ["nan GB", "inf GB", "NaN", "infinity"])
def test_non_finite_text_refused(value: str) -> None:
    with pytest.raises(UnitError):
        parse_bytes(value)
    with pytest.raises(UnitError):
        parse_count(value)


@pytest.mark.parametrize("value", [True, False])
def test_booleans_refused(value: bool) -> None:
    # bool is an int subclass; even where bare numbers are allowed it must not pass as 1 or 0
    with pytest.raises(UnitError):
        parse_count(value)
    with pytest.raises(UnitError):
        parse_rack_units(value)
    with pytest.raises(UnitError):
        parse_flops(value)
    with pytest.raises(UnitError):
        parse_bytes(value)


@pytest.mark.parametrize("value", [None, [1], {"a": 1}, object()])
def test_other_types_refused(value: object) -> None:
    with pytest.raises(UnitError):
        parse_bytes(value)


def test_absurdly_large_refused() -> None:
    with pytest.raises(UnitError, match="too large"):
        parse_bytes("1e31 B")
    with pytest.raises(UnitError, match="too large"):
        parse_bytes("1e13 EB")
    with pytest.raises(UnitError, match="too large"):
        parse_count(10**40)
    with pytest.raises(UnitError, match="too large"):
        parse_power(f"{10**28} MW")
    # the limit itself is fine
    assert parse_bytes("1000 EB") == 10**21
    with pytest.raises(UnitError, match="at most 1 ZB"):
        parse_bytes("1001 EB")


@pytest.mark.parametrize(
    ("parse", "largest", "beyond"),
    [
        (parse_bytes, "1000 EB", "1e30 B"),
        (parse_power, "10000 MW", "1e19 W"),
        (parse_duration, "36600 d", "1e12 s"),
        (parse_count, "1e18", "1e19"),
    ],
)
def test_each_dimension_has_a_largest_value(parse: Callable[[object], float], largest: str, beyond: str) -> None:
    parse(largest)
    with pytest.raises(UnitError, match="too large to be meant"):
        parse(beyond)


@pytest.mark.parametrize("value", ["2,5 d", "1,5 PiB", "1,50 kW", "12,3456 GB", "1,500,00 GB", ",5 h"])
def test_decimal_comma_refused_with_the_european_reading_named(value: str) -> None:
    parse = parse_duration if value.endswith(("d", "h")) else parse_power if value.endswith("W") else parse_bytes
    with pytest.raises(UnitError, match=r"comma only separates thousands|expected a"):
        parse(value)


@pytest.mark.parametrize(
    ("value", "expected"), [("1,500 GB", 1_500 * 10**9), ("1,500,000 B", 1_500_000), ("2,048.5 GB", 2_048_500_000_000)]
)
def test_thousands_separators_accepted(value: str, expected: int) -> None:
    assert parse_bytes(value) == expected


def test_garbage_refused() -> None:
    for text in ("", "GB", "1.2.3 GB", "12 G B", "1 GB GB", "one GB"):
        with pytest.raises(UnitError):
            parse_bytes(text)


@pytest.mark.slow
def test_huge_exponent_refused_quickly() -> None:
    # A spec value such as "1e999999999 GB" must be refused as too large, not computed.
    code = (
        "from primeflex_iac.common.units import UnitError, parse_bytes\n"
        "try:\n"
        "    parse_bytes('1e999999999 B')\n"
        "except UnitError as exc:\n"
        "    print('refused:', exc)\n"
    )
    try:
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=5, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("parsing '1e999999999 B' did not finish within 5 s")
    assert "refused:" in result.stdout, result.stderr


def test_parse_quantity_returns_exact_fraction() -> None:
    value = parse_quantity("1.1 TiB", "bytes")
    assert value.numerator * 10 == 11 * 1024**4 * value.denominator
    assert parse_quantity("42", "count", allow_bare=True) == 42
    with pytest.raises(UnitError, match="missing unit"):
        parse_quantity("42", "count")


# --- formatting ------------------------------------------------------------------------------


def test_format_bytes() -> None:
    assert format_bytes(1024**4) == "1.0 TiB"
    assert format_bytes(171.1 * 1024**4) == "171.1 TiB"
    assert format_bytes(140e9, binary=False) == "140.0 GB"
    assert format_bytes(512) == "512 B"
    assert format_bytes(0) == "0 B"
    assert format_bytes(1536) == "1.5 KiB"
    assert format_bytes(2 * 1024**5) == "2.0 PiB"
    assert format_bytes(5 * 1024**7) == "5,120.0 EiB"  # the largest unit keeps growing


def test_format_bytes_rounding_moves_to_next_unit() -> None:
    assert format_bytes(1024**2 - 1) == "1.0 MiB"
    assert format_bytes(1023.6) == "1.0 KiB"


def test_format_duration() -> None:
    assert format_duration(3.2) == "3.2 s"
    assert format_duration(0) == "0.0 s"
    assert format_duration(60) == "1 min 00 s"
    assert format_duration(2710) == "45 min 10 s"
    assert format_duration(7500) == "2 h 05 min"
    assert format_duration(3599.7) == "1 h 00 min"
    assert format_duration(47 * 3600) == "47 h 00 min"
    assert format_duration(48 * 3600) == "2 d 00 h"
    assert format_duration(3 * 86400 + 3600) == "3 d 01 h"


def test_format_duration_just_under_a_minute() -> None:
    assert format_duration(59.97) == "1 min 00 s"
