"""A target's files by relative path: which targets apply to a plan, and their files together."""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.export.ansible import ansible_files
from primeflex_iac.export.netbox import netbox_files
from primeflex_iac.export.slurm import slurm_files

if TYPE_CHECKING:
    from collections.abc import Callable

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.plan.model import Plan

__all__ = ["TARGETS", "TARGET_CHOICES", "applicable_targets", "export_files", "export_for_solve"]

TARGETS: dict[str, Callable[[Plan, Catalog | None], dict[str, str]]] = {
    "slurm": slurm_files,
    "netbox": netbox_files,
    "ansible": ansible_files,
}


TARGET_CHOICES = ("all", *TARGETS)  # what --to and --export take


def applicable_targets(plan: Plan) -> list[str]:
    """The targets ``all`` means for this plan: Slurm only with compute nodes and Slurm as the scheduler."""
    slurm = bool(plan.compute) and any(s.category == "scheduler" and s.id == "slurm" for s in plan.software)
    return [name for name in TARGETS if name != "slurm" or slurm]


def export_files(plan: Plan, target: str = "all", catalog: Catalog | None = None) -> dict[str, str]:
    """The files of one target (slurm, netbox, ansible) or of all that apply, by path under a folder per target.

    Raises ValueError for an unknown target, a plan without a cluster (or, for slurm, without
    compute nodes), or catalog ids the catalog lacks (a plan solved with an overlay needs it too).
    """
    if target != "all" and target not in TARGETS:
        raise ValueError(f"unknown export target {target!r}; expected one of all, {', '.join(TARGETS)}")
    names = applicable_targets(plan) if target == "all" else [target]
    return {f"{name}/{path}": text for name in names for path, text in TARGETS[name](plan, catalog).items()}


def export_for_solve(plan: Plan, target: str, catalog: Catalog) -> tuple[dict[str, str], list[str]]:
    """`solve --export`: the files, and a warning (not an error) for a target the plan cannot have."""
    files: dict[str, str] = {}
    warnings: list[str] = []
    for name in [target] if target != "all" else applicable_targets(plan):
        try:
            files.update(export_files(plan, name, catalog))
        except ValueError as error:  # export/ says why the plan cannot have this target
            warnings.append(f"no {name} export: {error}")
    return files, warnings
