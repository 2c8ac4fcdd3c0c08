"""Ordering of device names as people read them."""

from __future__ import annotations

import re

__all__ = ["natural_key"]


def natural_key(name: str) -> tuple[str, int, str]:
    """Sort cn2 before cn10 and cn999 before cn1000."""
    match = re.match(r"^(.*?)(\d+)$", name)
    return (match[1], int(match[2]), name) if match else (name, -1, name)
