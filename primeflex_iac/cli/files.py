"""Output folders: which ones may be replaced, and writing a set of files into one all at once.

An :class:`OutputFolder` is checked and locked before the run does its work (a refused folder
costs no solver time), checked again at the moment it is replaced (it may have changed in
between), and replaced whole: the files are written into a staging folder beside it, which is
then swapped in (``cli/swap.py``). A folder is replaced without --force only if it is missing,
empty, or everything in it is what primeflex wrote there, as its manifest says
(``cli/manifest.py``); with --force any folder, except those never replaced (``cli/protect.py``):
one holding an input of the run, a home, a mount point, a system folder, the working folder or
one of its parents.
"""

from __future__ import annotations

import errno
import shutil
from typing import TYPE_CHECKING

from primeflex_iac.cli import manifest
from primeflex_iac.cli.manifest import EXPORT_FOLDERS, MANIFEST
from primeflex_iac.cli.protect import inputs_inside, protected_reason
from primeflex_iac.cli.swap import Busy, FolderLock, cleanup_leftovers, defer_interrupts, stage, swap_in
from primeflex_iac.errors import OutputFolderError, Problem

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path
    from types import TracebackType

__all__ = [
    "EXPORT_FOLDERS",
    "MANIFEST",
    "OutputFolder",
    "check_output_folder",
    "exports_beside",
    "write_outputs",
    "written_summary",
]


def _refuse(given: Path, message: str) -> OutputFolderError:
    return OutputFolderError([Problem(str(given), None, None, "", message)])


def _resolve(given: Path) -> Path:
    try:
        return given.resolve()
    except RuntimeError:  # Python before 3.13 says "Symlink loop" this way
        raise _refuse(given, "the output path is a loop of symbolic links; name a folder with -o") from None
    except ValueError:  # a NUL character: no file system takes it
        raise _refuse(given, "the output path holds a NUL character; name a folder with -o") from None
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
        raise _refuse(given, "the output path is a loop of symbolic links; name a folder with -o") from None


def _same_bytes(path: Path, content: str | bytes | None) -> bool:
    if content is None:
        return False
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        return path.read_bytes() == data
    except OSError:
        return False


class OutputFolder:
    """One run's output folder: ``with OutputFolder(path, ...) as folder:`` checks and locks it, ``folder.write(files)`` replaces it.

    ``inputs`` are the run's input files: a folder holding one is never replaced, except a folder
    primeflex wrote whose new files carry the input unchanged (`render` into the plan's folder).
    ``exports`` says whether export folders (``slurm/``, ...) belong in it. After ``write``,
    ``note`` says what was replaced (or None) and ``interrupted`` whether Ctrl-C came meanwhile.
    """

    def __init__(self, path: Path, *, force: bool = False, inputs: Iterable[Path] = (), exports: bool = True) -> None:
        self.given = path
        self.force = force
        self.inputs = list(inputs)
        self.exports = exports
        self.target = _resolve(path)
        self.note: str | None = None
        self.interrupted = False
        self._lock = FolderLock(self.target)

    def __enter__(self) -> OutputFolder:
        self.check()  # before creating anything: a refused folder gets no lock file beside it
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            blocker = next((part for part in reversed(self.target.parents) if part.exists() and not part.is_dir()), None)
            raise _refuse(self.given, f"a part of the output path is a file, not a folder: {blocker}") from None
        try:
            self._lock.acquire()
        except Busy as busy:
            message = f"another primeflex run (pid {busy.pid}) is writing this folder; wait for it to finish, or name another folder with -o"
            raise _refuse(self.given, message) from None
        try:
            cleanup_leftovers(self.target)
            self.note = self.check()
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._lock.release()

    def check(self, files: Mapping[str, str | bytes] | None = None) -> str | None:
        """Raise OutputFolderError unless the folder may be replaced (by ``files``, if given); a note if something is replaced."""
        target, given = self.target, self.given
        if not target.exists():
            return None
        if not target.is_dir():
            raise _refuse(given, "the output path exists and is not a folder; expected a folder to write the plan into")
        reason = protected_reason(target)
        if reason:
            raise _refuse(given, f"refusing to replace this folder, even with --force: {reason}; name another one with -o")
        if not any(target.iterdir()):
            return None
        mine = manifest.ours(target, self.exports)
        for kept in inputs_inside(target, self.inputs):
            relative = kept.resolve().relative_to(target).as_posix()
            if not mine or (files is not None and not _same_bytes(kept, files.get(relative))):
                message = f"refusing to replace this folder, even with --force: it holds {kept}, an input of this run; name another one with -o"
                raise _refuse(given, message)
        if mine:
            return f"replacing the previous output in {given}"
        if self.force:
            return f"replacing {given} and everything in it (--force)"
        raise _refuse(
            given,
            "the output folder exists and holds files primeflex did not write; "
            "expected a new, empty or earlier output folder: pass --force to replace it, or name another with -o",
        )

    def write(self, files: Mapping[str, str | bytes]) -> list[Path]:
        """Replace the folder with exactly ``files`` (name -> text or bytes) and its manifests; returns the written paths.

        Checked again first, at the moment of replacing; Ctrl-C meanwhile is held back until the
        folder is written (``interrupted`` says so).
        """
        with defer_interrupts() as deferred:
            staging = stage(self.target, {**files, **manifest.manifests(files, self.exports)})
            try:
                self.note = self.check(files)  # as late as can be: right before the swap
            except OutputFolderError as error:
                shutil.rmtree(staging, ignore_errors=True)
                changed = f"changed while primeflex was running, nothing was written: {error.problems[0].message}"
                raise _refuse(self.given, changed) from None
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            try:
                swap_in(staging, self.target)
            finally:  # whether or not it was swapped, what is there now is not the output
                shutil.rmtree(staging, ignore_errors=True)
        self.interrupted = deferred.interrupted
        return [self.given / name for name in sorted(files)]


def check_output_folder(directory: Path, force: bool = False, inputs: Iterable[Path] = ()) -> str | None:
    """Raise OutputFolderError unless ``directory`` may be replaced; a note if an output will be replaced (no lock taken)."""
    return OutputFolder(directory, force=force, inputs=inputs).check()


def write_outputs(
    directory: Path, files: Mapping[str, str | bytes], force: bool = False, inputs: Iterable[Path] = ()
) -> list[Path]:
    """Check, lock and replace ``directory`` with exactly ``files`` in one go; returns the written paths."""
    with OutputFolder(directory, force=force, inputs=inputs) as folder:
        return folder.write(files)


def exports_beside(folder: Path) -> tuple[dict[str, str | bytes], list[str]]:
    """The export folders `solve --export` wrote beside a plan, kept when it is re-rendered, and warnings for those not kept."""
    kept: dict[str, str | bytes] = {}
    warnings: list[str] = []
    for name in EXPORT_FOLDERS:
        export = folder / name
        if not export.is_dir() or export.is_symlink():
            continue
        if not manifest.ours(export, exports=False) or not (export / MANIFEST).is_file():
            warnings.append(f"{export}/ is not copied: it holds files primeflex did not write")
            continue
        for path in sorted(export.rglob("*")):
            if path.is_file() and path.name != MANIFEST:
                kept[path.relative_to(folder).as_posix()] = path.read_bytes()
    return kept, warnings


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
