"""`primeflex`: arguments in, pipeline, exit code out.

Exit codes: 0 a plan (a time-limited one warns), 1 internal error, 2 invalid input,
3 infeasible, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from . import __version__
from .catalog import load_catalog
from .errors import Problem, SpecError
from .output import write_outputs
from .pipeline import solve
from .plan import Plan
from .renderers import render_bundle, summary_text
from .solvers import SolveOptions
from .spec import load_spec

__all__ = ["EXIT_INFEASIBLE", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_INVALID", "EXIT_OK", "main"]

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="primeflex",
        description="Size a PRIMEFLEX for HPC AI training cluster from a YAML spec.",
        epilog="Exit codes: 0 plan, 1 internal error, 2 invalid input, 3 infeasible, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"primeflex-iac {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    solve_cmd = commands.add_parser("solve", help="find the best cluster for a spec and write the plan and BOM")
    solve_cmd.add_argument("spec", type=Path, help="the spec file (YAML)")
    solve_cmd.add_argument("-o", "--output", type=Path, help="output folder (default: out/<spec file stem>/)")
    solve_cmd.add_argument("--json", action="store_true", help="print the plan as JSON on stdout instead of the summary")
    solve_cmd.add_argument(
        "--catalog-overlay", type=Path, action="append", default=[], metavar="FILE",
        help="lay your own prices or datasheet values over the catalog (repeatable, applied in order)",
    )  # fmt: skip
    solve_cmd.add_argument("--time-limit", type=float, metavar="SECONDS", help="solver time limit (default: the spec's, 30 s)")
    solve_cmd.add_argument("--workers", type=int, metavar="N", help="CP-SAT workers (default: the spec's, 1)")
    solve_cmd.add_argument("--seed", type=int, metavar="N", help="CP-SAT random seed (default: the spec's, 0)")
    solve_cmd.add_argument("--no-render", action="store_true", help="write plan.json and the BOM only, no pictures or report")
    solve_cmd.add_argument("--pdf", action="store_true", help="also render the topology as PDF")
    solve_cmd.set_defaults(handler=_solve)

    render_cmd = commands.add_parser("render", help="re-render a saved plan.json (pictures, BOM, report) without solving")
    render_cmd.add_argument("plan", type=Path, help="a plan.json written by `primeflex solve`")
    render_cmd.add_argument("-o", "--output", type=Path, help="output folder (default: the plan's folder)")
    render_cmd.add_argument("--pdf", action="store_true", help="also render the topology as PDF")
    render_cmd.set_defaults(handler=_render)

    schema_cmd = commands.add_parser("schema", help="print the JSON Schema of the plan (--plan) or of the spec (--spec)")
    which = schema_cmd.add_mutually_exclusive_group()
    which.add_argument("--plan", action="store_true", help="the plan's schema (default)")
    which.add_argument("--spec", action="store_true", help="the spec's schema")
    schema_cmd.set_defaults(handler=_schema)
    return parser


def _solve(args: argparse.Namespace) -> int:
    spec = load_spec(args.spec)
    catalog = load_catalog(args.catalog_overlay)
    options = SolveOptions(
        time_limit_s=args.time_limit if args.time_limit is not None else spec.solver.time_limit,
        workers=args.workers if args.workers is not None else spec.solver.workers,
        seed=args.seed if args.seed is not None else spec.solver.seed,
    )
    if options.time_limit_s <= 0 or options.workers < 1 or options.seed < 0:
        print("primeflex: --time-limit must be positive, --workers at least 1, --seed not negative", file=sys.stderr)
        return EXIT_INVALID
    plan = solve(spec, catalog, options, overlays=args.catalog_overlay)
    if plan.status == "infeasible":
        if args.json:
            sys.stdout.write(plan.to_json())
        else:
            sys.stdout.write(summary_text(plan))
        return EXIT_INFEASIBLE
    output = args.output or Path("out") / args.spec.stem
    files, warnings = render_bundle(plan, pictures=not args.no_render, pdf=args.pdf)
    written = write_outputs(output, files)
    if args.json:
        sys.stdout.write(plan.to_json())
    else:
        sys.stdout.write(summary_text(plan))
        print(f"  wrote     {', '.join(str(p) for p in written)}")
    if plan.status == "feasible":
        print("primeflex: warning: time limit reached; the plan is the best found, not proven optimal", file=sys.stderr)
    for warning in warnings:
        print(f"primeflex: warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _render(args: argparse.Namespace) -> int:
    try:
        plan = Plan.model_validate_json(args.plan.read_bytes())
    except OSError as error:
        raise SpecError([Problem(str(args.plan), None, None, "", f"cannot read: {error.strerror or error}")]) from None
    except ValidationError as error:
        problems = [Problem(str(args.plan), None, None, ".".join(map(str, e["loc"])), e["msg"]) for e in error.errors()]
        raise SpecError(problems) from None
    if plan.status == "infeasible":
        print(f"primeflex: {args.plan} holds no plan (status infeasible); nothing to render", file=sys.stderr)
        return EXIT_INVALID
    files, warnings = render_bundle(plan, pdf=args.pdf)
    written = write_outputs(args.output or args.plan.parent, files)
    print(f"wrote {', '.join(str(p) for p in written)}")
    for warning in warnings:
        print(f"primeflex: warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from .spec import Spec

    model = Spec if args.spec else Plan
    sys.stdout.write(json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except SpecError as error:
        print(f"primeflex: invalid input, {error}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("primeflex: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: say so plainly, with what to report
        print(f"primeflex: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print("primeflex: this is a bug; please report it with the spec that caused it", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
