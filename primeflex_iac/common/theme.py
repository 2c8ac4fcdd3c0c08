"""Colours and fonts shared by every picture and by the NetBox device roles, in one place so the legend cannot drift."""

from __future__ import annotations

from typing import Final

FONT: Final = "DejaVu Sans"
ROLE_COLOURS: Final[dict[str, str]] = {
    "compute": "#cfe2f3",
    "fabric": "#f9cb9c",
    "management": "#d9d9d9",
    "head": "#fff2cc",
    "storage": "#d9ead3",
    "blank": "#ffffff",
}
ROLE_LABELS: Final[dict[str, str]] = {
    "compute": "compute",
    "fabric": "high-speed fabric",
    "management": "management network",
    "head": "head node",
    "storage": "storage",
    "blank": "blank (free)",
}
EDGE_COLOURS: Final[dict[str, str]] = {"fabric": "#b45f06", "management": "#666666", "storage": "#38761d"}
# what an existing site has installed, drawn beside what a plan adds: grey, dashed, grey text
EXISTING_COLOURS: Final[dict[str, str]] = {"fill": "#efefef", "line": "#8c8c8c", "text": "#595959", "block": "#c9c9c9"}
