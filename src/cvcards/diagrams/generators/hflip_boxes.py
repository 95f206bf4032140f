"""A box before and after a horizontal flip of its image.

Flipping mirrors x about the image's vertical centre line, so the left edge of
the new box comes from the old right edge: x1' = W − x2 and x2' = W − x1, while
y is unchanged. The flipped coordinates come from ``cvcards.vision.augment``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _frame(axes: Axes, width: int, height: int, title: str) -> None:
    style.image_axes(axes, width, height, margin=0.04 * width)
    axes.set_title(title, fontsize=9, fontweight="normal", pad=4)
    axes.tick_params(labelsize=7)
    axes.set_xticks([0, width / 2, width])
    axes.set_yticks([0, height])
    style.draw_box(axes, (0, 0, width, height), style.MUTED, linewidth=1.0, zorder=1)
    axes.axvline(width / 2, color=style.MUTED, linewidth=0.8, linestyle=":")


def _edges(axes: Axes, box: list[float], height: int, names: tuple[str, str]) -> None:
    """Label the box's x edges: the left one above the box, the right one below."""
    for x, name, y, va in (
        (box[0], names[0], box[1] - 0.03 * height, "bottom"),
        (box[2], names[1], box[3] + 0.03 * height, "top"),
    ):
        axes.plot(
            [x, x],
            [0, height],
            color=style.MUTED,
            linewidth=0.7,
            linestyle="--",
            zorder=2,
        )
        axes.text(
            x,
            y,
            f"{name} = {x:g}",
            fontsize=7.5,
            ha="center",
            va=va,
            fontweight="bold",
            zorder=6,
            bbox={
                "boxstyle": "round,pad=0.1",
                "facecolor": "white",
                "linewidth": 0,
                "alpha": 0.85,
            },
        )


def draw(params: Mapping[str, Any]) -> Figure:
    """Draw the image frame with the box before and after the flip."""
    from cvcards.vision.augment import hflip_boxes

    width, height, box = params["width"], params["height"], params["box"]
    flipped = [float(v) for v in hflip_boxes([box], width)[0]]

    # The frames keep the image's aspect: size the figure to fit them.
    frame = min(style.FIG_WIDTH * 0.42 * height / width, 2.4)
    total = frame + 1.35
    figure = style.new_figure(total)
    rect = (0.24 * 2.95 / total, frame / total)
    before = figure.add_axes((0.07, rect[0], 0.42, rect[1]))
    _frame(before, width, height, f"original ({width}×{height})")
    style.draw_box(before, box, style.BLUE, fill=0.15)
    _edges(before, box, height, ("x1", "x2"))

    after = figure.add_axes((0.55, rect[0], 0.42, rect[1]))
    _frame(after, width, height, "after horizontal flip")
    style.draw_box(after, flipped, style.VERMILION, fill=0.15)
    _edges(after, flipped, height, ("x1′", "x2′"))

    figure.text(
        0.5,
        0.27 / total,
        f"x1′ = W − x2 = {width} − {box[2]:g} = {flipped[0]:g}\n"
        f"x2′ = W − x1 = {width} − {box[0]:g} = {flipped[2]:g}   (y unchanged)",
        ha="center",
        va="center",
        fontsize=8.5,
        linespacing=1.5,
    )
    return figure
