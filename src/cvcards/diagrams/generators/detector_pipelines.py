"""One-stage and two-stage detector pipelines, side by side.

The one-stage column predicts a class and a box at every location of the
neck's maps in a single pass; the two-stage column first proposes regions
(RPN), crops their features with RoI Align, and refines each in a second stage.
Both end in NMS. Rows are aligned so the extra stages of the two-stage design
stand out as the long arrow on the one-stage side.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ROW = 0.82
WIDTH, HEIGHT = 10.0, 7.55
LEFT_X, RIGHT_X = 2.55, 7.15
BLOCK = (3.7, 0.62)

# (row, text, colour) per column; rows count from the top.
ONE_STAGE = (
    (0, "backbone", style.BLUE),
    (1, "neck (FPN)", style.BLUE),
    (2, "dense head\nclass + box at every location", style.ORANGE),
    (6, "NMS", style.VERMILION),
    (7, "detections", style.GREEN),
)
TWO_STAGE = (
    (0, "backbone", style.BLUE),
    (1, "neck (FPN), optional", style.BLUE),
    (2, "RPN\nobjectness + box deltas", style.ORANGE),
    (3, "proposals\ntop-k boxes after NMS", style.ORANGE),
    (4, "RoI Align\nfixed-size crop per proposal", style.PURPLE),
    (5, "second-stage heads\nclass + box refinement", style.PURPLE),
    (6, "NMS", style.VERMILION),
    (7, "detections", style.GREEN),
)


def draw(params: Mapping[str, Any]) -> Figure:
    """Draw both pipelines as columns of blocks joined by arrows."""
    figure = style.new_figure(0.5 * HEIGHT)
    axes = figure.add_axes((0.02, 0.02, 0.96, 0.96))
    style.canvas(axes, WIDTH, HEIGHT)

    def row_y(row: int) -> float:
        return HEIGHT - 1.25 - row * ROW

    for x, title, examples, column in (
        (LEFT_X, "one-stage", "e.g. RetinaNet, YOLO", ONE_STAGE),
        (RIGHT_X, "two-stage", "e.g. Faster R-CNN", TWO_STAGE),
    ):
        axes.text(x, HEIGHT - 0.3, title, ha="center", va="center", fontweight="bold")
        axes.text(
            x,
            HEIGHT - 0.68,
            examples,
            ha="center",
            va="center",
            fontsize=8,
            color=style.MUTED,
        )
        previous: tuple[float, float, float, float] | None = None
        for row, text, colour in column:
            extent = style.block(
                axes, (x, row_y(row)), text, colour=colour, size=BLOCK, fontsize=7.8
            )
            if previous is not None:
                skipped = previous[1] - extent[3] > ROW
                style.arrow(
                    axes,
                    (x, previous[1]),
                    (x, extent[3]),
                    label="single pass: no proposals" if skipped else None,
                )
            previous = extent

    # RoI Align crops the neck's maps, not the proposals alone.
    neck_right = RIGHT_X + BLOCK[0] / 2
    axes.annotate(
        "",
        xy=(neck_right, row_y(4)),
        xytext=(neck_right, row_y(1)),
        arrowprops={
            "arrowstyle": "-|>",
            "color": style.PURPLE,
            "linewidth": 1.2,
            "connectionstyle": "bar,fraction=-0.12",
            "shrinkA": 0,
            "shrinkB": 0,
            "mutation_scale": 10,
        },
    )
    axes.text(
        neck_right + 0.32,
        (row_y(1) + row_y(4)) / 2,
        "features",
        rotation=90,
        ha="center",
        va="center",
        fontsize=7.5,
        color=style.MUTED,
    )
    return figure
