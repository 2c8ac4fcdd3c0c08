"""Shared fixtures: the repository's folders and the shipped catalog, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from primeflex_iac import Catalog, load_catalog

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
REFERENCE_NAMES = sorted(p.stem for p in (SPECS / "reference").glob("*.yaml"))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()
