"""Reliability diagram of an overconfident classifier, before and after scaling.

The synthetic classifier is overconfident by construction: labels are drawn
from ``softmax(z)`` for random logits ``z``, so ``z`` itself is calibrated,
and the model reports ``SHARPNESS * z``. A temperature is fitted on one half
of the predictions (the held-out validation set) and both panels are measured
on the other half. Bins, ECE and the fitted temperature come from
``cvcards.vision.calibration``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cvcards.vision.calibration import ReliabilityBins

SAMPLES = 4000
CLASSES = 10
SHARPNESS = 2.5  # how much the model exaggerates its logits


def synthetic_logits(seed: int) -> tuple[Any, Any]:
    """Return ``(logits, labels)`` of an overconfident ten-class classifier.

    Args:
        seed: Seed of the random generator; equal seeds give equal data.
    """
    import numpy as np

    from cvcards.vision.calibration import softmax

    rng = np.random.default_rng(seed)
    calibrated = rng.normal(0.0, 1.6, size=(SAMPLES, CLASSES))
    probabilities = softmax(calibrated)
    # Inverse-CDF sampling of one label per row from its own distribution.
    draws = rng.random((SAMPLES, 1))
    labels = (probabilities.cumsum(axis=1) < draws).sum(axis=1)
    labels = np.minimum(labels, CLASSES - 1)
    return calibrated * SHARPNESS, labels


def calibration_summary(seed: int, bins: int) -> dict[str, Any]:
    """Fit the temperature and measure both panels, as the figure shows them.

    Returns:
        ``temperature``, and for ``"before"`` and ``"after"`` the reliability
        bins and the ECE on the evaluation half.
    """
    from cvcards.vision.calibration import (
        apply_temperature,
        expected_calibration_error,
        fit_temperature,
        reliability_bins,
        softmax,
    )

    logits, labels = synthetic_logits(seed)
    half = SAMPLES // 2
    temperature = fit_temperature(logits[:half], labels[:half])

    summary: dict[str, Any] = {"temperature": temperature}
    for name, scale in (("before", 1.0), ("after", temperature)):
        probabilities = softmax(apply_temperature(logits[half:], scale))
        confidence = probabilities.max(axis=1)
        correct = probabilities.argmax(axis=1) == labels[half:]
        summary[name] = (
            reliability_bins(confidence, correct, bins),
            expected_calibration_error(confidence, correct, bins),
        )
    return summary


def _panel(axes: Axes, title: str, bins: ReliabilityBins, ece: float) -> None:
    import numpy as np

    edges = bins.edges
    widths = np.diff(edges)
    filled = bins.counts > 0
    accuracy = np.where(filled, bins.accuracy, 0.0)
    confidence = np.where(filled, bins.confidence, 0.0)

    axes.bar(
        edges[:-1],
        accuracy,
        width=widths,
        align="edge",
        color=style.tint(style.BLUE, 0.45),
        edgecolor=style.BLUE,
        linewidth=0.8,
        label="accuracy",
    )
    # The gap between confidence and accuracy is what ECE averages.
    axes.bar(
        edges[:-1][filled],
        (confidence - accuracy)[filled],
        bottom=accuracy[filled],
        width=widths[filled],
        align="edge",
        color=style.tint(style.VERMILION, 0.6),
        edgecolor=style.VERMILION,
        linewidth=0.8,
        hatch="///",
        label="gap to confidence",
    )
    axes.plot(
        [0, 1],
        [0, 1],
        color=style.INK,
        linestyle="--",
        linewidth=1,
        label="perfect calibration",
    )
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_aspect("equal")
    axes.set_xlabel("confidence")
    axes.set_title(title, fontsize=style.TEXT, fontweight="normal")
    axes.text(
        0.04,
        0.95,
        f"ECE = {ece:.3f}",
        transform=axes.transAxes,
        fontsize=style.TITLE,
        fontweight="bold",
        va="top",
    )


def draw(params: Mapping[str, Any]) -> Figure:
    """Draw the reliability diagram before and after temperature scaling."""
    summary = calibration_summary(params["seed"], params["bins"])
    temperature = summary["temperature"]

    figure = style.new_figure(3.5)
    before = figure.add_axes((0.1, 0.21, 0.4, 0.62))
    _panel(before, "before: T = 1", *summary["before"])
    before.set_ylabel("accuracy")
    after = figure.add_axes((0.57, 0.21, 0.4, 0.62))
    _panel(after, f"after: T = {temperature:.2f}", *summary["after"])
    after.tick_params(labelleft=False)
    handles, labels = before.get_legend_handles_labels()
    figure.legend(
        handles,
        labels,
        loc="lower center",
        ncols=3,
        fontsize=style.SMALL,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
        columnspacing=1.2,
        handlelength=1.8,
    )
    figure.text(
        0.03,
        0.94,
        "Temperature scaling (T fitted on held-out data)",
        fontweight="bold",
        fontsize=style.TITLE,
        va="center",
    )
    return figure
