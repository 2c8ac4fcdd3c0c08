"""Requirements that choose among catalog values: availability month, cooling, allowed GPUs,
nodes and fabrics, GPU memory, precision. Each moves to the nearest catalog value that gives a plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from primeflex_iac.app.explain.answers import checked, edit, not_alone
from primeflex_iac.plan.model import Relaxation

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from primeflex_iac.app.explain.search import SearchContext
    from primeflex_iac.demand.requirements import RequirementGroup
    from primeflex_iac.spec.model import Spec

__all__ = ["relax_allowed", "relax_as_of", "relax_cooling", "relax_gpu_memory", "relax_precision"]


def relax_as_of(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    as_of = ctx.spec.preferences.as_of
    assert as_of is not None
    asked = f"only items available by {as_of:%Y-%m}"
    catalog = ctx.catalog
    months: set[dt.date] = set()
    for section in (catalog.gpus, catalog.servers, catalog.chassis, catalog.fabrics, catalog.switches, catalog.adapters):
        months.update(item.available for item in section.values())
    for month in sorted(m for m in months if m > as_of):
        edited = edit(ctx.spec, ("preferences", "as_of"), month)
        if ctx.feasible(edited):
            needed = f"items available by {month:%Y-%m} give a plan meeting every other requirement"
            change = f"move preferences.as_of to {month:%Y-%m}"
            return checked(ctx, group.label, asked, needed, change, edited, "preferences.as_of")
    return not_alone(group.label, asked, "preferences.as_of")


def relax_cooling(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    cooling = ctx.spec.site.cooling
    asked = f"{cooling}-cooled compute nodes"
    for other in ("air", "water"):
        if other == cooling:
            continue
        edited = edit(ctx.spec, ("site", "cooling"), other)
        if ctx.feasible(edited):
            needed = f"{other}-cooled nodes give a plan meeting every other requirement"
            return checked(ctx, group.label, asked, needed, f"set site.cooling to {other} (or any)", edited, "site.cooling")
    return not_alone(group.label, asked, "site.cooling")


def relax_allowed(section: str, field: str, what: str) -> Callable[[SearchContext, RequirementGroup], Relaxation]:
    def handler(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
        allowed = list(getattr(ctx.spec.preferences, field) or [])
        asked = f"only these {what}: {', '.join(allowed)}"
        working = []
        for item_id in getattr(ctx.catalog, section):
            if item_id in allowed:
                continue
            if ctx.feasible(edit(ctx.spec, ("preferences", field), [*allowed, item_id])):
                working.append(item_id)
        if not working:
            return not_alone(group.label, asked, f"preferences.{field}")
        needed = f"allowing one more of these gives a plan meeting every other requirement: {', '.join(working)}"
        change = f"add {working[0]} to preferences.{field}"
        edited = edit(ctx.spec, ("preferences", field), [*allowed, working[0]])
        return checked(ctx, group.label, asked, needed, change, edited, f"preferences.{field}")

    return handler


def relax_gpu_memory(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    """Lower the memory floors to the nearest GPU size that gives a plan, never below what the
    models need per GPU in their leanest layout: a model that fits no allowed GPU is said to."""
    demand = ctx.demand()
    floor_gb = max([w.min_gpu_memory_gb for w in demand.workloads] + [_floor_memory_gb(ctx.spec)])
    model_gb = demand.model_memory_gb
    if model_gb >= floor_gb and model_gb > 0:
        largest = max((g.memory_gb for g in ctx.catalog.gpus.values()), default=0.0)
        return Relaxation(
            requirement=group.label,
            asked=f"GPUs that hold the model: at least {model_gb:,.1f} GB per GPU in its leanest layout "
            "(tensor parallel across the node, sequences split as far as context parallelism goes, the most pipeline "
            "stages, ZeRO-3 over every replica, full recomputation)",
            needed=f"no GPU the spec allows has that much memory (the catalog's largest has {largest:,g} GB): "
            "the model cannot be trained on these GPUs; allow GPUs with more memory per GPU, or train a smaller model",
            change=None,
            field=None,
            alone=False,
            asked_value=round(model_gb, 1),
            unit="GB",
            limit="memory per GPU of the model's leanest layout",
        )
    asked_gb = floor_gb
    asked = f"GPUs with at least {asked_gb:,g} GB of memory"
    values: dict[str, Any] = {"asked_value": asked_gb, "unit": "GB"}
    sizes = sorted({g.memory_gb for g in ctx.catalog.gpus.values() if model_gb <= g.memory_gb < asked_gb}, reverse=True)
    for size in sizes:
        edited = _with_memory(ctx.spec, [w.min_gpu_memory_gb for w in demand.workloads], size)
        if ctx.feasible(edited):
            needed = f"GPUs of {size:,g} GB give a plan meeting every other requirement"
            change = f"lower the GPU memory requirement to {size:,g} GB (compute.min_gpu_memory, workloads[*].min_gpu_memory)"
            return checked(ctx, group.label, asked, needed, change, edited, "min_gpu_memory", feasible_value=size, **values)
    return not_alone(group.label, asked, "min_gpu_memory", **values)


def _floor_memory_gb(spec: Spec) -> float:
    floor = spec.compute
    return floor.min_gpu_memory / 1e9 if floor is not None and floor.min_gpu_memory else 0.0


def _with_memory(spec: Spec, workload_gb: list[float], size_gb: float) -> Spec:
    """The spec with every GPU memory requirement (floor and workloads, the zoo's included) at most ``size_gb``."""
    edited = spec
    limit = int(size_gb * 1e9)
    if spec.compute is not None and spec.compute.min_gpu_memory:
        edited = edit(edited, ("compute", "min_gpu_memory"), min(spec.compute.min_gpu_memory, limit))
    for index, needed_gb in enumerate(workload_gb):
        edited = edit(edited, ("workloads", index, "min_gpu_memory"), min(int(needed_gb * 1e9), limit))
    return edited


def relax_precision(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    """FP8 falls back to BF16 (GPUs without FP8 tensor cores), then BF16 to FP16 (Volta, Turing)."""
    names = [(i, w.name, w.precision) for i, w in enumerate(ctx.spec.workloads) if w.precision != "fp16"]
    wanted = " and ".join(sorted({p.upper() for _, _, p in names}))
    asked = f"{wanted} training for {', '.join(n for _, n, _ in names)} (BF16: Ampere and later; FP8: H100, H200, L40S)"
    for target, steps in (("bf16", {"fp8": "bf16"}), ("fp16", {"fp8": "fp16", "bf16": "fp16"})):
        edited = ctx.spec
        changed = [(i, p) for i, _, p in names if p in steps]
        if not changed or (target == "bf16" and all(p != "fp8" for _, p in changed)):
            continue
        for index, precision in changed:
            edited = edit(edited, ("workloads", index, "precision"), steps[precision])
        if ctx.feasible(edited):
            fields = ", ".join(f"workloads[{i}].precision" for i, _ in changed)
            return checked(
                ctx,
                group.label,
                asked,
                f"{target.upper()} training gives a plan meeting every other requirement",
                f"set {fields} to {target}",
                edited,
                "workloads[*].precision",
            )
    return not_alone(group.label, asked, "workloads[*].precision")
