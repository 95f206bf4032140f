"""Relative compute of a convolutional detector against its input size.

A fully convolutional network does the same work per pixel, so its FLOPs grow
with the number of pixels: with the side squared for square inputs. Each bar is
labelled with its ratio to the reference size, which is what the cards ask
("going from 640 to 1024 costs about 2.6×").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure


CROWDED = 7  # bars that still fit horizontal ratio labels


def relative_compute(sizes: Sequence[int], reference: int) -> list[float]:
    """Return each square input's pixel count over the reference's."""
    return [(size / reference) ** 2 for size in sizes]


def ratio_label(ratio: float) -> str:
    """Format a compute ratio as the bars show it, e.g. ``2.56×``.

    Two decimals suit the usual sizes; tiny ratios keep three significant
    digits so that they do not print as 0.00.
    """
    return f"{ratio:.2f}×" if ratio >= 0.1 else f"{ratio:.3g}×"


def draw(params: Mapping[str, Any]) -> Figure:
    """Draw one bar per input size with its compute relative to the reference."""
    sizes: list[int] = params["sizes"]
    reference: int = params["reference"]
    ratios = relative_compute(sizes, reference)

    figure = style.new_figure(3.1)
    axes = figure.add_axes((0.12, 0.16, 0.85, 0.69))
    positions = range(len(sizes))
    colours = [style.VERMILION if s == reference else style.BLUE for s in sizes]
    axes.bar(
        positions,
        ratios,
        color=[style.tint(c, 0.6) for c in colours],
        edgecolor=colours,
        linewidth=1.2,
        width=0.68,
    )
    # Past seven bars, horizontal labels would touch: stand them up instead.
    crowded = len(sizes) > CROWDED
    for x, ratio in zip(positions, ratios, strict=True):
        axes.annotate(
            ratio_label(ratio),
            (x, ratio),
            xytext=(0, 2),
            textcoords="offset points",
            rotation=90 if crowded else 0,
            ha="center",
            va="bottom",
            fontsize=style.SMALL,
            fontweight="bold",
        )

    axes.axhline(1.0, color=style.VERMILION, linewidth=0.9, linestyle="--")
    # Sides only: "1024×1024" under ten bars would run into its neighbours.
    axes.set_xticks(list(positions), [str(s) for s in sizes])
    axes.set_ylim(0, max(ratios) * (1.3 if crowded else 1.15))
    axes.set_xlabel("input side in pixels (square input)")
    axes.set_ylabel(f"compute relative to {reference}")
    axes.grid(True, axis="y")
    axes.set_axisbelow(True)
    axes.set_title(
        f"Compute grows with side²: 1× = {reference}×{reference}", loc="left"
    )
    return figure
