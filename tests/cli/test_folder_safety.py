"""What primeflex may replace: only what its manifest says it wrote, never inputs, homes, mounts or system folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from primeflex_iac.cli import files, protect, swap
from primeflex_iac.cli.main import main
from primeflex_iac.cli.manifest import MANIFEST, manifests, ours
from tests.conftest import SPECS

SPEC = SPECS / "reference" / "storage-small.yaml"
OTHER = SPECS / "reference" / "storage-medium.yaml"
FLAGS = ["--no-render"]


def _solve(spec: Path, out: Path, *extra: str) -> int:
    return main(["solve", str(spec), "-o", str(out), *FLAGS, *extra])


def test_an_earlier_plan_with_the_users_notes_is_not_emptied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert _solve(SPEC, out) == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["files"]) == ["bom.csv", "bom.md", "plan.json"]
    (out / "notes.md").write_text("call the site on Monday")
    assert _solve(OTHER, out) == 2
    assert "holds files primeflex did not write" in capsys.readouterr().err
    assert (out / "notes.md").read_text() == "call the site on Monday"


def test_an_edited_output_file_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _solve(SPEC, out) == 0
    (out / "bom.md").write_text((out / "bom.md").read_text() + "\nagreed discount: 12%\n")
    assert _solve(OTHER, out) == 2
    assert "agreed discount" in (out / "bom.md").read_text()
    (out / "bom.md").unlink()  # a file primeflex wrote, removed: what is left is still all ours
    assert _solve(OTHER, out) == 0


def test_a_link_in_an_output_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _solve(SPEC, out) == 0
    (out / "elsewhere").symlink_to(tmp_path)
    assert _solve(SPEC, out) == 2


def test_the_spec_inside_the_folder_is_never_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "project"
    out.mkdir()
    spec = out / "cluster.yaml"
    shutil.copy(SPEC, spec)
    for force in ([], ["--force"]):
        assert _solve(spec, out, *force) == 2
        assert "an input of this run" in capsys.readouterr().err
    assert spec.read_bytes() == SPEC.read_bytes()
    overlay = tmp_path / "parent" / "prices.yaml"
    overlay.parent.mkdir()
    overlay.write_text("apiVersion: primeflex-iac/catalog-overlay/v1\n")
    assert main(["solve", str(SPEC), "-o", str(overlay.parent), "--catalog-overlay", str(overlay), "--force", *FLAGS]) == 2
    assert overlay.exists()


def test_render_into_the_plans_folder_keeps_the_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert _solve(SPEC, out) == 0
    plan = (out / "plan.json").read_bytes()
    assert main(["render", str(out / "plan.json")]) == 0
    assert (out / "plan.json").read_bytes() == plan and (out / "report.md").exists() and ours(out)
    (out / "plan.json").write_bytes(plan.replace(b'"status": "optimal"', b'"status":  "optimal"'))  # edited by hand
    for force in ([], ["--force"]):
        assert main(["render", str(out / "plan.json"), *force]) == 2
        assert "an input of this run" in capsys.readouterr().err
    assert main(["render", str(out / "plan.json"), "-o", str(tmp_path / "elsewhere")]) == 0


def test_protected_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for system in ("/", "/tmp", "/usr", "/usr/local/share", "/etc/slurm", "/var/lib", "/opt", "/srv", "/lib64", "/home"):
        assert protect.protected_reason(Path(system)) is not None, system
    homes = tmp_path / "srv" / "homes"
    (homes / "alice").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(homes / "alice"))
    assert "home" in (protect.protected_reason(homes) or "")
    assert "home" in (protect.protected_reason(homes / "alice") or "")
    assert protect.protected_reason(tmp_path / "srv" / "other") is None
    monkeypatch.setattr(protect, "_mount_points", lambda: {tmp_path / "data" / "scratch"})
    assert "mount point" in (protect.protected_reason(tmp_path / "data") or "")


def test_force_never_replaces_a_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    homes = tmp_path / "homes"
    (homes / "bob").mkdir(parents=True)
    (homes / "bob" / "thesis.tex").write_text("years of work")
    monkeypatch.setenv("HOME", str(homes / "bob"))
    assert _solve(SPEC, homes, "--force") == 2
    assert "home folder" in capsys.readouterr().err
    assert (homes / "bob" / "thesis.tex").exists()


def test_a_symlink_loop_is_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert _solve(SPEC, tmp_path / "a") == 2
    err = capsys.readouterr().err
    assert "loop of symbolic links" in err and "Traceback" not in err and "internal error" not in err


def test_the_folder_is_checked_again_when_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from primeflex_iac.app import solve as app_solve

    out = tmp_path / "out"
    real = app_solve.solve

    def solve_while_someone_writes(*args: object, **kwargs: object) -> object:
        out.mkdir()
        (out / "draft.md").write_text("written meanwhile")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("primeflex_iac.cli.commands.solve.solve", solve_while_someone_writes)
    assert _solve(SPEC, out) == 2
    assert (out / "draft.md").read_text() == "written meanwhile"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_second_run_to_a_locked_folder_fails_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    lock = swap.FolderLock(out)
    lock.acquire()
    try:
        assert _solve(SPEC, out) == 2
        assert "another primeflex run" in capsys.readouterr().err
        assert not out.exists()
    finally:
        lock.release()
    assert _solve(SPEC, out) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_leftovers_of_killed_runs_are_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _solve(SPEC, out) == 0
    for name in (".out.staging.1.abcdefgh", ".out.old.1", ".out.old.1.a1b2c3d4"):  # pids repeat in containers
        (tmp_path / name).mkdir()
        (tmp_path / name / "plan.json").write_text("{}")
    (tmp_path / ".out.lock").write_text("1\n")
    (tmp_path / ".out.k2j4_x9q").mkdir()  # what versions before the lock left while writing
    (tmp_path / ".out.k2j4_x9q" / "bom.md").write_text("half")
    (tmp_path / ".out.notes").mkdir()  # not a name primeflex uses: kept
    (tmp_path / ".out.settings").mkdir()  # named like an earlier staging folder, but not one: kept
    (tmp_path / ".out.settings" / "colours.txt").write_text("mine")
    assert _solve(OTHER, out) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.notes", ".out.settings", "out"]


def test_a_run_killed_between_two_renames_gets_the_old_folder_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _solve(SPEC, out) == 0
    plan = (out / "plan.json").read_bytes()
    out.rename(tmp_path / ".out.old.7.zzzzzzzz")
    (tmp_path / ".out.staging.7.yyyyyyyy").mkdir()  # half written
    assert swap.cleanup_leftovers(out)
    assert (out / "plan.json").read_bytes() == plan and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_without_an_exchange_rename_two_renames_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(swap, "_renameat2", lambda *args: False)
    out = tmp_path / "out"
    assert _solve(SPEC, out) == 0
    assert _solve(OTHER, out) == 0
    assert '"name": "storage-medium"' in (out / "plan.json").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_export_folders_carry_their_own_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert _solve(SPECS / "reference" / "sample-small-air.yaml", out, "--export", "all") == 0
    assert ours(out / "slurm", exports=False) and (out / "slurm" / MANIFEST).is_file()
    assert main(["export", str(out / "plan.json"), "--to", "slurm"]) == 0  # replaces slurm/ alone
    assert ours(out)
    (out / "slurm" / "site.conf").write_text("# ours")
    assert main(["export", str(out / "plan.json"), "--to", "slurm"]) == 2
    assert _solve(SPECS / "reference" / "sample-small-air.yaml", out) == 2  # nor the folder around it
    assert (out / "slurm" / "site.conf").exists()
    assert main(["render", str(out / "plan.json"), "-o", str(tmp_path / "copy")]) == 0
    assert "slurm/ is not copied" in capsys.readouterr().err
    assert not (tmp_path / "copy" / "slurm").exists() and (tmp_path / "copy" / "netbox").is_dir()


def test_manifests_are_deterministic_and_split_by_export_folder() -> None:
    content: dict[str, str | bytes] = {"plan.json": "{}", "slurm/slurm.conf": "x", "netbox/device-types/a.yaml": b"y"}
    written = manifests(content)
    assert sorted(written) == [MANIFEST, f"netbox/{MANIFEST}", f"slurm/{MANIFEST}"]
    assert written == manifests(dict(reversed(content.items())))
    assert list(json.loads(written[f"netbox/{MANIFEST}"])["files"]) == ["device-types/a.yaml"]
    assert files.check_output_folder(Path("/nonexistent-folder/out")) is None


def test_a_file_system_without_locks_still_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import fcntl

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    assert _solve(SPEC, tmp_path / "out") == 0
    assert ours(tmp_path / "out")
