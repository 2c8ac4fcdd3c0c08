"""Read YAML input files safely and remember where every value stands.

The result of :func:`load_yaml` is plain data plus a map from field paths to (line, column), so
that validation errors raised later by pydantic can be reported at the line of the spec that
caused them. Aliases are expanded with a budget, so a "billion laughs" document is refused quickly
instead of exhausting memory; duplicate keys, several documents in one file and non-UTF-8 bytes
are errors.

Plain values are read by YAML 1.2's core schema, not PyYAML's YAML 1.1 one, so that nothing is
silently read as something the writer did not mean: ``0x5A``, ``0o17`` and ``1:30`` (base 60)
stay text, which the field then refuses with a message; ``010`` (an octal 8 in YAML 1.1) is
refused; ``yes``/``no``/``on``/``off`` stay text; dates stay text for the field to check, so an
impossible one (``2019-02-30``) is a located error rather than a crash. Infinite and
not-a-number values, numbers of more than 30 digits and tags other than the standard ones
(``!!python/object``, ``!!binary``, ...) are errors.
"""

from __future__ import annotations

import math
import re
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from primeflex_iac.common.validation_messages import describe_error, is_internal_loc
from primeflex_iac.errors import Problem, SpecError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["STDIN", "YamlDocument", "describe_error", "load_yaml", "parse_yaml_text", "validate_document"]

MAX_FILE_BYTES = 1024 * 1024  # a spec or an overlay is a few kilobytes
MAX_NODES = 100_000  # values visited, aliases expanded
MAX_DEPTH = 64
STDIN = "-"  # as a file name: standard input
STDIN_NAME = "<stdin>"
MAX_DIGITS = 30  # more digits than any figure of a cluster needs

_TAG = "tag:yaml.org,2002:"
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: the same events, faster


