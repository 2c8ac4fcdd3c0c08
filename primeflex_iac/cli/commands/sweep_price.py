"""`primeflex sweep SPEC --axis energy-price`: the plan of least lifetime cost at each price per kWh,
and the prices where its cooling flips (energy-price.csv, with progress on stderr)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from primeflex_iac.app.inputs import solve_options_for
from primeflex_iac.app.planning import plan_demand
from primeflex_iac.app.price_sweep import price_range, price_sweep
from primeflex_iac.cli.exit_codes import EXIT_INTERRUPTED, EXIT_OK, invalid
from primeflex_iac.cli.files import OutputFolder
from primeflex_iac.cli.options import spec_stem
from primeflex_iac.demand.build import build_demand, check_references
from primeflex_iac.demand.energy import tco_inputs
from primeflex_iac.render.price_table import describe_crossover, describe_price, price_csv

if TYPE_CHECKING:
    import argparse

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.plan.model import Plan
    from primeflex_iac.plan.price_sweep import PricePoint
    from primeflex_iac.spec.model import Spec

__all__ = ["run_price_sweep"]


def run_price_sweep(args: argparse.Namespace, spec: Spec, catalog: Catalog) -> int:
    if args.points < 1:
        return invalid("--points must be at least 1")
    check_references(spec, catalog)  # an energy price in another currency is refused here, at its line
    price = tco_inputs(spec, catalog).price_per_kwh
    lowest = args.shortest[1] if args.shortest else price / 4
    highest = args.longest[1] if args.longest else price * 4
    if lowest <= 0:
        return invalid("--from must be a positive price per kWh")
    prices = price_range(min(lowest, highest), max(lowest, highest), args.points)
    currency = catalog.currency

    def progress(index: int, total: int, point: PricePoint) -> None:
        print(f"primeflex: sweep {index}/{total}: {describe_price(point, currency)}", file=sys.stderr, flush=True)

    options = solve_options_for(spec, time_limit=args.time_limit)

    def solve_spec(priced: Spec) -> Plan:
        return plan_demand(priced, catalog, build_demand(priced, catalog), options, [], price_preference=False)[0]

    output = args.output or Path("out") / f"{spec_stem(args.spec)}-sweep"
    with OutputFolder(output, force=args.force, inputs=[args.spec, *args.catalog_overlay]) as folder:  # before solving
        result = price_sweep(spec, currency, prices, solve_spec, progress)
        written = folder.write({"energy-price.csv": price_csv(result)})
    if folder.note:
        print(f"primeflex: {folder.note}", file=sys.stderr)
    coolings = sorted({p.cooling for p in result.points if p.cooling})
    print(f"{spec.name}: {len(result.points)} energy prices, least lifetime cost with {' or '.join(coolings) or 'no plan'}")
    for crossover in result.crossovers:
        print(f"  {describe_crossover(crossover, currency)}")
    if not result.crossovers:
        print(f"  no crossover between {prices[0]:.4f} and {prices[-1]:.4f} {currency}/kWh")
    print(f"  wrote     {', '.join(str(p) for p in written)}")
    if folder.interrupted:
        print("primeflex: interrupted; the files above were written whole first", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK
