"""The published measurements the estimate is calibrated and validated on, as estimate inputs.

``calibration/mlperf_calibration.tsv`` (MLPerf Training v0.6 and v0.7 time-to-train, from the
reference facts), ``calibration/h200_throughput.tsv`` (single-GPU H200 throughput, reference
facts section 3) and ``calibration/llm_calibration.tsv`` (MosaicML's MPT pre-training throughput
on A100 and H100, FSDP); and, never fitted, ``calibration/megatron_sc21.tsv`` (Megatron-LM's
weak-scaling runs with tensor and pipeline parallelism, 32 to 3,072 A100) and
``calibration/large_scale.tsv`` (Llama 3 405B, Nemotron-4 340B and MT-NLG 530B pre-training at
1,536 to 16,384 GPUs, layouts stated) and ``calibration/llm_unfitted.tsv`` (the MPT source's H100
FP8 and A100 40GB runs). Each row becomes an
:class:`EstimateInput`; its prediction is a time-to-model (MLPerf) or a throughput (H200, LLM,
Megatron), compared with the published figure.

The split between the rows the calibration is fitted on and the rows it is judged on is fixed
(:func:`held_out`): every third row of each file, counted in file order, is held out, and so are
the H200 GPT rows (eager PyTorch: other software than the LLM rows; the reference facts do not say
whether its attention was fused, so they are estimated with the default, FlashAttention).
"""

from __future__ import annotations

import csv
import statistics
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from primeflex_iac.timing.estimate import prepare
from primeflex_iac.timing.llm_step import LayoutLimits
from primeflex_iac.timing.workloads import gpt_flops_per_token

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.timing.calibration import Calibration
    from primeflex_iac.timing.estimate import EstimateInput
    from primeflex_iac.timing.llm_memory import Recompute

__all__ = [
    "DATA_DIR",
    "Row",
    "held_out",
    "large_scale_rows",
    "load_rows",
    "megatron_rows",
    "relative_error",
    "summary",
    "unfitted_llm_rows",
]

DATA_DIR = Path(__file__).resolve().parents[2] / "calibration"


@dataclass(frozen=True)
class Row:
    label: str  # system and benchmark, for tables
    source: str  # "mlperf v0.6", "mlperf v0.7", "h200", "llm"; "megatron", "large-scale", "llm-unfitted" (never fitted)
    nodes: int
    model: str
    measure: Literal["time_to_model_s", "samples_per_s", "tokens_per_s_per_gpu"]
    published: float
    inputs: EstimateInput
    index: int = 0  # the row's place in its file (the held-out split counts it)
    gpu: str = ""
    sequence: int = 0

    def predict(self, catalog: Catalog, calibration: Calibration) -> float:
        result = self.inputs.run(catalog, calibration)
        if self.measure == "time_to_model_s":
            return result.estimated_s
        if self.measure == "tokens_per_s_per_gpu":
            return (result.tokens_per_s or 0.0) / result.gpus
        return result.samples_per_s

    @property
    def is_llm(self) -> bool:
        return self.source == "llm"


def _table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


def _mlperf(catalog: Catalog, path: Path) -> Iterable[Row]:
    for index, r in enumerate(_table(path)):
        nodes = int(r["nodes"])
        inputs = prepare(
            r["benchmark"],
            gpu=r["gpu"],
            gpus_per_node=int(r["gpus_per_node"]),
            nodes=nodes,
            fabric=r["fabric"],
            adapters_per_node=int(r["adapters_per_node"]),
            intra_node=r["intra_node"],  # type: ignore[arg-type]
            catalog=catalog,
            epochs=float(r["epochs"]),
            global_batch=int(r["global_batch"]),
        )
        label = f"{r['round']} {r['submitter']} {r['system']} {r['benchmark']}"
        minutes = float(r["minutes"]) * 60
        yield Row(label, f"mlperf {r['round']}", nodes, r["benchmark"], "time_to_model_s", minutes, inputs, index, r["gpu"])


