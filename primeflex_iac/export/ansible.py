"""An Ansible inventory (YAML) of a plan: hosts grouped by role, the chosen software as variables.

Groups: ``compute`` with one child group per platform (``compute_<gpu>``, its GPU, node model
and Slurm partition as group variables), ``storage_servers``, ``metadata_servers``, ``login``
and ``management``. The paper's cluster has one master node, so it is both the login and the
management host. Metadata servers (assumption): the first storage server pair, which also serves
the metadata shelf as an active/passive pair. Every variable of ours is prefixed ``primeflex_``;
the software stack (OS, cluster manager, scheduler, framework, file system, connectors) is in
``all.vars.primeflex_software`` by category.

With Slurm as the scheduler, a ``slurm`` group holds the groups and variables of the
galaxyproject.slurm role (Ansible Galaxy; its README): ``slurmservers`` (the controller: the head
node) and ``slurmexechosts`` (the ``compute`` group), with ``slurm_config``, ``slurm_nodes``,
``slurm_partitions`` (lists of hashes: ``name`` and the line's other keys) and
``slurm_gres_config``, the same settings the Slurm export writes. Switches are hosts too:
``switches`` > ``fabric_switches`` (``fabric_leaf``, ``fabric_spine``, ``fabric_core``, or
``fabric_switch`` for one switch) and ``management_switches`` (``management_access``,
``management_aggregation``), each with its rack and position. Storage shelves are not hosts.

On an existing site (``plan.existing``): ``hpc`` holds every installed node (host variables: its
group, its GPUs, 0 where it has none), ``ai`` the GPU nodes (the ``compute`` group: installed
nodes with cards and new nodes, each with ``primeflex_gpus`` and ``primeflex_gpu_model``),
``existing`` what was installed before (``hpc`` and the site's head node) and ``planned`` every new
device; the site's head node is the login and management host and the Slurm controller, and
``slurmexechosts`` takes ``hpc`` and ``ai``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from primeflex_iac.common.escape import config_comment
from primeflex_iac.common.naming import natural_key
from primeflex_iac.export.cluster import catalog_or_shipped, platforms, require_ids, switch_levels
from primeflex_iac.export.slurm import slurm_settings
from primeflex_iac.export.yamltext import yaml_text
from primeflex_iac.plan.management import management_switches

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.plan.model import Device, Plan

__all__ = ["ansible_files", "ansible_inventory", "group_name"]


def group_name(text: str) -> str:
    """An Ansible group name: letters, digits and underscores, not starting with a digit."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    return name if name and not name[0].isdigit() else f"g_{name}"


def _placed(plan: Plan) -> dict[str, tuple[str, Device]]:
    return {device.name: (rack.name, device) for rack in plan.racks for device in rack.devices}


def _all_host_vars(plan: Plan) -> dict[str, dict[str, Any]]:
    """Where every device and every sled is: its rack and position, a sled's chassis and bay (one pass)."""
    found: dict[str, dict[str, Any]] = {}
    for rack in plan.racks:
        for device in rack.devices:
            for bay, node in enumerate(device.nodes, start=1):
                found.setdefault(
                    node,
                    {
                        "primeflex_rack": rack.name,
                        "primeflex_rack_position": device.position,
                        "primeflex_chassis": device.name,
                        "primeflex_chassis_bay": bay,
                    },
                )
    # a device's own entry wins over a sled of the same name, as the host's rack and position
    for name, (rack_name, device) in _placed(plan).items():
        found[name] = {"primeflex_rack": rack_name, "primeflex_rack_position": device.position}
    if plan.existing is not None:
        _existing_host_vars(plan, found)
    return found


