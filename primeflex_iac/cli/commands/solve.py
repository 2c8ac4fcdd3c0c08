"""`primeflex solve SPEC`: find the best cluster for a spec; write plan.json, the BOM, pictures, a report.

The output folder is checked and locked before solving, so a refused folder costs no solver time,
and checked again when it is replaced. An infeasible or unknown result writes nothing and prints
the explanation (exit 3); a plan stopped by the time limit or Ctrl-C is written, with a warning
that it is not proven optimal; Ctrl-C while the files are rendered writes plan.json alone and
says so (exit 130).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from primeflex_iac.app.inputs import load_inputs
from primeflex_iac.app.solve import solve
from primeflex_iac.cli import options
from primeflex_iac.cli.exit_codes import EXIT_INFEASIBLE, EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK
from primeflex_iac.cli.files import OutputFolder, written_summary
from primeflex_iac.export.targets import TARGET_CHOICES, export_for_solve
from primeflex_iac.render.bundle import render_bundle
from primeflex_iac.render.explanation import explanation_text
from primeflex_iac.render.summary import summary_text

if TYPE_CHECKING:
    import argparse

    from primeflex_iac.plan.model import Plan

__all__ = ["add_parser", "run"]


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("solve", help="find the best cluster for a spec and write the plan and BOM")
    options.spec_file(parser)
    options.output(parser, default="out/<spec file stem>/")
    options.json_output(parser)
    options.catalog_overlay(parser)
    options.time_limit(parser)
    options.workers(parser)
    options.seed(parser)
    options.force(parser)
    parser.add_argument("--no-render", action="store_true", help="write plan.json and the BOM only, no pictures or report")
    options.pdf(parser)
    options.template(parser)
    parser.add_argument(
        "--export",
        choices=TARGET_CHOICES,
        metavar="TARGET",
        help="also write slurm/, netbox/ or ansible/ files (all, slurm, netbox, ansible)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    spec, catalog = load_inputs(args.spec, args.catalog_overlay)
    solve_options = options.solve_options(args, spec)
    if solve_options is None:
        return EXIT_INVALID
    template_dir = options.template_dir(args)  # a bad template costs no solver time and writes nothing
    output = args.output or Path("out") / options.spec_stem(args.spec)
    inputs = [args.spec, *args.catalog_overlay]
    with OutputFolder(output, force=args.force, inputs=inputs) as folder:  # before solving, not after
        plan = solve(spec, catalog, solve_options, overlays=args.catalog_overlay)
        if plan.status in ("infeasible", "unknown"):
            sys.stdout.write(plan.to_json() if args.json else explanation_text(plan))
            return EXIT_INFEASIBLE
        try:
            files, warnings = render_bundle(plan, pictures=not args.no_render, pdf=args.pdf, template_dir=template_dir)
            if args.export:
                exports, export_warnings = export_for_solve(plan, args.export, catalog)
                files.update(exports)
                warnings += export_warnings
        except KeyboardInterrupt:  # the plan is found: keep it
            return _plan_only(args, plan, folder)
        written = folder.write(files)
    _say_replacing(folder)
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
    if folder.interrupted:
        print("primeflex: interrupted; the output above was written whole first", file=sys.stderr)
    return EXIT_INTERRUPTED if stopped == "interrupt" or folder.interrupted else EXIT_OK


def _say_replacing(folder: OutputFolder) -> None:
    if folder.note:
        print(f"primeflex: {folder.note}", file=sys.stderr)


def _plan_only(args: argparse.Namespace, plan: Plan, folder: OutputFolder) -> int:
    """Ctrl-C while rendering or exporting a plan already found: write plan.json alone, and say what is missing."""
    written = folder.write({"plan.json": plan.to_json()})
    _say_replacing(folder)
    if args.json:
        sys.stdout.write(plan.to_json())
    else:
        sys.stdout.write(summary_text(plan))
        print(f"  wrote     {written_summary(written, folder.given)}")
    missing = "the BOM" + ("" if args.no_render else ", pictures and report") + (" and exports" if args.export else "")
    print(
        f"primeflex: interrupted while writing the files; the {plan.status} plan was kept: wrote {folder.given / 'plan.json'} "
        f"only, not {missing}; `primeflex render {folder.given / 'plan.json'}` makes the rest",
        file=sys.stderr,
    )
    return EXIT_INTERRUPTED
