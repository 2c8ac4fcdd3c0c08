"""Time each export target (Slurm, NetBox, Ansible) on plans of 256 to 8,192 compute nodes.

Run by hand: ``.venv/bin/python benchmarks/export_times.py [NODES ...]``; the output is recorded in
benchmarks/RESULTS.md. Each plan is solved once (not timed); each figure is the wall time of one
call of the target's exporter, in this process, the catalog already loaded, on a fresh copy of the
plan (the wiring the targets share is derived once per plan object); "all" is one
``export_files(plan, "all")``, every target together, as ``primeflex export --to all`` runs it.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from primeflex_iac import load_catalog, parse_spec_text, solve  # noqa: E402
from primeflex_iac.export.targets import TARGETS, export_files  # noqa: E402

# 8 H100 GPUs per node: the node count is GPUs / 8
SPEC = """apiVersion: primeflex-iac/v1
name: exports-{nodes}
compute: {{gpus: {gpus}}}
site:
  racks: {{max: 5000, height: 42U, power_per_rack: 40 kW}}
preferences:
  gpus: [h100-sxm5-80gb]
  nodes: [generic-hgx-h100-8gpu]
"""


def main(counts: list[int]) -> None:
    catalog = load_catalog()
    print(f"machine: {platform.machine()}, CPython {platform.python_version()}\n")
    print("| compute nodes | devices | " + " | ".join(f"{name} (s)" for name in TARGETS) + " | all (s) |")
    print("|---:|---:|" + "---:|" * (len(TARGETS) + 1))
    for nodes in counts:
        plan = solve(parse_spec_text(SPEC.format(nodes=nodes, gpus=nodes * 8)), catalog)
        assert plan.compute and plan.compute[0].count == nodes, (nodes, plan.status)
        devices = sum(len(rack.devices) for rack in plan.racks)
        times = []
        for exporter in TARGETS.values():
            fresh = plan.model_copy()
            started = time.perf_counter()
            exporter(fresh, catalog)
            times.append(time.perf_counter() - started)
        fresh = plan.model_copy()
        started = time.perf_counter()
        export_files(fresh, "all", catalog)
        times.append(time.perf_counter() - started)
        print(f"| {nodes:,} | {devices:,} | " + " | ".join(f"{t:.2f}" for t in times) + " |", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [256, 1024, 2048, 8192])
