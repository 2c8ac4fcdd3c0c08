"""check() walks the management network: counts from the arithmetic, every device reachable from
the head node, no switch given more cables than it has ports."""

from __future__ import annotations

import math

import pytest

from primeflex_iac import Catalog, Plan, Spec, check, parse_spec_text, solve
from primeflex_iac.common.devices import MANAGEMENT_AGGREGATION
from tests.solver.test_solver import _spec


@pytest.fixture(scope="module")
def solved(catalog: Catalog) -> tuple[Plan, Spec]:
    spec = parse_spec_text(_spec(512))
    return solve(spec, catalog), spec


def _without(plan: Plan, dropped: set[str], **fabric: int) -> Plan:
    """The plan with the named devices taken out of its racks and its fabric counts replaced."""
    racks = []
    for rack in plan.racks:
        devices = [d for d in rack.devices if d.name not in dropped]
        used = sum(d.height_u for d in devices)
        racks.append(rack.model_copy(update={"devices": devices, "used_units": used}))
    assert plan.fabric is not None
    return plan.model_copy(update={"racks": racks, "fabric": plan.fabric.model_copy(update=fabric)})


def _management(plan: Plan) -> list[str]:
    return [d.name for r in plan.racks for d in r.devices if d.role == "management"]


def test_a_plan_with_aggregation_holds(solved: tuple[Plan, Spec], catalog: Catalog) -> None:
    plan, spec = solved
    assert plan.fabric is not None
    assert plan.fabric.management_switches == 3 and plan.fabric.management_aggregation_switches == 1
    assert check(plan, spec, catalog).violations == []


def test_islands_of_access_switches_without_aggregation_are_caught(solved: tuple[Plan, Spec], catalog: Catalog) -> None:
    # the plan as the model gave it before the aggregation level: ceil(ports / 46) access switches, no uplinks
    plan, spec = solved
    assert plan.fabric is not None
    aggregation = {name for name in _management(plan) if name.startswith(MANAGEMENT_AGGREGATION)}
    ports = plan.fabric.management_cables - 2 * (plan.fabric.management_switches - len(aggregation))
    before = _without(
        plan, aggregation, management_switches=math.ceil(ports / 46), management_aggregation_switches=0, management_cables=ports
    )
    violations = check(before, spec, catalog).violations
    islands = [v for v in violations if "not reachable from head01" in v]
    assert islands, violations
    assert "47 devices in 1 management island are" in islands[0]  # mgmt01 and the 46 devices on it


def test_a_switch_given_more_cables_than_ports_is_caught(solved: tuple[Plan, Spec], catalog: Catalog) -> None:
    plan, spec = solved
    before = _without(plan, {"mgmt02"})
    violations = check(before, spec, catalog).violations
    assert any("mgmt01 has" in v and "on 48 ports" in v for v in violations), violations
    assert any("BOM has 3x mgmt-1gbe-48 but 2 are placed" in v for v in violations)
