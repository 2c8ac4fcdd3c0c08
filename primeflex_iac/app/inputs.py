"""Every command's inputs: the spec and the catalog with its overlays, checked against each other.

Every problem of the spec and of each catalog overlay is collected at once (file, line, column,
field path, what was expected and what was found), for people on stderr and, with ``--json``,
for tools on stdout::

    {"valid": false, "problems": [{"file": "spec.yaml", "line": 3, "column": 18,
                                   "path": "compute.colour", "message": "unknown field ..."}]}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.catalog.models import Catalog
from primeflex_iac.demand.build import build_demand
from primeflex_iac.errors import Problem, SpecError
from primeflex_iac.spec.model import Spec, load_spec

__all__ = ["diagnostics_json", "load_inputs"]


def load_inputs(spec_path: str | Path, overlays: Sequence[str | Path] = ()) -> tuple[Spec, Catalog]:
    """The spec and the catalog with its overlays, checked against each other.

    Raises one :class:`SpecError` listing every problem of the spec, of every overlay, and of the
    spec's references to the catalog (unknown ids, currency, rack height).
    """
    problems: list[Problem] = []
    spec: Spec | None = None
    catalog: Catalog | None = None
    try:
        spec = load_spec(spec_path)
    except SpecError as error:
        problems.extend(error.problems)
    try:
        catalog = load_catalog(overlays)
    except SpecError as error:
        problems.extend(error.problems)
    if spec is not None and catalog is not None:
        try:
            build_demand(spec, catalog)
        except SpecError as error:
            problems.extend(error.problems)
    if problems:
        raise SpecError(problems)
    assert spec is not None and catalog is not None
    return spec, catalog


def diagnostics_json(problems: Sequence[Problem]) -> str:
    """The problems as JSON for tools: ``{"valid": bool, "problems": [...]}``."""
    document: dict[str, Any] = {"valid": not problems, "problems": [p.as_dict() for p in problems]}
    return json.dumps(document, indent=2) + "\n"
