"""YAML as the target tools' own files are written: block style, two-space indent, indented
sequences, keys in the order given, no line wrapping.

Strings are PyYAML's safe representation: quoted wherever they would read as anything else (a
number, a boolean, an anchor ``&a``, an alias ``*a``, a tag ``!!python/object``, a comment), with
escapes for characters YAML cannot hold plainly. Ansible also renders ``{{ }}``, ``{% %}`` and
``{# #}`` in variables as Jinja templates (running lookups on the controller), so for it a string
holding one is tagged ``!unsafe`` (``templates=False``): Ansible keeps it as text.

PyYAML's emitter takes about 0.4 ms a record (a cable, a device): minutes for the largest
clusters' NetBox bundles. Documents of mappings, sequences and one-line scalars are therefore
laid out here, each scalar as PyYAML writes it (plain when PyYAML's resolver reads it back as the
same string, else PyYAML's own text for it); anything else goes to PyYAML whole. The tests hold
both to the same bytes.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["yaml_text"]

_JINJA = ("{{", "{%", "{#")
# plain in block context whatever the neighbours: no indicator first, no ': ' or ' #', no edge spaces
_PLAIN = re.compile(r"(?!.*: )[A-Za-z0-9_(][A-Za-z0-9_.,:/()+ -]{0,198}[A-Za-z0-9_.)]|[A-Za-z0-9_(]")
_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")  # what PyYAML breaks a line at: its own layout then
_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"


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


def _plain_string(value: str) -> bool:
    """Whether PyYAML's resolver reads ``value`` written plain back as a string (not a number, bool, null, date)."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag == _STR


class _Whole(Exception):
    """The document holds something laid out by PyYAML alone."""


def _dump(data: Any, dumper: type[_Dumper]) -> str:
    text: str = yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1000)
    return text


class _Scalars:
    def __init__(self, dumper: type[_Dumper]) -> None:
        self.dumper = dumper
        self.known: dict[tuple[type, Any, bool], str] = {}
        self.plain: dict[str, bool] = {}

    def __call__(self, value: Any, key: bool) -> str:
        if type(value) is str:
            # names, types and tags repeat in every record: decide once whether each is written plain
            plain = self.plain.get(value)
            if plain is None:
                plain = self.plain[value] = bool(_PLAIN.fullmatch(value)) and _plain_string(value)
            if plain:
                return value
        elif value is None:
            return "null"
        elif value is True or value is False:
            return "true" if value else "false"
        elif type(value) is int:
            return str(value)
        if isinstance(value, (dict, list)) and not value:
            return "{}" if isinstance(value, dict) else "[]"
        if not isinstance(value, (str, int, float)):
            raise _Whole
        memo = (type(value), value, key)
        if memo not in self.known:
            text = _dump({value: 0} if key else {"k": value}, self.dumper)
            shown = text[: -len(": 0\n")] if key else text[len("k: ") :].removesuffix("\n")
            if _BREAKS.search(shown) or shown.startswith("? ") or (key and not text.endswith(": 0\n")):
                raise _Whole
            self.known[memo] = shown
        return self.known[memo]


def _block(value: Any) -> bool:
    return isinstance(value, (dict, list)) and bool(value)


def _lay_out(node: dict[Any, Any] | list[Any], indent: str, out: list[str], scalar: _Scalars) -> None:
    # exact types: a subclass of dict or list is no block here, so scalar() hands the document to PyYAML
    inner = indent + "  "
    if type(node) is dict:
        for key, value in node.items():
            if (type(value) is dict or type(value) is list) and value:
                out.append(f"{indent}{scalar(key, True)}:\n")
                _lay_out(value, inner, out, scalar)
            else:
                out.append(f"{indent}{scalar(key, True)}: {scalar(value, False)}\n")
        return
    for item in node:
        if type(item) is dict and item:
            first = len(out)
            _lay_out(item, inner, out, scalar)
            out[first] = f"{indent}- {out[first][len(inner) :]}"
        elif _block(item):
            raise _Whole  # a sequence in a sequence
        else:
            out.append(f"{indent}- {scalar(item, False)}\n")


def yaml_text(data: Any, header: str = "", *, templates: bool = True) -> str:
    """``data`` as YAML, after ``header`` (comment lines, each starting with '#').

    ``templates=False``: strings that Ansible would render as Jinja templates are tagged ``!unsafe``.
    """
    dumper = _Dumper if templates else _AnsibleDumper
    if _block(data) and type(data) in (dict, list):
        out: list[str] = []
        try:
            _lay_out(data, "", out, _Scalars(dumper))
            return header + "".join(out)
        except _Whole:
            pass
    return header + _dump(data, dumper)
