"""Rack elevations as one SVG: every rack side by side, front and rear views, units numbered,
each device at its unit position coloured by role, and under each rack its used units, power
against the limit, heat and weight.

The SVG is written by hand from a fixed geometry (all sizes in one place below) so the text is
identical for the same plan and diffable as a golden file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from primeflex_iac.common.escape import xml_text
from primeflex_iac.common.theme import FONT, ROLE_COLOURS, ROLE_LABELS

if TYPE_CHECKING:
    from primeflex_iac.plan.model import Device, Plan, RackPlan

__all__ = ["rack_elevations_svg"]

UNIT_PX = 16  # height of one rack unit
RACK_PX = 230  # width of one rack view
NUMBERS_PX = 26  # column of unit numbers left of each view
VIEW_GAP = 18  # between the front and rear view of a rack
RACK_GAP = 46  # between racks
MARGIN = 24
TITLE_PX = 62  # title and legend above the racks
FOOTER_PX = 78  # figures under each rack


def _fit(text: str, width_px: float, font_px: float) -> str:
    """Shorten ``text`` with an ellipsis so that it fits ``width_px`` at about 0.55 em per character."""
    limit = max(3, int(width_px / (font_px * 0.55)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _device_label(device: Device) -> str:
    if device.nodes:
        return f"{device.name} ({device.nodes[0]}–{device.nodes[-1]}) {device.catalog_id}"
    return f"{device.name} {device.catalog_id}"


def _view(rack: RackPlan, x: float, y: float, face: str) -> list[str]:
    """One view (front or rear) of a rack with its top-left corner at (x, y)."""
    height = rack.height_u * UNIT_PX
    body_x = x + NUMBERS_PX
    out = [
        f'<text x="{body_x + RACK_PX / 2:.1f}" y="{y - 6:.1f}" class="face">{face}</text>',
        f'<rect x="{body_x}" y="{y}" width="{RACK_PX}" height="{height}" class="rack"/>',
    ]
    for unit in range(1, rack.height_u + 1):
        top = y + (rack.height_u - unit) * UNIT_PX
        out.append(f'<text x="{x + NUMBERS_PX - 5}" y="{top + UNIT_PX - 4}" class="unit">{unit}</text>')
        out.append(f'<rect x="{body_x + 2}" y="{top + 1}" width="{RACK_PX - 4}" height="{UNIT_PX - 2}" class="blank"/>')
    for device in sorted(rack.devices, key=lambda d: d.position):
        top = y + (rack.height_u - (device.position + device.height_u - 1)) * UNIT_PX
        tall = device.height_u * UNIT_PX
        colour = ROLE_COLOURS[device.role]
        label = _fit(_device_label(device), RACK_PX - 12, 10)
        extra = ' opacity="0.75"' if face == "rear" else ""
        out.append(
            f'<g class="device" data-name="{xml_text(device.name)}"><title>{xml_text(device.name)}: {xml_text(device.catalog_id)}, '
            f"U{device.position}-U{device.position + device.height_u - 1}, {device.power_max_w:,.0f} W</title>"
            f'<rect x="{body_x + 2}" y="{top + 1}" width="{RACK_PX - 4}" height="{tall - 2}" rx="2" fill="{colour}"{extra} class="dev"/>'
            f'<text x="{body_x + 8}" y="{top + tall / 2 + 3.5:.1f}" class="label">{xml_text(label)}</text></g>'
        )
    return out


def rack_elevations_svg(plan: Plan) -> str:
    racks = plan.racks
    tallest = max((r.height_u for r in racks), default=42)
    view_w = NUMBERS_PX + RACK_PX
    rack_w = 2 * view_w + VIEW_GAP
    width: float = MARGIN * 2 + max(len(racks), 1) * rack_w + max(len(racks) - 1, 0) * RACK_GAP
    width = max(width, 720)
    height = MARGIN + TITLE_PX + tallest * UNIT_PX + FOOTER_PX + MARGIN
    roles = [*sorted({d.role for r in racks for d in r.devices}, key=list(ROLE_COLOURS).index), "blank"]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}, sans-serif">',
        "<style>"
        ".title{font-size:16px;font-weight:bold;fill:#222}.face{font-size:11px;text-anchor:middle;fill:#555}"
        ".rack{fill:#f4f4f4;stroke:#333;stroke-width:2}.blank{fill:#fff;stroke:#e2e2e2;stroke-width:0.5}"
        ".unit{font-size:8px;text-anchor:end;fill:#888}.dev{stroke:#555;stroke-width:0.8}"
        ".label{font-size:10px;fill:#111}.name{font-size:13px;font-weight:bold;text-anchor:middle;fill:#222}"
        ".fig{font-size:11px;text-anchor:middle;fill:#333}.over{fill:#b00020;font-weight:bold}.legend{font-size:11px;fill:#333}"
        "</style>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="{MARGIN + 4}" class="title">{xml_text(plan.name)}: rack elevations '
        f"({len(racks)} rack{'s' if len(racks) != 1 else ''})</text>",
    ]
    legend_x: float = MARGIN
    for role in roles:
        out.append(f'<rect x="{legend_x:.1f}" y="{MARGIN + 16}" width="14" height="12" fill="{ROLE_COLOURS[role]}" class="dev"/>')
        out.append(f'<text x="{legend_x + 19:.1f}" y="{MARGIN + 26}" class="legend">{ROLE_LABELS[role]}</text>')
        legend_x += 30 + len(ROLE_LABELS[role]) * 6.5
    top = MARGIN + TITLE_PX
    for index, rack in enumerate(racks):
        x = MARGIN + index * (rack_w + RACK_GAP)
        y = top + (tallest - rack.height_u) * UNIT_PX
        out += _view(rack, x, y, "front")
        out += _view(rack, x + view_w + VIEW_GAP, y, "rear")
        centre = x + rack_w / 2
        base = top + tallest * UNIT_PX
        over = " over" if rack.power_max_w > rack.power_limit_w else ""
        out += [
            f'<text x="{centre:.1f}" y="{base + 20}" class="name">{xml_text(rack.name)} ({xml_text(rack.catalog_id)})</text>',
            f'<text x="{centre:.1f}" y="{base + 36}" class="fig">{rack.used_units} of {rack.height_u} U used</text>',
            f'<text x="{centre:.1f}" y="{base + 51}" class="fig{over}">{rack.power_max_w / 1000:,.1f} kW of '
            f"{rack.power_limit_w / 1000:,.1f} kW (maximum)</text>",
            f'<text x="{centre:.1f}" y="{base + 66}" class="fig">{rack.heat_btu_h:,.0f} BTU/h · {rack.weight_kg:,.0f} kg</text>',
        ]
    out.append("</svg>")
    return "\n".join(out) + "\n"
