"""`primeflex estimate`: the issue's flags, its JSON, and the library call it wraps."""

from __future__ import annotations

import json

import pytest

import primeflex_iac as pf
from primeflex_iac.cli.exit_codes import EXIT_INVALID, EXIT_OK
from primeflex_iac.cli.main import main

# MLPerf v0.6 NVIDIA DGX-2H x 32, ResNet-50 (a calibration row), with every flag the issue names
ROW = [
    "estimate",
    "--model",
    "resnet50",
    "--epochs",
    "72",
    "--batch",
    "33280",
    "--gpu",
    "v100-sxm3-32gb",
    "--gpus-per-node",
    "16",
    "--nodes",
    "32",
    "--fabric",
    "ib-edr",
    "--adapters-per-node",
    "8",
    "--intra-node",
    "nvlink",
]


def test_json_has_the_promised_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ROW, "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    for key in ("time_to_model_s", "samples_per_s", "per_gpu_tflops", "scaling_efficiency", "bound"):
        assert key in data
    assert data["gpus"] == 512 and data["per_gpu_batch"] == 65
    assert data["bound"] in ("compute", "communication", "io")
    published = 2.59 * 60
    assert abs(data["time_to_model_s"] / published - 1) < 0.5
    library = pf.estimate(
        "resnet50",
        gpu="v100-sxm3-32gb",
        gpus_per_node=16,
        nodes=32,
        fabric="ib-edr",
        adapters_per_node=8,
        intra_node="nvlink",
        epochs=72,
        batch=33280,
    )
    assert library.time_to_model_s == data["time_to_model_s"]


def test_text_output_names_the_bound(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ROW) == EXIT_OK
    out = capsys.readouterr().out
    assert "time-to-model" in out and "bound" in out and "512 GPUs" in out


def test_one_node_with_fabric_none(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["estimate", "--model", "gnmt", "--gpu", "a100-sxm4-40gb", "--gpus-per-node", "8", "--fabric", "none", "--json"]
    assert main(args) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["nodes"] == 1 and data["gpus"] == 8


def test_gpt_of_any_size(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "estimate",
        "--model",
        "gpt",
        "--parameters",
        "2.7B",
        "--sequence-length",
        "2048",
        "--gpu",
        "h100-sxm5-80gb",
        "--nodes",
        "4",
        "--fabric",
        "ib-ndr",
        "--adapters-per-node",
        "8",
        "--json",
    ]
    assert main(args) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["fits_memory"] is True and data["time_to_model_s"] > 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--gpu", "v100-sxm9"], "unknown GPU"),
        (["--gpu", "a100-sxm4-40gb", "--nodes", "2"], "needs a fabric"),
        (["--gpu", "a100-sxm4-40gb", "--nodes", "2", "--fabric", "ib-hdr", "--adapters-per-node", "0"], "adapter"),
        (["--gpu", "a100-sxm4-40gb", "--fabric", "ib-hdr:hdr400"], "no mode"),
        (["--gpu", "v100-sxm2-32gb", "--precision", "bf16"], "v100-sxm2-32gb (volta) does not train at bf16"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(extra: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "--model", "resnet50", *extra]) == EXIT_INVALID
    assert message in capsys.readouterr().err


def test_bad_batch_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["estimate", "--model", "resnet50", "--gpu", "t4", "--batch", "lots"])
    assert exc.value.code == 2


