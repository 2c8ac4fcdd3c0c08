"""Spec validation: strict fields, units, and every problem reported at its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from primeflex_iac.errors import Problem, SpecError
from primeflex_iac.spec.model import Spec, load_spec, parse_spec_text
from tests.conftest import ROOT

SPEC_FILES = sorted((ROOT / "specs").glob("**/*.yaml"))

MINIMAL = """\
apiVersion: primeflex-iac/v1
name: minimal
compute:
  gpus: 8
site:
  racks:
    power_per_rack: 20 kW
"""


def _problems(text: str, name: str = "s.yaml") -> list[Problem]:
    with pytest.raises(SpecError) as exc:
        parse_spec_text(text, name)
    problems = exc.value.problems
    assert problems, "a SpecError must list at least one problem"
    assert all(p.file == name for p in problems)
    return problems


def _by_path(problems: list[Problem]) -> dict[str, Problem]:
    return {p.path: p for p in problems}


# --- valid specs -----------------------------------------------------------------------------


def test_minimal_spec_and_defaults() -> None:
    spec = parse_spec_text(MINIMAL)
    assert isinstance(spec, Spec)
    assert spec.name == "minimal"
    assert spec.kind == "ClusterSpec"
    assert spec.compute is not None and spec.compute.gpus == 8
    assert spec.site.racks.power_per_rack == 20_000
    assert spec.site.racks.max == 10
    assert spec.site.racks.height == 42
    assert spec.site.cooling == "any"
    assert spec.workloads == []
    assert spec.storage is None
    assert spec.objective == "cost"
    assert spec.objectives == ["cost"]
    assert spec.solver.time_limit == 30.0


def test_quantities_stored_in_base_units() -> None:
    text = """\
apiVersion: primeflex-iac/v1
name: units
workloads:
  - name: resnet
    model: resnet50
    time_to_model: 90 min
    dataset: {samples: 1.3B, size: 140 GB}
    min_gpu_memory: 32 GiB
compute:
  gpus: 4
  min_gpu_memory: 16 GB
site:
  cooling: water
  total_power: 0.2 MW
  racks: {max: 4, height: 48U, power_per_rack: 35 kW}
storage:
  capacity: 2 PiB
  throughput: 100 Gb/s
  access: [posix, s3]
preferences:
  as_of: 2019-06
  gpus: [t4]
objective: [power, cost]
solver: {time_limit: 2 min, workers: 4}
"""
    spec = parse_spec_text(text)
    workload = spec.workloads[0]
    assert workload.time_to_model == 5400
    assert workload.dataset.samples == 1_300_000_000
    assert workload.dataset.size == 140 * 10**9
    assert workload.min_gpu_memory == 32 * 2**30
    assert spec.compute is not None and spec.compute.min_gpu_memory == 16 * 10**9
    assert spec.site.total_power == 200_000
    assert spec.site.racks.height == 48
    assert spec.site.racks.power_per_rack == 35_000
    assert spec.storage is not None
    assert spec.storage.capacity == 2 * 2**50
    assert spec.storage.throughput == 12.5e9
    assert spec.storage.access == ["posix", "s3"]
    assert spec.preferences.as_of == dt.date(2019, 6, 1)
    assert spec.objectives == ["power", "cost"]
    assert spec.solver.time_limit == 120
    assert spec.solver.workers == 4


@pytest.mark.parametrize(
    ("budget", "amount", "currency"),
    [
        ("1.5M USD", 1_500_000, "USD"),
        ("1,500,000 USD", 1_500_000, "USD"),
        ("USD 2.5M", 2_500_000, "USD"),
        ("750k EUR", 750_000, "EUR"),
        ("1.5M", 1_500_000, None),
        ("1200000", 1_200_000, None),
    ],
)
def test_budget_parsed(budget: str, amount: float, currency: str | None) -> None:
    spec = parse_spec_text(MINIMAL + f"  budget: {budget}\n")
    assert spec.site.budget is not None
    assert spec.site.budget.amount == amount
    assert spec.site.budget.currency == currency


def test_budget_as_plain_number() -> None:
    spec = parse_spec_text(MINIMAL + "  budget: 1500000\n")
    assert spec.site.budget is not None
    assert spec.site.budget.amount == 1_500_000
    assert spec.site.budget.currency is None


@pytest.mark.parametrize("budget", ["12 EURO", "USD 5 EUR", "-5 USD", "lots", "true", ".nan"])
def test_bad_budget_refused_at_its_line(budget: str) -> None:
    problems = _problems(MINIMAL + f"  budget: {budget}\n")
    assert [p.path for p in problems] == ["site.budget"]
    assert problems[0].line == 8


def test_int8_training_is_refused_at_its_line() -> None:
    text = (
        "apiVersion: primeflex-iac/v1\nname: q\nworkloads:\n  - {name: q, model: resnet50, time_to_model: 8 h, precision: int8}\n"
    )
    (problem,) = _problems(text + "site: {racks: {power_per_rack: 20 kW}}\n")
    assert problem.path == "workloads[0].precision"
    assert problem.line == 4
    assert "int8 is an inference precision" in problem.message


# --- unknown keys ----------------------------------------------------------------------------


def test_unknown_keys_at_every_level_reported_together() -> None:
    text = """\
