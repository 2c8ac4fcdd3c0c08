"""Slurm configuration of a plan: slurm.conf (nodes and one partition per platform), gres.conf
(the GPUs of each node) and topology.conf (the tree plugin's switches over nodes and switches).

Written to the grammar of slurm.conf(5), gres.conf(5) and topology.conf(5): ``Key=Value`` pairs
on one line per node set, partition or switch, host sets as hostlist expressions (cn[001-064]),
``#`` comments. The settings beyond nodes, partitions and switches are the ones GPU nodes and the
tree topology need; a site merges them with its own (authentication, accounting, logging).
On an existing site (``plan.existing``) the files join its cluster: ``export/slurm_existing.py``.
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.common.devices import head_name
from primeflex_iac.common.escape import config_comment, config_word
from primeflex_iac.common.hostlist import compress
from primeflex_iac.common.naming import natural_key
from primeflex_iac.export.cluster import catalog_or_shipped, platforms, require_ids, wiring
from primeflex_iac.export.gpus import gres_type
from primeflex_iac.export.slurm_existing import (
    INSTALLED_SWITCH,
    NodeBlock,
    existing_hosts,
    existing_node_blocks,
    existing_partitions,
    installed_tree,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.export.cluster import Platform, Wiring
    from primeflex_iac.plan.model import Plan

__all__ = [
    "MEMORY_SHARE",
    "RAIL_GROUP",
    "TOP_SWITCH",
    "SlurmSettings",
    "gres_conf",
    "slurm_conf",
    "slurm_files",
    "slurm_settings",
    "topology_conf",
]

TOP_SWITCH = "top"
RAIL_GROUP = "railgroup"  # logical switches standing for a rail group's leaves (rail-optimised fabrics)
# RealMemory is what a node must report or it is drained. Firmware and the kernel keep part of
# the installed memory (assumption: 5 %), so nodes are declared with 95 % of it.
MEMORY_SHARE = 0.95


def _cluster_name(plan: Plan) -> str:
    # accounting databases fold case; keep letters, digits and dashes
    return re.sub(r"[^a-z0-9]+", "-", plan.name.lower()).strip("-")[:40] or "cluster"


def _hosts(names: Iterable[str]) -> str:
    """A hostlist expression of host names only (a name from a hand-edited plan could hold anything)."""
    return compress(config_word(name, "host name") for name in names)


def _header(plan: Plan, what: str) -> list[str]:
    return [
        config_comment(
            f"# {what} for {plan.name}, written by primeflex-iac from its plan ({plan.schema_version}, {plan.status})."
        )
    ]


def _node_fields(platform: Platform, catalog: Catalog) -> tuple[dict[str, str], list[str]]:
    """A platform's NodeName line as fields (``name`` first, then slurm.conf keys), and comments for it."""
    entry = platform.entry
    server = catalog.servers[entry.node]
    fields = {"name": _hosts(platform.hosts)}
    notes = []
    if server.cpu_cores_per_socket is not None:
        cpus = server.cpu_sockets * server.cpu_cores_per_socket * server.threads_per_core
        fields.update(
            CPUs=str(cpus),
            Boards="1",
            SocketsPerBoard=str(server.cpu_sockets),
            CoresPerSocket=str(server.cpu_cores_per_socket),
            ThreadsPerCore=str(server.threads_per_core),
        )
    else:
        fields["SocketsPerBoard"] = str(server.cpu_sockets)
        notes.append(
            config_comment(f"# CPU cores of {entry.node} are not in the catalog: `slurmd -C` on a node prints its CPU line")
        )
    gpu_type = config_word(gres_type(entry.gpu)[0], "GPU type")
    fields.update(
        RealMemory=str(int(entry.memory_gb_per_node * 1024 * MEMORY_SHARE)),
        Gres=f"gpu:{gpu_type}:{entry.gpus_per_node}",
        Features=f"{config_word(entry.gpu, 'GPU id')},{config_word(entry.intra_node)},{config_word(entry.cooling)}",
        State="UNKNOWN",
    )
    return fields, notes


