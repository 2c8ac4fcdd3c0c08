"""Errors that carry where the problem is: file, line, column and field path.

One hierarchy; the command line maps it to exit codes in one place (``cli/main.py``)::

    PrimeflexError                 raised on purpose; lists every Problem found
      InputError                   an input is unusable (exit 2, "invalid input")
        SpecError                  the spec, or how it names the catalog
          CatalogError             the catalog, or an overlay laid over it
        PlanFileError              a plan.json that cannot be read or is not a plan
        OutputFolderError          an output folder primeflex may not replace
      ExportError                  a plan that cannot be exported as asked (exit 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CatalogError",
    "ExportError",
    "InputError",
    "OutputFolderError",
    "PlanFileError",
    "PrimeflexError",
    "Problem",
    "SpecError",
]


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


@dataclass
class PrimeflexError(Exception):
    """Base of the errors this package raises on purpose; ``problems`` lists every problem found.

    ``str(error)`` is "N problem(s) found:" and one indented line per problem.
    """

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)


class InputError(PrimeflexError):
    """An input the user gave (a file or a folder) cannot be used as it is."""


class SpecError(InputError):
    """An input (spec or catalog overlay) is invalid."""


class CatalogError(SpecError):
    """The catalog, or an overlay laid over it, is invalid."""


class PlanFileError(InputError):
    """A plan file cannot be read, or does not hold a plan written by `primeflex solve`."""


class OutputFolderError(InputError):
    """An output folder holds something primeflex may not replace."""


class ExportError(PrimeflexError):
    """A plan cannot be exported to the target asked for (the reason is the problem's message)."""
