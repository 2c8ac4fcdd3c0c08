"""How far an existing site's limits must move for a plan: its free spine ports, or its loop's spare heat removal.

Each candidate change is one the site could make (patch more spine ports free, give the loop more
capacity), tried in growing steps and checked by solving the edited spec; the racks' free units and
spare power only ever trade cards for new racks, so they are not what blocks a plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.app.explain.answers import checked, edit, not_alone
from primeflex_iac.plan.model import Relaxation

if TYPE_CHECKING:
    from primeflex_iac.app.explain.search import SearchContext
    from primeflex_iac.demand.requirements import RequirementGroup

__all__ = ["relax_existing_site"]

_STEPS = 6  # tries per limit: each doubles the step before


def relax_existing_site(ctx: SearchContext, group: RequirementGroup) -> Relaxation:
    existing = ctx.spec.existing
    if existing is None:
        return _without(ctx, group, "no existing site")
    fabric, cooling = existing.fabric, existing.cooling
    asked = "within the site's free ports, racks and loop"
    if fabric is not None:
        option = next((o for o in ctx.demand().fabrics if o.existing is not None), None)
        uplinks = option.tree_shape(ctx.spec.preferences.blocking_factor)[2] if option is not None else 1
        asked = f"{fabric.free_leaf_ports} free leaf ports and {fabric.free_spine_ports} free spine ports on the site's fabric"
        # a few more ports join a new spine level; a leaf's uplinks' worth take new leaves without one
        extra = sorted({2**k for k in range(_STEPS)} | {2**k * uplinks for k in range(_STEPS)})
        for more in extra:
            ports = fabric.free_spine_ports + more
            edited = edit(ctx.spec, ("existing", "fabric", "free_spine_ports"), ports)
            if ctx.feasible(edited):
                more = ports - fabric.free_spine_ports
                needed = f"{ports} free spine port{'s join' if ports != 1 else ' joins'} the new switches to the installed fabric"
                change = f"free {more} more spine port{'s' if more != 1 else ''} (existing.fabric.free_spine_ports: {ports})"
                return checked(ctx, group.label, asked, needed, change, edited, "existing.fabric.free_spine_ports")
    if cooling.water_loop:
        spare = max(cooling.spare_heat_removal, 1000.0)
        for factor in (2**k for k in range(1, _STEPS + 1)):
            watts = spare * factor
            edited = edit(ctx.spec, ("existing", "cooling", "spare_heat_removal"), watts)
            if ctx.feasible(edited):
                asked = f"{cooling.spare_heat_removal / 1000:,.1f} kW of spare heat removal in the site's water loop"
                needed = f"about {watts / 1000:,.0f} kW of spare heat removal takes the water-cooled compute a plan needs"
                change = f"existing.cooling.spare_heat_removal: {watts / 1000:,.0f} kW"
                return checked(ctx, group.label, asked, needed, change, edited, "existing.cooling.spare_heat_removal")
    return _without(ctx, group, asked)


def _without(ctx: SearchContext, group: RequirementGroup, asked: str) -> Relaxation:
    """Whether a plan exists once the site's limits are not held (no change the site could make was found)."""
    if ctx.feasible_without(ctx.demand(), (group,)) is not True:
        return not_alone(group.label, asked)
    return Relaxation(
        requirement=group.label, asked=asked, needed="a plan exists without the site's limits", change=None, alone=True
    )
