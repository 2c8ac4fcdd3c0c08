"""YAML as the target tools' own files are written: block style, two-space indent, indented
sequences, keys in the order given, no line wrapping.

Strings are PyYAML's safe representation: quoted wherever they would read as anything else (a
number, a boolean, an anchor ``&a``, an alias ``*a``, a tag ``!!python/object``, a comment), with
escapes for characters YAML cannot hold plainly. Ansible also renders ``{{ }}``, ``{% %}`` and
``{# #}`` in variables as Jinja templates (running lookups on the controller), so for it a string
holding one is tagged ``!unsafe`` (``templates=False``): Ansible keeps it as text.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["yaml_text"]

_JINJA = ("{{", "{%", "{#")


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


class _AnsibleDumper(_Dumper):
    pass


def _unsafe_if_template(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if any(mark in value for mark in _JINJA):
        return dumper.represent_scalar("!unsafe", value, style='"')
    return dumper.represent_str(value)


_AnsibleDumper.add_representer(str, _unsafe_if_template)


def yaml_text(data: Any, header: str = "", *, templates: bool = True) -> str:
    """``data`` as YAML, after ``header`` (comment lines, each starting with '#').

    ``templates=False``: strings that Ansible would render as Jinja templates are tagged ``!unsafe``.
    """
    dumper = _Dumper if templates else _AnsibleDumper
    text: str = yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1000)
    return header + text
