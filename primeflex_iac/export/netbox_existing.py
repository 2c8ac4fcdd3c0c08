"""A NetBox bundle of a plan on an existing site (``plan.existing``): what of the site it holds.

Choices (interpretations; the README of the bundle says them too):
- the site's objects the plan touches are in the bundle, ``active`` and tagged ``existing`` as well
  as with the design's tag: the installed racks it adds devices or cards to, and the installed
  nodes that take GPU cards (their type: the GPU build they become; their rack from the plan, their
  position unknown, so none). Installed nodes the plan leaves alone are not: the site's own records
  hold them, and a design bundle that re-created 200 untouched nodes would only clash with those;
- new devices are ``planned`` with the design's tag, in new and installed racks alike;
- the installed fabric's switches and the site's head node are not modelled (the plan knows their
  free port counts, not their names or types): cables to them are not cable objects but lines of
  ports-to-patch.csv, the new ports to patch on the installed fabric and management network;
- installed racks get no power panel, feed or PDU of ours (the site's power path feeds them): the
  inlets of new devices in them are listed, not cabled.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from primeflex_iac.common.devices import INSTALLED_FABRIC

if TYPE_CHECKING:
    from collections.abc import Iterable

    from primeflex_iac.plan.management import Link
    from primeflex_iac.plan.model import Plan, RackPlan

__all__ = ["EXISTING_TAG", "existing_devices", "existing_rack", "patch_csv", "patch_lines", "readme_section"]

EXISTING_TAG = "existing"
_PATCH_COLUMNS = ("device", "interface", "network", "patch_to", "cable")


def existing_rack(plan: Plan, rack: RackPlan, tags: list[str]) -> dict[str, Any]:
    """An installed rack the plan adds to: ``active``, what it holds today and what the plan adds."""
    free = rack.height_u - rack.existing_units
    return {
        "site": plan.name,
        "name": rack.name,
        "status": "active",
        "width": 19,
        "u_height": rack.height_u,
        "description": f"installed rack: {free}U were free, {rack.existing_power_w / 1000:,.2f} kW of "
        f"{rack.power_limit_w / 1000:,.1f} kW used; the plan adds {rack.used_units}U, {rack.power_max_w / 1000:,.2f} kW"[:200],
        "tags": [*tags, EXISTING_TAG],
    }


def existing_devices(plan: Plan, types: dict[str, dict[str, Any]], role: str, tags: list[str]) -> list[dict[str, Any]]:
    """The installed nodes that take GPU cards: ``active``, in their rack (the plan gives counts per rack, in host order)."""
    if plan.existing is None:
        return []
    records = []
    entries = {entry.existing_group: entry for entry in plan.compute if entry.existing_group is not None}
    for group in plan.existing.groups:
        entry = entries.get(group.name)
        if entry is None or not group.upgraded:
            continue
        kind = types[entry.node]
        racks = [rack for rack, count in group.upgraded_by_rack.items() for _ in range(count)]
        for index, host in enumerate(group.upgraded):
            record = {
                "name": host,
                "role": role,
                "manufacturer": kind["manufacturer"],
                "device_type": kind["model"],
                "site": plan.name,
                "status": "active",
                "description": f"installed node of {group.name}: {entry.gpus_per_node}x {entry.gpu_name} added in free slots"[
                    :200
                ],
                "tags": [*tags, EXISTING_TAG],
            }
            if index < len(racks):
                record["rack"] = racks[index]
            records.append(record)
    return records


def patch_lines(links: Iterable[Link], modelled: set[str]) -> list[dict[str, str]]:
    """Cables with an end the bundle does not model (the installed fabric, the site's head node), one per line."""
    lines = []
    for link in links:
        if link.a.device in modelled and link.b.device in modelled:
            continue
        ours, theirs = (link.a, link.b) if link.a.device in modelled else (link.b, link.a)
        if theirs.device == INSTALLED_FABRIC:
            kind = "leaf" if "leaf" in theirs.interface else "spine"
            where = f"a free {kind} port of the installed fabric ({theirs.interface})"
        else:
            where = f"{theirs.device} {theirs.interface} (installed)"
        lines.append(
            {"device": ours.device, "interface": ours.interface, "network": link.network, "patch_to": where, "cable": link.cable}
        )
    return lines


def patch_csv(lines: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_PATCH_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(lines)
    return out.getvalue()


def readme_section(plan: Plan, patches: int) -> str:
    """The README's paragraph on what of the existing site the bundle holds."""
    if plan.existing is None:
        return ""
    return f"""
Existing site: the plan joins an installed cluster (head node {plan.existing.head_node}). Objects of the
site the plan touches carry the tag `{EXISTING_TAG}` too and are `active`: the installed racks it adds to
and the installed nodes that take GPU cards (no rack position: the plan does not know it). Installed
nodes it leaves alone are not in the bundle (the site's own records hold them); new devices are
`planned`. The installed fabric's switches, the head node and the site's management switch are not
modelled: the {patches} cables to them are listed in ports-to-patch.csv (device, interface, network,
where to patch), not in cables.yaml. Installed racks get no power panel, feed or PDU of ours: their
new devices' inlets go to the site's PDUs. Files with no records (`[]`) have nothing to import.
"""
