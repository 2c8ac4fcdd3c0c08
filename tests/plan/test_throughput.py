"""Every byte through a link that can carry it: nodes read no faster than their adapters, storage
serves no faster than its servers' ports, and the plan's time is the time with what it buys."""

from __future__ import annotations

import pytest

import primeflex_iac as pf
from primeflex_iac import Catalog, check, parse_spec_text, solve
from primeflex_iac.demand.build import build_demand
from tests.conftest import SPECS

STORAGE_ONLY = """
apiVersion: primeflex-iac/v1
name: s
storage: {{capacity: 100 TiB, throughput: {rate}}}
site: {{racks: {{max: 4, power_per_rack: 20 kW}}}}
preferences: {{fabrics: [ethernet-10g]}}
"""


def test_one_node_on_10gbe_reads_no_faster_than_its_port() -> None:
    # 500 TB in one pass: at least 4.6 days through a 1.25 GB/s port, whatever the node could do
    result = pf.estimate(
        "custom",
        gpu="a100-pcie-40gb",
        gpus_per_node=4,
        fabric="ethernet-10g",
        training_flops_per_sample=1e9,
        dataset={"samples": 500_000_000, "size": "500 TB"},
        epochs=1,
    )
    assert result.bound == "io"
    assert result.time_to_model_s >= 500e12 / 1.25e9
    alone = pf.estimate(
        "custom",
        gpu="a100-pcie-40gb",
        gpus_per_node=4,
        training_flops_per_sample=1e9,
        dataset={"samples": 500_000_000, "size": "500 TB"},
        epochs=1,
    )
    assert alone.time_to_model_s < result.time_to_model_s / 5  # without a fabric: the node's own 7 GB/s


def test_storage_servers_serve_no_faster_than_their_ports(catalog: Catalog) -> None:
    plan = solve(parse_spec_text(STORAGE_ONLY.format(rate="10 GB/s")), catalog)
    assert plan.status == "optimal" and plan.storage is not None
    # each storage server has one 10 GbE port: 1.25 GB/s, so 10 GB/s needs 8 of them
    assert plan.storage.servers >= 8
    assert plan.storage.read_gbs >= 10.0
    assert plan.storage.read_gbs <= plan.storage.servers * 1.25 + 1e-9


def test_the_plan_reports_what_its_storage_delivers(catalog: Catalog) -> None:
    spec = pf.load_spec(SPECS / "reference" / "storage-large.yaml")
    plan = solve(spec, catalog)
    assert plan.storage is not None and plan.fabric is not None and plan.fabric.technology == "ethernet-10g"
    assert plan.storage.read_gbs == pytest.approx(plan.storage.servers * 1.25)
    # check() would have caught the figure the servers alone would give
    inflated = plan.model_copy(update={"storage": plan.storage.model_copy(update={"read_gbs": 20.0})})
    assert any("delivers" in v for v in check(inflated, spec, catalog).violations)


def test_the_plans_time_is_the_time_with_its_storage(catalog: Catalog) -> None:
    spec = pf.load_spec(SPECS / "customer.yaml")
    plan = solve(spec, catalog)
    assert plan.storage is not None
    nightly = next(w for w in plan.workloads if w.name == "nightly-resnet")
    assert nightly.time_to_model_s is not None and nightly.meets
    # 90 epochs of ImageNet through the storage the plan buys: the reading alone takes this long
    resnet = next(w for w in build_demand(spec, catalog).workloads if w.name == "nightly-resnet")
    assert nightly.time_to_model_s >= resnet.epochs * resnet.dataset_bytes / (plan.storage.read_gbs * 1e9)
    assert nightly.bound == "io"
