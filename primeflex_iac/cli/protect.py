"""Folders primeflex never replaces, not even with --force.

A folder that holds an input of the run (the spec, an overlay, the plan being rendered), a home
folder or one that contains a home (every user's, from the password database, and ``$HOME``), a
mount point or a folder with one inside, a system folder, and the working folder or one of its
parents. :func:`protected_reason` says which, or None.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["SYSTEM_TREES", "inputs_inside", "protected_reason"]

# Nothing under these is ever replaced; / and every folder directly under it (/tmp, /opt, /srv,
# /home, /mnt, ...) are never replaced either, nor the standard folders directly under /var.
SYSTEM_TREES = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin", "/sys", "/usr")
_VAR = ("/var/backups", "/var/cache", "/var/lib", "/var/local", "/var/log", "/var/mail", "/var/opt", "/var/spool", "/var/tmp")


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _homes() -> set[Path]:
    homes: set[Path] = set()
    try:
        import pwd  # not on Windows

        homes.update(Path(entry.pw_dir) for entry in pwd.getpwall() if entry.pw_dir.startswith("/"))
    except (ImportError, OSError, KeyError):  # pragma: no cover - no password database
        pass
    for name in (os.environ.get("HOME"), os.path.expanduser("~")):
        if name and os.path.isabs(name):
            homes.add(Path(name))
    resolved = set()
    for home in homes:
        try:
            resolved.add(home.resolve())
        except (OSError, RuntimeError):
            resolved.add(home)
    return resolved


def _mount_points() -> set[Path]:
    """Every mount point the kernel lists for this process (bind mounts included); empty where none are listed."""
    try:
        with open("/proc/self/mountinfo", "rb") as mountinfo:
            lines = mountinfo.read().splitlines()
    except OSError:
        return set()
    points = set()
    for line in lines:
        fields = line.split(b" ")
        if len(fields) > 4:  # octal escapes for space, tab, newline and backslash
            point = re.sub(rb"\\([0-7]{3})", lambda match: bytes([int(match.group(1), 8)]), fields[4])
            points.add(Path(os.fsdecode(point)))
    return points


def inputs_inside(folder: Path, inputs: Iterable[Path]) -> list[Path]:
    """The inputs that lie inside ``folder`` (resolved), as given."""
    inside = []
    for given in inputs:
        try:
            resolved = given.resolve()
        except (OSError, RuntimeError):
            continue
        if folder in resolved.parents:
            inside.append(given)
    return inside


def protected_reason(folder: Path) -> str | None:
    """Why the existing folder ``folder`` (resolved) may never be replaced, or None."""
    text = str(folder)
    if len(folder.parts) <= 2 or any(_within(folder, Path(tree)) for tree in SYSTEM_TREES) or text in _VAR:
        return "it is a system folder"
    cwd = Path.cwd().resolve()
    if _within(cwd, folder):
        return "it is the working folder or one of its parents"
    homes = sorted(home for home in _homes() if _within(home, folder))
    if homes:
        return f"it is or holds a home folder ({homes[0]})"
    if os.path.ismount(folder):
        return "it is a mount point"
    mounts = sorted(point for point in _mount_points() if _within(point, folder))
    if mounts:
        return f"it is or holds a mount point ({mounts[0]})"
    return None
