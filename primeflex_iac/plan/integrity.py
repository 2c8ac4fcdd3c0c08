"""Whether a plan read from a file holds together well enough to be drawn and exported.

A plan.json may be edited by hand or damaged; `render` and `export` read it without the spec or
the solver. This is not :func:`primeflex_iac.plan.check.check` (which audits a plan against its
spec and catalog): it only makes sure that what the renderers and exporters count on is true,
so that an edited file is refused with the fields at fault rather than drawn wrongly, crashing,
or making them loop over a billion switches the file never lists. Every count the pictures use
must agree with the devices the racks list, so the work is bounded by the size of the file.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING, Any

from primeflex_iac.common.devices import SINGLE_SWITCH

if TYPE_CHECKING:
    from primeflex_iac.plan.model import Plan

__all__ = ["LARGEST_FIGURE", "integrity_problems"]

LARGEST_FIGURE = 1e15  # larger than any count, watt, dollar or byte figure of a plan
LARGEST_FLOPS = 1e32  # a whole training run's operations
_FREE_SIGN = ("relaxations", "combined_relaxation", "objective", "solve")  # figures that may be negative
_MAX_RACK_U = 60
_MAX_PORTS = 2048


def integrity_problems(plan: Plan) -> list[tuple[str, str]]:
    """(field path, what is wrong) for everything the renderers and exporters could not trust."""
    problems = list(_figures(plan.model_dump(mode="python")))
    if problems or plan.status not in ("optimal", "feasible"):
        return problems
    if not plan.racks or plan.totals is None:  # a storage-only plan has no compute, and may have no fabric
        return [("", f"a plan with status {plan.status} needs racks and totals")]
    problems += _racks(plan)
    if plan.fabric is not None:
        problems += _fabric(plan)
    problems += _compute(plan)
    new_racks = sum(1 for rack in plan.racks if not rack.existing)  # an existing site's racks are not bought
    if plan.totals.racks != new_racks:
        problems.append(("totals.racks", f"{plan.totals.racks} racks counted but {new_racks} listed"))
    return problems


def _figures(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every number finite and not absurd; not negative outside the explanation's figures."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, (int, float)):
        largest = LARGEST_FLOPS if path.endswith("flops") else LARGEST_FIGURE
        if not math.isfinite(value) or abs(value) > largest:
            return [(path, f"number out of range: {value!r}")]
        if value < 0 and not path.startswith(_FREE_SIGN):
            return [(path, f"must not be negative, found {value!r}")]
        return []
    items = value.items() if isinstance(value, dict) else enumerate(value)
    found = []
    for key, item in items:
        child = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))
        found += _figures(item, child)
    return found


def _racks(plan: Plan) -> list[tuple[str, str]]:
    problems = []
    names = Counter(rack.name for rack in plan.racks) + Counter(d.name for r in plan.racks for d in r.devices)
    problems += [("racks", f"the name {name!r} is used {n} times") for name, n in sorted(names.items()) if n > 1]
    for i, rack in enumerate(plan.racks):
        where = f"racks[{i}]"
        if not 1 <= rack.height_u <= _MAX_RACK_U:
            problems.append((f"{where}.height_u", f"expected 1 to {_MAX_RACK_U} rack units, found {rack.height_u}"))
            continue
        if not rack.devices and not rack.existing:  # an installed rack may take GPU cards only
            problems.append((f"{where}.devices", "a rack of the plan holds no device"))
        for j, device in enumerate(rack.devices):
            top = device.position + device.height_u - 1
            if device.position < 1 or device.height_u < 1 or top > rack.height_u:
                problems.append(
                    (
                        f"{where}.devices[{j}]",
                        f"{device.name} at U{device.position} ({device.height_u}U) is outside the {rack.height_u}U rack",
                    )
                )
    return problems


def _fabric(plan: Plan) -> list[tuple[str, str]]:
    fabric = plan.fabric
    assert fabric is not None
    problems = []
    if fabric.tiers not in (1, 2, 3):
        problems.append(("fabric.tiers", f"expected 1, 2 or 3 levels, found {fabric.tiers}"))
    if not 2 <= fabric.switch_ports <= _MAX_PORTS:
        problems.append(("fabric.switch_ports", f"expected 2 to {_MAX_PORTS} ports, found {fabric.switch_ports}"))
    if not 1 <= fabric.blocking_factor <= 8 or not 1 <= fabric.endpoints_per_port <= 8:
        problems.append(("fabric", "blocking_factor and endpoints_per_port must be 1 to 8"))
    if problems:
        return problems
    placed = Counter(_level(d.name) for r in plan.racks for d in r.devices if d.role == "fabric")
    counted = (fabric.leaf_switches, fabric.spine_switches, fabric.core_switches)
    if fabric.tiers == 1:  # one switch, counted as the leaf
        expected = (
            Counter({SINGLE_SWITCH: 1})
            if counted == (1, 0, 0)
            else Counter(dict(zip(("leaf", "spine", "core"), counted, strict=True)))
        )
    else:
        expected = Counter(dict(zip(("leaf", "spine", "core"), counted, strict=True)))
    if +placed != +expected or (fabric.tiers < 3 and fabric.core_switches) or (fabric.tiers == 1 and fabric.spine_switches):
        problems.append(("fabric", f"the racks hold fabric switches {dict(+placed)}, the fabric counts {dict(+expected)}"))
    management = sum(1 for r in plan.racks for d in r.devices if d.role == "management")
    if management != fabric.management_switches or fabric.management_aggregation_switches > fabric.management_switches:
        problems.append(("fabric.management_switches", f"{fabric.management_switches} counted but {management} placed"))
    return problems


def _level(name: str) -> str:
    return name.rstrip("0123456789")


def _compute(plan: Plan) -> list[tuple[str, str]]:
    problems = []
    devices = [d for r in plan.racks for d in r.devices if d.role == "compute"]
    for i, entry in enumerate(plan.compute):
        where = f"compute[{i}]"
        if entry.count < 1 or entry.gpus_per_node < 1 or entry.gpus != entry.count * entry.gpus_per_node:
            problems.append((where, f"{entry.count} nodes of {entry.gpus_per_node} GPUs do not make {entry.gpus} GPUs"))
        if entry.existing_group is not None:  # cards into installed nodes: no device of their own
            groups = plan.existing.groups if plan.existing is not None else []
            hosts = sum(len(g.upgraded) for g in groups if g.name == entry.existing_group)
        elif entry.chassis is not None:
            hosts = sum(len(d.nodes) for d in devices if d.catalog_id == entry.chassis)
        else:
            hosts = sum(1 for d in devices if d.catalog_id == entry.node)
        if hosts != entry.count:
            problems.append((f"{where}.count", f"{entry.count} {entry.node} nodes listed but {hosts} placed"))
    return problems
