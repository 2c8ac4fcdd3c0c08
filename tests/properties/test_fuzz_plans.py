"""Hostile plan files and plain YAML values, generated: `render` and `export` answer 0 or 2, never a traceback.

A plan.json is an input too: people edit it, and tools write it. Each example takes a solved plan,
changes one to three of its values (to zero, a negative, a huge or non-finite number, text, a
wrong type), removes a field, empties or repeats a list, then runs `primeflex render` and
`primeflex export --to all` on it through ``main()``. The second property writes hostile plain
(unquoted) values into a spec's text, where YAML's own typing decides what they become.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from primeflex_iac.cli.main import main
from tests.conftest import SPECS, examples
from tests.properties.test_fuzz import _paths

pytestmark = pytest.mark.slow

HOSTILE_JSON = st.one_of(
    st.sampled_from([0, -1, 1, 2, 3, 4, 10**9, 10**18, 10**40, 1e300, -1e300, 0.5, "", "x" * 20_000, None, True, [], {}]),
    st.sampled_from(["<script>alert(1)</script>", "a\nSlurmctldHost=evil", "=HYPERLINK(1)", "leaf01", "spine01", "cn001"]),
    st.sampled_from(["Infinity", "NaN", "-Infinity"]).map(lambda t: _Raw(t)),
    st.integers(min_value=-(10**6), max_value=10**6),
)


class _Raw:
    """A JSON token written as it is (``Infinity`` and ``NaN``, which Python's json reads and writes)."""

    def __init__(self, token: str) -> None:
        self.value = float(token.replace("Infinity", "inf"))


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


@cache
def _base_plans() -> dict[str, dict[str, Any]]:
    """Plans to start from: servers, sleds in a chassis, and storage alone."""
    plans = {}
    for spec in (
        SPECS / "customer.yaml",
        SPECS / "reference" / "sample-large-water.yaml",
        SPECS / "reference" / "storage-medium.yaml",
    ):
        with tempfile.TemporaryDirectory() as folder:
            code, err = _run(["solve", str(spec), "-o", folder, "--no-render"])
            assert code == 0, err
            plans[spec.stem] = json.loads((Path(folder) / "plan.json").read_text())
    return plans


@st.composite
def mutated_plans(draw: Any) -> str:
    plans = _base_plans()
    data = copy.deepcopy(plans[draw(st.sampled_from(sorted(plans)))])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "empty", "repeat"]))
        value = parent[path[-1]]
        if action == "delete":
            del parent[path[-1]]
        elif action == "empty" and isinstance(value, (list, dict)):
            parent[path[-1]] = type(value)()
        elif action == "repeat" and isinstance(value, list) and value:
            value.append(copy.deepcopy(value[-1]))
        else:
            replacement = draw(HOSTILE_JSON)
            parent[path[-1]] = replacement.value if isinstance(replacement, _Raw) else replacement
    return json.dumps(data, indent=1)


@settings(max_examples=examples(60))
@given(mutated_plans())
def test_hand_edited_plans_are_drawn_or_refused(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        plan = Path(folder) / "in" / "plan.json"
        plan.parent.mkdir()
        plan.write_text(text)
        for argv in (
            ["render", str(plan), "-o", str(Path(folder) / "drawn")],
            ["export", str(plan), "--to", "all", "-o", str(Path(folder) / "exported")],
        ):
            code, err = _run(argv)
            assert code in {0, 2}, err
            assert "Traceback" not in err and "internal error" not in err, err


PLAIN_VALUES = [
    "0x5A",
    "0o132",
    "1:30",
    "010",
    "2019-02-30",
    "2019-13-01",
    ".inf",
    "-.inf",
    ".nan",
    "9" * 5000,
    "1e400",
    "2,5 d",
    "1,5 PiB",
    "yes",
    "~",
    "!!binary aGk=",
    "!!python/object:os.system x",
    "!!timestamp 2019-02-30",
    "!!int 0x10",
    "!!float .inf",
    "&a [*a]",
    "[[[[[[[[[[",
]


@st.composite
def plain_value_specs(draw: Any) -> bytes:
    """A reference spec with one value's text replaced, unquoted, by a value YAML itself types."""
    source = draw(st.sampled_from([SPECS / "customer.yaml", *sorted((SPECS / "reference").glob("*.yaml"))]))
    lines = source.read_text().splitlines()
    candidates = [
        i for i, line in enumerate(lines) if ":" in line and not line.lstrip().startswith("#") and line.split(":", 1)[1].strip()
    ]
    index = draw(st.sampled_from(candidates))
    key = lines[index].split(":", 1)[0]
    lines[index] = f"{key}: {draw(st.sampled_from(PLAIN_VALUES))}"
    return ("\n".join(lines) + "\n").encode("utf-8")


@settings(max_examples=examples(120))
@given(plain_value_specs())
def test_plain_values_of_every_yaml_type(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "spec.yaml"
        spec.write_bytes(content)
        code, err = _run(["validate", str(spec)])
        assert code in {0, 2}, err
        assert "Traceback" not in err and "internal error" not in err, err
