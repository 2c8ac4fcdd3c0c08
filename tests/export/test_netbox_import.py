"""NetBox bundles imported into a real NetBox (issue 15), through NetBox's own Import pages.

`tools/netbox/setup.sh` installs NetBox 4.7 with PostgreSQL and Redis into .netbox/ (CI runs it);
`tools/netbox/import_bundle.py`, run by NetBox's Python, posts every file of a bundle in the
README's order and reports what NetBox then holds. Where NetBox is not set up, the test is
skipped with a message saying how to set it up; with PRIMEFLEX_REQUIRE_NETBOX=1 (CI) it fails
instead, so CI cannot skip it silently. CI starts the setup beside the other tests; these run
last (tests/conftest.py) and wait for it.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from primeflex_iac import Catalog, Plan, load_spec, parse_spec_text, solve
from primeflex_iac.export.cluster import split_half
from primeflex_iac.export.netbox import _Bundle, netbox_files  # the bundle's own port names
from primeflex_iac.export.netbox_power import FEED_UTILISATION
from primeflex_iac.plan.management import Port
from tests.conftest import ROOT, SPECS

NETBOX_HOME = Path(os.environ.get("PRIMEFLEX_NETBOX", ROOT / ".netbox"))
NETBOX_PYTHON = NETBOX_HOME / "venv" / "bin" / "python"
IMPORTER = ROOT / "tools" / "netbox" / "import_bundle.py"
REQUIRED = os.environ.get("PRIMEFLEX_REQUIRE_NETBOX") == "1"

# Small plans that between them hold every kind of record: one rack with storage (customer), CX400
# chassis with sleds in bays (sample-moderate-water), the devicetype-library's QM8700 and RX2540 M5
# with split HDR100 ports on breakout cables over two racks (hdr100-small), and an existing site's
# installed rack and upgraded nodes (resnet-into-free-slots), and the same site's installed rack taking a new
# node, its management switch and new storage in its free units (existing-new-storage).
HDR100_SMALL = """
apiVersion: primeflex-iac/v1
name: hdr100-small
compute: {gpus: 40, min_gpu_memory: 32 GB}
site: {cooling: air, racks: {max: 10, height: 42U, power_per_rack: 20 kW}}
preferences: {fabrics: [ib-hdr], nodes: [rx2540-m5], as_of: 2020-06}
"""
EXISTING_NEW_STORAGE = (
    (SPECS / "existing" / "resnet-into-free-slots.yaml")
    .read_text(encoding="utf-8")
    .replace("free_gpu_slots: 2", "free_gpu_slots: 0")
    .replace("free_units: 2U, power_limit: 20 kW, power_used: 18 kW", "free_units: 20U, power_limit: 20 kW, power_used: 10 kW")
    .replace("  storage: {file_system: lustre, usable: 500 TiB, read_rate: 10 GB/s}\n", "")
)
PLANS = {
    "customer": SPECS / "customer.yaml",
    "sample-moderate-water": SPECS / "reference" / "sample-moderate-water.yaml",
    "hdr100-small": HDR100_SMALL,
    "resnet-into-free-slots": SPECS / "existing" / "resnet-into-free-slots.yaml",
    "existing-new-storage": EXISTING_NEW_STORAGE,
}

pytestmark = pytest.mark.needs_tool


def _unavailable(reason: str) -> None:
    message = f"{reason}; `tools/netbox/setup.sh` sets up NetBox 4.7 with PostgreSQL and Redis (as root, about 10 minutes)"
    if REQUIRED:
        log = NETBOX_HOME / "setup.log"
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no setup.log)"
        pytest.fail(f"{message}\n{tail}")
    pytest.skip(message)


def _wait_for_setup() -> None:
    """CI runs tools/netbox/setup.sh beside the tests (its pid in setup.pid while it runs):
    wait for it to finish rather than skip."""
    pid_file = NETBOX_HOME / "setup.pid"
    deadline = time.monotonic() + 1800
    while pid_file.exists() and time.monotonic() < deadline:
        try:
            os.kill(int(pid_file.read_text().strip()), 0)
        except (ProcessLookupError, ValueError, FileNotFoundError):
            return  # the setup ended (or its pid file is stale)
        time.sleep(5)


@pytest.fixture(scope="module")
def imported(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Plan, Path, dict[str, Any]]]:
    """Each plan, its bundle's folder and NetBox's report on importing it."""
    _wait_for_setup()
    if not (NETBOX_HOME / "ready").exists() or not NETBOX_PYTHON.exists():
        _unavailable(f"NetBox is not set up in {NETBOX_HOME}")
    plans, folders = {}, {}
    for name, source in PLANS.items():
        spec = parse_spec_text(source, name) if isinstance(source, str) else load_spec(source)
        plan = solve(spec, catalog)
        assert plan.status == "optimal", name
        folder = tmp_path_factory.mktemp(name)
        for path, text in netbox_files(plan, catalog).items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text, encoding="utf-8")
        plans[name], folders[name] = plan, folder
    result = subprocess.run(
        [str(NETBOX_PYTHON), str(IMPORTER), *map(str, folders.values())],
        capture_output=True,
        text=True,
        env={**os.environ, "NETBOX_ROOT": str(NETBOX_HOME)},
        timeout=900,
        check=False,
    )
    if result.returncode == 3:
        _unavailable(result.stderr.strip().splitlines()[-1])
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["netbox_version"].startswith("4.7.")
    return {name: (plans[name], folders[name], report["bundles"][str(folders[name])]) for name in PLANS}


@pytest.mark.parametrize("name", PLANS)
def test_netbox_takes_every_file_of_the_bundle(name: str, imported: dict[str, tuple[Plan, Path, dict[str, Any]]]) -> None:
    _, folder, report = imported[name]
    refused = {f["file"]: f["errors"] for f in report["files"] if not f["ok"]}
    assert not refused, refused
    types = sorted(p.name for p in (folder / "device-types").glob("*.yaml"))
    assert [f["file"] for f in report["files"]][4 : 4 + len(types)] == [f"device-types/{t}" for t in types]
    counts = report["netbox"]["counts"]

    def records(file: str) -> list[dict[str, Any]]:
        return yaml.safe_load((folder / file).read_text()) or []

    assert counts["devices"] == len(records("devices.yaml"))
    assert counts["cables"] == len(records("cables.yaml"))
    assert counts["device_types"] == len(types)


@pytest.mark.parametrize("name", PLANS)
def test_netbox_traces_the_plans_wiring(
    name: str, imported: dict[str, tuple[Plan, Path, dict[str, Any]]], catalog: Catalog
) -> None:
    """Every fabric and management link between modelled devices is a cable NetBox traces between
    the same two ports (a breakout cable: from the physical switch port to each endpoint)."""
    plan, _, report = imported[name]
    bundle = _Bundle(plan, catalog)

    def port(end: Port) -> tuple[str, str]:
        assert plan.fabric is not None
        split = split_half(end.interface) if bundle.catalog_of.get(end.device) == plan.fabric.switch else None
        return end.device, bundle.name(end.device, end.interface if split is None else split[0])

    expected = {tuple(sorted([port(link.a), port(link.b)])) for link in bundle.links}
    assert expected or plan.existing is not None  # an existing site's new nodes may all patch to the installed fabric
    assert {tuple(tuple(end) for end in pair) for pair in report["netbox"]["interface_links"]} == expected


@pytest.mark.parametrize("name", PLANS)
def test_netbox_reports_each_new_racks_planned_power(name: str, imported: dict[str, tuple[Plan, Path, dict[str, Any]]]) -> None:
    """NetBox's rack power utilisation: the draw reaching the rack's two feeds over the PDUs, which
    is the plan's draw of the rack (each inlet's share rounded up), against both feeds' power."""
    plan, folder, report = imported[name]
    feeds = {f["name"]: f for f in yaml.safe_load((folder / "power-feeds.yaml").read_text()) or []}
    racks = report["netbox"]["racks"]
    new = [rack for rack in plan.racks if not rack.existing]
    for rack in new:
        shown = racks[rack.name]
        assert rack.power_max_w <= shown["allocated_draw_w"] <= rack.power_max_w * 1.25 + 10, (rack.name, shown)
        supply = sum(
            round(f["voltage"] * f["amperage"] * f["max_utilization"] / 100 * 1.732)  # NetBox's three-phase rule
            for f in feeds.values()
            if f["rack"] == rack.name
        )
        assert shown["available_power_w"] == supply and supply >= 2 * rack.power_limit_w
        assert shown["power_utilization_percent"] == round(shown["allocated_draw_w"] / supply * 100, 1) > 0
    assert all(f["max_utilization"] == FEED_UTILISATION for f in feeds.values())
    for rack in plan.racks:
        if rack.existing:  # the site's own PDUs and feeds are not in the bundle
            assert racks[rack.name]["available_power_w"] == 0


