"""Decoders: the memory per GPU of a layout, the layout search, and sizing a 7B run on Hopper GPUs."""

from __future__ import annotations

import math
import time
from dataclasses import replace

import pytest

from primeflex_iac import Catalog, check, load_spec, parse_spec_text, solve
from primeflex_iac.errors import SpecError
from primeflex_iac.timing.calibration import load_calibration
from primeflex_iac.timing.estimate import estimate, prepare
from primeflex_iac.timing.llm_layouts import context_degrees, least_gpu_memory_gb, tensor_degrees
from primeflex_iac.timing.llm_memory import DecoderShape, Layout, Recompute, memory_bytes
from primeflex_iac.timing.llm_step import LayoutLimits, _step, search_layout, tp_width_share
from primeflex_iac.timing.measurements import large_scale_rows, megatron_rows, relative_error, summary
from tests.conftest import ROOT

SEVEN_B = DecoderShape(6.7e9, 32, 4096, 2048, 50257, "bf16")


def test_states_are_sixteen_bytes_per_parameter_sharded_by_zero_stage() -> None:
    def states(zero: int, dp: int) -> float:
        layout = Layout(1, 1, dp, zero, "full", 1)
        activations = memory_bytes(DecoderShape(6.7e9, 32, 4096, 2048, 50257, "bf16"), layout, 1, 1.0)
        return activations - memory_bytes(DecoderShape(0.0, 32, 4096, 2048, 50257, "bf16"), layout, 1, 1.0)

    assert states(0, 8) == pytest.approx(16 * 6.7e9)
    assert states(1, 8) == pytest.approx((2 + 2 + 12 / 8) * 6.7e9)
    assert states(2, 8) == pytest.approx((2 + 2 / 8 + 12 / 8) * 6.7e9)
    assert states(3, 8) == pytest.approx(16 / 8 * 6.7e9, rel=0.01)  # plus two gathered layers


def test_recomputation_tensor_parallelism_and_fp8_change_the_memory() -> None:
    def need(layout: Layout, shape: DecoderShape = SEVEN_B) -> float:
        return memory_bytes(shape, layout, 8, 1.0)

    none, full = need(Layout(1, 1, 8, 3, "none", 4)), need(Layout(1, 1, 8, 3, "full", 4))
    assert none - full > 30e9  # only each layer's input is kept: 2 instead of 34 bytes per token and width unit
    assert need(Layout(2, 1, 4, 3, "none", 4)) < none  # sequence parallelism splits the activations
    no_flash = DecoderShape(6.7e9, 32, 4096, 2048, 50257, "bf16", flash_attention=False)
    assert need(Layout(1, 1, 8, 3, "none", 4), no_flash) > need(Layout(1, 1, 8, 3, "selective", 4), no_flash)
    # without FlashAttention the layer being recomputed holds its scores (5 a s^2 b) while it runs
    one_layer = 5 * 32 * 2048**2 * 4
    assert need(Layout(1, 1, 8, 3, "selective", 4), no_flash) == pytest.approx(none + one_layer)
    assert need(Layout(1, 1, 8, 3, "full", 4), no_flash) == pytest.approx(full + one_layer)
    fp8 = DecoderShape(6.7e9, 32, 4096, 2048, 50257, "fp8")
    assert need(Layout(1, 1, 8, 0, "full", 1), fp8) - need(Layout(1, 1, 8, 0, "full", 1)) == pytest.approx(6.7e9)


def test_context_parallelism_splits_a_sequence_s_activations_but_not_the_weights() -> None:
    long = DecoderShape(6.7e9, 32, 4096, 131_072, 50257, "bf16")
    one, two = (
        memory_bytes(long, Layout(1, 1, 8, 0, "none", 1), 8, 1.0),
        memory_bytes(long, Layout(1, 1, 4, 0, "none", 1, cp=2), 8, 1.0),
    )
    states = 16 * 6.7e9
    assert two - states == pytest.approx((one - states) / 2)
    # ZeRO shards over every rank that holds the same weights: data and context parallel alike
    sharded = memory_bytes(long, Layout(1, 1, 4, 1, "none", 1, cp=2), 8, 1.0)
    assert two - sharded == pytest.approx(12 * 6.7e9 * (1 - 1 / 8))
    assert context_degrees(SEVEN_B) == [1]  # 2,048 tokens: no part of 4,096 to split off
    assert context_degrees(long) == [1, 2, 4, 8, 16, 32]
    assert context_degrees(DecoderShape(6.7e9, 32, 4096, 12_288, 50257, "bf16")) == [1, 2]


