"""The published measurements the estimate is calibrated and validated on, as estimate inputs.

``calibration/mlperf_calibration.tsv`` (MLPerf Training v0.6 and v0.7 time-to-train, from the
reference facts) and ``calibration/h200_throughput.tsv`` (single-GPU H200 throughput, reference
facts section 3). Each row becomes an :class:`EstimateInput`; its prediction is a time-to-model
(MLPerf) or a throughput (H200), compared with the published figure.
"""

from __future__ import annotations

import csv
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from primeflex_iac.timing.estimate import prepare

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.timing.calibration import Calibration
    from primeflex_iac.timing.estimate import EstimateInput

__all__ = ["DATA_DIR", "Row", "load_rows", "relative_error", "summary"]

DATA_DIR = Path(__file__).resolve().parents[2] / "calibration"


@dataclass(frozen=True)
class Row:
    label: str  # system and benchmark, for tables
    source: str  # "mlperf v0.6", "mlperf v0.7" or "h200"
    nodes: int
    model: str
    measure: Literal["time_to_model_s", "samples_per_s"]
    published: float
    inputs: EstimateInput

    def predict(self, catalog: Catalog, calibration: Calibration) -> float:
        result = self.inputs.run(catalog, calibration)
        return result.estimated_s if self.measure == "time_to_model_s" else result.samples_per_s


def _table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


def _mlperf(catalog: Catalog, path: Path) -> Iterable[Row]:
    for r in _table(path):
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
        yield Row(label, f"mlperf {r['round']}", nodes, r["benchmark"], "time_to_model_s", float(r["minutes"]) * 60, inputs)


def _h200(catalog: Catalog, path: Path) -> Iterable[Row]:
    for r in _table(path):
        inputs = prepare(
            r["model"],
            gpu=r["gpu"],
            gpus_per_node=1,
            nodes=1,
            catalog=catalog,
            global_batch=int(r["batch"]),
            precision=r["precision"],
        )
        yield Row(f"H200 {r['measurement']}", "h200", 1, r["model"], "samples_per_s", float(r["samples_per_s"]), inputs)


def load_rows(catalog: Catalog, data_dir: Path = DATA_DIR) -> list[Row]:
    """Every MLPerf row, then every H200 row."""
    return [*_mlperf(catalog, data_dir / "mlperf_calibration.tsv"), *_h200(catalog, data_dir / "h200_throughput.tsv")]


def relative_error(row: Row, catalog: Catalog, calibration: Calibration) -> float:
    """Predicted / published - 1: positive when the estimate is slower (time) or faster (throughput)."""
    return row.predict(catalog, calibration) / row.published - 1


def summary(errors: Sequence[float]) -> tuple[float, float]:
    """(median, worst) absolute relative error."""
    absolute = [abs(e) for e in errors]
    return statistics.median(absolute), max(absolute)
