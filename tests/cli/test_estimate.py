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
