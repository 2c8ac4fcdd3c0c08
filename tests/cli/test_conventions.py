"""Command-line conventions: `python -m primeflex_iac`, `-` for standard input, --quiet, shell completion, py.typed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.conftest import ROOT, SPECS

if TYPE_CHECKING:
    from pathlib import Path


def _primeflex(*argv: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "primeflex_iac", *argv], input=stdin, capture_output=True, text=True, cwd=cwd, check=False
    )


def test_python_dash_m_runs_the_command_line() -> None:
    result = _primeflex("--version")
    assert result.returncode == 0 and result.stdout.startswith("primeflex-iac ")


def test_a_spec_from_standard_input(tmp_path: Path) -> None:
    text = (SPECS / "reference" / "sample-small-air.yaml").read_text()
    result = _primeflex("validate", "-", stdin=text)
    assert result.returncode == 0 and result.stdout.startswith("-: valid"), result.stderr
    broken = _primeflex("validate", "-", stdin=text.replace("power_per_rack", "power_per_rak"))
    assert broken.returncode == 2 and "<stdin>:" in broken.stderr
    solved = _primeflex("solve", "-", "--no-render", stdin=text, cwd=tmp_path)
    assert solved.returncode == 0, solved.stderr
    assert (tmp_path / "out" / "stdin" / "plan.json").is_file()


def test_quiet_prints_nothing_on_success(tmp_path: Path) -> None:
    result = _primeflex("--quiet", "solve", str(SPECS / "customer.yaml"), "-o", str(tmp_path / "out"), "--no-render")
    assert result.returncode == 0 and result.stdout == "", result.stdout
    assert (tmp_path / "out" / "plan.json").is_file()
    failed = _primeflex("-q", "validate", str(tmp_path / "missing.yaml"))
    assert failed.returncode == 2 and "no such file" in failed.stderr


@pytest.mark.needs_tool
@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_bash_completion_completes_commands_options_and_choices(tmp_path: Path) -> None:
    script = tmp_path / "primeflex.bash"
    script.write_text(_primeflex("completion", "bash").stdout)

    def complete(*words: str) -> list[str]:
        array = " ".join(f"'{w}'" for w in ("primeflex", *words))
        probe = f'source {script}; COMP_WORDS=({array}); COMP_CWORD={len(words)}; _primeflex; printf "%s\\n" "${{COMPREPLY[@]}}"'
        return subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout.split()

    assert complete("so") == ["solve"]
    assert "--time-limit" in complete("solve", "--t")
    assert complete("export", "plan.json", "--to", "") == ["all", "slurm", "netbox", "ansible"]
    assert complete("completion", "") == ["bash", "zsh"] or {"bash", "zsh"} <= set(complete("completion", ""))


def test_the_package_is_typed() -> None:
    assert (ROOT / "primeflex_iac" / "py.typed").is_file()
