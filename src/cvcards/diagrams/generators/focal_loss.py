"""Focal loss against the probability of the true class, one curve per gamma.

The legend gives each curve's loss at a well-classified example (p_t = 0.9),
which is the number that shows what focusing does: easy examples stop
dominating the sum. Values come from ``cvcards.vision.losses``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

EASY = 0.9  # p_t of a well-classified example, quoted in the legend


def legend_label(gamma: float, loss_at_easy: float, alpha: float | None) -> str:
    """Return a curve's legend text: its gamma and its loss at p_t = 0.9.

    The gamma = 0 curve is cross-entropy only without alpha; with it, it is
    cross-entropy scaled by alpha, and is named so.
    """
    name = f"γ = {gamma:g}"
    if gamma == 0:
        name += " (cross-entropy)" if alpha is None else " (α-balanced CE)"
    return f"{name}: {loss_at_easy:.3g}"


def draw(params: Mapping[str, Any]) -> Figure:
    """Plot focal loss for each gamma, with cross-entropy labelled at gamma 0."""
    import numpy as np

    from cvcards.vision.losses import focal_loss

    alpha = params["alpha"]
    # Alpha scales every curve; scale the axis with it so the shapes stay legible.
    top = 4.0 * alpha if alpha else 4.0
    p = np.linspace(0.005, 1.0, 400)

    figure = style.new_figure(3.4)
    axes = figure.add_axes((0.1, 0.14, 0.86, 0.7))
    for index, gamma in enumerate(params["gammas"]):
        loss = focal_loss(p, gamma=gamma, alpha=alpha)
        easy = float(focal_loss(EASY, gamma=gamma, alpha=alpha))
        colour = style.SERIES[index % len(style.SERIES)]
        axes.plot(
            p,
            loss,
            color=colour,
            linewidth=2.4 if gamma == 0 else 1.8,
            label=legend_label(gamma, easy, alpha),
        )

    axes.axvline(EASY, color=style.MUTED, linewidth=0.8, linestyle=":")
    axes.text(
        EASY - 0.015,
        0.12 * top,
        "easy\nexample",
        ha="right",
        va="bottom",
        fontsize=style.SMALL,
        color=style.MUTED,
    )
    axes.set_xlim(0, 1)
    axes.set_ylim(0, top)
    # Mathtext sets p_t's subscript at 70%: the label is MATH-sized to keep it legible.
    axes.set_xlabel("$p_t$, probability of the true class", fontsize=style.MATH)
    axes.set_ylabel("loss")
    axes.grid(True)
    if alpha is None:
        title = r"Focal loss $= -(1 - p_t)^{\gamma} \log p_t$"
    else:
        title = rf"Focal loss $= -\alpha (1 - p_t)^{{\gamma}} \log p_t$, α = {alpha:g}"
    axes.set_title(title, loc="left", fontsize=style.MATH)
    axes.legend(title=f"loss at {EASY:g}, an easy example", loc="upper right")
    return figure
