"""The command line loads only the named command: `--version`, `validate` and `render` never load OR-Tools.

Start-up times are measured by benchmarks/startup_times.py; these tests hold what makes them
short, and that the one-line help main() lists for each command is the command's own.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from primeflex_iac.cli.main import COMMANDS
from tests.conftest import SPECS


def test_each_command_line_in_the_top_help_is_the_commands_own() -> None:
    for name, summary in COMMANDS.items():
        commands = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"primeflex_iac.cli.commands.{name}").add_parser(commands)
        assert commands._choices_actions[0].help == summary, name


PROBE = """
import sys
from primeflex_iac.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:  # --version and --help
    pass
print("LOADED" if any(m.startswith("ortools") for m in sys.modules) else "LEAN", file=sys.stderr)
"""


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["validate", str(SPECS / "customer.yaml")], ["schema", "--plan"]])
def test_commands_that_do_not_solve_do_not_load_the_solver(argv: list[str]) -> None:
    result = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=False)
    assert result.stderr.strip().endswith("LEAN"), result.stderr


def test_help_lists_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "primeflex_iac.cli.main", "--help"], capture_output=True, text=True, check=True
    )
    for name in COMMANDS:
        assert name in result.stdout
