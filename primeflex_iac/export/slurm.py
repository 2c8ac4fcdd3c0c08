"""Slurm configuration of a plan: slurm.conf (nodes and one partition per platform), gres.conf
(the GPUs of each node) and topology.conf (the tree plugin's switches over nodes and switches).

Written to the grammar of slurm.conf(5), gres.conf(5) and topology.conf(5): ``Key=Value`` pairs
on one line per node set, partition or switch, host sets as hostlist expressions (cn[001-064]),
``#`` comments. The settings beyond nodes, partitions and switches are the ones GPU nodes and the
tree topology need; a site merges them with its own (authentication, accounting, logging).
"""

from __future__ import annotations

import functools
import operator
import re
from typing import TYPE_CHECKING

from primeflex_iac.common.devices import head_name
from primeflex_iac.common.escape import config_comment, config_word
from primeflex_iac.common.naming import natural_key
from primeflex_iac.export.cluster import catalog_or_shipped, platforms, require_ids, wiring
from primeflex_iac.export.hostlist import compress

if TYPE_CHECKING:
    from collections.abc import Iterable

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.export.cluster import Platform, Wiring
    from primeflex_iac.plan.model import Plan

__all__ = ["MEMORY_SHARE", "RAIL_GROUP", "TOP_SWITCH", "gres_conf", "slurm_conf", "slurm_files", "topology_conf"]

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


def _node_line(platform: Platform, catalog: Catalog) -> tuple[str, list[str]]:
    entry = platform.entry
    server = catalog.servers[entry.node]
    fields = [f"NodeName={_hosts(platform.hosts)}"]
    notes = []
    if server.cpu_cores_per_socket is not None:
        cpus = server.cpu_sockets * server.cpu_cores_per_socket * server.threads_per_core
        fields += [
            f"CPUs={cpus}",
            "Boards=1",
            f"SocketsPerBoard={server.cpu_sockets}",
            f"CoresPerSocket={server.cpu_cores_per_socket}",
            f"ThreadsPerCore={server.threads_per_core}",
        ]
    else:
        fields.append(f"SocketsPerBoard={server.cpu_sockets}")
        notes.append(
            config_comment(f"# CPU cores of {entry.node} are not in the catalog: `slurmd -C` on a node prints its CPU line")
        )
    fields += [
        f"RealMemory={int(entry.memory_gb_per_node * 1024 * MEMORY_SHARE)}",
        f"Gres=gpu:{config_word(entry.gpu, 'GPU id')}:{entry.gpus_per_node}",
        f"Features={config_word(entry.gpu, 'GPU id')},{config_word(entry.intra_node)},{config_word(entry.cooling)}",
        "State=UNKNOWN",
    ]
    return " ".join(fields), notes


def slurm_conf(plan: Plan, catalog: Catalog | None = None) -> str:
    """slurm.conf: cluster settings for GPUs and the tree topology, node lines, one partition per platform."""
    catalog = catalog_or_shipped(catalog)
    require_ids(plan, catalog)
    head = next((d.name for r in plan.racks for d in r.devices if d.role == "head"), head_name())
    lines = _header(plan, "slurm.conf")
    lines += [
        "# Merge with the site's settings (authentication, accounting, logging, state directories).",
        f"ClusterName={_cluster_name(plan)}",
        f"SlurmctldHost={config_word(head, 'head node name')}",
        "GresTypes=gpu",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core_Memory",
        "TopologyPlugin=topology/tree",
        "ProctrackType=proctrack/cgroup",
        "TaskPlugin=task/cgroup,task/affinity",
        "",
        f"# Compute nodes. RealMemory is {MEMORY_SHARE:.0%} of the installed memory (the rest: firmware and kernel).",
    ]
    partitions = []
    for index, platform in enumerate(platforms(plan)):
        entry = platform.entry
        lines.append(
            config_comment(
                f"# {entry.count}x {entry.node_name}, {entry.gpus_per_node}x {entry.gpu_name} and {entry.memory_gb_per_node} GB each"
            )
        )
        node_line, notes = _node_line(platform, catalog)
        lines += [*notes, node_line]
        default = "YES" if index == 0 else "NO"
        partitions.append(
            f"PartitionName={config_word(platform.key, 'partition')} Nodes={_hosts(platform.hosts)} "
            f"Default={default} MaxTime=INFINITE State=UP"
        )
    lines += ["", "# One partition per platform.", *partitions]
    return "\n".join(lines) + "\n"


def gres_conf(plan: Plan, catalog: Catalog | None = None) -> str:
    """gres.conf: each platform's GPUs as NVIDIA device files."""
    require_ids(plan, catalog_or_shipped(catalog))
    lines = _header(plan, "gres.conf")
    lines.append("# With NVIDIA's NVML on the nodes, `AutoDetect=nvml` can stand for the File= lines.")
    for platform in platforms(plan):
        count = platform.entry.gpus_per_node
        files = "/dev/nvidia0" if count == 1 else f"/dev/nvidia[0-{count - 1}]"
        gpu = config_word(platform.entry.gpu, "GPU id")
        lines.append(f"NodeName={_hosts(platform.hosts)} Name=gpu Type={gpu} File={files}")
    return "\n".join(lines) + "\n"


def _leaf_units(plan: Plan, wired: Wiring) -> tuple[list[tuple[str, list[str]]], dict[str, str], list[str]]:
    """What Slurm sees at the bottom: (switch name, its nodes), the unit of each leaf, and comments.

    Leaf per node group: each leaf over the nodes that have most of their ports on it. Rail-optimised:
    a node is on every leaf of its rail group and Slurm wants each node under one leaf switch, so
    each rail group is one logical switch (no device) over its leaves' nodes.
    """
    hosts = {host for platform in platforms(plan) for host in platform.hosts}
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


def _tree_lines(plan: Plan, wired: Wiring) -> list[str]:
    hosts = {host for platform in platforms(plan) for host in platform.hosts}
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
    lines = _header(plan, "topology.conf")
    lines.append(config_comment(f"# {fabric.name}, {fabric.link_gbps} Gb/s per node port; {levels}."))
    lines += _tree_lines(plan, wired)
    return "\n".join(lines) + "\n"


def slurm_files(plan: Plan, catalog: Catalog | None = None) -> dict[str, str]:
    """The three files by name; raises ValueError for a plan without compute nodes (nothing to schedule)."""
    if not plan.compute:
        raise ValueError(f"plan {plan.name!r} has no compute nodes; Slurm would have nothing to schedule")
    return {
        "slurm.conf": slurm_conf(plan, catalog),
        "gres.conf": gres_conf(plan, catalog),
        "topology.conf": topology_conf(plan, catalog),
    }
