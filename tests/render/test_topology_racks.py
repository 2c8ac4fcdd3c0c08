"""The topology draws the head node and the storage inside the rack box they are placed in."""

from __future__ import annotations

import re

from primeflex_iac import Catalog, load_spec, solve
from primeflex_iac.render.topology import topology_dot
from tests.conftest import SPECS


def _cluster_body(dot: str, name: str) -> str:
    """The text of one cluster subgraph, nested ones included."""
    start = dot.index(f"subgraph cluster_{name} {{")
    depth, index = 0, start
    while True:
        if dot[index] == "{":
            depth += 1
        elif dot[index] == "}":
            depth -= 1
            if depth == 0:
                return dot[start:index]
        index += 1


def test_head_node_and_storage_sit_in_their_racks_box(catalog: Catalog) -> None:
    plan = solve(load_spec(SPECS / "customer.yaml"), catalog)
    (rack,) = plan.racks  # the customer's cluster fits one rack: compute, head node and storage
    body = _cluster_body(topology_dot(plan), rack.name)
    assert re.search(r"\bhead01 \[", body) and "subgraph cluster_storage" in body
