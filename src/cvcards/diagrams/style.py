"""The one look every diagram shares, and the settings that make files reproducible.

Figures are shown on Anki cards, whose background is white by day and near-black
at night. Rather than pick colours that work on both, every figure sits on an
opaque, light, rounded panel: the figure reads the same in both modes, and the
panel's edge separates it from a white card. Colours come from the Okabe-Ito
palette, which stays distinguishable under the common colour-vision deficiencies.

Sizes target a card that shows a figure 500 CSS pixels wide. The SVG declares
its size in points (72 per inch), and the card scales it to 500 px, so one
point of text shows as ``500 / (72 * width in inches)`` px: 1.34 px in a figure
5.2 inches wide. The text sizes below are chosen from that scale so that the
smallest text (tags, cell values, tick labels) shows at 11 px or more, which a
phone still reads, and the labels a learner reads first are larger. Mathtext
draws sub- and superscripts at 70% of their text's size, so text with scripts
uses ``MATH`` or larger. Text stays text (``svg.fonttype = "none"``) with a
list of fallback families.

Output is byte-reproducible: a fixed hash salt for SVG ids, no date in the
metadata, a fixed creator string, and fonts that matplotlib bundles for layout.

Matplotlib is imported inside the functions only, so that importing a
generator module stays cheap until something is drawn.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Okabe-Ito colours, named for what they are.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILION = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
SERIES = (BLUE, VERMILION, GREEN, ORANGE, PURPLE, SKY)

PANEL = "#fbfaf7"
PANEL_EDGE = "#c9c6bf"
INK = "#1f2328"
MUTED = "#5d6470"
FAINT = "#e4e2dc"
TP = GREEN
FP = VERMILION

FIG_WIDTH = 5.2  # inches; see the module docstring for why
DISPLAY_WIDTH_PX = 500  # how wide a card shows a figure, in CSS pixels
MIN_TEXT_PX = 11.0  # no text shows smaller than this at DISPLAY_WIDTH_PX

# Text sizes in points; at FIG_WIDTH each shows at 1.34 px per point.
SMALL = 8.5  # 11.3 px: tags, cell values, tick labels, notes (the floor)
TEXT = 10.0  # 13.4 px: axis labels, block names, legends, panel titles
TITLE = 11.5  # 15.4 px: figure titles
HEADLINE = 13.0  # 17.4 px: a number that is the whole point (IoU = 0.216)
SCRIPT_SHRINK = 0.7  # mathtext's size for sub- and superscripts
MATH = 12.0  # smallest size for text with mathtext scripts: 8.4 pt, 11.2 px
FONT_FAMILIES = ["DejaVu Sans", "Bitstream Vera Sans", "Verdana", "Arial"]

RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "cvcards",
    "font.family": ["sans-serif"],
    "font.sans-serif": FONT_FAMILIES,
    "mathtext.fontset": "dejavusans",
    "font.size": TEXT,
    "axes.titlesize": TITLE,
    "axes.titleweight": "bold",
    "axes.labelsize": TEXT,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.facecolor": "white",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "xtick.labelsize": SMALL,
    "ytick.labelsize": SMALL,
    "legend.fontsize": TEXT,
    "legend.title_fontsize": SMALL,
    "legend.frameon": True,
    "legend.framealpha": 0.95,
    "legend.edgecolor": FAINT,
    "grid.color": FAINT,
    "grid.linewidth": 0.7,
    "text.color": INK,
    "lines.linewidth": 1.8,
    "patch.linewidth": 1.2,
    "figure.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.transparent": False,
    "path.simplify": True,
}
SVG_METADATA = {"Date": None, "Creator": "cvcards"}


@contextmanager
def context() -> Iterator[None]:
    """Apply the shared matplotlib settings while drawing and saving a figure."""
    import matplotlib as mpl
    from cycler import cycler

    # The colour cycle needs cycler, which is only imported here.
    settings: Any = {**RC, "axes.prop_cycle": cycler(color=SERIES)}
    with mpl.rc_context(settings):
        yield


def new_figure(height: float, *, width: float = FIG_WIDTH) -> Figure:
    """Create a figure of the given height (inches) on the shared light panel.

    The figure is not registered with pyplot, so no global state is touched and
    figures can be drawn in any process.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    figure = Figure(figsize=(width, height))

    # Rounded in figure coordinates: the aspect keeps the corners circular.
    panel = FancyBboxPatch(
        (0.004, 0.004 * width / height),
        0.992,
        1 - 0.008 * width / height,
        boxstyle="round,pad=0,rounding_size=0.025",
        mutation_aspect=width / height,
        transform=figure.transFigure,
        facecolor=PANEL,
        edgecolor=PANEL_EDGE,
        linewidth=1.0,
        zorder=-100,
    )
    figure.patches.append(panel)
    return figure


def save_svg(figure: Figure, path: Path) -> None:
    """Write a figure as reproducible SVG with text kept as text."""
    figure.savefig(path, format="svg", metadata=SVG_METADATA)


def number(value: float, digits: int = 3) -> str:
    """Format a computed value the way figures and tests print it."""
    return f"{value:.{digits}f}"


def image_axes(axes: Axes, width: float, height: float, *, margin: float = 0) -> None:
    """Set up axes as an image plane: origin top-left, y down, equal scale."""
    axes.set_xlim(-margin, width + margin)
    axes.set_ylim(height + margin, -margin)
    axes.set_aspect("equal")
    few_ticks(axes)


def scene_panel(axes: Axes, width: float, height: float, title: str) -> None:
    """Set up a framed image-plane panel without ticks, titled above."""
    image_axes(axes, width, height)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(True)
        spine.set_color(FAINT)
    axes.set_title(title, fontsize=TEXT, fontweight="normal", pad=4)


