"""`primeflex render PLAN`: re-render a saved plan.json (pictures, BOM, report) without solving.

The export folders `solve --export` wrote beside the plan are kept in the re-rendered output. By
default the plan's own folder is replaced: only if primeflex wrote everything in it, the plan
included, and the plan comes out the same bytes.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from primeflex_iac.app.inputs import read_plan
from primeflex_iac.cli import options
from primeflex_iac.cli.exit_codes import EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK
from primeflex_iac.cli.files import OutputFolder, exports_beside
from primeflex_iac.render.bundle import render_bundle

if TYPE_CHECKING:
    import argparse

__all__ = ["add_parser", "run"]


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("render", help="re-render a saved plan.json (pictures, BOM, report) without solving")
    options.plan_file(parser)
    options.output(parser, default="the plan's folder")
    options.pdf(parser)
    options.template(parser)
    options.force(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    plan = read_plan(args.plan)
    if plan.status == "infeasible":
        print(f"primeflex: {args.plan} holds no plan (status infeasible); nothing to render", file=sys.stderr)
        return EXIT_INVALID
    template_dir = options.template_dir(args)  # checked before the output folder is touched
    output = args.output or args.plan.parent
    with OutputFolder(output, force=args.force, inputs=[args.plan]) as folder:
        files, warnings = render_bundle(plan, pdf=args.pdf, template_dir=template_dir)
        exports, export_warnings = exports_beside(args.plan.parent)
        files.update(exports)
        written = folder.write(files)
    if folder.note:
        print(f"primeflex: {folder.note}", file=sys.stderr)
    print(f"wrote {', '.join(str(p) for p in written)}")
    for warning in warnings + export_warnings:
        print(f"primeflex: warning: {warning}", file=sys.stderr)
    if folder.interrupted:
        print("primeflex: interrupted; the files above were written whole first", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK
