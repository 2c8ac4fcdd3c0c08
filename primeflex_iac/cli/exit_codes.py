"""The exit codes of `primeflex`, defined once; ``main`` maps every error to one of them."""

from __future__ import annotations

import sys

__all__ = ["EXIT_INFEASIBLE", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_INVALID", "EXIT_OK", "invalid"]

EXIT_OK = 0  # a plan, an estimate, a schema (a time-limited plan warns on stderr)
EXIT_INTERNAL = 1  # a bug, or the machine's trouble (a full disk, a missing permission)
EXIT_INVALID = 2  # invalid input: the spec, an overlay, a plan file, an output folder, an option
EXIT_INFEASIBLE = 3  # no plan: infeasible, or none found within the time limit
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT


def invalid(message: str) -> int:
    """Say on stderr that the input is invalid, without a located problem; returns EXIT_INVALID."""
    print(f"primeflex: invalid input, {message}", file=sys.stderr)
    return EXIT_INVALID
