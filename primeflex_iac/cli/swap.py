"""Replacing a folder all at once, one run at a time, and cleaning what killed runs left.

Beside an output folder ``NAME`` live, only while a run uses it:

- ``.NAME.lock``: the lock (``fcntl.flock``) a run holds from its check to its last rename; a second
  run to the same folder fails at once (:class:`Busy`) instead of racing the first;
- ``.NAME.staging.PID.XXXXXXXX``: the new files, written in full, then swapped with the folder in
  one ``renameat2(RENAME_EXCHANGE)`` (where the file system has no exchange: two renames, the old
  folder kept as ``.NAME.old.PID.XXXXXXXX`` in between); after the swap it holds the old files
  and is deleted.

A run killed at any moment leaves the folder whole (old or new) and at most these; the next run,
holding the lock, knows no live run owns them and deletes them (or, if the folder itself is missing,
renames the old one back first). Pids are only for people reading the names.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from types import FrameType

__all__ = ["Busy", "Deferred", "FolderLock", "cleanup_leftovers", "defer_interrupts", "stage", "swap_in"]

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2


class Busy(Exception):
    """Another run holds the folder's lock; ``pid`` is the one it recorded, if readable."""

    def __init__(self, pid: str) -> None:
        super().__init__(pid)
        self.pid = pid


class FolderLock:
    """The lock of the folder ``target``: ``.NAME.lock`` beside it, removed by the run that held it last."""

    def __init__(self, target: Path) -> None:
        self.path = target.parent / f".{target.name}.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
                os.close(fd)
                raise Busy(holder) from None
            except OSError as error:  # a file system without locks (some network ones): the re-check still guards
                os.close(fd)
                if error.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                    raise
                return
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:  # not a lock file its last holder removed while we waited to open it
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self._fd = fd
                return
            os.close(fd)

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()  # still held: whoever opens it next sees it is gone and opens anew
            os.close(self._fd)
            self._fd = None


# what versions before the lock left: ``.NAME.XXXXXXXX`` staging folders, cleaned only if they hold
# nothing but files an output has (and export folders), and ``.NAME.old.PID``
_OUTPUT_NAMES = {"plan.json", "bom.csv", "bom.md", "racks.svg", "report.md", "report.html", "pareto.csv", "pareto.svg"}
_OUTPUT_NAMES |= {"pareto.png", "topology.gv", "topology.svg", "topology.png", "topology.pdf"}
_EXPORTS = ("slurm", "netbox", "ansible")


def _leftover(target: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(target.name)}\.(?:(staging|old)\.\d+(\.[a-z0-9_]{{8}})?|[a-z0-9_]{{8}})")


def _earlier_staging(folder: Path) -> bool:
    for entry in folder.iterdir():
        if entry.is_symlink():
            return False
        if not ((entry.name in _OUTPUT_NAMES and entry.is_file()) or (entry.name in _EXPORTS and entry.is_dir())):
            return False
    return True


def cleanup_leftovers(target: Path) -> list[Path]:
    """Delete what killed runs left beside ``target`` (call with its lock held); returns what was removed.

    If ``target`` is missing and an old folder is left (a run killed between two renames), it is
    renamed back first: the previous output comes back, whole.
    """
    try:
        entries = sorted(target.parent.iterdir())
    except FileNotFoundError:
        return []
    pattern = _leftover(target)
    kinds = {entry: match.group(1) for entry in entries if (match := pattern.fullmatch(entry.name))}
    found = [entry for entry in kinds if entry.is_dir() and not entry.is_symlink()]
    found = [entry for entry in found if kinds[entry] or _earlier_staging(entry)]
    if not target.exists() and not target.is_symlink():
        old = [entry for entry in found if kinds[entry] == "old"]
        if old:
            old[0].rename(target)
            found.remove(old[0])
    for entry in found:
        shutil.rmtree(entry)
    return found


def stage(target: Path, files: Mapping[str, str | bytes]) -> Path:
    """A new folder beside ``target`` holding exactly ``files`` (name -> text or bytes)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging.{os.getpid()}.", dir=target.parent))
    try:
        for name, content in sorted(files.items()):
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)  # exports live in subfolders
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="\n")
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; an output folder is not
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _renameat2(source: Path, destination: Path, flags: int) -> bool:
    """renameat2(2); False where the system or file system does not have it (then rename as usual)."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if function(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(destination), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(destination))


def swap_in(staging: Path, target: Path) -> None:
    """Put ``staging`` in ``target``'s place in one step; the old folder (if any) ends deleted."""
    if not target.exists():
        if not _renameat2(staging, target, _RENAME_NOREPLACE):
            staging.rename(target)
        return
    if _renameat2(staging, target, _RENAME_EXCHANGE):
        shutil.rmtree(staging)  # now the old folder
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.{os.getpid()}.", dir=target.parent))
    target.rename(old)  # replaces the empty folder mkdtemp made
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old)


class Deferred:
    """Whether Ctrl-C came while interrupts were deferred."""

    interrupted = False


@contextlib.contextmanager
def defer_interrupts() -> Iterator[Deferred]:
    """Hold Ctrl-C back while a folder is written and swapped, so it is written whole and said so."""
    deferred = Deferred()
    if threading.current_thread() is not threading.main_thread():
        yield deferred
        return

    def note(signum: int, frame: FrameType | None) -> None:
        deferred.interrupted = True

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield deferred
    finally:
        signal.signal(signal.SIGINT, previous)
