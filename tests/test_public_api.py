"""The library API other planning tools import: names and signatures stay as the README shows them.

A refactor that renames a parameter or drops a name breaks every caller; this pins both.
"""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys

import primeflex_iac as pf
import primeflex_iac.export as export

API = [
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

PARAMETERS = {
    "bom_csv": ["plan"],
    "bom_markdown": ["plan"],
    "check": ["plan", "spec", "catalog"],
    "estimate": [
        "model",
        "gpu",
        "gpus_per_node",
        "nodes",
        "fabric",
        "adapters_per_node",
        "intra_node",
        "epochs",
        "batch",
        "catalog",
        "calibration",
        "storage_gbs",
        "layout",
        "workload",
    ],
    "load_catalog": ["overlays"],
    "load_spec": ["path"],
    "parse_spec_text": ["text", "name"],
    "solve": ["spec", "catalog", "options", "overlays", "explain"],
    "summary_text": ["plan"],
}

EXPORTERS = {
    "ansible_inventory": ["plan", "catalog"],
    "export_files": ["plan", "target", "catalog"],
    "gres_conf": ["plan", "catalog"],
    "netbox_files": ["plan", "catalog"],
    "slurm_conf": ["plan", "catalog"],
    "topology_conf": ["plan", "catalog"],
}


def test_the_package_exports_exactly_the_documented_names() -> None:
    assert sorted(pf.__all__) == API
    for name in API:
        assert getattr(pf, name) is not None


def test_every_function_keeps_its_parameters() -> None:
    for name, parameters in PARAMETERS.items():
        assert list(inspect.signature(getattr(pf, name)).parameters) == parameters, name


def test_the_exporters_the_readme_names_keep_their_parameters() -> None:
    for name, parameters in EXPORTERS.items():
        assert list(inspect.signature(getattr(export, name)).parameters) == parameters, name


def test_solve_options_keep_their_fields_and_defaults() -> None:
    fields = {f.name: f.default for f in dataclasses.fields(pf.SolveOptions)}
    assert fields == {"time_limit_s": 30.0, "workers": 1, "seed": 0}


def test_errors_keep_their_family() -> None:
    assert issubclass(pf.CatalogError, pf.SpecError)
    assert issubclass(pf.SpecError, Exception)
    assert [f.name for f in dataclasses.fields(pf.Problem)] == ["file", "line", "column", "path", "message"]


def test_importing_the_package_does_not_load_the_solver() -> None:
    """`import primeflex_iac` and its readers stay quick: OR-Tools loads only when solving needs it."""
    code = "import sys, primeflex_iac as pf; pf.load_spec; pf.Plan; print(any(m.startswith('ortools') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
    assert {name for name in dir(pf) if not name.startswith("_")} >= set(API) - {"__version__"}
