"""Pure functions of a Plan that return text; nothing here knows that a solver exists."""

from .bom import bom_csv, bom_markdown
from .summary import summary_text

__all__ = ["bom_csv", "bom_markdown", "summary_text"]
