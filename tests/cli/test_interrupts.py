"""Ctrl-C and SIGKILL: a message and exit 130, never a traceback; a plan found is not thrown away; no folder half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.kill_solves import CLI, kill_rounds
from primeflex_iac.cli import swap
from primeflex_iac.cli.main import main
from tests.conftest import ROOT, SPECS

SPEC = SPECS / "reference" / "storage-small.yaml"


@pytest.mark.parametrize("delay", [0.1, 0.2, 0.3, 0.45, 0.6, 0.8])
def test_ctrl_c_at_start_up_is_a_message_not_a_traceback(delay: float, tmp_path: Path) -> None:
    """Whenever primeflex's code runs. Before it (the interpreter's start-up, the import statement
    that loads it) Python prints its own traceback, with no frame of primeflex in it."""
    command = [sys.executable, "-c", CLI, "solve", str(SPEC), "-o", str(tmp_path / "out")]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert "/primeflex_iac/" not in err and "internal error" not in err, err
    if "Traceback" not in err and process.returncode != 0:  # a fast machine may have finished
        assert process.returncode == 130 and "interrupted" in err, err


def test_ctrl_c_while_rendering_keeps_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("primeflex_iac.cli.commands.solve.render_bundle", interrupted)
    out = tmp_path / "out"
    assert main(["solve", str(SPEC), "-o", str(out)]) == 130
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "nothing was written" not in captured.err
    assert f"wrote {out / 'plan.json'} only, not the BOM, pictures and report" in captured.err
    assert f"primeflex render {out / 'plan.json'}" in captured.err
    assert sorted(p.name for p in out.iterdir()) == [".primeflex-manifest.json", "plan.json"]
    assert '"status": "optimal"' in (out / "plan.json").read_text()
    monkeypatch.undo()
    assert main(["render", str(out / "plan.json")]) == 0  # as the message says
    assert (out / "report.html").exists()


def test_ctrl_c_while_exporting_keeps_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("primeflex_iac.cli.commands.solve.export_for_solve", interrupted)
    out = tmp_path / "out"
    assert main(["solve", str(SPEC), "-o", str(out), "--no-render", "--export", "all"]) == 130
    assert "not the BOM and exports" in capsys.readouterr().err
    assert (out / "plan.json").exists() and not (out / "netbox").exists()


def test_ctrl_c_while_writing_waits_for_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_stage = swap.stage

    def stage_and_press_ctrl_c(target: Path, files: dict[str, str | bytes]) -> Path:
        os.kill(os.getpid(), signal.SIGINT)
        return real_stage(target, files)

    monkeypatch.setattr("primeflex_iac.cli.files.stage", stage_and_press_ctrl_c)
    out = tmp_path / "out"
    assert main(["solve", str(SPEC), "-o", str(out), "--no-render"]) == 130
    captured = capsys.readouterr()
    assert "wrote" in captured.out and "written whole first" in captured.err
    assert sorted(p.name for p in out.iterdir()) == [".primeflex-manifest.json", "bom.csv", "bom.md", "plan.json"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.slow
def test_sigkill_at_random_moments_never_leaves_a_partial_folder(tmp_path: Path) -> None:
    result = kill_rounds(6, seed=11, work=tmp_path)
    assert result["failures"] == []
    assert result["killed holding the lock"] and result["killed while writing or swapping"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_ctrl_c_inside_a_callback_is_raised_again_after_it(capsys: pytest.CaptureFixture[str]) -> None:
    """Python drops an exception raised in a weak reference's callback (as during an import) with "Exception ignored"."""
    import weakref

    from primeflex_iac.cli.main import _CtrlC

    class Thing:
        pass

    def callback(reference: object) -> None:
        raise KeyboardInterrupt  # where the Ctrl-C handler would raise it

    hook = sys.unraisablehook
    ctrl_c = _CtrlC()
    ctrl_c.watch()
    try:
        thing = Thing()
        reference = weakref.ref(thing, callback)
        with pytest.raises(KeyboardInterrupt):
            del thing
            time.sleep(5)
        assert reference() is None
    finally:
        ctrl_c.restore()
    assert "Exception ignored" not in capsys.readouterr().err
    assert sys.unraisablehook is hook and signal.getsignal(signal.SIGINT) is signal.default_int_handler
