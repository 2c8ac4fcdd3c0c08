"""The explanation's search: its context (spec, catalog, options, time budget) and the solves it runs.

The handlers (capacity, limits, catalog_limits) ask the context for every solve; what they
answer is built with ``answers.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from primeflex_iac.app.explain.answers import not_alone
from primeflex_iac.demand.build import build_demand
from primeflex_iac.plan.model import Relaxation
from primeflex_iac.solver.options import SolveOptions
from primeflex_iac.solver.relax import feasible, relaxed_optimum

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.requirements import RequirementGroup
    from primeflex_iac.plan.model import Plan
    from primeflex_iac.solver.relax import Quantity
    from primeflex_iac.spec.model import Spec

__all__ = ["STEP_LIMIT_S", "OutOfTime", "SearchContext", "dropped"]

STEP_LIMIT_S = 10.0  # at most this long for one solve inside them


@dataclass
class SearchContext:
    """One explanation's spec, catalog and options, and the deadline every solve inside it keeps."""

    spec: Spec
    catalog: Catalog
    options: SolveOptions
    deadline: float
    solve_plan: Callable[[Spec, SolveOptions], Plan]

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def limit(self) -> float:
        left = self.remaining()
        if left <= 0:
            raise OutOfTime
        return min(STEP_LIMIT_S, left)

    def demand(self) -> Demand:
        """The demand of the spec being explained (built afresh: the same every time)."""
        return build_demand(self.spec, self.catalog)

    def feasible(self, spec: Spec) -> bool:
        """Whether the edited spec has a plan (an unknown answer counts as no)."""
        return feasible(build_demand(spec, self.catalog), self.options, self.limit()) is True

    def feasible_without(self, demand: Demand, relaxed: Sequence[RequirementGroup]) -> bool | None:
        """Whether ``demand`` has a plan with the groups ``relaxed`` off (None: unknown in time)."""
        return feasible(demand, self.options, self.limit(), relaxed)

    def relaxed_optimum(
        self, demand: Demand, relaxed: RequirementGroup, quantity: Quantity, maximise: bool
    ) -> tuple[int | None, bool]:
        """The best ``quantity`` with group ``relaxed`` off: see :func:`solver.relax.relaxed_optimum`."""
        return relaxed_optimum(demand, relaxed, quantity, maximise, self.options, self.limit())

    def plan(self, spec: Spec) -> Plan | None:
        """The full solve of an edited spec, or None if it gives no plan."""
        options = SolveOptions(min(self.options.time_limit_s, self.limit()), self.options.workers, self.options.seed)
        plan = self.solve_plan(spec, options)
        return plan if plan.status in ("optimal", "feasible") else None


class OutOfTime(Exception):
    """The explanation's time budget is spent: the requirement at hand stays unexplained."""


def dropped(ctx: SearchContext, group: str, relaxed: Sequence[RequirementGroup]) -> Relaxation:
    """A conflict without a handler of its own: say whether relaxing ``relaxed`` gives a plan.

    ``group`` is what the Plan reports; ``relaxed`` is empty for a conflict no group explains.
    """
    if ctx.feasible_without(ctx.demand(), relaxed) is not True:
        return not_alone(group, group)
    return Relaxation(requirement=group, asked=group, needed="a plan exists without this requirement", change=None, alone=True)
