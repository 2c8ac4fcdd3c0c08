"""Estimated times remembered across deadlines: a sweep, the fastest-plan search and an explanation
ask the same (workload, node, fabric, count) again under other deadlines, and the estimate does not
depend on the deadline.

Times are kept per curve, one for each workload on a node and fabric (its times by node count),
so that a search over counts builds the curve's key once, not once per count. The key is the
workload's fields but its name and deadline and the node and fabric by value (the GPU by its
object, held while remembered, so that an overlay's GPU of the same id is another key). The
memory is bounded: it starts afresh past ``_MOST`` curves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from primeflex_iac.timing.calibration import Calibration
    from primeflex_iac.timing.shapes import Interconnect, NodeShape
    from primeflex_iac.timing.workloads import ResolvedWorkload

__all__ = ["remembered_times"]

_MOST = 20_000  # curves; each holds at most one time per node count searched
_curves: dict[tuple[Any, ...], dict[int, float]] = {}
_held: dict[int, object] = {}  # the objects whose identity is in a key, alive while it is


def remembered_times(
    workload: ResolvedWorkload, shape: NodeShape, link: Interconnect, calibration: Calibration
) -> dict[int, float]:
    """The remembered estimated seconds of ``workload`` on this node and fabric, by node count; the
    caller adds the counts it estimates."""
    w = workload
    key = (
        (w.model, w.kind, w.flops_per_sample, w.parameters, w.samples, w.bytes_per_sample, w.epochs, w.global_batch),
        (w.per_gpu_batch_default, w.gpu_efficiency, w.min_gpu_memory_gb, w.precision, w.decoder),
        id(shape.gpu),
        shape.gpus_per_node,
        shape.intra_node,
        shape.adapters,
        link,
        id(calibration),
    )
    found = _curves.get(key)
    if found is None:
        if len(_curves) >= _MOST:
            _curves.clear()
            _held.clear()
        found = _curves[key] = {}
        _held[id(shape.gpu)] = shape.gpu
        _held[id(calibration)] = calibration
    return found