def test_int8_is_not_a_training_precision(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:  # argparse refuses it with its usage line
        main(["estimate", "--model", "resnet50", "--gpu", "t4", "--precision", "int8"])
    assert exc.value.code == EXIT_INVALID
    assert "invalid choice: 'int8'" in capsys.readouterr().err


def test_bf16_and_fp16_share_the_tensor_peak_on_ampere() -> None:
    fp16 = pf.estimate("resnet50", gpu="a100-sxm4-40gb", precision="fp16")
    bf16 = pf.estimate("resnet50", gpu="a100-sxm4-40gb", precision="bf16")
    assert bf16.time_to_model_s == fp16.time_to_model_s


# a 7B decoder on 2 nodes of 8 H100, with the flags
DECODER = [
    "estimate",
    "--model",
    "gpt",
    "--parameters",
    "7B",
    "--layers",
    "32",
    "--hidden",
    "4096",
    "--sequence-length",
    "2048",
    "--tokens",
    "300B",
    "--precision",
    "bf16",
    "--batch",
    "1024",
    "--gpu",
    "h100-sxm5-80gb",
    "--gpus-per-node",
    "8",
    "--nodes",
    "2",
    "--fabric",
    "ib-ndr",
    "--adapters-per-node",
    "8",
    "--intra-node",
    "nvlink",
]


def _finite(value: object) -> bool:
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def test_a_decoders_json_states_its_layout_memory_tokens_and_mfu(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*DECODER, "--json"]) == EXIT_OK
    text = capsys.readouterr().out
    assert "Infinity" not in text and "NaN" not in text
    data = json.loads(text)
    assert _finite(data)
    assert set(data["parallelism"]) >= {"tp", "pp", "dp", "zero", "recompute", "micro_batch"}
    p = data["parallelism"]
    assert p["tp"] * p["pp"] * p["dp"] == 16 and data["fits_memory"] is True
    assert 0 < data["memory_per_gpu_gb"] <= 80
    assert 0.3 < data["mfu"] < 0.7
    # tokens/s over the whole cluster, and MFU as the issue defines it
    flops_per_token = 6 * 7e9 + 12 * 32 * 4096 * 2048
    assert data["mfu"] == pytest.approx(flops_per_token * data["tokens_per_s"] / (16 * 989e12), rel=1e-6)
    low, high = data["time_to_model_range_s"]
    assert low < data["time_to_model_s"] < high
    # 300B tokens: the run's time follows from its tokens/s
    assert data["time_to_model_s"] == pytest.approx(300e9 / data["tokens_per_s"] + data["startup_s"], rel=1e-3)


def test_the_decoders_text_names_its_layout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(DECODER) == EXIT_OK
    out = capsys.readouterr().out
    assert "layout         TP" in out and "GB per GPU" in out and "MFU" in out


def test_a_model_that_fits_no_layout_exits_3_in_memory_per_gpu(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "--model", "llama2-70b", "--precision", "bf16", "--gpu", "h100-sxm5-80gb"]) == 3
    captured = capsys.readouterr()
    assert captured.out == "" and "GB per GPU" in captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--gpu", "a100-sxm4-80gb", "--precision", "fp8"], "does not train at fp8"),
        (["--gpu", "h100-sxm5-80gb", "--batch", "0"], "global_batch"),
        (["--gpu", "h100-sxm5-80gb", "--tokens", "0"], "tokens"),
        (["--gpu", "h100-sxm5-80gb", "--samples", "0"], "samples"),
        (["--gpu", "h100-sxm5-80gb", "--layers", "0"], "layers"),
        (["--gpu", "h100-sxm5-80gb", "--tp", "3"], "TP 3 does not divide a node's 8 GPUs"),
        (["--gpu", "h100-sxm5-80gb", "--tp", "0"], "TP 0: a parallel degree is at least 1"),
        (["--gpu", "h100-sxm5-80gb", "--cp", "3"], "CP 3 does not split a 8,192-token sequence into 6 equal parts"),
        (["--gpu", "h100-sxm5-80gb", "--pp", "64"], "more pipeline stages than the model's 32 layers"),
        (["--gpu", "h100-sxm5-80gb", "--cp", "2", "--no-flash-attention"], "CP 2 needs FlashAttention"),
        (["--gpu", "h100-sxm5-80gb", "--heads", "0"], "attention_heads"),
        (["--gpu", "h100-sxm5-80gb", "--heads", "99999"], "99,999 attention heads in a model 4,096 wide"),
        (["--gpu", "h100-sxm5-80gb", "--heads", "6", "--tp", "4"], "TP 4 does not divide the model's 6 attention heads"),
        (["--gpu", "h100-sxm5-80gb", "--nodes", "3", "--fabric", "ib-ndr", "--pp", "16"], "does not divide the 24 GPUs"),
    ],
)
def test_decoder_input_that_cannot_be_is_refused(extra: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "--model", "llama3-8b", "--precision", "bf16", *extra]) == EXIT_INVALID
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--layers", "12"], ["--heads", "16"], ["--no-flash-attention"]])
def test_decoder_flags_describe_a_decoder_only(extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "--model", "resnet50", "--gpu", "a100-sxm4-40gb", *extra]) == EXIT_INVALID
    assert "gpt model" in capsys.readouterr().err


