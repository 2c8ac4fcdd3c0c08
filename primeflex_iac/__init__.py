"""primeflex-iac: size PRIMEFLEX for HPC AI training clusters from a YAML spec.

import primeflex_iac as pf
spec = pf.load_spec("specs/customer.yaml")
plan = pf.solve(spec)                  # a Plan: status, compute, fabric, storage, racks, bom, totals
report = pf.check(plan, spec, pf.load_catalog())

The names load on first use (PEP 562): importing the package, as the command line does first,
costs nothing, so Ctrl-C during start-up reaches the command line's handler.
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False  # as typing's, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

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
    from primeflex_iac.timing.llm_step import LayoutLimits
    from primeflex_iac.timing.step_model import Estimate

_WHERE = {
    "solve": "primeflex_iac.app.solve",
    "load_catalog": "primeflex_iac.catalog.loader",
    "Catalog": "primeflex_iac.catalog.models",
    "CatalogError": "primeflex_iac.errors",
    "Problem": "primeflex_iac.errors",
    "SpecError": "primeflex_iac.errors",
    "CheckReport": "primeflex_iac.plan.check",
    "check": "primeflex_iac.plan.check",
    "Plan": "primeflex_iac.plan.model",
    "bom_csv": "primeflex_iac.render.bom",
    "bom_markdown": "primeflex_iac.render.bom",
    "summary_text": "primeflex_iac.render.summary",
    "SolveOptions": "primeflex_iac.solver.options",
    "Spec": "primeflex_iac.spec.model",
    "load_spec": "primeflex_iac.spec.model",
    "parse_spec_text": "primeflex_iac.spec.model",
    "estimate": "primeflex_iac.timing.estimate",
    "Estimate": "primeflex_iac.timing.step_model",
    "LayoutLimits": "primeflex_iac.timing.llm_step",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'primeflex_iac' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


__all__ = [
    "Catalog",
    "CatalogError",
    "CheckReport",
    "Estimate",
    "LayoutLimits",
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
