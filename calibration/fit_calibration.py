"""Fit the time-to-model calibration table on the published rows kept beside this script.

    .venv/bin/python calibration/fit_calibration.py           # fit on every row, write the table
    .venv/bin/python calibration/fit_calibration.py --check   # fit and compare with the committed table

Fits 14 figures by least squares on the logarithm of predicted / published (scipy's
least_squares), through the package's own estimate, so the fit and the tool share one physics:

- efficiency[cnn][volta]: ResNet-50's sourced FLOPs on the V100 rows;
- equivalent FLOPs per sample of ssd, maskrcnn, transformer and gnmt (no FLOPs figure sourced),
  expressed at the V100 efficiency of the CNN class (an anchor: only their product is measured);
- efficiency[kind][ampere] for cnn, transformer and rnn: the A100 rows;
- efficiency[kind][hopper] for cnn and transformer: the H200 rows of reference facts section 3;
- the fixed time of a step per kind and the start-up and evaluation time of a run: the spread
  between per-GPU batches and cluster sizes.

Everything else in the table is set by hand with its source and left as it is. The figures of
generations without data (Turing, Ada) and of rnn on Hopper are derived as the table says.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import least_squares

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from primeflex_iac.catalog.loader import load_catalog  # noqa: E402
from primeflex_iac.catalog.models import Catalog  # noqa: E402
from primeflex_iac.common.vocabulary import GENERATIONS  # noqa: E402
from primeflex_iac.timing.calibration import CALIBRATION_FILE, Calibration, load_calibration  # noqa: E402
from primeflex_iac.timing.measurements import Row, load_rows, relative_error, summary  # noqa: E402

DOC = ROOT / "docs" / "calibration.md"
CALIBRATED = ("ssd", "maskrcnn", "transformer", "gnmt")
# (name, initial value): the fitted figures, all positive, fitted as logarithms
PARAMETERS: tuple[tuple[str, float], ...] = (
    ("efficiency.cnn.volta", 0.3),
    *((f"flops.{w}", v) for w, v in zip(CALIBRATED, (5e10, 1.5e12, 4e8, 1.5e10), strict=True)),
    ("efficiency.cnn.ampere", 0.3),
    ("efficiency.transformer.ampere", 0.3),
    ("efficiency.rnn.ampere", 0.3),
    ("step.cnn", 0.01),
    ("step.transformer", 0.01),
    ("step.rnn", 0.01),
    ("startup", 30.0),
    ("efficiency.cnn.hopper", 0.2),
    ("efficiency.transformer.hopper", 0.3),
)
# physical ranges, by the figure's family: efficiencies a share of peak, times in seconds
BOUNDS = {"efficiency": (0.01, 1.0), "flops": (1e6, 1e16), "step": (1e-5, 1.0), "startup": (1.0, 3600.0)}
HOW = {
    "efficiency.cnn.volta": "fitted: ResNet-50 (24.3 GFLOP per image, sourced) on the V100 MLPerf rows",
    "efficiency.cnn.ampere": "fitted: the A100 MLPerf rows of resnet50, ssd and maskrcnn",
    "efficiency.transformer.ampere": "fitted: the A100 MLPerf rows of transformer",
    "efficiency.rnn.ampere": "fitted: the A100 MLPerf rows of gnmt",
    "efficiency.cnn.hopper": "fitted: the H200 ResNet-50 measurement (reference facts section 3, PyTorch eager)",
    "efficiency.transformer.hopper": "fitted: the H200 GPT-355M, GPT-1.3B and BERT-large measurements (reference facts section 3, PyTorch eager)",
    "step.cnn": "fitted: the spread of per-GPU batch sizes in the cnn MLPerf rows",
    "step.transformer": "fitted: the spread of per-GPU batch sizes in the transformer rows",
    "step.rnn": "fitted: the spread of per-GPU batch sizes in the gnmt rows",
    "startup": "fitted: the multi-node MLPerf rows (MLPerf times include start-up and evaluation)",
}
ANCHOR = (
    "assumption: anchored at the cnn class's fitted V100 efficiency; the MLPerf rows measure only the "
    "time per sample, so the equivalent FLOPs of the workloads without a sourced figure are stated at it"
)


def build(base: Calibration, values: dict[str, float], how: Callable[[str], str]) -> Calibration:
    """The calibration with the fitted ``values``; derived figures follow from them as documented."""
    data = base.model_dump()
    eff = data["efficiency"]

    def put(kind: str, gen: str, value: float, source: str) -> None:
        eff[kind][gen] = {"value": value, "source": source}

    volta = values["efficiency.cnn.volta"]
    put("cnn", "volta", volta, how("efficiency.cnn.volta"))
    put("transformer", "volta", volta, ANCHOR)
    put("rnn", "volta", volta, ANCHOR)
    for kind in ("cnn", "transformer", "rnn"):
        put(kind, "ampere", values[f"efficiency.{kind}.ampere"], how(f"efficiency.{kind}.ampere"))
    put("cnn", "hopper", values["efficiency.cnn.hopper"], how("efficiency.cnn.hopper"))
    put("transformer", "hopper", values["efficiency.transformer.hopper"], how("efficiency.transformer.hopper"))
    rnn_hopper = (
        values["efficiency.rnn.ampere"] * values["efficiency.transformer.hopper"] / values["efficiency.transformer.ampere"]
    )
    put("rnn", "hopper", rnn_hopper, "assumption: the rnn A100 figure scaled as the transformer class from Ampere to Hopper")
    for kind in ("cnn", "transformer", "rnn"):
        put(kind, "turing", eff[kind]["volta"]["value"], "assumption: as Volta (no Turing rows; same tensor-core generation)")
        put(kind, "ada", eff[kind]["ampere"]["value"], "assumption: as Ampere (no Ada rows; same tensor-core generation)")
        put(kind, "blackwell", eff[kind]["hopper"]["value"], "assumption: as Hopper (no Blackwell rows)")
        data["step_overhead_s"][kind] = {"value": values[f"step.{kind}"], "source": how(f"step.{kind}")}
    data["startup_s"] = {"value": values["startup"], "source": how("startup")}
    for workload in CALIBRATED:
        data["workload_flops"][workload] = {
            "value": values[f"flops.{workload}"],
            "source": f"fitted: the {workload} MLPerf rows (time per sample), stated at the cnn class's V100 efficiency",
        }
    return Calibration.model_validate(data)


def fit(rows: Sequence[Row], catalog: Catalog, base: Calibration, label: str = "every row") -> Calibration:
    """Least squares on log(predicted / published) over ``rows``; figures the rows do not touch keep their start."""
    names = [name for name, _ in PARAMETERS]
    start = np.log([value for _, value in PARAMETERS])

    def calibration(x: np.ndarray) -> Calibration:
        values = dict(zip(names, (float(v) for v in np.exp(x)), strict=True))
        return build(base, values, lambda name: f"{HOW.get(name, 'fitted')} ({label})")

    def residuals(x: np.ndarray) -> np.ndarray:
        cal = calibration(x)
        return np.array([math.log1p(relative_error(row, catalog, cal)) for row in rows])

    bounds = np.log([BOUNDS[name.split(".")[0]] for name in names]).T
    result = least_squares(residuals, start, bounds=(bounds[0], bounds[1]), method="trf", xtol=1e-12, ftol=1e-12, gtol=1e-12)
    return _rounded(calibration(result.x))


def _rounded(cal: Calibration) -> Calibration:
    """Four significant figures, so the table reads well and re-fits compare exactly."""
    data = cal.model_dump()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if set(node) == {"value", "source"}:
                node["value"] = float(f"{node['value']:.4g}")
            else:
                for child in node.values():
                    walk(child)

    walk(data)
    return Calibration.model_validate(data)


def render_yaml(cal: Calibration) -> str:
    header = (
        "# The time-to-model calibration table, written by calibration/fit_calibration.py (re-run it to refit;\n"
        "# edit the hand-set figures here, then re-run). docs/calibration.md explains every figure.\n"
    )
    return header + yaml.safe_dump(cal.model_dump(), sort_keys=False, width=120, allow_unicode=True)


def render_table(cal: Calibration, rows: Sequence[Row], catalog: Catalog) -> str:
    lines = ["| kind | " + " | ".join(GENERATIONS) + " |", "|---|" + "---:|" * len(GENERATIONS)]
    for kind, by_gen in cal.efficiency.items():
        cells = [f"{by_gen[g].value:.1%}" for g in GENERATIONS]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines += ["", "| figure | value | source |", "|---|---:|---|"]
    for kind, figure in cal.step_overhead_s.items():
        lines.append(f"| fixed time per step, {kind} | {figure.value * 1000:.2f} ms | {figure.source} |")
    lines.append(f"| start-up and evaluation per run | {cal.startup_s.value:.1f} s | {cal.startup_s.source} |")
    for workload, figure in cal.workload_flops.items():
        sample = catalog.workloads[workload].sample
        lines.append(f"| {workload}: equivalent FLOPs per {sample} | {figure.value:.4g} | {figure.source} |")
    for kind, by_gen in cal.efficiency.items():
        for gen, figure in by_gen.items():
            lines.append(f"| efficiency {kind} / {gen} | {figure.value:.1%} | {figure.source} |")
    errors = [relative_error(row, catalog, cal) for row in rows]
    median, worst = summary(errors)
    lines += ["", f"Fit over {len(rows)} rows: median absolute error {median:.1%}, worst {worst:.1%}."]
    return "\n".join(lines) + "\n"


def write_doc_table(table: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = "<!-- fitted table: start -->\n", "<!-- fitted table: end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(head + start + table + end + tail, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fit, then compare with the committed table; write nothing")
    args = parser.parse_args(argv)
    catalog = load_catalog()
    rows = load_rows(catalog)
    fitted = fit(rows, catalog, load_calibration())
    text = render_yaml(fitted)
    table = render_table(fitted, rows, catalog)
    if args.check:
        same = text == CALIBRATION_FILE.read_text(encoding="utf-8") and table in DOC.read_text(encoding="utf-8")
        print("the committed calibration is what the fit gives" if same else "the committed calibration differs from the fit")
        return 0 if same else 1
    CALIBRATION_FILE.write_text(text, encoding="utf-8")
    write_doc_table(table)
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
