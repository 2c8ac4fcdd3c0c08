"""Output folders: which ones may be replaced, and writing a set of files into one all at once.

Files are written into a temporary folder, then moved into place: a failed run leaves the
previous output untouched; a half-written folder is never visible. A folder that holds anything
primeflex did not write is only replaced with --force (an :class:`OutputFolderError` otherwise).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from primeflex_iac.errors import OutputFolderError, Problem

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "EXPORT_FOLDERS",
    "check_export_folders",
    "check_output_folder",
    "exports_beside",
    "write_outputs",
    "written_summary",
]

_PLAN_MARK = '"schema_version": "primeflex-iac/plan/'
EXPORT_FOLDERS = ("slurm", "netbox", "ansible")  # what `solve --export` adds beside the plan
_EXPORT_MARK = "by primeflex-iac"  # in the head of the file each export target writes first
_MARKED_FILE = {"slurm": "slurm.conf", "netbox": "README.md", "ansible": "inventory.yaml"}


def _previous_output(directory: Path) -> bool:
    """Whether ``directory`` holds only files and a plan.json that primeflex wrote."""
    try:
        entries = list(directory.iterdir())
        exports = {entry for entry in entries if entry.name in EXPORT_FOLDERS and entry.is_dir() and not entry.is_symlink()}
        if any(not entry.is_file() or entry.is_symlink() for entry in entries if entry not in exports):
            return False
        with (directory / "plan.json").open(encoding="utf-8", errors="replace") as plan:
            return _PLAN_MARK in plan.read(4096)
    except OSError:
        return False


def check_output_folder(directory: Path, force: bool = False) -> str | None:
    """Raise OutputFolderError unless ``directory`` may be written; return a note if a previous output will be replaced.

    A missing or empty folder is written; a folder holding a previous output of primeflex (its
    plan.json, and files only) is replaced, with a note; any other folder only with ``force``.
    The working folder, its parents, the home folder and the root are never replaced.
    """

    def refuse(message: str) -> OutputFolderError:
        return OutputFolderError([Problem(str(directory), None, None, "", message)])

    if directory.exists() and not directory.is_dir():
        raise refuse("the output path exists and is not a folder; expected a folder to write the plan into")
    resolved = directory.resolve()
    cwd = Path.cwd().resolve()
    if resolved in (cwd, *cwd.parents, Path.home().resolve(), Path(resolved.anchor)):
        raise refuse(
            "refusing to replace this folder (the working folder, one of its parents, home or root); name a new one with -o"
        )
    if not directory.exists() or not any(directory.iterdir()):
        return None
    if _previous_output(directory):
        return f"replacing the previous output in {directory}"
    if force:
        return f"replacing {directory} and everything in it (--force)"
    raise refuse(
        "the output folder exists and holds files primeflex did not write; "
        "expected a new, empty or earlier output folder: pass --force to replace it, or name another with -o"
    )


def _replaceable_export(folder: Path, target: str) -> bool:
    """Whether ``folder`` is missing, empty, or an earlier export of ``target`` (its marked file says so)."""
    if not folder.exists():
        return True
    if not folder.is_dir():
        return False
    if not any(folder.iterdir()):
        return True
    marked = folder / _MARKED_FILE[target]
    try:
        with marked.open(encoding="utf-8", errors="replace") as file:
            return _EXPORT_MARK in file.read(512)
    except OSError:
        return False


def check_export_folders(output: Path, targets: Iterable[str], force: bool = False) -> None:
    """Raise OutputFolderError unless each ``output/target`` may be replaced: missing, empty, an earlier export, or ``force``."""
    refused = [target for target in targets if not force and not _replaceable_export(output / target, target)]
    if refused:
        names = ", ".join(str(output / target) for target in refused)
        message = "holds files primeflex did not export; pass --force to replace it, or name another folder with -o"
        raise OutputFolderError([Problem(names, None, None, "", message)])


def exports_beside(folder: Path) -> dict[str, str | bytes]:
    """The export folders `solve --export` wrote beside a plan, kept when the plan is re-rendered."""
    kept: dict[str, str | bytes] = {}
    for name in EXPORT_FOLDERS:
        export = folder / name
        if export.is_dir() and not export.is_symlink():
            for path in sorted(export.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    kept[path.relative_to(folder).as_posix()] = path.read_bytes()
    return kept


def written_summary(written: list[Path], folder: Path) -> str:
    """The written files, with each export folder as one entry ("slurm/ (3 files)")."""
    counts: dict[str, int] = {}
    for path in written:
        parts = path.relative_to(folder).parts
        key = f"{folder / parts[0]}/" if len(parts) > 1 else str(path)
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(
        key if not key.endswith("/") else f"{key} ({count} file{'s' if count > 1 else ''})" for key, count in counts.items()
    )


def write_outputs(directory: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Replace ``directory`` with exactly ``files`` (name -> text or bytes); returns the written paths."""
    given = directory
    directory = directory.resolve()
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        for name, content in sorted(files.items()):
            (staging / name).parent.mkdir(parents=True, exist_ok=True)  # exports live in subfolders
            if isinstance(content, bytes):
                (staging / name).write_bytes(content)
            else:
                (staging / name).write_text(content, encoding="utf-8", newline="\n")
        old = None
        if directory.exists():
            old = directory.parent / f".{directory.name}.old.{os.getpid()}"
            directory.rename(old)
        try:
            staging.rename(directory)
        except BaseException:
            if old is not None:
                old.rename(directory)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [given / name for name in sorted(files)]
