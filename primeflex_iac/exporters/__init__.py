"""Exports of a plan for the tools HPC sites already run: Slurm, NetBox and Ansible.

Each exporter is a pure function of a Plan (and the catalog, for figures the plan names only by
id) that returns text; ``export_files`` gathers a target's files by relative path.

    from primeflex_iac.exporters import export_files, slurm_conf
    print(slurm_conf(plan))
    files = export_files(plan, "all")      # {"slurm/slurm.conf": ..., "netbox/devices.yaml": ..., ...}
"""

from __future__ import annotations

from collections.abc import Callable

from ..catalog.models import Catalog
from ..plan import Plan
from .ansible import ansible_files, ansible_inventory
from .hostlist import compress as hostlist
from .hostlist import expand as expand_hostlist
from .netbox import netbox_device_type, netbox_files
from .slurm import gres_conf, slurm_conf, slurm_files, topology_conf

__all__ = [
    "TARGETS",
    "ansible_files",
    "ansible_inventory",
    "applicable_targets",
    "expand_hostlist",
    "export_files",
    "gres_conf",
    "hostlist",
    "netbox_device_type",
    "netbox_files",
    "slurm_conf",
    "slurm_files",
    "topology_conf",
]

TARGETS: dict[str, Callable[[Plan, Catalog | None], dict[str, str]]] = {
    "slurm": slurm_files,
    "netbox": netbox_files,
    "ansible": ansible_files,
}


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
