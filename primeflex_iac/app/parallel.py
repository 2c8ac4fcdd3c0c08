"""Independent solves in worker processes, their results in the order asked, and Ctrl-C that stops them all.

CP-SAT runs in C++, but building a demand and a model is Python that holds the GIL, so threads
would share one core; worker processes do not. Each result depends only on its inputs, never on
which worker ran it or when, so the answers are the same with one worker or many. With one job
(or where processes cannot fork) there are no processes: each piece of work runs here, when its
result is asked for.

The workers are forked with the shared ``state`` (the spec, the catalog, ...): it is not pickled
for each piece of work, and what it caches by identity (the demand) stays cached in each worker.
Only the work's function (by name), its item and its result cross between processes.

Ctrl-C: the workers ignore SIGINT (a terminal sends it to the whole process group), so only the
parent sees it; leaving the ``with`` block terminates the workers and waits for them to end. No
worker prints a traceback and none outlives the parent.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from multiprocessing.pool import Pool
    from types import TracebackType

__all__ = ["JOBS_ENV", "Workers", "default_jobs"]

JOBS_ENV = "PRIMEFLEX_JOBS"  # worker processes when --jobs is not given
S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

_state: Any = None  # a worker's shared state, inherited when it forks


def default_jobs(solver_workers: int = 1) -> int:
    """$PRIMEFLEX_JOBS, else the CPUs this process may use divided by the CP-SAT workers of each solve."""
    given = os.environ.get(JOBS_ENV, "").strip()
    if given.isdigit() and int(given) >= 1:
        return int(given)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cpus // max(1, solver_workers))


def _start(state: object) -> None:
    global _state
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C for every worker
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _state = state


def _run(work: Callable[[Any, Any], Any], item: object) -> Any:
    return work(_state, item)


class Workers(Generic[S]):
    """Up to ``jobs`` worker processes sharing ``state``, for the length of a ``with`` block (none for one job).

    Work is a module-level function of the state and one item, ``work(state, item)``.
    """

    def __init__(self, jobs: int, state: S) -> None:
        self.jobs = max(1, jobs) if "fork" in multiprocessing.get_all_start_methods() else 1
        self.state = state
        self._pool: Pool | None = None

    def __enter__(self) -> Workers[S]:
        if self.jobs > 1:
            # SIGINT stays blocked until the workers ignore it: a Ctrl-C while they start is the parent's
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                self._pool = multiprocessing.get_context("fork").Pool(self.jobs, initializer=_start, initargs=(self.state,))
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.terminate()  # whatever still runs: after Ctrl-C, an error, or work nobody asked for
            self._pool.join()
            self._pool = None

    def submit(self, work: Callable[[S, T], R], item: T) -> Callable[[], R]:
        """Start ``work(state, item)``; the function returned waits for its result (with one job: computes it)."""
        if self._pool is None:
            return functools.cache(functools.partial(work, self.state, item))
        return self._pool.apply_async(_run, (work, item)).get

    def map(self, work: Callable[[S, T], R], items: Sequence[T]) -> Iterator[R]:
        """``work(state, item)`` of each item, in the items' order, each as soon as it and those before it are done."""
        if self._pool is None or len(items) <= 1:
            return (work(self.state, item) for item in items)
        return self._pool.imap(functools.partial(_run, work), items)
