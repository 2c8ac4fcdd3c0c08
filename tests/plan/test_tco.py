"""The lifetime cost of a plan: recomputed here from plan.json, the spec and the catalog, to the cent;
the coolant loop water-cooled nodes bring; each rack held to the power limit of its cooling."""

from __future__ import annotations

import json
import math

import pytest

from primeflex_iac import Catalog, Plan, check, load_spec, solve
from primeflex_iac.spec.model import Spec, parse_spec_text
from tests.conftest import SPECS

LIFETIME_COST = SPECS / "lifetime-cost.yaml"
GPU_TYPICAL_SHARE = 0.7  # the model's assumption, as plan.assumptions states it


def _recompute(plan_json: dict, catalog: Catalog, price: float, pue: dict[str, float], utilisation: float, years: float) -> dict:
    """Every lifetime figure from the plan file's entries and the catalog's figures, with nothing of the package's arithmetic."""
    watts = {"air": 0.0, "water": 0.0}
    for entry in plan_json["compute"]:
        server, gpu = catalog.servers[entry["node"]], catalog.gpus[entry["gpu"]]
        node = server.base_power_typical_w + entry["gpus_per_node"] * gpu.tdp_w * GPU_TYPICAL_SHARE
        chassis = catalog.chassis[entry["chassis"]].power_typical_w * entry["chassis_count"] if entry["chassis"] else 0.0
        watts[entry["cooling"]] += entry["count"] * node + chassis
    fabric = plan_json["fabric"]
    switches = fabric["leaf_switches"] + fabric["spine_switches"] + fabric["core_switches"]
    watts["air"] += switches * catalog.switches[fabric["switch"]].power_typical_w
    watts["air"] += fabric["endpoints"] * catalog.adapters[fabric["adapter"]].power_max_w
    watts["air"] += fabric["management_switches"] * catalog.management_switches[fabric["management_switch"]].power_typical_w
    heads = [d["catalog_id"] for r in plan_json["racks"] for d in r["devices"] if d["role"] == "head"]
    watts["air"] += sum(catalog.head_nodes[h].power_typical_w for h in heads)
    hours = years * 365 * 24
    kwh = sum(watts[c] / 1000 * utilisation * pue[c] * hours for c in watts)
    capex = sum(line["total_cost"] for line in plan_json["bom"])
    support = capex * catalog.energy.support_share_per_year * years
    return {
        "capex": capex,
        "energy_mwh": kwh / 1000,
        "energy_cost": kwh * price,
        "support_cost": support,
        "tco": capex + support + kwh * price,
    }


@pytest.mark.parametrize("objective", ["cost", "tco"])
def test_every_lifetime_figure_recomputed_to_the_cent(objective: str, catalog: Catalog) -> None:
    spec = load_spec(LIFETIME_COST).model_copy(update={"objective": objective})
    plan = solve(spec, catalog)
    assert plan.status == "optimal" and plan.totals is not None
    figures = _recompute(json.loads(plan.to_json()), catalog, 0.18, {"air": 1.5, "water": 1.15}, 0.7, 5.0)
    totals = json.loads(plan.to_json())["totals"]
    for name in ("capex", "energy_cost", "support_cost", "tco"):
        assert round(figures[name], 2) == pytest.approx(totals[name], abs=0.005), name
    assert round(figures["energy_mwh"], 3) == pytest.approx(totals["energy_mwh"], abs=0.0005)
    assert totals["capex"] == totals["cost"] and totals["lifetime_years"] == 5
    assert check(plan, spec, catalog).violations == []


def test_check_catches_a_figure_off_by_two_cents(catalog: Catalog) -> None:
    spec = load_spec(LIFETIME_COST)
    plan = solve(spec, catalog)
    assert plan.totals is not None
    for name in ("energy_cost", "support_cost", "tco", "capex"):
        wrong = plan.model_copy(update={"totals": plan.totals.model_copy(update={name: getattr(plan.totals, name) + 0.02})})
        assert any(f"totals.{name}" in v for v in check(wrong, spec, catalog).violations), name


def test_the_formulas_and_sources_are_in_the_assumptions(catalog: Catalog) -> None:
    plan = solve(load_spec(LIFETIME_COST), catalog)
    text = "\n".join(plan.assumptions)
    for formula in ("energy_mwh = typical power x utilisation 0.7 (spec)", "0.18 USD/kWh (spec)", "support_cost = capex x 0.08"):
        assert formula in text
    assert catalog.energy.source_of("support_share_per_year") in text
    assert "cdu-100kw.price: assumption" in text


def _water_plan(catalog: Catalog, racks: str, gpus: int = 8) -> tuple[Plan, Spec]:
    spec = parse_spec_text(
        f"apiVersion: primeflex-iac/v1\nname: w\ncompute: {{gpus: {gpus}, min_gpu_memory: 32 GB}}\n"
        f"site: {{cooling: water, racks: {{max: 10, power_per_rack: {racks}}}}}\n"
        "preferences: {as_of: 2019-06, nodes: [cx2570-m5]}\n"
    )
    return solve(spec, catalog), spec


def test_water_cooled_nodes_bring_their_loop(catalog: Catalog) -> None:
    plan, spec = _water_plan(catalog, "40 kW", gpus=64)
    loop = {line.catalog_id: line.quantity for line in plan.bom if line.category == "cooling"}
    entry = plan.compute[0]
    node_w = catalog.servers["cx2570-m5"].base_power_max_w + 4 * catalog.gpus[entry.gpu].tdp_w
    water_w = entry.count * node_w + entry.chassis_count * catalog.chassis["cx400-m4"].power_max_w
    assert loop == {"cdu-100kw": math.ceil(water_w / 100_000), "manifold-port-dlc": entry.chassis_count}
    assert check(plan, spec, catalog).violations == []


def test_racks_are_held_to_the_limit_of_their_cooling(catalog: Catalog) -> None:
    # 64 SXM2 GPUs in 8 chassis draw 26.3 kW: two racks at 20 kW, one rack where water-cooled racks take 60 kW
    single, _ = _water_plan(catalog, "20 kW", gpus=64)
    split, spec = _water_plan(catalog, "{air: 20 kW, water: 60 kW}", gpus=64)
    assert single.totals is not None and split.totals is not None
    assert single.totals.racks == 2 and split.totals.racks == 1
    (rack,) = split.racks
    assert rack.power_limit_w == 60_000 and rack.power_max_w > 20_000
    share = catalog.energy.water_heat_share
    compute_w = sum(d.power_max_w for d in rack.devices if d.role == "compute")
    assert rack.heat_to_water_w == pytest.approx(share * compute_w, abs=0.1)
    assert rack.heat_to_air_w == pytest.approx(rack.power_max_w - share * compute_w, abs=0.1)
    assert check(split, spec, catalog).violations == []
    # a rack drawing above its cooling's limit is caught
    wrong = split.model_copy(update={"racks": [rack.model_copy(update={"power_limit_w": 20_000})]})
    assert any("cooling (water) allows" in v for v in check(wrong, spec, catalog).violations)
