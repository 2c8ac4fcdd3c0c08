"""Placeholder."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from primeflex_iac.plan.model import Plan


def existing_topology_dot(plan: Plan) -> str:
    raise NotImplementedError
