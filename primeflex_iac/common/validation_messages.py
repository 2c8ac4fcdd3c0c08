"""Pydantic's validation errors in words a spec's author reads: what was expected, what was found.

Union members and validator names are taken out of locations; an unknown field names the fields
its section takes and the closest one; a missing field quotes its description; a mistyped choice
gets a "did you mean", as every message about an unknown id, unit or choice does (``closest``).
"""

from __future__ import annotations

import difflib
import re
import types
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = ["closest", "describe_error", "is_internal_loc", "unknown_name"]


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


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_internal_loc(part: object) -> bool:
    # pydantic adds the names of union members and validators to locations; they mean nothing to a user
    return isinstance(part, str) and (part.startswith("function-") or "[" in part or part in {"str", "int", "float"})


def describe_error(error: Mapping[str, Any], model: type[BaseModel], loc: Sequence[str | int]) -> str:
    """What was expected and what was found, in words."""
    kind = error.get("type", "")
    message = str(error.get("msg", "invalid value"))
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else ""
        known = _fields_at(model, loc[:-1])
        if not known:
            return f"unknown field {name!r} (check the spelling; see the README for the fields this section takes)"
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown field {name!r}; {hint}expected one of: {', '.join(known)}"
    if kind == "missing":
        description = _description_at(model, loc)
        if not description:
            return "required field is missing"
        return f"required field is missing: expected {description[0].lower()}{description[1:].rstrip('.')}"
    if kind.startswith(("date_", "datetime_")):
        message = "expected a month such as '2019-06' or a date such as '2019-06-15'"
    message = message.removeprefix("Value error, ")
    if kind == "literal_error" and isinstance(error.get("input"), str):
        guess = closest(error["input"], re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", ""))))
        if guess is not None:
            message = f"did you mean {guess!r}? {message}"
    if "input" in error:
        found = error["input"]
        if not isinstance(found, (dict, list)) and "found" not in message:
            message += f" (found {_shorten(repr(found), 80)})"
        elif isinstance(found, (dict, list)) and "found" not in message:
            message += f" (found a {'mapping' if isinstance(found, dict) else 'list'})"
    return message


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds directly (through Optional and Annotated), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Annotated, Union, types.UnionType):
        for argument in get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    return None


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation of the value at ``part`` inside a value of ``annotation``."""
    model = _model_in(annotation)
    if model is not None and isinstance(part, str):
        field = model.model_fields.get(part)
        return field.annotation if field is not None else None
    candidates = get_args(annotation) if get_origin(annotation) in (Annotated, Union, types.UnionType) else (annotation,)
    for candidate in candidates:
        origin = get_origin(candidate)
        if origin is list and isinstance(part, int):
            return get_args(candidate)[0]
        if origin is dict and isinstance(part, str):
            return get_args(candidate)[1]
    return None


def _fields_at(model: type[BaseModel], path: Sequence[str | int]) -> list[str]:
    """The field names of the model at ``path`` inside ``model`` (empty if there is none)."""
    annotation: Any = model
    for part in path:
        annotation = _step(annotation, part)
    found = _model_in(annotation)
    return list(found.model_fields) if found is not None else []


def _description_at(model: type[BaseModel], path: Sequence[str | int]) -> str | None:
    """The description of the field at ``path``, if it has one."""
    if not path or not isinstance(path[-1], str):
        return None
    annotation: Any = model
    for part in path[:-1]:
        annotation = _step(annotation, part)
    parent = _model_in(annotation)
    field = parent.model_fields.get(path[-1]) if parent is not None else None
    return field.description if field is not None else None
