"""Budget.

Rule: the whole cluster (every block, cable, licence and rack) costs at most the budget.
"""

from __future__ import annotations

from primeflex_iac.solver.context import ModelContext

__all__ = ["add_budget"]


def add_budget(ctx: ModelContext) -> None:
    """Sum every family's cost terms into the cost total, and bound it by the budget."""
    cost = sum(ctx.cost)
    ctx.expr["cost"] = cost
    budget = ctx.demand.spec.site.budget
    if budget is not None:
        ctx.model.add(cost <= round(budget.amount)).only_enforce_if(ctx.group("budget"))
