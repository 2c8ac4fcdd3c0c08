"""The JSON Schemas kept in schema/ match the models, and plans validate against their schema."""

from __future__ import annotations

import json

import pytest

from primeflex_iac import Catalog, Plan, Spec, load_spec, solve

from .conftest import ROOT, SPECS


@pytest.mark.parametrize(("name", "model"), [("plan", Plan), ("spec", Spec)])
def test_schema_files_are_current(name: str, model: type[Plan] | type[Spec]) -> None:
    kept = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text())
    assert kept == model.model_json_schema(), f"regenerate with: primeflex schema --{name} > schema/{name}.schema.json"


def test_plan_json_round_trips(catalog: Catalog) -> None:
    plan = solve(load_spec(SPECS / "customer.yaml"), catalog)
    again = Plan.model_validate_json(plan.to_json())
    assert again == plan