def _node_blocks(plan: Plan, catalog: Catalog) -> list[NodeBlock]:
    """Every NodeName line with its comments: the site's installed nodes first, then each new platform."""
    blocks = existing_node_blocks(plan, catalog, MEMORY_SHARE) if plan.existing is not None else []
    for platform in platforms(plan):
        entry = platform.entry
        if entry.existing_group is not None:
            continue
        fields, notes = _node_fields(platform, catalog)
        comment = config_comment(
            f"# {entry.count}x {entry.node_name}, {entry.gpus_per_node}x {entry.gpu_name} and {entry.memory_gb_per_node} GB each"
        )
        blocks.append(NodeBlock([comment, *notes], fields, (entry.gpu, entry.gpus_per_node)))
    return blocks


def _gres_line(hosts: str, gpu: str, count: int) -> dict[str, str]:
    return {
        "NodeName": hosts,
        "Name": "gpu",
        "Type": config_word(gres_type(gpu)[0], "GPU type"),
        "File": "/dev/nvidia0" if count == 1 else f"/dev/nvidia[0-{count - 1}]",
    }


def _line(first: str, fields: dict[str, str]) -> str:
    return " ".join([f"{first}={fields['name']}", *(f"{key}={value}" for key, value in fields.items() if key != "name")])


@dataclass(frozen=True)
class SlurmSettings:
    """What slurm.conf and gres.conf hold, as the keys and values a configuration role takes:
    ``config`` (cluster settings), ``nodes`` and ``partitions`` (``name`` and the line's other keys)
    and ``gres`` (gres.conf lines, ``NodeName`` first)."""

    config: dict[str, str]
    nodes: list[dict[str, str]]
    partitions: list[dict[str, str]]
    gres: list[dict[str, str]]


def slurm_settings(plan: Plan, catalog: Catalog | None = None) -> SlurmSettings:
    """The settings of the plan's Slurm files; raises ValueError for a plan without compute nodes."""
    catalog = catalog_or_shipped(catalog)
    require_ids(plan, catalog)
    if not plan.compute:
        raise ValueError(f"plan {plan.name!r} has no compute nodes; Slurm would have nothing to schedule")
    head = next((d.name for r in plan.racks for d in r.devices if d.role == "head"), head_name())
    if plan.existing is not None:  # the site's controller stays
        head = plan.existing.head_node
    config = {
        "ClusterName": _cluster_name(plan),
        "SlurmctldHost": config_word(head, "head node name"),
        "GresTypes": "gpu",
        "SelectType": "select/cons_tres",
        "SelectTypeParameters": "CR_Core_Memory",
        "TopologyPlugin": "topology/tree",
        "ProctrackType": "proctrack/cgroup",
        "TaskPlugin": "task/cgroup,task/affinity",
    }
    if plan.existing is not None:
        blocks = _node_blocks(plan, catalog)
        gres = [_gres_line(b.fields["name"], *b.gpu) for b in blocks if b.gpu is not None]
        gpu_hosts = [host for platform in platforms(plan) for host in platform.hosts]
        return SlurmSettings(config, [b.fields for b in blocks], existing_partitions(plan, gpu_hosts), gres)
    nodes, partitions, gres = [], [], []
    for index, platform in enumerate(platforms(plan)):
        count = platform.entry.gpus_per_node
        nodes.append(_node_fields(platform, catalog)[0])
        partitions.append(
            {
                "name": config_word(platform.key, "partition"),
                "Nodes": _hosts(platform.hosts),
                "Default": "YES" if index == 0 else "NO",
                "MaxTime": "INFINITE",
                "State": "UP",
            }
        )
        gres.append(_gres_line(_hosts(platform.hosts), platform.entry.gpu, count))
    return SlurmSettings(config, nodes, partitions, gres)


