"""The shipped catalog, the sources of its figures, and overlays laid over it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.catalog.models import Catalog, Item
from primeflex_iac.errors import CatalogError, SpecError

REQUIRED_GPUS = [
    "v100-pcie-32gb",
    "v100-sxm2-16gb",
    "v100-sxm2-32gb",
    "v100-sxm3-32gb",
    "t4",
    "a100-pcie-40gb",
    "a100-pcie-80gb",
    "a100-sxm4-40gb",
    "a100-sxm4-80gb",
    "h100-sxm5-80gb",
    "h200-sxm-141gb",
    "l40s",
]
REQUIRED_FABRICS = ["ethernet-10g", "ethernet-25g", "ib-edr", "opa-100", "ib-hdr", "ib-ndr"]

HEADER = "apiVersion: primeflex-iac/v1\nkind: CatalogOverlay\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _sections(catalog: Catalog) -> dict[str, dict[str, Item]]:
    """Every section of the catalog that maps ids to items, found from the model's fields."""
    found: dict[str, dict[str, Item]] = {}
    for name in type(catalog).model_fields:
        value = getattr(catalog, name)
        if isinstance(value, dict) and value and all(isinstance(item, Item) for item in value.values()):
            found[name] = value
    return found


def _is_figure(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# --- the shipped catalog ---------------------------------------------------------------------


def test_catalog_loads(catalog: Catalog) -> None:
    assert isinstance(catalog, Catalog)
    assert catalog.currency == "USD"
    assert catalog.gpus and catalog.servers and catalog.fabrics and catalog.storage_blocks


def test_sections_found_generically(catalog: Catalog) -> None:
    sections = _sections(catalog)
    assert {"gpus", "servers", "fabrics", "drives", "storage_blocks", "racks", "software", "workloads"} <= set(sections)
    assert len(sections) >= 15


@pytest.mark.parametrize("gpu_id", REQUIRED_GPUS)
def test_required_gpu_exists(catalog: Catalog, gpu_id: str) -> None:
    assert gpu_id in catalog.gpus
    gpu = catalog.gpus[gpu_id]
    assert gpu.id == gpu_id
    assert gpu.tensor_tflops > 0 and gpu.memory_gb > 0 and gpu.tdp_w > 0


@pytest.mark.parametrize("fabric_id", REQUIRED_FABRICS)
def test_required_fabric_exists(catalog: Catalog, fabric_id: str) -> None:
    assert fabric_id in catalog.fabrics
    fabric = catalog.fabrics[fabric_id]
    assert fabric.switch in catalog.switches
    for mode in fabric.modes:
        assert mode.adapter in catalog.adapters
        assert mode.cable in catalog.cables


def test_gpu_figures_match_datasheets(catalog: Catalog) -> None:
    assert catalog.gpus["v100-sxm2-32gb"].tensor_tflops == 125
    assert catalog.gpus["t4"].int8_tops == 130
    assert catalog.gpus["a100-sxm4-80gb"].memory_gb == 80
    assert catalog.gpus["h200-sxm-141gb"].memory_gb == 141


def test_every_figure_has_a_source(catalog: Catalog) -> None:
    checked = 0
    for section, items in _sections(catalog).items():
        for item_id, item in items.items():
            assert item.source.strip(), f"{section}.{item_id} has no source"
            for field in type(item).model_fields:
                value = getattr(item, field)
                figures = [value] if _is_figure(value) else []
                if isinstance(value, list | dict):
                    figures = [v for v in (value.values() if isinstance(value, dict) else value) if _is_figure(v)]
                if isinstance(value, list) and value and isinstance(value[0], BaseModel):
                    figures = [getattr(v, f) for v in value for f in type(v).model_fields if _is_figure(getattr(v, f))]
                if figures:
                    source = item.source_of(field)
                    assert isinstance(source, str) and source.strip(), f"{section}.{item_id}.{field} has no source"
                    checked += 1
    assert checked > 200
    assert catalog.storage_rules.source.strip()


def test_sources_name_real_fields(catalog: Catalog) -> None:
    for section, items in _sections(catalog).items():
        for item_id, item in items.items():
            for field, source in item.sources.items():
                assert field in type(item).model_fields, f"{section}.{item_id}.sources.{field}"
                assert source.strip(), f"{section}.{item_id}.sources.{field} is empty"


def test_source_of_prefers_the_field_source(catalog: Catalog) -> None:
    gpu = catalog.gpus["v100-pcie-32gb"]
    assert gpu.source_of("price") == "assumption"
    assert gpu.source_of("tensor_tflops") == gpu.source
    assert "datasheet" in gpu.source_of("tdp_w")


def test_storage_block_capacities(catalog: Catalog) -> None:
    entry = catalog.block_usable_tib(catalog.storage_blocks["entry-block"])
    capacity = catalog.block_usable_tib(catalog.storage_blocks["capacity-block"])
    assert abs(entry - 171) <= 0.03 * 171, entry
    assert abs(capacity - 513) <= 0.03 * 513, capacity
    assert capacity == pytest.approx(3 * entry)


def test_storage_block_drives_add_up(catalog: Catalog) -> None:
    for block in catalog.storage_blocks.values():
        assert block.drives >= block.raid_groups * (block.raid_data + block.raid_parity) + block.hot_spares
        assert catalog.block_controller_shelves(block) == 1


# --- overlays --------------------------------------------------------------------------------


def test_price_override_changes_price_and_source(tmp_path: Path) -> None:
    overlay = _write(tmp_path, "prices.yaml", HEADER + 'source: "ACME price list 2019-05"\ngpus:\n  t4: {price: 2000}\n')
    shipped = load_catalog()
    merged = load_catalog([overlay])
    assert shipped.gpus["t4"].price == 2500
    assert merged.gpus["t4"].price == 2000
    assert merged.gpus["t4"].source_of("price") == "ACME price list 2019-05"
    # other figures keep their sources and values
    assert merged.gpus["t4"].source_of("tdp_w") == shipped.gpus["t4"].source_of("tdp_w")
    assert merged.gpus["v100-pcie-32gb"].price == shipped.gpus["v100-pcie-32gb"].price
    assert merged.currency == "USD"
    # the shipped data are not changed by an overlay
    assert load_catalog().gpus["t4"].price == 2500


def test_overlay_without_source_names_itself(tmp_path: Path) -> None:
    overlay = _write(tmp_path, "quote-42.yaml", HEADER + "servers:\n  rx2540-m5: {price: 7000}\n")
    merged = load_catalog([overlay])
    assert merged.servers["rx2540-m5"].price == 7000
    assert "quote-42.yaml" in merged.servers["rx2540-m5"].source_of("price")


def test_later_overlay_wins(tmp_path: Path) -> None:
    first = _write(tmp_path, "a.yaml", HEADER + "source: first list\ngpus:\n  t4: {price: 2000}\n")
    second = _write(tmp_path, "b.yaml", HEADER + "source: second list\ngpus:\n  t4: {price: 1800}\n")
    merged = load_catalog([first, second])
    assert merged.gpus["t4"].price == 1800
    assert merged.gpus["t4"].source_of("price") == "second list"


def test_currency_overlay_converts_prices(tmp_path: Path) -> None:
    overlay = _write(
        tmp_path,
        "eur.yaml",
        HEADER + 'source: "ACME EUR list"\ncurrency: {code: EUR, per_catalog_unit: 0.5}\ngpus:\n  t4: {price: 1234}\n',
    )
    shipped = load_catalog()
    merged = load_catalog([overlay])
    assert merged.currency == "EUR"
    # prices not overridden are converted
    assert merged.gpus["v100-pcie-32gb"].price == shipped.gpus["v100-pcie-32gb"].price * 0.5
    assert merged.servers["rx2540-m5"].price == shipped.servers["rx2540-m5"].price * 0.5
    assert merged.software["rhel"].price == shipped.software["rhel"].price * 0.5
    assert merged.racks["rack-42u"].price == shipped.racks["rack-42u"].price * 0.5
    # a price the overlay sets is already in its currency
    assert merged.gpus["t4"].price == 1234
    assert merged.gpus["t4"].source_of("price") == "ACME EUR list"
    assert "EUR" in merged.gpus["v100-pcie-32gb"].source_of("price")
    # figures that are not prices are untouched
    assert merged.gpus["v100-pcie-32gb"].tdp_w == shipped.gpus["v100-pcie-32gb"].tdp_w
    # the shipped catalog is unchanged
    assert load_catalog().currency == "USD"
    assert load_catalog().gpus["v100-pcie-32gb"].price == shipped.gpus["v100-pcie-32gb"].price


def test_unknown_field_on_existing_item_refused(tmp_path: Path) -> None:
    overlay = _write(
        tmp_path,
        "typo.yaml",
        HEADER + "source: ACME\ngpus:\n  t4:\n    price: 1000\n    colour: green\n",
    )
    with pytest.raises(CatalogError) as exc:
        load_catalog([overlay])
    problems = exc.value.problems
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.file == str(overlay)
    assert problem.line == 7
    assert problem.path == "gpus.t4.colour"
    assert str(overlay) in str(exc.value)


def test_invalid_value_on_existing_item_located_in_overlay(tmp_path: Path) -> None:
    overlay = _write(tmp_path, "neg.yaml", HEADER + "gpus:\n  t4:\n    price: -5\n")
    with pytest.raises(CatalogError) as exc:
        load_catalog([overlay])
    (problem,) = exc.value.problems
    assert problem.file == str(overlay)
    assert problem.line == 5
    assert problem.path == "gpus.t4.price"


def test_wrong_api_version_refused(tmp_path: Path) -> None:
    overlay = _write(tmp_path, "v2.yaml", "kind: CatalogOverlay\napiVersion: primeflex-iac/v2\ngpus: {}\n")
    with pytest.raises(CatalogError) as exc:
        load_catalog([overlay])
    assert isinstance(exc.value, SpecError)
    (problem,) = exc.value.problems
    assert problem.file == str(overlay)
    assert problem.line == 2
    assert problem.path == "apiVersion"


def test_unknown_overlay_section_refused(tmp_path: Path) -> None:
    overlay = _write(tmp_path, "sect.yaml", HEADER + "gpu:\n  t4: {price: 1}\n")
    with pytest.raises(CatalogError) as exc:
        load_catalog([overlay])
    (problem,) = exc.value.problems
    assert (problem.file, problem.line, problem.path) == (str(overlay), 3, "gpu")


def test_problems_of_several_overlays_reported_together(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    bad = _write(tmp_path, "bad.yaml", "apiVersion: primeflex-iac/v1\nkind: Spec\n")
    with pytest.raises(CatalogError) as exc:
        load_catalog([missing, bad])
    files = {p.file for p in exc.value.problems}
    assert files == {str(missing), str(bad)}


NEW_GPU = """\
source: "Vendor datasheet X"
gpus:
  b200-sxm-192gb:
    name: NVIDIA B200
    available: 2025-01
    form_factor: sxm
    fp32_tflops: 80
    tensor_tflops: 2250
    int8_tops: 4500
    memory_gb: 192
    memory_bandwidth_gbs: 8000
    tdp_w: 1000
    pcie_gbs: 128
    generation: blackwell
    price: 40000
    sources: {price: "assumption: list price"}
"""


def test_overlay_adds_new_gpu(tmp_path: Path) -> None:
    overlay = _write(tmp_path, "new.yaml", HEADER + NEW_GPU)
    merged = load_catalog([overlay])
    gpu = merged.gpus["b200-sxm-192gb"]
    assert gpu.id == "b200-sxm-192gb"
    assert gpu.tensor_tflops == 2250
    assert gpu.memory_gb == 192
    assert gpu.available.isoformat() == "2025-01-01"
    assert gpu.source == "Vendor datasheet X"
    assert gpu.source_of("tdp_w") == "Vendor datasheet X"
    assert gpu.source_of("price") == "assumption: list price"
    assert set(REQUIRED_GPUS) <= set(merged.gpus)
    assert "b200-sxm-192gb" not in load_catalog().gpus


def test_incomplete_new_item_located_in_overlay(tmp_path: Path) -> None:
    text = HEADER + NEW_GPU.replace("    tdp_w: 1000\n", "")
    overlay = _write(tmp_path, "partial.yaml", text)
    with pytest.raises(CatalogError) as exc:
        load_catalog([overlay])
    (problem,) = exc.value.problems
    assert problem.file == str(overlay)
    assert problem.path == "gpus.b200-sxm-192gb.tdp_w"
    assert problem.line == 5  # the new item's own line


def test_bf16_follows_the_generation_unless_an_overlay_says(tmp_path: Path) -> None:
    shipped = load_catalog()
    assert not shipped.gpus["v100-sxm2-32gb"].bf16 and not shipped.gpus["t4"].bf16
    assert shipped.gpus["a100-sxm4-40gb"].bf16 and shipped.gpus["h100-sxm5-80gb"].bf16
    assert shipped.gpus["a100-sxm4-40gb"].supports("bf16") and not shipped.gpus["t4"].supports("bf16")
    assert all(gpu.supports("fp16") for gpu in shipped.gpus.values())
    overlay = _write(tmp_path, "bf16.yaml", HEADER + "gpus:\n  a100-sxm4-40gb: {bf16: false}\n")
    assert not load_catalog([overlay]).gpus["a100-sxm4-40gb"].supports("bf16")
