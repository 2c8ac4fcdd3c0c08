"""Every command's inputs, read in one place: the spec and the catalog with its overlays, checked
against each other; a saved plan file; the solver options a spec asks for.

Every problem of the spec and of each catalog overlay is collected at once (file, line, column,
field path, what was expected and what was found), for people on stderr and, with ``--json``,
for tools on stdout::

    {"valid": false, "problems": [{"file": "spec.yaml", "line": 3, "column": 18,
                                   "path": "compute.colour", "message": "unknown field ..."}]}
"""

from __future__ import annotations

import json
import stat
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from primeflex_iac.catalog.loader import load_catalog
from primeflex_iac.demand.build import build_demand
from primeflex_iac.errors import PlanFileError, Problem, SpecError
from primeflex_iac.plan.integrity import integrity_problems
from primeflex_iac.plan.model import Plan
from primeflex_iac.solver.options import SolveOptions
from primeflex_iac.spec.model import load_spec

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from primeflex_iac.catalog.models import Catalog
    from primeflex_iac.spec.model import Spec

__all__ = ["diagnostics_json", "load_inputs", "read_plan", "solve_options_for"]

MAX_PLAN_BYTES = 256 * 1024 * 1024  # a 10,000-GPU plan is a few megabytes
_MAX_LISTED = 20  # problems of one plan file shown


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


def read_plan(path: Path) -> Plan:
    """A plan.json written by `primeflex solve`, or a :class:`PlanFileError` saying where it is wrong.

    A file that cannot be read is one problem ("cannot read: why"); a file that is not a plan has
    one problem per field pydantic rejects, located by its field path; a plan whose parts disagree
    (counts against the devices its racks list, figures out of range) one per disagreement.
    """
    name = str(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would block, /dev/zero never end
            raise PlanFileError([Problem(name, None, None, "", "is not a regular file; expected a plan.json")])
        with path.open("rb") as handle:
            raw = handle.read(MAX_PLAN_BYTES + 1)
        if len(raw) > MAX_PLAN_BYTES:
            raise PlanFileError([Problem(name, None, None, "", f"file too large (over {MAX_PLAN_BYTES:,} bytes)")])
        plan = Plan.model_validate_json(raw)
    except OSError as error:
        raise PlanFileError([Problem(name, None, None, "", f"cannot read: {error.strerror or error}")]) from None
    except ValidationError as error:
        problems = [Problem(name, None, None, ".".join(map(str, e["loc"])), e["msg"]) for e in error.errors()]
        raise PlanFileError(problems) from None
    broken = integrity_problems(plan)
    if broken:
        raise PlanFileError([Problem(name, None, None, where, message) for where, message in broken[:_MAX_LISTED]])
    return plan


def solve_options_for(
    spec: Spec, time_limit: float | None = None, workers: int | None = None, seed: int | None = None
) -> SolveOptions:
    """The solver options for ``spec``: each one given here (not None) wins over the spec's ``solver`` section.

    No range check: the command line checks what people type (``cli/options.py``).
    """
    return SolveOptions(
        time_limit_s=time_limit if time_limit is not None else spec.solver.time_limit,
        workers=workers if workers is not None else spec.solver.workers,
        seed=seed if seed is not None else spec.solver.seed,
    )
