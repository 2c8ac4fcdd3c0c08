"""Run Graphviz's `dot` on DOT text, when the program is installed: one layout, every format from it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["DOT_MISSING", "render_dot"]

DOT_MISSING = "Graphviz's `dot` program is not installed (Debian/Ubuntu: apt-get install graphviz); wrote topology.gv only"


def render_dot(source: str, formats: tuple[str, ...]) -> dict[str, bytes] | None:
    """{format: bytes} for each format, or None when `dot` is not on the PATH.

    One `dot` process lays the graph out once and writes each format (``-Tsvg -o a -Tpng -o b``),
    where running it per format would lay the same graph out again each time.
    """
    dot = shutil.which("dot")
    if dot is None:
        return None
    with tempfile.TemporaryDirectory(prefix="primeflex-dot-") as folder:
        outputs = {fmt: Path(folder) / f"topology.{fmt}" for fmt in formats}
        arguments = [argument for fmt, path in outputs.items() for argument in (f"-T{fmt}", f"-o{path}")]
        result = subprocess.run([dot, *arguments], input=source.encode("utf-8"), capture_output=True, check=False)
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip() or f"exit code {result.returncode}"
            raise RuntimeError(f"Graphviz's dot failed on the topology: {message}")
        return {fmt: path.read_bytes() for fmt, path in outputs.items()}
