"""The white paper's sample tables, reproduced from requirements only, and robust to prices."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from primeflex_iac import Catalog, Plan, check, load_spec, solve
from primeflex_iac.catalog.models import is_assumption
from tests.conftest import SPECS

REFERENCE = SPECS / "reference"

# sample -> (node, nodes, gpu, gpus, tensor TFLOPS, fabric class); the paper's tables
SAMPLES = {
    "sample-small-air": ("rx2540-m5", 4, "v100-pcie-32gb", 8, 896, "ethernet-10g"),
    "sample-small-water": ("cx2570-m5", 2, "v100-sxm2-32gb", 8, 1000, "ethernet-10g"),
    "sample-moderate-air": ("rx2540-m5", 16, "v100-pcie-32gb", 32, 3584, "100g-ib-or-opa"),
    "sample-moderate-water": ("cx2570-m5", 8, "v100-sxm2-32gb", 32, 4000, "100g-ib-or-opa"),
    "sample-large-air": ("rx2540-m5", 64, "v100-pcie-32gb", 128, 14336, "100g-ib-or-opa"),
    "sample-large-water": ("cx2570-m5", 32, "v100-sxm2-32gb", 128, 16000, "100g-ib-or-opa"),
}
# storage -> (blocks, rack units of the storage subsystem, usable TiB in the paper)
STORAGE = {
    "storage-small": ({"entry-block": 1}, 10, 171),
    "storage-medium": ({"capacity-block": 1}, 12, 513),
    "storage-large": ({"capacity-block": 4}, 30, 2053),
    "storage-very-large": ({"capacity-block": 8}, 58, 4107),
}


def fabric_class(plan: Plan) -> str:
    assert plan.fabric is not None
    if plan.fabric.technology == "ethernet-10g":
        return "ethernet-10g"
    if plan.fabric.link_gbps == 100 and plan.fabric.family in ("infiniband", "omni-path"):
        return "100g-ib-or-opa"
    return f"{plan.fabric.technology}:{plan.fabric.mode}"


def compute_answer(plan: Plan) -> tuple[Any, ...]:
    entry = plan.compute[0]
    return (entry.node, entry.count, entry.gpu, entry.gpus, round(entry.tensor_tflops), fabric_class(plan))


def storage_answer(plan: Plan) -> tuple[Any, ...]:
    assert plan.storage is not None
    return (plan.storage.blocks, plan.storage.rack_units)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_compute_configurations(name: str, catalog: Catalog) -> None:
    spec = load_spec(REFERENCE / f"{name}.yaml")
    plan = solve(spec, catalog)
    assert plan.status == "optimal"
    assert compute_answer(plan) == SAMPLES[name]
    assert check(plan, spec, catalog).violations == []


@pytest.mark.parametrize("name", sorted(STORAGE))
def test_storage_configurations(name: str, catalog: Catalog) -> None:
    spec = load_spec(REFERENCE / f"{name}.yaml")
    plan = solve(spec, catalog)
    blocks, rack_units, paper_tib = STORAGE[name]
    assert plan.status == "optimal"
    assert storage_answer(plan) == (blocks, rack_units)
    assert plan.storage is not None
    assert abs(plan.storage.usable_tib - paper_tib) / paper_tib <= 0.03
    assert check(plan, spec, catalog).violations == []


def _scaled(catalog: Catalog, section: str, item_id: str, factor: float) -> Catalog:
    items = dict(getattr(catalog, section))
    items[item_id] = items[item_id].model_copy(update={"price": items[item_id].price * factor})
    return catalog.model_copy(update={section: items})


def _assumption_prices(catalog: Catalog) -> list[tuple[str, str]]:
    found = []
    for section in type(catalog).model_fields:
        items = getattr(catalog, section)
        if not isinstance(items, dict):
            continue
        for item_id, item in items.items():
            if "price" in type(item).model_fields and is_assumption(item.source_of("price")):
                found.append((section, item_id))
    return found


@pytest.mark.parametrize("name", sorted(SAMPLES) + sorted(STORAGE))
@pytest.mark.slow
def test_answers_survive_assumed_price_changes(name: str, catalog: Catalog) -> None:
    """Every price marked as an assumption, moved 25 % down and up one at a time, and all together."""
    spec = load_spec(REFERENCE / f"{name}.yaml")
    answer = compute_answer if name in SAMPLES else storage_answer
    expected = answer(solve(spec, catalog))
    assumed = _assumption_prices(catalog)
    assert len(assumed) > 20
    trials = [(f"{s}.{i} x{f}", _scaled(catalog, s, i, f)) for (s, i), f in itertools.product(assumed, (0.75, 1.25))]
    for factor in (0.75, 1.25):
        everything = catalog
        for section, item_id in assumed:
            everything = _scaled(everything, section, item_id, factor)
        trials.append((f"all x{factor}", everything))
    for label, changed in trials:
        plan = solve(spec, changed)
        assert answer(plan) == expected, label