class _CoreSchemaLoader(_BASE_LOADER):  # type: ignore[misc]
    """PyYAML's safe loader resolving plain values by YAML 1.2's core schema (decimal numbers only)."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}


for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    ("int", r"^[-+]?[0-9][0-9_]*$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
):
    _CoreSchemaLoader.add_implicit_resolver(_TAG + _tag, re.compile(_pattern), list(_first))
_CoreSchemaLoader.add_implicit_resolver(_TAG + "null", re.compile(r"^$"), [""])
_CoreSchemaLoader.add_implicit_resolver(_TAG + "merge", re.compile(r"^<<$"), ["<"])  # refused with its own message

M = TypeVar("M", bound=BaseModel)
Location = tuple[int, int]
PathKey = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """Parsed YAML data and where each field path starts in the file (1-based line and column)."""

    file: str
    data: Any
    locations: dict[PathKey, Location] = field(default_factory=dict)

    def locate(self, path: Sequence[str | int]) -> Location | None:
        """The position of ``path`` or of its nearest ancestor that has one."""
        key = tuple(path)
        while True:
            if key in self.locations:
                return self.locations[key]
            if not key:
                return None
            key = key[:-1]

    def problem(self, path: Sequence[str | int], message: str) -> Problem:
        where = self.locate(path)
        line, column = where if where else (None, None)
        return Problem(self.file, line, column, format_path(path), message)


def format_path(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


class _Builder:
    """Turns a composed YAML node graph into Python data, with locations and budgets."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.locations: dict[PathKey, Location] = {}
        self.visited = 0
        self.seen: set[int] = set()  # collections already built: meeting one again is an alias
        self.aliases = False

    def fail(self, node: yaml.Node, message: str, path: PathKey = ()) -> SpecError:
        mark = node.start_mark
        return SpecError([Problem(self.file, mark.line + 1, mark.column + 1, format_path(path), message)])

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            expanded = " once aliases are expanded" if self.aliases else ""
            raise self.fail(node, f"document too large{expanded} (over {MAX_NODES:,} values)")
        if isinstance(node, yaml.CollectionNode):
            self.aliases |= id(node) in self.seen
            self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise self.fail(node, f"document nested too deeply (over {MAX_DEPTH} levels)")
        self.locations.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            if node.tag != _TAG + "map":
                raise self.fail(node, f"YAML tag {node.tag!r} is not accepted here; expected a plain mapping")
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, "merge keys ('<<') are not supported; write the fields out")
                key = self.build_scalar(key_node)
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    raise self.fail(key_node, f"keys must be text, found {key!r}")
                key = str(key)
                if key in result:
                    raise self.fail(key_node, f"duplicate key {key!r}")
                child = (*path, key)
                self.locations[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.build(value_node, child, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                raise self.fail(node, f"YAML tag {node.tag!r} is not accepted here; expected a plain list")
            return [self.build(item, (*path, index), depth + 1) for index, item in enumerate(node.value)]
        return self.build_scalar(node, path)

    def build_scalar(self, node: yaml.Node, path: PathKey = ()) -> Any:
        """The value of a scalar by its (resolved or explicit) tag; each is read here, by rules stated above."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "expected a plain value here")
        text: str = node.value
        tag = node.tag.removeprefix(_TAG)
        if tag == "str":
            return text
        if tag == "int":
            return self.integer(node, text, path)
        if tag == "float":
            return self.real(node, text, path)
        if tag == "bool" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if tag == "null" and text in ("", "~", "null", "Null", "NULL"):
            return None
        raise self.fail(node, f"YAML tag {node.tag!r} is not accepted (value {_shorten(text)!r}); write plain values", path)

    def integer(self, node: yaml.Node, text: str, path: PathKey) -> int:
        digits = text.replace("_", "").lstrip("+-")
        if not digits.isdigit() or not digits.isascii():
            raise self.fail(node, f"expected a decimal whole number, found {_shorten(text)!r}", path)
        if len(digits) > MAX_DIGITS:
            raise self.fail(node, f"number too long ({len(digits):,} digits; at most {MAX_DIGITS})", path)
        if len(digits) > 1 and digits.startswith("0"):
            raise self.fail(node, f"{text!r} has a leading zero, which YAML 1.1 reads as octal; write it without the zero", path)
        return int(text.replace("_", ""), 10)

    def real(self, node: yaml.Node, text: str, path: PathKey) -> float:
        cleaned = text.replace("_", "")
        if cleaned.lstrip("+-").lower() in (".inf", ".nan"):
            raise self.fail(node, f"infinite and not-a-number values are not accepted, found {text!r}", path)
        mantissa = re.split(r"[eE]", cleaned)[0]
        if sum(ch.isdigit() for ch in mantissa) > MAX_DIGITS:
            raise self.fail(node, f"number too long (more than {MAX_DIGITS} digits), found {_shorten(text)!r}", path)
        try:
            value = float(cleaned)
        except ValueError:
            raise self.fail(node, f"expected a decimal number, found {_shorten(text)!r}", path) from None
        if not math.isfinite(value):
            raise self.fail(node, f"number out of range, found {_shorten(text)!r}", path)
        return value


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_yaml_text(text: str, file: str) -> YamlDocument:
    """Parse one YAML document from ``text``; ``file`` names it in error messages."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_CoreSchemaLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = f"malformed YAML: {exc.problem or exc}"
        if "nesting depth" in message:  # libyaml's own limit (1,000 levels)
            message = f"document nested too deeply (over {MAX_DEPTH} levels)"
        raise SpecError([Problem(file, line, column, "", message)]) from exc
    except yaml.YAMLError as exc:
        raise SpecError([Problem(file, None, None, "", f"malformed YAML: {exc}")]) from exc
    except RecursionError as exc:
        raise SpecError([Problem(file, None, None, "", f"document nested too deeply (over {MAX_DEPTH} levels)")]) from exc
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise SpecError([Problem(file, None, None, "", "the file is empty; expected a YAML mapping")])
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        raise SpecError([Problem(file, mark.line + 1, mark.column + 1, "", "several YAML documents in one file; expected one")])
    builder = _Builder(file)
    data = builder.build(nodes[0], (), 0)
    if not isinstance(data, Mapping):
        raise SpecError([Problem(file, 1, 1, "", f"expected a YAML mapping at the top, found {type(data).__name__}")])
    return YamlDocument(file, data, builder.locations)


def load_yaml(path: str | Path) -> YamlDocument:
    """Read and parse a YAML file; every failure is a :class:`SpecError` naming the file."""
    if str(path) == STDIN:
        return _load_stdin()
    path = Path(path)
    name = str(path)
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise SpecError([Problem(name, None, None, "", "is a directory; expected a YAML file")])
        if not stat.S_ISREG(mode):  # a FIFO would block, /dev/zero never end
            raise SpecError(
                [Problem(name, None, None, "", "is not a regular file (a device, pipe or socket); expected a YAML file")]
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise SpecError([Problem(name, None, None, "", f"file too large (over {MAX_FILE_BYTES:,} bytes)")])
    except FileNotFoundError as exc:
        raise SpecError([Problem(name, None, None, "", "no such file")]) from exc
    except OSError as exc:
        raise SpecError([Problem(name, None, None, "", f"cannot read: {exc.strerror or exc}")]) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError([Problem(name, line, None, "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x})")]) from exc
    return parse_yaml_text(text, name)


def _load_stdin() -> YamlDocument:
    """The document piped to standard input (``-`` as the file), named ``<stdin>`` in messages."""
    raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise SpecError([Problem(STDIN_NAME, None, None, "", f"input too large (over {MAX_FILE_BYTES:,} bytes)")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError([Problem(STDIN_NAME, line, None, "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x})")]) from exc
    return parse_yaml_text(text, STDIN_NAME)


def validate_document(document: YamlDocument, model: type[M]) -> M:
    """Validate ``document`` against ``model``, turning every pydantic error into a located Problem."""
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        located = []
        for error in errors:
            loc = [part for part in error["loc"] if not is_internal_loc(part)]
            if _other_member_says_more(error, errors):
                continue
            located.append((tuple(loc), describe_error(error, model, loc)))
        # a union reports each of its members; the error deepest inside the value says the most
        paths = {loc for loc, _ in located}
        problems = [
            document.problem(loc, message)
            for loc, message in located
            if not any(len(other) > len(loc) and other[: len(loc)] == loc for other in paths)
        ]
        raise SpecError(sorted(set(problems), key=_order)) from None


def _other_member_says_more(error: Mapping[str, Any], errors: Sequence[Mapping[str, Any]]) -> bool:
    """A union member's "should be a valid list" when another member of the union says what the value is
    (`objective: cots` is not "a valid list": it is an unknown objective)."""
    if not str(error.get("type", "")).endswith("_type"):
        return False
    here = [part for part in error["loc"] if not is_internal_loc(part)]
    return any(
        other is not error
        and not str(other.get("type", "")).endswith("_type")
        and [part for part in other["loc"] if not is_internal_loc(part)] == here
        for other in errors
    )


def _order(problem: Problem) -> tuple[int, int, str, str]:
    return (problem.line or 0, problem.column or 0, problem.path, problem.message)
