"""What a plan for an existing site (``plan.existing``) changes there, and what it leaves alone, in
sentences: the report's section "Changes to the existing site" and the CLI summary's line.

Text here is plain text: names come from the spec (validated, but every output still escapes them:
the HTML template by autoescape, the Markdown one with its ``md`` filter).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.common.hostlist import compress
from primeflex_iac.plan.cabling import layout_of
from primeflex_iac.render.rack_groups import model_names, name_runs

if TYPE_CHECKING:
    from primeflex_iac.plan.existing_model import ExistingGroupPlan, ExistingSitePlan
    from primeflex_iac.plan.model import ComputeEntry, Plan

__all__ = ["ExistingSite", "existing_site", "existing_summary", "upgrade_text"]


@dataclass(frozen=True)
class ExistingSite:
    """The report's section: what changes (``changes``) and what stays as it is (``untouched``)."""

    changes: list[str]
    untouched: list[str]


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def _gpu(plan: Plan, group: ExistingGroupPlan) -> str:
    entry = next((e for e in plan.compute if e.existing_group == group.name), None)
    return entry.gpu_name if entry is not None else group.gpu or "GPU"


def upgrade_text(entry: ComputeEntry) -> str:
    """A compute entry of cards into installed nodes: "1x NVIDIA Tesla T4 into each of 3 existing hpc nodes"."""
    return f"{entry.gpus_per_node}x {entry.gpu_name} into each of {_plural(entry.count, 'existing ' + str(entry.existing_group) + ' node')}"


def _by_rack(counts: dict[str, int]) -> str:
    return ", ".join(f"{rack} ({count:,})" for rack, count in counts.items())


def _new_nodes(plan: Plan) -> list[str]:
    """New compute nodes and the racks they go into, installed ones named as such."""
    layout = layout_of(plan)
    installed = {rack.name for rack in plan.racks if rack.existing}
    where = ", ".join(
        f"{group.rack} ({'existing, ' if group.rack in installed else 'new, '}{_plural(len(group.nodes), 'node')})"
        for group in layout.groups
    )
    lines = []
    for entry in plan.compute:
        if entry.existing_group is None:
            names = compress(layout.compute_nodes)
            lines.append(
                f"New compute nodes: {entry.count:,}x {entry.node_name} with {entry.gpus_per_node}x {entry.gpu_name} each "
                f"({names}), in {where}."
            )
    return lines


def _racks(plan: Plan, site: ExistingSitePlan) -> list[str]:
    lines = []
    placed = {rack.name: rack.devices for rack in plan.racks if rack.existing}
    for rack in site.racks:
        if rack.new_units or rack.new_power_w:
            spare = rack.power_limit_w - rack.power_used_w
            names = name_runs([d.name for d in placed.get(rack.name, [])])
            units = f"{', '.join(names)} in " if names else ""
            units += f"{rack.new_units} of its {rack.free_units} free units, " if rack.new_units else ""
            lines.append(f"Rack {rack.name} (existing): {units}+{rack.new_power_w:,.0f} W of {spare:,.0f} W spare power.")
    new = [rack for rack in plan.racks if not rack.existing]
    if new:
        what = "; ".join(f"{rack.name} ({', '.join(name_runs([d.name for d in rack.devices]))})" for rack in new)
        lines.append(f"{_plural(len(new), 'new rack')}: {what}.")
    return lines


def _fabric(plan: Plan, site: ExistingSitePlan) -> list[str]:
    fabric, use = plan.fabric, site.fabric
    if fabric is None or use is None:
        return []
    text = f"Fabric ({fabric.name}): {use.leaf_ports_used} of its {use.free_leaf_ports} free leaf ports for new ports"
    if use.new_spines:
        model = model_names(plan).get(fabric.switch, fabric.switch)
        joined = f"{use.spine_ports_used} of its {use.free_spine_ports} free spine ports"
        if use.join_leaf_ports:
            joined += f" and {use.join_leaf_ports} free leaf ports"
        text += (
            f"; a new spine level ({model}): {_plural(use.new_leaves, 'new leaf switch', 'new leaf switches')} for every "
            f"new port under {_plural(use.new_spines, 'new spine switch', 'new spine switches')}, one link from each "
            f"spine into the installed fabric on {joined}"
        )
    elif use.new_leaves:
        model = model_names(plan).get(fabric.switch, fabric.switch)
        text += (
            f"; {_plural(use.new_leaves, 'new leaf switch', 'new leaf switches')} ({model}) for the rest, their uplinks on "
            f"{use.spine_ports_used} of the {use.free_spine_ports} free spine ports"
        )
    else:
        text += "; no new switch"
    lines = [text + "."]
    if site.management_ports_used and site.management_switch is not None:
        lines.append(
            f"{_plural(site.management_ports_used, 'management port')} of new devices on free ports of the site's "
            f"management switch {site.management_switch}."
        )
    if fabric.management_switches:
        lines.append(
            f"{_plural(fabric.management_switches, 'new management switch', 'new management switches')}, "
            f"uplinked to the site's management network."
        )
    return lines


