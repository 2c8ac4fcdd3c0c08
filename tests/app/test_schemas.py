"""The JSON Schemas kept in schema/ match the models, and plans validate against their schema.

The spec's schema is for editors (yaml-language-server reads draft-07): every spec in specs/ names
it on its first line and validates against it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from primeflex_iac import Catalog, Plan, SpecError, load_spec, parse_spec_text, solve
from primeflex_iac.app.schemas import plan_json_schema, spec_json_schema
from primeflex_iac.cli.main import main
from tests.conftest import ROOT, SPECS

SPEC_SCHEMA = ROOT / "schema" / "spec.schema.json"
ALL_SPECS = sorted(SPECS.rglob("*.yaml"))


@pytest.mark.parametrize(("name", "make"), [("plan", plan_json_schema), ("spec", spec_json_schema)])
def test_schema_files_are_current(name: str, make: Callable[[], dict[str, Any]]) -> None:
    kept = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text())
    assert kept == make(), f"regenerate with: primeflex schema --{name} > schema/{name}.schema.json"


def test_schema_command_prints_the_spec_schema_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(SPEC_SCHEMA.read_text())
    assert main(["schema", "--plan"]) == 0
    assert json.loads(capsys.readouterr().out) == plan_json_schema()


def test_spec_schema_is_draft_07_for_yaml_language_server() -> None:
    schema = json.loads(SPEC_SCHEMA.read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    text = SPEC_SCHEMA.read_text()
    for newer in ('"$defs"', '"prefixItems"', '"unevaluatedProperties"', '"dependentRequired"', "#/$defs/"):
        assert newer not in text, newer

    def refs(node: object) -> None:  # draft-07 ignores keywords beside $ref: none may stand there
        if isinstance(node, dict):
            assert "$ref" not in node or len(node) == 1, node
            for value in node.values():
                refs(value)
        elif isinstance(node, list):
            for value in node:
                refs(value)

    refs(schema)


@pytest.mark.parametrize("path", ALL_SPECS, ids=lambda p: str(p.relative_to(SPECS)))
def test_every_spec_names_the_schema_and_validates(path: Path) -> None:
    first = path.read_text().splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix), f"{path}: first line must be {prefix}<relative path to schema/spec.schema.json>"
    assert (path.parent / first.removeprefix(prefix)).resolve() == SPEC_SCHEMA.resolve()
    assert first.removeprefix(prefix) == os.path.relpath(SPEC_SCHEMA, path.parent)
    jsonschema.validate(yaml.safe_load(path.read_text()), json.loads(SPEC_SCHEMA.read_text()))


@pytest.mark.parametrize(
    "change",
    [
        {"sitee": {}},  # unknown key
        {"objective": "speed"},  # not an objective
        {"site": {"racks": {"max": 4}}},  # power_per_rack is required
        {"site": {"racks": {"power_per_rack": "20 kW"}, "budget": "lots"}},
        {"naming": {"compute": "GPU###"}},
        {"storage": {"file_system": "nfs"}},
    ],
)
def test_spec_schema_rejects_what_the_loader_rejects(change: dict[str, Any]) -> None:
    spec = {**yaml.safe_load((SPECS / "customer.yaml").read_text()), **change}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(spec, json.loads(SPEC_SCHEMA.read_text()))
    with pytest.raises(SpecError):
        parse_spec_text(yaml.safe_dump(spec))


def test_spec_schema_accepts_every_money_form() -> None:
    schema = json.loads(SPEC_SCHEMA.read_text())
    spec = yaml.safe_load((SPECS / "customer.yaml").read_text())
    for budget in ("2.5M USD", "USD 1,500,000", 900000, {"amount": 2.5e6, "currency": "USD"}):
        spec["site"]["budget"] = budget
        jsonschema.validate(spec, schema)


def test_plan_json_round_trips(catalog: Catalog) -> None:
    plan = solve(load_spec(SPECS / "customer.yaml"), catalog)
    again = Plan.model_validate_json(plan.to_json())
    assert again == plan


def test_the_package_ships_the_schemas() -> None:
    """A pip user points an editor at the installed package's copy: it is the one in schema/."""
    packaged = ROOT / "primeflex_iac" / "schema"
    for name in ("spec", "plan"):
        assert (packaged / f"{name}.schema.json").read_text() == (ROOT / "schema" / f"{name}.schema.json").read_text(), (
            f"copy schema/{name}.schema.json to primeflex_iac/schema/"
        )
    assert json.loads(SPEC_SCHEMA.read_text())["$id"] == "urn:primeflex-iac:schema:spec:v1"


TYPOS = {
    "GPU id": ("# gpus: [a100-sxm4-40gb]", "gpus: [a100-sxm-40gb]"),
    "zoo model": ("model: resnet50 ", "model: resnet-50 "),
    "unit case": ("power_per_rack: 20 kW", "power_per_rack: 20 KW"),
    "bare number": ("power_per_rack: 20 kW", "power_per_rack: 20"),
    "decimal comma": ("time_to_model: 6 h", "time_to_model: 2,5 d"),
    "objective": ("objective: cost ", "objective: cots "),
    "cooling": ("cooling: air ", "cooling: Water "),
    "field name": ("capacity: 150 TiB", "capacity_tib: 150 TiB"),
    "fabric id": ("# fabrics: [ib-hdr]", "fabrics: [ib_hdr]"),
    "unit missing": ("total_power: 60 kW", "total_power: 60"),
}


@pytest.mark.needs_tool
@pytest.mark.parametrize("typo", sorted(TYPOS))
def test_an_editor_flags_typical_typos(typo: str, tmp_path: Path) -> None:
    """Each typo people make, checked with check-jsonschema as an editor would with the schema."""
    import subprocess
    import sys

    old, new = TYPOS[typo]
    text = (SPECS / "customer.yaml").read_text()
    assert old in text
    spec = tmp_path / "spec.yaml"
    spec.write_text(text.replace(old, new))
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(checker), "--schemafile", str(SPEC_SCHEMA), str(spec)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1, result.stdout + result.stderr
