"""How far a requirement must move: optimise what it limits, with every other requirement held.

With one requirement group switched off and every other one enforced, the cheapest plan's cost is
the smallest budget that works, the lowest maximum power the smallest total power, and so on; the
most GPUs (or TFLOPS, or TiB) that still fit is the largest floor that works. These are plain
optimisation solves of the same model, without assumptions (CP-SAT assumptions do not mix with
objectives). Requirements whose value changes the model's coefficients (power per rack, a
time-to-model) are moved by bisection over feasibility solves instead; :func:`feasible` is that test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ortools.sat.python import cp_model

from primeflex_iac.solver.families.vars import CAPACITY_SCALE, RATE_SCALE
from primeflex_iac.solver.model import build_model
from primeflex_iac.solver.run import make_solver, run_solver

if TYPE_CHECKING:
    from collections.abc import Iterable

    from primeflex_iac.demand.build import Demand
    from primeflex_iac.demand.requirements import RequirementGroup
    from primeflex_iac.solver.model import BuiltModel
    from primeflex_iac.solver.options import SolveOptions

__all__ = ["Quantity", "feasible", "relaxed_optimum"]

# what relaxed_optimum can optimise, each in the integer unit the model counts it in: cost in whole
# currency units, maximum power in W, racks, GPUs, tenths of a dense FP16 tensor TFLOPS, tenths of
# a dense INT8 TOPS, 1/CAPACITY_SCALE TiB of usable storage, MB/s of aggregate storage read rate
Quantity = Literal["cost", "power_max_w", "racks", "gpus", "tensor_tflops", "int8_tops", "storage_tib", "storage_read"]


def _model(demand: Demand, relaxed: Iterable[RequirementGroup]) -> BuiltModel:
    built = build_model(demand)
    off = set(relaxed)
    for group, literal in built.groups.items():
        built.model.add(literal == (0 if group in off else 1))
    return built


def _solver(options: SolveOptions, limit_s: float) -> cp_model.CpSolver:
    return make_solver(max(limit_s, 0.05), options.workers, options.seed)


def _run(solver: cp_model.CpSolver, built: BuiltModel) -> int:
    run = run_solver(solver, built.model)
    if run.interrupted:
        raise KeyboardInterrupt
    return int(run.status)


def feasible(demand: Demand, options: SolveOptions, limit_s: float, relaxed: Iterable[RequirementGroup] = ()) -> bool | None:
    """Whether a plan exists with the groups in ``relaxed`` off and every other one held; None if unknown in time."""
    built = _model(demand, relaxed)
    result = _run(_solver(options, limit_s), built)
    if result in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True
    if result == cp_model.INFEASIBLE:
        return False
    return None


def _quantity(built: BuiltModel, name: Quantity) -> cp_model.LinearExprT:
    demand, totals = built.demand, built.totals
    if name == "cost":
        return totals.cost
    if name == "power_max_w":
        return totals.power_max_w
    if name == "racks":
        return totals.racks
    nodes = list(zip(built.compute.nodes, demand.platforms, strict=True))
    if name == "gpus":
        return sum(n * p.gpus_per_node for n, p in nodes)
    if name == "tensor_tflops":
        return sum(n * round(p.tensor_tflops * 10) for n, p in nodes)
    if name == "int8_tops":
        return sum(n * round(p.int8_tops * 10) for n, p in nodes)
    catalog = demand.catalog
    blocks = list(zip(built.storage.blocks, catalog.storage_blocks.values(), strict=True))
    if name == "storage_tib":
        return sum(c * int(catalog.block_usable_tib(b) * CAPACITY_SCALE) for c, b in blocks)
    # storage_read: the slowest of the drives, the servers and the servers' fabric links, as the model counts them
    rules = catalog.storage_rules
    server = catalog.storage_devices[rules.server]
    drives = sum(c * int(catalog.block_read_gbs(b) * RATE_SCALE) for c, b in blocks)
    servers = built.storage.server_groups * rules.servers_per_group
    rate = built.model.new_int_var(0, 10**12, "storage_read_rate")
    built.model.add(rate <= drives)
    built.model.add(rate <= servers * int(server.read_gbs * RATE_SCALE))
    for option, use in zip(demand.fabrics, built.fabric.use_fabric, strict=True):
        link_gbs = server.fabric_ports * option.link_gbps / 8
        if link_gbs < server.read_gbs:
            built.model.add(rate <= servers * int(link_gbs * RATE_SCALE)).only_enforce_if(use)
    return rate


def relaxed_optimum(
    demand: Demand, relaxed: RequirementGroup, quantity: Quantity, maximise: bool, options: SolveOptions, limit_s: float
) -> tuple[int | None, bool]:
    """(best value of ``quantity`` with group ``relaxed`` off, proven) or (None, ...) if no plan exists even then.

    A value found when the time ran out is not proven: for a minimum it may be higher than the
    true one, for a maximum lower; callers say so.
    """
    built = _model(demand, [relaxed])
    expr = _quantity(built, quantity)
    if maximise:
        built.model.maximize(expr)
    else:
        built.model.minimize(expr)
    solver = _solver(options, limit_s)
    result = _run(solver, built)
    if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, result == cp_model.INFEASIBLE
    return round(solver.objective_value), result == cp_model.OPTIMAL
