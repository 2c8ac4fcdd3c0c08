"""Shared state of one CP-SAT model: the demand, the variables by family, and the totals.

Requirement groups ("budget", "racks", "time-to-model: resnet", ...) each have a literal. A
constraint that belongs to a group is enforced only if its literal holds; a normal solve fixes
every literal true, and the explanation solves with them as assumptions to find which groups
conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from primeflex_iac.demand.build import Demand

__all__ = ["BIG", "PRICE_SCALE", "ModelContext"]

BIG = 10**7  # upper bound of any count variable (nodes, switches, blocks, racks)
PRICE_SCALE = 1  # prices are whole currency units in the model


@dataclass
class ModelContext:
    demand: Demand
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    groups: dict[str, cp_model.IntVar] = field(default_factory=dict)
    # totals every family adds to
    cost: list[cp_model.LinearExprT] = field(default_factory=list)
    power_max_w: list[cp_model.LinearExprT] = field(default_factory=list)
    power_typical_w: list[cp_model.LinearExprT] = field(default_factory=list)
    rack_units: list[cp_model.LinearExprT] = field(default_factory=list)
    # variables by family, named after what they count
    var: dict[str, cp_model.IntVar] = field(default_factory=dict)
    # expressions other families read (compute nodes per fabric, endpoints, management ports)
    expr: dict[str, cp_model.LinearExprT] = field(default_factory=dict)
    # blocks one rack holds, for the blocks that fill racks of their own
    per_rack: dict[str, int] = field(default_factory=dict)
    # tie-break terms: catalog order of the chosen blocks
    order: list[cp_model.LinearExprT] = field(default_factory=list)

    def group(self, name: str) -> cp_model.IntVar:
        """The literal of a requirement group, created on first use."""
        if name not in self.groups:
            self.groups[name] = self.model.new_bool_var(f"requirement[{name}]")
        return self.groups[name]

    def int_var(self, name: str, upper: int = BIG) -> cp_model.IntVar:
        variable = self.model.new_int_var(0, upper, name)
        self.var[name] = variable
        return variable

    def bool_var(self, name: str) -> cp_model.IntVar:
        variable = self.model.new_bool_var(name)
        self.var[name] = variable
        return variable

    def ceil_div(self, result: cp_model.IntVar, numerator: cp_model.LinearExprT, divisor: int) -> None:
        """result = ceil(numerator / divisor), exactly, for a non-negative numerator."""
        self.model.add(result * divisor >= numerator)
        self.model.add(result * divisor <= numerator + divisor - 1)
