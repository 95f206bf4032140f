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

ROW = 1.0
WIDTH, HEIGHT = 10.0, 9.25
LEFT_X, RIGHT_X = 2.45, 7.2
BLOCK = (4.1, 0.78)

# (row, name, detail, colour) per column; rows count from the top.
ONE_STAGE = (
    (0, "backbone", None, style.BLUE),
    (1, "neck (FPN)", None, style.BLUE),
    (2, "dense head", "class + box at every location", style.ORANGE),
    (6, "NMS", None, style.VERMILION),
    (7, "detections", None, style.GREEN),
)
TWO_STAGE = (
    (0, "backbone", None, style.BLUE),
    (1, "neck (FPN), optional", None, style.BLUE),
    (2, "RPN", "objectness + box deltas", style.ORANGE),
    (3, "proposals", "top-k boxes after NMS", style.ORANGE),
    (4, "RoI Align", "fixed-size crop per proposal", style.PURPLE),
    (5, "second-stage heads", "class + box refinement", style.PURPLE),
    (6, "NMS", None, style.VERMILION),
    (7, "detections", None, style.GREEN),
)


def draw(params: Mapping[str, Any]) -> Figure:
    """Draw both pipelines as columns of blocks joined by arrows."""
    # Equal units on both axes: the canvas's aspect sets the figure's height.
    figure = style.new_figure(style.FIG_WIDTH * HEIGHT / WIDTH)
    axes = figure.add_axes((0.02, 0.02, 0.96, 0.96))
    style.canvas(axes, WIDTH, HEIGHT)

    def row_y(row: int) -> float:
        return HEIGHT - 1.55 - row * ROW

    for x, title, examples, column in (
        (LEFT_X, "one-stage", "e.g. RetinaNet, YOLO", ONE_STAGE),
        (RIGHT_X, "two-stage", "e.g. Faster R-CNN", TWO_STAGE),
    ):
        axes.text(
            x,
            HEIGHT - 0.35,
            title,
            ha="center",
            va="center",
            fontsize=style.TITLE,
            fontweight="bold",
        )
        axes.text(
            x,
            HEIGHT - 0.8,
            examples,
            ha="center",
            va="center",
            fontsize=style.SMALL,
            color=style.MUTED,
        )
        previous: tuple[float, float, float, float] | None = None
        for row, name, detail, colour in column:
            extent = style.block(
                axes, (x, row_y(row)), name, detail=detail, colour=colour, size=BLOCK
            )
            if previous is not None:
                skipped = previous[1] - extent[3] > ROW
                style.arrow(
                    axes,
                    (x, previous[1]),
                    (x, extent[3]),
                    label="single pass:\nno proposals" if skipped else None,
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
            "connectionstyle": "bar,fraction=-0.08",
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
        fontsize=style.SMALL,
        color=style.MUTED,
    )
    return figure
