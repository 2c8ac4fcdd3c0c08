"""`primeflex estimate --model ID --gpu GPU_ID ...`: one workload's time-to-model on a catalog GPU
in any node and cluster shape, calibrated on MLPerf (a plain summary, or one JSON object with --json).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING

from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.cli import options
from primeflex_iac.cli.exit_codes import EXIT_INFEASIBLE, EXIT_OK, invalid
from primeflex_iac.common.units import UnitError, format_duration, parse_count
from primeflex_iac.common.vocabulary import PRECISIONS
from primeflex_iac.timing.estimate import estimate
from primeflex_iac.timing.llm_memory import RECOMPUTE, ZERO_STAGES
from primeflex_iac.timing.llm_step import LayoutLimits

if TYPE_CHECKING:
    from primeflex_iac.timing.step_model import Estimate

__all__ = ["add_parser", "run"]


def _count(text: str) -> int:
    try:
        return parse_count(text)
    except UnitError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "estimate",
        help="estimate a workload's time-to-model on a GPU cluster of any shape",
        description="Estimate the time-to-model of a zoo workload on NODES x GPUS-PER-NODE catalog GPUs, "
        "calibrated on MLPerf (see docs/calibration.md). The node need not be a catalog platform.",
    )
    parser.add_argument(
        "--model",
        required=True,
        metavar="ID",
        help="zoo id (resnet50, ssd, maskrcnn, transformer, gnmt, bert-large, gpt, ...) or custom",
    )
    parser.add_argument("--epochs", type=float, metavar="E", help="passes over the dataset (default: the zoo's)")
    parser.add_argument(
        "--batch", type=_count, metavar="GLOBAL_BATCH", help="samples per step over the whole cluster (default: the zoo's)"
    )
    parser.add_argument("--gpu", required=True, metavar="GPU_ID", help="catalog GPU id, e.g. a100-sxm4-40gb")
    parser.add_argument("--gpus-per-node", type=int, default=8, metavar="N", help="GPUs in each node (default 8)")
    parser.add_argument("--nodes", type=int, default=1, metavar="M", help="nodes (default 1)")
    parser.add_argument(
        "--fabric",
        default="none",
        metavar="FABRIC_ID",
        help="catalog fabric id (or id:mode, e.g. ib-hdr:hdr100); none for one node",
    )
    parser.add_argument("--adapters-per-node", type=int, metavar="K", help="fabric adapters per node (default 1 with a fabric)")
    parser.add_argument(
        "--intra-node", choices=("nvlink", "pcie"), help="how GPUs in a node talk (default: nvlink if the GPU has it)"
    )
    parser.add_argument(
        "--parameters", type=_count, metavar="N", help="model parameters (gpt: its size; custom: 6 x N FLOP per token)"
    )
    parser.add_argument("--layers", type=int, metavar="L", help="transformer layers (gpt; default: the zoo's)")
    parser.add_argument("--hidden", type=int, metavar="H", help="model width (gpt; default: the zoo's)")
    parser.add_argument("--sequence-length", type=int, metavar="S", help="tokens per sequence (gpt)")
    parser.add_argument("--tokens", type=_count, metavar="T", help="training tokens (gpt: the dataset; e.g. 300B)")
    parser.add_argument(
        "--heads", type=int, metavar="A", help="attention heads (gpt; default: width / 128): TP splits whole heads"
    )
    parser.add_argument(
        "--no-flash-attention",
        dest="flash_attention",
        action="store_const",
        const=False,
        help="the software writes the attention scores to memory (gpt: Megatron-LM and DeepSpeed before 2022)",
    )
    parser.add_argument("--flops-per-sample", type=float, metavar="FLOP", help="training FLOPs per sample (custom)")
    parser.add_argument("--samples", type=_count, metavar="S", help="samples per epoch (default: the zoo's)")
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        help="training arithmetic (default fp16; bf16 on Ampere and later GPUs; fp8 on GPUs with FP8 tensor cores)",
    )
    parser.add_argument("--storage-gbs", type=float, metavar="GB_S", help="the storage's read throughput, if it may bound")
    layout = parser.add_argument_group(
        "layout (decoders)", "fix parts of the parallel layout, as a published run states them; the rest is searched"
    )
    layout.add_argument("--tp", type=int, metavar="N", help="tensor-parallel degree (divides the node's GPUs)")
    layout.add_argument("--cp", type=int, metavar="N", help="context-parallel degree (splits each sequence)")
    layout.add_argument("--pp", type=int, metavar="N", help="pipeline stages")
    layout.add_argument("--zero", type=int, choices=ZERO_STAGES, help="ZeRO stage of the data-parallel replicas")
    layout.add_argument("--recompute", choices=RECOMPUTE, help="activation recomputation")
    options.catalog_overlay(parser)
    options.json_output(parser)
    parser.set_defaults(handler=run)


def _layout(args: argparse.Namespace) -> LayoutLimits | None:
    parts = {"tp": args.tp, "cp": args.cp, "pp": args.pp, "zero": args.zero, "recompute": args.recompute}
    return LayoutLimits(**parts) if any(v is not None for v in parts.values()) else None


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog_overlay)
    dataset = {"samples": args.samples} if args.samples is not None else None
    try:
        result = estimate(
            args.model,
            gpu=args.gpu,
            gpus_per_node=args.gpus_per_node,
            nodes=args.nodes,
            fabric=args.fabric,
            adapters_per_node=args.adapters_per_node,
            intra_node=args.intra_node,
            epochs=args.epochs,
            batch=args.batch,
            catalog=catalog,
            storage_gbs=args.storage_gbs,
            parameters=args.parameters,
            layers=args.layers,
            hidden=args.hidden,
            sequence_length=args.sequence_length,
            tokens=args.tokens,
            attention_heads=args.heads,
            flash_attention=args.flash_attention,
            training_flops_per_sample=args.flops_per_sample,
            dataset=dataset,
            precision=args.precision,
            layout=_layout(args),
        )
    except ValueError as error:
        return invalid(str(error))
    if not result.fits_memory and result.layout is None and math.isinf(result.estimated_s) and _layout(args):
        print(
            f"primeflex: no layout of {args.model} with the parts stated fits {args.gpu} on {args.nodes} x "
            f"{args.gpus_per_node} GPUs; state fewer parts, or a higher ZeRO stage or recomputation (the leanest "
            f"layout of any kind needs {result.memory_gb:,.1f} GB per GPU)",
            file=sys.stderr,
        )
        return EXIT_INFEASIBLE
    if not result.fits_memory and result.layout is None and math.isinf(result.estimated_s):
        print(
            f"primeflex: no layout of {args.model} fits {args.gpu} on {args.nodes} x {args.gpus_per_node} GPUs: even the "
            f"leanest (ZeRO-3, full recomputation, the most tensor, context and pipeline parallelism) needs "
            f"{result.memory_gb:,.1f} GB per GPU, the GPU has {_gpu_gb(args, result)}; use more GPUs or GPUs with more memory",
            file=sys.stderr,
        )
        return EXIT_INFEASIBLE
    if not all(math.isfinite(v) for v in _floats(result.as_dict())):
        print(f"primeflex: {args.model} cannot be trained on this cluster (the estimate is unbounded)", file=sys.stderr)
        return EXIT_INFEASIBLE
    described = {
        "model": args.model,
        "gpu": args.gpu,
        "gpus_per_node": args.gpus_per_node,
        "nodes": args.nodes,
        "fabric": args.fabric,
    }
    if args.json:
        sys.stdout.write(json.dumps({**described, **result.as_dict()}, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(_text(args, result))
    return EXIT_OK


def _gpu_gb(args: argparse.Namespace, result: Estimate) -> str:
    catalog = load_catalog(args.catalog_overlay)
    return f"{catalog.gpus[args.gpu].memory_gb:,g} GB"


def _floats(value: object) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, (list, tuple)):
        return [f for v in value for f in _floats(v)]
    return []


def _range_basis(r: Estimate) -> str:
    if r.range_beyond_gpus is not None:
        return f"beyond the {r.range_beyond_gpus:,} GPUs of its group's measured runs: the wider band assumed there"
    if r.range_group == "unmeasured":
        return "no measured training runs of this generation: the wider band assumed for it"
    return "the 10th and 90th percentile of the held-out errors of its group"


def _text(args: argparse.Namespace, r: Estimate) -> str:
    fabric = "one node" if args.nodes == 1 else f"{args.fabric}"
    lines = [
        f"{args.model} on {args.nodes} x {args.gpus_per_node} {args.gpu} ({r.gpus} GPUs, {fabric})",
        f"  time-to-model  {format_duration(r.estimated_s)} (start-up and evaluation {format_duration(r.startup_s)})",
        f"  throughput     {r.samples_per_s:,.1f} samples/s, {r.per_gpu_batch:,.1f} per GPU per step",
        f"  per GPU        {r.per_gpu_tflops:,.1f} TFLOPS ({r.efficiency:.1%} of peak)",
        f"  step           {r.step_s * 1e3:,.2f} ms: compute {r.compute_s * 1e3:,.2f} ms, all-reduce {r.communication_s * 1e3:,.2f} ms "
        f"({r.exposed_communication_s * 1e3:,.2f} ms exposed), reading {r.io_s * 1e3:,.2f} ms",
        f"  scaling        {r.scaling_efficiency:.1%} of each step computes; {r.bound} bound",
        f"  range          {format_duration(r.range_s[0])} to {format_duration(r.range_s[1])} ({_range_basis(r)})",
    ]
    if r.layout is not None:
        lines.insert(3, f"  tokens         {r.tokens_per_s or 0:,.0f} per second, MFU {r.mfu:.1%}")
        lines.append(f"  layout         {r.layout.describe()}; {r.memory_gb:,.1f} GB per GPU")
        if args.flash_attention is False:
            lines.append("  attention      not fused: each head's sequence x sequence scores pass through memory (in compute)")
    if not r.fits_memory:
        lines.append(f"  warning        the model needs about {r.memory_gb:,.0f} GB per GPU; {args.gpu} has less")
    return "\n".join(lines) + "\n"
