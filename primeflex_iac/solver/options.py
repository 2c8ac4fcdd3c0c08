"""How a solve runs: time limit, CP-SAT workers and seed."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SolveOptions"]


@dataclass(frozen=True)
class SolveOptions:
    time_limit_s: float = 30.0
    workers: int = 1
    seed: int = 0
