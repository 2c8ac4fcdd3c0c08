"""site.energy, site.lifetime and power per rack per cooling: read exactly, refused at their line."""

from __future__ import annotations

import pytest

from primeflex_iac import Catalog
from primeflex_iac.common.units import parse_duration
from primeflex_iac.demand.build import build_demand
from primeflex_iac.errors import SpecError
from primeflex_iac.spec.model import parse_spec_text

HEAD = "apiVersion: primeflex-iac/v1\nname: e\ncompute: {gpus: 8}\n"


def _spec(site: str) -> str:
    return HEAD + "site:\n" + site


def test_energy_lifetime_and_power_per_cooling_are_read() -> None:
    spec = parse_spec_text(
        _spec(
            "  racks: {power_per_rack: {air: 20 kW, water: 60 kW}}\n"
            "  energy: {price: 0.18 EUR/kWh, pue: {air: 1.5, water: 1.15}, utilisation: 0.7}\n"
            "  lifetime: 5 y\n"
        )
    )
    site = spec.site
    assert site.energy.price is not None
    assert (site.energy.price.per_kwh, site.energy.price.currency) == (0.18, "EUR")
    assert (site.energy.pue.air, site.energy.pue.water, site.energy.utilisation) == (1.5, 1.15, 0.7)
    assert site.lifetime == 5 * 365 * 86400
    assert (site.racks.limit_w("air"), site.racks.limit_w("water")) == (20_000, 60_000)


def test_a_single_power_per_rack_holds_for_every_cooling() -> None:
    spec = parse_spec_text(_spec("  racks: {power_per_rack: 35 kW}\n"))
    assert spec.site.racks.power_per_rack == 35_000
    assert (spec.site.racks.limit_w("air"), spec.site.racks.limit_w("water")) == (35_000, 35_000)


@pytest.mark.parametrize(("text", "per_kwh", "currency"), [("180 EUR/MWh", 0.18, "EUR"), ("USD 0.2/kWh", 0.2, "USD")])
def test_a_price_per_mwh_or_with_the_code_first(text: str, per_kwh: float, currency: str) -> None:
    spec = parse_spec_text(_spec(f"  racks: {{power_per_rack: 20 kW}}\n  energy: {{price: {text}}}\n"))
    assert spec.site.energy.price is not None
    assert spec.site.energy.price.per_kwh == pytest.approx(per_kwh)
    assert spec.site.energy.price.currency == currency


def test_years_are_365_days_and_no_other_unit_changed() -> None:
    assert parse_duration("1 y") == parse_duration("365 d") == parse_duration("1 year")
    assert parse_duration("2 years") == 2 * 365 * 86400
    assert parse_duration("8 h") == 8 * 3600 and parse_duration("2 w") == 14 * 86400


@pytest.mark.parametrize(
    ("site", "path", "words"),
    [
        ("  racks: {power_per_rack: 20 kW}\n  energy: {price: 0.18}\n", "site.energy.price", "'0.18 EUR/kWh'"),
        ("  racks: {power_per_rack: 20 kW}\n  energy: {price: 0.18 EUR}\n", "site.energy.price", "per energy"),
        ("  racks: {power_per_rack: 20 kW}\n  energy: {price: 1000 USD/kWh}\n", "site.energy.price", "100"),
        ("  racks: {power_per_rack: 20 kW}\n  energy: {pue: {air: 0.9}}\n", "site.energy.pue.air", "1"),
        ("  racks: {power_per_rack: 20 kW}\n  energy: {utilisation: 1.5}\n", "site.energy.utilisation", "1"),
        ("  racks: {power_per_rack: 20 kW}\n  lifetime: 5\n", "site.lifetime", "missing unit"),
        ("  racks: {power_per_rack: {air: 20 kW, water: 60}}\n", "site.racks.power_per_rack", "water: missing unit"),
        ("  racks: {power_per_rack: {air: 20 kW}}\n", "site.racks.power_per_rack", "water"),
    ],
)
def test_bad_figures_are_refused_at_their_line(site: str, path: str, words: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec_text(_spec(site))
    (problem,) = caught.value.problems
    assert problem.path == path and problem.line is not None
    assert words in problem.message


def test_an_energy_price_in_another_currency_is_a_located_error(catalog: Catalog) -> None:
    spec = parse_spec_text(_spec("  racks: {power_per_rack: 20 kW}\n  energy:\n    price: 0.18 EUR/kWh\n"))
    with pytest.raises(SpecError) as caught:
        build_demand(spec, catalog)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == ("site.energy.price", 7)
    assert "EUR" in problem.message and "USD" in problem.message and "overlay" in problem.message


def test_the_catalog_gives_what_the_spec_leaves_out(catalog: Catalog) -> None:
    spec = parse_spec_text(_spec("  racks: {power_per_rack: 20 kW}\n  energy: {pue: {water: 1.1}}\n"))
    inputs = build_demand(spec, catalog).tco
    figures = catalog.energy
    assert (inputs.price_per_kwh, inputs.pue_air, inputs.pue_water) == (figures.price_per_kwh, figures.pue_air, 1.1)
    assert inputs.years == figures.lifetime_years and inputs.hours == figures.lifetime_years * 8760
    assert inputs.sources["pue_water"] == "spec" and inputs.sources["pue_air"] == figures.source_of("pue_air")
