"""The cables of a NetBox bundle, in NetBox 4.7's cable-import fields.

Fabric and management cables as ``export.cluster`` wires them, between named interfaces (the
devicetype-library's names on library types); a split switch port (HDR100, NDR200) as one
breakout cable from its physical port to the endpoints on its halves; then the power cables
(``netbox_power``): feeds to PDU inlets, device inlets to PDU outlets.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.export.netbox_power import Power
    from primeflex_iac.plan.management import Link
    from primeflex_iac.plan.model import Plan

__all__ = ["SPLIT", "Bundle", "cable_records"]

SPLIT = re.compile(r"(.+)/(\d+)")  # a half of a split port: port3/2


class Bundle(Protocol):
    """What the cables are written from (``export.netbox``'s bundle)."""

    plan: Plan
    catalog: Catalog
    links: list[Link]
    catalog_of: dict[str, str]
    tags: list[str]
    power: Power

    def name(self, device: str, interface: str) -> str: ...


def _cable_type(catalog_id: str) -> str | None:
    if not catalog_id or catalog_id.startswith("cat6"):
        return "cat6"  # management patch cords
    if catalog_id.startswith(("dac-", "splitter-")):
        return "dac-passive"
    if catalog_id.startswith("aoc-"):
        return "aoc"
    return None  # NetBox has no class for it (e.g. an OSFP cable of either kind)


def _side(side: str, kind: str, ends: list[tuple[str, str]], *, as_list: bool = False) -> dict[str, Any]:
    """One side of a cable in NetBox's import fields. NetBox 4.7 reads a plain value as a
    comma-separated list, so several ends, or a name with a comma, go as a YAML list."""
    devices, names = [device for device, _ in ends], [name for _, name in ends]
    plain = not as_list and len(ends) == 1 and "," not in devices[0] + names[0]
    return {
        f"side_{side}_device": devices[0] if plain else devices,
        f"side_{side}_type": kind,
        f"side_{side}_name": names[0] if plain else names,
    }


def cable_records(bundle: Bundle) -> list[dict[str, Any]]:
    """Fabric and management cables, then the power cables. A split switch port (HDR100, NDR200)
    is one breakout cable from the physical port to the endpoints on its halves, in half order
    (NetBox's breakout profiles: the A connector's positions map to the B connectors in order)."""
    fabric = bundle.plan.fabric
    assert fabric is not None
    per_port = next(m.endpoints_per_port for m in bundle.catalog.fabrics[fabric.technology].modes if m.name == fabric.mode)
    cables: list[dict[str, Any]] = []
    breakouts: dict[tuple[str, str], dict[int, tuple[str, str]]] = {}
    for link in bundle.links:
        a, b = link.a, link.b
        if bundle.catalog_of.get(b.device) == fabric.switch and SPLIT.fullmatch(b.interface):
            a, b = b, a
        split = SPLIT.fullmatch(a.interface) if bundle.catalog_of.get(a.device) == fabric.switch else None
        if split is not None:
            port = (a.device, split[1])
            if port not in breakouts:
                breakouts[port] = {}
                cables.append({"breakout": port, "type": _cable_type(link.cable)})
            breakouts[port][int(split[2])] = (b.device, bundle.name(b.device, b.interface))
            continue
        a_name, b_name = bundle.name(a.device, a.interface), bundle.name(b.device, b.interface)
        cable = _side("a", "dcim.interface", [(a.device, a_name)]) | _side("b", "dcim.interface", [(b.device, b_name)])
        cable["label"] = f"{a.device}:{a_name}"
        cable["type"] = _cable_type(link.cable)
        cables.append(cable)
    records = []
    for cable in cables:
        if "breakout" in cable:
            switch, port = cable.pop("breakout")
            halves = breakouts[(switch, port)]
            physical = bundle.name(switch, port)
            cable |= _side("a", "dcim.interface", [(switch, physical)])
            cable |= _side("b", "dcim.interface", [halves[half] for half in sorted(halves)], as_list=True)
            assert sorted(halves) == list(range(1, len(halves) + 1)), "a split port's halves fill from the first"
            cable["profile"] = f"breakout-1c{per_port}p-{per_port}c1p"
            cable["label"] = f"{switch}:{physical}"
        record = {key: cable[key] for key in cable if key not in ("type", "label")}
        if cable["type"] is not None:
            record["type"] = cable["type"]
        record["status"] = "planned"
        record["label"] = cable["label"][:100]
        record["tags"] = bundle.tags
        records.append(record)
    return records + bundle.power.cables