def test_a_long_context_run_at_scale_splits_its_sequences_instead_of_stalling_its_pipeline(catalog: Catalog) -> None:
    # Llama 3 405B's long-context stage: 128 sequences of 131,072 tokens on 16,384 H100 (Meta ran it
    # with CP 16). Without context parallelism each replica has one micro-batch, and its pipeline
    # idles (p - 1) / 1 of the step.
    run = {"sequence_length": 131_072, "global_batch": 128, "precision": "bf16", "catalog": catalog}
    split = estimate("llama3-405b", gpu="h100-sxm5-80gb", nodes=2048, fabric="ib-ndr", adapters_per_node=8, **run)
    assert split.layout is not None and split.layout.cp >= 8 and split.fits_memory
    assert split.mfu > 0.3
    calibration = load_calibration()
    inputs = prepare("llama3-405b", gpu="h100-sxm5-80gb", nodes=2048, fabric="ib-ndr", adapters_per_node=8, **run)
    workload = inputs.resolve(catalog, calibration)
    assert workload.decoder is not None
    whole = search_layout(workload.decoder, inputs.node, inputs.fabric, 2048, 128, calibration, LayoutLimits(cp=1))
    assert whole is not None and whole.step_s > 5 * split.step_s
    with pytest.raises(ValueError, match="two global batches"):
        estimate("llama3-405b", gpu="h100-sxm5-80gb", nodes=2048, fabric="ib-ndr", batch=64, **run)


def test_long_sequences_in_a_small_batch_keep_gaining_from_more_nodes(catalog: Catalog) -> None:
    # 64 sequences of 32,768 tokens: without context parallelism, 128 and 256 nodes leave each
    # replica fewer micro-batches than pipeline stages, and the estimate got slower with more nodes
    days = []
    for nodes in (64, 128, 256):
        result = estimate(
            "llama2-70b", gpu="h100-sxm5-80gb", nodes=nodes, fabric="ib-ndr", adapters_per_node=8,
            precision="bf16", sequence_length=32_768, batch=64, catalog=catalog,
        )  # fmt: skip
        assert result.layout is not None and result.layout.cp > 1
        days.append(result.time_to_model_s / 86_400)
    assert days[0] > days[1] > days[2] and days[0] / days[2] > 3, days


def test_context_parallelism_is_not_credited_where_no_recomputation_is_needed(catalog: Catalog) -> None:
    # a 7B model with 65,536-token sequences fits 8 H100 with tensor parallelism and no recomputation:
    # no calibration row measures ring attention's own losses, so the search keeps the sequences whole
    result = estimate(
        "gpt", parameters=6.7e9, layers=32, hidden=4096, sequence_length=65_536, global_batch=64,
        gpu="h100-sxm5-80gb", nodes=1, precision="bf16", catalog=catalog,
    )  # fmt: skip
    assert result.layout is not None and result.layout.cp == 1 and result.layout.recompute == "none"


def test_a_70b_model_fits_an_80_gb_gpu_only_when_sharded_over_enough_gpus(catalog: Catalog) -> None:
    one = estimate("llama2-70b", gpu="h100-sxm5-80gb", nodes=1, precision="bf16")
    assert not one.fits_memory and math.isinf(one.time_to_model_s) and one.memory_gb > 80
    many = estimate("llama2-70b", gpu="h100-sxm5-80gb", nodes=8, fabric="ib-ndr", adapters_per_node=8, precision="bf16")
    assert many.fits_memory and many.memory_gb <= 80 * 0.95
    assert many.layout is not None and many.layout.tp * many.layout.pp * many.layout.dp == 64
    assert 0.3 < many.mfu < 0.65


