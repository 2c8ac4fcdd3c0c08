"""`primeflex`: arguments in, pipeline, exit code out.

Exit codes: 0 a plan (a time-limited one warns), 1 internal error, 2 invalid input,
3 infeasible, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from primeflex_iac import __version__
from primeflex_iac.app.inputs import diagnostics_json, load_inputs
from primeflex_iac.app.solve import solve
from primeflex_iac.cli.diagnostic_commands import add_commands as add_diagnostic_commands
from primeflex_iac.cli.diagnostic_commands import solve_options
from primeflex_iac.cli.export_command import EXPORT_CHOICES, add_export_command, export_for_solve, written_summary
from primeflex_iac.cli.files import EXPORT_FOLDERS, check_output_folder, write_outputs
from primeflex_iac.cli.time_commands import add_time_commands
from primeflex_iac.errors import Problem, SpecError
from primeflex_iac.plan.model import Plan
from primeflex_iac.render.bundle import render_bundle
from primeflex_iac.render.explanation import explanation_text
from primeflex_iac.render.summary import summary_text

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
        "--catalog-overlay",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="lay your own prices or datasheet values over the catalog (repeatable, applied in order)",
    )
    solve_cmd.add_argument("--time-limit", type=float, metavar="SECONDS", help="solver time limit (default: the spec's, 30 s)")
    solve_cmd.add_argument("--workers", type=int, metavar="N", help="CP-SAT workers (default: the spec's, 1)")
    solve_cmd.add_argument("--seed", type=int, metavar="N", help="CP-SAT random seed (default: the spec's, 0)")
    solve_cmd.add_argument(
        "--force", action="store_true", help="replace the output folder even if it holds files primeflex did not write"
    )
    solve_cmd.add_argument("--no-render", action="store_true", help="write plan.json and the BOM only, no pictures or report")
    solve_cmd.add_argument("--pdf", action="store_true", help="also render the topology as PDF")
    solve_cmd.add_argument(
        "--export",
        choices=EXPORT_CHOICES,
        metavar="TARGET",
        help="also write slurm/, netbox/ or ansible/ files (all, slurm, netbox, ansible)",
    )
    solve_cmd.set_defaults(handler=_solve)

    render_cmd = commands.add_parser("render", help="re-render a saved plan.json (pictures, BOM, report) without solving")
    render_cmd.add_argument("plan", type=Path, help="a plan.json written by `primeflex solve`")
    render_cmd.add_argument("-o", "--output", type=Path, help="output folder (default: the plan's folder)")
    render_cmd.add_argument("--pdf", action="store_true", help="also render the topology as PDF")
    render_cmd.add_argument(
        "--force", action="store_true", help="replace the output folder even if it holds files primeflex did not write"
    )
    render_cmd.set_defaults(handler=_render)

    schema_cmd = commands.add_parser("schema", help="print the JSON Schema of the spec (default, draft-07) or of the plan")
    which = schema_cmd.add_mutually_exclusive_group()
    which.add_argument("--spec", action="store_true", help="the spec's schema, for editors (default)")
    which.add_argument("--plan", action="store_true", help="the plan's schema")
    schema_cmd.set_defaults(handler=_schema)
    add_export_command(commands)  # export
    add_time_commands(commands)  # estimate, sweep
    add_diagnostic_commands(commands)  # validate, explain
    return parser


def _solve(args: argparse.Namespace) -> int:
    spec, catalog = load_inputs(args.spec, args.catalog_overlay)
    options = solve_options(args, spec)
    if options is None:
        return EXIT_INVALID
    output = args.output or Path("out") / args.spec.stem
    replacing = check_output_folder(output, args.force)  # before solving, not after
    plan = solve(spec, catalog, options, overlays=args.catalog_overlay)
    if plan.status in ("infeasible", "unknown"):
        sys.stdout.write(plan.to_json() if args.json else explanation_text(plan))
        return EXIT_INFEASIBLE
    files, warnings = render_bundle(plan, pictures=not args.no_render, pdf=args.pdf)
    if args.export:
        exports, export_warnings = export_for_solve(plan, args.export, catalog)
        files.update(exports)
        warnings += export_warnings
    if replacing:
        print(f"primeflex: {replacing}", file=sys.stderr)
    written = write_outputs(output, files)
    if args.json:
        sys.stdout.write(plan.to_json())
    else:
        sys.stdout.write(summary_text(plan))
        print(f"  wrote     {written_summary(written, output)}")
    stopped = plan.solve.stopped_by if plan.solve else None
    if plan.status == "feasible":
        why = "interrupted" if stopped == "interrupt" else "time limit reached"
        print(
            f"primeflex: warning: {why}; the plan is the best found, not proven optimal, and may differ between runs",
            file=sys.stderr,
        )
    for warning in warnings:
        print(f"primeflex: warning: {warning}", file=sys.stderr)
    return EXIT_INTERRUPTED if stopped == "interrupt" else EXIT_OK


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
    output = args.output or args.plan.parent
    replacing = check_output_folder(output, args.force)
    files, warnings = render_bundle(plan, pdf=args.pdf)
    files.update(_exports_beside(args.plan.parent))
    if replacing:
        print(f"primeflex: {replacing}", file=sys.stderr)
    written = write_outputs(output, files)
    print(f"wrote {', '.join(str(p) for p in written)}")
    for warning in warnings:
        print(f"primeflex: warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _exports_beside(folder: Path) -> dict[str, str | bytes]:
    """The export folders `solve --export` wrote beside a plan, kept when the plan is re-rendered."""
    kept: dict[str, str | bytes] = {}
    for name in EXPORT_FOLDERS:
        export = folder / name
        if export.is_dir() and not export.is_symlink():
            for path in sorted(export.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    kept[path.relative_to(folder).as_posix()] = path.read_bytes()
    return kept


def _schema(args: argparse.Namespace) -> int:
    from primeflex_iac.app.schemas import plan_json_schema, spec_json_schema

    schema = plan_json_schema() if args.plan else spec_json_schema()
    sys.stdout.write(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except SpecError as error:
        print(f"primeflex: invalid input, {error}", file=sys.stderr)
        if getattr(args, "json", False):  # diagnostics for tools
            sys.stdout.write(diagnostics_json(error.problems))
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("primeflex: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # stdout closed early (`| head`): nothing more to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return EXIT_INTERNAL
    except OSError as error:  # the machine's, not the input's: a full disk, a missing permission
        print(f"primeflex: system error: {error}", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as error:  # a bug: say so plainly, with what to report
        print(f"primeflex: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print("primeflex: this is a bug; please report it with the spec that caused it", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