def test_long_sequences_without_flash_attention_fit_no_layout(capsys: pytest.CaptureFixture[str]) -> None:
    # each head's 131,072 x 131,072 scores, even for one layer at a time: far beyond any GPU
    run = ["estimate", "--model", "llama3-405b", "--sequence-length", "131072", "--batch", "128", "--precision", "bf16"]
    run += ["--gpu", "h100-sxm5-80gb", "--nodes", "2048", "--fabric", "ib-ndr", "--adapters-per-node", "8"]
    assert main([*run, "--no-flash-attention"]) == 3
    assert "GB per GPU" in capsys.readouterr().err
    assert main(run) == EXIT_OK  # fused, with context parallelism, it fits


def test_software_without_flash_attention_is_slower(capsys: pytest.CaptureFixture[str]) -> None:
    run = ["estimate", "--model", "gpt", "--parameters", "1.7B", "--layers", "24", "--hidden", "2304", "--heads", "24"]
    run += ["--sequence-length", "2048", "--batch", "512", "--gpu", "a100-sxm4-80gb", "--precision", "bf16", "--json"]
    rates = []
    for extra in ([], ["--no-flash-attention"]):
        assert main([*run, *extra]) == EXIT_OK
        rates.append(json.loads(capsys.readouterr().out)["tokens_per_s"])
    assert rates[1] < 0.95 * rates[0]
    # the text says what the estimate assumed
    assert main([arg for arg in run if arg != "--json"] + ["--no-flash-attention"]) == EXIT_OK
    assert "attention      not fused" in capsys.readouterr().out
    assert main([arg for arg in run if arg != "--json"]) == EXIT_OK
    assert "attention" not in capsys.readouterr().out.replace("attention heads", "")


def test_a_published_runs_layout_can_be_stated(capsys: pytest.CaptureFixture[str]) -> None:
    # Llama 3 405B's long-context stage as Meta ran it: TP 8, CP 16, PP 16 on 16,384 H100
    run = ["estimate", "--model", "llama3-405b", "--sequence-length", "131072", "--batch", "128", "--precision", "bf16"]
    run += ["--gpu", "h100-sxm5-80gb", "--nodes", "2048", "--fabric", "ib-ndr", "--adapters-per-node", "8"]
    assert main([*run, "--tp", "8", "--cp", "16", "--pp", "16", "--json"]) == EXIT_OK
    stated = json.loads(capsys.readouterr().out)
    assert (stated["parallelism"]["tp"], stated["parallelism"]["cp"], stated["parallelism"]["pp"]) == (8, 16, 16)
    assert stated["parallelism"]["dp"] == 8 and stated["fits_memory"]
    assert main([*run, "--json"]) == EXIT_OK
    searched = json.loads(capsys.readouterr().out)
    assert searched["tokens_per_s"] >= stated["tokens_per_s"]  # the search is free to do better


def test_a_layout_for_a_model_without_one_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "--model", "resnet50", "--gpu", "a100-sxm4-40gb", "--tp", "2"]) == EXIT_INVALID
    assert "applies to decoders" in capsys.readouterr().err


def test_a_stated_layout_that_fits_nowhere_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    run = ["estimate", "--model", "llama3-70b", "--precision", "bf16", "--gpu", "h100-sxm5-80gb"]
    assert main([*run, "--nodes", "8", "--fabric", "ib-ndr", "--tp", "1", "--pp", "1", "--zero", "0"]) == 3
    captured = capsys.readouterr()
    assert captured.out == "" and "with the parts stated fits" in captured.err and "Traceback" not in captured.err
