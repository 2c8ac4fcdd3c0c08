"""The cost against time-to-model plot of a sweep, as SVG and PNG (matplotlib).

Figures are drawn without pyplot (no global state, no display: PNG through Agg). Deterministic:
the same sweep gives the same bytes (a fixed SVG hash salt, no dates or versions in metadata).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter

from primeflex_iac.common.escape import plot_text
from primeflex_iac.common.units import format_duration

if TYPE_CHECKING:
    from primeflex_iac.plan.pareto import SweepPoint, SweepResult

__all__ = ["pareto_png", "pareto_svg"]

_FRONTIER, _OTHER, _DEADLINE = "#1f5fa8", "#9aa5b1", "#c0392b"
_MIN, _HOUR, _DAY = 60.0, 3600.0, 86400.0
# round durations for the time axis (seconds)
_NICE_S = (
    [s * 1.0 for s in (10, 20, 30)]
    + [m * _MIN for m in (1, 2, 5, 10, 15, 20, 30, 45)]
    + [h * _HOUR for h in (1, 1.5, 2, 3, 4, 6, 8, 12, 18)]
    + [d * _DAY for d in (1, 2, 3, 4, 5, 7, 10, 14, 21, 30, 60, 90, 180, 365)]
)


def _times(points: list[SweepPoint]) -> list[float]:
    return [p.time_to_model_s or 0.0 for p in points]


def _costs(points: list[SweepPoint]) -> list[float]:
    return [p.cost or 0.0 for p in points]


def _figure(result: SweepResult) -> Figure:
    planned = [p for p in result.points if p.cost is not None and p.time_to_model_s is not None]
    frontier = sorted(result.frontier, key=lambda p: p.time_to_model_s or 0.0)
    figure = Figure(figsize=(8, 5), dpi=100)
    axes = figure.subplots()
    if planned:
        others = [p for p in planned if not p.pareto]
        axes.scatter(
            _times(others), _costs(others), color=_OTHER, s=18, zorder=2, label="cheapest plan for a deadline (dominated)"
        )
        axes.step(_times(frontier), _costs(frontier), where="post", color=_FRONTIER, zorder=3, label="Pareto frontier")
        axes.scatter(_times(frontier), _costs(frontier), color=_FRONTIER, s=30, zorder=4)
        for p in frontier:
            axes.annotate(
                f"{p.gpus} GPUs",
                (p.time_to_model_s or 0.0, p.cost or 0.0),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize=7,
                color=_FRONTIER,
            )
        axes.set_xscale("log")
    missing = [p for p in result.points if p.cost is None]
    for p in missing:
        axes.axvline(p.deadline_s, color=_DEADLINE, alpha=0.25, linewidth=0.8, zorder=1)
    if missing:
        axes.plot([], [], color=_DEADLINE, alpha=0.4, label="deadline without a plan")
    low, high = axes.get_xlim()
    axes.xaxis.set_major_locator(FixedLocator([t for t in _NICE_S if low <= t <= high] or [low, high]))
    axes.xaxis.set_minor_locator(FixedLocator([]))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_duration(x)))
    axes.tick_params(axis="x", labelsize=8)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}"))
    axes.set_xlabel(plot_text(f"estimated time-to-model of {result.workload}"))
    axes.set_ylabel(plot_text(f"cluster cost ({result.currency})"))
    axes.set_title(plot_text(f"{result.spec}: cost against time-to-model"))
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    return figure


def pareto_svg(result: SweepResult) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "primeflex-iac", "svg.fonttype": "path"}):
        _figure(result).savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def pareto_png(result: SweepResult) -> bytes:
    buffer = io.BytesIO()
    _figure(result).savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