def _h200(catalog: Catalog, path: Path) -> Iterable[Row]:
    for index, r in enumerate(_table(path)):
        inputs = prepare(
            r["model"],
            gpu=r["gpu"],
            gpus_per_node=1,
            nodes=1,
            catalog=catalog,
            global_batch=int(r["batch"]),
            precision=r["precision"],
        )
        label = f"H200 {r['measurement']}"
        yield Row(label, "h200", 1, r["model"], "samples_per_s", float(r["samples_per_s"]), inputs, index, r["gpu"])


SHARDING = {"FULL_SHARD": 3, "SHARD_GRAD_OP": 2, "NO_SHARD": 0}


def _llm(catalog: Catalog, path: Path, source: str = "llm") -> Iterable[Row]:
    for index, r in enumerate(_table(path)):
        nodes = int(r["nodes"])
        inputs = prepare(
            "gpt",
            gpu=r["gpu"],
            gpus_per_node=int(r["gpus_per_node"]),
            nodes=nodes,
            fabric=r["fabric"] if nodes > 1 else "none",
            adapters_per_node=int(r["adapters_per_node"]) if nodes > 1 else 0,
            catalog=catalog,
            parameters=int(r["parameters"]),
            layers=int(r["layers"]),
            hidden=int(r["hidden"]),
            sequence_length=int(r["sequence_length"]),
            global_batch=int(r["global_batch"]),
            precision=r["precision"],
        )
        recompute: Recompute = "full" if r["activation_checkpointing"] == "True" else "none"
        limits = LayoutLimits(tp=1, pp=1, zero=SHARDING[r["sharding"]], recompute=recompute, cp=1)
        gpus = nodes * int(r["gpus_per_node"])
        label = f"{r['model']} s{int(r['sequence_length']):,} {r['gpu']} x{gpus}{' ckpt' if recompute == 'full' else ''}"
        yield Row(
            label,
            source,
            nodes,
            r["model"],
            "tokens_per_s_per_gpu",
            float(r["tokens_per_s_per_gpu"]),
            replace(inputs, limits=limits),
            index,
            r["gpu"],
            int(r["sequence_length"]),
        )


def load_rows(catalog: Catalog, data_dir: Path = DATA_DIR) -> list[Row]:
    """Every MLPerf row, then every H200 row, then every LLM row."""
    return [
        *_mlperf(catalog, data_dir / "mlperf_calibration.tsv"),
        *_h200(catalog, data_dir / "h200_throughput.tsv"),
        *_llm(catalog, data_dir / "llm_calibration.tsv"),
    ]


def unfitted_llm_rows(catalog: Catalog, data_dir: Path = DATA_DIR) -> list[Row]:
    """``calibration/llm_unfitted.tsv``: an external check, never fitted. The same source's H100 FP8 and
    A100 40GB runs (8 to 128 GPUs), each with its own sharding and recomputation, as the LLM rows."""
    return list(_llm(catalog, data_dir / "llm_unfitted.tsv", "llm-unfitted"))


MEGATRON_VOCABULARY = 51_200
MEGATRON_SEQUENCE = 2048