def _existing_host_vars(plan: Plan, found: dict[str, dict[str, Any]]) -> None:
    """An existing site: every installed node and the head node, and the GPUs of every GPU node."""
    assert plan.existing is not None
    for group in plan.existing.groups:
        racks = [rack for rack, count in group.upgraded_by_rack.items() for _ in range(count)]
        rack_of = dict(zip(group.upgraded, racks, strict=False))
        for host in group.hosts:
            found[host] = {"primeflex_existing_group": group.name, "primeflex_node_model": group.node, "primeflex_gpus": 0}
            if host in rack_of:
                found[host]["primeflex_rack"] = rack_of[host]
    found[plan.existing.head_node] = {"primeflex_existing": True}
    for platform in platforms(plan):
        for host in platform.hosts:
            found[host] = {
                **found[host],
                "primeflex_gpus": platform.entry.gpus_per_node,
                "primeflex_gpu_model": platform.entry.gpu,
            }


def _host_vars(where: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    if name not in where:
        raise ValueError(f"host {name} is not placed in the plan")
    return dict(where[name])


def _software(plan: Plan) -> tuple[dict[str, Any], dict[str, str]]:
    """Software ids by category (a list where a category has several) and their names."""
    ids: dict[str, list[str]] = {}
    names: dict[str, list[str]] = {}
    for entry in plan.software:
        ids.setdefault(entry.category, []).append(entry.id)
        names.setdefault(entry.category, []).append(entry.name)
    return ({c: v[0] if len(v) == 1 else v for c, v in ids.items()}, {c: "; ".join(v) for c, v in names.items()})


def ansible_inventory(plan: Plan, catalog: Catalog | None = None) -> str:
    """The inventory as YAML text (``ansible-inventory -i inventory.yaml --list`` reads it)."""
    catalog = catalog_or_shipped(catalog)
    require_ids(plan, catalog)
    fabric = plan.fabric
    assert fabric is not None
    software, software_names = _software(plan)
    where = _all_host_vars(plan)
    variables: dict[str, Any] = {
        "primeflex_cluster": plan.name,
        "primeflex_software": software,
        "primeflex_software_names": software_names,
        "primeflex_fabric": {"technology": fabric.technology, "family": fabric.family, "link_gbps": fabric.link_gbps},
    }
    if plan.storage is not None:
        variables["primeflex_file_system"] = plan.storage.file_system
    children: dict[str, Any] = {}
    compute: dict[str, Any] = {}
    for platform in platforms(plan):
        entry = platform.entry
        compute[f"compute_{group_name(platform.key)}"] = {
            "vars": {
                "primeflex_node_model": entry.node,
                "primeflex_gpu_model": entry.gpu,
                "primeflex_gpus_per_node": entry.gpus_per_node,
                "primeflex_memory_gb": entry.memory_gb_per_node,
                "primeflex_fabric_ports": entry.fabric_adapters_per_node,
                "primeflex_slurm_partition": platform.key,
            },
            "hosts": {host: _host_vars(where, host) for host in platform.hosts},
        }
    if compute:
        children["compute"] = {"children": compute}
    if plan.storage is not None:
        servers = sorted((d.name for _, d in _placed(plan).values() if d.catalog_id == plan.storage.server), key=natural_key)
        per_group = catalog.storage_rules.servers_per_group
        children["storage_servers"] = {"hosts": {name: _host_vars(where, name) for name in servers}}
        children["metadata_servers"] = {"hosts": {name: _host_vars(where, name) for name in servers[:per_group]}}
    heads = sorted((d.name for _, d in _placed(plan).values() if d.role == "head"), key=natural_key)
    if plan.existing is not None:  # the site's head node stays the cluster's
        heads = [plan.existing.head_node]
    children["login"] = {"hosts": {name: _host_vars(where, name) for name in heads}}
    children["management"] = {"hosts": {name: None for name in heads}}
    if compute and any(s.category == "scheduler" and s.id == "slurm" for s in plan.software):
        children["slurm"] = _slurm_groups(plan, catalog, heads)
    children["switches"] = _switch_groups(plan, where)
    if plan.existing is not None:
        children.update(_site_groups(plan, where, heads))
    header = (
        config_comment(
            f"# Ansible inventory for {plan.name}, written by primeflex-iac from its plan ({plan.schema_version}, {plan.status})."
        )
        + "\n"
        "# Check it with: ansible-inventory -i inventory.yaml --graph\n"
    )
    return yaml_text({"all": {"vars": variables, "children": children}}, header, templates=False)


def _slurm_groups(plan: Plan, catalog: Catalog, heads: list[str]) -> dict[str, Any]:
    """galaxyproject.slurm's groups and variables: ``slurmservers`` (the controller, the head node) and
    ``slurmexechosts`` (the compute nodes); ``slurm_config``, ``slurm_nodes``, ``slurm_partitions``
    and ``slurm_gres_config`` hold what slurm.conf and gres.conf of the Slurm export hold."""
    settings = slurm_settings(plan, catalog)
    return {
        "vars": {
            "slurm_config": settings.config,
            "slurm_nodes": settings.nodes,
            "slurm_partitions": settings.partitions,
            "slurm_gres_config": settings.gres,
        },
        "children": {
            "slurmservers": {"hosts": {name: None for name in heads}},
            "slurmexechosts": {"children": _executing(plan)},
        },
    }


def _executing(plan: Plan) -> dict[str, None]:
    """The groups Slurm runs jobs on: ``compute``; on an existing site ``hpc`` (where it lists nodes) and ``ai``."""
    if plan.existing is None:
        return {"compute": None}
    return {"hpc": None, "ai": None} if any(g.hosts for g in plan.existing.groups) else {"ai": None}


def _site_groups(plan: Plan, where: dict[str, dict[str, Any]], heads: list[str]) -> dict[str, Any]:
    """An existing site: ``hpc`` (every installed node), ``ai`` (the GPU nodes), ``existing`` and ``planned``."""
    assert plan.existing is not None
    installed = [host for group in plan.existing.groups for host in group.hosts]
    upgraded = {host for group in plan.existing.groups for host in group.upgraded}
    # the new hosts Ansible manages, as in a new cluster: nodes, switches and storage servers (no chassis or shelf)
    server = plan.storage.server if plan.storage is not None else None
    hosts: set[str] = set()
    for rack in plan.racks:
        for device in rack.devices:
            if device.role == "compute":
                hosts.update(device.nodes or [device.name])
            elif device.role in ("fabric", "management") or device.catalog_id == server:
                hosts.add(device.name)
    new = sorted(hosts - upgraded, key=natural_key)
    return {
        # the installed nodes' variables are here, or in the compute group for those with cards
        "hpc": {"hosts": {host: None if host in upgraded else _host_vars(where, host) for host in installed}},
        "ai": {"children": {"compute": None}},
        "existing": {"children": {"hpc": None}, "hosts": {name: None for name in heads}},
        "planned": {"hosts": dict.fromkeys(new)},
    }


def _switch_groups(plan: Plan, where: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Switches by network and level: ``fabric_leaf``, ``fabric_spine``, ``fabric_core`` (or ``fabric_switch``
    for a one-switch fabric) under ``fabric_switches``; ``management_access`` and ``management_aggregation``
    under ``management_switches``. Each with its rack and position; the model as a group variable."""
    fabric = plan.fabric
    assert fabric is not None
    fabric_groups: dict[str, Any] = {}
    for level, names in switch_levels(plan):
        fabric_groups[f"fabric_{level}"] = {"hosts": {name: _host_vars(where, name) for name in names}}
    access, aggregation = management_switches(plan)
    management: dict[str, Any] = {}
    for group, members in (("management_access", access), ("management_aggregation", aggregation)):
        if members:
            management[group] = {"hosts": {name: _host_vars(where, name) for name in members}}
    return {
        "children": {
            "fabric_switches": {"vars": {"primeflex_switch_model": fabric.switch}, "children": fabric_groups},
            "management_switches": {"vars": {"primeflex_switch_model": fabric.management_switch}, "children": management},
        }
    }


def ansible_files(plan: Plan, catalog: Catalog | None = None) -> dict[str, str]:
    return {"inventory.yaml": ansible_inventory(plan, catalog)}
