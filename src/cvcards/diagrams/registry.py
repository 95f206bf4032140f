"""The diagram generators by name: what each draws, its parameters, its file name.

Deck notes name a generator and give it parameters; this module checks them
(``validate``) and derives the media file name (``filename``) without importing
matplotlib or numpy, so that compiling and checking decks stay fast. Drawing
code lives in ``cvcards.diagrams.generators.<name>`` and is imported only when
a figure is rendered.

A file name is a hash of the generator name, its parameters (defaults applied,
as canonical JSON), its version number and the source text of its module, of
the shared style module and of the ``cvcards.vision`` modules it imports
(directly or through each other). Editing a figure's parameters, its drawing
code or the maths it plots therefore gives a new file, and an unchanged figure
keeps its name.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cvcards.diagrams.validation import (
    Box,
    Integer,
    Items,
    Number,
    Param,
    Text,
    check_params,
)
from cvcards.errors import DiagramError

DIAGRAMS_DIR = Path(__file__).resolve().parent
VISION_DIR = DIAGRAMS_DIR.parent / "vision"
# "import cvcards.vision.X", "from cvcards.vision.X import ..." and
# "from cvcards.vision import X, Y" (also in parentheses over several lines).
_VISION_IMPORT = re.compile(
    r"^[ \t]*(?:from|import)[ \t]+cvcards\.vision\.(?P<module>\w+)"
    r"|^[ \t]*from[ \t]+cvcards\.vision[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\n#]+)",
    re.MULTILINE,
)
# Shared drawing code: a change here changes every figure, hence every name.
SHARED_SOURCES = ("style.py",)
HASH_LENGTH = 10

PROBABILITY = Number(0.0, 1.0)
SEED = Integer(0, 2**31 - 1)


@dataclass(frozen=True)
class GeneratorInfo:
    """A registered generator.

    Attributes:
        name: The name decks use, e.g. ``iou_overlap``.
        description: One line saying what the figure shows.
        params: Declared parameters, in the order they are documented.
        version: Bumped when the figure changes for a reason that no hashed
            source text shows (e.g. NumPy changing the random stream that a
            synthetic scene is drawn from).
        cross_check: Checks that involve several parameters; it receives the
            normalised parameters and returns problems.
    """

    name: str
    description: str
    params: tuple[Param, ...] = ()
    version: int = 1
    cross_check: Callable[[dict[str, Any]], list[str]] | None = field(
        default=None, repr=False
    )

    @property
    def defaults(self) -> dict[str, object]:
        """The parameters of the default instance, normalised."""
        return {p.name: p.type.normalize(p.default) for p in self.params}

    @property
    def module(self) -> str:
        """The module holding the generator's ``draw`` function."""
        return f"cvcards.diagrams.generators.{self.name}"

    @property
    def source(self) -> Path:
        """The source file of the generator's module."""
        return DIAGRAMS_DIR / "generators" / f"{self.name}.py"


def _thresholds_ordered(params: dict[str, Any]) -> list[str]:
    if params["low_threshold"] >= params["high_threshold"]:
        return [
            f"low_threshold ({params['low_threshold']:g}) is not below "
            f"high_threshold ({params['high_threshold']:g}); ByteTrack's second "
            "pass takes the detections between them, so make low < high"
        ]
    return []


def _box_inside_image(params: dict[str, Any]) -> list[str]:
    x1, y1, x2, y2 = params["box"]
    width, height = params["width"], params["height"]
    if x1 < 0 or y1 < 0 or x2 > width or y2 > height:
        return [
            f"box: [{x1:g}, {y1:g}, {x2:g}, {y2:g}] leaves the {width}×{height} "
            f"image; keep 0 <= x1 < x2 <= {width} and 0 <= y1 < y2 <= {height}"
        ]
    return []


def _registry(*infos: GeneratorInfo) -> dict[str, GeneratorInfo]:
    return {info.name: info for info in infos}


