"""Storage server pairs and shelves are chosen independently within the paper's rule (a pair
serves one to four controller shelves): a pair can be added for the read rate without shelves."""

from __future__ import annotations

import math

from primeflex_iac import Catalog, check, parse_spec_text, solve

SPEC = """
apiVersion: primeflex-iac/v1
name: s
storage: {{capacity: 150 TiB{throughput}}}
site: {{racks: {{max: 10, power_per_rack: 20 kW}}}}
preferences: {{fabrics: [ib-edr]}}
"""


def _shelves(plan_blocks: dict[str, int], catalog: Catalog) -> int:
    return sum(n * catalog.block_controller_shelves(catalog.storage_blocks[b]) for b, n in plan_blocks.items())


def test_a_pair_is_added_for_the_read_rate_without_shelves(catalog: Catalog) -> None:
    spec = parse_spec_text(SPEC.format(throughput=", throughput: 80 GB/s"))
    plan = solve(spec, catalog)
    assert plan.status == "optimal" and plan.storage is not None and check(plan, spec, catalog).ok
    shelves = _shelves(plan.storage.blocks, catalog)
    pairs = plan.storage.servers // 2
    # 80 GB/s needs 8 servers of 10 GB/s: 4 pairs, for fewer than the 13 shelves 4 pairs would need if tied
    assert plan.storage.read_gbs >= 80 and pairs == 4
    assert math.ceil(shelves / 4) < pairs <= shelves


def test_without_a_read_rate_the_fewest_pairs_serve_the_shelves(catalog: Catalog) -> None:
    plan = solve(parse_spec_text(SPEC.format(throughput="")), catalog)
    assert plan.storage is not None
    assert plan.storage.servers // 2 == math.ceil(_shelves(plan.storage.blocks, catalog) / 4)
