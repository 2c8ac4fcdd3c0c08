"""The names a plan gives its devices other than compute nodes, in one place.

Rules:
- a name is a fixed prefix and a 1-based number, zero-padded to two digits (ch001: three);
  past the padding the number just grows;
- fabric switches are named by level (leaf, spine, core), or ``switch`` when one switch
  level makes the whole fabric;
- the one head node is head01;
- management switches are mgmt01, mgmt02 (access: devices plug into them) and magg01, magg02
  (aggregation: the access switches' uplinks and the head node plug into them);
- storage shelves are named by role: cs (controller shelf), de (drive enclosure), st (other);
- on an existing site, cables to its installed fabric end on ``installed-fabric``, a stand-in
  for switches the plan does not know (no device of the plan).

Compute nodes are named by the spec (``Naming.compute``), which must not take any prefix here.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = [
    "CHASSIS",
    "CONTROLLER_SHELF",
    "DRIVE_ENCLOSURE",
    "HEAD",
    "INSTALLED_FABRIC",
    "MANAGEMENT_AGGREGATION",
    "MANAGEMENT_SWITCH",
    "MDT_SHELF",
    "OTHER_SHELF",
    "RACK",
    "SINGLE_SWITCH",
    "STORAGE_SERVER",
    "SWITCH_LEVELS",
    "TAKEN_PREFIXES",
    "SwitchLevel",
    "chassis_name",
    "head_name",
    "management_aggregation_name",
    "management_switch_name",
    "mdt_shelf_name",
    "rack_name",
    "shelf_name",
    "shelf_prefix",
    "storage_server_name",
    "switch_name",
    "switch_names",
]

SwitchLevel = Literal["switch", "leaf", "spine", "core"]

CHASSIS: Final = "ch"
CONTROLLER_SHELF: Final = "cs"
DRIVE_ENCLOSURE: Final = "de"
OTHER_SHELF: Final = "st"
STORAGE_SERVER: Final = "oss"
MDT_SHELF: Final = "mdt"
HEAD: Final = "head"
MANAGEMENT_SWITCH: Final = "mgmt"
MANAGEMENT_AGGREGATION: Final = "magg"
SINGLE_SWITCH: Final = "switch"  # the fabric's level when it has only one
SWITCH_LEVELS: Final = ("leaf", "spine", "core")  # bottom up
RACK: Final = "rack"
INSTALLED_FABRIC: Final = "installed-fabric"  # an existing site's installed fabric switches, as one cable end

# every prefix above; the compute prefix a spec chooses must differ from them all
TAKEN_PREFIXES: Final = (
    CHASSIS,
    CONTROLLER_SHELF,
    DRIVE_ENCLOSURE,
    OTHER_SHELF,
    STORAGE_SERVER,
    MDT_SHELF,
    HEAD,
    MANAGEMENT_SWITCH,
    MANAGEMENT_AGGREGATION,
    SINGLE_SWITCH,
    *SWITCH_LEVELS,
    RACK,
)

# storage device role -> prefix; roles not listed take OTHER_SHELF
_SHELF_PREFIXES: Final = {"controller_shelf": CONTROLLER_SHELF, "drive_enclosure": DRIVE_ENCLOSURE}


def _numbered(prefix: str, number: int, digits: int = 2) -> str:
    return f"{prefix}{number:0{digits}d}"


def head_name() -> str:
    """The head node: there is one."""
    return _numbered(HEAD, 1)


def switch_name(level: SwitchLevel, number: int) -> str:
    """Fabric switch ``number`` (1-based) of ``level``: leaf01, spine02, core01, or switch01 in a one-level fabric."""
    return _numbered(level, number)


def switch_names(level: SwitchLevel, count: int) -> list[str]:
    """The names of ``count`` switches of ``level``, in order."""
    return [switch_name(level, number) for number in range(1, count + 1)]


def management_switch_name(number: int) -> str:
    """Management access switch ``number`` (1-based): mgmt01; the only one when one switch is enough."""
    return _numbered(MANAGEMENT_SWITCH, number)


def management_aggregation_name(number: int) -> str:
    """Management aggregation switch ``number`` (1-based): magg01."""
    return _numbered(MANAGEMENT_AGGREGATION, number)


def chassis_name(number: int) -> str:
    """A chassis holding compute sleds: three digits (ch001), as large clusters have hundreds."""
    return _numbered(CHASSIS, number, 3)


def storage_server_name(number: int) -> str:
    return _numbered(STORAGE_SERVER, number)


def mdt_shelf_name(number: int) -> str:
    return _numbered(MDT_SHELF, number)


def shelf_prefix(role: str) -> str:
    """The prefix of a storage block's device by its catalog role (cs, de, or st for any other)."""
    return _SHELF_PREFIXES.get(role, OTHER_SHELF)


def shelf_name(role: str, number: int) -> str:
    """Storage block device ``number`` (1-based, counted per prefix) of catalog role ``role``."""
    return _numbered(shelf_prefix(role), number)


def rack_name(number: int) -> str:
    return _numbered(RACK, number)
