"""Audit plans of specs written the way architects write them, against the invariants of a
physically true plan.

A grid of specs (GPU counts from 8 to 4,096, the zoo's workloads and deadlines, air or water,
power per rack, storage by capacity and by throughput, the site's racks and budget) is solved;
every plan must pass ``check()`` (links and storage throughput, racks billed = placed, switch
ports, precision, deadlines), and this script adds what ``check()`` does not hold on its own:

- no valid spec ends in an internal error;
- a fat tree has a level more than its endpoints need only where one more endpoint would not fit;
- the storage is no dearer than the cheapest block combination meeting its capacity and rate
  (found here by exhaustive search, without the solver).

Run by hand (`.venv/bin/python benchmarks/architect_audit.py [--quick]`); the last output is
recorded in benchmarks/RESULTS.md. The same audit on a few specs is a slow test.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from primeflex_iac import Catalog, Plan, Spec, check, load_catalog, parse_spec_text, solve  # noqa: E402
from primeflex_iac.demand.build import build_demand  # noqa: E402

WORKLOADS = {
    "resnet50": "{name: w, model: resnet50, time_to_model: %s}",
    "bert": "{name: w, model: bert-large, time_to_model: %s}",
    "gpt": "{name: w, model: gpt, parameters: 1300000000, time_to_model: %s}",
}


def specs(quick: bool) -> list[tuple[str, str]]:
    """(name, YAML) of every spec of the grid."""
    out = []
    gpus = (8, 64, 512) if quick else (8, 32, 128, 512, 2048, 4096)
    deadlines = ("1 d",) if quick else ("8 h", "3 d")
    cooling = ("any",) if quick else ("air", "water", "any")
    power = (20, 40) if quick else (15, 20, 40)
    storage = ("", "storage: {capacity: 500 TiB}\n", "storage: {capacity: 200 TiB, throughput: 40 GB/s}\n")
    for n, model, deadline, cool, kw, store in itertools.product(gpus, WORKLOADS, deadlines, cooling, power, storage):
        name = f"{model}-{n}gpu-{deadline.replace(' ', '')}-{cool}-{kw}kw-{'s' if store else 'n'}{len(store)}"
        text = (
            f"apiVersion: primeflex-iac/v1\nname: {name}\ncompute: {{gpus: {n}}}\n"
            f"workloads:\n  - {WORKLOADS[model] % deadline}\n"
            f"site: {{cooling: {cool}, racks: {{max: 2000, power_per_rack: {kw} kW}}}}\n{store}"
        )
        out.append((name, text))
    return out


def tree_violations(plan: Plan, catalog: Catalog) -> list[str]:
    """A fat tree with a level its endpoints do not need."""
    fabric = plan.fabric
    if fabric is None:
        return []
    mode = next(m for m in catalog.fabrics[fabric.technology].modes if m.name == fabric.mode)
    ports = catalog.switches[catalog.fabrics[fabric.technology].switch].ports
    single = ports * mode.endpoints_per_port
    down = ports * fabric.blocking_factor // (fabric.blocking_factor + 1)
    two_level = ports * down * mode.endpoints_per_port
    tiers = 1 + (fabric.spine_switches > 0) + (fabric.core_switches > 0)
    if tiers == 2 and fabric.endpoints <= single:
        return [f"two levels for {fabric.endpoints} endpoints that fit one switch of {single}"]
    if tiers == 3 and fabric.endpoints <= two_level:
        return [f"three levels for {fabric.endpoints} endpoints that fit two ({two_level})"]
    return []


def storage_violations(plan: Plan, spec: Spec, catalog: Catalog) -> list[str]:
    """Storage dearer than the cheapest block combination that meets capacity and read rate."""
    if plan.storage is None or plan.fabric is None:
        return []
    demand = build_demand(spec, catalog)
    assert demand.storage is not None
    rules = catalog.storage_rules
    server = catalog.storage_devices[rules.server]
    link = catalog.fabrics[plan.fabric.technology]
    link_gbps = next(m.link_gbps for m in link.modes if m.name == plan.fabric.mode)
    per_server = min(server.read_gbs, server.fabric_ports * link_gbps / 8)
    blocks = list(catalog.storage_blocks.values())
    most = [math.ceil(max(demand.storage.capacity_tib / catalog.block_usable_tib(b), 1)) + 12 for b in blocks]
    best = math.inf
    for counts in itertools.product(*(range(m + 1) for m in most)):
        if not any(counts):
            continue
        usable = sum(n * catalog.block_usable_tib(b) for n, b in zip(counts, blocks, strict=True))
        drives = sum(n * catalog.block_read_gbs(b) for n, b in zip(counts, blocks, strict=True))
        if usable + 1e-6 < demand.storage.capacity_tib or drives + 1e-6 < demand.storage.read_gbs:
            continue
        shelves = sum(n * catalog.block_controller_shelves(b) for n, b in zip(counts, blocks, strict=True))
        pairs = max(math.ceil(shelves / rules.controller_shelves_per_server_group), 1)
        while pairs * rules.servers_per_group * per_server + 1e-6 < demand.storage.read_gbs:
            pairs += 1
        if pairs > shelves:
            continue
        cost = pairs * rules.servers_per_group * server.price
        for n, block in zip(counts, blocks, strict=True):
            cost += n * sum(per * catalog.storage_devices[d].price for d, per in block.devices.items())
            cost += n * block.drives * catalog.drives[block.drive].price
        best = min(best, cost)
    # the plan's storage hardware less the metadata shelf and its drives, which every system has
    mdt = (
        rules.mdt_shelves * catalog.storage_devices[rules.mdt_shelf].price
        + rules.mdt_drives * catalog.drives[rules.mdt_drive].price
    )
    billed = sum(line.total_cost for line in plan.bom if line.category == "storage") - mdt
    return [f"storage costs {billed:,.0f}, the cheapest valid blocks {best:,.0f}"] if billed > best + 0.5 else []


def audit(quick: bool) -> int:
    catalog = load_catalog()
    counts: dict[str, int] = {}
    problems = 0
    started = time.perf_counter()
    for name, text in specs(quick):
        spec = parse_spec_text(text, f"{name}.yaml")
        try:
            plan = solve(spec, catalog, explain=False)
        except Exception as error:  # an internal error is itself a finding
            print(f"{name}: internal error {type(error).__name__}: {error}")
            problems += 1
            continue
        counts[plan.status] = counts.get(plan.status, 0) + 1
        if plan.status not in ("optimal", "feasible"):
            continue
        found = check(plan, spec, catalog).violations + tree_violations(plan, catalog) + storage_violations(plan, spec, catalog)
        for violation in found:
            print(f"{name}: {violation}")
        problems += len(found)
    total = sum(counts.values())
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"{total} specs ({summary}) in {time.perf_counter() - started:.0f} s: {problems} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small grid (a slow test runs it)")
    sys.exit(audit(parser.parse_args().quick))
