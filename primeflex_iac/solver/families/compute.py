"""Compute: which platform, how many nodes, and the enclosures they sit in.

Rules:
- A plan has one compute platform (node model x GPU model x GPUs per node), or none when the spec
  asks only for storage.
- A platform that breaks a requirement (cooling, availability, allowed models, GPU memory) is
  used only if that requirement's group is relaxed.
- Nodes meet every compute floor (GPUs, tensor TFLOPS, INT8 TOPS) and, per workload and fabric,
  the fewest nodes that meet its time-to-model.
- Nodes in a chassis fill whole chassis: chassis = ceil(nodes / slots).
- On an existing site, a platform may be GPU cards into free slots of an existing group's nodes: at
  most the group less its kept nodes, and (while the existing site's limits hold) as many as its
  racks' spare power takes; it costs and draws what the cards add, and takes no rack unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.demand.requirements import Requirement
from primeflex_iac.solver.families.vars import BIG, ComputeVars

if TYPE_CHECKING:
    from primeflex_iac.solver.context import ModelContext

__all__ = ["add_compute"]


def add_compute(ctx: ModelContext) -> ComputeVars:
    demand, model = ctx.demand, ctx.model
    # use_platform[p]: the plan's platform is p
    use = [ctx.bool_var(f"use_platform[{p.id}]") for p in demand.platforms]
    # nodes[p]: compute nodes of platform p (0 unless p is used)
    nodes = [ctx.int_var(f"nodes[{p.id}]") for p in demand.platforms]
    # enclosures[p]: chassis, or the nodes themselves for rack servers
    enclosures = [ctx.int_var(f"enclosures[{p.id}]") for p in demand.platforms]

    if demand.needs_compute:
        model.add_exactly_one(use)
    else:
        model.add_at_most_one(use)

    for index, platform in enumerate(demand.platforms):
        model.add(nodes[index] <= BIG * use[index])
        if platform.upgrade is not None:
            model.add(nodes[index] <= platform.upgrade.without_power_limit)
            model.add(nodes[index] <= platform.upgrade.within_limits).only_enforce_if(ctx.group(Requirement.EXISTING_SITE))
        else:
            # no more nodes than the site's racks hold by height (tight bounds keep the search short)
            rack_u = demand.catalog.racks[demand.rack_model].height_u
            fit = demand.racks_max * (rack_u // platform.enclosure_height_u) * platform.nodes_per_enclosure
            model.add(nodes[index] <= fit).only_enforce_if(ctx.group(Requirement.RACKS))
        model.add(nodes[index] >= 1).only_enforce_if(use[index])
        ctx.ceil_div(enclosures[index], nodes[index], platform.nodes_per_enclosure)
        # a platform that breaks a requirement is out while that requirement holds
        for requirement in platform.breaks:
            model.add(use[index] == 0).only_enforce_if(ctx.group(requirement))
        ctx.order.append(index * use[index])

    # Compute floors over the chosen platform (exact integer arithmetic: TFLOPS in tenths).
    if demand.gpus_min:
        model.add(
            sum(n * p.gpus_per_node for n, p in zip(nodes, demand.platforms, strict=False)) >= demand.gpus_min
        ).only_enforce_if(ctx.group(Requirement.COMPUTE_FLOOR))
    if demand.tensor_tflops_min:
        model.add(
            sum(n * round(p.tensor_tflops * 10) for n, p in zip(nodes, demand.platforms, strict=False))
            >= round(demand.tensor_tflops_min * 10)
        ).only_enforce_if(ctx.group(Requirement.COMPUTE_FLOOR))
    if demand.int8_tops_min:
        model.add(
            sum(n * round(p.int8_tops * 10) for n, p in zip(nodes, demand.platforms, strict=False))
            >= round(demand.int8_tops_min * 10)
        ).only_enforce_if(ctx.group(Requirement.COMPUTE_FLOOR))

    for index, platform in enumerate(demand.platforms):
        ctx.cost.append(nodes[index] * round(platform.node_price))
        ctx.power_max_w.append(nodes[index] * round(platform.node_power_max_w))
        ctx.rack_units.append(enclosures[index] * platform.enclosure_height_u)
        if platform.chassis is not None:
            ctx.cost.append(enclosures[index] * round(platform.chassis.price))
            ctx.power_max_w.append(enclosures[index] * round(platform.chassis.power_max_w))
    total_nodes = sum(nodes)
    new_nodes = sum(n for n, p in zip(nodes, demand.platforms, strict=True) if p.upgrade is None)
    # per-node software licences (OS, cluster manager, scheduler): existing nodes have theirs
    per_node = sum(round(s.price) for s in demand.software if s.per in ("node", "server"))
    if per_node:
        ctx.cost.append(new_nodes * per_node)
    return ComputeVars(use_platform=use, nodes=nodes, enclosures=enclosures, total_nodes=total_nodes, new_nodes=new_nodes)
