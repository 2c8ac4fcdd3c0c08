"""Shared fixtures: the repository's folders and the shipped catalog, loaded once."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from primeflex_iac import Catalog, load_catalog

# Property tests: "ci" (the default) is derandomized with a fixed seed, so every run tries the
# same examples; HYPOTHESIS_PROFILE=dev explores new ones each run, with more of them.
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=500, suppress_health_check=[HealthCheck.too_slow])
# the long recorded fuzzing run (benchmarks/fuzz_inputs.py): new examples, and an example that
# takes longer than the deadline fails, so that a hang cannot pass
settings.register_profile(
    "long", deadline=timedelta(seconds=30), database=None, print_blob=True, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# benchmarks/fuzz_inputs.py multiplies every fuzzing property's examples (the long recorded run)
FUZZ_SCALE = int(os.environ.get("FUZZ_SCALE", "1"))


def examples(count: int) -> int:
    """A fuzzing property's examples: ``count`` in CI, FUZZ_SCALE times that in the long run."""
    return count * FUZZ_SCALE


ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
REFERENCE_NAMES = sorted(p.stem for p in (SPECS / "reference").glob("*.yaml"))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The real-NetBox import tests run last: CI sets NetBox up beside the other tests
    (tools/netbox/setup.sh takes about 10 minutes), and they wait for it."""
    last = [item for item in items if item.nodeid.startswith("tests/export/test_netbox_import.py")]
    items[:] = [item for item in items if item not in last] + last
