"""The power path of a NetBox bundle: a power panel per rack, two feeds (A primary, B redundant),
two 0U PDUs fed by them, and a power cable from every inlet of every device to a PDU outlet.

NetBox's rack power utilisation is the allocated draw reaching the rack's feeds over their cables
(a PDU inlet with no draw of its own adds up its outlets' devices) against what the feeds
supply. Choices (assumptions, a site replaces them with its own):
- each feed alone carries the rack's power limit (A+B redundancy), three-phase 400 V, used to
  80 %, on the smallest standard breaker that does: ``amperage`` = the first of 16, 20, 25, 32,
  40, 50, 63, 80, 100, 125, 160, 200, 250 A with 400 V x sqrt(3) x A x 80 % >= the limit (past
  250 A, the next 10 A); NetBox then reports the rack's draw against both feeds together;
- a device's inlets alternate between the A and the B PDU (the first on A), C14 inlets on C13
  outlets and C20 on C19, numbered in the rack's device order from the top;
- one PDU model for the plan: a generic 0U three-phase PDU with an IEC 60309 inlet and as many
  C13 and C19 outlets as the fullest rack side needs, rounded up to a multiple of 6.

The feed-to-PDU cables come first among the power cables: NetBox's cable import finds a feed by
its power panel (``side_a_power_panel``, as NetBox 4.7 does; checked by importing bundles into a
real NetBox, ``tests/export/test_netbox_import.py``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from primeflex_iac.plan.model import Plan

__all__ = ["BREAKERS", "FEED_UTILISATION", "FEED_VOLTAGE", "Power", "power"]

FEED_VOLTAGE = 400
FEED_UTILISATION = 80  # percent
BREAKERS = (16, 20, 25, 32, 40, 50, 63, 80, 100, 125, 160, 200, 250)
_OUTLET = {"iec-60320-c14": ("iec-60320-c13", "C13"), "iec-60320-c20": ("iec-60320-c19", "C19")}
_SIDES = ("a", "b")
_INLET = "Inlet"
PDU_MODEL = "0U PDU, 3-phase 400 V"


@dataclass
class Power:
    """The records of the power path, each list in the order it is imported."""

    panels: list[dict[str, Any]] = field(default_factory=list)
    feeds: list[dict[str, Any]] = field(default_factory=list)
    pdus: list[dict[str, Any]] = field(default_factory=list)  # device records, by rack
    pdu_type: dict[str, Any] | None = None
    cables: list[dict[str, Any]] = field(default_factory=list)  # feeds to PDU inlets, then inlets to outlets


def _amperage(watts: float) -> int:
    per_amp = FEED_VOLTAGE * math.sqrt(3) * FEED_UTILISATION / 100
    needed = watts / per_amp
    return next((a for a in BREAKERS if a >= needed), 10 * math.ceil(needed / 10))


def _pdu_type(outlets: Counter[str]) -> dict[str, Any]:
    counts = {kind: 6 * math.ceil(outlets[kind] / 6) for kind in ("iec-60320-c13", "iec-60320-c19") if outlets[kind]}
    label = ", ".join(f"{n}x {kind[-3:].upper()}" for kind, n in counts.items())
    model = f"{PDU_MODEL}, {label}" if label else PDU_MODEL
    legs = ("A", "B", "C")
    names = [(kind, n) for kind, count in counts.items() for n in range(count)]
    return {
        "manufacturer": "Generic",
        "model": model,
        "slug": re.sub(r"[^a-z0-9]+", "-", f"generic {model}".lower()).strip("-"),
        "u_height": 0,
        "is_full_depth": False,
        "power-ports": [{"name": _INLET, "type": "iec-60309-3p-n-e-6h"}],
        "power-outlets": [
            {"name": f"Outlet {i + 1}", "type": kind, "power_port": _INLET, "feed_leg": legs[i % 3]}
            for i, (kind, _) in enumerate(names)
        ],
        "comments": "A stand-in for the site's rack PDUs (assumption): outlets for the plan's fullest rack side.",
    }


def power(plan: Plan, inlets: dict[str, list[tuple[str, str]]], site: str, tags: list[str], role: str) -> Power:
    """The power path of every rack; ``inlets`` gives each device's power ports (name, type) in order,
    ``role`` is the PDUs' device role."""
    result = Power()
    plan_outlets: Counter[str] = Counter()
    wiring_by_rack = []
    for rack in plan.racks:
        used = {side: Counter[str]() for side in _SIDES}
        links = []
        for device in sorted(rack.devices, key=lambda d: -d.position):
            for index, (port, kind) in enumerate(inlets.get(device.name, [])):
                side = _SIDES[index % 2]
                outlet_kind = _OUTLET.get(kind, _OUTLET["iec-60320-c14"])[0]
                used[side][outlet_kind] += 1
                links.append((device.name, port, side, outlet_kind, used[side][outlet_kind]))
        for side in _SIDES:
            plan_outlets |= used[side]
        wiring_by_rack.append(links)
    result.pdu_type = _pdu_type(plan_outlets)
    first_outlet: dict[str, int] = {}
    for position, outlet in enumerate(result.pdu_type["power-outlets"]):
        first_outlet.setdefault(outlet["type"], position)
    for rack, links in zip(plan.racks, wiring_by_rack, strict=True):
        panel = f"{rack.name}-panel"
        amperage = _amperage(rack.power_limit_w)
        result.panels.append({"site": site, "name": panel, "description": f"power panel of {rack.name}", "tags": tags})
        for side in _SIDES:
            feed = f"{rack.name}-feed-{side}"
            pdu = f"{rack.name}-pdu-{side}"
            result.feeds.append(
                {
                    "site": site,
                    "power_panel": panel,
                    "rack": rack.name,
                    "name": feed,
                    "status": "planned",
                    "type": "primary" if side == "a" else "redundant",
                    "supply": "ac",
                    "phase": "three-phase",
                    "voltage": FEED_VOLTAGE,
                    "amperage": amperage,
                    "max_utilization": FEED_UTILISATION,
                    "description": f"carries the rack's {rack.power_limit_w / 1000:,.1f} kW limit alone",
                    "tags": tags,
                }
            )
            result.pdus.append(
                {
                    "name": pdu,
                    "role": role,
                    "manufacturer": "Generic",
                    "device_type": result.pdu_type["model"],
                    "site": site,
                    "status": "planned",
                    "rack": rack.name,
                    "description": f"0U PDU on {feed}",
                    "tags": tags,
                }
            )
            result.cables.append(
                {
                    "side_a_site": site,
                    "side_a_power_panel": panel,
                    "side_a_type": "dcim.powerfeed",
                    "side_a_name": feed,
                    "side_b_device": pdu,
                    "side_b_type": "dcim.powerport",
                    "side_b_name": _INLET,
                    "type": "power",
                    "status": "planned",
                    "label": feed[:100],
                    "tags": tags,
                }
            )
        for name, port, side, outlet_kind, number in links:
            outlet = f"Outlet {first_outlet[outlet_kind] + number}"
            result.cables.append(
                {
                    "side_a_device": name,
                    "side_a_type": "dcim.powerport",
                    "side_a_name": port,
                    "side_b_device": f"{rack.name}-pdu-{side}",
                    "side_b_type": "dcim.poweroutlet",
                    "side_b_name": outlet,
                    "type": "power",
                    "status": "planned",
                    "label": f"{name}:{port}"[:100],
                    "tags": tags,
                }
            )
    return result
