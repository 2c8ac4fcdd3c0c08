"""Place every device at a unit position, deterministically, after solving.

The solver counts racks by aggregate height and power. This step puts each device into a rack
first-fit, in a fixed order (fabric and management switches, head node, storage, compute), and
then within each rack stacks storage, the head node and compute from the bottom, the heaviest for
its height lowest, and switches from the
top down. If the devices do not fit the counted racks, it says so and the solve is repeated with
one rack more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.common.devices import rack_name
from primeflex_iac.plan.model import Device, RackPlan

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["PLACEMENT_RULES", "DeviceToPlace", "place_devices", "to_device"]

PLACEMENT_RULES = [
    "compute enclosures and fabric switches fill whole racks of their own as far as they can (as many as a rack holds by height and power)",
    "the other devices go into the shared racks first-fit in this order: fabric switches, management switches, head node, storage, compute",
    "within a rack: storage, head node and compute from the bottom up, the heaviest for its height lowest; "
    "switches from the top down",
    "a rack takes a device only while its used height and maximum power stay within the rack's height and power limit",
    "a rack holding a water-cooled device has the water-cooled power limit, any other rack the air-cooled one",
]
_BOTTOM_UP = ("storage", "head", "compute")
_TOP_DOWN = ("fabric", "management")


@dataclass(frozen=True)
class DeviceToPlace:
    name: str
    catalog_id: str
    role: str
    height_u: int
    power_max_w: float
    weight_kg: float
    nodes: tuple[str, ...] = ()
    cooling: str = "air"


def place_devices(
    devices: list[DeviceToPlace],
    racks: int,
    rack_id: str,
    height_u: int,
    power_limit_w: float,
    rack_weight_kg: float,
    heat_btu_per_w: float,
    full_racks: Sequence[tuple[str, int, int]] = (),
    water_limit_w: float | None = None,
    water_heat_share: float = 0.0,
    first_rack: int = 1,
) -> list[RackPlan] | None:
    """Racks with devices at unit positions, or None if the devices do not fit ``racks`` racks.

    ``full_racks`` lists (role, racks, per rack): the first racks x per-rack devices of that role
    fill racks of their own; every other device goes first-fit into the shared racks. A rack holding
    a water-cooled device may draw ``water_limit_w`` (default: ``power_limit_w``).
    """
    water_w = power_limit_w if water_limit_w is None else water_limit_w

    def limit(rack_devices: Sequence[DeviceToPlace]) -> float:
        return water_w if any(d.cooling == "water" for d in rack_devices) else power_limit_w

    dedicated: list[list[DeviceToPlace]] = []
    rest = list(devices)
    for role, count, per in full_racks:
        of_role = [d for d in rest if d.role == role][: count * per]
        taken = {id(d) for d in of_role}
        rest = [d for d in rest if id(d) not in taken]
        dedicated += [of_role[i * per : (i + 1) * per] for i in range(count)]
    shared = racks - len(dedicated)
    if shared < 0:
        return None
    contents: list[list[DeviceToPlace]] = [[] for _ in range(shared)]
    used = [0] * shared
    power = [0.0] * shared
    for device in rest:
        for index in range(shared):
            if (
                used[index] + device.height_u <= height_u
                and power[index] + device.power_max_w <= limit([*contents[index], device]) + 1e-6
            ):
                contents[index].append(device)
                used[index] += device.height_u
                power[index] += device.power_max_w
                break
        else:
            return None
    contents = dedicated + contents
    plans: list[RackPlan] = []
    for rack_devices in contents:
        if not rack_devices:
            continue
        rack_used = sum(d.height_u for d in rack_devices)
        if rack_used > height_u or sum(d.power_max_w for d in rack_devices) > limit(rack_devices) + 1e-6:
            return None
        placed: list[Device] = []
        bottom = 1
        # heaviest for its height lowest (a rack's centre of gravity low, as installers stack),
        # ties in the order storage, head node, compute
        stacked = [d for role in _BOTTOM_UP for d in rack_devices if d.role == role]
        for device in sorted(stacked, key=lambda d: -d.weight_kg / max(d.height_u, 1)):
            placed.append(to_device(device, bottom))
            bottom += device.height_u
        top = height_u
        for role in _TOP_DOWN:
            for device in (d for d in rack_devices if d.role == role):
                top -= device.height_u
                placed.append(to_device(device, top + 1))
        placed.sort(key=lambda d: -d.position)
        total_w = sum(d.power_max_w for d in rack_devices)
        to_water = water_heat_share * sum(d.power_max_w for d in rack_devices if d.cooling == "water")
        plans.append(
            RackPlan(
                name=rack_name(len(plans) + first_rack),
                catalog_id=rack_id,
                height_u=height_u,
                devices=placed,
                used_units=rack_used,
                power_max_w=round(total_w, 1),
                power_limit_w=limit(rack_devices),
                heat_btu_h=round(total_w * heat_btu_per_w, 1),
                heat_to_water_w=round(to_water, 1),
                heat_to_air_w=round(total_w - to_water, 1),
                weight_kg=round(rack_weight_kg + sum(d.weight_kg for d in rack_devices), 1),
            )
        )
    return plans


def to_device(device: DeviceToPlace, position: int) -> Device:
    """The placed device at ``position`` (its lowest unit)."""
    return Device(
        name=device.name,
        catalog_id=device.catalog_id,
        role=device.role,
        position=position,
        height_u=device.height_u,
        power_max_w=round(device.power_max_w, 1),
        weight_kg=device.weight_kg,
        nodes=list(device.nodes),
    )
