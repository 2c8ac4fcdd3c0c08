"""Rack elevations as SVG: racks of the same content drawn once with "x N" (``rack_groups``), in
rows of RACKS_PER_ROW so the picture fits a page width, units numbered, each device at its unit
position coloured by role and labelled with its model name, and under each rack its used units,
power against the limit, heat and weight.

Every device is mounted from the front and full depth, so one view (the front) shows a rack. The
empty unit grid is one ``<pattern>`` in ``<defs>`` that every rack's body is filled with. At the printed width of a page (A4 or Letter, about 180 mm) the picture is scaled to
at most PAGE_PX / 680 and no text is smaller than MIN_FONT_PX, so every label prints at 6 pt or
more. The SVG is written by hand from a fixed geometry (all sizes below) so the text is the same
for the same plan and diffable as a golden file.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from primeflex_iac.common.escape import xml_text
from primeflex_iac.common.theme import EXISTING_COLOURS, FONT, ROLE_COLOURS, ROLE_LABELS
from primeflex_iac.render.rack_groups import card_notes, model_names, name_runs, rack_groups

if TYPE_CHECKING:
    from primeflex_iac.plan.model import Device, Plan, RackPlan
    from primeflex_iac.render.rack_groups import RackGroup

__all__ = ["MIN_FONT_PX", "PAGE_PX", "RACKS_PER_ROW", "rack_elevation_rows", "rack_elevations_svg"]

UNIT_PX = 16  # height of one rack unit
RACK_PX = 240  # width of a rack
NUMBERS_PX = 28  # column of unit numbers left of each rack
SLOT_PX = NUMBERS_PX + RACK_PX
RACK_GAP = 40  # between racks in a row
ROW_GAP = 26  # between rows: CAPTION_PX + FOOTER_PX + ROW_GAP is a multiple of UNIT_PX, so the grid's tiles meet every row
MARGIN = 20
RACKS_PER_ROW = 3
PAGE_PX = 2 * MARGIN + RACKS_PER_ROW * SLOT_PX + (RACKS_PER_ROW - 1) * RACK_GAP  # 924
MIN_WIDTH = 640  # room for the title and the legend
TITLE_PX = 58  # title and legend above the first row
CAPTION_PX = 40  # rack names and model above each rack
FOOTER_PX = 62  # figures under each rack
LINE_PX = 14  # a line of a device label
MIN_FONT_PX = 11  # the smallest text: unit numbers
LEGEND_CHAR_PX = 7.5  # a character of the 12 px legend, on average (DejaVu Sans: about 0.6 em)
_STYLE = (
    "<style>"
    ".title{font-size:18px;font-weight:bold;fill:#222}.legend{font-size:12px;fill:#333}"
    ".rack{fill:#f4f4f4;stroke:#333;stroke-width:2}.blank{fill:#fff;stroke:#e2e2e2;stroke-width:0.5}"
    ".unit{font-size:11px;text-anchor:end;fill:#777}.dev{stroke:#555;stroke-width:0.8}"
    ".label{font-size:12px;fill:#111}.name{font-size:13px;font-weight:bold;text-anchor:middle;fill:#222}"
    ".model{font-size:12px;text-anchor:middle;fill:#444}.fig{font-size:12px;text-anchor:middle;fill:#333}"
    ".over{fill:#b00020;font-weight:bold}"
    "</style>"
)
_EXISTING_STYLE = (  # only in pictures of an existing site's racks
    "<style>"
    f".existing{{fill:{EXISTING_COLOURS['block']};stroke:{EXISTING_COLOURS['line']};stroke-width:0.8;stroke-dasharray:4 2}}"
    f".old{{font-size:12px;text-anchor:middle;fill:{EXISTING_COLOURS['text']}}}"
    "</style>"
)


def _fit(text: str, width_px: float, font_px: float) -> str:
    """Shorten ``text`` with an ellipsis so that it fits ``width_px`` at about 0.62 em per character (DejaVu Sans)."""
    limit = max(3, int(width_px / (font_px * 0.62)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _device_lines(device: Device, models: dict[str, str], folded: bool) -> list[str]:
    """A device's label: its name (a chassis with its nodes; in a folded rack, where names differ
    from rack to rack, the number of nodes) and its model name, on two lines where the device is
    2U or taller and one otherwise. The number of lines never depends on the text."""
    model = models.get(device.catalog_id, device.catalog_id)
    chassis = len(device.nodes) > 1 or (len(device.nodes) == 1 and device.nodes[0] != device.name)
    if folded:
        head = f"{len(device.nodes)} node{'s' if len(device.nodes) > 1 else ''}" if chassis else ""
    else:
        head = f"{device.name} ({device.nodes[0]}–{device.nodes[-1]})" if chassis else device.name
    width = RACK_PX - 12
    if device.height_u >= 2 and head:
        return [_fit(head, width, 12), _fit(model, width, 12)]
    return [_fit(f"{head}: {model}" if head else model, width, 12)]


def _numbers(height_u: int, x: float, y: float) -> str:
    """The unit numbers left of a rack whose body's top-left corner is at (x, y)."""
    return "".join(
        f'<text x="{x - 5}" y="{y + (height_u - unit) * UNIT_PX + UNIT_PX - 4}" class="unit">{unit}</text>'
        for unit in range(1, height_u + 1)
    )


