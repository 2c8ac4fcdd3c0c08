"""Hostile input, generated: whatever a spec or overlay holds, the CLI answers 0, 2 or 3, never a traceback.

Each example runs `primeflex validate` and, where it gets that far, `primeflex solve` in-process
through ``main()``. Inputs: arbitrary text and bytes, arbitrary YAML data, and valid specs and
overlays with one field replaced by a hostile value, removed, or joined by an unknown one. The
examples are derandomized (the "ci" profile in conftest.py), so every run tries the same ones.
"""

from __future__ import annotations

import contextlib
import copy
import io
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from primeflex_iac.cli.main import main
from tests.conftest import SPECS, examples

pytestmark = pytest.mark.slow  # every test here runs many generated examples (CI runs them)

ALLOWED_EXITS = {0, 2, 3}
SOLVE_FLAGS = ["--no-render", "--time-limit", "10"]


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _assert_clean(code: int, err: str) -> None:
    assert code in ALLOWED_EXITS, err
    assert "Traceback" not in err and "internal error" not in err, err


def _check_file(content: bytes, overlay: bytes | None = None, solve: bool = True) -> int:
    """Validate (and solve, if valid) a spec file holding ``content``; returns validate's exit code."""
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "spec.yaml"
        spec.write_bytes(content)
        extra = []
        if overlay is not None:
            (Path(folder) / "overlay.yaml").write_bytes(overlay)
            extra = ["--catalog-overlay", str(Path(folder) / "overlay.yaml")]
        code, _out, err = _run(["validate", str(spec), *extra])
        _assert_clean(code, err)
        json_code, out, err = _run(["validate", str(spec), *extra, "--json"])
        _assert_clean(json_code, err)
        assert json_code == code and out.lstrip().startswith("{")
        if code == 0 and solve:
            solved, _out, err = _run(["solve", str(spec), *extra, "-o", str(Path(folder) / "out"), *SOLVE_FLAGS])
            _assert_clean(solved, err)
        return code


# ---------------------------------------------------------------------------------------------
# values a hostile spec might hold

HOSTILE_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "8 h",
            "0 s",
            "-1 h",
            "1e999 h",
            "1e308 W",
            "nan kW",
            "inf GB",
            "20 kW",
            "1.5M USD",
            "0 USD",
            "-5 TB",
            "10 PiB",
            "1e30 GB/s",
            "42U",
            "0U",
            "2019-06",
            "2019-13",
            "9999-12",
            "",
            " ",
            "\x00",
            "cn###",
            "time",
            "custom",
            "resnet50",
            "v100-sxm2-32gb",
            "ib-hdr",
            "air",
            "water",
            "any",
            "cost",
            "NaN",
            "0x10",
        ]
    ),
)
# values of the right shape but any size, so that many mutated specs still validate and get solved
PLAUSIBLE = st.one_of(
    st.integers(min_value=1, max_value=5000),
    st.builds(
        lambda number, unit: f"{number:g} {unit}",
        st.floats(min_value=0.01, max_value=1e6, allow_nan=False),
        st.sampled_from(["h", "min", "d", "s", "kW", "W", "MW", "TB", "TiB", "PB", "GB", "GB/s", "Gb/s", "USD", "M USD"]),
    ),
    st.sampled_from(["air", "water", "any", "lustre", "beegfs", "cost", "power", "racks", "rack_units", "fp16", "int8"]),
)
YAML_DATA = st.recursive(
    HOSTILE_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from(["apiVersion", "name", "site", "racks", "compute", "gpus", "workloads", "storage"]),
                st.text(max_size=8),
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=20,
)


def _dump(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested dicts and lists."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _mutate(data: Any, draw: Any) -> Any:
    data = copy.deepcopy(data)
    paths = _paths(data)
    path = draw(st.sampled_from(paths))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add"]))
    if action == "replace":
        parent[path[-1]] = draw(st.one_of(PLAUSIBLE, PLAUSIBLE, YAML_DATA))
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=10))] = draw(HOSTILE_SCALARS)
    return data


SPEC_FILES = sorted([*(SPECS / "reference").glob("*.yaml"), SPECS / "customer.yaml"])
SPEC_DATA = {path.name: yaml.safe_load(path.read_text()) for path in SPEC_FILES}


