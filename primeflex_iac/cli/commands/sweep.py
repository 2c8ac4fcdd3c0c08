"""`primeflex sweep SPEC`: cost against time-to-model, the cheapest plan for each of a range of deadlines.

Writes pareto.csv, pareto.svg and pareto.png (the Pareto frontier of cost and time-to-model),
with progress on stderr. With ``--axis energy-price`` it sweeps the price of a kWh instead and
prints where the plan of least lifetime cost flips from air to water cooling (energy-price.csv).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from primeflex_iac.app.inputs import solve_options_for
from primeflex_iac.app.parallel import JOBS_ENV, Workers, default_jobs
from primeflex_iac.app.sweep import SweepInputs, deadline_range, fastest_deadline, solve_point, sweep
from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.cli import options
from primeflex_iac.cli.commands.sweep_price import run_price_sweep
from primeflex_iac.cli.exit_codes import EXIT_INTERRUPTED, EXIT_OK, invalid
from primeflex_iac.cli.files import OutputFolder
from primeflex_iac.common.units import UnitError, parse_duration
from primeflex_iac.render.pareto_table import describe, pareto_csv
from primeflex_iac.spec.energy import parse_energy_price
from primeflex_iac.spec.model import load_spec

if TYPE_CHECKING:
    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.plan.pareto import SweepPoint
    from primeflex_iac.solver.options import SolveOptions
    from primeflex_iac.spec.model import Spec

__all__ = ["DEFAULT_POINTS", "add_parser", "run"]

DEFAULT_POINTS = 20
_BOUND_WORDS = {"deadline": "durations such as '8 h'", "energy-price": "prices per kWh such as '0.30' or '0.30 USD/kWh'"}


def _bound(text: str) -> tuple[str, float]:
    """A deadline ('8 h') or an energy price ('0.30', '0.30 USD/kWh'), told apart by what parses."""
    try:
        return ("deadline", parse_duration(text))
    except UnitError as error:
        try:
            return ("energy-price", parse_energy_price(text).per_kwh)
        except UnitError:
            raise argparse.ArgumentTypeError(str(error)) from None


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "sweep",
        help="cost against time-to-model: the cheapest plan for each of a range of deadlines (CSV, SVG, PNG)",
        description="Solve SPEC for a range of deadlines of one workload (the others scale with it) and write "
        "pareto.csv, pareto.svg and pareto.png: the cost of the cheapest plan against its time-to-model.",
    )
    options.spec_file(parser)
    options.output(parser, default="out/<spec file stem>-sweep/")
    parser.add_argument(
        "--points", type=int, default=DEFAULT_POINTS, metavar="N", help=f"deadlines to solve (default {DEFAULT_POINTS})"
    )
    parser.add_argument(
        "--axis",
        choices=("deadline", "energy-price"),
        default="deadline",
        help="what varies: the deadline (default; cost against time-to-model) or the energy price "
        "(the plan of least lifetime cost at each price, and where it flips from air to water cooling)",
    )
    parser.add_argument(
        "--from",
        dest="shortest",
        type=_bound,
        metavar="FROM",
        help="shortest deadline (default: the fastest plan the site allows); "
        "energy-price: lowest price per kWh (default: a quarter of the spec's)",
    )
    parser.add_argument(
        "--to",
        dest="longest",
        type=_bound,
        metavar="TO",
        help="longest deadline (default: twice the spec's); energy-price: highest price per kWh (default: four times the spec's)",
    )
    parser.add_argument("--workload", metavar="NAME", help="the workload whose deadline is swept (default: the first)")
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help=f"solve up to N points at once in worker processes (default: ${JOBS_ENV}, else one per CPU); "
        "the output is the same for any N",
    )
    options.catalog_overlay(parser)
    options.time_limit(parser)
    options.force(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    spec = load_spec(args.spec)
    catalog = load_catalog(args.catalog_overlay)
    for bound in (args.shortest, args.longest):
        if bound is not None and bound[0] != args.axis:
            return invalid(f"--from and --to of the {args.axis} axis take {_BOUND_WORDS[args.axis]}")
    if args.axis == "energy-price":
        return run_price_sweep(args, spec, catalog)
    if not spec.workloads:
        return invalid(f"{args.spec}: a sweep needs workloads (it varies their time-to-model)")
    if args.points < 1:
        return invalid("--points must be at least 1")
    if args.jobs is not None and args.jobs < 1:
        return invalid("--jobs must be at least 1")
    names = [w.name for w in spec.workloads]
    focus = args.workload or names[0]
    if focus not in names:
        return invalid(f"no workload named {focus!r} (workloads: {', '.join(names)})")
    required = next(w.time_to_model for w in spec.workloads if w.name == focus)
    solve_options = solve_options_for(spec, time_limit=args.time_limit)  # no range check here, as ever
    output = args.output or Path("out") / f"{options.spec_stem(args.spec)}-sweep"
    with OutputFolder(output, force=args.force, inputs=[args.spec, *args.catalog_overlay]) as folder:  # before solving
        return _sweep(args, spec, catalog, solve_options, focus, required, folder)


def _sweep(
    args: argparse.Namespace,
    spec: Spec,
    catalog: Catalog,
    solve_options: SolveOptions,
    focus: str,
    required: float,
    folder: OutputFolder,
) -> int:
    longest = args.longest[1] if args.longest else 2 * required
    shortest: float | None = args.shortest[1] if args.shortest else None

    def progress(index: int, total: int, point: SweepPoint) -> None:
        print(f"primeflex: sweep {index}/{total}: {describe(point, catalog.currency)}", file=sys.stderr, flush=True)

    inputs = SweepInputs(spec, catalog, solve_options, focus)
    with Workers(args.jobs or default_jobs(solve_options.workers), inputs) as workers:
        # the longest deadline's point needs no range: it starts with the search for the fastest plan
        loosest = workers.submit(solve_point, longest)
        fastest = None
        if shortest is None:
            # the fastest plan the site allows, with deadlines loose enough not to bind
            print("primeflex: sweep: finding the fastest plan the site allows", file=sys.stderr)
            fastest = workers.submit(fastest_deadline, longest)
        from primeflex_iac.render.pareto import pareto_png, pareto_svg  # matplotlib, loading while the workers solve

        if fastest is not None:
            shortest = fastest()
        assert shortest is not None
        deadlines = deadline_range(min(shortest, longest), longest, args.points)
        result = sweep(spec, catalog, deadlines, solve_options, focus, progress, workers, {longest: loosest})
    files: dict[str, str | bytes] = {
        "pareto.csv": pareto_csv(result),
        "pareto.svg": pareto_svg(result),
        "pareto.png": pareto_png(result),
    }
    written = folder.write(files)
    if folder.note:
        print(f"primeflex: {folder.note}", file=sys.stderr)
    frontier = result.frontier
    print(f"{spec.name}: {len(result.points)} deadlines, {len(frontier)} plans on the cost / time-to-model frontier")
    for point in sorted(frontier, key=lambda p: p.time_to_model_s or 0.0):
        print(f"  {describe(point, catalog.currency)}")
    print(f"  wrote     {', '.join(str(p) for p in written)}")
    if folder.interrupted:
        print("primeflex: interrupted; the files above were written whole first", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK
