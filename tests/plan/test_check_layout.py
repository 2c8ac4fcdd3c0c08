"""check() audits a decoder's stated layout from the layout alone: runnable on the plan's GPUs, in their memory."""

from __future__ import annotations

import pytest

from primeflex_iac import Catalog, Plan, Spec, check, load_spec, solve
from primeflex_iac.timing.llm_layouts import passes_of
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def solved(catalog: Catalog) -> tuple[Spec, Plan]:
    spec = load_spec(ROOT / "specs" / "llm-7b-hopper.yaml")
    plan = solve(spec, catalog)
    assert plan.status == "optimal" and check(plan, spec, catalog).ok
    return spec, plan


def _with_layout(plan: Plan, memory_gb: float | None = None, **changes: object) -> Plan:
    (run,) = plan.workloads
    assert run.parallelism is not None
    layout = run.parallelism.model_copy(update=changes)
    memory = run.memory_per_gpu_gb if memory_gb is None else memory_gb
    return plan.model_copy(update={"workloads": [run.model_copy(update={"parallelism": layout, "memory_per_gpu_gb": memory})]})


@pytest.mark.parametrize(
    ("changes", "flagged"),
    [
        ({"dp": 4}, "is not the run's 16 GPUs"),
        ({"cp": 2}, "TP 1 x CP 2 x PP 1 x DP 16 is not the run's 16 GPUs"),
        ({"cp": 3}, "CP 3 does not split its 2,048-token sequences into 6 equal parts"),
        ({"cp": 0}, "a layout degree below 1"),
        ({"tp": 16, "dp": 1}, "does not divide a node's 8 GPUs"),
        ({"tp": 3}, "does not divide a node's 8 GPUs"),
        ({"pp": 16, "dp": 1, "virtual_stages": 4}, "stages of 4 chunks for 32 layers"),
        ({"zero": 5}, "is no layout"),
        ({"recompute": "some"}, "is no layout"),
        ({"micro_batch": 128}, "exceed the global batch"),
        ({"micro_batch": 0}, "a layout degree below 1"),
    ],
)
def test_a_layout_no_framework_runs_is_flagged(
    solved: tuple[Spec, Plan], catalog: Catalog, changes: dict[str, object], flagged: str
) -> None:
    spec, plan = solved
    violations = check(_with_layout(plan, **changes), spec, catalog).violations
    assert any(flagged in v for v in violations), violations


def test_a_layout_that_overflows_the_gpu_memory_is_flagged_from_the_memory_model(
    solved: tuple[Spec, Plan], catalog: Catalog
) -> None:
    spec, plan = solved
    # no sharding, no recomputation and large micro-batches: a 7B model's states alone are 112 GB
    bad = _with_layout(plan, memory_gb=70.0, zero=0, recompute="none", micro_batch=16)
    violations = check(bad, spec, catalog).violations
    assert any("GB per GPU, the h100-sxm5-80gb has 76.0 GB less the reserve" in v for v in violations), violations
    assert any("states 70.0 GB per GPU, its layout needs" in v for v in violations), violations


def test_context_parallelism_counts_in_the_memory_the_layout_needs(solved: tuple[Spec, Plan], catalog: Catalog) -> None:
    spec, plan = solved
    (run,) = plan.workloads
    assert run.parallelism is not None and run.memory_per_gpu_gb is not None
    # the same replicas, each sequence split over two GPUs: half the activations, so less than stated
    split = _with_layout(plan, cp=2, dp=run.parallelism.dp // 2)
    violations = check(split, spec, catalog).violations
    assert any(f"states {run.memory_per_gpu_gb} GB per GPU, its layout needs" in v for v in violations), violations
    assert not any("is not the run's" in v or "equal parts" in v for v in violations), violations


@pytest.mark.parametrize(
    ("workload", "layout", "flagged"),
    [
        ({"flash_attention": False}, {"cp": 2}, "CP 2 without FlashAttention"),  # ring attention needs a fused one
        ({"attention_heads": 3}, {"tp": 2}, "TP 2 does not divide its 3 attention heads"),  # stated heads stay whole
    ],
)
def test_a_layout_the_models_attention_cannot_take_is_flagged(
    solved: tuple[Spec, Plan], catalog: Catalog, workload: dict[str, object], layout: dict[str, int], flagged: str
) -> None:
    spec, plan = solved
    (run,) = plan.workloads
    assert run.parallelism is not None
    stated = spec.model_copy(update={"workloads": [w.model_copy(update=workload) for w in spec.workloads]})
    split = _with_layout(plan, dp=run.parallelism.dp // 2, **layout)
    assert any(flagged in v for v in check(split, stated, catalog).violations)
    assert not any(flagged in v for v in check(split, spec, catalog).violations)


def test_the_stated_memory_must_be_the_layouts(solved: tuple[Spec, Plan], catalog: Catalog) -> None:
    spec, plan = solved
    (run,) = plan.workloads
    assert run.memory_per_gpu_gb is not None
    violations = check(_with_layout(plan, memory_gb=run.memory_per_gpu_gb - 10), spec, catalog).violations
    assert any("GB per GPU, its layout needs" in v for v in violations), violations


def test_a_replica_runs_whole_micro_batches() -> None:
    assert passes_of(3, 2) == 2 and passes_of(4, 2) == 2 and passes_of(0.5, 1) == 1 and passes_of(28.44, 16) == 2