def _loop_and_storage(plan: Plan, site: ExistingSitePlan) -> list[str]:
    lines = []
    if site.water_loop:
        lines.append(
            f"Water loop: the new water-cooled compute puts up to {site.water_heat_w / 1000:,.1f} kW on it, "
            f"of {site.spare_heat_removal_w / 1000:,.1f} kW spare."
        )
    if site.storage is not None:
        installed = (
            f"the existing {site.storage.file_system} ({site.storage.usable_tib:,.0f} TiB, {site.storage.read_gbs:,.1f} GB/s)"
        )
        if site.storage.extended and plan.storage is not None:
            lines.append(f"Storage: {installed} is extended by {plan.storage.usable_tib:,.1f} TiB.")
        else:
            lines.append(f"Storage: {installed} is used as is.")
    return lines


def existing_site(plan: Plan) -> ExistingSite | None:
    """The report's section, or None for a plan of a new cluster."""
    site = plan.existing
    if site is None:
        return None
    changes = [
        f"GPU cards: {group.gpus_per_node}x {_gpu(plan, group)} into each of {_plural(len(group.upgraded), group.name + ' node')} "
        f"({compress(group.upgraded)}), in {_by_rack(group.upgraded_by_rack)}."
        for group in site.groups
        if group.upgraded
    ]
    changes += _new_nodes(plan) + _racks(plan, site) + _fabric(plan, site) + _loop_and_storage(plan, site)
    untouched = []
    for group in site.groups:
        upgraded = set(group.upgraded)
        left = [host for host in group.hosts if host not in upgraded]
        if left:
            untouched.append(
                f"Nodes of {group.name}: {_plural(len(left), 'node')} ({compress(left)}) stay CPU-only as they are "
                f"(at least {group.kept:,} kept for HPC work)."
            )
    drawn = {rack.name for rack in plan.racks}
    left_racks = [rack.name for rack in site.racks if rack.name not in drawn]
    if left_racks:
        untouched.append(f"Racks {', '.join(name_runs(left_racks))}: nothing added.")
    software = " and ".join(name for name in (site.cluster_manager, site.scheduler) if name)
    untouched.append(f"Head node {site.head_node}" + (f", {software}" if software else "") + ": the site's, no new one.")
    if site.fabric is not None:
        untouched.append("The installed switches and their cabling: new cables go into free ports only.")
    return ExistingSite(changes, untouched)


def existing_summary(plan: Plan) -> str:
    """The CLI summary's line: "cards into 3 of 200 hpc nodes (r01); 197 stay CPU-only; no new rack"."""
    site = plan.existing
    assert site is not None
    parts = [
        f"cards into {len(group.upgraded):,} of {len(group.hosts):,} {group.name} nodes ({', '.join(group.upgraded_by_rack)})"
        for group in site.groups
        if group.upgraded
    ]
    layout = layout_of(plan)
    new_nodes = Counter({group.rack: len(group.nodes) for group in layout.groups})
    if new_nodes:
        parts.append(f"{_plural(sum(new_nodes.values()), 'new node')} in {', '.join(new_nodes)}")
    parts += [
        f"{len(g.hosts) - len(g.upgraded):,} {g.name} nodes stay CPU-only" for g in site.groups if len(g.hosts) > len(g.upgraded)
    ]
    new_racks = [rack.name for rack in plan.racks if not rack.existing]
    parts.append(f"{_plural(len(new_racks), 'new rack')} ({', '.join(new_racks)})" if new_racks else "no new rack")
    return "; ".join(parts)
