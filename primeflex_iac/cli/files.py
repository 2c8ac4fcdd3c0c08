"""Write a set of output files all at once: into a temporary folder, then moved into place.

A failed run leaves the previous output untouched; a half-written folder is never visible.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from primeflex_iac.errors import Problem, SpecError

__all__ = ["EXPORT_FOLDERS", "check_output_folder", "write_outputs"]

_PLAN_MARK = '"schema_version": "primeflex-iac/plan/'
EXPORT_FOLDERS = ("slurm", "netbox", "ansible")  # what `solve --export` adds beside the plan


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
    """Raise SpecError unless ``directory`` may be written; return a note if a previous output will be replaced.

    A missing or empty folder is written; a folder holding a previous output of primeflex (its
    plan.json, and files only) is replaced, with a note; any other folder only with ``force``.
    The working folder, its parents, the home folder and the root are never replaced.
    """

    def refuse(message: str) -> SpecError:
        return SpecError([Problem(str(directory), None, None, "", message)])

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
