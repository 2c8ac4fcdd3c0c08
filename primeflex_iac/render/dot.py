"""Run Graphviz's `dot` on DOT text, when the program is installed."""

from __future__ import annotations

import graphviz

__all__ = ["DOT_MISSING", "render_dot"]

DOT_MISSING = "Graphviz's `dot` program is not installed (Debian/Ubuntu: apt-get install graphviz); wrote topology.gv only"


def render_dot(source: str, formats: tuple[str, ...]) -> dict[str, bytes] | None:
    """{format: bytes} for each format, or None when `dot` is not on the PATH."""
    try:
        return {fmt: graphviz.Source(source).pipe(format=fmt) for fmt in formats}
    except graphviz.ExecutableNotFound:
        return None