def test_the_search_respects_fixed_parts_and_the_gpu_memory(catalog: Catalog) -> None:
    inputs = prepare("gpt3-175b", gpu="h100-sxm5-80gb", nodes=64, fabric="ib-ndr", adapters_per_node=8, precision="bf16")
    calibration = load_calibration()
    workload = inputs.resolve(catalog, calibration)
    assert workload.decoder is not None
    free = search_layout(workload.decoder, inputs.node, inputs.fabric, 64, 1536, calibration)
    assert free is not None and free.memory_bytes <= 80e9 * 0.95
    fixed = search_layout(workload.decoder, inputs.node, inputs.fabric, 64, 1536, calibration, LayoutLimits(tp=8, pp=8))
    assert fixed is not None and (fixed.layout.tp, fixed.layout.pp) == (8, 8) and fixed.step_s >= free.step_s
    # on 4 nodes, even ZeRO-3 over 32 GPUs leaves 87.5 GB of states per GPU without TP or PP
    assert search_layout(workload.decoder, inputs.node, inputs.fabric, 4, 1536, calibration, LayoutLimits(tp=1, pp=1)) is None
    assert least_gpu_memory_gb(workload.decoder, 8, 1536, calibration) < 80


def test_one_estimate_with_its_layout_search_at_1024_nodes_is_fast(catalog: Catalog) -> None:
    calibration = load_calibration()
    started = time.perf_counter()
    result = estimate(
        "gpt3-175b",
        gpu="h100-sxm5-80gb",
        nodes=1024,
        fabric="ib-ndr",
        adapters_per_node=8,
        precision="bf16",
        catalog=catalog,
        calibration=calibration,
    )
    assert time.perf_counter() - started < 0.05  # the benchmark measures it; the test allows a loaded machine
    assert result.fits_memory and result.layout is not None


def test_fp8_runs_where_the_gpu_has_it_and_is_refused_elsewhere() -> None:
    bf16 = estimate("llama3-8b", gpu="h100-sxm5-80gb", precision="bf16")
    fp8 = estimate("llama3-8b", gpu="h100-sxm5-80gb", precision="fp8")
    assert 1.1 < bf16.time_to_model_s / fp8.time_to_model_s < 2.0
    with pytest.raises(ValueError, match="does not train at fp8"):
        estimate("llama3-8b", gpu="a100-sxm4-80gb", precision="fp8")


def test_older_generations_do_not_borrow_a_newer_ones_efficiency() -> None:
    t4 = estimate("resnet50", gpu="t4", gpus_per_node=1, batch=256)
    assert t4.samples_per_s < 650  # NVIDIA's own T4 inference figure is about 1,200 img/s; training costs 3x
    l40s = estimate("llama2-7b", gpu="l40s", nodes=4, fabric="ib-hdr", precision="bf16")
    a100 = estimate("llama2-7b", gpu="a100-pcie-80gb", nodes=4, fabric="ib-hdr", precision="bf16")
    assert l40s.time_to_model_s > a100.time_to_model_s
    assert (
        estimate("resnet50", gpu="l40s", nodes=4, fabric="ib-hdr").time_to_model_s
        > estimate("resnet50", gpu="a100-pcie-80gb", nodes=4, fabric="ib-hdr").time_to_model_s
    )


def test_a_7b_run_is_sized_on_throughput_and_price_with_its_layout_stated(catalog: Catalog) -> None:
    spec = load_spec(ROOT / "specs" / "llm-7b-hopper.yaml")
    plan = solve(spec, catalog)
    assert plan.status == "optimal" and check(plan, spec, catalog).ok
    (entry,) = plan.compute
    (run,) = plan.workloads
    assert entry.gpu == "h100-sxm5-80gb" and entry.count == 2 and entry.gpus == 16
    assert run.meets and run.parallelism is not None and run.parallelism.dp * run.parallelism.tp * run.parallelism.pp == 16
    assert run.memory_per_gpu_gb is not None and run.memory_per_gpu_gb <= 80
    assert run.range_s is not None and run.range_s[0] < (run.time_to_model_s or 0) < run.range_s[1]