def megatron_rows(catalog: Catalog, data_dir: Path = DATA_DIR) -> list[Row]:
    """``calibration/megatron_sc21.tsv``: an external check, never fitted. Each run with its stated
    layout (TP, PP, data parallelism without ZeRO, full recomputation); the published throughput
    is turned from the paper's FLOP count (recomputation counted) into tokens per second per GPU."""
    rows = []
    s, v = MEGATRON_SEQUENCE, MEGATRON_VOCABULARY
    for index, r in enumerate(_table(data_dir / "megatron_sc21.tsv")):
        layers, hidden, gpus = int(r["layers"]), int(r["hidden"]), int(r["gpus"])
        flops_per_token = 96 * layers * hidden**2 + 16 * layers * hidden * s + 6 * v * hidden
        inputs = prepare(
            "gpt",
            gpu="a100-sxm4-80gb",
            gpus_per_node=8,
            nodes=gpus // 8,
            fabric="ib-hdr",
            adapters_per_node=8,
            catalog=catalog,
            parameters=int(float(r["parameters"])),
            layers=layers,
            hidden=hidden,
            sequence_length=s,
            global_batch=int(r["global_batch"]),
            precision="bf16",
            attention_heads=int(r["heads"]),
            flash_attention=False,
        )
        limits = LayoutLimits(tp=int(r["tp"]), pp=int(r["pp"]), zero=0, recompute="full", cp=1)
        label = f"{r['model']} TP {r['tp']} x PP {r['pp']} on {gpus:,} A100"
        published = float(r["tflops_per_gpu"]) * 1e12 / flops_per_token
        rows.append(
            Row(
                label,
                "megatron",
                gpus // 8,
                r["model"],
                "tokens_per_s_per_gpu",
                published,
                replace(inputs, limits=limits),
                index,
                "a100-sxm4-80gb",
                s,
            )
        )
    return rows


def large_scale_rows(catalog: Catalog, data_dir: Path = DATA_DIR) -> list[Row]:
    """``calibration/large_scale.tsv``: an external check, never fitted. Each run with its stated TP, CP
    and PP (ZeRO stage and recomputation searched: not every paper states them); the published figure
    turned into tokens per second per GPU (from TFLOPs per GPU at 6 N + 12 L h s FLOPs per token, or
    from the iteration time)."""
    rows = []
    for index, r in enumerate(_table(data_dir / "large_scale.tsv")):
        parameters, layers, hidden = float(r["parameters"]), int(r["layers"]), int(r["hidden"])
        sequence, batch, gpus = int(r["sequence"]), int(r["global_batch"]), int(r["gpus"])
        inputs = prepare(
            r["model"],
            gpu=r["gpu"],
            gpus_per_node=8,
            nodes=gpus // 8,
            fabric=r["fabric"],
            adapters_per_node=int(r["adapters_per_node"]),
            catalog=catalog,
            parameters=int(parameters),
            layers=layers,
            hidden=hidden,
            sequence_length=sequence,
            global_batch=batch,
            precision="bf16",
            attention_heads=int(r["heads"]),
            flash_attention=r["flash_attention"] == "yes",
        )
        value = float(r["value"])
        if r["measure"] == "tflops_per_gpu":
            published = value * 1e12 / gpt_flops_per_token(parameters, sequence, layers, hidden)
        else:
            published = batch * sequence / value / gpus
        limits = LayoutLimits(tp=int(r["tp"]), pp=int(r["pp"]), cp=int(r["cp"]))
        label = f"{r['run']} on {gpus:,} {r['gpu']} (TP {r['tp']} x CP {r['cp']} x PP {r['pp']})"
        rows.append(
            Row(
                label,
                "large-scale",
                gpus // 8,
                r["run"],
                "tokens_per_s_per_gpu",
                published,
                replace(inputs, limits=limits),
                index,
                r["gpu"],
                sequence,
            )
        )
    return rows


def held_out(row: Row) -> bool:
    """The fixed split: every third row of each file (file order) and the H200 GPT rows are not fitted."""
    if row.source == "h200":
        return row.model.startswith("gpt")
    return row.index % 3 == 2


def relative_error(row: Row, catalog: Catalog, calibration: Calibration) -> float:
    """Predicted / published - 1: positive when the estimate is slower (time) or faster (throughput)."""
    return row.predict(catalog, calibration) / row.published - 1


def summary(errors: Sequence[float]) -> tuple[float, float]:
    """(median, worst) absolute relative error."""
    absolute = [abs(e) for e in errors]
    return statistics.median(absolute), max(absolute)
