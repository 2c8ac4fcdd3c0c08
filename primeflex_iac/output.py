"""Write a set of output files all at once: into a temporary folder, then moved into place.

A failed run leaves the previous output untouched; a half-written folder is never visible.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["write_outputs"]


def write_outputs(directory: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Replace ``directory`` with exactly ``files`` (name -> text or bytes); returns the written paths."""
    given = directory
    directory = directory.resolve()
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        for name, content in sorted(files.items()):
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