def test_explicit_zeros_are_refused_where_they_stand() -> None:
    base = "apiVersion: primeflex-iac/v1\nname: t\nworkloads:\n  - {{name: w, model: mpt-7b, time_to_model: 2 h, {}}}\n"
    base += "site: {{racks: {{power_per_rack: 40 kW}}}}\n"
    for field, path in (
        ("global_batch: 0", "workloads[0].global_batch"),
        ("dataset: {samples: 0}", "workloads[0].dataset.samples"),
        ("tokens: 0", "workloads[0].tokens"),
        ("parameters: 0", "workloads[0].parameters"),
    ):
        with pytest.raises(SpecError, match=path.replace("[", r"\[").replace("]", r"\]")):
            parse_spec_text(base.format(field))


def test_a_spec_sizes_against_the_estimates_error(catalog: Catalog) -> None:
    spec = """
apiVersion: primeflex-iac/v1
name: t
workloads:
  - {{name: w, model: gpt, parameters: 7B, layers: 32, hidden: 4096, sequence_length: 2048, tokens: 300B,
      global_batch: 1024, precision: bf16, time_to_model: {}}}
site: {{racks: {{power_per_rack: 40 kW}}}}
preferences: {{gpus: [h100-sxm5-80gb]}}
"""
    plain = solve(parse_spec_text(spec.format("21 d")), catalog)
    sure = solve(parse_spec_text(spec.format("{target: 21 d, confidence: 0.95}")), catalog)
    margin = solve(parse_spec_text(spec.format("{target: 21 d, margin: 0.5}")), catalog)
    assert plain.workloads[0].required_s == 21 * 86400
    assert sure.workloads[0].required_s < 21 * 86400
    assert margin.workloads[0].required_s == pytest.approx(14 * 86400)
    assert plain.compute[0].count <= sure.compute[0].count <= margin.compute[0].count


TOO_BIG = """
apiVersion: primeflex-iac/v1
name: too-big
workloads:
  - {name: big, model: llama3-405b, global_batch: 1, precision: fp16, time_to_model: 300 d}
site: {racks: {max: 40, power_per_rack: 60 kW}}
preferences: {gpus: [t4, v100-pcie-32gb]}
"""


def test_a_model_that_fits_no_allowed_gpu_is_explained_in_memory_per_gpu(catalog: Catalog) -> None:
    plan = solve(parse_spec_text(TOO_BIG), catalog)
    assert plan.status == "infeasible"
    memory = next(r for r in plan.relaxations if r.requirement == "gpu memory")
    assert "GB per GPU" in memory.asked and memory.change is None and not memory.alone
    # never a smaller GPU: no relaxation proposes lowering a memory requirement
    assert not any(r.change and "lower the GPU memory" in r.change for r in plan.relaxations)


def test_min_gpu_memory_is_a_floor_beside_the_models_need(catalog: Catalog) -> None:
    spec = parse_spec_text(
        (ROOT / "specs" / "llm-7b-hopper.yaml")
        .read_text()
        .replace("    precision: bf16", "    precision: bf16\n    min_gpu_memory: 100 GB")
    )
    plan = solve(spec, catalog)
    assert plan.status == "optimal" and plan.compute[0].gpu == "h200-sxm-141gb"
    (run,) = plan.workloads
    assert run.memory_per_gpu_gb is not None and run.memory_per_gpu_gb < 141


@pytest.mark.parametrize(
    ("field", "located"),
    [
        ("layers: 12", "layers: layers"),
        ("flash_attention: false", "flash_attention: flash_attention"),
        ("attention_heads: 8", "attention_heads: attention_heads"),
    ],
)
def test_decoder_fields_on_another_model_are_refused_where_they_stand(catalog: Catalog, field: str, located: str) -> None:
    spec = parse_spec_text(
        f"apiVersion: primeflex-iac/v1\nname: t\nworkloads:\n  - {{name: w, model: resnet50, time_to_model: 2 h, {field}}}\n"
        "site: {racks: {power_per_rack: 40 kW}}\n"
    )
    with pytest.raises(SpecError, match=rf"workloads\[0\]\.{located} describes a gpt model"):
        solve(spec, catalog)


