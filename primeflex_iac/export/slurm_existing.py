"""Slurm on an existing site (``plan.existing``): the site's nodes and the plan's GPU nodes in one cluster.

- every installed node stays in an ``hpc`` partition (the default), host names as the spec gives
  them, CPU figures of its catalog CPU-only node; the GPU nodes (installed nodes that take cards,
  and new nodes) form an ``ai`` partition; a node is in both where it is an installed node with cards;
- NodeName lines carry ``Gres=`` only where GPUs are, and gres.conf lists only those nodes;
- the controller is the site's head node;
- topology.conf: the installed fabric's switches are not in the plan, so a logical switch
  ``installed`` (no device) stands for them, over the installed nodes and the new nodes cabled to
  its free leaf ports; new leaves (their uplinks on its spines' free ports) hang with it under a
  logical ``top``. A site with its own topology.conf keeps its lines and adds the new leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.common.devices import INSTALLED_FABRIC
from primeflex_iac.common.escape import config_comment, config_word
from primeflex_iac.common.hostlist import compress
from primeflex_iac.common.naming import natural_key
from primeflex_iac.export.gpus import gres_type

if TYPE_CHECKING:
    from collections.abc import Iterable

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.export.cluster import Wiring
    from primeflex_iac.plan.model import Plan

__all__ = [
    "HPC_PARTITION",
    "INSTALLED_SWITCH",
    "NodeBlock",
    "existing_hosts",
    "existing_node_blocks",
    "installed_tree",
]

HPC_PARTITION = "hpc"
AI_PARTITION = "ai"
INSTALLED_SWITCH = "installed"  # topology.conf: the installed fabric, one logical switch


@dataclass(frozen=True)
class NodeBlock:
    """One NodeName line: comments above it, its fields (``name`` first), and its GPUs (id, per node) if any."""

    comments: list[str]
    fields: dict[str, str]
    gpu: tuple[str, int] | None


def hosts_expression(names: Iterable[str]) -> str:
    return compress(config_word(name, "host name") for name in names)


def existing_hosts(plan: Plan) -> list[str]:
    """Every installed node of the site, group by group in the spec's order."""
    return [host for group in plan.existing.groups for host in group.hosts] if plan.existing is not None else []


def existing_node_blocks(plan: Plan, catalog: Catalog, memory_share: float) -> list[NodeBlock]:
    """NodeName lines of the installed nodes: those left CPU-only, then those with cards, group by group."""
    assert plan.existing is not None
    blocks = []
    entries = {entry.existing_group: entry for entry in plan.compute if entry.existing_group is not None}
    for group in plan.existing.groups:
        node = catalog.cpu_nodes.get(group.node)
        if node is None:
            raise ValueError(
                f"plan names CPU-only node {group.node!r} the catalog lacks; give the catalog overlays it was solved with"
            )
        cpu = {
            "CPUs": str(node.cpu_sockets * node.cpu_cores_per_socket * node.threads_per_core),
            "Boards": "1",
            "SocketsPerBoard": str(node.cpu_sockets),
            "CoresPerSocket": str(node.cpu_cores_per_socket),
            "ThreadsPerCore": str(node.threads_per_core),
            "RealMemory": str(int(node.memory_gb * 1024 * memory_share)),
        }
        upgraded = set(group.upgraded)
        kept = [host for host in group.hosts if host not in upgraded]
        if kept:
            blocks.append(
                NodeBlock(
                    [config_comment(f"# existing {group.name}: {len(kept)}x {node.name}, {node.memory_gb} GB each")],
                    {
                        "name": hosts_expression(kept),
                        **cpu,
                        "Features": f"{config_word(group.node, 'node id')},cpu-only",
                        "State": "UNKNOWN",
                    },
                    None,
                )
            )
        entry = entries.get(group.name)
        if group.upgraded and entry is not None:
            gpu_type = config_word(gres_type(entry.gpu)[0], "GPU type")
            blocks.append(
                NodeBlock(
                    [
                        config_comment(
                            f"# existing {group.name} with cards: {len(group.upgraded)}x {node.name}, "
                            f"{entry.gpus_per_node}x {entry.gpu_name} added in free slots"
                        )
                    ],
                    {
                        "name": hosts_expression(group.upgraded),
                        **cpu,
                        "Gres": f"gpu:{gpu_type}:{entry.gpus_per_node}",
                        "Features": f"{config_word(entry.gpu, 'GPU id')},{config_word(entry.intra_node)},{config_word(entry.cooling)}",
                        "State": "UNKNOWN",
                    },
                    (entry.gpu, entry.gpus_per_node),
                )
            )
    return blocks


def existing_partitions(plan: Plan, gpu_hosts: Iterable[str]) -> list[dict[str, str]]:
    """``hpc`` (every installed node, the default) and ``ai`` (the GPU nodes, ``gpu_hosts``); a site
    whose spec lists no installed nodes has no ``hpc`` partition to write, and ``ai`` is the default."""
    installed = existing_hosts(plan)
    partitions = []
    if installed:
        partitions.append(
            {"name": HPC_PARTITION, "Nodes": hosts_expression(installed), "Default": "YES", "MaxTime": "INFINITE", "State": "UP"}
        )
    partitions.append(
        {
            "name": AI_PARTITION,
            "Nodes": hosts_expression(sorted(gpu_hosts, key=natural_key)),
            "Default": "NO" if installed else "YES",
            "MaxTime": "INFINITE",
            "State": "UP",
        }
    )
    return partitions


def installed_tree(plan: Plan, wired: Wiring, gpu_hosts: Iterable[str]) -> list[str]:
    """topology.conf lines of an existing site whose installed fabric the plan's ports join."""
    on_installed = set(existing_hosts(plan))
    new_hosts = set(gpu_hosts) - on_installed
    below: dict[str, list[str]] = {}
    for host in new_hosts:
        below.setdefault(wired.leaf_of.get(host, INSTALLED_FABRIC), []).append(host)
    on_installed |= set(below.pop(INSTALLED_FABRIC, []))
    lines = [
        f"# {INSTALLED_SWITCH}: a logical switch (no device) standing for the site's installed fabric: its nodes and",
        "# the new nodes on its free leaf ports. A site with its own topology.conf lines keeps them instead.",
        f"SwitchName={INSTALLED_SWITCH} Nodes={hosts_expression(sorted(on_installed, key=natural_key))}",
    ]
    leaves = [leaf for leaf in wired.levels[0][1] if below.get(leaf)] if wired.levels else []
    lines += [
        f"SwitchName={config_word(leaf, 'switch')} Nodes={hosts_expression(sorted(below[leaf], key=natural_key))}"
        for leaf in leaves
    ]
    spines = list(wired.levels[1][1]) if len(wired.levels) > 1 else []
    lines += [
        f"SwitchName={config_word(spine, 'switch')} Switches={hosts_expression(list(wired.children.get(spine, ())))}"
        for spine in spines
        if wired.children.get(spine)
    ]
    if spines:  # a new spine level, joined to the installed fabric
        lines.append("# top: a logical switch (no device): the new spines' links go to the installed fabric.")
        lines.append(f"SwitchName=top Switches={hosts_expression([INSTALLED_SWITCH, *spines])}")
    elif leaves:
        lines.append("# top: a logical switch (no device): the new leaves' uplinks go to the installed fabric's spines.")
        lines.append(f"SwitchName=top Switches={hosts_expression([INSTALLED_SWITCH, *leaves])}")
    return lines
