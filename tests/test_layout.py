"""The layout stays one a newcomer can read: a shallow import graph, small modules, names that say what.

Depth counts modules on the longest chain of imports that run (imports under ``if TYPE_CHECKING:``
are only for the type checker and do not count; imports inside functions do).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from .conftest import ROOT

grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter (pip install -e '.[test]')")

MAX_DEPTH = 9
MAX_LINES = 400


def longest_import_chain(package: str) -> tuple[str, ...]:
    """The longest chain of modules of ``package`` each importing the next, at run time."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)

    @functools.cache
    def chain(module: str) -> tuple[str, ...]:
        best: tuple[str, ...] = (module,)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported.split(".")[0] == package:
                longer = (module, *chain(imported))
                if len(longer) > len(best):
                    best = longer
        return best

    return max((chain(m) for m in sorted(graph.modules)), key=len)


def test_the_deepest_import_chain_is_short() -> None:
    deepest = longest_import_chain("primeflex_iac")
    assert len(deepest) <= MAX_DEPTH, " -> ".join(deepest)


def test_a_deep_chain_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "deep_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for level in range(MAX_DEPTH + 1):
        below = f"import deep_pkg.m{level + 1}\n" if level < MAX_DEPTH else ""
        (package / f"m{level}.py").write_text(below)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert len(longest_import_chain("deep_pkg")) == MAX_DEPTH + 1


def test_no_module_is_long() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in sorted((ROOT / "primeflex_iac").rglob("*.py"))
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, long


def test_files_are_named_after_what_they_hold_not_when_they_were_written() -> None:
    named_after_issues = [
        str(p.relative_to(ROOT)) for folder in ("primeflex_iac", "tests") for p in (ROOT / folder).rglob("*issue*")
    ]
    assert not named_after_issues, named_after_issues
