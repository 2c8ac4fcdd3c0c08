"""An independent check of the solver's optimum: exhaustive search over the catalog for small specs.

For random small specs (a GPU floor, cooling, availability, allowed GPUs, total power, budget,
storage), this enumerates every platform (node x GPU x count) x node count x fabric option x
storage building blocks, prices each configuration straight from the catalog's figures, keeps
those that meet the spec, and compares the cheapest with the solver's plan. The arithmetic here
is written from the rules as the README and the module docstrings state them, not taken from the
model. Racks are priced at 0 by an overlay and the site's rack limits are generous, so the rack
count never decides the answer (rack packing is checked by check() and the placement tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from primeflex_iac import Catalog, Spec, check, load_catalog, parse_spec_text, solve
from primeflex_iac.catalog.models import Server
from primeflex_iac.demand.build import choose_head_node
from primeflex_iac.demand.management import management_tree
from primeflex_iac.demand.software import choose_software

pytestmark = pytest.mark.slow  # every test here solves many specs (CI runs them)

RACKS_FREE = """apiVersion: primeflex-iac/v1
kind: CatalogOverlay
source: test - racks priced at zero
racks:
{racks}
"""


@dataclass(frozen=True)
class Candidate:
    cost: float
    extreme: bool
    what: str


@pytest.fixture(scope="module")
def free_racks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalog, Path]:
    shipped = load_catalog()
    path = tmp_path_factory.mktemp("overlay") / "racks-free.yaml"
    path.write_text(RACKS_FREE.format(racks="\n".join(f"  {rid}: {{price: 0}}" for rid in shipped.racks)))
    return load_catalog([path]), path


def _switches(endpoints: int, ports: int, per_port: int, blocking: int) -> tuple[int, int]:
    """(switches, links between levels) of the smallest fat tree that holds the endpoints."""
    down = ports * blocking // (blocking + 1)  # leaf ports facing nodes
    up = ports - down
    if endpoints <= ports * per_port:
        return 1, 0
    leaves = math.ceil(endpoints / (down * per_port))
    if leaves <= ports:  # two levels: every spine reaches every leaf
        spines = math.ceil(leaves * up / ports)
        return leaves + spines, leaves * up
    half = ports // 2
    aggregation = math.ceil(leaves * up / half)
    cores = math.ceil(aggregation * (ports - half) / ports)
    return leaves + aggregation + cores, leaves * up + aggregation * (ports - half)


def _storage_options(spec: Spec, catalog: Catalog) -> list[tuple[float, float, int, int, int, str]]:
    """(cost, power, servers, shelves for management ports, compute-free part) for each block mix that fits."""
    if spec.storage is None:
        return [(0.0, 0.0, 0, 0, 0, "no storage")]
    rules = catalog.storage_rules
    need_tib = (spec.storage.capacity or 0) / 1024**4
    blocks = list(catalog.storage_blocks.values())
    smallest = min(catalog.block_usable_tib(b) for b in blocks)
    most = math.ceil(need_tib / smallest) + 1
    server = catalog.storage_devices[rules.server]
    mdt = catalog.storage_devices[rules.mdt_shelf]
    mdt_drive = catalog.drives[rules.mdt_drive]
    per_server_software = sum(s.price for s in choose_software(spec, catalog) if s.per in ("storage_server", "server"))
    options = []

    def mixes(index: int) -> list[list[int]]:
        if index == len(blocks):
            return [[]]
        return [[n, *rest] for n in range(most + 1) for rest in mixes(index + 1)]

    for counts in mixes(0):
        if not any(counts):
            continue
        usable = sum(n * catalog.block_usable_tib(b) for n, b in zip(counts, blocks, strict=True))
        if usable + 1e-9 < need_tib:
            continue
        cost = power = 0.0
        shelves = 0
        for n, block in zip(counts, blocks, strict=True):
            for device_id, per in block.devices.items():
                device = catalog.storage_devices[device_id]
                cost += n * per * device.price
                power += n * per * device.power_max_w
                if device.role == "controller_shelf":
                    shelves += n * per
            cost += n * block.drives * catalog.drives[block.drive].price
        servers = math.ceil(shelves / rules.controller_shelves_per_server_group) * rules.servers_per_group
        cost += (
            servers * (server.price + per_server_software) + rules.mdt_shelves * mdt.price + rules.mdt_drives * mdt_drive.price
        )
        power += servers * server.power_max_w + rules.mdt_shelves * mdt.power_max_w
        options.append((cost, power, servers, shelves + rules.mdt_shelves, 0, f"blocks {counts}"))
    return options


def _loop_cost(catalog: Catalog, server: Server, nodes: int, gpus_w: float, enclosures: int) -> float:
    """Water-cooled nodes' coolant loop: a manifold port per enclosure, CDUs by the nodes' and chassis' maximum power."""
    if server.cooling != "water":
        return 0.0
    chassis_w = round(catalog.chassis[server.chassis].power_max_w) if server.chassis else 0
    water_w = nodes * round(server.base_power_max_w + gpus_w) + enclosures * chassis_w
    cost = 0.0
    for item in catalog.loop_equipment.values():
        if item.role == "cdu" and item.capacity_w is not None:
            cost += math.ceil(water_w / item.capacity_w) * item.price
        elif item.role == "manifold":
            cost += enclosures * item.price
    return cost


