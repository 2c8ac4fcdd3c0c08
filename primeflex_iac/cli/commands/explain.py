"""`primeflex explain SPEC`: say why a spec has no plan and how far each requirement must move.

Exit 0 when a plan exists (nothing to explain), 3 when it does not.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from primeflex_iac.app.inputs import load_inputs
from primeflex_iac.app.solve import solve
from primeflex_iac.cli import options
from primeflex_iac.cli.exit_codes import EXIT_INFEASIBLE, EXIT_INVALID, EXIT_OK
from primeflex_iac.render.explanation import explanation_text

if TYPE_CHECKING:
    import argparse

__all__ = ["add_parser", "run"]


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("explain", help="say why a spec has no plan and how far each requirement must move")
    options.spec_file(parser)
    options.catalog_overlay(parser)
    options.json_output(parser)
    options.time_limit(parser)
    options.workers(parser)
    options.seed(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    spec, catalog = load_inputs(args.spec, args.catalog_overlay)
    solve_options = options.solve_options(args, spec)
    if solve_options is None:
        return EXIT_INVALID
    plan = solve(spec, catalog, solve_options, overlays=args.catalog_overlay)
    if args.json:
        sys.stdout.write(plan.to_json())
    elif plan.status in ("optimal", "feasible"):
        assert plan.totals is not None
        print(f"{plan.name}: {plan.status.upper()}: a plan exists, nothing to explain ({plan.message})")
    else:
        sys.stdout.write(explanation_text(plan))
    return EXIT_OK if plan.status in ("optimal", "feasible") else EXIT_INFEASIBLE
