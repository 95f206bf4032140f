"""Every figure's text is large enough to read where cards show it, and apart.

A card scales a figure to ``style.DISPLAY_WIDTH_PX`` CSS pixels wide, so a
text element shows at its font size times that width over the width of the
SVG's viewBox (times any scaling of the transforms around it). The committed
figures (all the decks use, and every default) are checked as they are, and a
few awkward parameter sets (long class names, many levels, extreme aspect
ratios) are rendered fresh, because they are where a layout runs out of room.

Large text only helps if it does not collide, so the same figures are also
laid out by matplotlib and no two pieces of text may overlap or leave the
figure.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest

from cvcards.diagrams import style
from cvcards.diagrams.registry import GENERATORS, canonical_json, resolve
from cvcards.diagrams.render import render
from cvcards.diagrams.specs import all_specs

SVG = "{http://www.w3.org/2000/svg}"
REPO = Path(__file__).resolve().parent.parent
COMMITTED = sorted((REPO / "diagrams").glob("*.svg"))
AWKWARD: dict[str, tuple[str, dict[str, object]]] = {
    "eight-long-classes": (
        "confusion_matrix",
        {
            "classes": [
                "traffic lights",
                "traffic signs",
                "motorcyclists",
                "road",
                "bus",
                "vegetation",
                "pedestrians",
                "sky",
            ],
            "seed": 4,
        },
    ),
    "six-fpn-levels": ("fpn_topology", {"levels": [2, 3, 4, 5, 6, 7]}),
    "four-pr-thresholds": (
        "pr_curves",
        {"seed": 3, "thresholds": [0.5, 0.6, 0.75, 0.9]},
    ),
    "six-gammas-alpha": (
        "focal_loss",
        {"gammas": [0, 0.25, 0.5, 1, 2, 5], "alpha": 0.25},
    ),
    "ten-sizes": (
        "resolution_compute",
        {"sizes": [256, 320, 384, 416, 512, 640, 800, 1024, 1280, 2048]},
    ),
    "wide-image": (
        "hflip_boxes",
        {"width": 4000, "height": 100, "box": [100, 20, 900, 90]},
    ),
    "tall-image": (
        "hflip_boxes",
        {"width": 100, "height": 4000, "box": [10, 100, 40, 3000]},
    ),
}

_FONT_SIZE = re.compile(r"font-size:\s*([0-9.]+)(px)?\s*(?:;|$)")
_TRANSFORM = re.compile(r"(\w+)\s*\(([^)]*)\)")


def shown_px(points: float, width_in: float = style.FIG_WIDTH) -> float:
    """Size in CSS px of text of ``points`` in a figure ``width_in`` inches wide."""
    return points * style.DISPLAY_WIDTH_PX / (72 * width_in)


def transform_scale(transform: str) -> float:
    """How much an SVG ``transform`` attribute scales text (areas' square root).

    Raises:
        ValueError: A transform function this check does not know.
    """
    factor = 1.0
    for name, raw in _TRANSFORM.findall(transform):
        values = [float(v) for v in re.split(r"[\s,]+", raw.strip()) if v]
        if name in ("translate", "rotate"):
            continue
        if name == "scale":
            sx, sy = values[0], values[-1]
            factor *= math.sqrt(abs(sx * sy))
        elif name == "matrix":
            a, b, c, d = values[:4]
            factor *= math.sqrt(abs(a * d - b * c))
        else:
            raise ValueError(f"unknown transform {name!r} in {transform!r}")
    return factor


def text_sizes(path: Path) -> list[tuple[str, float]]:
    """Return ``(text, size in CSS px at the display width)`` of every run of text.

    Each ``<text>`` and ``<tspan>`` counts on its own: mathtext writes its
    sub- and superscripts as smaller tspans.
    """
    root = ElementTree.parse(path).getroot()
    _, _, view_width, view_height = (float(v) for v in root.attrib["viewBox"].split())
    declared = float(root.attrib["width"].removesuffix("pt"))
    declared_height = float(root.attrib["height"].removesuffix("pt"))
    # Scaled to a width, the picture keeps the declared aspect.
    assert declared / declared_height == pytest.approx(view_width / view_height)
    px_per_unit = style.DISPLAY_WIDTH_PX / view_width

    found: list[tuple[str, float]] = []

    def visit(node: ElementTree.Element, scale: float, size: float | None) -> None:
        scale *= transform_scale(node.attrib.get("transform", ""))
        match = _FONT_SIZE.search(node.attrib.get("style", ""))
        if match:
            size = float(match[1])
        elif "font-size" in node.attrib:
            size = float(node.attrib["font-size"].removesuffix("px"))
        if node.tag in (f"{SVG}text", f"{SVG}tspan") and (node.text or "").strip():
            assert size is not None, f"{path.name}: text {node.text!r} has no size"
            found.append((node.text or "", size * scale * px_per_unit))
        for child in node:
            visit(child, scale, size)

    visit(root, 1.0, None)
    return found


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out_dir = tmp_path_factory.mktemp("awkward")
    results = render(list(AWKWARD.values()), out_dir, jobs=2)
    return {key: result.path for key, result in zip(AWKWARD, results, strict=True)}


def _too_small(path: Path) -> list[str]:
    return [
        f"{text!r} at {px:.1f} px"
        for text, px in text_sizes(path)
        if px < style.MIN_TEXT_PX - 1e-6
    ]


def test_the_committed_figures_are_there() -> None:
    assert len(COMMITTED) >= 12


@pytest.mark.parametrize("path", COMMITTED, ids=[p.stem for p in COMMITTED])
def test_committed_figure_text_is_readable(path: Path) -> None:
    assert text_sizes(path), "a figure without text elements cannot be checked"
    assert not _too_small(path), f"{path.name}: text under {style.MIN_TEXT_PX} px"


@pytest.mark.parametrize("key", sorted(AWKWARD), ids=sorted(AWKWARD))
def test_awkward_figure_text_is_readable(awkward: dict[str, Path], key: str) -> None:
    assert not _too_small(awkward[key])


@pytest.mark.parametrize(
    ("points", "expected_px"),
    [
        (style.SMALL, 11.35),
        (style.TEXT, 13.35),
        (style.MATH * style.SCRIPT_SHRINK, 11.22),
    ],
    ids=["small", "text", "math-script"],
)
def test_shared_sizes_show_at_their_intended_pixels(
    points: float, expected_px: float
) -> None:
    assert shown_px(points) == pytest.approx(expected_px, abs=0.01)
    assert shown_px(points) >= style.MIN_TEXT_PX


@pytest.mark.parametrize(
    ("transform", "factor"),
    [
        ("rotate(-90 10 20)", 1.0),
        ("translate(3 4) scale(0.5)", 0.5),
        ("matrix(2 0 0 2 0 0)", 2.0),
        ("scale(1 0.25)", 0.5),
    ],
    ids=["rotate", "scale", "matrix", "anisotropic"],
)
def test_transform_scale(transform: str, factor: float) -> None:
    assert transform_scale(transform) == pytest.approx(factor)


def test_a_small_label_is_caught(tmp_path: Path) -> None:
    # A 5.2-inch figure with a 6 pt label shows it at 8 px: it must fail.
    path = tmp_path / "small.svg"
    path.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="374.4pt" height="100pt" '
        'viewBox="0 0 374.4 100"><g transform="translate(5 5)">'
        '<text style="font-size: 10px; fill: #000">big</text>'
        '<text style="font-size: 6px">small</text>'
        '<text style="font-size: 12px">x<tspan style="font-size: 7px">t</tspan>'
        "</text></g></svg>"
    )

    assert _too_small(path) == ["'small' at 8.0 px", "'t' at 9.3 px"]


def _laid_out_text(generator: str, params: dict[str, object]) -> list[Any]:
    """Draw a figure and return ``(text, window extent, rotation)`` of its text.

    Tick labels of ticks outside their axis's view are left out: matplotlib
    keeps them but never draws them.
    """
    import importlib

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    module = importlib.import_module(GENERATORS[generator].module)
    with style.context():
        figure = module.draw(resolve(generator, params))
        renderer = FigureCanvasAgg(figure).get_renderer()
        figure.draw(renderer)

        hidden: set[int] = set()
        for axes in figure.axes:
            for axis in (axes.xaxis, axes.yaxis):
                low, high = sorted(axis.get_view_interval())
                slack = 1e-9 * (high - low)
                for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                    if not low - slack <= tick.get_loc() <= high + slack:
                        hidden.update((id(tick.label1), id(tick.label2)))
        found = [
            (text.get_text(), text.get_window_extent(renderer), text.get_rotation())
            for text in figure.findobj(Text)
            if text.get_visible() and text.get_text().strip() and id(text) not in hidden
        ]
    return [*found, ("<figure>", figure.bbox, None)]


def _collisions(laid_out: list[Any]) -> list[str]:
    *texts, (_, figure, _) = laid_out
    problems = []
    for index, (text, box, rotation) in enumerate(texts):
        if (
            box.x0 < figure.x0 - 1
            or box.y0 < figure.y0 - 1
            or box.x1 > figure.x1 + 1
            or box.y1 > figure.y1 + 1
        ):
            problems.append(f"{text!r} leaves the figure")
        for other, other_box, other_rotation in texts[index + 1 :]:
            # Parallel rotated labels (tick names) have overlapping upright
            # extents even when the text itself is apart.
            if rotation == other_rotation and rotation % 180:
                continue
            width = min(box.x1, other_box.x1) - max(box.x0, other_box.x0)
            height = min(box.y1, other_box.y1) - max(box.y0, other_box.y0)
            if width > 0.5 and height > 0.5:
                problems.append(f"{text!r} overlaps {other!r}")
    return problems


def _layout_specs() -> dict[str, tuple[str, dict[str, object]]]:
    specs = {
        f"{generator}{canonical_json(params)}": (generator, dict(params))
        for generator, params in all_specs(REPO / "decks")
    }
    return {**specs, **AWKWARD}


LAYOUT_SPECS = _layout_specs()


@pytest.mark.parametrize("key", sorted(LAYOUT_SPECS), ids=sorted(LAYOUT_SPECS))
def test_no_text_overlaps_or_leaves_the_figure(key: str) -> None:
    assert not _collisions(_laid_out_text(*LAYOUT_SPECS[key]))


def test_an_overlap_is_caught() -> None:
    from matplotlib.transforms import Bbox

    laid_out = [
        ("a", Bbox.from_extents(0, 0, 20, 10), 0.0),
        ("b", Bbox.from_extents(15, 5, 40, 15), 0.0),
        ("c", Bbox.from_extents(50, 0, 70, 10), 35.0),
        ("d", Bbox.from_extents(55, 0, 75, 10), 35.0),
        ("e", Bbox.from_extents(90, 0, 120, 10), 0.0),
        ("<figure>", Bbox.from_extents(0, 0, 100, 100), None),
    ]

    assert _collisions(laid_out) == ["'a' overlaps 'b'", "'e' leaves the figure"]