def brute_force(spec: Spec, catalog: Catalog) -> list[Candidate]:
    """Every configuration that meets the spec, with its cost."""
    prefs, site = spec.preferences, spec.site
    assert spec.compute is not None and spec.compute.gpus is not None
    floor = spec.compute.gpus
    head = choose_head_node(catalog, prefs.as_of)
    mgmt = next(iter(catalog.management_switches.values()))
    mgmt_cable_price = catalog.cables[mgmt.cable].price if mgmt.cable else 0
    software = choose_software(spec, catalog)
    per_node_software = sum(s.price for s in software if s.per in ("node", "server"))
    # per cluster, and the head node's licences of software counted per server (the OS)
    per_cluster_software = sum(s.price for s in software if s.per in ("cluster", "server"))
    storage = _storage_options(spec, catalog)

    def available(*dates: object) -> bool:
        return prefs.as_of is None or all(d <= prefs.as_of for d in dates)  # type: ignore[operator]

    found = []
    for server in catalog.servers.values():
        chassis = catalog.chassis[server.chassis] if server.chassis else None
        if site.cooling != "any" and server.cooling != site.cooling:
            continue
        # a new site's coolant loop only for a requirement of enough water-cooled GPUs (the paper's footnote)
        if server.cooling == "water" and floor < catalog.energy.new_loop_min_gpus:
            continue
        for gpu_id in server.gpus:
            gpu = catalog.gpus[gpu_id]
            if prefs.gpus is not None and gpu_id not in prefs.gpus:
                continue
            if not available(server.available, gpu.available, *([chassis.available] if chassis else [])):
                continue
            for per_node in server.gpu_counts:
                least = math.ceil(floor / per_node)
                for nodes in range(least, least + 3):
                    for fabric in catalog.fabrics.values():
                        switch = catalog.switches[fabric.switch]
                        for mode in fabric.modes:
                            adapter = catalog.adapters[mode.adapter]
                            if not available(fabric.available, switch.available, adapter.available):
                                continue
                            if mode.link_gbps < server.min_link_gbps:
                                continue
                            if fabric.max_compute_nodes is not None and nodes > fabric.max_compute_nodes:
                                continue
                            if fabric.max_gpus is not None and nodes * per_node > fabric.max_gpus:
                                continue
                            for s_cost, s_power, s_servers, s_shelves, _, s_what in storage:
                                endpoints = nodes * server.fabric_adapters + s_servers + head.fabric_ports
                                switches, links = _switches(
                                    endpoints, switch.ports, mode.endpoints_per_port, prefs.blocking_factor
                                )
                                enclosures = math.ceil(nodes / chassis.node_slots) if chassis else nodes
                                managed = nodes + s_servers + s_shelves + switches  # and the head node
                                tree = management_tree(managed, mgmt.ports, mgmt.uplink_ports)
                                mgmt_count = tree.switches
                                cost = (
                                    nodes * (server.price + per_node * gpu.price + per_node_software)
                                    + (enclosures * chassis.price if chassis else 0)
                                    + switches * switch.price
                                    + endpoints * adapter.price
                                    + math.ceil(endpoints / mode.endpoints_per_port) * catalog.cables[mode.cable].price
                                    + links * catalog.cables[fabric.uplink_cable].price
                                    + mgmt_count * mgmt.price
                                    + tree.cables * mgmt_cable_price
                                    + head.price
                                    + per_cluster_software
                                    + s_cost
                                    + _loop_cost(catalog, server, nodes, per_node * gpu.tdp_w, enclosures)
                                )
                                power = (
                                    nodes * (server.base_power_max_w + per_node * gpu.tdp_w)
                                    + (enclosures * chassis.power_max_w if chassis else 0)
                                    + switches * switch.power_max_w
                                    + endpoints * adapter.power_max_w
                                    + mgmt_count * mgmt.power_max_w
                                    + head.power_max_w
                                    + s_power
                                )
                                if site.total_power is not None and power > site.total_power + 1e-6:
                                    continue
                                if site.budget is not None and cost > site.budget.amount + 1e-6:
                                    continue
                                found.append(
                                    Candidate(
                                        cost,
                                        mode.link_gbps > catalog.extreme_link_gbps,
                                        f"{nodes}x {server.id}/{gpu_id}x{per_node} on {fabric.id}:{mode.name}, {s_what}",
                                    )
                                )
    return found


