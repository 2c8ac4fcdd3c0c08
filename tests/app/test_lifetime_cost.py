"""The bars of the lifetime cost: water costs more to buy but less over five years, so objective tco
picks it and objective cost does not; the sweep's crossover price matches a hand calculation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from primeflex_iac import Catalog, check, load_spec, solve
from primeflex_iac.app.price_sweep import price_sweep
from primeflex_iac.cli.exit_codes import EXIT_INVALID, EXIT_OK
from primeflex_iac.cli.main import main
from tests.conftest import SPECS

LIFETIME_COST = SPECS / "lifetime-cost.yaml"


def test_water_under_tco_air_under_cost(catalog: Catalog) -> None:
    spec = load_spec(LIFETIME_COST)
    by_tco = solve(spec, catalog)
    cost_spec = spec.model_copy(update={"objective": "cost"})
    by_cost = solve(cost_spec, catalog)
    assert by_tco.totals is not None and by_cost.totals is not None
    assert [e.cooling for e in by_tco.compute] == ["water"] and [e.cooling for e in by_cost.compute] == ["air"]
    assert by_tco.totals.capex > by_cost.totals.capex  # water costs more to buy
    assert by_tco.totals.tco < by_cost.totals.tco  # and less over five years
    assert check(by_tco, spec, catalog).violations == [] and check(by_cost, cost_spec, catalog).violations == []
    # both coolings allowed, the lifetime cost asked: the alternatives side by side, each solved on its own
    alternatives = {a.cooling: a for a in by_tco.alternatives}
    assert set(alternatives) == {"air", "water"}
    assert alternatives["water"].tco == by_tco.totals.tco and alternatives["air"].tco == by_cost.totals.tco


def _hand_crossover(catalog: Catalog) -> float:
    """The break-even price per kWh of the two plans, from the catalog's figures and the plans' counts.

    Air: 32 RX2540 M5 with 2 V100 PCIe 32GB each, one Omni-Path edge switch, 33 adapters and optical cables
    (two racks), one management switch with 34 patch cords, the head node, 2 racks, 33 RHEL licences.
    Water: 16 CX2570 M5 with 4 V100 SXM2 32GB each in 8 CX400 chassis, one CDU, 8 manifold ports, one
    switch, 17 adapters and copper cables (one rack), one management switch with 18 patch cords, the head
    node, 1 rack, 17 RHEL licences.
    """
    c = catalog
    switch, hfi, mgmt, head = (
        c.switches["intel-opa-edge-48"],
        c.adapters["intel-opa-hfi"],
        c.management_switches["mgmt-1gbe-48"],
        c.head_nodes["rx2540-m5-head"],
    )
    shared = switch.price + mgmt.price + head.price + c.software["rhel"].price  # + the per-node parts below
    air_capex = (
        shared
        + 32
        * (
            c.servers["rx2540-m5"].price
            + 2 * c.gpus["v100-pcie-32gb"].price
            + hfi.price
            + c.cables["aoc-opa"].price
            + c.software["rhel"].price
        )
        + c.cables["aoc-opa"].price
        + hfi.price  # the head node's port
        + 34 * c.cables["cat6-patch"].price
        + 2 * c.racks["rack-42u"].price
    )
    water_capex = (
        shared
        + 16
        * (
            c.servers["cx2570-m5"].price
            + 4 * c.gpus["v100-sxm2-32gb"].price
            + hfi.price
            + c.cables["dac-opa"].price
            + c.software["rhel"].price
        )
        + 8 * (c.chassis["cx400-m4"].price + c.loop_equipment["manifold-port-dlc"].price)
        + c.loop_equipment["cdu-100kw"].price
        + c.cables["dac-opa"].price
        + hfi.price
        + 18 * c.cables["cat6-patch"].price
        + c.racks["rack-42u"].price
    )
    assert (air_capex, water_capex) == (924_510, 957_260)
    others_w = switch.power_typical_w + mgmt.power_typical_w + head.power_typical_w  # air-cooled in both plans
    air_w = others_w + 33 * hfi.power_max_w + 32 * (c.servers["rx2540-m5"].base_power_typical_w + 2 * 250 * 0.7)
    water_nodes_w = 16 * (c.servers["cx2570-m5"].base_power_typical_w + 4 * 300 * 0.7) + 8 * c.chassis["cx400-m4"].power_typical_w
    water_air_w = others_w + 17 * hfi.power_max_w
    hours = 5 * 8760 * 0.7  # five years at utilisation 0.7
    air_kwh = air_w / 1000 * 1.5 * hours  # 21.746 kW x 1.5 x 30,660 h = 1,000,099 kWh
    water_kwh = (water_nodes_w * 1.15 + water_air_w * 1.5) / 1000 * hours  # (18.560 x 1.15 + 0.754 x 1.5) x 30,660 = 689,083 kWh
    support = 1 + 0.08 * 5  # capex plus five years of support at 8 %
    # air + support + energy = water + support + energy, solved for the price of a kWh: 45,850 / 311,016 = 0.1474
    return (water_capex - air_capex) * support / (air_kwh - water_kwh)


def test_the_crossover_price_matches_the_hand_calculation(catalog: Catalog) -> None:
    hand = _hand_crossover(catalog)
    assert hand == pytest.approx(0.1474, abs=1e-4)
    result = price_sweep(
        load_spec(LIFETIME_COST), catalog.currency, [0.05, 0.12, 0.3], lambda s: solve(s, catalog, explain=False)
    )
    assert [p.cooling for p in result.points] == ["air", "air", "water"]
    (crossover,) = result.crossovers
    assert (crossover.below.cooling, crossover.above.cooling) == ("air", "water")
    assert crossover.price_per_kwh == pytest.approx(hand, rel=0.01)


@pytest.mark.slow
def test_the_sweep_command_prints_the_crossover(tmp_path: Path, capsys: pytest.CaptureFixture[str], catalog: Catalog) -> None:
    out = tmp_path / "sweep"
    args = ["sweep", str(LIFETIME_COST), "--axis", "energy-price", "--points", "3", "--from", "0.05", "--to", "0.3 USD/kWh"]
    assert main([*args, "-o", str(out)]) == EXIT_OK
    printed = capsys.readouterr().out
    assert "crossover at 0.147" in printed and "air below" in printed and "water above" in printed
    rows = list(csv.DictReader((out / "energy-price.csv").open()))
    assert [r["cooling"] for r in rows] == ["air", "air", "water"]
    assert float(rows[0]["price_usd_per_kwh"]) == pytest.approx(0.05)


def test_the_sweep_axis_and_its_bounds_must_agree(tmp_path: Path) -> None:
    args = ["sweep", str(LIFETIME_COST), "--axis", "energy-price", "--from", "2 h", "-o", str(tmp_path / "x")]
    assert main(args) == EXIT_INVALID
