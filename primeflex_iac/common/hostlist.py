"""Slurm hostlist expressions: ``gpu[001-064]`` for gpu001 ... gpu064.

The grammar is Slurm's (slurm.conf(5), "hostlist expression"): a comma-separated list of names
or ``prefix[ranges]``, where ranges are comma-separated numbers or ``low-high`` spans whose
numbers keep the width of their zero padding. Names are grouped by prefix and digit count, so
``cn999,cn1000`` becomes ``cn999,cn1000`` rather than an ambiguous mixed-width range.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["compress", "expand"]

_NAME = re.compile(r"^(?P<prefix>.*?)(?P<digits>\d+)$")
_GROUP = re.compile(r"([^,\[\]]*)\[([^\[\]]+)\]|([^,\[\]]+)")


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def compress(names: Iterable[str]) -> str:
    """The shortest Slurm hostlist expression naming exactly ``names`` (duplicates dropped)."""
    groups: dict[tuple[str, int], set[int]] = {}
    plain: set[str] = set()
    for name in names:
        match = _NAME.match(name)
        if match is None:
            plain.add(name)
        else:
            groups.setdefault((match["prefix"], len(match["digits"])), set()).add(int(match["digits"]))
    parts: list[tuple[str, int, int, str]] = [(name, 0, 0, name) for name in plain]
    for (prefix, width), numbers in groups.items():
        runs = _runs(sorted(numbers))
        if len(runs) == 1 and runs[0][0] == runs[0][1]:
            text = f"{prefix}{runs[0][0]:0{width}d}"
        else:
            spans = (f"{a:0{width}d}" if a == b else f"{a:0{width}d}-{b:0{width}d}" for a, b in runs)
            text = f"{prefix}[{','.join(spans)}]"
        parts.append((prefix, width, min(numbers), text))
    return ",".join(text for *_, text in sorted(parts))


def expand(expression: str, limit: int | None = None) -> list[str]:
    """Every name of a hostlist expression, in its order; raises ValueError on bad syntax, or when
    it names more than ``limit`` hosts (checked before any name is built)."""
    names: list[str] = []
    position = 0
    while position < len(expression):
        match = _GROUP.match(expression, position)
        if match is None or match.end() == position:
            raise ValueError(f"bad hostlist expression {expression!r} at {position}")
        if match[3] is not None:
            names.append(match[3])
        else:
            prefix, ranges = match[1], match[2]
            for span in ranges.split(","):
                low, _, high = span.partition("-")
                if not low.isdigit() or (high and not high.isdigit()):
                    raise ValueError(f"bad range {span!r} in {expression!r}")
                width = len(low)
                if limit is not None and len(names) + int(high or low) - int(low) + 1 > limit:
                    raise ValueError(f"{expression!r} names more than {limit:,} hosts")
                for number in range(int(low), int(high or low) + 1):
                    names.append(f"{prefix}{number:0{width}d}")
        position = match.end()
        if position < len(expression):
            if expression[position] != ",":
                raise ValueError(f"expected ',' in {expression!r} at {position}")
            position += 1
            if position == len(expression):
                raise ValueError(f"trailing ',' in {expression!r}")
    return names
