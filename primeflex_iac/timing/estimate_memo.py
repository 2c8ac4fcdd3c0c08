"""Estimated times remembered across deadlines: a sweep, the fastest-plan search and an explanation
ask the same (workload, node, fabric, count) again under other deadlines, and the estimate does not
depend on the deadline.

The key is the workload's fields but its name and deadline and the node and fabric by value (the GPU by
its object, held while remembered, so that an overlay's GPU of the same id is another key). The
memory is bounded: it starts afresh past ``_MOST`` entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from primeflex_iac.timing.calibration import Calibration
    from primeflex_iac.timing.shapes import Interconnect, NodeShape
    from primeflex_iac.timing.workloads import ResolvedWorkload

__all__ = ["remembered_time"]

_MOST = 200_000
_times: dict[tuple[Any, ...], float] = {}
_held: dict[int, object] = {}  # the objects whose identity is in a key, alive while it is


def remembered_time(
    workload: ResolvedWorkload,
    shape: NodeShape,
    link: Interconnect,
    nodes: int,
    calibration: Calibration,
    compute: Callable[[], float],
) -> float:
    """``compute()`` (the estimated seconds of ``workload`` on ``nodes`` nodes), once per key."""
    w = workload
    key = (
        (w.model, w.kind, w.flops_per_sample, w.parameters, w.samples, w.bytes_per_sample, w.epochs, w.global_batch),
        (w.per_gpu_batch_default, w.gpu_efficiency, w.min_gpu_memory_gb, w.precision, w.decoder),
        id(shape.gpu),
        shape.gpus_per_node,
        shape.intra_node,
        shape.adapters,
        link,
        nodes,
        id(calibration),
    )
    found = _times.get(key)
    if found is None:
        if len(_times) >= _MOST:
            _times.clear()
            _held.clear()
        found = compute()
        _times[key] = found
        _held[id(shape.gpu)] = shape.gpu
        _held[id(calibration)] = calibration
    return found