apiVersion: primeflex-iac/v1
name: typos
colour: red
compute:
  gpus: 8
  flavour: vanilla
site:
  racks:
    power_per_rack: 20 kW
    widht: 3
workloads:
  - name: a
    model: resnet50
    time_to_model: 8 h
  - name: b
    model: resnet50
    time_to_model: 8 h
    dataset:
      sampels: 10
preferences:
  software:
    shell: bash
"""
    problems = _problems(text)
    found = _by_path(problems)
    assert set(found) == {
        "colour",
        "compute.flavour",
        "site.racks.widht",
        "workloads[1].dataset.sampels",
        "preferences.software.shell",
    }
    assert found["colour"].line == 3
    assert found["compute.flavour"].line == 6
    assert found["site.racks.widht"].line == 10
    assert found["workloads[1].dataset.sampels"].line == 19
    assert found["preferences.software.shell"].line == 22
    assert all("unknown field" in p.message for p in problems)
    # reported in file order
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)


def test_unknown_key_message_names_file_line_and_path() -> None:
    with pytest.raises(SpecError) as exc:
        parse_spec_text(MINIMAL + "  colour: red\n", "my-spec.yaml")
    text = str(exc.value)
    assert text.startswith("1 problem found:")
    assert "my-spec.yaml:8:3: site.colour: unknown field" in text


# --- units and values ------------------------------------------------------------------------


def test_missing_units_reported_at_their_lines() -> None:
    text = """\
apiVersion: primeflex-iac/v1
name: no-units
workloads:
  - name: a
    model: resnet50
    time_to_model: 8
compute:
  gpus: 8
  min_gpu_memory: 32
site:
  racks:
    max: 2
    power_per_rack: 20
storage:
  capacity: 160
"""
    problems = _problems(text)
    found = _by_path(problems)
    assert set(found) == {
        "workloads[0].time_to_model",
        "compute.min_gpu_memory",
        "site.racks.power_per_rack",
        "storage.capacity",
    }
    assert found["workloads[0].time_to_model"].line == 6
    assert found["compute.min_gpu_memory"].line == 9
    assert found["site.racks.power_per_rack"].line == 13
    assert found["storage.capacity"].line == 15
    assert all("missing unit" in p.message for p in problems)
    assert "kW" in found["site.racks.power_per_rack"].message  # the example names the right unit


def test_wrong_unit_reported() -> None:
    problems = _problems(MINIMAL.replace("20 kW", "20 kWh"))
    assert [p.path for p in problems] == ["site.racks.power_per_rack"]
    assert "unknown unit 'kWh'" in problems[0].message
    assert problems[0].line == 7


def test_wrong_api_version_and_missing_site() -> None:
    text = "apiVersion: primeflex-iac/v2\nname: x\ncompute: {gpus: 1}\n"
    found = _by_path(_problems(text))
    assert "apiVersion" in found
    assert found["apiVersion"].line == 1
    assert "site" in found
    assert found["site"].message == "required field is missing"


def test_literal_values_checked() -> None:
    text = MINIMAL.replace("site:\n", "site:\n  cooling: liquid\n")
    problems = _problems(text)
    assert [p.path for p in problems] == ["site.cooling"]
    assert problems[0].line == 6


# --- cross-field rules -----------------------------------------------------------------------


def test_objective_list_with_duplicates_refused() -> None:
    problems = _problems(MINIMAL + "objective: [cost, power, cost]\n")
    assert any("objective" in p.message for p in problems)


def test_objective_list_without_duplicates_accepted() -> None:
    spec = parse_spec_text(MINIMAL + "objective: [racks, cost]\n")
    assert spec.objectives == ["racks", "cost"]


def test_unknown_objective_refused() -> None:
    problems = _problems(MINIMAL + "objective: speed\n")
    assert {p.path for p in problems} == {"objective"}
    assert all(p.line == 8 for p in problems)


def test_spec_needs_workloads_compute_or_storage() -> None:
    text = "apiVersion: primeflex-iac/v1\nname: nothing\nsite:\n  racks:\n    power_per_rack: 20 kW\n"
    problems = _problems(text)
    assert len(problems) == 1
    assert "workloads, a compute floor or storage" in problems[0].message


def test_storage_alone_is_enough() -> None:
    text = "apiVersion: primeflex-iac/v1\nname: s\nstorage: {capacity: 160 TiB}\nsite:\n  racks: {power_per_rack: 20 kW}\n"
    spec = parse_spec_text(text)
    assert spec.storage is not None and spec.storage.capacity == 160 * 2**40
    assert spec.storage.file_system == "lustre"


def test_compute_floor_needs_a_figure() -> None:
    text = MINIMAL.replace("  gpus: 8\n", "  min_gpu_memory: 32 GB\n")
    problems = _problems(text)
    assert [p.path for p in problems] == ["compute"]
    assert "gpus" in problems[0].message
    assert problems[0].line == 3


WORKLOAD_SPEC = """\
apiVersion: primeflex-iac/v1
name: custom
site:
  racks:
    power_per_rack: 20 kW
