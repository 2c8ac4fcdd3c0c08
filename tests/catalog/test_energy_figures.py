"""The catalog's energy figures and coolant loop: sourced or marked, set by an overlay, converted by its rate."""

from __future__ import annotations

from pathlib import Path

import pytest

from primeflex_iac import Catalog, load_catalog
from primeflex_iac.catalog.models import is_assumption
from primeflex_iac.errors import CatalogError


def test_every_energy_figure_has_a_source(catalog: Catalog) -> None:
    figures = catalog.energy
    for name in ("price_per_kwh", "pue_air", "pue_water", "utilisation", "lifetime_years", "support_share_per_year"):
        source = figures.source_of(name)
        assert len(source) > 10 or is_assumption(source), name
    assert not is_assumption(figures.source_of("pue_air"))  # the industry survey
    assert {item.role for item in catalog.loop_equipment.values()} == {"cdu", "manifold"}


def test_an_overlay_sets_figures_and_converts_the_energy_price(tmp_path: Path, catalog: Catalog) -> None:
    overlay = tmp_path / "eur.yaml"
    overlay.write_text(
        "apiVersion: primeflex-iac/v1\nkind: CatalogOverlay\nsource: ACME 2024\n"
        "currency: {code: EUR, per_catalog_unit: 0.9}\nenergy: {pue_air: 1.4}\n"
    )
    converted = load_catalog([overlay])
    assert converted.currency == "EUR"
    assert converted.energy.price_per_kwh == pytest.approx(catalog.energy.price_per_kwh * 0.9)
    assert "converted at 0.9 EUR per USD" in converted.energy.source_of("price_per_kwh")
    assert converted.energy.pue_air == 1.4 and converted.energy.source_of("pue_air") == "ACME 2024"
    cdu = next(item for item in converted.loop_equipment.values() if item.role == "cdu")
    assert cdu.price == pytest.approx(catalog.loop_equipment[cdu.id].price * 0.9)


def test_an_overlay_figure_out_of_range_is_located(tmp_path: Path) -> None:
    overlay = tmp_path / "bad.yaml"
    overlay.write_text("apiVersion: primeflex-iac/v1\nkind: CatalogOverlay\nenergy:\n  pue_water: 0.5\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog([overlay])
    (problem,) = caught.value.problems
    assert problem.file == str(overlay) and problem.line == 4 and "pue_water" in problem.path
