"""The cables of a NetBox bundle, in NetBox 4.7's cable-import fields.

Fabric and management cables as ``export.cluster`` wires them, between named interfaces (the
devicetype-library's names on library types); a split switch port (HDR100, NDR200) as one
breakout cable from its physical port to the endpoints on its halves; then the power cables
(``netbox_power``): feeds to PDU inlets, device inlets to PDU outlets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from primeflex_iac.export.cluster import endpoints_per_port, split_half

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.export.netbox_power import Power
    from primeflex_iac.plan.management import Link, Port
    from primeflex_iac.plan.model import Plan

__all__ = ["Bundle", "cable_records"]


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


def _record(sides: dict[str, Any], cable: str, label: str, tags: list[str]) -> dict[str, Any]:
    kind = _cable_type(cable)
    return {**sides, **({"type": kind} if kind is not None else {}), "status": "planned", "label": label[:100], "tags": tags}


def cable_records(bundle: Bundle) -> list[dict[str, Any]]:
    """Fabric and management cables, then the power cables. A split switch port (HDR100, NDR200)
    is one breakout cable from the physical port to the endpoints on its halves, in half order
    (NetBox's breakout profiles: the A connector's positions map to the B connectors in order)."""
    fabric = bundle.plan.fabric
    assert fabric is not None
    per_port = endpoints_per_port(bundle.plan, bundle.catalog)

    def half(end: Port) -> tuple[str, int] | None:
        return split_half(end.interface) if bundle.catalog_of.get(end.device) == fabric.switch else None

    records: list[dict[str, Any]] = []
    breakouts: dict[tuple[str, str], tuple[int, dict[int, tuple[str, str]], Link]] = {}  # at its place in records
    for link in bundle.links:
        a, b = (link.b, link.a) if half(link.b) is not None else (link.a, link.b)
        split = half(a)
        if split is not None:
            key = (a.device, split[0])
            if key not in breakouts:
                breakouts[key] = (len(records), {}, link)
                records.append({})  # written once all its halves are known
            breakouts[key][1][split[1]] = (b.device, bundle.name(b.device, b.interface))
            continue
        a_name, b_name = bundle.name(a.device, a.interface), bundle.name(b.device, b.interface)
        sides = _side("a", "dcim.interface", [(a.device, a_name)]) | _side("b", "dcim.interface", [(b.device, b_name)])
        records.append(_record(sides, link.cable, f"{a.device}:{a_name}", bundle.tags))
    for (switch, port), (place, halves, link) in breakouts.items():
        assert sorted(halves) == list(range(1, len(halves) + 1)), "a split port's halves fill from the first"
        physical = bundle.name(switch, port)
        sides = _side("a", "dcim.interface", [(switch, physical)])
        sides |= _side("b", "dcim.interface", [halves[h] for h in sorted(halves)], as_list=True)
        sides["profile"] = f"breakout-1c{per_port}p-{per_port}c1p"
        records[place] = _record(sides, link.cable, f"{switch}:{physical}", bundle.tags)
    return records + bundle.power.cables