GENERATORS: dict[str, GeneratorInfo] = _registry(
    GeneratorInfo(
        "iou_overlap",
        "Two boxes, their intersection shaded and union outlined, with the IoU.",
        (
            Param("box_a", Box(), [40, 50, 220, 190], "first box [x1, y1, x2, y2]"),
            Param("box_b", Box(), [120, 100, 290, 250], "second box [x1, y1, x2, y2]"),
        ),
    ),
    GeneratorInfo(
        "pr_curves",
        "Precision-recall curves of one synthetic detector at several IoU "
        "thresholds, with AP in the legend.",
        (
            Param("seed", SEED, 0, "seed of the synthetic detections"),
            Param(
                "thresholds",
                Items(Number(0.0, 1.0, low_open=True, high_open=True), 1, 4),
                [0.5, 0.75],
                "IoU thresholds at which detections are matched",
            ),
        ),
    ),
    GeneratorInfo(
        "fpn_topology",
        "Feature pyramid network: bottom-up C levels, top-down path, lateral "
        "1×1 convs, 2× upsampling, 3×3 output convs, P levels with strides.",
        (
            Param(
                "levels",
                Items(Integer(1, 7), 2, 6, increasing=True, consecutive=True),
                [2, 3, 4, 5],
                "pyramid levels; level l has stride 2**l",
            ),
        ),
    ),
    GeneratorInfo(
        "nms_vs_soft_nms",
        "A crowded scene before suppression, after greedy NMS and after Gaussian "
        "Soft-NMS, with scores.",
        (
            Param("iou_threshold", PROBABILITY, 0.5, "greedy NMS IoU threshold"),
            Param(
                "sigma",
                Number(0.0, 10.0, low_open=True),
                0.5,
                "width of Soft-NMS's Gaussian score decay",
            ),
        ),
    ),
    GeneratorInfo(
        "focal_loss",
        "Focal loss against the probability of the true class for several "
        "gammas; gamma = 0 is cross-entropy.",
        (
            Param(
                "gammas",
                Items(Number(0.0, 10.0), 1, 6),
                [0, 0.5, 1, 2, 5],
                "focusing parameters to plot",
            ),
            Param(
                "alpha",
                Number(0.0, 1.0, optional=True),
                None,
                "class weight on the loss, or null for none",
            ),
        ),
    ),
    GeneratorInfo(
        "reliability_diagram",
        "Reliability diagram of an overconfident classifier before and after "
        "temperature scaling, with ECE.",
        (
            Param("seed", SEED, 0, "seed of the synthetic classifier"),
            Param("bins", Integer(2, 30), 10, "number of confidence bins"),
        ),
    ),
    GeneratorInfo(
        "confusion_matrix",
        "Row-normalised segmentation confusion matrix with counts, per-class "
        "IoU and mIoU.",
        (
            Param(
                "classes",
                Items(Text(14), 2, 8),
                ["road", "sidewalk", "car", "person", "sky"],
                "class names, in matrix order",
            ),
            Param("seed", SEED, 0, "seed of the synthetic predictions"),
        ),
    ),
    GeneratorInfo(
        "detector_pipelines",
        "One-stage and two-stage detector pipelines side by side.",
    ),
    GeneratorInfo(
        "tracking_association",
        "SORT's single IoU association against ByteTrack's two passes over "
        "high- and low-score detections.",
        (
            Param(
                "high_threshold",
                PROBABILITY,
                0.6,
                "score at or above which a detection is high-confidence",
            ),
            Param(
                "low_threshold",
                PROBABILITY,
                0.1,
                "score below which ByteTrack discards a detection",
            ),
        ),
        cross_check=_thresholds_ordered,
    ),
    GeneratorInfo(
        "hflip_boxes",
        "A box before and after a horizontal flip, with x1' = W - x2 and x2' = W - x1.",
        (
            Param("width", Integer(1, 10_000), 640, "image width W in pixels"),
            Param("height", Integer(1, 10_000), 480, "image height in pixels"),
            Param("box", Box(), [80, 140, 260, 400], "the box before the flip"),
        ),
        cross_check=_box_inside_image,
    ),
    GeneratorInfo(
        "resolution_compute",
        "Relative compute of a convolutional detector against input size "
        "(grows with the side squared).",
        (
            Param(
                "sizes",
                Items(Integer(16, 4096), 2, 10, increasing=True),
                [320, 416, 512, 640, 800, 1024],
                "input sides in pixels",
            ),
            Param(
                "reference", Integer(16, 4096), 640, "side whose compute counts as 1×"
            ),
        ),
    ),
    GeneratorInfo(
        "coco_iou_thresholds",
        "One prediction's IoU against COCO's ten thresholds 0.50:0.95, each "
        "marked TP or FP.",
        (
            Param("gt", Box(), [60, 40, 260, 200], "ground-truth box"),
            Param("pred", Box(), [78, 52, 270, 214], "predicted box"),
        ),
    ),
)


