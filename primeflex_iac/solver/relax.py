"""How far a requirement must move: optimise what it limits, with every other requirement held.

With one requirement group switched off and every other one enforced, the cheapest plan's cost is
the smallest budget that works, the lowest maximum power the smallest total power, and so on; the
most GPUs (or TFLOPS, or TiB) that still fit is the largest floor that works. These are plain
optimisation solves of the same model, without assumptions (CP-SAT assumptions do not mix with
objectives). Requirements whose value changes the model's coefficients (power per rack, a
time-to-model) are moved by bisection over feasibility solves instead; :func:`feasible` is that test.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from primeflex_iac.demand.build import Demand
from primeflex_iac.solver.context import ModelContext
from primeflex_iac.solver.families.storage import CAPACITY_SCALE, RATE_SCALE
from primeflex_iac.solver.run import make_solver, run_solver

if TYPE_CHECKING:
    from primeflex_iac.solver.stages import SolveOptions

__all__ = ["QUANTITIES", "feasible", "relaxed_optimum"]

# quantity -> (what it is, in which integer unit the model counts it)
QUANTITIES = {
    "cost": "cost in whole currency units",
    "power_max_w": "maximum power in W",
    "racks": "racks",
    "gpus": "GPUs",
    "tensor_tflops": "tenths of a dense FP16 tensor TFLOPS",
    "int8_tops": "tenths of a dense INT8 TOPS",
    "storage_tib": f"1/{CAPACITY_SCALE} TiB of usable storage",
    "storage_read": "MB/s of aggregate storage read rate",
}


def _model(demand: Demand, relaxed: Iterable[str]) -> ModelContext:
    from primeflex_iac.solver.stages import build_model

    ctx = build_model(demand)
    off = set(relaxed)
    for name, literal in ctx.groups.items():
        ctx.model.add(literal == (0 if name in off else 1))
    return ctx


def _solver(options: SolveOptions, limit_s: float) -> cp_model.CpSolver:
    return make_solver(max(limit_s, 0.05), options.workers, options.seed)


def _run(solver: cp_model.CpSolver, ctx: ModelContext) -> int:
    run = run_solver(solver, ctx.model)
    if run.interrupted:
        raise KeyboardInterrupt
    return int(run.status)


def feasible(demand: Demand, options: SolveOptions, limit_s: float, relaxed: Iterable[str] = ()) -> bool | None:
    """Whether a plan exists with the groups in ``relaxed`` off and every other one held; None if unknown in time."""
    ctx = _model(demand, relaxed)
    result = _run(_solver(options, limit_s), ctx)
    if result in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True
    if result == cp_model.INFEASIBLE:
        return False
    return None


def _quantity(ctx: ModelContext, name: str) -> cp_model.LinearExprT:
    demand, var = ctx.demand, ctx.var
    if name in ("cost", "power_max_w", "racks"):
        return ctx.expr[name]
    nodes = [(var[f"nodes[{p.id}]"], p) for p in demand.platforms]
    if name == "gpus":
        return sum(n * p.gpus_per_node for n, p in nodes)
    if name == "tensor_tflops":
        return sum(n * round(p.tensor_tflops * 10) for n, p in nodes)
    if name == "int8_tops":
        return sum(n * round(p.int8_tops * 10) for n, p in nodes)
    catalog = demand.catalog
    blocks = [(var[f"storage_blocks[{b.id}]"], b) for b in catalog.storage_blocks.values()]
    if name == "storage_tib":
        return sum(c * int(catalog.block_usable_tib(b) * CAPACITY_SCALE) for c, b in blocks)
    if name == "storage_read":
        # the slower of the drives and the servers, as the storage model counts them
        rules = catalog.storage_rules
        server = catalog.storage_devices[rules.server]
        drives = sum(c * int(catalog.block_read_gbs(b) * RATE_SCALE) for c, b in blocks)
        servers = var["storage_server_groups"] * rules.servers_per_group * int(server.read_gbs * RATE_SCALE)
        rate = ctx.model.new_int_var(0, 10**12, "storage_read_rate")
        ctx.model.add(rate <= drives)
        ctx.model.add(rate <= servers)
        return rate
    raise ValueError(f"unknown quantity {name!r}")


def relaxed_optimum(
    demand: Demand, relaxed: str, quantity: str, maximise: bool, options: SolveOptions, limit_s: float
) -> tuple[int | None, bool]:
    """(best value of ``quantity`` with group ``relaxed`` off, proven) or (None, ...) if no plan exists even then.

    A value found when the time ran out is not proven: for a minimum it may be higher than the
    true one, for a maximum lower; callers say so.
    """
    ctx = _model(demand, [relaxed])
    expr = _quantity(ctx, quantity)
    if maximise:
        ctx.model.maximize(expr)
    else:
        ctx.model.minimize(expr)
    solver = _solver(options, limit_s)
    result = _run(solver, ctx)
    if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, result == cp_model.INFEASIBLE
    return round(solver.objective_value), result == cp_model.OPTIMAL
