"""The bill of materials names everything the cluster runs on."""

from __future__ import annotations

from primeflex_iac import Catalog, load_spec, solve
from tests.conftest import SPECS


def test_every_server_gets_an_os_licence(catalog: Catalog) -> None:
    plan = solve(load_spec(SPECS / "customer.yaml"), catalog)
    assert plan.storage is not None
    servers = sum(entry.count for entry in plan.compute) + 1 + plan.storage.servers  # compute, head node, storage
    (os_line,) = [line for line in plan.bom if line.catalog_id == "rhel"]
    assert os_line.quantity == servers
    assert any(a.startswith("rhel.per: interpretation") for a in plan.assumptions)