def slurm_conf(plan: Plan, catalog: Catalog | None = None) -> str:
    """slurm.conf: cluster settings for GPUs and the tree topology, node lines, one partition per platform."""
    catalog = catalog_or_shipped(catalog)
    settings = slurm_settings(plan, catalog)
    lines = _header(plan, "slurm.conf")
    lines.append("# Merge with the site's settings (authentication, accounting, logging, state directories).")
    lines += [f"{key}={value}" for key, value in settings.config.items()]
    lines += ["", f"# Compute nodes. RealMemory is {MEMORY_SHARE:.0%} of the installed memory (the rest: firmware and kernel)."]
    for block in _node_blocks(plan, catalog):
        lines += [*block.comments, _line("NodeName", block.fields)]
    partitions = "# One partition per platform."
    if plan.existing is not None and len(settings.partitions) > 1:
        partitions = (
            "# hpc: every node of the existing cluster (the default); ai: the GPU nodes, installed ones with cards and new ones."
        )
    elif plan.existing is not None:
        partitions = "# ai: the GPU nodes the plan adds (the spec lists no installed node for an hpc partition)."
    lines += ["", partitions, *(_line("PartitionName", p) for p in settings.partitions)]
    return "\n".join(lines) + "\n"


def gres_conf(plan: Plan, catalog: Catalog | None = None) -> str:
    """gres.conf: each platform's GPUs as NVIDIA device files, typed as NVML autodetection names them."""
    settings = slurm_settings(plan, catalog)
    lines = _header(plan, "gres.conf")
    lines += [
        "# Types are the GPUs' NVML names (lower case, '_' for spaces, vendor word dropped), so with NVML on the",
        "# nodes `AutoDetect=nvml` matches them and can stand for the File= lines.",
    ]
    gpus = [block.gpu[0] for block in _node_blocks(plan, catalog_or_shipped(catalog)) if block.gpu is not None]
    for gpu, record in zip(gpus, settings.gres, strict=True):
        if not gres_type(gpu)[1]:
            lines.append(
                config_comment(
                    f"# {gpu}: its NVML name is not known here; for AutoDetect=nvml, Type (here and in "
                    "slurm.conf's Gres=) must be a substring of the name `nvidia-smi --query-gpu=name` prints, "
                    "lower case, '_' for spaces"
                )
            )
        lines.append(" ".join(f"{key}={value}" for key, value in record.items()))
    return "\n".join(lines) + "\n"


def _leaf_units(plan: Plan, wired: Wiring) -> tuple[list[tuple[str, list[str]]], dict[str, str], list[str]]:
    """What Slurm sees at the bottom: (switch name, its nodes), the unit of each leaf, and comments.

    Leaf per node group: each leaf over the nodes that have most of their ports on it. Rail-optimised:
    a node is on every leaf of its rail group and Slurm wants each node under one leaf switch, so
    each rail group is one logical switch (no device) over its leaves' nodes.
    """
    hosts = {host for platform in platforms(plan) for host in platform.hosts if host in wired.leaf_of}
    leaves = wired.levels[0][1]
    if not wired.rail_groups:
        nodes_of: dict[str, list[str]] = {leaf: [] for leaf in leaves}
        for host in hosts:
            nodes_of[wired.leaf_of[host]].append(host)
        return [(leaf, sorted(nodes_of[leaf], key=natural_key)) for leaf in leaves], {leaf: leaf for leaf in leaves}, []
    units: list[tuple[str, list[str]]] = []
    unit_of: dict[str, str] = {}
    notes = [
        "# Rail-optimised fabric: adapter i of every node of a rail group is cabled to the group's leaf i.",
        f"# Each {RAIL_GROUP}NN is a logical switch (no device) standing for its group's leaves, so Slurm",
        "# places a job's nodes under one switch reaching them on every rail.",
    ]
    for number, (nodes, group_leaves) in enumerate(wired.rail_groups, start=1):
        name = f"{RAIL_GROUP}{number:02d}"
        units.append((name, sorted((n for n in nodes if n in hosts), key=natural_key)))
        unit_of.update(dict.fromkeys(group_leaves, name))
        notes.append(config_comment(f"# {name}: {compress(list(nodes))} on {compress(list(group_leaves))}"))
    return units, unit_of, notes


