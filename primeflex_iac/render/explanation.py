"""Why a spec has no plan, and what would give one: the text `primeflex explain` and `solve` print."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from primeflex_iac.plan.model import Plan

__all__ = ["explanation_text"]


def explanation_text(plan: Plan) -> str:
    """The conflicting requirements of an infeasible plan, each with how far it must move."""
    lines = [f"{plan.name}: {plan.status.upper()}"]
    if plan.status != "infeasible":
        lines.append(f"  {plan.message}")
        return "\n".join(lines) + "\n"
    lines.append("  No plan meets the spec. These requirements cannot all hold together:")
    by_group = {r.requirement: r for r in plan.relaxations}
    for group in plan.conflicts:
        relaxation = by_group.get(group)
        if relaxation is None:
            lines.append(f"    - {group}")
            continue
        asked = relaxation.asked
        lines.append(f"    - {asked}" if asked.startswith(group) else f"    - {group}: {asked}")
        if relaxation.needed:
            lines.append(f"        needs  {relaxation.needed}")
        if relaxation.limit:
            lines.append(f"        limit  {relaxation.limit}")
        if relaxation.change:
            lines.append(f"        fix    {relaxation.change}")
        if relaxation.example:
            label = "gives " if relaxation.change else "note  "
            lines.append(f"        {label} {relaxation.example}")
    if not plan.relaxations:
        lines.append("  Relax one of them (or allow more of the catalog) and solve again.")
    elif all(r.change for r in plan.relaxations):
        lines.append("  Any one fix alone gives a plan, every other requirement held (each was checked by solving).")
    elif any(r.change for r in plan.relaxations):
        lines.append("  Each fix shown alone gives a plan, every other requirement held (each was checked by solving).")
    else:
        lines.append("  No single change gives a plan: several of these must move together.")
    together = plan.combined_relaxation
    if together is not None and together.change:
        lines.append(f"  Or move the site limits together (checked by solving): {together.change}")
        if together.example:
            lines.append(f"        gives  {together.example}")
    return "\n".join(lines) + "\n"
