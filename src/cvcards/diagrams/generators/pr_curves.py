"""Precision-recall curves of one synthetic detector at several IoU thresholds.

The detector is simulated from a seed: images with a few objects each, one
detection per object with localisation noise (worse boxes tend to score
lower), a few duplicates and some false alarms. Raising the matching threshold
turns loosely placed boxes into false positives, so the curve drops and AP75 is
below AP50: the reason COCO reports both. Matching, curves and AP (COCO's
101-point interpolation) come from ``cvcards.vision.ap``; the shaded area is
the interpolated curve whose mean height is the AP.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from cvcards.vision.ap import Detection, GroundTruth

IMAGES = 60
IMAGE_SIZE = (640.0, 480.0)


def synthetic_detections(seed: int) -> tuple[list[Detection], list[GroundTruth]]:
    """Simulate one detector's output and the ground truth it is judged on.

    Args:
        seed: Seed of the random generator; equal seeds give equal data.

    Returns:
        ``(detections, ground_truths)`` of one class (``category_id`` 0).
    """
    import numpy as np

    from cvcards.vision.ap import Detection, GroundTruth

    rng = np.random.default_rng(seed)
    width, height = IMAGE_SIZE
    detections: list[Detection] = []
    truths: list[GroundTruth] = []

    def clip(box: Any) -> tuple[float, float, float, float]:
        x1, y1, x2, y2 = (float(v) for v in box)
        x1, x2 = sorted((min(max(x1, 0.0), width), min(max(x2, 0.0), width)))
        y1, y2 = sorted((min(max(y1, 0.0), height), min(max(y2, 0.0), height)))
        return (x1, y1, x2, y2)

    for image in range(IMAGES):
        for _ in range(int(rng.integers(1, 5))):
            w, h = rng.uniform(40, 220), rng.uniform(40, 220)
            x1, y1 = rng.uniform(0, width - w), rng.uniform(0, height - h)
            truth = (x1, y1, x1 + w, y1 + h)
            truths.append(GroundTruth(image, 0, clip(truth)))
            if rng.random() < 0.1:
                continue  # missed object

            # Corner noise relative to the box size: most boxes are tight,
            # a third are loose enough to fail at IoU 0.75.
            spread = 0.03 if rng.random() < 0.65 else 0.12
            noise = rng.normal(0, spread, 4) * np.array([w, h, w, h])
            box = clip(np.array(truth) + noise)
            quality = float(np.exp(-np.abs(noise).sum() / (w + h) * 4))
            score = float(np.clip(0.3 + 0.6 * quality + rng.normal(0, 0.1), 0, 1))
            detections.append(Detection(image, 0, box, score))
            if rng.random() < 0.15:
                duplicate = clip(np.array(box) + rng.normal(0, 0.1, 4) * [w, h, w, h])
                detections.append(Detection(image, 0, duplicate, score * 0.6))

        for _ in range(int(rng.poisson(0.8))):
            w, h = rng.uniform(30, 150), rng.uniform(30, 150)
            x1, y1 = rng.uniform(0, width - w), rng.uniform(0, height - h)
            false_alarm = clip((x1, y1, x1 + w, y1 + h))
            detections.append(
                Detection(image, 0, false_alarm, float(rng.uniform(0.05, 0.85)))
            )
    return detections, truths


def interpolated_curve(recall: Any, precision: Any) -> tuple[Any, Any]:
    """Return the interpolated curve COCO samples, as points for a "pre" step plot.

    At recall ``r`` the interpolated precision is the best precision at any
    recall of at least ``r``, and 0 beyond the last recall reached. In a step
    plot with ``where="pre"``, ``y[i]`` holds on ``(x[i - 1], x[i]]``, which is
    exactly that function: it starts at recall 0 and drops to 0 at the end.

    Args:
        recall: Recall after each detection, non-decreasing.
        precision: Precision after each detection.

    Returns:
        ``(x, y)`` arrays; empty input gives a single point at the origin.
    """
    import numpy as np

    recall = np.asarray(recall, dtype=np.float64)
    precision = np.asarray(precision, dtype=np.float64)
    if recall.size == 0:
        return np.zeros(1), np.zeros(1)

    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    # Each recall value is read at its first detection, as COCO's search does.
    levels, first = np.unique(recall, return_index=True)
    x = np.concatenate([[0.0], levels, levels[-1:]])
    y = np.concatenate([envelope[first[:1]], envelope[first], [0.0]])
    return x, y


def ap_label(threshold: float, ap: float) -> str:
    """Return a curve's legend text, e.g. ``AP@0.5 = 0.812``."""
    return f"AP@{threshold:g} = {ap:.3f}"


def draw(params: Mapping[str, Any]) -> Figure:
    """Plot the detector's PR curve at each threshold, AP in the legend."""
    from cvcards.vision.ap import coco_interpolated_ap, pr_curve

    detections, truths = synthetic_detections(params["seed"])

    figure = style.new_figure(3.3)
    axes = figure.add_axes((0.11, 0.14, 0.85, 0.72))
    for index, threshold in enumerate(params["thresholds"]):
        precision, recall, _ = pr_curve(detections, truths, 0, threshold)
        ap = coco_interpolated_ap(recall, precision)
        colour = style.SERIES[index % len(style.SERIES)]
        x, y = interpolated_curve(recall, precision)
        axes.fill_between(x, y, step="pre", color=colour, alpha=0.1, linewidth=0)
        axes.step(x, y, where="pre", color=colour, label=ap_label(threshold, ap))
        axes.plot(recall, precision, color=colour, linewidth=0.7, alpha=0.6)

    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("recall")
    axes.set_ylabel("precision")
    axes.grid(True)
    axes.legend(loc="lower left", title="IoU threshold: AP (101-point)")
    axes.set_title("Same detections, stricter IoU threshold", loc="left")
    axes.text(
        0.98,
        0.97,
        f"{len(truths)} objects · {len(detections)} detections",
        transform=axes.transAxes,
        ha="right",
        va="top",
        fontsize=style.SMALL,
        color=style.MUTED,
    )
    return figure