def test_materialised_attention_costs_its_score_traffic_and_memory(catalog: Catalog) -> None:
    """Without FlashAttention each head's s x s scores pass through memory: 32 bytes per element
    (45 recomputed) at the GPU's memory bandwidth, beside the same FLOPs; no context parallelism
    (its memory: test_recomputation_tensor_parallelism_and_fp8_change_the_memory)."""
    calibration = load_calibration()
    run = {"parameters": 1_700_000_000, "layers": 24, "hidden": 2304, "sequence_length": 2048, "global_batch": 512}
    inputs = prepare(
        "gpt",
        gpu="a100-sxm4-80gb",
        nodes=4,
        fabric="ib-hdr",
        adapters_per_node=8,
        catalog=catalog,
        precision="bf16",
        attention_heads=24,
        **run,
    )
    fused = inputs.resolve(catalog, calibration).decoder
    assert fused is not None and fused.flash_attention and fused.heads == 24
    plain = replace(fused, flash_attention=False)
    recomputes: list[tuple[Recompute, int]] = [("none", 32), ("selective", 45), ("full", 45)]
    for recompute, score_bytes in recomputes:
        layout = Layout(2, 1, 16, 1, recompute, 8)
        one, two = (_step(shape, layout, inputs.node, inputs.fabric, 512, calibration, 0.0) for shape in (fused, plain))
        scores = 512 / 16 * 24 * 24 / 2 * 2048**2  # sequences x layers x heads per TP rank x s^2
        extra = scores * score_bytes / (inputs.node.gpu.memory_bandwidth_gbs * 1e9)
        assert two.compute_s - one.compute_s == pytest.approx(extra)
        assert extra > 0.1 * one.compute_s  # a 1.7B model at 2,048 tokens: more than a tenth of its compute
    long = DecoderShape(6.7e9, 32, 4096, 131_072, 50257, "bf16", flash_attention=False)
    assert context_degrees(long) == [1]


def test_tensor_parallelism_splits_whole_heads_where_they_are_stated(catalog: Catalog) -> None:
    assert tensor_degrees(SEVEN_B, 8) == [1, 2, 4, 8]  # heads not stated: width / 128 is an assumption, not held
    assert tensor_degrees(replace(SEVEN_B, attention_heads=20), 8) == [1, 2, 4]
    assert tensor_degrees(replace(SEVEN_B, attention_heads=7), 8) == [1]
    run = {"parameters": 70_000_000_000, "layers": 80, "hidden": 8192, "precision": "bf16", "catalog": catalog}
    for heads in (None, 20):
        found = estimate("gpt", gpu="h100-sxm5-80gb", nodes=4, fabric="ib-ndr", adapters_per_node=8, attention_heads=heads, **run)
        assert found.layout is not None and found.fits_memory
        assert heads is None or heads % found.layout.tp == 0, found.layout
    spec = parse_spec_text(
        "apiVersion: primeflex-iac/v1\nname: t\nworkloads:\n  - {name: w, model: gpt, time_to_model: 30 d, attention_heads: 99999}\n"
        "site: {racks: {power_per_rack: 40 kW}}\n"
    )
    with pytest.raises(SpecError, match=r"workloads\[0\]\.attention_heads: 99,999 attention heads in a model"):
        solve(spec, catalog)


