"""A sweep as text: the CSV of every point, and one progress line per point."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from primeflex_iac.common.escape import csv_cell
from primeflex_iac.common.units import format_duration

if TYPE_CHECKING:
    from primeflex_iac.plan.pareto import SweepPoint, SweepResult

__all__ = ["describe", "pareto_csv"]


def pareto_csv(result: SweepResult) -> str:
    """One row per deadline; ``pareto`` marks the frontier."""
    workloads = sorted({name for p in result.points for name in p.times_s})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "deadline_s",
            "deadline",
            "status",
            f"cost_{result.currency.lower()}",
            "time_to_model_s",
            "time_to_model",
            "nodes",
            "gpus",
            "compute",
            "fabric",
            "pareto",
            *(f"time_s[{name}]" for name in workloads),
        ]
    )
    for p in result.points:
        shown = format_duration(p.time_to_model_s) if p.time_to_model_s is not None else ""
        writer.writerow(
            [
                f"{p.deadline_s:.1f}",
                format_duration(p.deadline_s),
                p.status,
                f"{p.cost:.2f}" if p.cost is not None else "",
                f"{p.time_to_model_s:.1f}" if p.time_to_model_s is not None else "",
                shown,
                p.nodes,
                p.gpus,
                csv_cell(p.compute),
                csv_cell(p.fabric),
                "yes" if p.pareto else "no",
                *(f"{p.times_s[name]:.1f}" if name in p.times_s else "" for name in workloads),
            ]
        )
    return buffer.getvalue()


def describe(point: SweepPoint, currency: str) -> str:
    """One progress line: the deadline and what the cheapest plan for it costs and achieves."""
    if point.cost is None or point.time_to_model_s is None:
        return f"deadline {format_duration(point.deadline_s)}: no plan ({point.status})"
    return (
        f"deadline {format_duration(point.deadline_s)}: {point.cost:,.0f} {currency}, "
        f"{format_duration(point.time_to_model_s)} on {point.gpus} GPUs ({point.status})"
    )
