"""YAML as the target tools' own files are written: block style, two-space indent, indented
sequences, keys in the order given, no line wrapping."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["yaml_text"]


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def yaml_text(data: Any, header: str = "") -> str:
    """``data`` as YAML, after ``header`` (comment lines, each starting with '#')."""
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)
    return header + text
