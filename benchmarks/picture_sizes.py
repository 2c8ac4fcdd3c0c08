"""Sizes of the pictures and the report for large plans made with the scaling spec of
benchmarks/solve_times.py: bytes of racks.svg, topology.svg and report.html, the rack picture's
width and the number of rack drawings (racks of the same content are drawn once).

Run by hand: ``.venv/bin/python benchmarks/picture_sizes.py``; the output is recorded in
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from primeflex_iac import load_catalog, parse_spec_text, solve  # noqa: E402
from primeflex_iac.render.bundle import render_bundle  # noqa: E402

SCALING = """apiVersion: primeflex-iac/v1
name: scale-{gpus}
compute: {{gpus: {gpus}}}
site:
  racks: {{max: 5000, height: 42U, power_per_rack: 40 kW}}
preferences:
  gpus: [{gpu}]
{nodes}"""
PLANS = [
    (8192, "v100-sxm2-32gb", ""),  # 2,048 nodes of 4 GPUs in 100 racks
    (16384, "h100-sxm5-80gb", "  nodes: [generic-hgx-h100-8gpu]\n"),  # 2,048 nodes of 8 GPUs in 740 racks
]


def main() -> None:
    catalog = load_catalog()
    print(
        "| plan | nodes | racks | racks.svg (bytes) | racks.svg width (px) | rack drawings | topology.svg (bytes) | report.html (bytes) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for gpus, gpu, nodes in PLANS:
        plan = solve(parse_spec_text(SCALING.format(gpus=gpus, gpu=gpu, nodes=nodes)), catalog)
        files, _ = render_bundle(plan)
        racks = str(files["racks.svg"])
        width = re.search(r'width="(\d+)"', racks)
        drawings = racks.count('class="rack-group"') or len(plan.racks)
        sizes = [len(str(files.get(name, "")).encode()) for name in ("racks.svg", "topology.svg", "report.html")]
        count = plan.compute[0].count if plan.compute else 0
        print(
            f"| {gpus:,} x {gpu} | {count:,} | {len(plan.racks):,} | {sizes[0]:,} | {width[1] if width else '?'} | "
            f"{drawings} | {sizes[1]:,} | {sizes[2]:,} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
