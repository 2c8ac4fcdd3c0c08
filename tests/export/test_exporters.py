"""Exports (issue 6): Slurm, NetBox and Ansible files of a plan, checked against each tool's own
grammar or schema, against Slurm's and Ansible's own parsers where they are installed, and
against golden files of the reference specs.

Golden files live in tests/golden/exports/<spec>/<target>/...; regenerate them after an intended
change with ``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/export/test_exporters.py``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import networkx as nx
import pytest
import yaml

from primeflex_iac import Catalog, Plan, SpecError, load_spec, parse_spec_text, solve
from primeflex_iac.cli.main import main
from primeflex_iac.common.hostlist import compress as hostlist
from primeflex_iac.common.hostlist import expand as expand_hostlist
from primeflex_iac.export.ansible import ansible_inventory
from primeflex_iac.export.cluster import platforms, wiring
from primeflex_iac.export.gpus import NVML_NAMES, gres_type, nvml_detected
from primeflex_iac.export.netbox import netbox_files, slugify
from primeflex_iac.export.slurm import _tree_lines, gres_conf, slurm_conf, slurm_files, topology_conf
from primeflex_iac.export.targets import applicable_targets, export_files
from primeflex_iac.plan.management import management_ports, management_switches
from tests.conftest import REFERENCE_NAMES, ROOT, SPECS
from tests.export.tools import ANSIBLE_INVENTORY, SCONTROL, SLURMD, ansible_inventory_list, cable_ends

GOLDEN = ROOT / "tests" / "golden" / "exports"
NETBOX_SCHEMAS = ROOT / "tests" / "data" / "netbox"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
_plans: dict[str, Plan] = {}

# Plans beyond the reference specs: a two-level fat tree with storage and a naming pattern,
# 8-adapter HGX nodes spread over many leaves (rail-optimised: one full rail group; and a full
# group, a partial one on the 3 leaves left, storage servers), and a three-level tree.
EXTRA_SPECS = {
    "edr-two-level": """
