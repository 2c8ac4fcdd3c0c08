"""A hand-edited plan.json whose parts disagree is refused by `render` and `export` with the field at fault.

Before, `render` trusted the file: empty racks raised IndexError, ``tiers: 0`` ZeroDivisionError,
and a billion leaf switches ran for 90 s into a MemoryError. Every count the pictures use must
now agree with the devices the racks list (plan/integrity.py).
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from functools import cache
from typing import TYPE_CHECKING, Any

import pytest

import primeflex_iac as pf
from primeflex_iac.cli.main import main
from primeflex_iac.plan.integrity import integrity_problems
from tests.conftest import SPECS

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@cache
def _plan() -> dict[str, Any]:
    plan = pf.solve(pf.load_spec(SPECS / "reference" / "sample-large-water.yaml"))
    assert plan.status == "optimal"
    data: dict[str, Any] = json.loads(plan.to_json())
    return data


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return edit


EDITS = {
    "no racks": (_set("racks", []), ""),
    "an empty rack": (_set("racks.0.devices", []), "racks[0].devices"),
    "no levels": (_set("fabric.tiers", 0), "fabric.tiers"),
    "a billion leaves": (_set("fabric.leaf_switches", 10**9), "fabric"),
    "an infinite price": (_set("totals.cost", float("inf")), "totals.cost"),
    "a negative power": (_set("racks.0.power_max_w", -5.0), "racks[0].power_max_w"),
    "a device above the rack": (_set("racks.0.devices.0.position", 60), "racks[0].devices[0]"),
    "fewer nodes than placed": (_set("compute.0.count", 1), "compute[0]"),
    "racks miscounted": (_set("totals.racks", 99), "totals.racks"),
    "one switch port": (_set("fabric.switch_ports", 1), "fabric.switch_ports"),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_an_inconsistent_plan_is_refused_at_its_field(case: str, tmp_path: Path) -> None:
    edit, field = EDITS[case]
    data = json.loads(json.dumps(_plan()))
    edit(data)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(data))
    for argv in (["render", str(plan_file), "-o", str(tmp_path / "out")], ["export", str(plan_file), "-o", str(tmp_path / "x")]):
        err = io.StringIO()
        started = time.monotonic()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
        assert code == 2, err.getvalue()
        assert time.monotonic() - started < 5
        assert f"plan.json: {field}" in err.getvalue(), err.getvalue()
    assert not (tmp_path / "out").exists()


def test_a_solved_plan_holds_together() -> None:
    assert integrity_problems(pf.Plan.model_validate(_plan())) == []