def _grid(key: str, x: float, y: float) -> str:
    """The empty unit grid as one pattern, a tile per unit of every rack column: each rack fills its
    body with it (``fill="url(#key)"``), so no rack repeats the grid; (x, y) is a unit's top-left corner."""
    return (
        f'<pattern id="{key}" patternUnits="userSpaceOnUse" x="{x}" y="{y}" width="{SLOT_PX + RACK_GAP}" height="{UNIT_PX}">'
        f'<rect x="0.5" y="0.5" width="{RACK_PX - 5}" height="{UNIT_PX - 3}" class="blank"/></pattern>'
    )


def _existing_block(rack: RackPlan, left: float, body: float, notes: list[str]) -> str:
    """An installed rack's equipment of today: one grey block over its bottom units, with what it
    draws and the GPU cards its nodes take (``notes``)."""
    units = rack.existing_units
    top = body + (rack.height_u - units) * UNIT_PX
    tall = units * UNIT_PX
    lines = ["existing equipment", f"{units}U, {rack.existing_power_w / 1000:,.1f} kW today", *notes]
    lines = lines[: max(1, (tall - 4) // LINE_PX)]
    first = top + tall / 2 + 4.5 - (len(lines) - 1) * LINE_PX / 2
    centre = left + RACK_PX / 2
    text = "".join(
        f'<text x="{centre:.1f}" y="{first + i * LINE_PX:.1f}" class="old">{xml_text(_fit(line, RACK_PX - 12, 12))}</text>'
        for i, line in enumerate(lines)
    )
    return (
        f'<g class="existing-equipment"><title>existing equipment: U1-U{units}, {rack.existing_power_w:,.0f} W today'
        f"{xml_text(''.join('; ' + note for note in notes))}</title>"
        f'<rect x="{left + 2}" y="{top + 1}" width="{RACK_PX - 4}" height="{tall - 2}" rx="2" class="existing"/>{text}</g>'
    )


def _rack(group: RackGroup, x: float, y: float, tallest: int, models: dict[str, str], grid: str, notes: list[str]) -> list[str]:
    """One rack (of a group) with its slot's top-left corner at (x, y); ``notes``: an installed rack's GPU cards."""
    rack = group.rack
    folded = group.count > 1
    centre = x + SLOT_PX / 2 + NUMBERS_PX / 2
    names = name_runs(group.names)
    caption = f"{group.count} racks: {', '.join(names)}" if folded else rack.name
    caption += " (existing)" if rack.existing else ""
    rack_model = f"installed {rack.height_u}U rack" if rack.existing else models.get(rack.catalog_id, rack.catalog_id)
    body = y + CAPTION_PX + (tallest - rack.height_u) * UNIT_PX
    out = [
        f'<g class="rack-group" data-racks="{group.count}"><title>{xml_text(", ".join(names))}</title>',
        f'<text x="{centre:.1f}" y="{y + 14}" class="name">{xml_text(_fit(caption, SLOT_PX, 13))}</text>',
        f'<text x="{centre:.1f}" y="{y + 30}" class="model">{xml_text(_fit(rack_model, SLOT_PX, 12))}</text>',
        f'<rect x="{x + NUMBERS_PX}" y="{body}" width="{RACK_PX}" height="{rack.height_u * UNIT_PX}" class="rack"/>',
        f'<rect x="{x + NUMBERS_PX + 2}" y="{body + 1}" width="{RACK_PX - 4}" height="{rack.height_u * UNIT_PX - 2}" '
        f'fill="url(#{grid})"/>',
        _numbers(rack.height_u, x + NUMBERS_PX, body),
    ]
    left = x + NUMBERS_PX
    if rack.existing and rack.existing_units:
        out.append(_existing_block(rack, left, body, notes))
    for device in sorted(rack.devices, key=lambda d: d.position):
        top = body + (rack.height_u - (device.position + device.height_u - 1)) * UNIT_PX
        tall = device.height_u * UNIT_PX
        model = models.get(device.catalog_id, device.catalog_id)
        each = f"; in each of {group.count} racks" if folded else ""
        what = model if folded else f"{device.name}: {model}"
        lines = _device_lines(device, models, folded)
        first = top + tall / 2 + 4.5 - (len(lines) - 1) * LINE_PX / 2
        text = "".join(
            f'<text x="{left + 8}" y="{first + i * LINE_PX:.1f}" class="label">{xml_text(line)}</text>'
            for i, line in enumerate(lines)
        )
        out.append(
            f'<g class="device" data-name="{xml_text(device.name)}"><title>{xml_text(what)} ({xml_text(device.catalog_id)}), '
            f"U{device.position}-U{device.position + device.height_u - 1}, {device.power_max_w:,.0f} W{each}</title>"
            f'<rect x="{left + 2}" y="{top + 1}" width="{RACK_PX - 4}" height="{tall - 2}" rx="2" '
            f'fill="{ROLE_COLOURS[device.role]}" class="dev"/>{text}</g>'
        )
    base = y + CAPTION_PX + tallest * UNIT_PX
    over = " over" if rack.existing_power_w + rack.power_max_w > rack.power_limit_w else ""
    each = " each" if folded else ""
    if rack.existing:
        return [*out, *_existing_footer(rack, centre, base, over, each)]
    out += [
        f'<text x="{centre:.1f}" y="{base + 18}" class="fig">{rack.used_units} of {rack.height_u} U used{each}</text>',
        f'<text x="{centre:.1f}" y="{base + 34}" class="fig{over}">{rack.power_max_w / 1000:,.1f} kW of '
        f"{rack.power_limit_w / 1000:,.1f} kW (maximum)</text>",
        f'<text x="{centre:.1f}" y="{base + 50}" class="fig">{rack.heat_btu_h:,.0f} BTU/h · {rack.weight_kg:,.0f} kg</text>',
        "</g>",
    ]
    return out


def _existing_footer(rack: RackPlan, centre: float, base: float, over: str, each: str) -> list[str]:
    """The figures under an installed rack: today's and the plan's."""
    return [
        f'<text x="{centre:.1f}" y="{base + 18}" class="fig">{rack.existing_units} U existing + {rack.used_units} U new '
        f"of {rack.height_u} U{each}</text>",
        f'<text x="{centre:.1f}" y="{base + 34}" class="fig{over}">{rack.existing_power_w / 1000:,.1f} kW today + '
        f"{rack.power_max_w / 1000:,.1f} kW new of {rack.power_limit_w / 1000:,.1f} kW</text>",
        f'<text x="{centre:.1f}" y="{base + 50}" class="fig">new: {rack.heat_btu_h:,.0f} BTU/h · {rack.weight_kg:,.0f} kg</text>',
        "</g>",
    ]


def _rows(plan: Plan) -> list[list[RackGroup]]:
    groups = rack_groups(plan)
    return [groups[i : i + RACKS_PER_ROW] for i in range(0, len(groups), RACKS_PER_ROW)] or [[]]


def _svg(plan: Plan, rows: list[list[RackGroup]], *, title: bool, prefix: str) -> str:
    """One SVG of ``rows`` (with the title and legend above them when ``title``); ids start with ``prefix``."""
    tallest = max((r.height_u for r in plan.racks), default=42)
    widest = max((len(row) for row in _rows(plan)), default=1)  # every row as wide, so all print at one scale
    legend, legend_end = _legend(plan)
    width = max(MIN_WIDTH, 2 * MARGIN + widest * SLOT_PX + (widest - 1) * RACK_GAP)
    width = max(width, math.ceil(legend_end + MARGIN))  # never narrower than the legend, which would be cut off
    row_px = CAPTION_PX + tallest * UNIT_PX + FOOTER_PX
    top = MARGIN + (TITLE_PX if title else 0)
    height = top + len(rows) * row_px + (len(rows) - 1) * ROW_GAP + MARGIN
    models = model_names(plan)
    grid = f"{prefix}units"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="{FONT}, sans-serif">',
        _STYLE + (_EXISTING_STYLE if any(rack.existing for rack in plan.racks) else ""),
        f"<defs>{_grid(grid, MARGIN + NUMBERS_PX + 2, top + CAPTION_PX + 1)}</defs>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        racks = plan.racks
        kinds = len(rack_groups(plan))
        kinds_text = f" ({kinds} kinds)" if kinds < len(racks) else ""
        heading = f"{plan.name}: {len(racks):,} rack{'s' if len(racks) != 1 else ''}, front view{kinds_text}"
        out.append(f'<text x="{MARGIN}" y="{MARGIN + 6}" class="title">{xml_text(_fit(heading, width - 2 * MARGIN, 18))}</text>')
        out += legend
    for index, row in enumerate(rows):
        y = top + index * (row_px + ROW_GAP)
        for column, group in enumerate(row):
            x = MARGIN + column * (SLOT_PX + RACK_GAP)
            out += _rack(group, x, y, tallest, models, grid, card_notes(plan, group.rack))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend(plan: Plan) -> tuple[list[str], float]:
    """The legend's SVG elements (a swatch and a name per role drawn, and existing equipment) and
    where it ends, in px."""
    roles = [*sorted({d.role for r in plan.racks for d in r.devices}, key=list(ROLE_COLOURS).index), "blank"]
    entries = [
        (f'fill="{ROLE_COLOURS[role]}" class="dev"', xml_text(ROLE_LABELS[role]), len(ROLE_LABELS[role])) for role in roles
    ]
    if any(rack.existing for rack in plan.racks):  # within a page's width, a long list of untouched racks cut short
        room = PAGE_PX - MARGIN - sum(30 + length * LEGEND_CHAR_PX for *_, length in entries) - 30
        text = _fit(f"existing equipment{_untouched(plan)}", room, 12)
        entries.append(('class="existing"', xml_text(text), len(text)))
    out, x = [], float(MARGIN)
    for swatch, text, length in entries:
        out.append(f'<rect x="{x:.1f}" y="{MARGIN + 20}" width="14" height="12" {swatch}/>')
        out.append(f'<text x="{x + 19:.1f}" y="{MARGIN + 31}" class="legend">{text}</text>')
        x += 30 + length * LEGEND_CHAR_PX
    return out, x - 11  # the last entry's gap after it


def _untouched(plan: Plan) -> str:
    """An existing site's racks the plan adds nothing to: " (r02–r05 untouched)"."""
    if plan.existing is None:
        return ""
    drawn = {rack.name for rack in plan.racks}
    left = [rack.name for rack in plan.existing.racks if rack.name not in drawn]
    return f" ({', '.join(name_runs(left))} untouched)" if left else ""


def rack_elevations_svg(plan: Plan) -> str:
    """racks.svg: every row in one picture."""
    return _svg(plan, _rows(plan), title=True, prefix="racks-")


def rack_elevation_rows(plan: Plan) -> list[str]:
    """The same picture as one SVG per row (the first with the title and legend), for a page that
    breaks between rows; each row's ids are its own, so several can sit in one HTML page."""
    return [_svg(plan, [row], title=i == 0, prefix=f"racks{i + 1}-") for i, row in enumerate(_rows(plan))]
