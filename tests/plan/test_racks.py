"""Every rack billed is a rack the placement uses, and the racks the site allows are enough when
the placement fits them."""

from __future__ import annotations

from primeflex_iac import Catalog, check, load_spec, parse_spec_text, solve
from tests.conftest import REFERENCE_NAMES, SPECS

# 4,096 H100 at 20 kW a rack: most racks hold compute alone, the rest share switches and nodes
SPEC = """
apiVersion: primeflex-iac/v1
name: racks
compute: {{gpus: 4096}}
site:
  racks: {{max: {racks}, height: 42U, power_per_rack: 20 kW}}
preferences:
  gpus: [h100-sxm5-80gb]
"""


def test_racks_billed_are_racks_placed_and_suffice_as_a_limit(catalog: Catalog) -> None:
    spec = parse_spec_text(SPEC.format(racks=2000))
    plan = solve(spec, catalog)
    assert plan.status == "optimal" and plan.totals is not None
    billed = sum(line.quantity for line in plan.bom if line.category == "racks")
    # the full compute racks are credited their fabric's adapter power, not the lowest of any fabric
    # (which charged the difference to the shared racks again: 545 racks billed for 542 placed)
    assert billed == len(plan.racks) == plan.totals.racks
    assert all(rack.devices for rack in plan.racks)
    tight = solve(parse_spec_text(SPEC.format(racks=len(plan.racks))), catalog)
    assert tight.status == "optimal" and tight.totals is not None and tight.totals.racks == len(plan.racks)


def test_check_refuses_a_rack_billed_but_not_used(catalog: Catalog) -> None:
    spec = parse_spec_text(SPEC.format(racks=2000).replace("4096", "64"))
    plan = solve(spec, catalog)
    bom = [line.model_copy(update={"quantity": line.quantity + 1}) if line.category == "racks" else line for line in plan.bom]
    report = check(plan.model_copy(update={"bom": bom}), spec, catalog)
    assert any("racks billed" in violation for violation in report.violations)


def test_the_heaviest_devices_for_their_height_sit_lowest(catalog: Catalog) -> None:
    for name in REFERENCE_NAMES:
        plan = solve(load_spec(SPECS / "reference" / f"{name}.yaml"), catalog)
        for rack in plan.racks:
            stacked = sorted((d for d in rack.devices if d.role in ("storage", "head", "compute")), key=lambda d: d.position)
            densities = [d.weight_kg / d.height_u for d in stacked]
            assert densities == sorted(densities, reverse=True), f"{name}/{rack.name}"