def test_fp8_on_gpus_without_it_is_explained_with_bf16(catalog: Catalog) -> None:
    spec = parse_spec_text(
        "apiVersion: primeflex-iac/v1\nname: t\nworkloads:\n"
        "  - {name: w, model: llama2-7b, tokens: 20B, precision: fp8, time_to_model: 30 d}\n"
        "site: {racks: {power_per_rack: 40 kW}}\npreferences: {gpus: [a100-sxm4-80gb]}\n"
    )
    plan = solve(spec, catalog)
    assert plan.status == "infeasible"
    precision = next(r for r in plan.relaxations if r.requirement == "precision")
    assert precision.alone and precision.change == "set workloads[0].precision to bf16"


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("{target: 2 h, confidence: 1.5}", "time_to_model.confidence is a probability"),
        ("{target: 2 h, margin: -1}", "time_to_model.margin is a share"),
        ("{target: 2 h, confidence: 0.9, margin: 0.2}", "time_to_model takes a duration"),
        ("{confidence: 0.9}", "time_to_model takes a duration"),
    ],
)
def test_a_time_target_that_cannot_be_is_refused(time: str, message: str) -> None:
    text = f"apiVersion: primeflex-iac/v1\nname: t\nworkloads:\n  - {{name: w, model: mpt-7b, time_to_model: {time}}}\n"
    with pytest.raises(SpecError, match=message):
        parse_spec_text(text + "site: {racks: {power_per_rack: 40 kW}}\n")


def test_tensor_parallel_gemms_keep_their_unsplit_dimension() -> None:
    """TP splits each weight along one dimension; the GEMMs run at a width between the whole and
    width / tp (harmonic mean of the two weight dimensions, FLOP-weighted over the layer)."""
    shares = [tp_width_share(tp) for tp in (1, 2, 4, 8)]
    assert shares[0] == 1 and shares == sorted(shares, reverse=True)
    assert all(share > 1 / tp for share, tp in zip(shares[1:], (2, 4, 8), strict=True))
    assert shares[3] == pytest.approx(0.393, abs=0.001)


def test_tensor_parallelism_costs_what_megatron_runs_show(catalog: Catalog) -> None:
    """Megatron-LM's weak-scaling runs (calibration/megatron_sc21.tsv, never fitted; 2021 software,
    without FlashAttention): their median error is within the 12 % every group is held to (+18 % before
    the materialised attention's memory traffic was counted), and does not depend on the TP degree:
    across TP 1, 2, 4 and 8 (no pipeline) the errors stay within 12 points of each other (width per
    TP rank, the model before, spread them over 50)."""
    calibration = load_calibration()
    every = megatron_rows(catalog)
    assert summary([relative_error(row, catalog, calibration) for row in every])[0] <= 0.12
    rows = [row for row in every if row.inputs.limits is not None and row.inputs.limits.pp == 1]
    assert [row.inputs.limits.tp for row in rows if row.inputs.limits is not None] == [1, 2, 4, 8]
    errors = [relative_error(row, catalog, calibration) for row in rows]
    assert max(errors) - min(errors) < 0.12, errors


def test_published_runs_at_thousands_of_gpus_fit_and_stay_in_their_documented_band(catalog: Catalog) -> None:
    """calibration/large_scale.tsv (never fitted): Llama 3 405B, Nemotron-4 340B and MT-NLG 530B at 1,536
    to 16,384 GPUs. Each fits its GPUs' memory in its stated TP, CP and PP and with the layout searched.
    Searched, the Hopper runs (2024 software) come out 6 to 18 % slower than published and MT-NLG (2021
    software) 46 to 59 % faster (benchmarks/ESTIMATE_ACCURACY.md): the bands below hold those, so a
    change that moves them shows here. Llama 3's 131,072-token stage needs context parallelism: without
    it the estimate was 95 % slow."""
    calibration = load_calibration()
    errors: dict[str, list[float]] = {}
    for row in large_scale_rows(catalog):
        own = row.inputs.run(catalog, calibration)
        searched = replace(row, inputs=replace(row.inputs, limits=None))
        assert own.fits_memory and searched.inputs.run(catalog, calibration).fits_memory, row.label
        errors.setdefault(row.gpu, []).append(relative_error(searched, catalog, calibration))
    assert all(-0.25 < e < 0 for e in errors["h100-sxm5-80gb"]), errors
    assert all(0.3 < e < 0.8 for e in errors["a100-sxm4-80gb"]), errors
    long_context = [r for r in large_scale_rows(catalog) if r.sequence == 131_072]
    assert len(long_context) == 1
    assert (
        abs(relative_error(replace(long_context[0], inputs=replace(long_context[0].inputs, limits=None)), catalog, calibration))
        < 0.15
    )
