"""Fabric: one high-speed fabric for the whole cluster, its switches, adapters and cables.

Rules:
- Exactly one fabric option (a fabric in one mode) connects compute nodes, storage servers and
  the head node; each compute node brings its platform's number of adapters. The head node's
  port stays off the fabric only where it would take the tree a level up (the level is full
  without it): it schedules and manages over the management network.
- A node is sold with links of at least its platform's speed (an 8-GPU HGX H100 node needs 400G).
- Ethernet is viable for at most 8 compute nodes and, as read from the sample tables, 16 GPUs.
- Workloads: with platform p on fabric f, at least the nodes that meet each time-to-model (a run
  takes as many of the nodes as make it fastest, so more nodes never miss it).
- Switches form one switch, or a two- or three-level fat tree whose counts follow from the
  endpoints: leaves = ceil(endpoints / leaf down ports), spines = ceil(leaf uplinks / ports), and
  the third level likewise. A tree is used only when the level below cannot hold the endpoints.
- With avoid_extreme_fabrics, links above 100 Gb/s are used only when required (the seed: HDR is
  "only a consideration in extreme processing requirements"); the objective's first stage does it.
- On an existing site with an installed fabric, that fabric is the only option: new ports take its
  free leaf ports, then new leaf switches whose uplinks take free spine ports (fewest new leaves:
  ceil((ports - free leaf ports) / leaf down ports)); or a new spine level: every new port on new
  leaves under new spines (ceil(leaf uplinks / (ports - 1)) of them), each new spine joined to the
  installed fabric by one link into a free spine port, else a free leaf port. Existing nodes that
  take cards keep their port; the head node is the site's.
- A management Ethernet network reaches every node, server, shelf, fabric switch and the head node:
  one switch while its access ports take them all, else access switches (ceil(devices / 46)) whose
  uplinks go into aggregation switches (ceil((2 x access + 1) / 48)), as demand/management.py
  reads it; one patch cable per management port and per uplink.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.demand.requirements import Requirement
from primeflex_iac.solver.families.vars import BIG, RATE_SCALE, FabricVars, TreeVars

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from primeflex_iac.demand.candidates import FabricOption
    from primeflex_iac.solver.context import ModelContext
    from primeflex_iac.solver.families.vars import ComputeVars, StorageVars

__all__ = ["add_fabric"]


def add_fabric(ctx: ModelContext, compute: ComputeVars, storage: StorageVars) -> FabricVars:
    demand, model, catalog = ctx.demand, ctx.model, ctx.demand.catalog
    blocking = demand.blocking_factor
    use_platform, nodes = compute.use_platform, compute.nodes
    # use_fabric[f]: the cluster's fabric is option f
    use_fabric = [ctx.bool_var(f"use_fabric[{f.id}]") for f in demand.fabrics]
    model.add_exactly_one(use_fabric)
    head = ctx.demand.head_node
    storage_servers = storage.servers
    server = catalog.storage_devices[catalog.storage_rules.server]
    read_gbs = demand.storage.missing_read_gbs if demand.storage else 0.0
    read_needed = round(read_gbs * RATE_SCALE + 0.5) if read_gbs > 0 else 0

    extreme_used = []
    trees: list[TreeVars] = []
    pairs: list[list[cp_model.IntVar]] = []
    head_ports: list[cp_model.IntVar] = []
    # fabric_switches: switches of whichever option is the fabric (management ports)
    fabric_switches: cp_model.LinearExprT = 0
    for fi, option in enumerate(demand.fabrics):
        fab = use_fabric[fi]
        for requirement in option.breaks:
            model.add(fab == 0).only_enforce_if(ctx.group(requirement))
        if option.extreme:
            extreme_used.append(fab)
        ctx.order.append(fi * fab)
        # pair_nodes[p, f]: nodes of platform p when the fabric is f, else 0
        pair_nodes = []
        adapters_on_nodes = []
        pairs.append([])
        for pi, platform in enumerate(demand.platforms):
            pair = model.new_bool_var(f"pair[{platform.id},{option.id}]")
            pairs[fi].append(pair)
            model.add_bool_and([use_platform[pi], fab]).only_enforce_if(pair)
            model.add_bool_or([use_platform[pi].Not(), fab.Not(), pair])
            count = ctx.int_var(f"pair_nodes[{platform.id},{option.id}]")
            model.add(count == nodes[pi]).only_enforce_if(pair)
            model.add(count == 0).only_enforce_if(pair.Not())
            pair_nodes.append(count)
            adapters_on_nodes.append(count * platform.fabric_adapters_bought)
            if option.link_gbps < platform.server.min_link_gbps or (platform.upgrade is not None and option.existing is None):
                model.add(pair == 0)  # too slow a link; or existing nodes off the fabric they are cabled to
            for wi, workload in enumerate(demand.workloads):
                needed = demand.workload_nodes[(wi, pi, fi)]
                group = ctx.group(Requirement.TIME_TO_MODEL, workload.name)
                if needed is None:
                    model.add(pair == 0).only_enforce_if(group)
                else:
                    model.add(count >= needed).only_enforce_if([pair, group])
        compute_nodes = sum(pair_nodes)
        gpus = sum(c * p.gpus_per_node for c, p in zip(pair_nodes, demand.platforms, strict=False))
        if option.fabric.max_compute_nodes is not None:
            model.add(compute_nodes <= option.fabric.max_compute_nodes)
        if option.fabric.max_gpus is not None:
            model.add(gpus <= option.fabric.max_gpus)

        # endpoints[f]: fabric ports in use (0 unless f is the fabric)
        endpoints = ctx.int_var(f"endpoints[{option.id}]")
        others = ctx.int_var(f"other_endpoints[{option.id}]")
        # the head node joins the fabric unless its port would take the tree a level up (below)
        head_port = ctx.bool_var(f"head_on_fabric[{option.id}]")
        model.add(head_port == 0).only_enforce_if(fab.Not())
        if not demand.new_head_node:
            model.add(head_port == 0)  # the site's head node is already cabled as it is
        head_ports.append(head_port)
        model.add(others == storage_servers * server.fabric_ports + head_port * head.fabric_ports).only_enforce_if(fab)
        model.add(others == 0).only_enforce_if(fab.Not())
        model.add(endpoints == sum(adapters_on_nodes) + others)
        if option.existing is not None:
            tree = _add_existing_ports(ctx, option, fab, endpoints, blocking)
        else:
            tree = _add_switches(ctx, option, fab, endpoints, blocking)
        if demand.new_head_node:
            # off the fabric only where the level is full without it (the tree's last port in use)
            for tier, capacity in zip(tree.tiers, _tier_capacities(option, blocking), strict=True):
                model.add(endpoints >= capacity).only_enforce_if([tier, head_port.Not()])
        trees.append(tree)
        fabric_switches = fabric_switches + tree.switches

        # storage servers serve no faster than their fabric ports carry (line rate)
        link_gbs = server.fabric_ports * option.link_gbps / 8
        if read_needed and link_gbs < server.read_gbs:
            model.add(storage_servers * int(link_gbs * RATE_SCALE) >= read_needed).only_enforce_if(
                [fab, ctx.group(Requirement.STORAGE_THROUGHPUT)]
            )

        adapter = option.adapter
        ctx.cost.append(endpoints * round(adapter.price))
        ctx.power_max_w.append(endpoints * round(adapter.power_max_w))

    extreme = sum(extreme_used) if extreme_used else 0
    switches, aggregation, cables = _add_management(ctx, compute, storage, fabric_switches)
    return FabricVars(
        use_fabric=use_fabric,
        pairs=pairs,
        head_on_fabric=head_ports,
        trees=trees,
        management_switches=switches,
        management_aggregation=aggregation,
        management_cables=cables,
        extreme=extreme,
    )


def _tier_capacities(option: FabricOption, blocking: int) -> tuple[int, int, int]:
    """Endpoints a one-, two- and three-level tree of the option's switches holds at most (in two
    levels every spine reaches every leaf; in three, half of each middle switch's ports face down)."""
    single, per_leaf, _uplinks = option.tree_shape(blocking)
    ports = option.switch.ports
    return single, ports * per_leaf, ports * (ports // 2) * per_leaf


def _add_switches(
    ctx: ModelContext, option: FabricOption, fab: cp_model.IntVar, endpoints: cp_model.IntVar, blocking: int
) -> TreeVars:
    model = ctx.model
    _single, per_leaf, uplinks = option.tree_shape(blocking)
    single, two_level_max, three_level_max = _tier_capacities(option, blocking)
    ports = option.switch.ports
    aggregation_down = ports // 2
    fid = option.id
    # tier[f, t]: the fabric is a one-, two- or three-level tree
    tiers = [ctx.bool_var(f"tier[{fid},{t}]") for t in (1, 2, 3)]
    model.add(sum(tiers) == fab)
    # leaves, spines (second level) and cores (third level) of the chosen tree
    leaves = ctx.int_var(f"leaf_switches[{fid}]")
    spines = ctx.int_var(f"spine_switches[{fid}]")
    cores = ctx.int_var(f"core_switches[{fid}]")
    model.add(endpoints <= single).only_enforce_if(tiers[0])
    model.add(leaves == 1).only_enforce_if(tiers[0])
    model.add(spines == 0).only_enforce_if(tiers[0])
    model.add(endpoints >= single + 1).only_enforce_if(tiers[1])
    model.add(endpoints <= two_level_max).only_enforce_if(tiers[1])
    model.add(endpoints >= two_level_max + 1).only_enforce_if(tiers[2])
    model.add(endpoints <= three_level_max).only_enforce_if(tiers[2])
    for tier in tiers[1:]:
        model.add(leaves * per_leaf >= endpoints).only_enforce_if(tier)
        model.add(leaves * per_leaf <= endpoints + per_leaf - 1).only_enforce_if(tier)
    model.add(spines * ports >= leaves * uplinks).only_enforce_if(tiers[1])
    model.add(spines * ports <= leaves * uplinks + ports - 1).only_enforce_if(tiers[1])
    model.add(spines * aggregation_down >= leaves * uplinks).only_enforce_if(tiers[2])
    model.add(spines * aggregation_down <= leaves * uplinks + aggregation_down - 1).only_enforce_if(tiers[2])
    model.add(cores * ports >= spines * (ports - aggregation_down)).only_enforce_if(tiers[2])
    model.add(cores * ports <= spines * (ports - aggregation_down) + ports - 1).only_enforce_if(tiers[2])
    for variable in (leaves, spines, cores):
        model.add(variable == 0).only_enforce_if(fab.Not())
    model.add(cores == 0).only_enforce_if(tiers[0])
    model.add(cores == 0).only_enforce_if(tiers[1])

    # cables: one per node port (a splitter serves two), one per link between levels
    node_cables = ctx.int_var(f"node_cables[{fid}]")
    ctx.ceil_div(node_cables, endpoints, option.mode.endpoints_per_port)
    links = ctx.int_var(f"switch_links[{fid}]")
    upper_links = ctx.int_var(f"upper_links[{fid}]")
    model.add(upper_links == spines * (ports - aggregation_down)).only_enforce_if(tiers[2])
    model.add(upper_links == 0).only_enforce_if(tiers[2].Not())
    tree_links = ctx.int_var(f"tree_links[{fid}]")
    model.add(tree_links == leaves * uplinks).only_enforce_if(tiers[0].Not())
    model.add(tree_links == 0).only_enforce_if(tiers[0])
    model.add(links == tree_links + upper_links)

    return _priced_tree(
        ctx, option, TreeVars(tiers, leaves, spines, cores, leaves + spines + cores, endpoints, node_cables, links)
    )


def _priced_tree(ctx: ModelContext, option: FabricOption, tree: TreeVars) -> TreeVars:
    """The tree, with its switches' and cables' price, power and rack units added to the totals."""
    switch = option.switch
    ctx.cost.append(tree.switches * round(switch.price))
    ctx.cost.append(tree.node_cables * round(option.cable.price))
    ctx.cost.append(tree.switch_links * round(option.uplink_cable.price))
    ctx.power_max_w.append(tree.switches * round(switch.power_max_w))
    ctx.rack_units.append(tree.switches * switch.height_u)
    return tree


def _add_existing_ports(
    ctx: ModelContext, option: FabricOption, fab: cp_model.IntVar, endpoints: cp_model.IntVar, blocking: int
) -> TreeVars:
    """New ports on the installed fabric: its free leaf ports, then new leaves on its free spine ports;
    or, where the spines lack ports for the new leaves' uplinks, a new spine level (island)."""
    model = ctx.model
    assert option.existing is not None
    installed = option.existing
    _single, per_leaf, uplinks = option.tree_shape(blocking)
    ports = option.switch.ports
    fid = option.id
    hold = ctx.group(Requirement.EXISTING_SITE)
    tiers = [ctx.bool_var(f"tier[{fid},{t}]") for t in (1, 2, 3)]
    model.add(tiers[0] == 0)
    model.add(tiers[1] == fab)  # leaf-spine: new leaves under the installed spines, or under new ones
    model.add(tiers[2] == 0)
    leaves = ctx.int_var(f"leaf_switches[{fid}]")
    spines = ctx.int_var(f"spine_switches[{fid}]")
    cores = ctx.int_var(f"core_switches[{fid}]")
    model.add(cores == 0)
    # island: every new port on new leaves under new spines, each spine keeping one port for its
    # link into the installed fabric (a free spine port, else a free leaf port)
    island = ctx.bool_var(f"new_spine_level[{fid}]")
    model.add(island == 0).only_enforce_if(fab.Not())
    # overflow: ports beyond the installed leaves' free ones; the fewest new leaves take them
    overflow = ctx.int_var(f"ports_beyond_free_leaf_ports[{fid}]")
    model.add_max_equality(overflow, [endpoints - installed.free_leaf_ports, 0])
    on_leaves = ctx.int_var(f"ports_on_new_leaves[{fid}]")
    model.add(on_leaves == overflow).only_enforce_if(island.Not())
    model.add(on_leaves == endpoints).only_enforce_if(island)
    ctx.ceil_div(leaves, on_leaves, per_leaf)
    # joins: the new spines' links into the installed fabric, at least one per spine and enough for
    # what the workloads read from the site's file system, which sits beyond them
    joins = ctx.int_var(f"joins_to_installed_fabric[{fid}]")
    model.add(spines == 0).only_enforce_if(island.Not())
    model.add(joins == 0).only_enforce_if(island.Not())
    model.add(leaves * uplinks <= installed.free_spine_ports).only_enforce_if([hold, island.Not()])
    model.add(joins >= spines).only_enforce_if(island)
    model.add(spines * ports >= leaves * uplinks + joins).only_enforce_if(island)
    model.add(spines * ports <= leaves * uplinks + joins + ports - 1).only_enforce_if(island)  # the fewest spines
    model.add(leaves <= ports).only_enforce_if(island)  # every spine reaches every new leaf
    model.add(joins <= installed.free_spine_ports + installed.free_leaf_ports).only_enforce_if([hold, island])
    read = ctx.demand.site_read_gbs
    if read > 0:
        per_link = round(option.link_gbps / 8 * RATE_SCALE)
        needed = round(read * RATE_SCALE + 0.5)
        model.add(joins * per_link >= needed).only_enforce_if([island, ctx.group(Requirement.STORAGE_THROUGHPUT)])
    model.add(leaves == 0).only_enforce_if(fab.Not())
    node_cables = ctx.int_var(f"node_cables[{fid}]")
    ctx.ceil_div(node_cables, endpoints, option.mode.endpoints_per_port)
    links = ctx.int_var(f"switch_links[{fid}]")
    model.add(links == leaves * uplinks + joins)  # uplinks, and the new spines' links into the installed fabric
    return _priced_tree(
        ctx, option, TreeVars(tiers, leaves, spines, cores, leaves + spines + cores, endpoints, node_cables, links)
    )


def _add_management(
    ctx: ModelContext, compute: ComputeVars, storage: StorageVars, fabric_switches: cp_model.LinearExprT
) -> tuple[cp_model.IntVar, cp_model.IntVar, cp_model.IntVar]:
    """Management Ethernet (switches, of which aggregation, and cables): a port for every node, storage
    server and shelf, fabric switch and the head node; a tree of access and aggregation switches when
    one switch cannot take them all."""
    model, catalog = ctx.model, ctx.demand.catalog
    switch = next(iter(catalog.management_switches.values()))
    head = ctx.demand.head_node
    ports, uplink_ports = switch.ports, switch.uplink_ports
    access_ports = ports - uplink_ports
    # devices: management ports besides the head node's. On an existing site only new devices count
    # (its nodes and head node are on its management network), the first take its free management
    # ports, and the port the head node takes is the new switches' cable to that network: none when
    # nothing is left for a new switch.
    devices = compute.new_nodes + storage.servers + storage.shelves + fabric_switches
    # an existing site's free management ports take the first of them (all, where they are enough)
    free = ctx.demand.site_management_ports
    on_site: cp_model.LinearExprT = 0
    if free:
        on_site = ctx.int_var("management_on_site", free)
        fills = ctx.bool_var("management_site_full")
        model.add(on_site <= devices)
        model.add(on_site == free).only_enforce_if(fills)
        model.add(on_site == devices).only_enforce_if(fills.Not())
    rest = devices - on_site  # the ports on the plan's own management switches
    new_head = 1 if ctx.demand.new_head_node else 0
    root: cp_model.LinearExprT = new_head
    if not new_head:
        root = ctx.bool_var("new_management_ports")
        model.add(rest >= root)
        model.add(rest <= BIG * root)
    # tree: one switch cannot take every port, so access switches uplink into aggregation switches
    tree = ctx.bool_var("management_tree")
    model.add(rest + root <= access_ports).only_enforce_if(tree.Not())
    model.add(rest + root >= access_ports + 1).only_enforce_if(tree)
    access = ctx.int_var("management_access_switches")
    aggregation = ctx.int_var("management_aggregation_switches")
    uplinks = ctx.int_var("management_uplinks")
    model.add(access == root).only_enforce_if(tree.Not())
    model.add(aggregation == 0).only_enforce_if(tree.Not())
    model.add(uplinks == 0).only_enforce_if(tree.Not())
    model.add(access * access_ports >= rest).only_enforce_if(tree)
    model.add(access * access_ports <= rest + access_ports - 1).only_enforce_if(tree)
    model.add(uplinks == access * uplink_ports).only_enforce_if(tree)
    # aggregation switches take the access uplinks and the head node on all their ports
    model.add(aggregation * ports >= uplinks + root).only_enforce_if(tree)
    model.add(aggregation * ports <= uplinks + root + ports - 1).only_enforce_if(tree)
    if uplink_ports == 0:
        model.add(tree == 0)  # access switches without uplinks cannot be joined
    elif uplink_ports == 1:
        model.add(aggregation <= 1)  # one uplink per access switch joins a single aggregation switch only
    switches = ctx.int_var("management_switches")
    model.add(switches == access + aggregation)
    cables = ctx.int_var("management_cables")
    model.add(cables == devices + root + uplinks)
    ctx.cost.append(switches * round(switch.price) + new_head * round(head.price))
    if switch.cable is not None:
        ctx.cost.append(cables * round(catalog.cables[switch.cable].price))
    ctx.power_max_w.append(switches * round(switch.power_max_w) + new_head * round(head.power_max_w))
    ctx.rack_units.append(switches * switch.height_u + new_head * head.height_u)
    return switches, aggregation, cables
