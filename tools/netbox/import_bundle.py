"""Import a primeflex-iac NetBox bundle into a real NetBox through NetBox's own import pages.

Runs under NetBox's Python (not primeflex-iac's): `tools/netbox/setup.sh` installs NetBox and
`tests/export/test_netbox_import.py` calls this script with NETBOX_ROOT set. Every file of the
bundle is posted, in the order its README gives, to the object type's bulk import view (the
Import page a user pastes YAML into), as a logged-in superuser. Everything happens in one
transaction that is rolled back at the end, so the database is left as it was.

Usage: import_bundle.py BUNDLE_DIR... Each bundle is imported into the same empty NetBox and
rolled back before the next. Prints one JSON object: NetBox's version and, per bundle, per file
whether NetBox took it or its error messages; then what NetBox holds: counts, device type slugs,
the interface pairs its cables join (as NetBox traces them: a breakout cable joins its physical
port to each endpoint), and each rack's power utilisation as NetBox reports it. Exit 3 when
NetBox's database cannot be reached.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import django

# (file, app label, model name) in the bundle README's order; device types come after roles.
BEFORE_TYPES = [
    ("tags.yaml", "extras", "tag"),
    ("sites.yaml", "dcim", "site"),
    ("manufacturers.yaml", "dcim", "manufacturer"),
    ("device-roles.yaml", "dcim", "devicerole"),
]
AFTER_TYPES = [
    ("racks.yaml", "dcim", "rack"),
    ("power-panels.yaml", "dcim", "powerpanel"),
    ("power-feeds.yaml", "dcim", "powerfeed"),
    ("devices.yaml", "dcim", "device"),
    ("interfaces.yaml", "dcim", "interface"),
    ("power-ports.yaml", "dcim", "powerport"),
    ("cables.yaml", "dcim", "cable"),
]


class Rollback(Exception):
    """Raised to leave the import's transaction without committing it."""


def form_errors(response: Any) -> list[str]:
    """NetBox's messages for an import it refused (the form is re-rendered with them)."""
    context = response.context or {}
    form = context.get("form")
    if form is None:
        return [f"HTTP {response.status_code}"]
    return [f"{field}: {message}" for field, messages in form.errors.items() for message in messages]


def import_file(client: Any, path: Path, app: str, model: str) -> dict[str, Any]:
    from django.urls import reverse

    text = path.read_text(encoding="utf-8")
    url = reverse(f"{app}:{model}_bulk_import")
    response = client.post(url, {"data": text, "format": "yaml", "csv_delimiter": ","})
    if response.status_code == 302:
        return {"file": path.name, "ok": True}
    return {"file": path.name, "ok": False, "errors": form_errors(response)}


def summary() -> dict[str, Any]:
    from dcim.models import Cable, Device, DeviceType, Interface, PowerFeed, PowerPort, Rack

    racks = {}
    for rack in Rack.objects.order_by("name"):
        feeds = PowerFeed.objects.filter(rack=rack)
        # what Rack.get_power_utilization() adds up, in watts, to compare with the plan
        inlets = [peer for feed in feeds for peer in feed.link_peers if isinstance(peer, PowerPort)]
        racks[rack.name] = {
            "power_utilization_percent": float(rack.get_power_utilization()),
            "allocated_draw_w": sum(inlet.get_power_draw()["allocated"] for inlet in inlets),
            "available_power_w": sum(feed.available_power for feed in feeds),
        }
    links = set()
    for interface in Interface.objects.filter(cable__isnull=False).select_related("device"):
        for peer in interface.link_peers:
            if isinstance(peer, Interface):
                links.add(tuple(sorted([(interface.device.name, interface.name), (peer.device.name, peer.name)])))
    # what NetBox shows of each fabric switch: its interfaces, and those with a cable
    switches = {
        device.name: {
            "interfaces": device.interfaces.count(),
            "cabled": device.interfaces.filter(cable__isnull=False).count(),
        }
        for device in Device.objects.filter(role__slug="fabric-switch").order_by("name")
    }
    return {
        "fabric_switches": switches,
        "interface_links": sorted(links),
        "counts": {
            "devices": Device.objects.count(),
            "device_types": DeviceType.objects.count(),
            "interfaces": Interface.objects.count(),
            "cables": Cable.objects.count(),
            "connected_interfaces": Interface.objects.filter(cable__isnull=False).count(),
        },
        "device_type_slugs": sorted(DeviceType.objects.values_list("slug", flat=True)),
        "racks": racks,
    }


def run(bundle: Path) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client

    report: dict[str, Any] = {"files": []}
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_superuser("primeflex-import-test", password="unused")
            client = Client()
            client.force_login(user)
            steps = [*BEFORE_TYPES]
            steps += [(f"device-types/{p.name}", "dcim", "devicetype") for p in sorted((bundle / "device-types").glob("*.yaml"))]
            steps += AFTER_TYPES
            for name, app, model in steps:
                path = bundle / name
                if not path.exists():
                    continue
                result = import_file(client, path, app, model)
                result["file"] = name
                report["files"].append(result)
                if not result["ok"]:
                    raise Rollback
            report["netbox"] = summary()
            raise Rollback
    except Rollback:
        pass
    return report


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netbox.settings")
    try:
        django.setup()
        from django.db import connection

        connection.ensure_connection()
    except Exception as error:  # any failure to start is reported, not traced
        print(f"NetBox cannot start here ({type(error).__name__}: {error}); tools/netbox/setup.sh sets it up", file=sys.stderr)
        return 3
    from django.conf import settings
    from django.test.utils import setup_test_environment
    from netbox.settings import VERSION

    setup_test_environment()  # so a refused import's response carries its form and errors
    settings.ALLOWED_HOSTS = ["*"]
    reports = {"netbox_version": VERSION, "bundles": {path: run(Path(path)) for path in sys.argv[1:]}}
    json.dump(reports, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
