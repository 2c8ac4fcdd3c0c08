"""Management network arithmetic: one switch while it takes every port, else access and aggregation."""

from __future__ import annotations

import pytest

from primeflex_iac.demand.management import ManagementTree, management_tree


@pytest.mark.parametrize(
    ("devices", "expected"),
    [
        (1, ManagementTree(access=1, aggregation=0, cables=2)),
        (45, ManagementTree(access=1, aggregation=0, cables=46)),  # 45 devices and the head node fill 46 ports
        (46, ManagementTree(access=1, aggregation=1, cables=49)),  # the head node moves up, 2 uplinks
        (90, ManagementTree(access=2, aggregation=1, cables=95)),  # 512 H100: 64 nodes, 26 fabric switches
        (1667, ManagementTree(access=37, aggregation=2, cables=1742)),  # 8192 H100: 74 uplinks and the head node
    ],
)
def test_management_tree_of_48_port_switches_with_2_uplinks(devices: int, expected: ManagementTree) -> None:
    tree = management_tree(devices, ports=48, uplinks=2)
    assert tree == expected
    assert tree.switches == expected.access + expected.aggregation


def test_aggregation_ports_hold_the_uplinks_and_the_head_node() -> None:
    for devices in range(1, 5000, 7):
        tree = management_tree(devices, ports=48, uplinks=2)
        assert tree.access * 46 >= devices + (0 if tree.aggregation else 1)
        assert tree.aggregation * 48 >= tree.access * 2 + 1 or not tree.aggregation
        assert (tree.access - 1) * 46 < devices  # no access switch more than needed
