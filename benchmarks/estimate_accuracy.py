"""How well the time-to-model estimate matches published results, and how fast it is.

    .venv/bin/python benchmarks/estimate_accuracy.py     (output recorded in benchmarks/ESTIMATE_ACCURACY.md)

1. Every calibration row (MLPerf v0.6/v0.7 time-to-train; H200 throughput) with the shipped table:
   system, predicted, published, error.
2. Hold-out checks: the calibration is re-fitted on part of the rows and judged on the rest:
   - on one-node rows only, checked on the multi-node rows (the scaling physics);
   - on MLPerf v0.6, the NVIDIA DGX A100 one-node v0.7 rows and the H200 rows, checked on the
     v0.7 V100 rows (newer software, other vendors: Fujitsu, Tencent) and the two-node A100 rows.
3. Speed: the mean wall time of one estimate, and of a 20-deadline sweep (a fresh process).
Needs scipy (the `test` extra) for the re-fits.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "calibration"))

from fit_calibration import fit  # noqa: E402

from primeflex_iac import estimate, load_catalog  # noqa: E402
from primeflex_iac.catalog.models import Catalog  # noqa: E402
from primeflex_iac.common.units import format_duration  # noqa: E402
from primeflex_iac.timing.calibration import Calibration, load_calibration  # noqa: E402
from primeflex_iac.timing.measurements import Row, load_rows, relative_error, summary  # noqa: E402


def _shown(row: Row, value: float) -> str:
    return format_duration(value) if row.measure == "time_to_model_s" else f"{value:,.1f}/s"


def table(rows: Sequence[Row], catalog: Catalog, cal: Calibration) -> list[float]:
    print("| system | GPUs | predicted | published | error | bound |")
    print("|---|---:|---:|---:|---:|---|")
    errors = []
    for row in rows:
        result = row.inputs.run(catalog, cal)
        predicted = result.estimated_s if row.measure == "time_to_model_s" else result.samples_per_s
        error = predicted / row.published - 1
        errors.append(error)
        print(
            f"| {row.label} | {result.gpus} | {_shown(row, predicted)} | {_shown(row, row.published)} | {error:+.1%} | {result.bound} |"
        )
    return errors


def holdout(name: str, rows: Sequence[Row], catalog: Catalog, train: Callable[[Row], bool]) -> None:
    fitted = fit([r for r in rows if train(r)], catalog, load_calibration(), label=name)
    checked = [r for r in rows if not train(r)]
    errors = [relative_error(r, catalog, fitted) for r in checked]
    median, worst = summary(errors)
    print(f"| {name} | {sum(train(r) for r in rows)} | {len(checked)} | {median:.1%} | {worst:.1%} |")


def main() -> None:
    catalog = load_catalog()
    cal = load_calibration()
    rows = load_rows(catalog)
    print("## Every calibration row, shipped calibration\n")
    errors = table(rows, catalog, cal)
    mlperf = [e for e, r in zip(errors, rows, strict=True) if r.source != "h200"]
    h200 = [e for e, r in zip(errors, rows, strict=True) if r.source == "h200"]
    print()
    for label, group in (("all rows", errors), ("MLPerf rows", mlperf), ("H200 rows", h200)):
        median, worst = summary(group)
        print(f"{label}: {len(group)}, median absolute error {median:.1%}, worst {worst:.1%}")

    print("\n## Hold-out checks (re-fitted on the training rows, judged on the others)\n")
    print("| hold-out | rows fitted | rows checked | median abs. error | worst |")
    print("|---|---:|---:|---:|---:|")
    holdout("fit one-node rows, check multi-node rows", rows, catalog, lambda r: r.nodes == 1)

    def older(r: Row) -> bool:
        return r.source in ("mlperf v0.6", "h200") or (r.label.startswith("v0.7 NVIDIA dgxa100_ngc") and r.nodes == 1)

    holdout("fit v0.6 + DGX A100 one-node + H200, check v0.7 V100 and two-node A100", rows, catalog, older)

    print("\n## Speed\n")
    runs = 2000
    started = time.perf_counter()
    for _ in range(runs):
        estimate(
            "resnet50",
            gpu="a100-sxm4-40gb",
            gpus_per_node=8,
            nodes=64,
            fabric="ib-hdr",
            adapters_per_node=8,
            catalog=catalog,
            calibration=cal,
        )
    public = (time.perf_counter() - started) / runs
    print(f"primeflex_iac.estimate (inputs checked, workload resolved, estimated): {public * 1e3:.3f} ms per call")
    inputs = rows[0].inputs
    workload = inputs.resolve(catalog, cal)
    from primeflex_iac.timing.step_model import estimate as step_estimate

    started = time.perf_counter()
    for _ in range(runs):
        step_estimate(workload, inputs.node, inputs.fabric, inputs.nodes, calibration=cal)
    inner = (time.perf_counter() - started) / runs
    print(f"timing.step_model.estimate (the solver's inner call): {inner * 1e6:.1f} us per call")
    with tempfile.TemporaryDirectory() as folder:
        command = [str(Path(sys.executable).with_name("primeflex")), "sweep", str(ROOT / "specs" / "customer.yaml"), "-o", folder]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        print(
            f"primeflex sweep specs/customer.yaml (20 deadlines, fastest-plan search included): {time.perf_counter() - started:.1f} s"
        )


if __name__ == "__main__":
    main()
