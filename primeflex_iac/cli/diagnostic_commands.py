"""`primeflex validate` and `primeflex explain`: check inputs without solving, and explain specs without a plan."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from primeflex_iac.app.inputs import diagnostics_json, load_inputs
from primeflex_iac.solver.stages import SolveOptions
from primeflex_iac.spec.model import Spec

__all__ = ["add_commands", "solve_options"]

EXIT_OK, EXIT_INVALID, EXIT_INFEASIBLE = 0, 2, 3  # as in cli.py


def solve_options(args: argparse.Namespace, spec: Spec) -> SolveOptions | None:
    """The solver options: the command line's --time-limit, --workers and --seed over the spec's.

    None, with a message on stderr, when they are out of range."""
    options = SolveOptions(
        time_limit_s=args.time_limit if args.time_limit is not None else spec.solver.time_limit,
        workers=args.workers if args.workers is not None else spec.solver.workers,
        seed=args.seed if args.seed is not None else spec.solver.seed,
    )
    if not (0 < options.time_limit_s < float("inf")) or options.workers < 1 or options.seed < 0:
        print("primeflex: --time-limit must be a positive number, --workers at least 1, --seed not negative", file=sys.stderr)
        return None
    return options


def add_commands(commands: Any) -> None:
    """Add `validate` and `explain` to the CLI's subcommands."""
    validate = commands.add_parser("validate", help="check a spec and its catalog overlays without solving")
    validate.add_argument("spec", type=Path, help="the spec file (YAML)")
    _overlay_option(validate)
    validate.add_argument("--json", action="store_true", help="print the diagnostics as JSON on stdout")
    validate.set_defaults(handler=_validate)

    explain = commands.add_parser("explain", help="say why a spec has no plan and how far each requirement must move")
    explain.add_argument("spec", type=Path, help="the spec file (YAML)")
    _overlay_option(explain)
    explain.add_argument("--json", action="store_true", help="print the plan (conflicts and relaxations) as JSON")
    explain.add_argument("--time-limit", type=float, metavar="SECONDS", help="solver time limit (default: the spec's, 30 s)")
    explain.add_argument("--workers", type=int, metavar="N", help="CP-SAT workers (default: the spec's, 1)")
    explain.add_argument("--seed", type=int, metavar="N", help="CP-SAT random seed (default: the spec's, 0)")
    explain.set_defaults(handler=_explain)


def _overlay_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--catalog-overlay",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="lay your own prices or datasheet values over the catalog (repeatable, applied in order)",
    )


def _validate(args: argparse.Namespace) -> int:
    spec, _catalog = load_inputs(args.spec, args.catalog_overlay)
    if args.json:
        sys.stdout.write(diagnostics_json([]))
    else:
        overlays = f" with {len(args.catalog_overlay)} catalog overlay(s)" if args.catalog_overlay else ""
        print(f"{args.spec}: valid{overlays}: {spec.name}, {len(spec.workloads)} workload(s)")
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from primeflex_iac.app.solve import solve
    from primeflex_iac.render.explanation import explanation_text

    spec, catalog = load_inputs(args.spec, args.catalog_overlay)
    options = solve_options(args, spec)
    if options is None:
        return EXIT_INVALID
    plan = solve(spec, catalog, options, overlays=args.catalog_overlay)
    if args.json:
        sys.stdout.write(plan.to_json())
    elif plan.status in ("optimal", "feasible"):
        assert plan.totals is not None
        print(f"{plan.name}: {plan.status.upper()}: a plan exists, nothing to explain ({plan.message})")
    else:
        sys.stdout.write(explanation_text(plan))
    return EXIT_OK if plan.status in ("optimal", "feasible") else EXIT_INFEASIBLE
