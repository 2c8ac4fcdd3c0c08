"""The answer of a sweep: the cheapest plan's cost and time-to-model at each deadline, and its frontier."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SweepPoint", "SweepResult"]


@dataclass(frozen=True)
class SweepPoint:
    deadline_s: float  # the focus workload's time_to_model at this point
    status: str
    cost: float | None
    time_to_model_s: float | None  # the focus workload's estimate on the plan
    times_s: dict[str, float]  # every workload's estimate on the plan
    nodes: int
    gpus: int
    compute: str  # node x GPU, or "" without a plan
    fabric: str
    pareto: bool = False


@dataclass(frozen=True)
class SweepResult:
    spec: str
    workload: str
    currency: str
    points: list[SweepPoint]

    @property
    def frontier(self) -> list[SweepPoint]:
        return [p for p in self.points if p.pareto]
