"""The lifetime-cost family: its coefficients stay within CP-SAT's 64-bit integers for the largest
figures a spec and the catalog accept, and the coolant loop is counted as the plan bills it."""

from __future__ import annotations

from primeflex_iac import Catalog, parse_spec_text
from primeflex_iac.catalog.energy import EnergyFigures
from primeflex_iac.demand.build import build_demand
from primeflex_iac.solver.model import build_model
from primeflex_iac.spec.energy import LARGEST_PRICE_PER_KWH

LARGEST = f"""
apiVersion: primeflex-iac/v1
name: largest
compute: {{gpus: 1000000}}
storage: {{capacity: 100 PiB}}
site:
  cooling: any
  racks: {{max: 10000, height: 48U, power_per_rack: {{air: 10 GW, water: 10 GW}}}}
  energy: {{price: {LARGEST_PRICE_PER_KWH} USD/kWh, pue: {{air: 5, water: 5}}, utilisation: 1}}
  lifetime: 100 y
objective: [tco, cost]
"""


def test_the_largest_figures_keep_the_model_within_its_integers(catalog: Catalog) -> None:
    bounds = EnergyFigures.model_fields
    assert bounds["support_share_per_year"].metadata[-1].le == 1  # the largest support factor: 1 x 100 years
    figures = catalog.energy.model_copy(update={"support_share_per_year": 1.0})
    built = build_model(build_demand(parse_spec_text(LARGEST), catalog.model_copy(update={"energy": figures})))
    assert built.totals.tco is not None
    assert built.model.validate() == ""  # CP-SAT's own check: no expression can overflow


def test_objective_tco_only_where_asked(catalog: Catalog) -> None:
    spec = parse_spec_text(LARGEST.replace("objective: [tco, cost]", "objective: cost"))
    assert build_model(build_demand(spec, catalog)).totals.tco is None
