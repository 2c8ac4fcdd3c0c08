"""Fit the time-to-model calibration table on the published rows kept beside this script.

    .venv/bin/python calibration/fit_calibration.py           # fit on the fitted split, write the table
    .venv/bin/python calibration/fit_calibration.py --check   # fit and compare with the committed table

Fits 20 figures by least squares on the logarithm of predicted / published (scipy's
least_squares), through the package's own estimate, so the fit and the tool share one physics.
Only the rows of the fixed fitted split are used (``measurements.held_out`` names the others: every
third row of each file and the H200 GPT rows); the held-out rows give the error bands
(``spread``) every estimate carries.

- efficiency[cnn][volta]: ResNet-50's sourced FLOPs on the V100 rows;
- equivalent FLOPs per sample of ssd, maskrcnn, transformer and gnmt (no FLOPs figure sourced),
  expressed at the V100 efficiency of the CNN class (an anchor: only their product is measured);
- efficiency[kind][ampere] for cnn, transformer and rnn: the A100 rows;
- efficiency[kind][hopper] for cnn and transformer: the H200 rows of reference facts section 3;
- the fixed time of a step per kind and the start-up and evaluation time of a run: the spread
  between per-GPU batches and cluster sizes;
- the decoder step model: GEMM and attention efficiency on Ampere and Hopper, and the width and
  the tokens per micro-batch at which GEMMs run at half their efficiency (the MPT rows).

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
from primeflex_iac.timing.measurements import Row, held_out, load_rows, relative_error, summary  # noqa: E402

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
    ("startup", 10.0),
    ("startup.transformer", 30.0),
    ("efficiency.cnn.hopper", 0.2),
    ("efficiency.transformer.hopper", 0.3),
    ("llm.gemm.ampere", 0.6),
    ("llm.gemm.hopper", 0.45),
    ("llm.attention.ampere", 0.5),
    ("llm.attention.hopper", 0.25),
    ("llm.hidden_half", 300.0),
    ("llm.tokens_half", 256.0),
)
# physical ranges, by the figure's family: efficiencies a share of peak, times in seconds, widths and tokens
BOUNDS = {
    "efficiency": (0.01, 1.0),
    "flops": (1e6, 1e16),
    "step": (1e-5, 1.0),
    "startup": (1.0, 3600.0),
    "llm": (0.01, 1.0),
    "gemm": (0.01, 0.9),  # no more than a large GEMM sustains (reference facts section 3: 80 % on H200)
    "half": (1.0, 1e5),
}
# Generations without training rows, bounded from published figures (docs/calibration.md):
# Turing: T4 / V100 mixed-precision ResNet-50 inference of one code base (NVIDIA DeepLearningExamples,
# PyTorch ResNet-50 v1.5, pytorch-21.03 container: 1,198 / 3,382 img/s at batch 256), per unit of
# tensor peak (125 / 65): 0.681 of Volta's share of peak. Ada: no training figure found; the L40S
# has 0.37 of an A100 80GB's memory bandwidth per FLOP (864 / 362 against 2,039 / 312 GB/s per
# TFLOPS), taken at its square root (training runs partly memory-bound): 0.604 of Ampere's share.
TURING_SHARE = 1198 / 3382 * 125 / 65
ADA_SHARE = ((864 / 362) / (2039 / 312)) ** 0.5
TURING_SOURCE = (
    "bounded from published figures: Volta's share x 0.681 (T4 / V100 ResNet-50 inference of one code base, "
    "NVIDIA DeepLearningExamples PyTorch ResNet-50 v1.5: 1,198 / 3,382 img/s, per unit of peak 125 / 65); "
    "uncertainty about 30 %"
)
ADA_SOURCE = (
    "assumption: Ampere's share x 0.604, the square root of the L40S's memory bandwidth per FLOP against an "
    "A100 80GB's (864 / 362 against 2,039 / 312); no Ada training rows; uncertainty about 30 %"
)
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
    "startup": "fitted: the multi-node MLPerf rows but the transformer's (MLPerf times include start-up and evaluation)",
    "startup.transformer": "fitted: the MLPerf transformer rows, whose evaluation (beam-search translation of "
    "newstest2014 and BLEU after every epoch) does not shrink with the cluster",
    "llm.gemm.ampere": "fitted: the A100 MPT rows (llm-foundry, FSDP, FlashAttention)",
    "llm.gemm.hopper": "fitted: the H100 MPT rows (llm-foundry, FSDP, FlashAttention)",
    "llm.attention.ampere": "fitted: the A100 MPT rows, sequence 512 to 65,536",
    "llm.attention.hopper": "fitted: the H100 MPT rows, sequence 512 to 65,536",
    "llm.hidden_half": "fitted: the MPT rows, width 768 to 8,192",
    "llm.tokens_half": "fitted: the MPT rows (per-GPU batches of 1 to 8 sequences of 512 to 65,536 tokens)",
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
        put(kind, "turing", eff[kind]["volta"]["value"] * TURING_SHARE, TURING_SOURCE)
        put(kind, "ada", eff[kind]["ampere"]["value"] * ADA_SHARE, ADA_SOURCE)
        put(kind, "blackwell", eff[kind]["hopper"]["value"], "assumption: as Hopper (no Blackwell rows)")
        data["step_overhead_s"][kind] = {"value": values[f"step.{kind}"], "source": how(f"step.{kind}")}
    startup_source = how("startup")
    if values["startup"] <= BOUNDS["startup"][0] * 1.0001:
        startup_source = (
            "fitted at its lower bound (1 s): the multi-node MLPerf rows but the transformer's leave no room for a "
            "fixed start-up (MLPerf times include start-up and evaluation)"
        )
    data["startup_s"] = {"value": values["startup"], "source": startup_source}
    data["startup_by_workload"] = {"transformer": {"value": values["startup.transformer"], "source": how("startup.transformer")}}
    llm = data["llm"]
    volta_scale = eff["transformer"]["volta"]["value"] / eff["transformer"]["ampere"]["value"]
    for part in ("gemm", "attention"):
        table = llm[f"{part}_efficiency"]
        ampere, hopper = values[f"llm.{part}.ampere"], values[f"llm.{part}.hopper"]
        table["ampere"] = {"value": ampere, "source": how(f"llm.{part}.ampere")}
        table["hopper"] = {"value": hopper, "source": how(f"llm.{part}.hopper")}
        volta = ampere * volta_scale
        table["volta"] = {
            "value": volta,
            "source": "assumption: Ampere's figure scaled as the MLPerf transformer class from Ampere to Volta",
        }
        table["turing"] = {"value": volta * TURING_SHARE, "source": TURING_SOURCE}
        table["ada"] = {"value": ampere * ADA_SHARE, "source": ADA_SOURCE}
        table["blackwell"] = {"value": hopper, "source": "assumption: as Hopper (no Blackwell rows)"}
    for name in ("hidden_half", "tokens_half"):
        llm[name] = {"value": values[f"llm.{name}"], "source": how(f"llm.{name}")}
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
        return np.array([math.log1p(max(relative_error(row, catalog, cal), -0.99)) for row in rows])

    def family(name: str) -> str:
        if name.endswith("_half"):
            return "half"
        return "gemm" if name.startswith("llm.gemm") else name.split(".")[0]

    bounds = np.log([BOUNDS[family(name)] for name in names]).T
    result = least_squares(residuals, start, bounds=(bounds[0], bounds[1]), method="trf", xtol=1e-12, ftol=1e-12, gtol=1e-12)
    return _rounded(calibration(result.x))


PERCENTILES = (5, 10, 25, 50, 75, 90, 95)
UNMEASURED_WIDENING = 0.3  # the stated uncertainty of the Turing and Ada figures


def time_error(row: Row, catalog: Catalog, cal: Calibration) -> float:
    """Estimated / measured time - 1 (a throughput row's time is the inverse of its throughput)."""
    error = relative_error(row, catalog, cal)
    return error if row.measure == "time_to_model_s" else 1 / max(1 + error, 1e-6) - 1


def with_spread(cal: Calibration, rows: Sequence[Row], catalog: Catalog) -> Calibration:
    """The calibration with the error bands of its held-out rows: LLM, MLPerf, and the generations
    without rows (the wider of the two, widened by their stated uncertainty)."""
    groups = {
        "llm": [r for r in rows if r.is_llm],
        "mlperf": [r for r in rows if r.source.startswith("mlperf")],
    }
    data = cal.model_dump()
    spread = {}
    for name, group in groups.items():
        members = [r for r in group if held_out(r)]
        errors = [time_error(r, catalog, cal) for r in members]
        values = np.percentile(errors, PERCENTILES)
        spread[name] = {
            "percentiles": {p: round(float(v), 4) for p, v in zip(PERCENTILES, values, strict=True)},
            "rows": len(members),
            "largest_gpus": max(r.nodes * r.inputs.node.gpus_per_node for r in group),
            "source": f"fitted: the held-out {name} rows (every third row of the file), estimated / measured time - 1",
        }
    widest = {
        p: min(spread["llm"]["percentiles"][p], spread["mlperf"]["percentiles"][p]) - UNMEASURED_WIDENING
        if p < 50
        else max(spread["llm"]["percentiles"][p], spread["mlperf"]["percentiles"][p]) + UNMEASURED_WIDENING
        for p in PERCENTILES
    }
    widest[50] = 0.0
    spread["unmeasured"] = {
        "percentiles": {p: round(max(v, -0.9), 4) for p, v in widest.items()},
        "rows": 0,
        "source": "assumption: the wider of the llm and mlperf bands, widened by 30 % (generations without rows, and "
        "runs on more GPUs than the rows of their group)",
    }
    data["spread"] = spread
    return Calibration.model_validate(data)


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
    for part in ("gemm", "attention"):
        table = getattr(cal.llm, f"{part}_efficiency")
        lines.append(f"| decoder {part} | " + " | ".join(f"{table[g].value:.1%}" for g in GENERATIONS) + " |")
    lines += ["", "| figure | value | source |", "|---|---:|---|"]
    for kind, figure in cal.step_overhead_s.items():
        lines.append(f"| fixed time per step, {kind} | {figure.value * 1000:.2f} ms | {figure.source} |")
    lines.append(f"| start-up and evaluation per run | {cal.startup_s.value:.1f} s | {cal.startup_s.source} |")
    for workload, figure in cal.startup_by_workload.items():
        lines.append(f"| start-up and evaluation per run, {workload} | {figure.value:.1f} s | {figure.source} |")
    for workload, figure in cal.workload_flops.items():
        sample = catalog.workloads[workload].sample
        lines.append(f"| {workload}: equivalent FLOPs per {sample} | {figure.value:.4g} | {figure.source} |")
    lines.append(
        f"| decoder: GEMM width (TP-split, docs above) at half efficiency | {cal.llm.hidden_half.value:,.0f} | {cal.llm.hidden_half.source} |"
    )
    lines.append(
        f"| decoder: tokens per micro-batch at half efficiency | {cal.llm.tokens_half.value:,.0f} | {cal.llm.tokens_half.source} |"
    )
    for kind, by_gen in cal.efficiency.items():
        for gen, figure in by_gen.items():
            lines.append(f"| efficiency {kind} / {gen} | {figure.value:.1%} | {figure.source} |")
    for part in ("gemm", "attention"):
        for gen, figure in getattr(cal.llm, f"{part}_efficiency").items():
            lines.append(f"| decoder {part} / {gen} | {figure.value:.1%} | {figure.source} |")
    lines += ["", "| error band (estimated / measured time - 1) | held-out rows | 10th percentile | median | 90th percentile |"]
    lines.append("|---|---:|---:|---:|---:|")
    for name, band in cal.spread.items():
        p = band.percentiles
        lines.append(f"| {name} | {band.rows} | {p[10]:+.1%} | {p[50]:+.1%} | {p[90]:+.1%} |")
    lines.append("")
    groups = (
        ("MLPerf", lambda r: r.source.startswith("mlperf")),
        ("LLM", lambda r: r.is_llm),
        ("H200", lambda r: r.source == "h200"),
    )
    for label, chosen in (("fitted", False), ("held-out", True)):
        for group, test in groups:
            members = [r for r in rows if held_out(r) == chosen and test(r)]
            if members:
                median, worst = summary([relative_error(r, catalog, cal) for r in members])
                lines.append(f"- {label} {group} rows ({len(members)}): median absolute error {median:.1%}, worst {worst:.1%}")
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
    fitted = fit([r for r in rows if not held_out(r)], catalog, load_calibration(), label="the fitted split")
    fitted = with_spread(fitted, rows, catalog)
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
