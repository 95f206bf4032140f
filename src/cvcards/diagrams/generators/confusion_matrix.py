"""A segmentation confusion matrix with per-class IoU and mIoU.

Pixels of a synthetic scene are labelled from a seed: class sizes are uneven,
as in street scenes, and each class is mostly predicted right with some
confusion, more of it with its neighbours in the list (road with sidewalk).
Each row is normalised by the true class size and shows the pixel count too;
the bar beside the matrix is each class's IoU, which also counts the pixels
wrongly predicted *as* the class. Everything is computed by
``cvcards.vision.segmentation`` (rows ground truth, columns prediction).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PIXELS = 20_000
CHAR_WIDTH = 0.6 * style.SMALL / 72  # inches per character of a tick label
ROTATION = 35  # degrees, of the predicted class names
TOP = 0.62  # inches above the matrix, for the title and mIoU
MATRIX_RIGHT = 0.77  # share of the width where the matrix ends and bars begin


def synthetic_labels(classes: int, seed: int) -> tuple[Any, Any]:
    """Return ``(pred, gt)`` label arrays of a synthetic segmentation.

    Args:
        classes: Number of classes.
        seed: Seed of the random generator; equal seeds give equal labels.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    # Uneven class sizes: the first classes are the large "stuff" regions.
    sizes = 0.6 ** np.arange(classes) * rng.uniform(0.7, 1.3, size=classes)
    sizes /= sizes.sum()
    gt = rng.choice(classes, size=PIXELS, p=sizes)

    # Each row: mostly right, errors mostly into neighbouring classes.
    index = np.arange(classes)
    distance = np.abs(index[:, None] - index[None, :])
    confusion = np.where(distance == 0, 0.0, np.exp(-distance.astype(float)))
    skill = rng.uniform(0.55, 0.95, size=classes)
    rows = (1 - skill)[:, None] * confusion / confusion.sum(axis=1, keepdims=True)
    rows[index, index] = skill

    draws = rng.random(PIXELS)
    pred = (rows[gt].cumsum(axis=1) < draws[:, None]).sum(axis=1)
    return np.minimum(pred, classes - 1), gt


def draw(params: Mapping[str, Any]) -> Figure:
    """Draw the row-normalised matrix with counts, per-class IoU and mIoU."""
    import numpy as np

    from cvcards.vision.segmentation import confusion_matrix, mean_iou, per_class_iou

    names: list[str] = params["classes"]
    count = len(names)
    pred, gt = synthetic_labels(count, params["seed"])
    cm = confusion_matrix(pred, gt, count)
    ious = per_class_iou(cm)
    miou = mean_iou(pred, gt, count)
    rows = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)

    # Lay out in inches: room for the longest class name beside the matrix and,
    # rotated, under it; rows tall enough for two lines of cell text.
    name_width = max(len(name) for name in names) * CHAR_WIDTH
    left = 0.32 + name_width + 0.08
    bottom = 0.5 + name_width * math.sin(math.radians(ROTATION)) + 0.12
    row = min(max(2.0 / count, 0.34), 0.42)
    height = TOP + count * row + bottom
    width = style.FIG_WIDTH

    def box(x0: float, x1: float) -> tuple[float, float, float, float]:
        return (x0 / width, bottom / height, (x1 - x0) / width, count * row / height)

    figure = style.new_figure(height)
    matrix = figure.add_axes(box(left, MATRIX_RIGHT * width))
    matrix.imshow(rows, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(count):
        for j in range(count):
            value = rows[i, j]
            colour = "white" if value > 0.55 else style.INK
            matrix.text(
                j,
                i,
                f"{value:.2f}\n{cm[i, j]}",
                ha="center",
                va="center",
                fontsize=style.SMALL,
                color=colour,
                linespacing=1.1,
            )
    matrix.set_xticks(range(count), names, rotation=ROTATION, ha="right")
    matrix.set_yticks(range(count), names)
    matrix.tick_params(length=0)
    matrix.set_xlabel("predicted")
    matrix.set_ylabel("ground truth")
    for spine in matrix.spines.values():
        spine.set_visible(False)

    bars = figure.add_axes(box(0.8 * width, 0.97 * width), sharey=matrix)
    bars.barh(
        range(count),
        ious,
        color=style.tint(style.GREEN, 0.5),
        edgecolor=style.GREEN,
        height=0.6,
    )
    for i, iou in enumerate(ious):
        bars.text(0.04, i, f"{iou:.3f}", va="center", fontsize=style.SMALL)
    bars.set_xlim(0, 1)
    bars.tick_params(labelleft=False, length=0)
    bars.set_xticks([0, 1])
    bars.set_xlabel("IoU per class")
    bars.spines["left"].set_visible(False)
    bars.set_title(
        f"mIoU = {miou:.3f}", fontsize=style.TITLE, fontweight="bold", loc="right"
    )

    figure.text(
        0.03,
        1 - 0.2 / height,
        "Confusion matrix, rows normalised",
        fontsize=style.TITLE,
        fontweight="bold",
        va="center",
    )
    return figure
