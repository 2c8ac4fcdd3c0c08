"""Exports of plans on an existing site (issue 13): Slurm's hpc and ai partitions, NetBox's active and
planned objects with ports to patch on the installed fabric, Ansible's hpc, ai, existing and planned
groups; checked against Slurm's and Ansible's own parsers where they are installed.

Plans: the reference spec (cards into cn001-cn003), and its variants: no spare power in the
installed racks (one new node, cn201, in a new rack, on a free leaf port), a 2 h target with that
(six new nodes on free leaf ports) and, with 2 free leaf ports and 36 free spine ports, a new leaf.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from primeflex_iac import Catalog, Plan, parse_spec_text, solve
from primeflex_iac.common.devices import INSTALLED_FABRIC
from primeflex_iac.common.hostlist import expand as expand_hostlist
from primeflex_iac.export.ansible import ansible_inventory
from primeflex_iac.export.cluster import platforms, wiring
from primeflex_iac.export.gpus import gres_type
from primeflex_iac.export.netbox import netbox_files, tag_slug
from primeflex_iac.export.slurm import slurm_files
from primeflex_iac.export.targets import export_files
from primeflex_iac.plan.cabling import layout_of
from tests.conftest import ROOT, SPECS
from tests.export.tools import ANSIBLE_INVENTORY, SCONTROL, SLURMD, ansible_inventory_list, cable_ends

REFERENCE = (SPECS / "existing" / "resnet-into-free-slots.yaml").read_text()
NO_POWER = REFERENCE.replace("power_used: 18 kW", "power_used: 19.95 kW")
SIX_NEW = NO_POWER.replace("time_to_model: 24 h", "time_to_model: 2 h")
NEW_LEAF = SIX_NEW.replace("free_leaf_ports: 12, free_spine_ports: 0", "free_leaf_ports: 2, free_spine_ports: 36")
# no free spine port: the new ports form a new spine level, joined to the installed fabric on a free leaf port
NEW_SPINE = SIX_NEW.replace("free_leaf_ports: 12, free_spine_ports: 0", "free_leaf_ports: 2, free_spine_ports: 0")
SPECS_BY_NAME = {"cards": REFERENCE, "one-new": NO_POWER, "six-new": SIX_NEW, "new-leaf": NEW_LEAF, "new-spine": NEW_SPINE}
NAMES = list(SPECS_BY_NAME)
_plans: dict[str, Plan] = {}


def _plan(name: str, catalog: Catalog) -> Plan:
    if name not in _plans:
        _plans[name] = solve(parse_spec_text(SPECS_BY_NAME[name], name), catalog)
        assert _plans[name].status == "optimal" and _plans[name].existing is not None, name
    return _plans[name]


def _records(text: str) -> list[dict[str, str]]:
    """Config lines as {Key: value}, comments and blank lines dropped."""
    records = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            records.append(dict(token.split("=", 1) for token in line.split()))
    return records


def _installed(plan: Plan) -> list[str]:
    assert plan.existing is not None
    return [host for group in plan.existing.groups for host in group.hosts]


def _gpu_hosts(plan: Plan) -> set[str]:
    return {host for platform in platforms(plan) for host in platform.hosts}


def test_the_variants_are_what_they_say(catalog: Catalog) -> None:
    assert [e.existing_group for e in _plan("cards", catalog).compute] == ["hpc"]
    assert sorted(_gpu_hosts(_plan("cards", catalog))) == ["cn001", "cn002", "cn003"]
    assert sorted(_gpu_hosts(_plan("one-new", catalog))) == ["cn201"]
    assert len(_gpu_hosts(_plan("six-new", catalog))) == 6
    leaf = _plan("new-leaf", catalog)
    assert leaf.fabric is not None and leaf.fabric.leaf_switches == 1 and leaf.fabric.spine_switches == 0


@pytest.mark.parametrize("name", NAMES)
def test_slurm_has_an_hpc_partition_of_the_site_and_an_ai_partition_of_the_gpu_nodes(name: str, catalog: Catalog) -> None:
    plan = _plan(name, catalog)
    files = slurm_files(plan, catalog)
    records = _records(files["slurm.conf"])
    config = {k: v for r in records for k, v in r.items() if len(r) == 1}
    assert config["SlurmctldHost"] == "head01"
    nodes = {host: r for r in records if "NodeName" in r for host in expand_hostlist(r["NodeName"])}
    partitions = {r["PartitionName"]: r for r in records if "PartitionName" in r}
    installed, gpus = _installed(plan), _gpu_hosts(plan)
    assert list(partitions) == ["hpc", "ai"] and partitions["hpc"]["Default"] == "YES"
    assert expand_hostlist(partitions["hpc"]["Nodes"]) == installed == [f"cn{n:03d}" for n in range(1, 201)]
    assert set(expand_hostlist(partitions["ai"]["Nodes"])) == gpus
    assert set(nodes) == set(installed) | gpus
    entry = plan.compute[0]
    for host, record in nodes.items():
        if host in gpus:
            assert record["Gres"] == f"gpu:{gres_type(entry.gpu)[0]}:{entry.gpus_per_node}", host
        else:
            assert "Gres" not in record and record["CPUs"] == "80" and "cpu-only" in record["Features"], host
    gres_hosts = [host for r in _records(files["gres.conf"]) for host in expand_hostlist(r["NodeName"])]
    assert sorted(gres_hosts) == sorted(gpus)
    # topology: every node under one bottom switch, one switch over them all
    switches = {r["SwitchName"]: r for r in _records(files["topology.conf"])}
    below = [host for r in switches.values() if "Nodes" in r for host in expand_hostlist(r["Nodes"])]
    assert sorted(below) == sorted(nodes)
    # and the top switch reaches every other one, through the new spines where there is a new spine level
    reached: set[str] = set()
    todo = ["top"] if "top" in switches else []
    while todo:
        for child in expand_hostlist(switches[todo.pop()].get("Switches", "")):
            if child not in reached:
                reached.add(child)
                todo.append(child)
    assert len(switches) == 1 or reached == set(switches) - {"top"}


@pytest.mark.parametrize("name", NAMES)
def test_new_ports_on_the_installed_fabric_end_on_its_stand_in(name: str, catalog: Catalog) -> None:
    plan = _plan(name, catalog)
    assert plan.existing is not None and plan.existing.fabric is not None and plan.fabric is not None
    layout = layout_of(plan)
    assert sum(layout.existing_ports.values()) == (
        plan.existing.fabric.leaf_ports_used if plan.fabric.leaf_switches else plan.fabric.endpoints
    )
    links = wiring(plan, catalog).links
    leaf_ports = [link for link in links if link.b.device == INSTALLED_FABRIC and link.network == "fabric"]
    spine_ports = [link for link in links if link.b.device == INSTALLED_FABRIC and link.network == "uplink"]
    assert len(leaf_ports) == sum(layout.existing_ports.values())
    assert len(spine_ports) == plan.existing.fabric.spine_ports_used + plan.existing.fabric.join_leaf_ports
    assert len({link.b.interface for link in leaf_ports + spine_ports}) == len(leaf_ports) + len(spine_ports)


def _validated(files: dict[str, str], kind: str) -> list[dict[str, Any]]:
    schemas = json.loads((ROOT / "tests" / "data" / "netbox" / "import.schema.json").read_text())
    records = yaml.safe_load(files[f"{kind}.yaml"]) or []
    if records:  # a file without records has nothing to import
        jsonschema.validate(records, {**schemas, **schemas["definitions"][kind]})
    return records


@pytest.mark.parametrize("name", NAMES)
def test_netbox_marks_the_site_active_and_existing_and_new_devices_planned(name: str, catalog: Catalog) -> None:
    plan = _plan(name, catalog)
    assert plan.existing is not None
    files = netbox_files(plan, catalog)
    kinds = ("tags", "sites", "racks", "devices", "interfaces", "power-ports", "cables", "power-panels", "power-feeds")
    data = {kind: _validated(files, kind) for kind in kinds}
    assert {t["slug"] for t in data["tags"]} == {tag_slug(plan), "existing"}
    upgraded = {host for group in plan.existing.groups for host in group.upgraded}
    new_devices = {d.name for r in plan.racks for d in r.devices}
    devices = {d["name"]: d for d in data["devices"]}
    for device_name, device in devices.items():
        if device_name in upgraded:
            assert device["status"] == "active" and device["tags"] == [tag_slug(plan), "existing"]
            assert "position" not in device and device["rack"] in {r.name for r in plan.racks if r.existing}
        else:
            assert device["status"] == "planned" and device["tags"] == [tag_slug(plan)]
    assert new_devices | upgraded <= set(devices)
    assert not set(devices) & (set(_installed(plan)) - upgraded), "untouched installed nodes stay out"
    racks = {r["name"]: r for r in data["racks"]}
    for rack in plan.racks:
        assert (racks[rack.name]["status"], "existing" in racks[rack.name]["tags"]) == (
            ("active", True) if rack.existing else ("planned", False)
        )
    assert {p["name"].rsplit("-", 1)[0] for p in data["power-panels"]} == {r.name for r in plan.racks if not r.existing}
    # cables join devices of the bundle only; the rest are ports to patch
    panels = {p["name"] for p in data["power-panels"]}
    for cable in data["cables"]:
        for side in "ab":
            for parent, kind, _ in cable_ends(cable, side):
                assert parent in (panels if kind == "dcim.powerfeed" else devices), cable
    patches = files["ports-to-patch.csv"].splitlines()
    assert patches[0] == "device,interface,network,patch_to,cable"
    to_installed = [link for link in wiring(plan, catalog).links if INSTALLED_FABRIC in (link.a.device, link.b.device)]
    assert sum("installed fabric" in line for line in patches) == len(to_installed)
    assert "ports-to-patch.csv" in files["README.md"]


@pytest.mark.parametrize("name", NAMES)
def test_ansible_groups_the_site_and_the_gpu_nodes(name: str, catalog: Catalog) -> None:
    plan = _plan(name, catalog)
    groups = yaml.safe_load(ansible_inventory(plan, catalog))["all"]["children"]
    assert list(groups["hpc"]["hosts"]) == _installed(plan)
    assert groups["ai"] == {"children": {"compute": None}}
    compute = {h: v for g in groups["compute"]["children"].values() for h, v in g["hosts"].items()}
    assert set(compute) == _gpu_hosts(plan)
    assert all(v["primeflex_gpus"] == plan.compute[0].gpus_per_node for v in compute.values())
    kept = [v for h, v in groups["hpc"]["hosts"].items() if h not in compute]
    assert kept and all(v["primeflex_gpus"] == 0 for v in kept)
    assert groups["existing"] == {"children": {"hpc": None}, "hosts": {"head01": None}}
    new = {d.name for r in plan.racks for d in r.devices}
    assert set(groups["planned"]["hosts"] or {}) == new
    assert list(groups["slurm"]["children"]["slurmservers"]["hosts"]) == ["head01"]
    assert groups["slurm"]["children"]["slurmexechosts"] == {"children": {"hpc": None, "ai": None}}
    assert list(groups["login"]["hosts"]) == ["head01"]


@pytest.mark.parametrize("name", NAMES)
def test_every_target_exports(name: str, catalog: Catalog) -> None:
    files = export_files(_plan(name, catalog), "all", catalog)
    assert {path.split("/")[0] for path in files} == {"slurm", "netbox", "ansible"}


# --- the tools' own parsers ---------------------------------------------------------------------


def _slurm_folder(tmp_path: Path, files: dict[str, str], gpus: int) -> Path:
    devices = tmp_path / "dev"
    devices.mkdir()
    for index in range(gpus):
        (devices / f"nvidia{index}").symlink_to("/dev/null")
    for file_name, text in files.items():
        (tmp_path / file_name).write_text(text.replace("File=/dev/nvidia", f"File={devices}/nvidia"))
    return tmp_path


@pytest.mark.needs_tool
@pytest.mark.skipif(SLURMD is None, reason="Slurm's slurmd is not installed (apt-get install slurmd; CI has it)")
@pytest.mark.parametrize("name", ["cards", "new-leaf"])
def test_slurmd_parses_the_config_on_a_cpu_node_and_a_gpu_node(name: str, catalog: Catalog, tmp_path: Path) -> None:
    plan = _plan(name, catalog)
    entry = plan.compute[0]
    folder = _slurm_folder(tmp_path, slurm_files(plan, catalog), entry.gpus_per_node)
    gpu_node, cpu_node = min(_gpu_hosts(plan)), "cn200"
    for host in (gpu_node, cpu_node):
        assert SLURMD is not None
        result = subprocess.run(
            [SLURMD, "-G", "-N", host, "-f", str(folder / "slurm.conf")], capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0, result.stderr
        assert "error" not in result.stderr.lower() and "fatal" not in result.stderr.lower(), result.stderr
        found = f"Gres Name=gpu Type={gres_type(entry.gpu)[0]} Count={entry.gpus_per_node}" in result.stdout + result.stderr
        assert found == (host == gpu_node), (host, result.stdout + result.stderr)


@pytest.mark.needs_tool
@pytest.mark.skipif(SCONTROL is None, reason="Slurm's scontrol is not installed (apt-get install slurm-client; CI has it)")
def test_scontrol_expands_the_partitions_as_we_do(catalog: Catalog, tmp_path: Path) -> None:
    files = slurm_files(_plan("new-leaf", catalog), catalog)
    for file_name, text in files.items():
        (tmp_path / file_name).write_text(text)
    env = {**os.environ, "SLURM_CONF": str(tmp_path / "slurm.conf")}
    expressions = {v for text in files.values() for r in _records(text) for k, v in r.items() if k in ("NodeName", "Nodes")}
    for expression in sorted(expressions):
        result = subprocess.run(
            [str(SCONTROL), "show", "hostnames", expression], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == expand_hostlist(expression)


@pytest.mark.needs_tool
@pytest.mark.skipif(ANSIBLE_INVENTORY is None, reason="ansible-core is not installed (it is in the test extra)")
@pytest.mark.parametrize("name", ["cards", "new-leaf"])
def test_ansible_reads_the_inventory_of_an_existing_site(name: str, catalog: Catalog, tmp_path: Path) -> None:
    plan = _plan(name, catalog)
    result = ansible_inventory_list(ansible_inventory(plan, catalog), tmp_path)
    assert result.returncode == 0 and "WARNING" not in result.stderr, result.stderr
    listed = json.loads(result.stdout)
    assert listed["slurmservers"]["hosts"] == ["head01"]
    assert len(listed["hpc"]["hosts"]) == 200
    hostvars = listed["_meta"]["hostvars"]
    first = min(_gpu_hosts(plan))
    assert hostvars[first]["primeflex_gpus"] == plan.compute[0].gpus_per_node
    assert hostvars["cn200"]["primeflex_gpus"] == 0
    assert hostvars[first]["slurm_config"]["SlurmctldHost"] == "head01"
