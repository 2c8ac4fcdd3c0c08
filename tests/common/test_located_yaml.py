"""Safe YAML reading: every failure is a SpecError naming the file, with a line where there is one."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from primeflex_iac.common.located_yaml import format_path, load_yaml, parse_yaml_text
from primeflex_iac.errors import Problem, SpecError


def _only_problem(exc: pytest.ExceptionInfo[SpecError]) -> Problem:
    assert len(exc.value.problems) == 1, exc.value.problems
    return exc.value.problems[0]


def _billion_laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "\n".join(lines) + "\n"


def _nested_lists(depth: int) -> str:
    return "x: " + "[" * depth + "1" + "]" * depth + "\n"


# --- parse_yaml_text -------------------------------------------------------------------------


def test_plain_mapping_parses() -> None:
    document = parse_yaml_text("a: 1\nb:\n  c: [x, y]\n", "t.yaml")
    assert document.file == "t.yaml"
    assert document.data == {"a": 1, "b": {"c": ["x", "y"]}}


def test_malformed_yaml_has_line_number() -> None:
    with pytest.raises(SpecError) as exc:
        parse_yaml_text("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml")
    problem = _only_problem(exc)
    assert problem.file == "bad.yaml"
    assert problem.line == 3
    assert problem.column is not None
    assert "malformed YAML" in problem.message
    assert str(problem).startswith("bad.yaml:3:")


def test_bad_indentation_has_line_number() -> None:
    with pytest.raises(SpecError) as exc:
        parse_yaml_text("a:\n  b: 1\n c: 2\n", "bad.yaml")
    problem = _only_problem(exc)
    assert problem.line == 3
    assert "malformed YAML" in problem.message


def test_duplicate_keys_refused() -> None:
    with pytest.raises(SpecError) as exc:
        parse_yaml_text("site:\n  cooling: air\n  cooling: water\n", "dup.yaml")
    problem = _only_problem(exc)
    assert "duplicate key 'cooling'" in problem.message
    assert problem.line == 3


def test_duplicate_top_level_keys_refused() -> None:
    with pytest.raises(SpecError, match="duplicate key 'name'"):
        parse_yaml_text("name: a\nkind: x\nname: b\n", "dup.yaml")


def test_duplicate_key_as_number_and_text_refused() -> None:
    # 1 and '1' become the same text key; the second must not silently replace the first
    with pytest.raises(SpecError, match="duplicate key"):
        parse_yaml_text("1: a\n'1': b\n", "dup.yaml")


def test_several_documents_refused() -> None:
    with pytest.raises(SpecError) as exc:
        parse_yaml_text("a: 1\n---\nb: 2\n", "multi.yaml")
    problem = _only_problem(exc)
    assert "several YAML documents" in problem.message
    assert problem.line == 3


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_text_refused(text: str) -> None:
    with pytest.raises(SpecError, match="empty"):
        parse_yaml_text(text, "empty.yaml")


@pytest.mark.parametrize(("text", "found"), [("- 1\n- 2\n", "list"), ("just text\n", "str"), ("null\n", "NoneType")])
def test_top_level_must_be_mapping(text: str, found: str) -> None:
    with pytest.raises(SpecError, match=f"expected a YAML mapping at the top, found {found}"):
        parse_yaml_text(text, "top.yaml")


def test_merge_keys_refused() -> None:
    with pytest.raises(SpecError, match="merge keys"):
        parse_yaml_text("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", "merge.yaml")


def test_non_text_keys_refused() -> None:
    with pytest.raises(SpecError):
        parse_yaml_text("? [1, 2]\n: 3\n", "keys.yaml")
    with pytest.raises(SpecError, match="keys must be text"):
        parse_yaml_text("true: 3\n", "keys.yaml")


def test_billion_laughs_refused_quickly() -> None:
    text = _billion_laughs()
    assert len(text) < 1000
    start = time.perf_counter()
    with pytest.raises(SpecError) as exc:
        parse_yaml_text(text, "lol.yaml")
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    problem = _only_problem(exc)
    assert "too large" in problem.message
    assert problem.file == "lol.yaml"


def test_moderate_aliases_still_allowed() -> None:
    document = parse_yaml_text("a: &a [1, 2, 3]\nb: *a\nc: *a\n", "alias.yaml")
    assert document.data == {"a": [1, 2, 3], "b": [1, 2, 3], "c": [1, 2, 3]}


def test_deep_nesting_refused() -> None:
    with pytest.raises(SpecError) as exc:
        parse_yaml_text(_nested_lists(200), "deep.yaml")
    problem = _only_problem(exc)
    assert "nested too deeply" in problem.message
    assert problem.line == 1


def test_nesting_within_limit_allowed() -> None:
    document = parse_yaml_text(_nested_lists(30), "ok.yaml")
    value = document.data["x"]
    for _ in range(30):
        assert isinstance(value, list) and len(value) == 1
        value = value[0]
    assert value == 1


@pytest.mark.slow
def test_very_deep_nesting_refused_as_spec_error() -> None:
    with pytest.raises(SpecError, match="nested too deeply"):
        parse_yaml_text(_nested_lists(1000), "deeper.yaml")


def test_locations_map_paths_to_lines() -> None:
    text = (
        "apiVersion: v1\n"  # 1
        "site:\n"  # 2
        "  cooling: air\n"  # 3
        "  racks:\n"  # 4
        "    max: 8\n"  # 5
        "\n"  # 6
        "    power_per_rack: 20 kW\n"  # 7
        "workloads:\n"  # 8
        "  - name: a\n"  # 9
        "    model: resnet50\n"  # 10
        "  - name: b\n"  # 11
        "    model: bert-large\n"  # 12
    )
    document = parse_yaml_text(text, "loc.yaml")
    assert document.locations[("apiVersion",)][0] == 1
    assert document.locations[("site",)][0] == 2
    assert document.locations[("site", "cooling")] == (3, 3)
    assert document.locations[("site", "racks", "max")] == (5, 5)
    assert document.locations[("site", "racks", "power_per_rack")] == (7, 5)
    assert document.locations[("workloads", 0)][0] == 9
    assert document.locations[("workloads", 1, "model")] == (12, 5)
    # locate falls back to the nearest located ancestor
    assert document.locate(("site", "racks", "no_such_field")) == (4, 3)
    assert document.locate(("workloads", 1, "model", "deeper")) == (12, 5)
    problem = document.problem(("workloads", 1, "model"), "bad model")
    assert (problem.file, problem.line, problem.column) == ("loc.yaml", 12, 5)
    assert problem.path == "workloads[1].model"


def test_format_path() -> None:
    assert format_path(("site", "racks", "max")) == "site.racks.max"
    assert format_path(("workloads", 0, "name")) == "workloads[0].name"
    assert format_path((0, 1)) == "[0][1]"
    assert format_path(()) == ""


# --- load_yaml -------------------------------------------------------------------------------


def test_load_yaml_reads_file(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("name: x\nsize: 150 GB\n", encoding="utf-8")
    document = load_yaml(path)
    assert document.data == {"name": "x", "size": "150 GB"}
    assert document.file == str(path)
    assert document.locations[("size",)] == (2, 1)


def test_load_yaml_accepts_utf8_text(tmp_path: Path) -> None:
    path = tmp_path / "utf8.yaml"
    path.write_text("name: Rechenzentrum Süd – Halle 3\n", encoding="utf-8")
    assert load_yaml(path).data["name"] == "Rechenzentrum Süd – Halle 3"


def test_load_yaml_non_utf8_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nname: Süd\n".encode("latin-1"))
    with pytest.raises(SpecError) as exc:
        load_yaml(path)
    problem = _only_problem(exc)
    assert problem.file == str(path)
    assert "UTF-8" in problem.message
    assert "0xfc" in problem.message
    assert problem.line == 2


def test_load_yaml_directory_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as exc:
        load_yaml(tmp_path)
    problem = _only_problem(exc)
    assert problem.file == str(tmp_path)
    assert "directory" in problem.message


def test_load_yaml_missing_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(SpecError) as exc:
        load_yaml(path)
    problem = _only_problem(exc)
    assert problem.file == str(path)
    assert "no such file" in problem.message


def test_load_yaml_empty_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_bytes(b"")
    with pytest.raises(SpecError, match="empty") as exc:
        load_yaml(path)
    assert _only_problem(exc).file == str(path)


def test_load_yaml_malformed_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: 1\nb: {c: 2\n", encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        load_yaml(path)
    problem = _only_problem(exc)
    assert problem.file == str(path)
    assert problem.line is not None and problem.line >= 2


def test_load_yaml_too_large_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: '" + "x" * (5 * 1024 * 1024) + "'\n", encoding="utf-8")
    with pytest.raises(SpecError, match="too large"):
        load_yaml(path)


def test_load_yaml_billion_laughs_file(tmp_path: Path) -> None:
    path = tmp_path / "lol.yaml"
    path.write_text(_billion_laughs(), encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(SpecError, match="too large"):
        load_yaml(path)
    assert time.perf_counter() - start < 1.0


def test_spec_error_message_lists_every_problem() -> None:
    error = SpecError([Problem("f.yaml", 3, 5, "site.racks", "bad"), Problem("f.yaml", None, None, "", "worse")])
    text = str(error)
    assert text.startswith("2 problems found:")
    assert "f.yaml:3:5: site.racks: bad" in text
    assert "f.yaml: worse" in text
