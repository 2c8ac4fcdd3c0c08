"""The real tools the export tests run, found once (Slurm's slurmd and scontrol, ansible-inventory), and how
they read a NetBox cable record."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["ANSIBLE_INVENTORY", "SCONTROL", "SLURMD", "ansible_inventory_list", "cable_ends"]

SLURMD = shutil.which("slurmd") or ("/usr/sbin/slurmd" if Path("/usr/sbin/slurmd").exists() else None)
SCONTROL = shutil.which("scontrol")
_BESIDE_PYTHON = Path(sys.executable).parent / "ansible-inventory"  # ansible-core from the test extra, in the venv
ANSIBLE_INVENTORY = shutil.which("ansible-inventory") or (str(_BESIDE_PYTHON) if _BESIDE_PYTHON.exists() else None)


def ansible_inventory_list(inventory: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``ansible-inventory --list`` of ``inventory`` (YAML text), with Ansible's own files under ``tmp_path``."""
    (tmp_path / "inventory.yaml").write_text(inventory)
    env = {**os.environ, "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"), "ANSIBLE_HOME": str(tmp_path / "home")}
    return subprocess.run(
        [str(ANSIBLE_INVENTORY), "-i", str(tmp_path / "inventory.yaml"), "--list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def cable_ends(cable: dict[str, Any], side: str) -> list[tuple[str, str, str]]:
    """(device or power panel, object type, name) of each termination on one side of a cable record."""
    kind = cable[f"side_{side}_type"]
    parents = cable.get(f"side_{side}_power_panel") if kind == "dcim.powerfeed" else cable[f"side_{side}_device"]
    names = cable[f"side_{side}_name"]
    names = names if isinstance(names, list) else [names]
    parents = parents if isinstance(parents, list) else [parents] * len(names)
    assert len(parents) == len(names), cable
    return [(parent, kind, name) for parent, name in zip(parents, names, strict=True)]
