"""Racks of the same content, drawn once with "x N" as vendor reference architectures draw a
scalable unit, and the model names a customer reads in place of catalog ids.

Two racks have the same content when everything the elevation shows of them but their names is
equal: the rack model, height and power limit; the figures under it (units used, maximum power,
heat, weight); and the same devices at the same positions, compared by catalog id, role, lowest
unit, height, maximum power, weight and the number of nodes inside a chassis. Device and node
names are left aside (cn001-cn003 in one rack, cn004-cn006 in the next are the same content). An
installed rack (an existing site's) is the same as another only with the same units and power
taken today and the same GPU cards going into its nodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.common.naming import natural_key

if TYPE_CHECKING:
    from primeflex_iac.plan.model import Plan, RackPlan

__all__ = ["MODEL_CHARS", "RackGroup", "card_notes", "model_names", "name_runs", "rack_groups", "short_model_name"]

MODEL_CHARS = 50  # longest model name in a box of the topology beside others


@dataclass(frozen=True)
class RackGroup:
    """Racks of the same content: the first one (drawn) and every rack's name, in plan order."""

    rack: RackPlan
    names: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.names)


def _content(plan: Plan, rack: RackPlan) -> tuple[object, ...]:
    devices = tuple(
        (d.catalog_id, d.role, d.position, d.height_u, d.power_max_w, d.weight_kg, len(d.nodes), d.face)
        for d in sorted(rack.devices, key=lambda d: (d.position, d.catalog_id))
    )
    figures = (rack.used_units, rack.power_max_w, rack.power_limit_w, rack.heat_btu_h, rack.weight_kg)
    installed = (rack.existing_units, rack.existing_power_w, tuple(card_notes(plan, rack))) if rack.existing else ()
    return (rack.catalog_id, rack.height_u, figures, devices, *installed)


def card_notes(plan: Plan, rack: RackPlan) -> list[str]:
    """An installed rack whose nodes take GPU cards, in lines short enough for a rack's width:
    "3 hpc nodes take GPU cards:", "1x Tesla T4 each: +210 W" (the watts: what the plan adds to the
    rack beyond its new devices)."""
    if plan.existing is None or not rack.existing:
        return []
    takers = [
        (group, group.upgraded_by_rack[rack.name]) for group in plan.existing.groups if group.upgraded_by_rack.get(rack.name)
    ]
    cards_w = rack.power_max_w - sum(device.power_max_w for device in rack.devices)
    notes = []
    for group, nodes in takers:
        entry = next((e for e in plan.compute if e.existing_group == group.name), None)
        gpu = entry.gpu_name.replace("NVIDIA ", "") if entry is not None else group.gpu
        watts = f": +{cards_w:,.0f} W" if len(takers) == 1 else ""
        notes += [
            f"{nodes} {group.name} node{'s' if nodes > 1 else ''} take GPU cards:",
            f"{group.gpus_per_node}x {gpu} each{watts}",
        ]
    if len(takers) > 1:
        notes.append(f"the cards: +{cards_w:,.0f} W")
    return notes


def rack_groups(plan: Plan) -> list[RackGroup]:
    """The plan's racks folded by content, in the order each content first appears."""
    groups: dict[tuple[object, ...], list[RackPlan]] = {}
    for rack in plan.racks:
        groups.setdefault(_content(plan, rack), []).append(rack)
    return [RackGroup(racks[0], tuple(r.name for r in racks)) for racks in groups.values()]


def model_names(plan: Plan) -> dict[str, str]:
    """Catalog id -> the model's name as the bill of materials gives it (the catalog's ``name``)."""
    names: dict[str, str] = {}
    for line in plan.bom:
        names.setdefault(line.catalog_id, line.item)
    return names


def short_model_name(plan: Plan, catalog_id: str) -> str:
    """A model's name without its parenthesised details when longer than MODEL_CHARS (the BOM has
    them), then cut after a word: boxes side by side stay narrow enough to print legibly."""
    name = model_names(plan).get(catalog_id, catalog_id)
    if len(name) > MODEL_CHARS:
        name = name.split(" (")[0]
    if len(name) <= MODEL_CHARS:
        return name
    cut = name.rfind(" ", 0, MODEL_CHARS)
    return name[: cut if cut > MODEL_CHARS // 2 else MODEL_CHARS] + "…"


_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def name_runs(names: tuple[str, ...] | list[str]) -> list[str]:
    """Names as runs of consecutive numbers: rack1, rack2, rack3, rack7 -> ["rack1–rack3", "rack7"]."""
    runs: list[list[str]] = []
    previous: tuple[str, int] | None = None  # prefix and number of the last name
    for name in sorted(names, key=natural_key):
        match = _NUMBERED.match(name)
        here = (match[1], int(match[2])) if match else None
        if runs and here and previous and here == (previous[0], previous[1] + 1):
            runs[-1].append(name)
        else:
            runs.append([name])
        previous = here
    return [run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs]
