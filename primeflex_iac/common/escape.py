"""Text from data (names, sources, sentences of a plan) made safe for each output format, one
helper per format, so that no name can change the structure of a generated file.

Inputs are checked against documented character sets (``common/names.py``); these helpers hold
even for text that was not (a plan built in code, a future field):

- ``one_line``: control, format and separator characters become spaces, and very long text is
  cut with an ellipsis (the base of the others);
- Slurm and YAML comments (``config_comment``): one line, so no newline can start a directive;
  ``config_word``: a name or id in a ``Key=Value`` pair, only from host-name and id characters;
- DOT (``dot_text``, ``dot_label``): never an HTML-like ``<...>`` string, backslashes doubled (no
  escape sequence, no trailing backslash eating the closing quote), ``&`` as ``&amp;`` (no entity),
  lines of at most DOT_LENGTH;
- XML and HTML text and attributes (``xml_text``): ``& < > " '`` as entities, one line (so no
  character XML 1.0 forbids);
- Markdown (``markdown_text``): HTML as entities and the characters of emphasis, links, images,
  code, tables and strikethrough backslash-escaped (``_`` inside a word is no emphasis: kept), and
  outside table cells (``cell=False``) a first character that would start a heading, list or quote;
- matplotlib (``plot_text``): ``$`` escaped, so a name is never mathtext;
- CSV (``csv_cell``): a cell starting (after spaces) with ``= + - @``, tab or carriage return (a
  formula to a spreadsheet, OWASP "CSV injection") gets a leading apostrophe, a lone ``-`` (a
  placeholder) excepted; the csv module quotes the rest.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import cast

import graphviz

__all__ = [
    "DOT_LENGTH",
    "TEXT_LIMIT",
    "config_comment",
    "config_word",
    "csv_cell",
    "dot_html_text",
    "dot_label",
    "dot_text",
    "markdown_text",
    "one_line",
    "plot_text",
    "xml_text",
]

TEXT_LIMIT = 2000  # longest text written anywhere (names are shorter still: common/names.py)
DOT_LENGTH = 200  # longest line of a DOT label; `dot` fails on strings past 16,384 characters
_UNSEEN = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
_WORD = re.compile(r"[A-Za-z0-9._-]+")  # no ',' or '[': a name is never a hostlist of several
_MARKDOWN = re.compile(r"([\\`*{}\[\]|~!]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_MARKDOWN_START = re.compile(r"^(|\d{1,9}(?=[.)](?:\s|$)))([#+\-=>.)])")
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def one_line(text: object, limit: int = TEXT_LIMIT) -> str:
    """``text`` on one line of printable characters, cut to ``limit`` characters with an ellipsis."""
    line = "".join(" " if unicodedata.category(c) in _UNSEEN else c for c in str(text))
    return line if len(line) <= limit else line[: limit - 1] + "…"


def config_comment(text: object) -> str:
    """Text for a ``#`` comment of a Slurm or YAML file: one line, so nothing after it is a directive,
    and no backslash at its end (a line continuation to some parsers)."""
    return one_line(text).rstrip("\\")


def config_word(text: str, what: str = "name") -> str:
    """A name or id in a Slurm ``Key=Value`` pair; raises ValueError for anything but host-name and id characters."""
    if not _WORD.fullmatch(text):
        raise ValueError(f"{what} {one_line(text, 80)!r} cannot be written to a Slurm file: letters, digits, '.', '_', '-' only")
    return text


def _dot(text: object, limit: int) -> str:
    # Graphviz reads entities in labels (&lt;) and escape sequences (\N, \l): both kept literal
    return one_line(text, limit).replace("&", "&amp;").replace("\\", "\\\\")


def dot_text(text: object, limit: int = DOT_LENGTH) -> str:
    """A DOT id or attribute value shown as written: never HTML-like, no escape sequences, one line."""
    return cast("str", graphviz.nohtml(_dot(text, limit)))  # the no-HTML subclass of str


def dot_label(*lines: object, limit: int = DOT_LENGTH) -> str:
    """A DOT label of several lines (joined by the ``\\n`` escape), each as :func:`dot_text`."""
    return cast("str", graphviz.nohtml("\\n".join(_dot(line, limit) for line in lines)))


def dot_html_text(text: object, limit: int = DOT_LENGTH) -> str:
    """Text inside a DOT HTML-like label (``<...>``): entities for ``& < > " '``, one line."""
    return html.escape(one_line(text, limit), quote=True)


def xml_text(text: object, limit: int = TEXT_LIMIT) -> str:
    """Text or an attribute value for SVG and HTML: entities for ``& < > " '``, one line."""
    return html.escape(one_line(text, limit), quote=True)


def markdown_text(text: object, limit: int = TEXT_LIMIT, *, cell: bool = False) -> str:
    """Inline Markdown (a list item, a heading; ``cell``: a table cell, where no block can start) that
    shows ``text`` and nothing else."""
    escaped = _MARKDOWN.sub(r"\\\1", html.escape(one_line(text, limit), quote=False))
    return escaped if cell else _MARKDOWN_START.sub(r"\1\\\2", escaped)


def plot_text(text: object, limit: int = DOT_LENGTH) -> str:
    """Text for a matplotlib title or label: one line, ``$`` escaped (it would start mathtext, which can fail to parse)."""
    return one_line(text, limit).replace("$", "\\$")


def csv_cell(text: object, limit: int = TEXT_LIMIT) -> str:
    """A CSV text cell a spreadsheet shows as text: a leading formula character is preceded by an apostrophe."""
    cell = one_line(text, limit)
    formula = len(cell.strip()) > 1 and cell.lstrip().startswith(_FORMULA)  # a lone '-' is a placeholder
    return "'" + cell if formula else cell
