"""The character sets and lengths of every name that reaches an output, checked where it is read.

Outputs are escaped for their own format as well (``common/escape.py``); these sets keep what
reaches them plain, so that a name reads the same in every file:

- a **display name** (spec ``name``, catalog item ``name``, names and lines in a plan): printable
  Unicode on one line: no control characters (tab, newline, NUL, ...), no invisible format
  characters (bidirectional overrides such as U+202E, zero-width spaces, byte-order marks), no
  line or paragraph separators, no surrogates, private-use or unassigned code points; at most
  NAME_LENGTH characters (TEXT_LENGTH for sources, notes and a plan's sentences);
- a **description** (spec ``description``): the same, but lines may break (a YAML folded block
  ends in a newline); at most DESCRIPTION_LENGTH characters;
- an **identifier** (catalog ids): lowercase letters, digits, dots and dashes, starting with a
  letter or digit, at most ID_LENGTH characters;
- a **host name** (devices, racks and compute nodes of a plan): letters, digits and dashes,
  starting and ending with a letter or digit, at most 63 characters (one DNS label, RFC 1123).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

__all__ = [
    "DESCRIPTION_LENGTH",
    "HOST_PATTERN",
    "ID_LENGTH",
    "ID_PATTERN",
    "NAME_LENGTH",
    "TEXT_LENGTH",
    "Description",
    "DisplayName",
    "DisplayText",
    "HostName",
    "Identifier",
    "display_problem",
]

NAME_LENGTH = 120
TEXT_LENGTH = 2000
DESCRIPTION_LENGTH = 4000
ID_LENGTH = 64
ID_PATTERN = r"^[a-z0-9][a-z0-9.-]*$"
HOST_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
# what JSON Schema can say of the set: no C0/C1 controls, bidi or zero-width format characters, separators
_SCHEMA_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff]*$"
_SCHEMA: dict[str, object] = {"pattern": _SCHEMA_PATTERN}
_REFUSED = {
    "Cc": "a control character",
    "Cf": "an invisible format character",
    "Cs": "a surrogate",
    "Co": "a private-use character",
    "Cn": "an unassigned character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def display_problem(text: str, *, lines: bool = False) -> str | None:
    """Why ``text`` is not a display name (None when it is); ``lines``: newlines are allowed."""
    for index, char in enumerate(text):
        if lines and char == "\n":
            continue
        kind = _REFUSED.get(unicodedata.category(char))
        if kind is not None:
            what = "text is printable, newlines allowed" if lines else "names are printable text on one line"
            return f"{kind} (U+{ord(char):04X}) at character {index + 1}: {what} (no control, format or invisible characters)"
    return None


def _display(text: str) -> str:
    problem = display_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


def _description(text: str) -> str:
    problem = display_problem(text, lines=True)
    if problem is not None:
        raise ValueError(problem)
    return text


DisplayName = Annotated[str, Field(max_length=NAME_LENGTH, json_schema_extra=_SCHEMA), AfterValidator(_display)]
DisplayText = Annotated[str, Field(max_length=TEXT_LENGTH, json_schema_extra=_SCHEMA), AfterValidator(_display)]
Description = Annotated[str, Field(max_length=DESCRIPTION_LENGTH), AfterValidator(_description)]
Identifier = Annotated[str, StringConstraints(max_length=ID_LENGTH, pattern=ID_PATTERN)]
HostName = Annotated[str, StringConstraints(max_length=63, pattern=HOST_PATTERN)]
