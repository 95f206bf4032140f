"""IoU of two boxes: the intersection shaded, the union outlined, the ratio printed.

The areas and the IoU shown are computed by ``cvcards.vision.boxes``, so the
figure agrees with the reference implementation the cards quote.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Box = tuple[float, float, float, float]


def _outside(
    start: float, end: float, low: float, high: float
) -> list[tuple[float, float]]:
    """Return the parts of the interval [start, end] outside the open (low, high)."""
    if high <= start or low >= end:
        return [(start, end)]
    parts = []
    if start < low:
        parts.append((start, low))
    if end > high:
        parts.append((high, end))
    return parts


def _union_outline(axes: Axes, a: Box, b: Box) -> None:
    """Draw the union's boundary: each edge minus what lies inside the other box."""
    for box, other in ((a, b), (b, a)):
        x1, y1, x2, y2 = box
        ox1, oy1, ox2, oy2 = other
        for y in (y1, y2):
            inside = oy1 < y < oy2
            spans = _outside(x1, x2, ox1, ox2) if inside else [(x1, x2)]
            for left, right in spans:
                axes.plot(
                    [left, right], [y, y], color=style.INK, lw=1.3, ls="--", zorder=6
                )
        for x in (x1, x2):
            inside = ox1 < x < ox2
            spans = _outside(y1, y2, oy1, oy2) if inside else [(y1, y2)]
            for top, bottom in spans:
                axes.plot(
                    [x, x], [top, bottom], color=style.INK, lw=1.3, ls="--", zorder=6
                )


def draw(params: Mapping[str, Any]) -> Figure:
    """Draw two boxes with their intersection, union outline and IoU."""
    from cvcards.vision.boxes import box_area, box_iou

    a: Box = tuple(params["box_a"])
    b: Box = tuple(params["box_b"])
    iou = box_iou(a, b)
    area_a, area_b = (float(area) for area in box_area([a, b]))
    inter: Box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    overlaps = inter[2] > inter[0] and inter[3] > inter[1]
    area_inter = float(box_area(inter)[0]) if overlaps else 0.0
    area_union = area_a + area_b - area_inter

    figure = style.new_figure(3.3)
    axes = figure.add_axes((0.09, 0.1, 0.46, 0.8))
    style.fit_boxes(axes, [a, b], pad=0.08)

    style.draw_box(axes, a, style.BLUE, label="A", fill=0.12)
    style.draw_box(axes, b, style.ORANGE, label="B", fill=0.12)
    if overlaps:
        style.draw_box(axes, inter, style.VERMILION, fill=0.6, linewidth=0)
    _union_outline(axes, a, b)

    text = figure.add_axes((0.6, 0.1, 0.38, 0.8))
    text.axis("off")
    lines = [
        ("area(A)", f"{area_a:g}", style.BLUE),
        ("area(B)", f"{area_b:g}", style.ORANGE),
        ("A ∩ B", f"{area_inter:g}", style.VERMILION),
        ("A ∪ B", f"{area_union:g}", style.INK),
    ]
    for row, (name, value, colour) in enumerate(lines):
        y = 0.93 - row * 0.12
        text.text(
            0.0, y, name, color=style.shade(colour), fontweight="bold", va="center"
        )
        text.text(0.97, y, value, ha="right", va="center")
    text.plot([0, 0.97], [0.43, 0.43], color=style.FAINT, lw=1)
    text.text(0.0, 0.33, "IoU = (A ∩ B) / (A ∪ B)", va="center")
    text.text(
        0.0,
        0.17,
        f"IoU = {style.number(iou)}",
        fontsize=style.HEADLINE,
        fontweight="bold",
        va="center",
    )
    text.text(
        0.0,
        0.02,
        "dashed: union outline",
        fontsize=style.SMALL,
        color=style.MUTED,
        va="center",
    )
    text.set_xlim(0, 1)
    text.set_ylim(0, 1)
    return figure
