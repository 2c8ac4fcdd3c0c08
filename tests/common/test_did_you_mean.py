""" "Did you mean": ids, units and choices mistyped the way people mistype them get the right guess."""

from __future__ import annotations

import pytest

from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.common.validation_messages import closest
from primeflex_iac.demand.build import build_demand
from primeflex_iac.errors import SpecError
from primeflex_iac.spec.model import parse_spec_text
from tests.conftest import SPECS

CUSTOMER = (SPECS / "customer.yaml").read_text()


@pytest.mark.parametrize(
    ("typed", "known", "meant"),
    [
        ("KW", ["W", "kW", "MW"], "kW"),
        ("resnet-50", ["resnet50", "ssd", "gnmt"], "resnet50"),
        ("a100-sxm-40gb", ["a100-sxm4-40gb", "a100-pcie-40gb", "t4"], "a100-sxm4-40gb"),
        ("cots", ["cost", "power", "racks"], "cost"),
        ("gb/s", ["GB/s", "Gb/s"], None),  # bytes or bits, eight times apart: no guess
        ("quantum", ["cost", "power"], None),
    ],
)
def test_closest(typed: str, known: list[str], meant: str | None) -> None:
    assert closest(typed, known) == meant


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        ("objective: cost ", "objective: cots ", "did you mean 'cost'?"),
        ("cooling: air ", "cooling: Water ", "did you mean 'water'?"),
        ("power_per_rack: 20 kW", "power_per_rack: 20 KW", "did you mean 'kW'?"),
        ("model: resnet50 ", "model: resnet-50 ", "did you mean 'resnet50'?"),
        ("# gpus: [a100-sxm4-40gb]", "gpus: [a100-sxm-40gb]", "did you mean 'a100-sxm4-40gb'?"),
    ],
)
def test_one_message_with_a_guess(old: str, new: str, hint: str) -> None:
    assert old in CUSTOMER
    with pytest.raises(SpecError) as caught:
        build_demand(parse_spec_text(CUSTOMER.replace(old, new), "spec.yaml"), load_catalog())
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert hint in problems[0].message