def _tree_lines(plan: Plan, wired: Wiring, only: set[str] | None = None) -> list[str]:
    hosts = {host for platform in platforms(plan) for host in platform.hosts}
    hosts = hosts if only is None else hosts & only
    leaves = wired.levels[0][1]
    units, unit_of, lines = _leaf_units(plan, wired)
    # a switch is written only with compute nodes below it; Slurm schedules nothing else
    kept = {name for name, nodes in units if nodes}
    lines += [f"SwitchName={config_word(name, 'switch')} Nodes={_hosts(nodes)}" for name, nodes in units if nodes]
    # what a switch reaches, as a bit per unit with nodes: each compute host is under exactly one unit
    reach = {name: 1 << bit for bit, name in enumerate(name for name, nodes in units if nodes)}
    every_unit = (1 << len(reach)) - 1
    whole = set().union(*(nodes for _, nodes in units)) == hosts
    skipped = [leaf for leaf in leaves if unit_of.get(leaf) not in kept]
    top = [name for name, nodes in units if nodes]
    for _level, names in wired.levels[1:]:
        top = []
        for name in names:
            children = [unit_of.get(child, child) for child in wired.children.get(name, ())]
            below = sorted({child for child in children if child in kept}, key=natural_key)
            if below:
                kept.add(name)
                top.append(name)
                reach[name] = functools.reduce(operator.or_, (reach[child] for child in below))
                lines.append(f"SwitchName={config_word(name, 'switch')} Switches={_hosts(below)}")
            else:
                skipped.append(name)
    if len(top) > 1 and not (whole and any(reach[name] == every_unit for name in top)):
        # Slurm places a job under one switch that reaches all its nodes; give it one
        lines.append(f"# {TOP_SWITCH}: a logical switch (no device) over the top level, so jobs can span the whole fabric.")
        lines.append(f"SwitchName={TOP_SWITCH} Switches={_hosts(top)}")
    if skipped:
        lines.append(config_comment(f"# No compute nodes below {compress(skipped)} (storage servers and head node only)."))
    return lines


def topology_conf(plan: Plan, catalog: Catalog | None = None) -> str:
    """topology.conf for the tree plugin: leaf switches over their nodes, spines over their leaves."""
    catalog = catalog_or_shipped(catalog)
    require_ids(plan, catalog)
    fabric = plan.fabric
    assert fabric is not None
    wired = wiring(plan, catalog)
    levels = (
        "one switch" if fabric.tiers == 1 else ", ".join(f"{len(names)} {level}" for level, names in wired.levels) + " switches"
    )
    if plan.existing is not None and plan.existing.fabric is not None:
        levels = f"new leaf switches: {fabric.leaf_switches}, the rest installed"
    lines = _header(plan, "topology.conf")
    lines.append(config_comment(f"# {fabric.name}, {fabric.link_gbps} Gb/s per node port; {levels}."))
    if plan.existing is not None and plan.existing.fabric is not None:
        lines += installed_tree(plan, wired, [host for platform in platforms(plan) for host in platform.hosts])
    elif plan.existing is not None and existing_hosts(plan):  # a fabric of its own: the installed nodes on theirs
        installed = existing_hosts(plan)
        new = {host for platform in platforms(plan) for host in platform.hosts} - set(installed)
        lines += _tree_lines(plan, wired, new) if new and wired.levels else []
        lines.append(
            f"# {INSTALLED_SWITCH}: a logical switch (no device) for the site's installed nodes, on a fabric of their own."
        )
        lines.append(f"SwitchName={INSTALLED_SWITCH} Nodes={_hosts(installed)}")
    else:
        lines += _tree_lines(plan, wired)
    return "\n".join(lines) + "\n"


def slurm_files(plan: Plan, catalog: Catalog | None = None) -> dict[str, str]:
    """The three files by name; raises ValueError for a plan without compute nodes (nothing to schedule)."""
    slurm_settings(plan, catalog)  # a plan without compute nodes: ValueError
    return {
        "slurm.conf": slurm_conf(plan, catalog),
        "gres.conf": gres_conf(plan, catalog),
        "topology.conf": topology_conf(plan, catalog),
    }
