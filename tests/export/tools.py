"""The real tools the export tests run, found once: Slurm's slurmd and scontrol, ansible-inventory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["ANSIBLE_INVENTORY", "SCONTROL", "SLURMD", "ansible_inventory_list"]

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