@st.composite
def mutated_specs(draw: Any) -> bytes:
    name = draw(st.sampled_from(sorted(SPEC_DATA)))
    data = SPEC_DATA[name]
    for _ in range(draw(st.integers(1, 2))):
        data = _mutate(data, draw)
    return _dump(data)


def _numeric_leaves(data: Any) -> list[tuple[Any, ...]]:
    found = []
    for path in _paths(data):
        value = data
        for part in path:
            value = value[part]
        if path[-1] == "height":
            continue
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        quantity = isinstance(value, str) and re.fullmatch(r"[\d.,]+\s*[A-Za-z/]+", value) is not None
        if number or (quantity and not re.fullmatch(r"\d{4}-\d{2}", value)):
            found.append(path)
    return found


@st.composite
def tweaked_specs(draw: Any) -> bytes:
    """A reference spec with its numbers moved anywhere from tiny to huge, units kept: mostly valid."""
    data = copy.deepcopy(SPEC_DATA[draw(st.sampled_from(sorted(SPEC_DATA)))])
    leaves = _numeric_leaves(data)
    for path in draw(st.lists(st.sampled_from(leaves), min_size=1, max_size=3, unique=True)):
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        value = parent[path[-1]]
        factor = draw(st.sampled_from([0.0, 1e-6, 0.01, 0.1, 0.5, 0.9, 1.1, 2.0, 10.0, 1e3, 1e6, 1e12]))
        if isinstance(value, str):
            match = re.fullmatch(r"([\d.,]+)\s*(.+)", value)
            assert match is not None
            parent[path[-1]] = f"{float(match[1].replace(',', '')) * factor:g} {match[2]}"
        else:
            parent[path[-1]] = round(value * factor) if isinstance(value, int) else value * factor
    return _dump(data)


OVERLAY = {
    "apiVersion": "primeflex-iac/v1",
    "kind": "CatalogOverlay",
    "source": "ACME quote 42",
    "currency": {"code": "EUR", "per_catalog_unit": 0.9},
    "gpus": {"v100-pcie-32gb": {"price": 7800}},
    "servers": {"rx2540-m5": {"price": 6900, "base_power_max_w": 480, "sources": {"base_power_max_w": "iRMC reading"}}},
    "racks": {"rack-42u": {"price": 1500}},
}


@st.composite
def mutated_overlays(draw: Any) -> bytes:
    data = OVERLAY
    for _ in range(draw(st.integers(1, 3))):
        data = _mutate(data, draw)
    return _dump(data)


# ---------------------------------------------------------------------------------------------
# the properties


@settings(max_examples=examples(150))
@given(st.text(max_size=400))
def test_any_text_as_a_spec(text: str) -> None:
    _check_file(text.encode("utf-8"))


@settings(max_examples=examples(80))
@given(st.binary(max_size=300))
def test_any_bytes_as_a_spec(content: bytes) -> None:
    _check_file(content)


@settings(max_examples=examples(150))
@given(YAML_DATA)
def test_any_yaml_data_as_a_spec(data: Any) -> None:
    _check_file(_dump(data))


@settings(max_examples=examples(100))
@given(mutated_specs())
def test_valid_specs_with_hostile_fields(content: bytes) -> None:
    _check_file(content)


@settings(max_examples=examples(60))
@given(tweaked_specs())
def test_valid_specs_with_extreme_numbers(content: bytes) -> None:
    _check_file(content)


@settings(max_examples=examples(80))
@given(mutated_overlays())
def test_overlays_with_hostile_fields(overlay: bytes) -> None:
    spec = (SPECS / "reference" / "sample-small-air.yaml").read_bytes()
    _check_file(spec, overlay)


@settings(max_examples=examples(50))
@given(st.one_of(st.text(max_size=300).map(lambda t: t.encode("utf-8")), st.binary(max_size=200), YAML_DATA.map(_dump)))
def test_any_content_as_an_overlay(overlay: bytes) -> None:
    spec = (SPECS / "reference" / "storage-small.yaml").read_bytes()
    assert _check_file(spec, overlay, solve=False) in {0, 2}


def test_the_mutation_pool_reaches_solving() -> None:
    """The properties above are only worth something if some examples get past validation."""
    assert _check_file(_dump(SPEC_DATA["sample-small-air.yaml"])) == 0
    assert _check_file(_dump(SPEC_DATA["sample-small-air.yaml"]), _dump(OVERLAY)) == 0
