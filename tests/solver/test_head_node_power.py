"""The head node's fabric adapter counts in whether it fits a rack on its own.

Found by the long fuzzing run: with 500 W per rack, a 490 W head node fits a rack, but not with
its 20 W fabric adapter; the solver gave it a fabric port anyway, and placement failed five
times into an internal error.
"""

from __future__ import annotations

import primeflex_iac as pf
from tests.conftest import SPECS

# the small sample on a new site (a new cluster has a head node of its own); air-cooled, as the paper
# offers its small water-cooled sample only on an existing site's loop
SPEC = (SPECS / "reference" / "sample-small-water.yaml").read_text().split("\nexisting:")[0].replace(
    "cooling: water", "cooling: air"
) + "\n"


def _spec(power_per_rack: str) -> pf.Spec:
    text = SPEC.replace("power_per_rack: 40 kW", f"power_per_rack: {power_per_rack}").replace("max: 8,", "max: 16,")
    text = text.replace("min_gpu_memory: 32 GB", "min_gpu_memory: 0 GB")
    assert f"power_per_rack: {power_per_rack}" in text
    return pf.parse_spec_text(text, "spec.yaml")


def test_racks_too_weak_for_the_head_node_with_its_adapter_give_no_plan_rather_than_a_crash() -> None:
    plan = pf.solve(_spec("500 W"))
    assert plan.status == "infeasible"
    assert any("power per rack" in relaxation.requirement for relaxation in plan.relaxations)


def test_racks_that_hold_it_give_a_plan_within_every_rack_limit() -> None:
    plan = pf.solve(_spec("600 W"))
    assert plan.status == "optimal"
    assert all(sum(d.power_max_w for d in rack.devices) <= 600 for rack in plan.racks)
