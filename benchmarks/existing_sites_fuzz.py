"""Random existing sites, solved and audited: no internal error, and every plan holds its check.

Run by hand: `.venv/bin/python benchmarks/existing_sites_fuzz.py [CASES] [SEED]`. Each case is a
site an architect might describe (node groups with or without free slots, racks with some free
units and spare power, an installed fabric with few or many free ports, a water loop or not, free
management ports or not, a file system) and a workload or a GPU floor; the script solves it (explanations included when
infeasible) and counts the outcomes. Results are recorded in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from primeflex_iac import check, load_catalog, parse_spec_text, solve
from primeflex_iac.errors import PrimeflexError


def site(rng: random.Random) -> str:
    racks = rng.randint(1, 8)
    per_rack = rng.choice([20, 30, 40])
    lines = ["existing:", "  nodes:"]
    count = rng.choice([8, 40, 200])
    node = rng.choice(["rx2540-m5-cpu", "rx2540-m5-cpu", "rx2540-m5-dlc-cpu", "cx2550-m5"])
    slots = 0 if node == "cx2550-m5" else rng.choice([0, 1, 2])
    names = ", ".join(f"r{i:02d}" for i in range(1, racks + 1))
    lines += [
        f"    - {{name: hpc, node: {node}, count: {count}, hostnames: 'cn[{1:03d}-{count:03d}]', free_gpu_slots: {slots}, "
        f"keep_cpu_only: {rng.randint(0, count)}, racks: [{names}]}}",
        "  racks:",
    ]
    for i in range(1, racks + 1):
        used = round(rng.uniform(0.5, 1.0) * per_rack, 2)
        lines.append(
            f"    - {{name: r{i:02d}, height: 42U, free_units: {rng.choice([0, 1, 2, 4, 8, 20])}U, "
            f"power_limit: {per_rack} kW, power_used: {used} kW}}"
        )
    fabric = rng.choice(["ib-edr", "opa-100", "ethernet-10g", "ib-hdr"])
    lines.append(
        f"  fabric: {{technology: {fabric}, free_leaf_ports: {rng.choice([0, 1, 2, 6, 12, 40])}, "
        f"free_spine_ports: {rng.choice([0, 0, 1, 4, 18, 36, 100])}}}"
    )
    if rng.random() < 0.5:
        lines.append(f"  cooling: {{water_loop: true, spare_heat_removal: {rng.choice([2, 10, 40, 200])} kW}}")
    if rng.random() < 0.6:
        lines.append(
            f"  storage: {{file_system: lustre, usable: {rng.choice([10, 100, 1000])} TiB, read_rate: {rng.choice([1, 10, 40])} GB/s}}"
        )
    if rng.random() < 0.5:
        lines.append(f"  management: {{free_ports: {rng.choice([1, 2, 5, 48, 500])}}}")
    return "\n".join(lines)


def spec(rng: random.Random) -> str:
    head = ["apiVersion: primeflex-iac/v1", "name: fuzz"]
    if rng.random() < 0.6:
        hours = rng.choice([1, 2, 6, 24, 72])
        head += [
            "workloads:",
            f"  - {{name: w, model: {rng.choice(['resnet50', 'bert-large', 'ssd'])}, time_to_model: {hours} h}}",
        ]
    else:
        head.append(f"compute: {{gpus: {rng.choice([2, 8, 32, 64])}}}")
    head.append(
        f"site: {{cooling: {rng.choice(['any', 'air', 'water'])}, racks: {{max: {rng.randint(1, 6)}, power_per_rack: 30 kW}}}}"
    )
    if rng.random() < 0.5:
        head.append("storage: {capacity: 50 TiB, file_system: lustre}")
    head.append(f"preferences: {{as_of: {rng.choice(['2019-06', '2021-06', '2024-06'])}}}")
    if rng.random() < 0.2:
        head.append("objective: [touched_nodes, cost]")
    return "\n".join(head) + "\n" + site(rng) + "\n"


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    catalog = load_catalog()
    outcomes: Counter[str] = Counter()
    started = time.monotonic()
    for index in range(cases):
        text = spec(rng)
        try:
            parsed = parse_spec_text(text, f"case-{index}.yaml")
            plan = solve(parsed, catalog)
        except PrimeflexError:
            outcomes["refused as input"] += 1
            continue
        except Exception:  # an internal error: print the spec and the traceback
            outcomes["INTERNAL ERROR"] += 1
            print(f"--- case {index}\n{text}", file=sys.stderr)
            traceback.print_exc()
            continue
        outcomes[plan.status] += 1
        if plan.status in ("optimal", "feasible"):
            violations = check(plan, parsed, catalog).violations
            if violations:
                outcomes["CHECK FAILED"] += 1
                print(f"--- case {index}: {violations}\n{text}", file=sys.stderr)
            if plan.compute and plan.compute[0].existing_group:
                outcomes["  of which cards into existing nodes"] += 1
            if plan.fabric is not None and plan.fabric.spine_switches and plan.existing and plan.existing.fabric:
                outcomes["  of which a new spine level"] += 1
            if any(d.role == "storage" for r in plan.racks if r.existing for d in r.devices):
                outcomes["  of which new storage in an installed rack"] += 1
    print(f"{cases} cases in {time.monotonic() - started:.0f} s: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))


if __name__ == "__main__":
    main()