apiVersion: primeflex-iac/v1
name: edr-two-level
compute: {gpus: 128, min_gpu_memory: 32 GB}
site: {cooling: air, racks: {max: 20, height: 42U, power_per_rack: 20 kW}}
storage: {capacity: 500 TiB}
preferences: {fabrics: [ib-edr], as_of: 2019-06, blocking_factor: 2}
naming: {compute: gpu###}
""",
    "hgx-h100": """
apiVersion: primeflex-iac/v1
name: hgx-h100
compute: {gpus: 256}
site: {racks: {max: 40, height: 48U, power_per_rack: 45 kW}}
preferences: {nodes: [generic-hgx-h100-8gpu]}
""",
    "hgx-rail-partial": """
apiVersion: primeflex-iac/v1
name: hgx-rail-partial
compute: {gpus: 320}
site: {racks: {max: 40, height: 48U, power_per_rack: 45 kW}}
storage: {capacity: 500 TiB}
preferences: {nodes: [generic-hgx-h100-8gpu], fabrics: [ib-ndr]}
""",
    "hdr100-two-level": """
apiVersion: primeflex-iac/v1
name: hdr100-two-level
compute: {gpus: 400, min_gpu_memory: 32 GB}
site: {cooling: air, racks: {max: 60, height: 42U, power_per_rack: 20 kW}}
preferences: {fabrics: [ib-hdr], nodes: [rx2540-m5], as_of: 2020-06}
""",
    "three-level": """
apiVersion: primeflex-iac/v1
name: three-level
compute: {gpus: 1400}
site: {racks: {max: 200, height: 42U, power_per_rack: 20 kW}}
preferences: {nodes: [rx2540-m5], fabrics: [ib-edr], as_of: 2019-06}
""",
}


# 8,192 H100 GPUs: 37 management access switches, two aggregation switches
BIG_SPEC = """
apiVersion: primeflex-iac/v1
name: h100-8192
compute: {gpus: 8192}
site: {racks: {max: 2000, height: 42U, power_per_rack: 40 kW}}
preferences: {gpus: [h100-sxm5-80gb]}
"""


def _plan(name: str, catalog: Catalog) -> Plan:
    if name not in _plans:
        spec = (
            parse_spec_text(EXTRA_SPECS[name], name) if name in EXTRA_SPECS else load_spec(SPECS / "reference" / f"{name}.yaml")
        )
        _plans[name] = solve(spec, catalog)
        assert _plans[name].status == "optimal", name
    return _plans[name]


COMPUTE_NAMES = [n for n in REFERENCE_NAMES if n.startswith("sample-")] + list(EXTRA_SPECS)
ALL_NAMES = REFERENCE_NAMES + list(EXTRA_SPECS)


# --- hostlists -------------------------------------------------------------------------------


def test_hostlist_compresses_and_expands() -> None:
    names = [f"gpu{n:03d}" for n in range(1, 65)]
    assert hostlist(names) == "gpu[001-064]"
    assert hostlist(["cn003", "cn001", "cn002", "cn007", "oss01"]) == "cn[001-003,007],oss01"
    assert hostlist(["cn999", "cn1000", "cn1001"]) == "cn999,cn[1000-1001]"  # widths never mix in a range
    assert hostlist(["head01"]) == "head01"
    for expression in ("gpu[001-064]", "cn[001-003,007],oss01", "cn999,cn[1000-1001]", "leaf[01-02],spine01"):
        assert hostlist(expand_hostlist(expression)) == expression
    assert expand_hostlist("cn[08-11]") == ["cn08", "cn09", "cn10", "cn11"]
    for bad in ("cn[1-", "cn[a-b]", "cn001,", "cn[001-002]x"):
        with pytest.raises(ValueError):
            expand_hostlist(bad)


# --- Slurm: the documented grammar -------------------------------------------------------------

# slurm.conf(5), gres.conf(5), topology.conf(5): the keys these files may use
SLURM_KEYS = {
    "clustername",
    "slurmctldhost",
    "grestypes",
    "selecttype",
    "selecttypeparameters",
    "topologyplugin",
    "proctracktype",
    "taskplugin",
    "nodename",
    "partitionname",
}
NODE_KEYS = {
    "nodename",
    "cpus",
    "boards",
    "socketsperboard",
    "corespersocket",
    "threadspercore",
    "realmemory",
    "gres",
    "features",
    "state",
}
PARTITION_KEYS = {"partitionname", "nodes", "default", "maxtime", "state"}
GRES_KEYS = {"nodename", "name", "type", "file", "autodetect"}
SWITCH_KEYS = {"switchname", "nodes", "switches", "linkspeed"}


def _records(text: str) -> list[dict[str, str]]:
    """Config lines as {lower-case key: value}, comments and blank lines dropped; every token Key=Value."""
    records = []
    for line in text.splitlines():
        assert len(line) <= 1024, "topology.conf(5) of older Slurm limits a line to 1,024 characters"
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        record: dict[str, str] = {}
        for token in line.split():
            key, sep, value = token.partition("=")
            assert sep and key and value, f"not Key=Value: {token!r} in {line!r}"
            assert key.lower() not in record, f"{key} twice in {line!r}"
            record[key.lower()] = value
        records.append(record)
    return records


def check_slurm(files: dict[str, str]) -> dict[str, dict[str, str]]:
    """Check the three files against the documented grammar and each other; returns node -> its NodeName record."""
    nodes: dict[str, dict[str, str]] = {}
    partitions = []
    for record in _records(files["slurm.conf"]):
        first = next(iter(record))
        assert first in SLURM_KEYS, first
        if first == "nodename":
            assert set(record) <= NODE_KEYS, set(record) - NODE_KEYS
            cpus = 1
            for key in ("boards", "socketsperboard", "corespersocket", "threadspercore"):
                cpus *= int(record.get(key, "1"))
            assert int(record["cpus"]) == cpus, "CPUs must equal Boards x Sockets x Cores x Threads"
            assert int(record["realmemory"]) > 0
            assert re.fullmatch(r"gpu:[A-Za-z0-9_.-]+:\d+", record["gres"]), record["gres"]
            for name in expand_hostlist(record["nodename"]):
                assert name not in nodes, f"{name} defined twice"
                nodes[name] = record
        elif first == "partitionname":
            assert set(record) <= PARTITION_KEYS
            assert record["default"] in ("YES", "NO") and record["state"] == "UP"
            assert set(expand_hostlist(record["nodes"])) <= set(nodes)
            partitions.append(record)
        else:
            assert len(record) == 1, f"{first} shares its line"
    assert nodes and partitions and sum(p["default"] == "YES" for p in partitions) == 1
    assert {n for p in partitions for n in expand_hostlist(p["nodes"])} == set(nodes)

    for record in _records(files["gres.conf"]):
        assert set(record) <= GRES_KEYS and record["name"] == "gpu"
        files_count = len(expand_hostlist(record["file"]))
        for name in expand_hostlist(record["nodename"]):
            _, gpu_type, count = nodes[name]["gres"].split(":")
            assert (record["type"], files_count) == (gpu_type, int(count)), name

    switches: dict[str, dict[str, str]] = {}
    for record in _records(files["topology.conf"]):
        assert set(record) <= SWITCH_KEYS and "switchname" in record
        assert ("nodes" in record) != ("switches" in record), "a switch has either nodes or switches"
        assert record["switchname"] not in switches, "switch defined twice"
        switches[record["switchname"]] = record
    reach: dict[str, set[str]] = {}

    def reaches(name: str, depth: int = 0) -> set[str]:
        assert depth < 20, "switch configuration is not a tree"
        if name not in reach:
            record = switches[name]
            if "nodes" in record:
                reach[name] = set(expand_hostlist(record["nodes"]))
            else:
                children = expand_hostlist(record["switches"])
                assert all(c in switches and c != name for c in children), "invalid child switch"
                reach[name] = set().union(*(reaches(c, depth + 1) for c in children))
        return reach[name]

    leaf_nodes = [expand_hostlist(r["nodes"]) for r in switches.values() if "nodes" in r]
    on_leaves = [n for nodes_of_leaf in leaf_nodes for n in nodes_of_leaf]
    assert sorted(on_leaves) == sorted(nodes), "every node on exactly one leaf switch"
    assert any(reaches(name) == set(nodes) for name in switches), "some switch must reach every node"
    return nodes


@pytest.mark.parametrize("name", COMPUTE_NAMES)
def test_slurm_files_follow_the_documented_grammar(name: str, catalog: Catalog) -> None:
    plan = _plan(name, catalog)
    nodes = check_slurm(slurm_files(plan, catalog))
    entry = plan.compute[0]
    assert len(nodes) == entry.count
    record = next(iter(nodes.values()))
    assert record["gres"] == f"gpu:{gres_type(entry.gpu)[0]}:{entry.gpus_per_node}"
    assert int(record["realmemory"]) < entry.memory_gb_per_node * 1024


def test_every_catalog_gpu_has_a_type_nvml_autodetection_matches(catalog: Catalog) -> None:
    """gres.conf(5): with AutoDetect, the Type must be a substring of the detected name (NVML's, lower
    case, '_' for spaces). Every catalog GPU has its NVML name; an unknown GPU keeps its id, flagged."""
    assert set(NVML_NAMES) == set(catalog.gpus), "every catalog GPU needs its NVML name in export/gpus.py"
    for gpu in catalog.gpus:
        kind, known = gres_type(gpu)
        assert known and kind in nvml_detected(NVML_NAMES[gpu]), (gpu, kind)
        assert re.fullmatch(r"[a-z0-9._-]+", kind), kind
    assert gres_type("h100-sxm5-80gb")[0] == "h100_80gb_hbm3" and gres_type("a100-sxm4-80gb")[0] == "a100-sxm4-80gb"
    assert gres_type("b200-sxm") == ("b200-sxm", False)


def test_gres_and_slurm_conf_agree_on_the_gpu_type(catalog: Catalog) -> None:
    plan = _plan("hgx-h100", catalog)
    assert "Gres=gpu:h100_80gb_hbm3:8" in slurm_conf(plan, catalog)
    assert "Type=h100_80gb_hbm3 File=/dev/nvidia[0-7]" in gres_conf(plan, catalog)


def test_a_gpu_of_unknown_nvml_name_keeps_its_id_and_gres_conf_says_what_must_change(catalog: Catalog) -> None:
    plan = _plan("sample-small-air", catalog)
    entry = plan.compute[0]
    gpus = {**catalog.gpus, "b200-sxm": catalog.gpus[entry.gpu].model_copy(update={"id": "b200-sxm"})}
    overlay = catalog.model_copy(update={"gpus": gpus})
    renamed = plan.model_copy(update={"compute": [entry.model_copy(update={"gpu": "b200-sxm"})]})
    text = gres_conf(renamed, overlay)
    assert "Type=b200-sxm File=" in text and "# b200-sxm: its NVML name is not known here" in text
    assert "Gres=gpu:b200-sxm:" in slurm_conf(renamed, overlay)


def test_topology_follows_the_fabric(catalog: Catalog) -> None:
    plan = _plan("three-level", catalog)
    fabric = plan.fabric
    assert fabric is not None and fabric.tiers == 3
    records = {r["switchname"]: r for r in _records(topology_conf(plan, catalog))}
    leaves = [n for n in records if n.startswith("leaf")]
    spines = [n for n in records if n.startswith("spine")]
    cores = [n for n in records if n.startswith("core")]
    assert (len(leaves), len(spines), len(cores)) == (fabric.leaf_switches, fabric.spine_switches, fabric.core_switches)
    assert all(set(expand_hostlist(records[s]["switches"])) <= set(leaves) for s in spines)
    assert all(set(expand_hostlist(records[c]["switches"])) <= set(spines) for c in cores)


def test_a_logical_top_switch_joins_a_top_level_that_reaches_no_whole_fabric(catalog: Catalog) -> None:
    """Slurm places a job under one switch reaching all its nodes: when no core reaches every node
    (here: the cores' spines cut in two halves), a logical `top` switch is written over them."""
    plan = _plan("three-level", catalog)
    wired = wiring(plan, catalog)
    spines, cores = wired.levels[1][1], wired.levels[2][1]
    half = len(spines) // 2
    split = {core: spines[:half] if i % 2 == 0 else spines[half:] for i, core in enumerate(cores)}
    lines = _tree_lines(plan, dataclasses.replace(wired, children={**wired.children, **split}))
    assert lines[-1] == f"SwitchName=top Switches={hostlist(cores)}"
    check_slurm(
        {"slurm.conf": slurm_conf(plan, catalog), "gres.conf": gres_conf(plan, catalog), "topology.conf": "\n".join(lines)}
    )
    # the real wiring needs none: some core already reaches every node
    assert "SwitchName=top" not in topology_conf(plan, catalog)


def test_naming_pattern_reaches_every_export(catalog: Catalog) -> None:
    plan = _plan("edr-two-level", catalog)
    hosts = platforms(plan)[0].hosts
    assert hosts[0] == "gpu001" and hosts[-1] == f"gpu{len(hosts):03d}"
    assert f"NodeName=gpu[001-{len(hosts):03d}]" in slurm_conf(plan, catalog)
    assert "gpu001" in gres_conf(plan, catalog) or "gpu[001-" in gres_conf(plan, catalog)
    assert "gpu001:" in ansible_inventory(plan, catalog)
    assert "name: gpu001\n" in netbox_files(plan, catalog)["devices.yaml"]
    assert "cn0" not in "".join(export_files(plan, "all", catalog).values())


def test_naming_pattern_is_checked() -> None:
    base = "apiVersion: primeflex-iac/v1\nname: n\ncompute: {gpus: 8}\nsite: {racks: {power_per_rack: 20 kW}}\n"
    for bad in ("gpu", "gpu1##", "GPU###", "oss##", "gpu#x#"):
        with pytest.raises(SpecError, match="naming"):
            parse_spec_text(base + f"naming: {{compute: '{bad}'}}\n")
    spec = parse_spec_text(base + "naming: {compute: node-####}\n")
    assert spec.naming.compute_name(7) == "node-0007" and spec.naming.compute_name(12345) == "node-12345"


def test_names_widen_past_the_pattern_digits_alike() -> None:
    base = "apiVersion: primeflex-iac/v1\nname: n\ncompute: {gpus: 8}\nsite: {racks: {power_per_rack: 20 kW}}\n"
    naming = parse_spec_text(base).naming
    assert [naming.compute_name(n, 999) for n in (1, 999)] == ["cn001", "cn999"]
    assert [naming.compute_name(n, 1000) for n in (1, 999, 1000)] == ["cn0001", "cn0999", "cn1000"]


def test_a_plan_of_1000_nodes_has_names_of_one_width_in_one_hostlist_range(catalog: Catalog) -> None:
    spec = parse_spec_text(
        "apiVersion: primeflex-iac/v1\nname: wide\ncompute: {gpus: 8000}\n"
        "site: {racks: {max: 2000, height: 42U, power_per_rack: 40 kW}}\npreferences: {gpus: [h100-sxm5-80gb]}\n"
    )
    plan = solve(spec, catalog)
    (platform,) = platforms(plan)
    assert len(platform.hosts) == 1000 and platform.hosts[0] == "cn0001" and platform.hosts[-1] == "cn1000"
    assert "NodeName=cn[0001-1000] " in slurm_conf(plan, catalog)


# --- Slurm's own parsers (Debian's slurmd and scontrol; CI installs them) ----------------------


def _slurm_folder(tmp_path: Path, files: dict[str, str], gpus: int) -> Path:
    """The files in a folder, gres.conf pointing at stand-in device files (links to /dev/null)."""
    devices = tmp_path / "dev"
    devices.mkdir()
    for index in range(gpus):
        (devices / f"nvidia{index}").symlink_to("/dev/null")
    for name, text in files.items():
        if name == "gres.conf":
            text = text.replace("File=/dev/nvidia", f"File={devices}/nvidia")
        (tmp_path / name).write_text(text)
    return tmp_path


def _slurmd_gres(folder: Path, node: str) -> subprocess.CompletedProcess[str]:
    assert SLURMD is not None
    return subprocess.run(
        [SLURMD, "-G", "-N", node, "-f", str(folder / "slurm.conf")], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.needs_tool
@pytest.mark.skipif(SLURMD is None, reason="Slurm's slurmd is not installed (apt-get install slurmd; CI has it)")
@pytest.mark.parametrize("name", ["sample-moderate-water", "sample-large-air", "hgx-h100", "edr-two-level"])
def test_slurmd_parses_the_exported_config(name: str, catalog: Catalog, tmp_path: Path) -> None:
    """`slurmd -G` reads slurm.conf (any unknown key or bad value is fatal) and gres.conf, then prints the
    node's GPUs; no daemon starts."""
    plan = _plan(name, catalog)
    entry = plan.compute[0]
    folder = _slurm_folder(tmp_path, slurm_files(plan, catalog), entry.gpus_per_node)
    for host in (platforms(plan)[0].hosts[0], platforms(plan)[0].hosts[-1]):
        result = _slurmd_gres(folder, host)
        assert result.returncode == 0, result.stderr
        assert not re.search(r"error|fatal|warning", result.stderr, re.IGNORECASE), result.stderr
        assert f"Gres Name=gpu Type={gres_type(entry.gpu)[0]} Count={entry.gpus_per_node}" in result.stdout + result.stderr


@pytest.mark.needs_tool
@pytest.mark.skipif(SLURMD is None, reason="Slurm's slurmd is not installed (apt-get install slurmd; CI has it)")
def test_slurmd_rejects_a_broken_config(catalog: Catalog, tmp_path: Path) -> None:
    """The check above can fail: a bad key, or a gres.conf that disagrees with slurm.conf, is reported."""
    plan = _plan("sample-moderate-water", catalog)
    files = slurm_files(plan, catalog)
    files["slurm.conf"] = files["slurm.conf"].replace("RealMemory=", "RealMemroy=")
    (tmp_path / "a").mkdir()
    result = _slurmd_gres(_slurm_folder(tmp_path / "a", files, 4), "cn001")
    assert result.returncode != 0 and "RealMemroy" in result.stderr
    files = slurm_files(plan, catalog)
    files["slurm.conf"] = files["slurm.conf"].replace(":4 ", ":2 ")
    (tmp_path / "b").mkdir()
    result = _slurmd_gres(_slurm_folder(tmp_path / "b", files, 4), "cn001")
    assert "more configured than expected" in result.stderr


@pytest.mark.needs_tool
@pytest.mark.skipif(SCONTROL is None, reason="Slurm's scontrol is not installed (apt-get install slurm-client; CI has it)")
@pytest.mark.parametrize("name", ["sample-large-air", "hgx-h100", "three-level"])
def test_scontrol_expands_every_hostlist_as_we_do(name: str, catalog: Catalog, tmp_path: Path) -> None:
    plan = _plan(name, catalog)
    files = slurm_files(plan, catalog)
    for file_name, text in files.items():
        (tmp_path / file_name).write_text(text)
    expressions = sorted(
        {v for text in files.values() for r in _records(text) for k, v in r.items() if k in ("nodename", "nodes", "switches")}
    )
    env = {**os.environ, "SLURM_CONF": str(tmp_path / "slurm.conf")}
    for expression in expressions:
        result = subprocess.run(
            [str(SCONTROL), "show", "hostnames", expression], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == expand_hostlist(expression)


# --- fabric wiring ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_port_is_cabled_once_and_counts_match_the_plan(name: str, catalog: Catalog) -> None:
    plan = _plan(name, catalog)
    fabric = plan.fabric
    assert fabric is not None
    wired = wiring(plan, catalog)
    ends = [(end.device, end.interface) for link in wired.links for end in (link.a, link.b)]
    assert len(ends) == len(set(ends)), "an interface carries two cables"
    node_links = [link for link in wired.links if link.network == "fabric"]
    switch_links = [link for link in wired.links if link.network == "uplink"]
    assert {link.cable for link in node_links} == {fabric.cable}
    assert {link.cable for link in switch_links} <= {fabric.uplink_cable}
    assert len(node_links) == fabric.endpoints
    assert len(switch_links) == fabric.switch_links
    per_port = 2 if "/" in node_links[0].b.interface else 1
    assert -(-len(node_links) // per_port) == fabric.node_cables
    management = [link for link in wired.links if link.network == "management"]
    assert len({link.b.device for link in management}) <= fabric.management_switches
    devices = {d.name for r in plan.racks for d in r.devices} | {n for r in plan.racks for d in r.devices for n in d.nodes}
    if plan.existing is not None:  # the new management switches join the site's network at its head node
        devices.add(plan.existing.head_node)
    assert {device for device, _ in ends} <= devices


def _management_graph(plan: Plan, catalog: Catalog) -> nx.Graph:
    """The management cables of the plan's wiring as a graph of devices (parallel uplinks as one edge)."""
    fabric = plan.fabric
    assert fabric is not None
    links = [link for link in wiring(plan, catalog).links if link.network == "management"]
    assert len(links) == fabric.management_cables
    assert {link.cable for link in links} == {fabric.management_cable}
    graph = nx.Graph()
    graph.add_edges_from((link.a.device, link.b.device) for link in links)
    access, aggregation = management_switches(plan)
    assert set(graph) == {port.device for port in management_ports(plan, catalog)} | set(access) | set(aggregation)
    assert nx.is_connected(graph)
    switches = set(access) | set(aggregation)
    assert all(graph.degree(name) == 1 for name in graph if name not in switches), "a device on two switches"
    return graph


@pytest.mark.parametrize("name", ALL_NAMES)
def test_management_cables_join_every_device_to_the_head_node_in_one_tree(name: str, catalog: Catalog) -> None:
    plan = _plan(name, catalog)
    assert plan.fabric is not None
    graph = _management_graph(plan, catalog)
    assert plan.fabric.management_aggregation_switches <= 1
    assert nx.is_tree(graph)
    if plan.fabric.management_aggregation_switches:
        assert list(graph.neighbors("head01")) == ["magg01"]
        assert {name for name in graph.neighbors("magg01")} == {"head01", *management_switches(plan)[0]}


def test_access_switches_are_dual_homed_over_two_aggregation_switches(catalog: Catalog) -> None:
    plan = solve(parse_spec_text(BIG_SPEC), catalog)
    assert plan.fabric is not None and plan.fabric.management_aggregation_switches == 2
    graph = _management_graph(plan, catalog)
    access, aggregation = management_switches(plan)
    for name in access:
        assert set(graph.neighbors(name)) & set(aggregation) == set(aggregation)  # each uplink to another one
    cabled = [link.b.device for link in wiring(plan, catalog).links if link.network == "management"]
    assert max(cabled.count(name) for name in aggregation) <= catalog.management_switches[plan.fabric.management_switch].ports


def test_the_picture_and_the_cables_agree(catalog: Catalog) -> None:
    """Nodes sit on the leaf the topology picture draws them under (renderers.layout)."""
    from primeflex_iac.plan.cabling import layout_of

    plan = _plan("hgx-h100", catalog)
    wired = wiring(plan, catalog)
    leaves = wired.levels[0][1]
    for host, leaf_indices in layout_of(plan).leaf_ports.items():
        cabled = sorted(link.b.device for link in wired.links if link.a.device == host and link.network == "fabric")
        assert cabled == sorted(leaves[i] for i in leaf_indices)


@pytest.mark.parametrize("name", ["hgx-h100", "hgx-rail-partial"])
def test_rail_optimised_cables_put_adapter_i_on_leaf_i(name: str, catalog: Catalog) -> None:
    """Every node of a full rail group has ib<i> on the group's leaf i, at the same port of each leaf;
    every node reaches as many leaves as its adapters and its group's leaves allow."""
    plan = _plan(name, catalog)
    fabric = plan.fabric
    assert fabric is not None and fabric.layout == "rail-optimised"
    wired = wiring(plan, catalog)
    assert wired.rail_groups
    ends: dict[str, dict[str, tuple[str, str]]] = {}
    for link in wired.links:
        if link.network == "fabric":
            ends.setdefault(link.a.device, {})[link.a.interface] = (link.b.device, link.b.interface)
    adapters = plan.compute[0].fabric_adapters_per_node
    for nodes, leaves in wired.rail_groups:
        for node in nodes:
            reached = {leaf for leaf, _ in ends[node].values()}
            assert reached == set(leaves[:adapters]), node
            if len(leaves) == adapters:  # a full (or wide enough) group: one rail per leaf, one port per node
                assert [ends[node][f"ib{i}"][0] for i in range(adapters)] == list(leaves)
                assert len({port for _, port in ends[node].values()}) == 1, node
    records = {r["switchname"]: r for r in _records(topology_conf(plan, catalog))}
    assert [expand_hostlist(records[f"railgroup{n:02d}"]["nodes"]) for n in range(1, len(wired.rail_groups) + 1)] == [
        list(nodes) for nodes, _ in wired.rail_groups
    ]
    assert not any(name.startswith("leaf") for name in records), "leaves stand behind their rail groups"
    readme = netbox_files(plan, catalog)["README.md"]
    assert "Fabric cabling: rail-optimised" in readme and f"- {hostlist(list(wired.rail_groups[0][0]))}: " in readme


# --- NetBox ------------------------------------------------------------------------------------


def _no_empty_values(node: object, where: str) -> None:
    """devicetype-library: properties with an empty or null value fail its validation."""
    if isinstance(node, dict):
        for key, value in node.items():
            assert value not in (None, "", [], {}), f"{where}.{key} is empty"
            _no_empty_values(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _no_empty_values(value, f"{where}[{index}]")


@pytest.mark.parametrize("name", ALL_NAMES)
@pytest.mark.slow
def test_netbox_device_types_follow_devicetype_library(name: str, catalog: Catalog) -> None:
    schema = json.loads((NETBOX_SCHEMAS / "devicetype.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    files = netbox_files(_plan(name, catalog), catalog)
    types = {path: yaml.safe_load(text) for path, text in files.items() if path.startswith("device-types/")}
    assert types
    for path, kind in types.items():
        jsonschema.validate(kind, schema)
        _no_empty_values(kind, path)
        assert path == f"device-types/{kind['slug']}.yaml"
        manufacturer = slugify(kind["manufacturer"])
        assert kind["slug"].startswith(manufacturer + "-") and "." not in kind["slug"]
        names = [i["name"] for i in kind.get("interfaces", [])]
        assert len(names) == len(set(names)), f"{path}: interface names repeat"
        assert files[path].endswith("\n")


def test_netbox_device_type_schema_catches_mistakes(catalog: Catalog) -> None:
    schema = json.loads((NETBOX_SCHEMAS / "devicetype.schema.json").read_text())
    files = netbox_files(_plan("sample-moderate-water", catalog), catalog)
    kind = next(yaml.safe_load(t) for p, t in files.items() if "cx400" in p)
    for broken in (
        {**kind, "u_height": 2.25},
        {**kind, "height": 2},
        {k: v for k, v in kind.items() if k != "is_full_depth"},
        {k: v for k, v in kind.items() if k != "subdevice_role"},  # device bays need a parent role
        {**kind, "power-ports": [{"name": "PSU1", "type": "iec-60320-c14", "maximum_draw": 0}]},
        {**kind, "weight_unit": "stone"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)


IMPORT_FILES = (
    "tags",
    "sites",
    "manufacturers",
    "device-roles",
    "racks",
    "power-panels",
    "power-feeds",
    "devices",
    "interfaces",
    "power-ports",
    "cables",
)


def _bundle(files: dict[str, str]) -> tuple[dict[str, Any], dict[tuple[str, str], Any]]:
    """The import records by file, each checked against its import form's schema, and the device types."""
    schemas = json.loads((NETBOX_SCHEMAS / "import.schema.json").read_text())
    data = {}
    for kind in IMPORT_FILES:
        records = yaml.safe_load(files[f"{kind}.yaml"]) or []
        jsonschema.validate(records, {**schemas, **schemas["definitions"][kind]})
        data[kind] = records
    kinds = [yaml.safe_load(text) for path, text in files.items() if path.startswith("device-types/")]
    return data, {(t["manufacturer"], t["model"]): t for t in kinds}


def _components(data: dict[str, Any], types: dict[tuple[str, str], Any]) -> dict[tuple[str, str], set[str]]:
    """(device, NetBox object type) -> the names of its components: its type's and its own."""
    found: dict[tuple[str, str], set[str]] = {}
    for device in data["devices"]:
        kind = types[(device["manufacturer"], device["device_type"])]
        name = device["name"]
        found[(name, "dcim.interface")] = {i["name"] for i in kind.get("interfaces", [])}
        found[(name, "dcim.powerport")] = {p["name"] for p in kind.get("power-ports", [])}
        found[(name, "dcim.poweroutlet")] = {o["name"] for o in kind.get("power-outlets", [])}
    for interface in data["interfaces"]:
        assert interface["name"] not in found[(interface["device"], "dcim.interface")], interface
        found[(interface["device"], "dcim.interface")].add(interface["name"])
    for feed in data["power-feeds"]:
        found.setdefault((feed["power_panel"], "dcim.powerfeed"), set()).add(feed["name"])
    for port in data["power-ports"]:
        assert port["name"] not in found[(port["device"], "dcim.powerport")], port
        found[(port["device"], "dcim.powerport")].add(port["name"])
    return found


@pytest.mark.parametrize("name", ALL_NAMES)
@pytest.mark.slow
def test_netbox_bundle_uses_netbox_import_fields_and_refers_to_itself(name: str, catalog: Catalog) -> None:
    plan = _plan(name, catalog)
    files = netbox_files(plan, catalog)
    data, types = _bundle(files)
    site = data["sites"][0]["name"]
    roles = {r["name"] for r in data["device-roles"]}
    racks = {r["name"]: r for r in data["racks"]}
    devices = {d["name"]: d for d in data["devices"]}
    assert len(devices) == len(data["devices"]), "device names repeat"
    assert {m["name"] for m in data["manufacturers"]} == {m for m, _ in types}
    for device in data["devices"]:
        kind = types[(device["manufacturer"], device["device_type"])]
        assert device["site"] == site and device["role"] in roles
        if "position" in device:
            rack = racks[device["rack"]]
            assert device["position"] >= 1 and device["position"] + kind["u_height"] - 1 <= rack["u_height"]
        elif "rack" in device:
            assert kind["u_height"] == 0 and device["role"] == "PDU"
        else:
            parent = devices[device["parent"]]
            parent_kind = types[(parent["manufacturer"], parent["device_type"])]
            assert kind["subdevice_role"] == "child"
            assert device["device_bay"] in {b["name"] for b in parent_kind["device-bays"]}
    # the rack positions are the plan's
    placed = {d.name: (r.name, d.position) for r in plan.racks for d in r.devices}
    assert {n: (d["rack"], d["position"]) for n, d in devices.items() if "position" in d} == placed
    # every cable joins components the devices have, each component on one cable at most
    components = _components(data, types)
    ends = Counter[tuple[str, str, str]]()
    for cable in data["cables"]:
        for side in ("a", "b"):
            for end in cable_ends(cable, side):
                assert end[2] in components[end[:2]], cable
                ends[end] += 1
    assert max(ends.values()) == 1
    # one tag on every object of the design (and `existing` beside it on the site's own), none on the shared vocabulary
    (tag,) = [t for t in data["tags"] if t["slug"] != "existing"]
    for kind in IMPORT_FILES[1:]:
        for record in data[kind]:
            assert record.get("tags", [tag["slug"]]) in ([tag["slug"]], [tag["slug"], "existing"]), (kind, record)
    assert all("tags" not in record for kind in ("manufacturers", "device-roles") for record in data[kind])


def test_library_hardware_gets_the_devicetype_library_types_and_port_names(catalog: Catalog) -> None:
    """QM8700 and PRIMERGY RX2540 M5 are the library's types (slug, model, names); compute nodes and
    the head node, both RX2540 M5, share one; cables reach the library's port names."""
    plan = _plan("hdr100-two-level", catalog)
    files = netbox_files(plan, catalog)
    qm8700 = yaml.safe_load(files["device-types/mellanox-qm8700.yaml"])
    assert (qm8700["manufacturer"], qm8700["model"]) == ("Mellanox", "QM8700")
    names = [i["name"] for i in qm8700["interfaces"]]
    assert names == ["mgmt0"] + [f"IB1/{n}" for n in range(1, 41)]  # 40 physical QSFP56 ports, no split ones
    assert {p["name"] for p in qm8700["power-ports"]} == {"ps1", "psu2"}
    rx = yaml.safe_load(files["device-types/fujitsu-primergy-rx2540-m5.yaml"])
    assert (rx["model"], "Gig-E 1", "iRMC-S5") == (rx["model"], *(i["name"] for i in rx["interfaces"][::4]))
    assert [p for p in files if "rx2540" in p] == ["device-types/fujitsu-primergy-rx2540-m5.yaml"]
    devices = yaml.safe_load(files["devices.yaml"])
    assert {d["device_type"] for d in devices if d["role"] in ("Compute", "Head node")} == {"PRIMERGY RX2540 M5"}
    # every catalog item that names a library type carries the library's slug rule and its file
    for item in (*catalog.servers.values(), *catalog.switches.values(), *catalog.head_nodes.values()):
        if item.netbox is not None:
            assert item.netbox.slug == slugify(f"{item.netbox.manufacturer} {item.netbox.model}")
            assert item.netbox.source.startswith("netbox-community/devicetype-library device-types/")


def test_split_ports_are_breakout_cables_from_physical_ports_so_a_switch_shows_its_free_ports(catalog: Catalog) -> None:
    """An HDR100 leaf port serves two nodes: one breakout cable from the physical port (IB1/n) to
    both, as NetBox 4.7's breakout profile; the spines take whole ports; no split interfaces."""
    plan = _plan("hdr100-two-level", catalog)
    files = netbox_files(plan, catalog)
    assert yaml.safe_load(files["interfaces.yaml"]) and all("parent" not in i for i in yaml.safe_load(files["interfaces.yaml"]))
    cables = yaml.safe_load(files["cables.yaml"])
    wired = wiring(plan, catalog)
    (leaves, spines) = (names for _, names in wired.levels)
    physical = {f"IB1/{n}" for n in range(1, 41)}
    breakouts = [c for c in cables if "profile" in c]
    assert breakouts and all(c["profile"] == "breakout-1c2p-2c1p" for c in breakouts)
    for cable in breakouts:
        assert cable["side_a_device"] in leaves and cable["side_a_name"] in physical
        assert len(cable["side_b_device"]) == len(cable["side_b_name"]) in (1, 2)
        assert set(cable["side_b_name"]) == {"ib0"}
    on_breakouts = [host for c in breakouts for host in c["side_b_device"]]
    hosts = {d.name for r in plan.racks for d in r.devices if d.role in ("compute", "head")}
    assert sorted(on_breakouts) == sorted(hosts)  # each node's adapter on one half of one port
    assert [c["side_a_name"] for c in breakouts if c["side_a_device"] == leaves[0]][:2] == ["IB1/1", "IB1/2"]
    fabric = [c for c in cables if c["side_a_type"] == "dcim.interface" and c.get("type") != "cat6"]
    for spine in spines:
        used = {c[f"side_{s}_name"] for c in fabric for s in "ab" if c[f"side_{s}_device"] == spine}
        # NetBox shows the spine's 40 physical ports; the free ones are those without a cable
        assert used <= physical and 0 < len(used) <= 40


def test_every_rack_has_a_panel_feeds_pdus_and_its_draw_reaches_the_feeds(catalog: Catalog) -> None:
    """NetBox's rack power utilisation: allocated draw of the ports cabled to the rack's PDUs, whose
    inlets connect to the rack's feeds, against the feeds' power."""
    for name in ("hdr100-two-level", "sample-moderate-water", "hgx-h100"):
        plan = _plan(name, catalog)
        files = netbox_files(plan, catalog)
        data, types = _bundle(files)
        assert [p["name"] for p in data["power-panels"]] == [f"{r.name}-panel" for r in plan.racks]
        devices = {d["name"]: d for d in data["devices"]}
        allocated: dict[tuple[str, str], int] = {}
        for device in data["devices"]:
            for port in types[(device["manufacturer"], device["device_type"])].get("power-ports", []):
                allocated[(device["name"], port["name"])] = port.get("allocated_draw", 0)
        allocated |= {(p["device"], p["name"]): p["allocated_draw"] for p in data["power-ports"]}
        reaching = Counter[str]()
        for cable in data["cables"]:
            if cable["side_a_type"] == "dcim.powerport":
                pdu = devices[cable["side_b_device"]]
                reaching[pdu["rack"]] += allocated.pop((cable["side_a_device"], cable["side_a_name"]))
        assert not {k: v for k, v in allocated.items() if devices[k[0]]["role"] != "PDU"}, "an inlet without a cable"
        feeds = {f["name"]: f for f in data["power-feeds"]}
        connections = [c for c in data["cables"] if c["side_a_type"] == "dcim.powerfeed"]
        assert all(c["side_b_type"] == "dcim.powerport" and c["side_b_name"] == "Inlet" for c in connections)
        for rack in plan.racks:
            rack_feeds = [f for f in data["power-feeds"] if f["rack"] == rack.name]
            assert [f["type"] for f in rack_feeds] == ["primary", "redundant"]
            for feed in rack_feeds:  # each feed alone carries the rack's limit
                watts = feed["voltage"] * feed["amperage"] * math.sqrt(3) * feed["max_utilization"] / 100
                assert watts >= rack.power_limit_w
            # the planned draw reaches the feeds, within rounding up of each inlet's share
            assert rack.power_max_w <= reaching[rack.name] <= rack.power_max_w * 1.25 + 10, name
            pdus = {c["side_b_device"] for c in connections if feeds[c["side_a_name"]]["rack"] == rack.name}
            assert pdus == {f"{rack.name}-pdu-a", f"{rack.name}-pdu-b"}


def test_netbox_power_ports_carry_the_plan_power(catalog: Catalog) -> None:
    plan = _plan("hgx-h100", catalog)
    files = netbox_files(plan, catalog)
    node = next(yaml.safe_load(t) for p, t in files.items() if "hgx-h100" in p)
    watts = max(d.power_max_w for r in plan.racks for d in r.devices if d.role == "compute")
    ports = node["power-ports"]
    # N+1: the others carry the node when one inlet fails, each within a C20's 3,680 W
    assert sum(p["maximum_draw"] for p in ports[1:]) >= watts and all(p["maximum_draw"] <= 3680 for p in ports)
    assert [i["name"] for i in node["interfaces"]] == ["eth0"] + [f"ib{i}" for i in range(8)]


# --- Ansible -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sample-moderate-water", "storage-small", "edr-two-level"])
def test_ansible_inventory_groups_hosts_by_role(name: str, catalog: Catalog) -> None:
    plan = _plan(name, catalog)
    inventory = yaml.safe_load(ansible_inventory(plan, catalog))
    groups = inventory["all"]["children"]
    assert list(groups["login"]["hosts"]) == ["head01"] and list(groups["management"]["hosts"]) == ["head01"]
    software = inventory["all"]["vars"]["primeflex_software"]
    assert {s.category: s.id for s in plan.software}.items() <= software.items()
    if plan.compute:
        (platform,) = platforms(plan)
        group = groups["compute"]["children"][f"compute_{platform.key.replace('-', '_')}"]
        assert list(group["hosts"]) == list(platform.hosts)
        assert group["vars"]["primeflex_gpus_per_node"] == plan.compute[0].gpus_per_node
    else:
        assert "compute" not in groups
    if plan.storage is not None:
        assert len(groups["storage_servers"]["hosts"]) == plan.storage.servers
        assert list(groups["metadata_servers"]["hosts"]) == ["oss01", "oss02"]
    switches = groups["switches"]["children"]
    fabric = [h for g in switches["fabric_switches"]["children"].values() for h in g["hosts"]]
    management = [h for g in switches["management_switches"]["children"].values() for h in g["hosts"]]
    placed = {d.role: [] for r in plan.racks for d in r.devices}
    for device in (d for r in plan.racks for d in r.devices):
        placed[device.role].append(device.name)
    assert sorted(fabric) == sorted(placed["fabric"]) and sorted(management) == sorted(placed["management"])
    if plan.compute:
        slurm = groups["slurm"]
        assert list(slurm["children"]["slurmservers"]["hosts"]) == ["head01"]
        executing = {"compute": None} if plan.existing is None else {"ai": None}  # the samples list no installed node
        assert slurm["children"]["slurmexechosts"] == {"children": executing}
        text = slurm_conf(plan, catalog)
        for node in slurm["vars"]["slurm_nodes"]:  # galaxyproject.slurm writes NodeName=<name> <key>=<value> ...
            assert f"NodeName={node['name']} " + " ".join(f"{k}={v}" for k, v in node.items() if k != "name") in text
        for partition in slurm["vars"]["slurm_partitions"]:
            assert f"PartitionName={partition['name']} Nodes={partition['Nodes']}" in text
        assert slurm["vars"]["slurm_config"]["SlurmctldHost"] == "head01"
        assert all(f"Type={g['Type']} " in gres_conf(plan, catalog) for g in slurm["vars"]["slurm_gres_config"])


@pytest.mark.needs_tool
@pytest.mark.skipif(ANSIBLE_INVENTORY is None, reason="ansible-core is not installed (it is in the test extra)")
@pytest.mark.parametrize("name", ["sample-moderate-water", "edr-two-level"])
@pytest.mark.slow
def test_ansible_reads_the_inventory(name: str, catalog: Catalog, tmp_path: Path) -> None:
    plan = _plan(name, catalog)
    result = ansible_inventory_list(ansible_inventory(plan, catalog), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    listed = json.loads(result.stdout)
    hosts = {host for host in listed["_meta"]["hostvars"]}
    expected = {h for p in platforms(plan) for h in p.hosts} | {"head01"}
    expected |= {d.name for r in plan.racks for d in r.devices if d.role in ("fabric", "management")}
    if plan.storage is not None:
        expected |= {d.name for r in plan.racks for d in r.devices if d.catalog_id == plan.storage.server}
    assert hosts == expected
    group = f"compute_{platforms(plan)[0].key.replace('-', '_')}"
    assert group in listed["compute"]["children"]
    first = platforms(plan)[0].hosts[0]
    assert listed["_meta"]["hostvars"][first]["primeflex_software"]["scheduler"] == "slurm"
    # galaxyproject.slurm's groups and variables, as Ansible resolves them for a host
    executing = ["compute"] if plan.existing is None else ["ai"]  # the water sample lists no installed node
    assert listed["slurmservers"]["hosts"] == ["head01"] and listed["slurmexechosts"]["children"] == executing
    variables = listed["_meta"]["hostvars"][first]
    assert variables["slurm_config"]["SlurmctldHost"] == "head01"
    assert variables["slurm_nodes"][0]["name"] == hostlist(platforms(plan)[0].hosts)
    assert {"fabric_switches", "management_switches"} <= set(listed["switches"]["children"])
    lowest = wiring(plan, catalog).levels[0]
    assert listed[f"fabric_{lowest[0]}"]["hosts"] == list(lowest[1])


# --- library, command line, golden files -------------------------------------------------------


def test_exports_are_deterministic_and_all_means_what_applies(catalog: Catalog) -> None:
    plan = _plan("sample-moderate-water", catalog)
    assert export_files(plan, "all", catalog) == export_files(Plan.model_validate_json(plan.to_json()), "all", catalog)
    assert applicable_targets(plan) == ["slurm", "netbox", "ansible"]
    storage_only = _plan("storage-small", catalog)
    assert applicable_targets(storage_only) == ["netbox", "ansible"]
    with pytest.raises(ValueError, match="no compute nodes"):
        export_files(storage_only, "slurm", catalog)
    with pytest.raises(ValueError, match="unknown export target"):
        export_files(plan, "puppet", catalog)


def test_a_plan_naming_unknown_catalog_ids_is_refused(catalog: Catalog) -> None:
    plan = _plan("sample-moderate-water", catalog)
    assert plan.fabric is not None
    odd = plan.model_copy(update={"fabric": plan.fabric.model_copy(update={"switch": "acme-switch"})})
    with pytest.raises(ValueError, match=r"acme-switch.*overlays"):
        netbox_files(odd, catalog)


def test_export_command_writes_target_folders(catalog: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert main(["solve", str(SPECS / "reference" / "sample-moderate-water.yaml"), "-o", str(out), "--no-render"]) == 0
    assert main(["export", str(out / "plan.json"), "--to", "slurm"]) == 0
    assert sorted(p.name for p in (out / "slurm").iterdir() if not p.name.startswith(".")) == [
        "gres.conf",
        "slurm.conf",
        "topology.conf",
    ]
    assert (out / "plan.json").exists()  # the plan's folder keeps its other files
    export_dir = tmp_path / "elsewhere"
    assert main(["export", str(out / "plan.json"), "--to", "all", "-o", str(export_dir)]) == 0
    assert sorted(p.name for p in export_dir.iterdir()) == ["ansible", "netbox", "slurm"]
    assert (export_dir / "netbox" / "device-types").is_dir()
    # again: an earlier export is replaced; a foreign folder is not, unless forced
    assert main(["export", str(out / "plan.json"), "--to", "ansible", "-o", str(export_dir)]) == 0
    (tmp_path / "foreign" / "ansible").mkdir(parents=True)
    (tmp_path / "foreign" / "ansible" / "notes.txt").write_text("mine")
    assert main(["export", str(out / "plan.json"), "--to", "ansible", "-o", str(tmp_path / "foreign")]) == 2
    assert (tmp_path / "foreign" / "ansible" / "notes.txt").exists()
    assert main(["export", str(out / "plan.json"), "--to", "ansible", "-o", str(tmp_path / "foreign"), "--force"]) == 0
    assert not (tmp_path / "foreign" / "ansible" / "notes.txt").exists()
    capsys.readouterr()
    assert main(["export", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.slow
def test_solve_export_writes_exports_with_the_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    spec = str(SPECS / "reference" / "sample-moderate-water.yaml")
    assert main(["solve", spec, "-o", str(out), "--no-render", "--export", "all"]) == 0
    assert (out / "plan.json").exists() and (out / "slurm" / "slurm.conf").exists()
    assert (out / "ansible" / "inventory.yaml").exists() and (out / "netbox" / "cables.yaml").exists()
    plan = Plan.model_validate_json((out / "plan.json").read_text())
    assert (out / "slurm" / "topology.conf").read_text() == topology_conf(plan)
    # a second solve replaces the folder, exports included, without --force
    assert main(["solve", spec, "-o", str(out), "--no-render", "--export", "slurm"]) == 0
    assert not (out / "netbox").exists()
    assert f"wrote     {out}/bom.csv, {out}/bom.md, {out}/plan.json, {out}/slurm/ (3 files)" in capsys.readouterr().out
    # a storage-only plan has nothing for Slurm: a warning, and the rest is written
    storage = str(SPECS / "reference" / "storage-small.yaml")
    assert main(["solve", storage, "-o", str(tmp_path / "storage"), "--no-render", "--export", "all"]) == 0
    assert sorted(p.name for p in (tmp_path / "storage").iterdir() if p.is_dir()) == ["ansible", "netbox"]
    assert main(["solve", storage, "-o", str(tmp_path / "storage"), "--no-render", "--export", "slurm"]) == 0
    assert "warning: no slurm export: plan 'storage-small' has no compute nodes" in capsys.readouterr().err


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_exports_match_golden(name: str, catalog: Catalog) -> None:
    files = export_files(_plan(name, catalog), "all", catalog)
    folder = GOLDEN / name
    if UPDATE:
        shutil.rmtree(folder, ignore_errors=True)
        for path, text in files.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text)
    kept = {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}
    assert sorted(kept) == sorted(files), f"{name}: exported files changed; regenerate with UPDATE_GOLDEN=1"
    for path, text in files.items():
        assert kept[path] == text, f"{name}/{path} changed; if intended, regenerate with UPDATE_GOLDEN=1"