GPU_CHOICES = ["v100-pcie-32gb", "v100-sxm2-32gb", "t4", "a100-pcie-40gb", "a100-sxm4-80gb", "h100-sxm5-80gb", "l40s"]


@st.composite
def small_specs(draw: st.DrawFn) -> str:
    lines = [f"compute: {{gpus: {draw(st.integers(1, 24))}}}"]
    site = [f"cooling: {draw(st.sampled_from(['air', 'water', 'any']))}", "racks: {max: 100, power_per_rack: 60 kW}"]
    total = draw(st.sampled_from([None, 3, 6, 12, 25, 50]))
    if total is not None:
        site.append(f"total_power: {total} kW")
    budget = draw(st.sampled_from([None, 60_000, 150_000, 400_000, 1_000_000]))
    if budget is not None:
        site.append(f"budget: {budget} USD")
    lines.append("site: {" + ", ".join(site) + "}")
    prefs = []
    as_of = draw(st.sampled_from([None, "2019-06", "2021-06"]))
    if as_of:
        prefs.append(f"as_of: {as_of}")
    if draw(st.booleans()):
        prefs.append(
            "gpus: [" + ", ".join(draw(st.lists(st.sampled_from(GPU_CHOICES), min_size=1, max_size=3, unique=True))) + "]"
        )
    if prefs:
        lines.append("preferences: {" + ", ".join(prefs) + "}")
    capacity = draw(st.sampled_from([None, 50, 300, 600]))
    if capacity is not None:
        lines.append(f"storage: {{capacity: {capacity} TiB}}")
    return "apiVersion: primeflex-iac/v1\nname: brute\n" + "\n".join(lines) + "\n"


@settings(max_examples=40)
@given(small_specs())
def test_solver_optimum_matches_exhaustive_search(free_racks: tuple[Catalog, Path], text: str) -> None:
    catalog, overlay = free_racks
    spec = parse_spec_text(text)
    found = brute_force(spec, catalog)
    plan = solve(spec, catalog, overlays=[overlay])
    if not found:
        assert plan.status == "infeasible", f"the solver found a plan the search did not:\n{text}{plan.message}"
        return
    assert plan.status == "optimal", f"the search found {min(found, key=lambda c: c.cost)}\n{text}"
    assert check(plan, spec, catalog).ok
    # the paper's rule first: links above 100 Gb/s only if nothing slower works
    pool = [c for c in found if not c.extreme] or found
    best = min(pool, key=lambda c: c.cost)
    assert plan.totals is not None
    assert plan.totals.cost == pytest.approx(best.cost, abs=0.01), f"{text}solver: {plan.message}\nsearch: {best}"


def test_the_search_sees_a_known_answer(free_racks: tuple[Catalog, Path]) -> None:
    """The search itself, on the paper's small air sample: 8 V100 PCIe in 4 RX2540 on Ethernet."""
    catalog, _ = free_racks
    spec = parse_spec_text(
        "apiVersion: primeflex-iac/v1\nname: s\ncompute: {gpus: 8, min_gpu_memory: 32 GB}\n"
        "site: {cooling: air, racks: {max: 100, power_per_rack: 60 kW}}\npreferences: {as_of: 2019-06, gpus: [v100-pcie-32gb]}\n"
    )
    best = min((c for c in brute_force(spec, catalog) if not c.extreme), key=lambda c: c.cost)
    assert best.what.startswith("4x rx2540-m5/v100-pcie-32gbx2 on ")