def fit_boxes(axes: Axes, boxes: Sequence[Sequence[float]], *, pad: float) -> None:
    """Frame image-plane axes around boxes, with ``pad`` of their extent around."""
    left = min(box[0] for box in boxes)
    top = min(box[1] for box in boxes)
    right = max(box[2] for box in boxes)
    bottom = max(box[3] for box in boxes)
    margin = pad * max(right - left, bottom - top)
    axes.set_xlim(left - margin, right + margin)
    axes.set_ylim(bottom + margin, top - margin)
    axes.set_aspect("equal")
    few_ticks(axes)


def few_ticks(axes: Axes, count: int = 5) -> None:
    """Keep at most about ``count`` ticks per axis, so their labels stay apart."""
    from matplotlib.ticker import MaxNLocator

    for axis in (axes.xaxis, axes.yaxis):
        axis.set_major_locator(MaxNLocator(count, steps=[1, 2, 2.5, 5, 10]))
    axes.tick_params(length=2)


def draw_box(
    axes: Axes,
    box: Sequence[float],
    colour: str,
    *,
    label: str | None = None,
    fill: float = 0.0,
    linewidth: float = 2.0,
    linestyle: str = "-",
    zorder: float = 3,
    label_below: bool = False,
) -> None:
    """Draw a box ``[x1, y1, x2, y2]`` on image axes, with an optional tag.

    The tag sits in a filled rectangle on the box's top-left corner, as
    annotation tools show class labels, or under its bottom-right corner when
    ``label_below`` is set (to keep two nearby tags apart).
    """
    from matplotlib.patches import Rectangle

    x1, y1, x2, y2 = box
    if fill:
        axes.add_patch(
            Rectangle(
                (x1, y1), x2 - x1, y2 - y1, facecolor=colour, alpha=fill, zorder=zorder
            )
        )
    if linewidth:
        axes.add_patch(
            Rectangle(
                (x1, y1),
                x2 - x1,
                y2 - y1,
                facecolor="none",
                edgecolor=colour,
                linewidth=linewidth,
                linestyle=linestyle,
                zorder=zorder,
            )
        )
    if label:
        axes.text(
            x2 if label_below else x1,
            y2 if label_below else y1,
            label,
            color=on(colour),
            fontsize=SMALL,
            fontweight="bold",
            va="top" if label_below else "bottom",
            ha="right" if label_below else "left",
            zorder=zorder + 1,
            bbox={"boxstyle": "square,pad=0.15", "facecolor": colour, "linewidth": 0},
        )


def block(
    axes: Axes,
    xy: tuple[float, float],
    text: str,
    *,
    detail: str | None = None,
    colour: str = BLUE,
    size: tuple[float, float] = (1.6, 0.5),
    fontsize: float = TEXT,
) -> tuple[float, float, float, float]:
    """Draw a rounded block centred at ``xy`` in data units; return its extent.

    Used by the architecture and pipeline figures, whose axes are a plain
    canvas with equal units. A block shows a name and, optionally, a detail
    line under it in the smallest size, so that the name reads first.

    Returns:
        ``(left, bottom, right, top)`` of the block, for attaching arrows.
    """
    from matplotlib.patches import FancyBboxPatch

    x, y = xy
    w, h = size
    axes.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0,rounding_size=0.08",
            facecolor=tint(colour),
            edgecolor=colour,
            linewidth=1.3,
            zorder=2,
        )
    )
    if detail is None:
        axes.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=3)
        return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)

    # Name above the centre line and detail below it, a point apart.
    for line, points, va, offset, ink in (
        (text, fontsize, "bottom", 0.5, INK),
        (detail, SMALL, "top", -0.5, shade(MUTED, 0.2)),
    ):
        axes.annotate(
            line,
            (x, y),
            xytext=(0, offset),
            textcoords="offset points",
            ha="center",
            va=va,
            fontsize=points,
            color=ink,
            zorder=3,
        )
    return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def arrow(
    axes: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    colour: str = MUTED,
    label: str | None = None,
    linestyle: str = "-",
) -> None:
    """Draw an arrow between two points of a canvas, with an optional label."""
    axes.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": "-|>",
            "color": colour,
            "linewidth": 1.2,
            "linestyle": linestyle,
            "shrinkA": 0,
            "shrinkB": 0,
            "mutation_scale": 10,
        },
        zorder=1,
    )
    if label:
        axes.text(
            (start[0] + end[0]) / 2,
            (start[1] + end[1]) / 2,
            label,
            fontsize=SMALL,
            color=MUTED,
            ha="center",
            va="center",
            zorder=4,
            bbox={"boxstyle": "round,pad=0.12", "facecolor": PANEL, "linewidth": 0},
        )


def tint(colour: str, amount: float = 0.82) -> str:
    """Mix a colour with white; ``amount`` is the share of white."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(c + (255 - c) * amount) for c in (red, green, blue))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def shade(colour: str, amount: float = 0.3) -> str:
    """Mix a colour with black, for text in that colour on the light panel."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(c * (1 - amount)) for c in (red, green, blue))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def on(colour: str) -> str:
    """Return the text colour (white or ink) that reads best on a fill."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    # Rec. 709 luma is enough to split light fills from dark ones.
    luma = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return INK if luma > 0.55 else "white"


def canvas(axes: Axes, width: float, height: float) -> None:
    """Turn axes into a blank drawing canvas of the given size in data units."""
    axes.set_xlim(0, width)
    axes.set_ylim(0, height)
    axes.set_aspect("equal")
    axes.axis("off")
