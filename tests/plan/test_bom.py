"""The bill of materials names everything the cluster runs on."""

from __future__ import annotations

from primeflex_iac import Catalog, check, load_spec, parse_spec_text, solve
from tests.conftest import SPECS


def test_every_server_gets_an_os_licence(catalog: Catalog) -> None:
    plan = solve(load_spec(SPECS / "customer.yaml"), catalog)
    assert plan.storage is not None
    servers = sum(entry.count for entry in plan.compute) + 1 + plan.storage.servers  # compute, head node, storage
    (os_line,) = [line for line in plan.bom if line.catalog_id == "rhel"]
    assert os_line.quantity == servers
    assert any(a.startswith("rhel.per: interpretation") for a in plan.assumptions)


def test_the_head_node_is_of_the_clusters_generation(catalog: Catalog) -> None:
    def head_of(as_of: str | None) -> str:
        prefs = f"preferences: {{as_of: {as_of}}}\n" if as_of else ""
        spec = parse_spec_text(
            f"apiVersion: primeflex-iac/v1\nname: h\ncompute: {{gpus: 8}}\nsite: {{racks: {{power_per_rack: 40 kW}}}}\n{prefs}"
        )
        plan = solve(spec, catalog)
        (head,) = [line.catalog_id for line in plan.bom if line.catalog_id in catalog.head_nodes]
        return head

    assert head_of("2019-06") == "rx2540-m5-head"  # the white paper's samples keep the seed's master node
    assert head_of("2021-06") == "rx2540-m6-head"
    assert head_of(None) == "rx2540-m7-head"  # no date: today's catalog, an H200 cluster gets a current head node


def test_node_cables_leaving_their_rack_are_optical(catalog: Catalog) -> None:
    def cables(gpus: int) -> tuple[int, str, list[str]]:
        spec = parse_spec_text(
            f"apiVersion: primeflex-iac/v1\nname: c\ncompute: {{gpus: {gpus}}}\nsite: {{racks: {{power_per_rack: 40 kW}}}}\n"
            "preferences: {gpus: [a100-sxm4-40gb], fabrics: [ib-hdr]}\n"
        )
        plan = solve(spec, catalog)
        assert plan.fabric is not None and check(plan, spec, catalog).ok
        return len(plan.racks), plan.fabric.cable, [line.catalog_id for line in plan.bom if line.category == "fabric"]

    racks, cable, lines = cables(8)
    assert racks == 1 and cable == "dac-hdr" and "dac-hdr" in lines  # copper within the rack
    racks, cable, lines = cables(256)
    assert racks > 1 and cable == "aoc-hdr" and "aoc-hdr" in lines and "dac-hdr" not in lines
