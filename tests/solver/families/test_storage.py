"""Storage: blocks meeting the capacity, server groups for the shelves, nothing without a requirement."""

from __future__ import annotations

from primeflex_iac import Catalog
from primeflex_iac.demand.build import StorageDemand
from primeflex_iac.demand.requirements import Requirement
from primeflex_iac.solver.context import ModelContext
from primeflex_iac.solver.families.storage import add_storage

from .model import demand, solve


def _usable(catalog: Catalog, counts: list[int]) -> float:
    return sum(n * catalog.block_usable_tib(b) for n, b in zip(counts, catalog.storage_blocks.values(), strict=True))


def test_blocks_meet_the_capacity(catalog: Catalog) -> None:
    ctx = ModelContext(demand(catalog, storage=StorageDemand(160.0, 0.0, "spec", "none")))
    storage = add_storage(ctx)
    solver = solve(ctx)
    assert solver is not None
    counts = [solver.value(b) for b in storage.blocks]
    assert _usable(catalog, counts) >= 160.0
    assert solver.value(storage.has_storage) == 1
    assert solver.value(storage.server_groups) >= 1


def test_no_requirement_no_storage(catalog: Catalog) -> None:
    ctx = ModelContext(demand(catalog))
    storage = add_storage(ctx)
    solver = solve(ctx)
    assert solver is not None
    assert [solver.value(b) for b in storage.blocks] == [0] * len(storage.blocks)
    assert solver.value(storage.server_groups) == 0


def test_a_capacity_no_block_count_reaches_is_infeasible(catalog: Catalog) -> None:
    # far beyond the model's bound on blocks of every kind
    ctx = ModelContext(demand(catalog, storage=StorageDemand(1e12, 0.0, "spec", "none")))
    add_storage(ctx)
    assert solve(ctx) is None
    # the storage capacity group is what bites
    ctx = ModelContext(demand(catalog, storage=StorageDemand(1e12, 0.0, "spec", "none")))
    add_storage(ctx)
    assert solve(ctx, relaxed=(Requirement.STORAGE_CAPACITY,)) is not None
