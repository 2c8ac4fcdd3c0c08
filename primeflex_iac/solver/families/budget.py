"""Budget.

Rule: the whole cluster (every block, cable, licence and rack) costs at most the budget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.demand.requirements import Requirement

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from primeflex_iac.solver.context import ModelContext

__all__ = ["add_budget"]


def add_budget(ctx: ModelContext) -> cp_model.LinearExprT:
    """Sum every family's cost terms into the cost total, bound it by the budget, and return it.

    Runs last: every other family's costs must be in ``ctx.cost`` by then.
    """
    cost = sum(ctx.cost)
    budget = ctx.demand.budget
    if budget is not None:
        ctx.model.add(cost <= round(budget)).only_enforce_if(ctx.group(Requirement.BUDGET))
    return cost
