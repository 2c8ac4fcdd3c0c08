"""`primeflex validate SPEC`: check a spec and its catalog overlays against each other, without solving.

Every problem is listed at once on stderr (exit 2); with --json the diagnostics also go to stdout
as ``{"valid": bool, "problems": [...]}``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from primeflex_iac.app.inputs import diagnostics_json, load_inputs
from primeflex_iac.cli import options
from primeflex_iac.cli.exit_codes import EXIT_OK

if TYPE_CHECKING:
    import argparse

__all__ = ["add_parser", "run"]


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("validate", help="check a spec and its catalog overlays without solving")
    options.spec_file(parser)
    options.catalog_overlay(parser)
    options.json_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    spec, _catalog = load_inputs(args.spec, args.catalog_overlay)
    if args.json:
        sys.stdout.write(diagnostics_json([]))
    else:
        overlays = f" with {len(args.catalog_overlay)} catalog overlay(s)" if args.catalog_overlay else ""
        print(f"{args.spec}: valid{overlays}: {spec.name}, {len(spec.workloads)} workload(s)")
    return EXIT_OK
