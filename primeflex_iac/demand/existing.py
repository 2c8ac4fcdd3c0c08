"""The existing site as the solver needs it: upgrade candidates, the installed fabric, spare room.

Pure arithmetic over the spec's ``existing:`` section. Rules (each an interpretation where the
paper is silent, recorded here and in the plan's assumptions):
- GPU cards go into free slots of an existing group's nodes where the node's catalog build takes
  them (``gpu_upgrade``): the GPU build's GPU models, at a count within the free slots. Such a
  platform costs the cards only and adds their power only; the nodes keep their rack, fabric port
  and host name.
- A group's nodes spread evenly over its racks, in order (the first racks take one more where the
  count does not divide); a rack takes cards in as many of its nodes as its spare power allows
  (power_limit - power_used over the cards' maximum power), and the group keeps ``keep_cpu_only``
  nodes (or the nodes ``keep_cpu_cores`` needs) untouched.
- New compute enclosures, management and leaf switches go into existing racks' free units and spare
  power (solver/families/existing_racks.py) before new racks.
- The installed storage serves the training data when its capacity and read rate suffice; what it
  lacks is added as building blocks (no second metadata shelf: the file system has one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.common.validation_messages import unknown_name

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog, CpuNode
    from primeflex_iac.errors import Problem
    from primeflex_iac.spec.existing import Existing, ExistingNodes
    from primeflex_iac.spec.model import Spec

__all__ = ["Upgrade", "existing_problems", "group_racks", "kept_nodes", "upgrade_for", "upgrade_hosts"]


@dataclass(frozen=True)
class Upgrade:
    """GPU cards into free slots of one existing group's nodes."""

    group: str
    node: CpuNode
    hosts_by_rack: tuple[tuple[str, tuple[str, ...]], ...]  # (rack, the group's hosts in it) in rack order
    kept: int  # nodes the HPC partition keeps untouched
    per_rack: tuple[int, ...]  # nodes each rack's spare power lets take the cards

    @property
    def within_limits(self) -> int:
        """The most nodes that may take cards: the group less the kept nodes, within the racks' spare power."""
        hosts = sum(len(h) for _, h in self.hosts_by_rack)
        return max(0, min(hosts - self.kept, sum(self.per_rack)))

    @property
    def without_power_limit(self) -> int:
        """As many when the racks' spare power is not held (an explanation relaxing the existing site)."""
        return max(0, sum(len(h) for _, h in self.hosts_by_rack) - self.kept)


def kept_nodes(group: ExistingNodes, node: CpuNode) -> int:
    """Nodes the HPC partition keeps: keep_cpu_only, or whole nodes for keep_cpu_cores, whichever is more."""
    cores = node.cpu_sockets * node.cpu_cores_per_socket
    return min(group.count, max(group.keep_cpu_only, math.ceil(group.keep_cpu_cores / cores)))


def group_racks(group: ExistingNodes) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The group's hosts by rack: spread evenly over its racks in order, the first racks one more."""
    hosts = group.hosts
    racks = group.racks or ["(unplaced)"]
    share, extra = divmod(len(hosts), len(racks))
    found: list[tuple[str, tuple[str, ...]]] = []
    start = 0
    for index, rack in enumerate(racks):
        size = share + (1 if index < extra else 0)
        found.append((rack, tuple(hosts[start : start + size])))
        start += size
    return tuple(found)


def upgrade_for(existing: Existing, group: ExistingNodes, node: CpuNode, added_w: float) -> Upgrade:
    """The upgrade of ``group`` with cards adding ``added_w`` per node (maximum power)."""
    racks = {r.name: r for r in existing.racks}
    by_rack = group_racks(group)
    per_rack = tuple(
        min(len(hosts), int(racks[name].spare_w // added_w) if added_w > 0 else len(hosts)) if name in racks else 0
        for name, hosts in by_rack
    )
    return Upgrade(group.name, node, by_rack, kept_nodes(group, node), per_rack)


def upgrade_hosts(upgrade: Upgrade, nodes: int) -> list[tuple[str, str]]:
    """(rack, host) of the ``nodes`` nodes that take cards: racks in order, each up to its limit, its
    first hosts first; the rest of each rack's hosts stay CPU-only."""
    chosen: list[tuple[str, str]] = []
    for (rack, hosts), limit in zip(upgrade.hosts_by_rack, upgrade.per_rack, strict=True):
        take = min(limit, len(hosts), nodes - len(chosen))
        chosen.extend((rack, host) for host in hosts[:take])
    if len(chosen) < nodes:  # only where an explanation relaxed the racks' spare power
        taken = set(chosen)
        spare = [(rack, host) for rack, hosts in upgrade.hosts_by_rack for host in hosts if (rack, host) not in taken]
        chosen.extend(spare[: nodes - len(chosen)])
    return chosen


def existing_problems(spec: Spec, catalog: Catalog) -> list[Problem]:
    """Every catalog id the spec's ``existing:`` names must exist and fit; one problem per id that does not."""
    existing = spec.existing
    if existing is None:
        return []
    problems: list[Problem] = []
    for index, group in enumerate(existing.nodes):
        where = ("existing", "nodes", index)
        node = catalog.cpu_nodes.get(group.node)
        if node is None:
            problems.append(spec.problem((*where, "node"), unknown_name("CPU-only node id", group.node, catalog.cpu_nodes)))
        elif group.free_gpu_slots and node.gpu_upgrade is None:
            message = f"{group.node} takes no GPU cards (the catalog gives it no gpu_upgrade build): free_gpu_slots must be 0"
            problems.append(spec.problem((*where, "free_gpu_slots"), message))
    fabric = existing.fabric
    if fabric is not None:
        known = catalog.fabrics.get(fabric.technology)
        if known is None:
            problems.append(
                spec.problem(("existing", "fabric", "technology"), unknown_name("fabric id", fabric.technology, catalog.fabrics))
            )
        elif fabric.mode is not None and fabric.mode not in [m.name for m in known.modes]:
            modes = [m.name for m in known.modes]
            problems.append(spec.problem(("existing", "fabric", "mode"), unknown_name("mode", fabric.mode, modes)))
        if fabric.switch is not None and fabric.switch not in catalog.switches:
            problems.append(
                spec.problem(("existing", "fabric", "switch"), unknown_name("switch id", fabric.switch, catalog.switches))
            )
    installed, wanted = existing.storage, spec.storage
    if installed is not None and wanted is not None and installed.file_system != wanted.file_system:
        message = f"the site runs {installed.file_system}: storage blocks extend it, so storage.file_system must match"
        problems.append(spec.problem(("storage", "file_system"), message))
    for category in ("cluster_manager", "scheduler"):
        chosen = getattr(existing.software, category)
        options = sorted(s.id for s in catalog.software.values() if s.category == category)
        if chosen is not None and chosen not in options:
            problems.append(spec.problem(("existing", "software", category), unknown_name(category, chosen, options)))
    return problems
