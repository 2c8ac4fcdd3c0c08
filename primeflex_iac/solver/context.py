"""Shared state of one CP-SAT model while the families build it: the demand, the requirement
groups' literals, the totals every family adds to, and the variables to hint between stages.

Requirement groups (budget, racks, the time-to-model of one workload, ...) each have a literal. A
constraint that belongs to a group is enforced only if its literal holds; a normal solve fixes
every literal true, and the explanation solves with them as assumptions to find which groups
conflict.

Families hand their variables to each other as typed values (solver/families/vars.py), never
through this context; the context only collects what every family adds to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from primeflex_iac.demand.requirements import RequirementGroup
from primeflex_iac.solver.families.vars import BIG

if TYPE_CHECKING:
    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.requirements import Requirement

__all__ = ["ModelContext"]


@dataclass
class ModelContext:
    demand: Demand
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    # literals of the requirement groups, in the order the families first use them
    groups: dict[RequirementGroup, cp_model.IntVar] = field(default_factory=dict)
    # terms every family adds to, summed once all have added theirs (the order of terms is kept:
    # it is the order of the model's linear expressions)
    cost: list[cp_model.LinearExprT] = field(default_factory=list)
    power_max_w: list[cp_model.LinearExprT] = field(default_factory=list)
    rack_units: list[cp_model.LinearExprT] = field(default_factory=list)
    # every variable made by int_var / bool_var, in creation order: each stage hints them all
    hinted: list[cp_model.IntVar] = field(default_factory=list)
    # tie-break terms: catalog order of the chosen blocks
    order: list[cp_model.LinearExprT] = field(default_factory=list)

    def group(self, kind: Requirement, workload: str | None = None) -> cp_model.IntVar:
        """The literal of a requirement group, created on first use."""
        key = RequirementGroup(kind, workload)
        if key not in self.groups:
            self.groups[key] = self.model.new_bool_var(f"requirement[{key.label}]")
        return self.groups[key]

    def int_var(self, name: str, upper: int = BIG) -> cp_model.IntVar:
        """A count variable from 0 to ``upper``; ``name`` is its debug name in the model."""
        variable = self.model.new_int_var(0, upper, name)
        self.hinted.append(variable)
        return variable

    def bool_var(self, name: str) -> cp_model.IntVar:
        """A 0/1 variable; ``name`` is its debug name in the model."""
        variable = self.model.new_bool_var(name)
        self.hinted.append(variable)
        return variable

    def ceil_div(self, result: cp_model.IntVar, numerator: cp_model.LinearExprT, divisor: int) -> None:
        """result = ceil(numerator / divisor), exactly, for a non-negative numerator."""
        self.model.add(result * divisor >= numerator)
        self.model.add(result * divisor <= numerator + divisor - 1)
