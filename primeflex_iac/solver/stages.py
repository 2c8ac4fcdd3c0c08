"""Build the CP-SAT model from a Demand, solve it lexicographically, and read the Selection back.

Stages, each minimised with the earlier ones fixed at their optimum:
  1. extreme fabrics (when the spec avoids them, the seed's rule on HDR);
  2. the spec's objectives, in order;
  3. tie-breaks in a fixed order: cost, power, rack units, racks, then catalog order,
so that the same spec and catalog always give the same plan, whatever the worker count.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import ortools
from ortools.sat.python import cp_model

from primeflex_iac.demand.build import Demand
from primeflex_iac.demand.selection import Selection, SolveStatus
from primeflex_iac.solver.context import ModelContext
from primeflex_iac.solver.families.budget import add_budget
from primeflex_iac.solver.families.compute import add_compute
from primeflex_iac.solver.families.fabric import add_fabric
from primeflex_iac.solver.families.racks import add_racks_and_power
from primeflex_iac.solver.families.storage import add_storage
from primeflex_iac.solver.run import make_solver, run_solver

__all__ = ["TIE_BREAKS", "SolveOptions", "build_model", "solve_demand"]

TIE_BREAKS = ("cost", "power", "rack_units", "racks")
_OBJECTIVE_EXPR = {"cost": "cost", "power": "power_max_w", "rack_units": "rack_units", "racks": "racks"}


@dataclass(frozen=True)
class SolveOptions:
    time_limit_s: float = 30.0
    workers: int = 1
    seed: int = 0


def build_model(demand: Demand, min_racks: int = 0) -> ModelContext:
    """The whole model; its size depends on the catalog and the spec's workloads, never on counts."""
    ctx = ModelContext(demand)
    add_compute(ctx)
    add_storage(ctx)
    add_fabric(ctx)
    add_racks_and_power(ctx, min_racks)
    add_budget(ctx)
    return ctx


def _stages(ctx: ModelContext) -> list[tuple[str, cp_model.LinearExprT]]:
    spec = ctx.demand.spec
    stages: list[tuple[str, cp_model.LinearExprT]] = []
    if spec.preferences.avoid_extreme_fabrics:
        stages.append(("extreme fabrics", ctx.expr["extreme_fabric"]))
    names = list(spec.objectives) + [name for name in TIE_BREAKS if name not in spec.objectives]
    stages.extend((name, ctx.expr[_OBJECTIVE_EXPR[name]]) for name in names)
    stages.append(("catalog order", sum(ctx.order)))
    return stages


def _solver(options: SolveOptions, remaining: float) -> cp_model.CpSolver:
    return make_solver(remaining, options.workers, options.seed)


def solve_demand(demand: Demand, options: SolveOptions, min_racks: int = 0) -> tuple[Selection | None, SolveStatus]:
    """Solve; on infeasibility the status names the conflicting requirement groups.

    A stage cut short by the time limit or by Ctrl-C ends the solve with the best solution found
    so far: status "feasible" and ``stopped`` saying why. Without any solution, the status is
    "unknown" (time limit) or the solve raises KeyboardInterrupt (Ctrl-C).
    """
    started = time.monotonic()
    ctx = build_model(demand, min_racks)
    for literal in ctx.groups.values():
        ctx.model.add(literal == 1)
    first_user = ctx.demand.spec.objectives[0]
    status_word = "optimal"
    stopped: str | None = None
    value = bound = gap = None
    best: cp_model.CpSolver | None = None  # the solver of the last stage that found a solution
    stage_names = []
    for name, expr in _stages(ctx):
        stage_names.append(name)
        ctx.model.minimize(expr)
        solver = _solver(options, options.time_limit_s - (time.monotonic() - started))
        run = run_solver(solver, ctx.model)
        result = run.status
        if result == cp_model.INFEASIBLE:
            from primeflex_iac.solver.conflicts import explain_infeasible

            conflicts = explain_infeasible(demand, options, min_racks)
            return None, SolveStatus("infeasible", conflicts=tuple(conflicts), solver_version=ortools.__version__)
        if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if best is None:
                if run.interrupted:
                    raise KeyboardInterrupt
                # time ran out before any plan was found: not proven infeasible
                return None, SolveStatus("unknown", stopped="time limit", solver_version=ortools.__version__)
            # this stage found nothing in time: keep the previous stage's solution
            status_word, stopped = "feasible", "interrupt" if run.interrupted else "time limit"
            break
        achieved = round(solver.objective_value)
        if name == first_user:
            value, bound = float(achieved), float(solver.best_objective_bound)
            gap = 0.0 if result == cp_model.OPTIMAL else abs(achieved - bound) / max(abs(achieved), 1)
        _fix(ctx, expr, achieved, solver)
        best = solver
        if result != cp_model.OPTIMAL or run.interrupted:
            status_word, stopped = "feasible", "interrupt" if run.interrupted else "time limit"
            break
    assert best is not None
    if value is None:
        # stopped before the first objective's stage: its value at the solution found, bound unknown
        value = float(round(best.value(ctx.expr[_OBJECTIVE_EXPR[first_user]])))
    selection = _read(ctx, best)
    return selection, SolveStatus(
        status_word,
        objective_name=first_user,
        objective_value=value,
        objective_bound=bound,
        gap=gap,
        stages=tuple(stage_names),
        solver_version=ortools.__version__,
        stopped=stopped,
    )


def _fix(ctx: ModelContext, expr: cp_model.LinearExprT, achieved: int, solver: cp_model.CpSolver) -> None:
    """Keep the stage's optimum for the later stages, and hint the solution found."""
    ctx.model.add(expr <= achieved)
    ctx.model.clear_hints()
    for variable in ctx.var.values():
        ctx.model.add_hint(variable, solver.value(variable))


def _full(ctx: ModelContext, solver: cp_model.CpSolver, block: str) -> tuple[int, int]:
    """(full racks, blocks per rack) of a block; the per-rack count is the solved ratio."""
    name = f"full_racks[{block}]"
    if name not in ctx.var:
        return (0, 0)
    return (solver.value(ctx.var[name]), ctx.per_rack[block])


def _read(ctx: ModelContext, solver: cp_model.CpSolver) -> Selection:
    demand, value = ctx.demand, solver.value
    platform = next((p for p in demand.platforms if value(ctx.var[f"use_platform[{p.id}]"])), None)
    fabric = next(f for f in demand.fabrics if value(ctx.var[f"use_fabric[{f.id}]"]))
    fid = fabric.id
    tiers = next(t for t in (1, 2, 3) if value(ctx.var[f"tier[{fid},{t}]"]))
    blocks = {b: value(ctx.var[f"storage_blocks[{b}]"]) for b in demand.catalog.storage_blocks}
    return Selection(
        platform=platform,
        nodes=value(ctx.var[f"nodes[{platform.id}]"]) if platform else 0,
        enclosures=value(ctx.var[f"enclosures[{platform.id}]"]) if platform else 0,
        fabric=fabric,
        tiers=tiers,
        leaf_switches=value(ctx.var[f"leaf_switches[{fid}]"]),
        spine_switches=value(ctx.var[f"spine_switches[{fid}]"]),
        core_switches=value(ctx.var[f"core_switches[{fid}]"]),
        endpoints=value(ctx.var[f"endpoints[{fid}]"]),
        node_cables=value(ctx.var[f"node_cables[{fid}]"]),
        switch_links=value(ctx.var[f"switch_links[{fid}]"]),
        management_switches=value(ctx.var["management_switches"]),
        storage_blocks={b: n for b, n in blocks.items() if n},
        storage_server_groups=value(ctx.var["storage_server_groups"]),
        racks=value(ctx.var["racks"]),
        compute_full_racks=_full(ctx, solver, platform.id) if platform else (0, 0),
        switch_full_racks=_full(ctx, solver, fid),
        cost=round(solver.value(ctx.expr["cost"])),
        power_max_w=round(solver.value(ctx.expr["power_max_w"])),
        rack_units=round(solver.value(ctx.expr["rack_units"])),
    )
