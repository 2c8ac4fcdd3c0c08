"""Storage: building blocks, the servers that serve them, and the metadata shelf.

Rules (the seed's storage table, read as building blocks):
- Usable capacity of the blocks >= the required capacity (spec, or the workloads' datasets).
- Server groups (pairs of RX2540) and controller shelves are chosen independently within the
  paper's rule: a group serves up to 4 shelves and at least one, so ceil(shelves / 4) <= groups
  <= shelves; a group beyond the fewest is bought only for the read rate.
- One metadata (MDT) shelf with its SSDs in every storage system.
- Aggregate read rate of the blocks' drives and of the servers >= the required throughput.
- Without a storage requirement there is no storage at all.
- On a site with a file system, it serves what it can: blocks are added only for the capacity or
  read rate it lacks, and they join its metadata (no metadata shelf of their own).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.demand.requirements import Requirement
from primeflex_iac.solver.families.vars import CAPACITY_SCALE, RATE_SCALE, StorageVars

if TYPE_CHECKING:
    from primeflex_iac.solver.context import ModelContext

__all__ = ["add_storage"]


def add_storage(ctx: ModelContext) -> StorageVars:
    demand, model, catalog = ctx.demand, ctx.model, ctx.demand.catalog
    rules = catalog.storage_rules
    blocks = list(catalog.storage_blocks.values())
    # blocks[b]: storage building blocks of each kind
    counts = [ctx.int_var(f"storage_blocks[{b.id}]") for b in blocks]
    # has_storage: the plan has a storage system at all
    has_storage = ctx.bool_var("has_storage")
    required = demand.storage
    model.add(has_storage == (1 if required is not None and required.needs_blocks else 0))
    model.add(sum(counts) == 0).only_enforce_if(has_storage.Not())
    model.add(sum(counts) >= 1).only_enforce_if(has_storage)

    shelves = sum(c * catalog.block_controller_shelves(b) for c, b in zip(counts, blocks, strict=False))
    # server_groups: pairs of storage servers, each serving at least one and up to 4 controller shelves
    groups = ctx.int_var("storage_server_groups")
    model.add(groups * rules.controller_shelves_per_server_group >= shelves)
    model.add(groups <= shelves)
    servers = groups * rules.servers_per_group
    server = catalog.storage_devices[rules.server]
    mdt = catalog.storage_devices[rules.mdt_shelf]
    mdt_drive = catalog.drives[rules.mdt_drive]

    if required is not None:
        capacity = sum(c * int(catalog.block_usable_tib(b) * CAPACITY_SCALE) for c, b in zip(counts, blocks, strict=False))
        model.add(capacity >= round(required.missing_tib * CAPACITY_SCALE + 0.5)).only_enforce_if(
            ctx.group(Requirement.STORAGE_CAPACITY)
        )
        if required.missing_read_gbs > 0:
            needed = round(required.missing_read_gbs * RATE_SCALE + 0.5)
            drive_rate = sum(c * int(catalog.block_read_gbs(b) * RATE_SCALE) for c, b in zip(counts, blocks, strict=False))
            model.add(drive_rate >= needed).only_enforce_if(ctx.group(Requirement.STORAGE_THROUGHPUT))
            model.add(servers * int(server.read_gbs * RATE_SCALE) >= needed).only_enforce_if(
                ctx.group(Requirement.STORAGE_THROUGHPUT)
            )

    for count, block in zip(counts, blocks, strict=False):
        drive = catalog.drives[block.drive]
        for device_id, per_block in block.devices.items():
            device = catalog.storage_devices[device_id]
            ctx.cost.append(count * per_block * round(device.price))
            ctx.power_max_w.append(count * per_block * round(device.power_max_w))
            ctx.rack_units.append(count * per_block * device.height_u)
        ctx.cost.append(count * block.drives * round(drive.price))
    ctx.cost.append(servers * round(server.price))
    ctx.power_max_w.append(servers * round(server.power_max_w))
    ctx.rack_units.append(servers * server.height_u)
    mdt_shelves = has_storage * demand.mdt_shelves
    ctx.cost.append(mdt_shelves * round(mdt.price + rules.mdt_drives * mdt_drive.price))
    ctx.power_max_w.append(mdt_shelves * round(mdt.power_max_w))
    ctx.rack_units.append(mdt_shelves * mdt.height_u)
    per_server = sum(round(s.price) for s in demand.software if s.per in ("storage_server", "server"))
    if per_server:
        ctx.cost.append(servers * per_server)
    shelves_to_manage = (
        sum(
            c * n
            for c, b in zip(counts, blocks, strict=False)
            for did, n in b.devices.items()
            if catalog.storage_devices[did].role == "controller_shelf"
        )
        + mdt_shelves
    )
    for index, count in enumerate(counts):
        ctx.order.append(index * count)
    return StorageVars(blocks=counts, has_storage=has_storage, server_groups=groups, servers=servers, shelves=shelves_to_manage)
