""" "Did you mean": the closest known name to a mistyped one, for every message about an unknown name."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["closest", "unknown_name"]


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` most likely meant: same letters in another case, else the nearest spelling."""
    choices = list(known)
    folded = [choice for choice in choices if choice.casefold() == name.casefold()]
    if folded:  # 'KW' is 'kW'; but 'gb/s' could be 'GB/s' or 'Gb/s', eight times apart: no guess
        return folded[0] if len(folded) == 1 else None
    simplified = {choice.replace("-", "").replace("_", "").casefold(): choice for choice in choices}
    key = name.replace("-", "").replace("_", "").casefold()
    if key in simplified:
        return simplified[key]
    found = difflib.get_close_matches(name, choices, n=1, cutoff=0.75)
    return found[0] if found else None


def unknown_name(what: str, name: str, known: Iterable[str]) -> str:
    """ "unknown GPU id 'a100-sxm-40gb'; did you mean 'a100-sxm4-40gb'? (known: ...)"."""
    choices = sorted(known)
    guess = closest(name, choices)
    hint = f"; did you mean {guess!r}?" if guess is not None else ""
    return f"unknown {what} {name!r}{hint} (known: {', '.join(choices)})"
