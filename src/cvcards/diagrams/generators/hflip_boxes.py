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


TICK_CHAR = 0.6 * style.SMALL / 72 / style.FIG_WIDTH  # a tick digit's share of width
MARGIN = 0.04  # around the image, as a share of its width
MIN_FRAME, MAX_FRAME = 0.9, 2.4  # inches of frame height
MIN_WIDTH = 1.0  # inches of frame width, below which the image is stretched
LABEL = 0.22  # inches an edge label needs above or below the box
BELOW, ABOVE = 0.8, 0.55  # inches under and over the frames


def _frame(axes: Axes, width: int, height: int, title: str, to_scale: bool) -> None:
    style.image_axes(axes, width, height, margin=MARGIN * width)
    if not to_scale:
        # A very wide or tall image would be a sliver: stretch it, and say so.
        axes.set_aspect("auto")
        axes.set_ylim(height * (1 + MARGIN), -height * MARGIN)
    axes.set_title(title, fontsize=style.TEXT, fontweight="normal", pad=4)
    axes.set_xticks([0, width / 2, width])
    axes.set_yticks([0, height])
    style.draw_box(axes, (0, 0, width, height), style.MUTED, linewidth=1.0, zorder=1)
    axes.axvline(width / 2, color=style.MUTED, linewidth=0.8, linestyle=":")


def _edges(
    axes: Axes, box: list[float], height: int, room: float, names: tuple[str, str]
) -> None:
    """Label the box's x edges: the left one at its top, the right one at its bottom.

    A label goes outside the box when the frame has ``room`` (image units) for
    it there, and just inside the box otherwise, so it never leaves the frame.
    """
    pad = 0.02 * height
    top_outside = box[1] >= room
    bottom_outside = height - box[3] >= room
    width = axes.get_xlim()[1] / (1 + MARGIN)
    for x, name, y, va in (
        (
            box[0],
            names[0],
            box[1] - pad if top_outside else box[1] + pad,
            "bottom" if top_outside else "top",
        ),
        (
            box[2],
            names[1],
            box[3] + pad if bottom_outside else box[3] - pad,
            "top" if bottom_outside else "bottom",
        ),
    ):
        axes.plot(
            [x, x],
            [0, height],
            color=style.MUTED,
            linewidth=0.7,
            linestyle="--",
            zorder=2,
        )
        # Near the image's sides a label grows inwards, to stay in the figure.
        ha = "left" if x < 0.2 * width else "right" if x > 0.8 * width else "center"
        axes.text(
            x,
            y,
            f"{name} = {x:g}",
            fontsize=style.SMALL,
            ha=ha,
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

    # Each frame has room on its left for the y tick labels, the longest of
    # which is the height; the two frames share what is left.
    gutter = 0.025 + TICK_CHAR * len(str(height))
    share = (0.975 - 2 * gutter) / 2

    # The frames keep the image's aspect when that leaves them big enough.
    natural = style.FIG_WIDTH * share * height / width
    frame = min(max(natural, MIN_FRAME), MAX_FRAME)
    to_scale = natural >= MIN_FRAME and frame * width / height >= MIN_WIDTH
    total = BELOW + frame + ABOVE
    figure = style.new_figure(total)
    rect = (BELOW / total, frame / total)
    room = LABEL / frame * height * (1 + 2 * MARGIN)

    before = figure.add_axes((gutter, rect[0], share, rect[1]))
    _frame(before, width, height, f"original ({width}×{height})", to_scale)
    style.draw_box(before, box, style.BLUE, fill=0.15)
    _edges(before, box, height, room, ("x1", "x2"))

    after = figure.add_axes((2 * gutter + share, rect[0], share, rect[1]))
    _frame(after, width, height, "after horizontal flip", to_scale)
    style.draw_box(after, flipped, style.VERMILION, fill=0.15)
    _edges(after, flipped, height, room, ("x1′", "x2′"))

    note = "y unchanged" if to_scale else "y unchanged; drawn stretched"
    figure.text(
        0.5,
        0.3 / total,
        f"x1′ = W − x2 = {width} − {box[2]:g} = {flipped[0]:g}\n"
        f"x2′ = W − x1 = {width} − {box[0]:g} = {flipped[2]:g}   ({note})",
        ha="center",
        va="center",
        linespacing=1.5,
    )
    return figure