def _unknown(generator: str) -> str:
    import difflib

    close = difflib.get_close_matches(generator, list(GENERATORS), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return (
        f"unknown generator {generator!r}; {hint}"
        f"use one of {', '.join(sorted(GENERATORS))}"
    )


def validate(generator: str, params: Mapping[str, object]) -> list[str]:
    """Check a generator name and its parameters.

    Args:
        generator: The generator name a deck gives.
        params: The parameters a deck gives (defaults fill in missing ones).

    Returns:
        Every problem found, each as "what is wrong; how to fix it"; an empty
        list when the spec can be rendered.
    """
    info = GENERATORS.get(generator)
    if info is None:
        return [_unknown(generator)]
    problems = check_params(
        generator, info.params, dict(params) if isinstance(params, Mapping) else params
    )
    if problems or info.cross_check is None:
        return problems
    return info.cross_check(_normalized(info, params))


def _normalized(info: GeneratorInfo, params: Mapping[str, object]) -> dict[str, Any]:
    values = info.defaults
    for param in info.params:
        if param.name in params:
            values[param.name] = param.type.normalize(params[param.name])
    return values


def resolve(generator: str, params: Mapping[str, object]) -> dict[str, Any]:
    """Return the full, normalised parameters of a valid spec.

    Missing parameters take their defaults; numbers that are floats by nature
    become floats, so ``[10, 10, 50, 50]`` and ``[10.0, 10.0, 50.0, 50.0]``
    name the same figure.

    Raises:
        DiagramError: The generator is unknown or the parameters are invalid.
    """
    problems = validate(generator, params)
    if problems:
        raise DiagramError(f"{generator}: " + "\n".join(problems))
    return _normalized(GENERATORS[generator], params)


def canonical_json(params: Mapping[str, object]) -> str:
    """Serialise parameters so that equal parameters give equal text."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"), allow_nan=False)


def source_digest(paths: Iterable[Path]) -> str:
    """Hash source files by name and content.

    Line endings are normalised so that a checkout on any system gives the same
    digest.

    Raises:
        DiagramError: A file cannot be read (a broken installation).
    """
    digest = hashlib.sha256()
    for path in paths:
        try:
            text = path.read_bytes().replace(b"\r\n", b"\n")
        except OSError as error:
            raise DiagramError(
                f"cannot read {path} ({error}); reinstall cvcards"
            ) from error
        digest.update(path.name.encode() + b"\0" + text + b"\0")
    return digest.hexdigest()


@cache
def _vision_imports(path: Path) -> frozenset[str]:
    """Names of the ``cvcards.vision`` modules a source file imports anywhere.

    A regular expression rather than a parse: it costs a millisecond where
    ``ast`` costs fifty, and every ``cvcards check`` pays it.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DiagramError(
            f"cannot read {path} ({error}); reinstall cvcards"
        ) from error

    names: set[str] = set()
    for match in _VISION_IMPORT.finditer(text):
        if match["module"]:
            names.add(match["module"])
            continue
        listed = re.sub(r"#[^\n]*", "", match["names"]).strip("()")
        for item in listed.split(","):
            if item.split():
                names.add(item.split()[0])
    return frozenset(names)


def vision_sources(path: Path) -> list[Path]:
    """Return the ``cvcards.vision`` source files a module depends on.

    Imports are followed from module to module (``ap`` uses ``boxes``), so the
    result covers every piece of maths that can change what the module draws.

    Args:
        path: A Python source file, usually a generator module.

    Returns:
        The files, sorted by module name.

    Raises:
        DiagramError: A file cannot be read (a broken installation).
    """
    found: set[str] = set()
    pending = sorted(_vision_imports(path))
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(_vision_imports(VISION_DIR / f"{name}.py") - found)
    return [VISION_DIR / f"{name}.py" for name in sorted(found)]


@cache
def code_digest(generator: str) -> str:
    """Hash the source of a generator's module, the style and the maths it uses."""
    info = GENERATORS[generator]
    return source_digest(
        [
            info.source,
            *(DIAGRAMS_DIR / name for name in SHARED_SOURCES),
            *vision_sources(info.source),
        ]
    )


def filename(generator: str, params: Mapping[str, object]) -> str:
    """Return the media file name of a figure, e.g. ``iou_overlap-3f9a1c2b7d.svg``.

    Args:
        generator: A registered generator name.
        params: Its parameters as a deck gives them.

    Raises:
        DiagramError: The generator is unknown or the parameters are invalid.
    """
    values = resolve(generator, params)
    key = "\0".join(
        [
            generator,
            canonical_json(values),
            str(GENERATORS[generator].version),
            code_digest(generator),
        ]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:HASH_LENGTH]
    return f"{generator}-{digest}.svg"
