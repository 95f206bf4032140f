"""A crowded scene before suppression, after greedy NMS and after Soft-NMS.

Two people stand close together, the first detected twice, next to a car. Greedy NMS
deletes every box that overlaps a kept one beyond the threshold, so with the
default threshold it deletes the second person along with the duplicate.
Gaussian Soft-NMS lowers overlapping scores instead, so the second person
survives with a reduced score. Suppression and scores come from
``cvcards.vision.nms``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH, HEIGHT = 200.0, 180.0
# (box, score, where its score tag goes, colour of the object it covers). Tags
# sit outside their box's corner, spread over four corners so that the three
# overlapping boxes' tags stay apart; "below-right" hangs right of the corner.
SCENE: tuple[tuple[tuple[float, float, float, float], float, str, str], ...] = (
    ((20, 30, 90, 150), 0.95, "bottom-left", style.BLUE),
    ((29, 22, 97, 140), 0.80, "top-right", style.BLUE),
    ((36, 34, 106, 156), 0.85, "below-right", style.VERMILION),
    ((135, 60, 192, 110), 0.90, "top-left", style.GREEN),
)
# Soft-NMS drops boxes whose decayed score falls below this.
SCORE_FLOOR = 0.05


def _tag(
    axes: Axes,
    box: tuple[float, float, float, float],
    where: str,
    text: str,
    colour: str,
    faded: bool,
) -> None:
    x1, y1, x2, y2 = box
    anchors = {
        "top-left": (x1, y1, "left", "bottom"),
        "top-right": (x2, y1, "right", "bottom"),
        "bottom-left": (x1, y2, "left", "top"),
        "below-right": (x2, y2, "left", "top"),
    }
    x, y, ha, va = anchors[where]
    axes.text(
        x,
        y,
        text,
        ha=ha,
        va=va,
        fontsize=style.SMALL,
        fontweight="bold",
        color=style.MUTED if faded else style.on(colour),
        zorder=8,
        bbox={
            "boxstyle": "square,pad=0.12",
            "facecolor": style.FAINT if faded else colour,
            "linewidth": 0,
        },
    )


def _panel(axes: Axes, title: str, scores: list[float | None]) -> None:
    """Draw the scene with each box's score, or crossed out when it is gone."""
    style.scene_panel(axes, WIDTH, HEIGHT, title)
    for (box, _, where, colour), score in zip(SCENE, scores, strict=True):
        if score is None:
            style.draw_box(axes, box, style.MUTED, linewidth=1.0, linestyle=":")
            _tag(axes, box, where, "×", colour, faded=True)
            continue
        # Line weight follows the score, as the eye should weigh the box.
        style.draw_box(axes, box, colour, linewidth=0.6 + 2.0 * score)
        _tag(axes, box, where, f"{score:.2f}", colour, faded=False)


def draw(params: Mapping[str, Any]) -> Figure:
    """Draw the scene three times: raw, after greedy NMS, after Soft-NMS."""
    from cvcards.vision.nms import nms, soft_nms

    boxes = [list(box) for box, *_ in SCENE]
    scores = [score for _, score, *_ in SCENE]
    iou_threshold, sigma = params["iou_threshold"], params["sigma"]

    kept = {int(i) for i in nms(boxes, scores, iou_threshold=iou_threshold)}
    after_nms: list[float | None] = [
        s if i in kept else None for i, s in enumerate(scores)
    ]
    order, decayed = soft_nms(
        boxes, scores, sigma=sigma, method="gaussian", score_threshold=SCORE_FLOOR
    )
    soft = dict(zip((int(i) for i in order), (float(s) for s in decayed), strict=True))
    after_soft: list[float | None] = [soft.get(i) for i in range(len(scores))]

    before: list[float | None] = list(scores)
    figure = style.new_figure(2.5)
    titles = (
        f"detections\n{len(scores)} boxes",
        f"greedy NMS\nIoU > {iou_threshold:g}: {len(scores) - len(kept)} removed",
        f"Gaussian Soft-NMS\nσ = {sigma:g}: {len(scores) - len(soft)} removed",
    )
    for column, (title, shown) in enumerate(
        zip(titles, (before, after_nms, after_soft), strict=True)
    ):
        axes = figure.add_axes((0.02 + column * 0.33, 0.13, 0.31, 0.64))
        _panel(axes, title, shown)
    figure.text(
        0.5,
        0.055,
        "line width follows the score · ×: box removed",
        ha="center",
        va="center",
        fontsize=style.SMALL,
        color=style.MUTED,
    )
    return figure
