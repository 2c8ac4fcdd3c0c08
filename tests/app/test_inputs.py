"""Errors at the line: every problem of a spec and its overlays at once, for people and as JSON for tools."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from primeflex_iac.cli.main import main
from tests.conftest import SPECS

GOOD = (SPECS / "reference" / "sample-small-air.yaml").read_text()
HEAD = "apiVersion: primeflex-iac/v1\nname: t\n"
SITE = "site: {racks: {power_per_rack: 20 kW}}\n"


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _validate_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main(["validate", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_validate_a_good_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _write(tmp_path, "good.yaml", GOOD)
    assert main(["validate", str(spec)]) == 0
    assert "valid" in capsys.readouterr().out
    code, document = _validate_json(capsys, str(spec))
    assert code == 0 and document == {"valid": True, "problems": []}


def test_spec_and_overlay_problems_are_reported_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _write(
        tmp_path,
        "bad.yaml",
        HEAD + "compute: {gpus: 0, colour: red}\nsite:\n  cooling: liquid\n  racks: {power_per_rack: 20}\n",
    )
    overlay = _write(
        tmp_path,
        "prices.yaml",
        "apiVersion: primeflex-iac/v1\nkind: CatalogOverlay\ncurrency: {code: euro, per_catalog_unit: 0.9}\n"
        "gpus:\n  v100-pcie-32gb: {price: cheap}\n",
    )
    code, document = _validate_json(capsys, str(spec), "--catalog-overlay", str(overlay))
    assert code == 2 and document["valid"] is False
    problems = document["problems"]
    assert isinstance(problems, list)
    where = {(p["file"], p["line"], p["path"]) for p in problems}
    assert (str(spec), 3, "compute.gpus") in where
    assert (str(spec), 3, "compute.colour") in where
    assert (str(spec), 5, "site.cooling") in where
    assert (str(spec), 6, "site.racks.power_per_rack") in where
    # the overlay's outer problem and its item's problem, both, though the outer one stops the overlay
    assert (str(overlay), 3, "currency.code") in where
    assert (str(overlay), 5, "gpus.v100-pcie-32gb.price") in where
    for problem in problems:
        assert set(problem) == {"file", "line", "column", "path", "message"}
        assert isinstance(problem["column"], int)


def test_solve_json_prints_diagnostics_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _write(tmp_path, "bad.yaml", HEAD + "compute: {gpus: 8}\nsite: {racks: {power_per_rack: lots}}\n")
    assert main(["solve", str(spec), "--json", "-o", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["valid"] is False and document["problems"][0]["line"] == 4
    assert "bad.yaml:4" in captured.err  # and for people, on stderr


def test_unknown_ids_are_located_and_listed_with_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _write(tmp_path, "ids.yaml", HEAD + "compute: {gpus: 8}\n" + SITE + "preferences:\n  gpus: [v100, t4]\n")
    code, document = _validate_json(capsys, str(spec))
    assert code == 2
    (problem,) = document["problems"]  # type: ignore[misc]
    assert problem["line"] == 6 and problem["path"] == "preferences.gpus[0]"
    assert "unknown GPU id 'v100'" in problem["message"] and "v100-pcie-32gb" in problem["message"]


# Each message says what was expected and what was found.
MESSAGES = [
    ("compute: {gpus: 8, gpu: 4}\n" + SITE, "compute.gpu", ["unknown field 'gpu'", "did you mean 'gpus'", "expected one of"]),
    (
        "compute: {gpus: 8}\nsite: {racks: {max: 2}}\n",
        "site.racks.power_per_rack",
        ["required field is missing", "expected power"],
    ),
    ("compute: {gpus: 8}\n" + SITE + "preferences: {as_of: June}\n", "preferences.as_of", ["expected a month", "'June'"]),
    ("compute: {gpus: 8}\nsite: {racks: {power_per_rack: 20 kWh}}\n", "site.racks.power_per_rack", ["unknown unit", "'20 kWh'"]),
    ("compute: {gpus: 8}\nsite: {racks: {power_per_rack: 20}}\n", "site.racks.power_per_rack", ["missing unit", "found 20"]),
    ("compute: {gpus: eight}\n" + SITE, "compute.gpus", ["valid integer", "'eight'"]),
    ("compute: {gpus: 8}\n" + SITE + "objective: [cost, speed]\n", "objective[1]", ["'cost'", "'speed'"]),
    ("compute: {gpus: 8}\n" + SITE + "objective: []\n", "objective", ["at least one objective"]),
    ("compute: {gpus: 8}\nsite: {racks: {power_per_rack: .nan}}\n", "site.racks.power_per_rack", ["finite", "nan"]),
    ("compute: {gpus: 8}\nsite: {racks: {power_per_rack: 1e400 kW}}\n", "site.racks.power_per_rack", ["1e400"]),
    ("compute: [8]\n" + SITE, "compute", ["found a list"]),
]


@pytest.mark.parametrize(("text", "path", "phrases"), MESSAGES, ids=[m[1] + str(i) for i, m in enumerate(MESSAGES)])
def test_messages_say_what_was_expected_and_found(
    text: str, path: str, phrases: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, "s.yaml", HEAD + text)
    code, document = _validate_json(capsys, str(spec))
    assert code == 2
    problems = [p for p in document["problems"] if p["path"] == path]  # type: ignore[union-attr]
    assert problems, document
    message = problems[0]["message"]
    for phrase in phrases:
        assert phrase in message, message
    assert problems[0]["line"] is not None


# Hostile files: each refused quickly with a clear message, as a spec and as an overlay.
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)
HOSTILE = [
    ("alias bomb", BOMB, "too large once aliases are expanded"),
    ("deep nesting", "a: " + "[" * 500 + "]" * 500 + "\n", "nested too deeply"),
    ("deep mappings", "".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "v\n", "nested too deeply"),
    ("non-UTF-8", b"apiVersion: primeflex-iac/v1\nname: \xff\xfe\n", "not UTF-8 text"),
    ("empty", "", "the file is empty"),
    ("only a comment", "# nothing\n", "the file is empty"),
    ("several documents", GOOD + "---\n" + GOOD, "several YAML documents"),
    ("a list", "- 1\n- 2\n", "expected a YAML mapping at the top"),
    ("malformed", "a: [1, 2\n", "malformed YAML"),
    ("huge number", HEAD + "compute: {gpus: 1" + "0" * 400 + "}\n" + SITE, "number too long (401 digits"),
    ("infinity", HEAD + "compute: {tensor_tflops: .inf}\n" + SITE, "compute.tensor_tflops"),
]


@pytest.mark.parametrize(("content", "phrase"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
@pytest.mark.slow
def test_hostile_files_are_refused_quickly_and_clearly(
    content: str | bytes, phrase: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "hostile.yaml", content)
    good = _write(tmp_path, "good.yaml", GOOD)
    started = time.monotonic()
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert phrase in err and str(path) in err and "Traceback" not in err
    assert main(["validate", str(good), "--catalog-overlay", str(path)]) == 2  # the same as an overlay
    err = capsys.readouterr().err
    assert phrase in err or "apiVersion" in err  # an overlay that parses but is no overlay says so
    assert time.monotonic() - started < 5


def test_a_directory_or_missing_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path)]) == 2
    assert "is a directory; expected a YAML file" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "nowhere.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err
    good = _write(tmp_path, "good.yaml", GOOD)
    assert main(["solve", str(good), "--catalog-overlay", str(tmp_path), "-o", str(tmp_path / "out")]) == 2
    assert "is a directory" in capsys.readouterr().err
