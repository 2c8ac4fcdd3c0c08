"""`primeflex export PLAN --to slurm|netbox|ansible|all [-o DIR]`: a saved plan's files for the
tools that come next, each target in a folder of its own (DIR/slurm/, DIR/netbox/, DIR/ansible/).

Each target folder is replaced as a whole, once its files are ready, with a manifest of its own;
a folder that holds anything but an earlier export (as its manifest says) is only replaced with
--force. All target folders are checked and locked before the first is written. `solve --export` writes the same
folders beside plan.json (:func:`export_for_solve`).
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

from primeflex_iac.app.inputs import read_plan
from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.cli import options
from primeflex_iac.cli.exit_codes import EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK
from primeflex_iac.cli.files import OutputFolder
from primeflex_iac.cli.swap import defer_interrupts
from primeflex_iac.errors import ExportError, Problem
from primeflex_iac.export.targets import TARGET_CHOICES, export_files

if TYPE_CHECKING:
    import argparse
    from pathlib import Path


__all__ = ["add_parser", "run", "split_by_target"]


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "export",
        help="write a saved plan's Slurm, NetBox or Ansible files",
        description="Write slurm/ (slurm.conf, gres.conf, topology.conf), netbox/ (an import bundle with "
        "devicetype-library device types) or ansible/ (inventory.yaml) for a plan.json written by `primeflex solve`.",
    )
    options.plan_file(parser)
    parser.add_argument("--to", choices=TARGET_CHOICES, default="all", help="what to write (default: all)")
    options.output(parser, default="the plan's folder")
    options.catalog_overlay(parser)
    options.force(parser)
    parser.set_defaults(handler=run)


def split_by_target(files: dict[str, str]) -> dict[str, dict[str, str]]:
    """{"slurm/slurm.conf": text} -> {"slurm": {"slurm.conf": text}}."""
    targets: dict[str, dict[str, str]] = {}
    for path, text in files.items():
        target, _, name = path.partition("/")
        targets.setdefault(target, {})[name] = text
    return targets


def run(args: argparse.Namespace) -> int:
    plan = read_plan(args.plan)
    if plan.status == "infeasible" or plan.fabric is None:
        print(f"primeflex: {args.plan} holds no cluster (status {plan.status}); nothing to export", file=sys.stderr)
        return EXIT_INVALID
    catalog = load_catalog(args.catalog_overlay)
    try:
        files = export_files(plan, args.to, catalog)
    except ValueError as error:  # export/ says why the plan cannot have this target
        raise ExportError([Problem(str(args.plan), None, None, "", str(error))]) from None
    output: Path = args.output or args.plan.parent
    targets = split_by_target(files)
    inputs = [args.plan, *args.catalog_overlay]
    written: list[Path] = []
    with contextlib.ExitStack() as stack, defer_interrupts() as deferred:
        folders = {  # every target checked and locked before any is written
            target: stack.enter_context(OutputFolder(output / target, force=args.force, inputs=inputs, exports=False))
            for target in targets
        }
        for target, target_files in targets.items():
            written += folders[target].write(target_files)
    for folder in folders.values():
        if folder.note:
            print(f"primeflex: {folder.note}", file=sys.stderr)
    print(f"wrote {len(written)} files: {', '.join(str(output / target) + '/' for target in targets)}")
    if deferred.interrupted or any(folder.interrupted for folder in folders.values()):
        print("primeflex: interrupted; the folders above were written whole first", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK
