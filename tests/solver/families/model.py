"""Build part of the model from a small spec, and solve it: what the family tests share."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ortools.sat.python import cp_model

from primeflex_iac import Catalog, parse_spec_text
from primeflex_iac.demand.build import Demand, build_demand
from primeflex_iac.demand.requirements import Requirement
from primeflex_iac.solver.context import ModelContext

SPEC = """
apiVersion: primeflex-iac/v1
name: family
compute: {{gpus: {gpus}}}
site:
  racks: {{max: {racks}, height: 42U, power_per_rack: 40 kW}}
"""


def demand(catalog: Catalog, gpus: int = 8, racks: int = 10, **changes: Any) -> Demand:
    """The demand of a compute-only spec, with ``changes`` replacing its fields."""
    built = build_demand(parse_spec_text(SPEC.format(gpus=gpus, racks=racks)), catalog)
    return replace(built, **changes)


def only(demand: Demand, platform: str | None = None, fabrics: tuple[str, ...] | None = None) -> Demand:
    """The demand with one candidate platform and the given fabric options."""
    platforms = [p for p in demand.platforms if platform is None or p.id == platform]
    options = [f for f in demand.fabrics if fabrics is None or f.id in fabrics]
    nodes = {
        (w, platforms.index(p), options.index(f)): demand.workload_nodes[(w, pi, fi)]
        for (w, pi, fi) in demand.workload_nodes
        for p in [demand.platforms[pi]]
        for f in [demand.fabrics[fi]]
        if p in platforms and f in options
    }
    return replace(demand, platforms=platforms, fabrics=options, workload_nodes=nodes)


def solve(ctx: ModelContext, relaxed: tuple[Requirement, ...] = ()) -> cp_model.CpSolver | None:
    """Solve for feasibility with every requirement group held but ``relaxed``; the solver, or None if infeasible."""
    for group, literal in ctx.groups.items():
        ctx.model.add(literal == (0 if group.kind in relaxed else 1))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    status = solver.solve(ctx.model)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE), solver.status_name(status)
    return None if status == cp_model.INFEASIBLE else solver