def test_a_switch_with_split_ports_shows_its_physical_ports_free_or_taken(
    imported: dict[str, tuple[Plan, Path, dict[str, Any]]],
) -> None:
    """The QM8700 of the HDR100 plan: NetBox lists its 40 physical ports (and mgmt0), and a port
    split over two nodes is one port taken, so the free ports NetBox shows are the real ones."""
    _, folder, report = imported["hdr100-small"]
    cables = yaml.safe_load((folder / "cables.yaml").read_text())
    for switch, shown in report["netbox"]["fabric_switches"].items():
        taken = {
            name
            for cable in cables
            for side in "ab"
            if cable.get(f"side_{side}_device") == switch and cable[f"side_{side}_type"] == "dcim.interface"
            for name in (
                [cable[f"side_{side}_name"]] if isinstance(cable[f"side_{side}_name"], str) else cable[f"side_{side}_name"]
            )
        }
        assert shown["interfaces"] == 41 and shown["cabled"] == len(taken), (switch, shown)
        breakouts = [c for c in cables if c.get("profile") and c["side_a_device"] == switch]
        nodes = sum(len(c["side_b_device"]) for c in breakouts)
        assert breakouts and len(breakouts) == math.ceil(nodes / 2)  # two nodes to a port


def test_library_hardware_imports_as_the_devicetype_library_types(imported: dict[str, tuple[Plan, Path, dict[str, Any]]]) -> None:
    _, _, report = imported["hdr100-small"]
    assert {"mellanox-qm8700", "fujitsu-primergy-rx2540-m5"} <= set(report["netbox"]["device_type_slugs"])
