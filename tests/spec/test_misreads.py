"""Values a spec might be misread by: each is refused at its line, never read as something else.

YAML 1.1 (PyYAML's default) reads ``0x5A`` and ``1:30`` as 90, ``010`` as 8 and raises on an
impossible date; a decimal comma reads ``2,5 d`` as 25 days. The spec reader takes YAML 1.2's
core schema and refuses commas that do not separate thousands (common/located_yaml.py, units.py).
"""

from __future__ import annotations

import os
import re
import stat
import threading
from typing import TYPE_CHECKING

import pytest

from primeflex_iac.errors import SpecError
from primeflex_iac.spec.model import load_spec, parse_spec_text
from tests.conftest import SPECS

if TYPE_CHECKING:
    from pathlib import Path

CUSTOMER = (SPECS / "customer.yaml").read_text()


def _problems(old: str, new: str) -> list[str]:
    assert old in CUSTOMER
    with pytest.raises(SpecError) as caught:
        parse_spec_text(CUSTOMER.replace(old, new, 1), "spec.yaml")
    return [f"{p.line}:{p.path}: {p.message}" for p in caught.value.problems]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "time_to_model: 6 h",
            "time_to_model: 2,5 d",
            r"^14:workloads\[0\]\.time_to_model: a comma only separates thousands.*'2.5' rather than '2,5'",
        ),
        ("capacity: 150 TiB", "capacity: 1,5 PiB", r"^30:storage\.capacity: a comma only separates thousands"),
        ("budget: 2.5M USD", "budget: 2,5M USD", r"^27:site\.budget: a comma only separates thousands"),
        ("epochs: 90", "epochs: 0x5A", r"^12:workloads\[0\]\.epochs: .*'0x5A'"),
        ("epochs: 90", "epochs: 0o132", r"^12:workloads\[0\]\.epochs: .*'0o132'"),
        ("epochs: 90", "epochs: 1:30", r"^12:workloads\[0\]\.epochs: .*'1:30'"),
        ("epochs: 90", "epochs: 090", r"^12:workloads\[0\]\.epochs: '090' has a leading zero"),
        ("epochs: 90", "epochs: " + "9" * 5000, r"^12:workloads\[0\]\.epochs: number too long \(5,000 digits"),
        ("epochs: 90", "epochs: .inf", r"^12:workloads\[0\]\.epochs: infinite and not-a-number values are not accepted"),
        ("epochs: 90", "epochs: 1e400", r"^12:workloads\[0\]\.epochs: number out of range"),
        ("as_of: 2021-06 ", "as_of: 2019-02-30 ", r"^36:preferences\.as_of: expected a month"),
        ("as_of: 2021-06 ", "as_of: 2019-13-01 ", r"^36:preferences\.as_of: expected a month"),
        (
            "epochs: 90",
            "epochs: !!binary aGk=",
            r"^12:workloads\[0\]\.epochs: YAML tag 'tag:yaml.org,2002:binary' is not accepted",
        ),
        (
            "power_per_rack: 20 kW",
            "power_per_rack: 1e19 W",
            r"^25:site\.racks\.power_per_rack: too large to be meant \(at most 10 GW\)",
        ),
        ("budget: 2.5M USD", "budget: 1e20 USD", r"^27:site\.budget: .*"),
        ("capacity: 150 TiB", "capacity: 1e30 B", r"^30:storage\.capacity: too large to be meant \(at most 1 ZB\)"),
    ],
)
def test_misreadable_values_refused_at_their_line(old: str, new: str, expected: str) -> None:
    problems = _problems(old, new)
    assert len(problems) == 1, problems
    assert re.search(expected, problems[0]), problems[0]


def test_thousands_separators_still_read() -> None:
    spec = parse_spec_text(CUSTOMER.replace("budget: 2.5M USD", "budget: 2,500,000 USD"), "spec.yaml")
    assert spec.site.budget is not None and spec.site.budget.amount == 2_500_000


def test_plain_yes_stays_text() -> None:
    """YAML 1.1 would read ``cooling: no`` as false; here it stays the text 'no' and is refused as a cooling."""
    problems = _problems("cooling: air", "cooling: no")
    assert "site.cooling" in problems[0] and "'no'" in problems[0]


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    outcome: list[str] = []

    def read() -> None:
        try:
            load_spec(fifo)
        except SpecError as error:
            outcome.append(error.problems[0].message)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(5)
    assert outcome and "not a regular file" in outcome[0]


def test_a_device_is_refused() -> None:
    with pytest.raises(SpecError, match="not a regular file"):
        load_spec("/dev/zero")


def test_a_long_flat_list_is_refused_quickly_without_blaming_aliases() -> None:
    text = "apiVersion: primeflex-iac/v1\nname: x\nworkloads: [" + "1," * 150_000 + "1]\n"
    with pytest.raises(SpecError) as caught:
        parse_spec_text(text, "spec.yaml")
    message = caught.value.problems[0].message
    assert "too large" in message and "aliases" not in message