workloads:
  - name: mine
    model: custom
    dataset: {samples: 1M}
    time_to_model: 8 h
"""


def test_custom_workload_without_flops_or_parameters_refused() -> None:
    problems = _problems(WORKLOAD_SPEC)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.path == "workloads[0]"
    assert problem.line == 7
    assert "training_flops_per_sample or parameters" in problem.message


def test_custom_workload_without_samples_refused() -> None:
    text = WORKLOAD_SPEC.replace("    dataset: {samples: 1M}\n", "    parameters: 1.3B\n")
    problems = _problems(text)
    assert [p.path for p in problems] == ["workloads[0]"]
    assert "dataset" in problems[0].message


@pytest.mark.parametrize("extra", ["    parameters: 1.3B\n", "    training_flops_per_sample: 24.3 GFLOP\n"])
def test_custom_workload_with_flops_or_parameters_accepted(extra: str) -> None:
    spec = parse_spec_text(WORKLOAD_SPEC + extra)
    workload = spec.workloads[0]
    assert workload.model == "custom"
    assert workload.dataset.samples == 1_000_000
    assert workload.time_to_model == 8 * 3600
    assert workload.parameters in (None, 1_300_000_000)


def test_duplicate_workload_names_refused() -> None:
    text = WORKLOAD_SPEC + "    parameters: 1M\n" + "  - {name: mine, model: resnet50, time_to_model: 2 h}\n"
    problems = _problems(text)
    assert any("unique" in p.message for p in problems)


def test_zero_time_to_model_refused() -> None:
    text = WORKLOAD_SPEC.replace("8 h", "0 h") + "    parameters: 1M\n"
    problems = _problems(text)
    assert [p.path for p in problems] == ["workloads[0]"]
    assert "positive" in problems[0].message


# --- files -----------------------------------------------------------------------------------


def test_spec_files_exist() -> None:
    assert len(SPEC_FILES) >= 10, SPEC_FILES


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: str(p.relative_to(ROOT / "specs")))
def test_every_spec_file_loads(path: Path) -> None:
    spec = load_spec(path)
    assert spec.apiVersion == "primeflex-iac/v1"
    assert spec.name
    assert spec.workloads or spec.compute is not None or spec.storage is not None


def test_load_spec_locates_problems_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(MINIMAL + "  budget: lots\nsolver:\n  workers: 0\n", encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        load_spec(path)
    found = _by_path(exc.value.problems)
    assert set(found) == {"site.budget", "solver.workers"}
    assert found["site.budget"].line == 8
    assert found["solver.workers"].line == 10
    assert all(p.file == str(path) for p in exc.value.problems)


def test_loaded_spec_locates_later_problems(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    spec = load_spec(path)
    problem = spec.problem(("site", "racks", "power_per_rack"), "too little")
    assert (problem.file, problem.line, problem.path) == (str(path), 7, "site.racks.power_per_rack")


def test_spec_is_frozen() -> None:
    spec = parse_spec_text(MINIMAL)
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError on a frozen model
        spec.name = "other"  # type: ignore[misc]
