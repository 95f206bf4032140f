"""One prediction judged at COCO's ten IoU thresholds, 0.50 to 0.95.

COCO's headline AP averages over these thresholds, so a box that is "good" at
0.5 can count as a false positive at the stricter ones. The figure shows the
two boxes with their IoU (from ``cvcards.vision.boxes``) and, for each
threshold, whether the prediction matches (IoU >= threshold: TP) or not (FP).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# 0.50, 0.55, ..., 0.95, rounded so that 0.70 is 0.70 and not 0.7000000000000001.
THRESHOLDS = tuple(round(0.5 + 0.05 * step, 2) for step in range(10))


def verdicts(iou: float) -> list[bool]:
    """Return, per threshold, whether a prediction with this IoU is a TP."""
    return [iou >= threshold for threshold in THRESHOLDS]


def draw(params: Mapping[str, Any]) -> Figure:
    """Draw the boxes, then the ten thresholds marked TP or FP."""
    from cvcards.vision.boxes import box_iou

    gt, pred = params["gt"], params["pred"]
    iou = box_iou(gt, pred)
    hits = verdicts(iou)

    figure = style.new_figure(3.3)
    boxes = figure.add_axes((0.08, 0.1, 0.42, 0.72))
    style.fit_boxes(boxes, [gt, pred], pad=0.12)
    style.draw_box(boxes, gt, style.GREEN, label="ground truth", fill=0.12)
    style.draw_box(
        boxes, pred, style.BLUE, label="prediction", linestyle="--", label_below=True
    )
    boxes.set_title(
        f"IoU = {style.number(iou)}", fontsize=style.HEADLINE, pad=style.SMALL
    )

    ladder = figure.add_axes((0.56, 0.06, 0.41, 0.78))
    ladder.set_xlim(0, 1)
    ladder.set_ylim(len(THRESHOLDS) - 0.5, -0.5)
    ladder.axis("off")
    for row, (threshold, hit) in enumerate(zip(THRESHOLDS, hits, strict=True)):
        colour = style.TP if hit else style.FP
        relation = "≥" if hit else "<"
        ladder.text(0.02, row, f"IoU {relation} {threshold:.2f}", va="center")
        ladder.text(
            0.82,
            row,
            "TP" if hit else "FP",
            va="center",
            ha="center",
            fontsize=style.SMALL,
            fontweight="bold",
            color=style.on(colour),
            bbox={"boxstyle": "round,pad=0.25", "facecolor": colour, "linewidth": 0},
        )
    ladder.set_title(
        f"TP at {sum(hits)} of {len(THRESHOLDS)} thresholds",
        fontsize=style.TEXT,
        pad=style.SMALL,
    )
    return figure
