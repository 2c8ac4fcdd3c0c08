"""primeflex-iac: size PRIMEFLEX for HPC AI training clusters from a YAML spec.

import primeflex_iac as pf
spec = pf.load_spec("specs/customer.yaml")
plan = pf.solve(spec)                  # a Plan: status, compute, fabric, storage, racks, bom, totals
report = pf.check(plan, spec, pf.load_catalog())
"""

__version__ = "0.1.0"

from primeflex_iac.app.solve import solve
from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.catalog.models import Catalog
from primeflex_iac.errors import CatalogError, Problem, SpecError
from primeflex_iac.plan.check import CheckReport, check
from primeflex_iac.plan.model import Plan
from primeflex_iac.render.bom import bom_csv, bom_markdown
from primeflex_iac.render.summary import summary_text
from primeflex_iac.solver.options import SolveOptions
from primeflex_iac.spec.model import Spec, load_spec, parse_spec_text
from primeflex_iac.timing.estimate import estimate
from primeflex_iac.timing.step_model import Estimate

__all__ = [
    "Catalog",
    "CatalogError",
    "CheckReport",
    "Estimate",
    "Plan",
    "Problem",
    "SolveOptions",
    "Spec",
    "SpecError",
    "__version__",
    "bom_csv",
    "bom_markdown",
    "check",
    "estimate",
    "load_catalog",
    "load_spec",
    "parse_spec_text",
    "solve",
    "summary_text",
]
