"""The head node's one fabric port never adds a fat-tree level: where the level is full without
it, the head node works over the management network."""

from __future__ import annotations

from primeflex_iac import Catalog, check, parse_spec_text, solve

SPEC = """
apiVersion: primeflex-iac/v1
name: full-tree
compute: {{gpus: {gpus}}}
site: {{racks: {{max: 2000, power_per_rack: 40 kW}}}}
preferences: {{gpus: [h100-sxm5-80gb], fabrics: [ib-ndr]}}
"""


def test_a_full_two_level_tree_stays_two_levels(catalog: Catalog) -> None:
    # 256 eight-GPU nodes with 8 adapters each: 2,048 ports, a full tree of 64-port switches
    spec = parse_spec_text(SPEC.format(gpus=2048))
    plan = solve(spec, catalog)
    assert plan.status == "optimal" and plan.fabric is not None and check(plan, spec, catalog).ok
    assert plan.fabric.tiers == 2 and (plan.fabric.leaf_switches, plan.fabric.spine_switches) == (64, 32)
    assert not plan.fabric.head_node_on_fabric and plan.fabric.endpoints == 2048
    assert any("head node stays off the compute fabric" in a for a in plan.assumptions)


def test_with_a_port_free_the_head_node_is_on_the_fabric(catalog: Catalog) -> None:
    spec = parse_spec_text(SPEC.format(gpus=2040))
    plan = solve(spec, catalog)
    assert plan.fabric is not None and plan.fabric.head_node_on_fabric and plan.fabric.endpoints == 255 * 8 + 1
    doctored = plan.model_copy(
        update={"fabric": plan.fabric.model_copy(update={"head_node_on_fabric": False, "endpoints": 255 * 8})}
    )
    assert any("off the fabric although" in v for v in check(doctored, spec, catalog).violations)
