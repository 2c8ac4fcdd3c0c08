"""Fabric: one option connects every node, its link speed suits the nodes, Ethernet stays small."""

from __future__ import annotations

from primeflex_iac import Catalog
from primeflex_iac.solver.context import ModelContext
from primeflex_iac.solver.families.compute import add_compute
from primeflex_iac.solver.families.fabric import add_fabric
from primeflex_iac.solver.families.storage import add_storage

from .model import demand, only, solve

ETHERNET = ("ethernet-10g", "ethernet-25g")


def test_ethernet_connects_eight_nodes(catalog: Catalog) -> None:
    ctx = ModelContext(only(demand(catalog, gpus=16), platform="rx2540-m5/t4x2", fabrics=ETHERNET))
    compute = add_compute(ctx)
    fabric = add_fabric(ctx, compute, add_storage(ctx))
    solver = solve(ctx)
    assert solver is not None
    assert sum(solver.value(u) for u in fabric.use_fabric) == 1
    chosen = next(i for i, u in enumerate(fabric.use_fabric) if solver.value(u))
    tree = fabric.trees[chosen]
    nodes = solver.value(compute.nodes[0])
    assert nodes == 8
    # every node's adapter and the head node's port are endpoints
    head = next(iter(catalog.head_nodes.values()))
    assert solver.value(tree.endpoints) == nodes * ctx.demand.platforms[0].server.fabric_adapters + head.fabric_ports
    assert solver.value(fabric.management_switches) >= 1


def test_ethernet_does_not_reach_nine_nodes(catalog: Catalog) -> None:
    # 18 GPUs of 2 per node: 9 nodes, over Ethernet's 8 (and its 16 GPUs)
    ctx = ModelContext(only(demand(catalog, gpus=18), platform="rx2540-m5/t4x2", fabrics=ETHERNET))
    compute = add_compute(ctx)
    add_fabric(ctx, compute, add_storage(ctx))
    assert solve(ctx) is None


def test_a_node_needs_links_of_its_speed(catalog: Catalog) -> None:
    # an HGX H100 node needs 400G links; HDR gives 200G
    wanted = only(demand(catalog), platform="generic-hgx-h100-8gpu/h100-sxm5-80gbx8", fabrics=("ib-hdr:hdr",))
    ctx = ModelContext(wanted)
    compute = add_compute(ctx)
    add_fabric(ctx, compute, add_storage(ctx))
    assert solve(ctx) is None
