"""`primeflex export PLAN --to slurm|netbox|ansible|all [-o DIR]`: a saved plan's files for the
tools that come next, each target in a folder of its own (DIR/slurm/, DIR/netbox/, DIR/ansible/).

Each target folder is replaced as a whole, once its files are ready; a folder that holds
anything but an earlier export is only replaced with --force. `solve --export` writes the same
folders beside plan.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.catalog.models import Catalog
from primeflex_iac.cli.files import write_outputs
from primeflex_iac.errors import Problem, SpecError
from primeflex_iac.export.targets import TARGETS, applicable_targets, export_files
from primeflex_iac.plan.model import Plan

__all__ = ["EXPORT_CHOICES", "add_export_command", "export_for_solve", "read_plan", "split_by_target", "written_summary"]

EXPORT_CHOICES = ("all", *TARGETS)
_MARK = "by primeflex-iac"
_MARKED_FILE = {"slurm": "slurm.conf", "netbox": "README.md", "ansible": "inventory.yaml"}


def add_export_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser(
        "export",
        help="write a saved plan's Slurm, NetBox or Ansible files",
        description="Write slurm/ (slurm.conf, gres.conf, topology.conf), netbox/ (an import bundle with "
        "devicetype-library device types) or ansible/ (inventory.yaml) for a plan.json written by `primeflex solve`.",
    )
    cmd.add_argument("plan", type=Path, help="a plan.json written by `primeflex solve`")
    cmd.add_argument("--to", choices=EXPORT_CHOICES, default="all", help="what to write (default: all)")
    cmd.add_argument("-o", "--output", type=Path, help="folder to write the target folders into (default: the plan's folder)")
    cmd.add_argument(
        "--catalog-overlay",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="the overlays the plan was solved with, if it names items they add (repeatable, in order)",
    )
    cmd.add_argument("--force", action="store_true", help="replace target folders even if they hold other files")
    cmd.set_defaults(handler=_export)


def read_plan(path: Path) -> Plan:
    """A plan.json, or a SpecError saying where it is wrong."""
    try:
        return Plan.model_validate_json(path.read_bytes())
    except OSError as error:
        raise SpecError([Problem(str(path), None, None, "", f"cannot read: {error.strerror or error}")]) from None
    except ValidationError as error:
        problems = [Problem(str(path), None, None, ".".join(map(str, e["loc"])), e["msg"]) for e in error.errors()]
        raise SpecError(problems) from None


def split_by_target(files: dict[str, str]) -> dict[str, dict[str, str]]:
    """{"slurm/slurm.conf": text} -> {"slurm": {"slurm.conf": text}}."""
    targets: dict[str, dict[str, str]] = {}
    for path, text in files.items():
        target, _, name = path.partition("/")
        targets.setdefault(target, {})[name] = text
    return targets


def export_for_solve(plan: Plan, target: str, catalog: Catalog) -> tuple[dict[str, str], list[str]]:
    """`solve --export`: the files, and a warning (not an error) for a target the plan cannot have."""
    files: dict[str, str] = {}
    warnings: list[str] = []
    for name in [target] if target != "all" else applicable_targets(plan):
        try:
            files.update(export_files(plan, name, catalog))
        except ValueError as error:
            warnings.append(f"no {name} export: {error}")
    return files, warnings


def written_summary(written: list[Path], folder: Path) -> str:
    """The written files, with each export folder as one entry ("slurm/ (3 files)")."""
    counts: dict[str, int] = {}
    for path in written:
        parts = path.relative_to(folder).parts
        key = f"{folder / parts[0]}/" if len(parts) > 1 else str(path)
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(
        key if not key.endswith("/") else f"{key} ({count} file{'s' if count > 1 else ''})" for key, count in counts.items()
    )


def _replaceable(folder: Path, target: str) -> bool:
    if not folder.exists():
        return True
    if not folder.is_dir():
        return False
    if not any(folder.iterdir()):
        return True
    marked = folder / _MARKED_FILE[target]
    try:
        with marked.open(encoding="utf-8", errors="replace") as file:
            return _MARK in file.read(512)
    except OSError:
        return False


def _export(args: argparse.Namespace) -> int:
    plan = read_plan(args.plan)
    if plan.status == "infeasible" or plan.fabric is None:
        print(f"primeflex: {args.plan} holds no cluster (status {plan.status}); nothing to export", file=sys.stderr)
        return 2
    catalog = load_catalog(args.catalog_overlay)
    try:
        files = export_files(plan, args.to, catalog)
    except ValueError as error:
        raise SpecError([Problem(str(args.plan), None, None, "", str(error))]) from None
    output: Path = args.output or args.plan.parent
    targets = split_by_target(files)
    refused = [target for target in targets if not args.force and not _replaceable(output / target, target)]
    if refused:
        names = ", ".join(str(output / target) for target in refused)
        raise SpecError(
            [
                Problem(
                    names,
                    None,
                    None,
                    "",
                    "holds files primeflex did not export; pass --force to replace it, or name another folder with -o",
                )
            ]
        )
    written: list[Path] = []
    for target, target_files in targets.items():
        written += write_outputs(output / target, target_files)
    print(f"wrote {len(written)} files: {', '.join(str(output / target) + '/' for target in targets)}")
    return 0
