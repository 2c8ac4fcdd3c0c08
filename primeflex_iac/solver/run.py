"""Run one CP-SAT solve so that Ctrl-C stops it cleanly, keeping the best solution found so far.

CP-SAT catches SIGINT itself by default and then returns as if its time limit had been reached,
so the caller could not tell an interrupt from a time limit and would go on to its next stage.
Here CP-SAT leaves SIGINT alone; the solve runs in a worker thread while the main thread waits,
so Python's KeyboardInterrupt reaches the main thread, which asks CP-SAT to stop its search and
waits for it to return its best solution.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

__all__ = ["SolveRun", "make_solver", "run_solver"]

_POLL_S = 0.05


@dataclass(frozen=True)
class SolveRun:
    status: Any  # cp_model status (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID)
    interrupted: bool  # Ctrl-C stopped the search


def make_solver(limit_s: float, workers: int, seed: int) -> cp_model.CpSolver:
    """A CP-SAT solver with the run's time limit (at least 10 ms), worker count and seed."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(limit_s, 0.01)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver


def run_solver(solver: cp_model.CpSolver, model: cp_model.CpModel) -> SolveRun:
    """Solve ``model``; on Ctrl-C stop the search and return what was found, marked interrupted."""
    solver.parameters.catch_sigint_signal = False
    if threading.current_thread() is not threading.main_thread():
        # signals only reach the main thread; elsewhere there is nothing to catch
        return SolveRun(solver.solve(model), False)
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["status"] = solver.solve(model)
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error
        finally:
            done.set()

    worker = threading.Thread(target=work, name="cp-sat", daemon=True)
    worker.start()
    interrupted = False
    while not done.is_set():
        try:
            # Event.wait, not Thread.join: an interrupted join can leave the thread marked finished
            done.wait(_POLL_S)
        except KeyboardInterrupt:
            interrupted = True
            solver.stop_search()
    if "error" in outcome:
        raise outcome["error"]
    return SolveRun(outcome["status"], interrupted)
