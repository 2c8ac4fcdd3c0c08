"""Time `primeflex solve` on every spec in specs/ and on a scaling series (8 to 8,192 GPUs).

Run by hand (`make bench`); the output is recorded in benchmarks/RESULTS.md. Each figure is the
wall time of a fresh `primeflex solve` process (start-up included), the best of three runs, and
the model size (variables, constraints) for the scaling series.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from primeflex_iac import load_catalog, parse_spec_text  # noqa: E402
from primeflex_iac.demand.build import build_demand  # noqa: E402
from primeflex_iac.solver.model import build_model  # noqa: E402

SCALING = """apiVersion: primeflex-iac/v1
name: scale-{gpus}
compute: {{gpus: {gpus}}}
site:
  racks: {{max: 5000, height: 42U, power_per_rack: 40 kW}}
preferences:
  gpus: [{gpu}]
"""
PRIMEFLEX = str(Path(sys.executable).with_name("primeflex"))


def wall(spec: Path, out: Path) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        result = subprocess.run([PRIMEFLEX, "solve", str(spec), "-o", str(out)], check=True, capture_output=True, text=True)
        if "OPTIMAL" not in result.stdout:
            raise SystemExit(f"{spec.name}: not proven optimal:\n{result.stdout}")
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print()
    print("| spec | wall (s) |")
    print("|---|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        for spec in sorted(ROOT.glob("specs/**/*.yaml")):
            print(f"| {spec.relative_to(ROOT)} | {wall(spec, out):.2f} |", flush=True)
        print()
        print("| GPUs | GPU | wall (s) | model variables | model constraints |")
        print("|---:|---|---:|---:|---:|")
        catalog = load_catalog()
        # V100 PCIe (air-cooled RX2540): a new site plans no water loop for the 8-GPU point (energy.new_loop_min_gpus)
        for gpu in ("v100-pcie-32gb", "h100-sxm5-80gb"):
            for gpus in (8, 64, 512, 2048, 8192):
                text = SCALING.format(gpus=gpus, gpu=gpu)
                spec = Path(tmp) / f"scale-{gpu}-{gpus}.yaml"
                spec.write_text(text)
                proto = build_model(build_demand(parse_spec_text(text), catalog)).model.proto
                seconds = wall(spec, out)
                print(f"| {gpus:,} | {gpu} | {seconds:.2f} | {len(proto.variables)} | {len(proto.constraints)} |", flush=True)


if __name__ == "__main__":
    main()
