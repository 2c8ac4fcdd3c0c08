"""Every option more than one command takes, defined once with one help text (as pip's cmdoptions).

Each function adds its option to a command's parser; a command lists the ones it takes in the
order its --help shows them. Options only one command takes live in that command's module.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from primeflex_iac.app.inputs import solve_options_for

if TYPE_CHECKING:
    import argparse

    from primeflex_iac.solver.options import SolveOptions
    from primeflex_iac.spec.model import Spec

__all__ = [
    "catalog_overlay",
    "force",
    "json_output",
    "output",
    "pdf",
    "plan_file",
    "seed",
    "solve_options",
    "spec_file",
    "spec_stem",
    "template",
    "template_dir",
    "time_limit",
    "workers",
]


MAX_TIME_LIMIT_S = 86_400
MAX_WORKERS = 64  # as the spec's solver.workers
MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit signed integer


def spec_file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", type=Path, help="the spec file (YAML), or - to read it from standard input")


def spec_stem(spec: Path) -> str:
    """The name a spec's default output folder takes: the file's stem, or ``stdin``."""
    return "stdin" if str(spec) == "-" else spec.stem


def plan_file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", type=Path, help="a plan.json written by `primeflex solve`")


def output(parser: argparse.ArgumentParser, default: str) -> None:
    """-o/--output; ``default`` says where the command writes without it."""
    parser.add_argument("-o", "--output", type=Path, help=f"output folder (default: {default})")


def catalog_overlay(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog-overlay",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="lay your own prices or datasheet values over the catalog (repeatable, applied in order)",
    )


def json_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout, for tools")


def time_limit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--time-limit", type=float, metavar="SECONDS", help="time limit per solve (default: the spec's, 30 s)")


def workers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, metavar="N", help="CP-SAT workers (default: the spec's, 1)")


def seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, metavar="N", help="CP-SAT random seed (default: the spec's, 0)")


def force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing output even if it holds files primeflex did not write "
        "(never a folder holding the inputs, a home, a mount point, a system folder or the working folder)",
    )


def pdf(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pdf", action="store_true", help="also render the topology as PDF")


def template(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--template",
        type=Path,
        metavar="DIR",
        help="render the report from your own Jinja2 templates: DIR holds report.html.j2 and/or report.md.j2 "
        "(a missing one is the default; see docs/report-templates.md)",
    )


def template_dir(args: argparse.Namespace) -> Path | None:
    """--template's folder, checked before any work: it exists, holds a report template, and each one parses.

    Raises TemplateError (an input error, exit 2) naming the file and line.
    """
    if args.template is None:
        return None
    from primeflex_iac.render.template import check_template_dir  # jinja2 only when asked for

    directory: Path = args.template
    check_template_dir(directory)
    return directory


def solve_options(args: argparse.Namespace, spec: Spec) -> SolveOptions | None:
    """The solver options: --time-limit, --workers and --seed over the spec's.

    None, with a message on stderr, unless the time limit is positive and at most a day, workers
    1 to 64 and the seed 0 to 2^31 - 1, as the spec's ``solver`` section (checked when it is read).
    """
    options = solve_options_for(spec, args.time_limit, args.workers, args.seed)
    if (
        not (0 < options.time_limit_s <= MAX_TIME_LIMIT_S)
        or not 1 <= options.workers <= MAX_WORKERS
        or not 0 <= options.seed <= MAX_SEED
    ):
        print(
            f"primeflex: --time-limit must be a positive number of seconds up to {MAX_TIME_LIMIT_S:,}, "
            f"--workers 1 to {MAX_WORKERS}, --seed 0 to {MAX_SEED:,}",
            file=sys.stderr,
        )
        return None
    return options
