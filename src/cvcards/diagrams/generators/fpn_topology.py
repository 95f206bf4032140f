"""Feature pyramid network: the two paths, the lateral links and the outputs.

The backbone's bottom-up path halves the resolution at each level (C2..C5). The
top-down path starts from a 1×1 lateral projection of the coarsest map and, at
each finer level, upsamples the map above it 2× and adds that level's 1×1
projection; a 3×3 convolution on each map of the path gives the outputs P2..P5.
Level l has stride 2**l, which each output is labelled with. Block widths follow
the map's resolution.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ROW = 1.25  # canvas units between levels
C_X, MERGE_X, P_X = 1.5, 5.3, 8.75  # columns: backbone, top-down sums, outputs
WIDTH = 10.0
SUM_RADIUS, START_RADIUS = 0.22, 0.08  # a "+" node; the top-down path's start


def node_radius(index: int, count: int) -> float:
    """Radius of the node where level ``index`` (0 = finest) joins the top-down path."""
    return START_RADIUS if index == count - 1 else SUM_RADIUS


def draw(params: Mapping[str, Any]) -> Figure:
    """Draw the FPN for the given pyramid levels, finest at the bottom."""
    from matplotlib.patches import Circle

    levels: list[int] = params["levels"]
    count = len(levels)
    height = ROW * (count + 1) + 0.75

    # Equal units on both axes: the canvas's aspect sets the figure's height.
    figure = style.new_figure(style.FIG_WIDTH * height / WIDTH)
    axes = figure.add_axes((0.02, 0.02, 0.96, 0.96))
    style.canvas(axes, WIDTH, height)

    def row_y(index: int) -> float:
        return ROW * (index + 1) + 0.35

    # Column headings say which path each column belongs to.
    top = row_y(count - 1) + 0.85
    for x, text in (
        (C_X, "backbone\n(bottom-up)"),
        (MERGE_X, "top-down path\n+ lateral links"),
        (P_X, "pyramid\noutputs"),
    ):
        axes.text(
            x, top, text, ha="center", va="center", fontweight="bold", linespacing=1.1
        )

    image = style.block(
        axes, (C_X, 0.55), "image", colour=style.MUTED, size=(2.3, 0.45)
    )
    below = image[3]
    for index, level in enumerate(levels):
        y = row_y(index)
        stride = 2**level
        # Finer maps are drawn wider, so the pyramid reads at a glance.
        width = 1.6 + 0.9 * (count - 1 - index) / max(count - 1, 1)
        c_box = style.block(
            axes,
            (C_X, y),
            f"C{level}  (1/{stride})",
            colour=style.BLUE,
            size=(width, 0.5),
        )
        # The first hop covers the stem and earlier stages: 2**level at once.
        hop = f"{stride if index == 0 else 2}× down"
        style.arrow(axes, (C_X, below), (C_X, c_box[1]), label=hop)
        below = c_box[3]

        # Lateral 1×1 projection into the top-down sum. The coarsest level has
        # nothing above it to add: its projection starts the top-down path.
        radius = node_radius(index, count)
        summed = radius == SUM_RADIUS
        axes.add_patch(
            Circle(
                (MERGE_X, y),
                radius,
                facecolor=style.tint(style.ORANGE) if summed else style.ORANGE,
                edgecolor=style.ORANGE,
                linewidth=1.3,
                zorder=2,
            )
        )
        if summed:
            axes.text(
                MERGE_X,
                y,
                "+",
                ha="center",
                va="center",
                fontsize=style.TITLE,
                fontweight="bold",
                zorder=3,
            )
        style.arrow(
            axes,
            (c_box[2], y),
            (MERGE_X - radius, y),
            colour=style.ORANGE,
            label="1×1 conv",
        )

        # 3×3 output convolution.
        p_box = style.block(
            axes,
            (P_X, y),
            f"P{level}",
            detail=f"stride {stride}",
            colour=style.GREEN,
            size=(1.7, 0.8),
        )
        style.arrow(
            axes,
            (MERGE_X + radius, y),
            (p_box[0], y),
            colour=style.GREEN,
            label="3×3 conv",
        )

    # Top-down: each sum receives the level above, upsampled 2×.
    for index in range(count - 1, 0, -1):
        style.arrow(
            axes,
            (MERGE_X, row_y(index) - node_radius(index, count)),
            (MERGE_X, row_y(index - 1) + SUM_RADIUS),
            colour=style.VERMILION,
            label="2× upsample",
        )
    return figure
