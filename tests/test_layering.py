"""The package's one-way data flow is enforced, not just drawn: an upward import fails `make lint`.

The contracts live in pyproject.toml ([tool.importlinter]); `make lint` runs `lint-imports`. These
tests run it on the real tree and on a copy with one deliberate upward import.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (pip install -e '.[test]')")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "primeflex_iac", tree / "primeflex_iac", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_tree_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    units = tree / "primeflex_iac" / "common" / "units.py"
    units.write_text(units.read_text() + "\nimport primeflex_iac.cli.main  # upward, on purpose\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "primeflex_iac.common is not allowed to import primeflex_iac.cli" in result.stdout


def test_a_renderer_reaching_the_solver_is_refused(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    bom = tree / "primeflex_iac" / "render" / "bom.py"
    bom.write_text(bom.read_text() + "\nimport primeflex_iac.solver.run  # a renderer must not know the solver\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "primeflex_iac.render is not allowed to import primeflex_iac.solver" in result.stdout
