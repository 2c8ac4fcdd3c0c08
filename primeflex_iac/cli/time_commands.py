"""`primeflex estimate` and `primeflex sweep`: the time-to-model commands, registered by cli.py.

estimate: one workload on a catalog GPU in any node and cluster shape (a plain line, or --json).
sweep: the cost against time-to-model Pareto frontier of a spec over a range of deadlines,
written as pareto.csv, pareto.svg and pareto.png, with progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from primeflex_iac.app.solve import solve
from primeflex_iac.app.sweep import deadline_range, sweep
from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.cli.files import write_outputs
from primeflex_iac.common.units import UnitError, format_duration, parse_count, parse_duration
from primeflex_iac.demand.build import scale_deadlines
from primeflex_iac.plan.pareto import SweepPoint
from primeflex_iac.render.pareto_table import describe, pareto_csv
from primeflex_iac.solver.stages import SolveOptions
from primeflex_iac.spec.model import load_spec
from primeflex_iac.timing.estimate import estimate
from primeflex_iac.timing.step_model import Estimate

__all__ = ["add_time_commands"]

EXIT_OK, EXIT_INVALID = 0, 2  # as cli.EXIT_OK and cli.EXIT_INVALID
DEFAULT_POINTS = 20


def _count(text: str) -> int:
    try:
        return parse_count(text)
    except UnitError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except UnitError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_time_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    est = commands.add_parser(
        "estimate",
        help="estimate a workload's time-to-model on a GPU cluster of any shape",
        description="Estimate the time-to-model of a zoo workload on NODES x GPUS-PER-NODE catalog GPUs, "
        "calibrated on MLPerf (see docs/calibration.md). The node need not be a catalog platform.",
    )
    est.add_argument(
        "--model",
        required=True,
        metavar="ID",
        help="zoo id (resnet50, ssd, maskrcnn, transformer, gnmt, bert-large, gpt, ...) or custom",
    )
    est.add_argument("--epochs", type=float, metavar="E", help="passes over the dataset (default: the zoo's)")
    est.add_argument(
        "--batch", type=_count, metavar="GLOBAL_BATCH", help="samples per step over the whole cluster (default: the zoo's)"
    )
    est.add_argument("--gpu", required=True, metavar="GPU_ID", help="catalog GPU id, e.g. a100-sxm4-40gb")
    est.add_argument("--gpus-per-node", type=int, default=8, metavar="N", help="GPUs in each node (default 8)")
    est.add_argument("--nodes", type=int, default=1, metavar="M", help="nodes (default 1)")
    est.add_argument(
        "--fabric",
        default="none",
        metavar="FABRIC_ID",
        help="catalog fabric id (or id:mode, e.g. ib-hdr:hdr100); none for one node",
    )
    est.add_argument("--adapters-per-node", type=int, metavar="K", help="fabric adapters per node (default 1 with a fabric)")
    est.add_argument(
        "--intra-node", choices=("nvlink", "pcie"), help="how GPUs in a node talk (default: nvlink if the GPU has it)"
    )
    est.add_argument(
        "--parameters", type=_count, metavar="N", help="model parameters (gpt: its size; custom: 6 x N FLOP per token)"
    )
    est.add_argument("--sequence-length", type=int, metavar="T", help="tokens per sequence (gpt)")
    est.add_argument("--flops-per-sample", type=float, metavar="FLOP", help="training FLOPs per sample (custom)")
    est.add_argument("--samples", type=_count, metavar="S", help="samples per epoch (default: the zoo's)")
    est.add_argument("--precision", choices=("fp16", "bf16", "int8"), help="arithmetic (default fp16)")
    est.add_argument("--storage-gbs", type=float, metavar="GB_S", help="the storage's read throughput, if it may bound")
    est.add_argument(
        "--catalog-overlay", type=Path, action="append", default=[], metavar="FILE", help="catalog overlay (repeatable)"
    )
    est.add_argument("--json", action="store_true", help="print one JSON object")
    est.set_defaults(handler=_estimate)

    swp = commands.add_parser(
        "sweep",
        help="cost against time-to-model: the cheapest plan for each of a range of deadlines (CSV, SVG, PNG)",
        description="Solve SPEC for a range of deadlines of one workload (the others scale with it) and write "
        "pareto.csv, pareto.svg and pareto.png: the cost of the cheapest plan against its time-to-model.",
    )
    swp.add_argument("spec", type=Path, help="the spec file (YAML)")
    swp.add_argument("-o", "--output", type=Path, help="output folder (default: out/<spec file stem>-sweep/)")
    swp.add_argument(
        "--points", type=int, default=DEFAULT_POINTS, metavar="N", help=f"deadlines to solve (default {DEFAULT_POINTS})"
    )
    swp.add_argument(
        "--from",
        dest="shortest",
        type=_duration,
        metavar="DURATION",
        help="shortest deadline (default: the fastest plan the site allows)",
    )
    swp.add_argument(
        "--to", dest="longest", type=_duration, metavar="DURATION", help="longest deadline (default: twice the spec's)"
    )
    swp.add_argument("--workload", metavar="NAME", help="the workload whose deadline is swept (default: the first)")
    swp.add_argument(
        "--catalog-overlay", type=Path, action="append", default=[], metavar="FILE", help="catalog overlay (repeatable)"
    )
    swp.add_argument("--time-limit", type=float, metavar="SECONDS", help="solver time limit per point (default: the spec's)")
    swp.set_defaults(handler=_sweep)


def _invalid(message: str) -> int:
    print(f"primeflex: invalid input, {message}", file=sys.stderr)
    return EXIT_INVALID


def _estimate(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog_overlay)
    dataset = {"samples": args.samples} if args.samples else None
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
            sequence_length=args.sequence_length,
            training_flops_per_sample=args.flops_per_sample,
            dataset=dataset,
            precision=args.precision,
        )
    except ValueError as error:
        return _invalid(str(error))
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


def _text(args: argparse.Namespace, r: Estimate) -> str:
    fabric = "one node" if args.nodes == 1 else f"{args.fabric}"
    lines = [
        f"{args.model} on {args.nodes} x {args.gpus_per_node} {args.gpu} ({r.gpus} GPUs, {fabric})",
        f"  time-to-model  {format_duration(r.time_to_model_s)} (start-up and evaluation {format_duration(r.startup_s)})",
        f"  throughput     {r.samples_per_s:,.1f} samples/s, {r.per_gpu_batch:,.1f} per GPU per step",
        f"  per GPU        {r.per_gpu_tflops:,.1f} TFLOPS ({r.efficiency:.1%} of peak)",
        f"  step           {r.step_s * 1e3:,.2f} ms: compute {r.compute_s * 1e3:,.2f} ms, all-reduce {r.communication_s * 1e3:,.2f} ms "
        f"({r.exposed_communication_s * 1e3:,.2f} ms exposed), reading {r.io_s * 1e3:,.2f} ms",
        f"  scaling        {r.scaling_efficiency:.1%} of each step computes; {r.bound} bound",
    ]
    if not r.fits_memory:
        lines.append(f"  warning        the model needs about {r.memory_gb:,.0f} GB per GPU; {args.gpu} has less")
    return "\n".join(lines) + "\n"


def _sweep(args: argparse.Namespace) -> int:
    from primeflex_iac.render.pareto import pareto_png, pareto_svg

    spec = load_spec(args.spec)
    catalog = load_catalog(args.catalog_overlay)
    if not spec.workloads:
        return _invalid(f"{args.spec}: a sweep needs workloads (it varies their time-to-model)")
    if args.points < 1:
        return _invalid("--points must be at least 1")
    names = [w.name for w in spec.workloads]
    focus = args.workload or names[0]
    if focus not in names:
        return _invalid(f"no workload named {focus!r} (workloads: {', '.join(names)})")
    required = next(w.time_to_model for w in spec.workloads if w.name == focus)
    limit = args.time_limit if args.time_limit is not None else spec.solver.time_limit
    options = SolveOptions(limit, spec.solver.workers, spec.solver.seed)
    longest = args.longest or 2 * required
    shortest = args.shortest
    if shortest is None:
        # the fastest plan the site allows, with deadlines loose enough not to bind
        print("primeflex: sweep: finding the fastest plan the site allows", file=sys.stderr)
        loose = scale_deadlines(spec, longest / required).model_copy(update={"objective": "time"})
        fastest = solve(loose, catalog, options)
        # every workload's deadline scales with the focus one: the slowest of them sets the shortest
        ratios = [w.time_to_model_s / w.required_s for w in fastest.workloads if w.time_to_model_s is not None]
        shortest = max(ratios) * longest * (1 + 1e-6) if ratios else longest / 16  # slack for rounding
    shortest = min(shortest, longest)
    deadlines = deadline_range(shortest, longest, args.points)

    def progress(index: int, total: int, point: SweepPoint) -> None:
        print(f"primeflex: sweep {index}/{total}: {describe(point, catalog.currency)}", file=sys.stderr, flush=True)

    result = sweep(spec, catalog, deadlines, options, focus, progress)
    output = args.output or Path("out") / f"{args.spec.stem}-sweep"
    files: dict[str, str | bytes] = {
        "pareto.csv": pareto_csv(result),
        "pareto.svg": pareto_svg(result),
        "pareto.png": pareto_png(result),
    }
    written = write_outputs(output, files)
    frontier = result.frontier
    print(f"{spec.name}: {len(result.points)} deadlines, {len(frontier)} plans on the cost / time-to-model frontier")
    for point in sorted(frontier, key=lambda p: p.time_to_model_s or 0.0):
        print(f"  {describe(point, catalog.currency)}")
    print(f"  wrote     {', '.join(str(p) for p in written)}")
    return EXIT_OK
