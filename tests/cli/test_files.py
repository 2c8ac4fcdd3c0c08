"""Nothing half-written: outputs appear whole or not at all, and a folder is replaced only when it is safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from primeflex_iac.cli import files as output
from primeflex_iac.cli.main import main
from tests.conftest import SPECS

SPEC = str(SPECS / "reference" / "storage-small.yaml")
OTHER = str(SPECS / "reference" / "storage-medium.yaml")
FLAGS = ["--no-render"]


def test_a_previous_output_is_replaced_after_saying_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["solve", SPEC, "-o", str(out), *FLAGS]) == 0
    assert "replacing" not in capsys.readouterr().err
    first = (out / "plan.json").read_text()
    assert main(["solve", OTHER, "-o", str(out), *FLAGS]) == 0
    assert f"replacing the previous output in {out}" in capsys.readouterr().err
    assert (out / "plan.json").read_text() != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging or old folders left


def test_a_folder_of_other_files_needs_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    assert main(["solve", SPEC, "-o", str(out), *FLAGS]) == 2
    err = capsys.readouterr().err
    assert "--force" in err and "holds files primeflex did not write" in err
    assert (out / "mine.txt").read_text() == "keep me"
    assert main(["solve", SPEC, "-o", str(out), "--force", *FLAGS]) == 0
    assert "(--force)" in capsys.readouterr().err
    assert not (out / "mine.txt").exists() and (out / "plan.json").exists()


def test_an_earlier_output_with_a_file_added_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["solve", SPEC, "-o", str(out), *FLAGS]) == 0
    (out / "sub").mkdir()
    assert main(["solve", SPEC, "-o", str(out), *FLAGS]) == 2
    assert (out / "sub").is_dir()


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert main(["solve", SPEC, "-o", str(out), *FLAGS]) == 0
    assert (out / "plan.json").exists()


def test_a_file_in_the_way_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.write_text("a file")
    assert main(["solve", SPEC, "-o", str(out), "--force", *FLAGS]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert out.read_text() == "a file"


def test_the_working_folder_is_never_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "thesis.tex").write_text("years of work")
    monkeypatch.chdir(work)
    for target in (".", "..", str(work)):
        assert main(["solve", SPEC, "-o", target, "--force", *FLAGS]) == 2
    assert (work / "thesis.tex").read_text() == "years of work"


def test_the_folder_is_checked_before_solving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")

    def no_solving(*args: object, **kwargs: object) -> None:
        raise AssertionError("solved although the output folder was refused")

    monkeypatch.setattr("primeflex_iac.cli.commands.solve.solve", no_solving)
    assert main(["solve", SPEC, "-o", str(out), *FLAGS]) == 2


def test_a_failed_write_leaves_the_previous_output_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["solve", SPEC, "-o", str(out), *FLAGS]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_write = Path.write_text
    written = []

    def failing_write(self: Path, *args: object, **kwargs: object) -> int:
        written.append(self.name)
        if len(written) == 2:  # the disk fills up after the first file
            raise OSError(28, "No space left on device")
        return real_write(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", failing_write)
    assert main(["solve", OTHER, "-o", str(out), *FLAGS]) == 1  # an OS error mid-write: reported
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert "system error" in err and "No space left on device" in err and "bug" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.slow
def test_infeasible_and_invalid_runs_leave_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["solve", SPEC, "-o", str(out), *FLAGS]) == 0
    before = (out / "plan.json").read_bytes()
    impossible = tmp_path / "impossible.yaml"
    impossible.write_text(
        "apiVersion: primeflex-iac/v1\nname: x\ncompute: {gpus: 64}\nsite: {total_power: 1 kW, racks: {power_per_rack: 20 kW}}\n"
    )
    assert main(["solve", str(impossible), "-o", str(out), *FLAGS]) == 3
    assert (out / "plan.json").read_bytes() == before


def test_check_output_folder_directly(tmp_path: Path) -> None:
    assert output.check_output_folder(tmp_path / "new") is None
    assert output.check_output_folder(tmp_path / "new", force=True) is None
