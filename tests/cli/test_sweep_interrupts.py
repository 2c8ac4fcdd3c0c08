"""Ctrl-C during a sweep solved in worker processes: exit 130, no traceback, no folder, no worker left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.kill_solves import CLI
from tests.conftest import ROOT, SPECS

SPEC = SPECS / "customer.yaml"


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found.update(int(child) for child in (task / "children").read_text().split())
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads child processes from /proc")
@pytest.mark.parametrize("to", ["process group", "parent"])
def test_ctrl_c_stops_the_workers_and_writes_nothing(to: str, tmp_path: Path) -> None:
    """A terminal's Ctrl-C goes to the whole process group; `kill -INT` to the parent alone."""
    out = tmp_path / "out"
    command = [sys.executable, "-c", CLI, "sweep", str(SPEC), "-o", str(out), "--jobs", "2"]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 30
    while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
        workers |= _children(process.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the sweep started its workers"
    time.sleep(1.0)  # solving
    if to == "process group":
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted; nothing was written" in err, err
    time.sleep(0.2)
    assert [pid for pid in workers if _alive(pid)] == [], "no worker outlives the sweep"
    assert not out.exists() or not any(p.name.startswith("pareto") for p in out.iterdir())
