"""Errors that carry where the problem is: file, line, column and field path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CatalogError", "PrimeflexError", "Problem", "SpecError"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located as precisely as it can be."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field_part = f" {self.path}:" if self.path else ""
        return f"{where}:{field_part} {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "path": self.path, "message": self.message}


class PrimeflexError(Exception):
    """Base of the errors this package raises on purpose."""


@dataclass
class SpecError(PrimeflexError):
    """An input (spec or catalog overlay) is invalid; ``problems`` lists every problem found."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)


class CatalogError(SpecError):
    """The catalog, or an overlay laid over it, is invalid."""
