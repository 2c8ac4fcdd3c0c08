"""Whether the ids a catalog's items name exist: each problem located at the field that names it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic_core import InitErrorDetails, PydanticCustomError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from primeflex_iac.catalog.models import Catalog

__all__ = ["reference_errors"]


def reference_errors(catalog: Catalog) -> list[InitErrorDetails]:
    """One error per id an item names that the catalog lacks, and per item listed under another id."""
    problems: list[InitErrorDetails] = []

    def need(section: Mapping[str, object], ref: str | None, *loc: str | int) -> None:
        if ref is not None and ref not in section:
            kind = next(name for name in type(catalog).model_fields if getattr(catalog, name) is section)
            message = PydanticCustomError("unknown_reference", "names no {kind} item of the catalog", {"kind": kind})
            problems.append(InitErrorDetails(type=message, loc=loc, input=ref))

    for sid, server in catalog.servers.items():
        for index, gid in enumerate(server.gpus):
            need(catalog.gpus, gid, "servers", sid, "gpus", index)
        need(catalog.chassis, server.chassis, "servers", sid, "chassis")
    for nid, node in catalog.cpu_nodes.items():
        need(catalog.chassis, node.chassis, "cpu_nodes", nid, "chassis")
        need(catalog.servers, node.gpu_upgrade, "cpu_nodes", nid, "gpu_upgrade")
    for fid, fabric in catalog.fabrics.items():
        need(catalog.switches, fabric.switch, "fabrics", fid, "switch")
        need(catalog.cables, fabric.uplink_cable, "fabrics", fid, "uplink_cable")
        for index, mode in enumerate(fabric.modes):
            need(catalog.adapters, mode.adapter, "fabrics", fid, "modes", index, "adapter")
            need(catalog.cables, mode.cable, "fabrics", fid, "modes", index, "cable")
            need(catalog.cables, mode.long_cable, "fabrics", fid, "modes", index, "long_cable")
    for mid, management in catalog.management_switches.items():
        need(catalog.cables, management.cable, "management_switches", mid, "cable")
    for bid, block in catalog.storage_blocks.items():
        for did in block.devices:
            need(catalog.storage_devices, did, "storage_blocks", bid, "devices", did)
        need(catalog.drives, block.drive, "storage_blocks", bid, "drive")
    rules = catalog.storage_rules
    need(catalog.storage_devices, rules.server, "storage_rules", "server")
    need(catalog.storage_devices, rules.mdt_shelf, "storage_rules", "mdt_shelf")
    need(catalog.drives, rules.mdt_drive, "storage_rules", "mdt_drive")
    for name in type(catalog).model_fields:
        section = getattr(catalog, name)
        if not isinstance(section, dict):
            continue
        for key, item in section.items():
            if key != item.id:
                message = PydanticCustomError("id_mismatch", "the item is listed as {key!r}", {"key": key})
                problems.append(InitErrorDetails(type=message, loc=(name, key, "id"), input=item.id))
    return problems
