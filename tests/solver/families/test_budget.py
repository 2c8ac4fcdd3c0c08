"""Budget: the whole cluster costs at most the budget."""

from __future__ import annotations

from ortools.sat.python import cp_model

from primeflex_iac import Catalog
from primeflex_iac.demand.build import Demand
from primeflex_iac.demand.requirements import Requirement
from primeflex_iac.solver.context import ModelContext
from primeflex_iac.solver.families.budget import add_budget
from primeflex_iac.solver.families.compute import add_compute
from primeflex_iac.solver.families.fabric import add_fabric
from primeflex_iac.solver.families.racks import add_racks_and_power
from primeflex_iac.solver.families.storage import add_storage

from .model import demand, solve


def _build(wanted: Demand) -> tuple[ModelContext, cp_model.LinearExprT]:
    ctx = ModelContext(wanted)
    compute = add_compute(ctx)
    storage = add_storage(ctx)
    fabric = add_fabric(ctx, compute, storage)
    add_racks_and_power(ctx, compute, storage, fabric)
    return ctx, add_budget(ctx)


def test_the_cluster_costs_at_most_the_budget(catalog: Catalog) -> None:
    ctx, cost = _build(demand(catalog, budget=1_000_000.0))
    solver = solve(ctx)
    assert solver is not None
    assert 0 < solver.value(cost) <= 1_000_000


def test_a_budget_below_the_cheapest_node_is_infeasible(catalog: Catalog) -> None:
    cheapest = min(p.node_price for p in demand(catalog).platforms)
    ctx, _ = _build(demand(catalog, budget=cheapest - 1))
    assert solve(ctx) is None


def test_the_budget_relaxed_gives_a_plan(catalog: Catalog) -> None:
    ctx, cost = _build(demand(catalog, budget=1.0))
    solver = solve(ctx, relaxed=(Requirement.BUDGET,))
    assert solver is not None and solver.value(cost) > 1
