"""primeflex-iac: size PRIMEFLEX for HPC AI training clusters from a YAML spec.

import primeflex_iac as pf
spec = pf.load_spec("specs/customer.yaml")
plan = pf.solve(spec)                  # a Plan: status, compute, fabric, storage, racks, bom, totals
report = pf.check(plan, spec, pf.load_catalog())
"""

__version__ = "0.1.0"

from .catalog import Catalog, load_catalog
from .check import CheckReport, check
from .errors import CatalogError, Problem, SpecError
from .estimator import estimate
from .performance import Estimate
from .pipeline import solve
from .plan import Plan
from .renderers import bom_csv, bom_markdown, summary_text
from .solvers import SolveOptions
from .spec import Spec, load_spec, parse_spec_text

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
