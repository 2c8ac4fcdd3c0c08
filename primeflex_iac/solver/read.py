"""Read the Selection, the plain counts the Plan is assembled from, off a solved model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.demand.selection import Selection

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from primeflex_iac.solver.families.vars import FullRacks
    from primeflex_iac.solver.model import BuiltModel

__all__ = ["read_selection"]


def _full(solver: cp_model.CpSolver, full: FullRacks | None) -> tuple[int, int]:
    """(full racks, blocks per rack) of a block; (0, 0) when it fills no rack of its own."""
    if full is None:
        return (0, 0)
    return (solver.value(full.racks), full.per_rack)


def read_selection(built: BuiltModel, solver: cp_model.CpSolver) -> Selection:
    """The counts of the solution ``solver`` holds for ``built``."""
    demand, value = built.demand, solver.value
    compute, fabric = built.compute, built.fabric
    pi = next((i for i, used in enumerate(compute.use_platform) if value(used)), None)
    fi = next(i for i, used in enumerate(fabric.use_fabric) if value(used))
    tree = fabric.trees[fi]
    tiers = next(t for t, used in zip((1, 2, 3), tree.tiers, strict=True) if value(used))
    blocks = {b: value(n) for b, n in zip(demand.catalog.storage_blocks, built.storage.blocks, strict=True)}
    return Selection(
        platform=demand.platforms[pi] if pi is not None else None,
        nodes=value(compute.nodes[pi]) if pi is not None else 0,
        enclosures=value(compute.enclosures[pi]) if pi is not None else 0,
        fabric=demand.fabrics[fi],
        tiers=tiers,
        leaf_switches=value(tree.leaves),
        spine_switches=value(tree.spines),
        core_switches=value(tree.cores),
        endpoints=value(tree.endpoints),
        head_on_fabric=bool(value(fabric.head_on_fabric[fi])),
        node_cables=value(tree.node_cables),
        switch_links=value(tree.switch_links),
        management_switches=value(fabric.management_switches),
        management_aggregation_switches=value(fabric.management_aggregation),
        management_cables=value(fabric.management_cables),
        storage_blocks={b: n for b, n in blocks.items() if n},
        storage_server_groups=value(built.storage.server_groups),
        racks=value(built.racks.racks),
        compute_full_racks=_full(solver, built.racks.compute_full[fi][pi]) if pi is not None else (0, 0),
        switch_full_racks=_full(solver, built.racks.switch_full[fi]),
        compute_in_existing=tuple(value(v) for v in built.racks.existing.compute),
        management_in_existing=tuple(value(v) for v in built.racks.existing.management),
        leaves_in_existing=tuple(value(v) for v in built.racks.existing.leaves),
        storage_in_existing=next((r for r, v in enumerate(built.racks.existing.storage) if value(v)), None),
    )
