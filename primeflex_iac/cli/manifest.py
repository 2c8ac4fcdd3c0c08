"""What primeflex wrote into a folder: a manifest listing every file with its size and SHA-256.

Each output folder holds ``.primeflex-manifest.json`` (sorted, no dates: the same files give the
same bytes), and so does each export folder (``slurm/``, ``netbox/``, ``ansible/``), which
``primeflex export`` may replace on its own. A folder is :func:`ours` when every entry in it is a
file its manifest lists, unchanged, or an export folder that is itself ours; anything else (a file
added or edited, a symbolic link, an empty folder) makes it someone else's.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["EXPORT_FOLDERS", "MANIFEST", "manifests", "ours"]

MANIFEST = ".primeflex-manifest.json"
EXPORT_FOLDERS = ("slurm", "netbox", "ansible")  # what `solve --export` adds beside the plan
_WRITTEN_BY = "primeflex-iac"


def _digest(content: str | bytes) -> str:
    return hashlib.sha256(content.encode("utf-8") if isinstance(content, str) else content).hexdigest()


def _size(content: str | bytes) -> int:
    return len(content.encode("utf-8") if isinstance(content, str) else content)


def _manifest_text(files: Mapping[str, str | bytes]) -> str:
    listed = {name: {"sha256": _digest(content), "size": _size(content)} for name, content in sorted(files.items())}
    return json.dumps({"written_by": _WRITTEN_BY, "files": listed}, indent=1, sort_keys=True) + "\n"


def manifests(files: Mapping[str, str | bytes], exports: bool = True) -> dict[str, str]:
    """The manifest files for ``files`` (relative path -> content): one at the top, one per export folder if ``exports``."""
    groups: dict[str, dict[str, str | bytes]] = {"": {}}
    for name, content in files.items():
        top, _, rest = name.partition("/")
        if exports and rest and top in EXPORT_FOLDERS:
            groups.setdefault(top, {})[rest] = content
        else:
            groups[""][name] = content
    return {(f"{folder}/" if folder else "") + MANIFEST: _manifest_text(listed) for folder, listed in groups.items()}


def _listed(folder: Path) -> dict[str, dict[str, object]] | None:
    """The files ``folder``'s manifest lists, {} without a manifest, None if it is not one of ours."""
    path = folder / MANIFEST
    try:
        info = path.lstat()
    except FileNotFoundError:
        return {}
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > 16 << 20:
        return None
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("written_by") != _WRITTEN_BY or not isinstance(data.get("files"), dict):
        return None
    files: dict[str, dict[str, object]] = data["files"]
    return files if all(isinstance(entry, dict) for entry in files.values()) else None


def _unchanged(path: Path, size: int, entry: dict[str, object]) -> bool:
    if entry.get("size") != size:
        return False
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == entry.get("sha256")


def ours(folder: Path, exports: bool = True) -> bool:
    """Whether everything in the existing ``folder`` is what primeflex wrote there (see the module's docstring)."""
    listed = _listed(folder)
    if listed is None:
        return False
    try:
        for root, dirs, names in os.walk(folder, onerror=_raise):
            base = Path(root)
            relative = base.relative_to(folder).as_posix()
            prefix = "" if relative == "." else relative + "/"
            if not prefix and exports:  # an export folder is vouched for by its own manifest
                for name in [d for d in dirs if d in EXPORT_FOLDERS and (base / d / MANIFEST).exists()]:
                    dirs.remove(name)
                    if (base / name).is_symlink() or not ours(base / name, exports=False):
                        return False
            for name in dirs:
                if (base / name).is_symlink() or not any(key.startswith(f"{prefix}{name}/") for key in listed):
                    return False  # a link, or a folder primeflex did not make
            for name in names:
                if not prefix and name == MANIFEST:
                    continue
                info = (base / name).lstat()
                entry = listed.get(prefix + name)
                if entry is None or not stat.S_ISREG(info.st_mode) or not _unchanged(base / name, info.st_size, entry):
                    return False
    except OSError:
        return False
    return True


def _raise(error: OSError) -> None:
    raise error
