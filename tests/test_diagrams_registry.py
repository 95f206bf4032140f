"""The generator registry: validation messages and hashed file names."""

from __future__ import annotations

import dataclasses
import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cvcards.diagrams import registry
from cvcards.diagrams.registry import (
    GENERATORS,
    filename,
    resolve,
    source_digest,
    validate,
)
from cvcards.errors import DiagramError

NAMES = sorted(GENERATORS)


def test_the_twelve_generators_are_registered() -> None:
    assert NAMES == [
        "coco_iou_thresholds",
        "confusion_matrix",
        "detector_pipelines",
        "focal_loss",
        "fpn_topology",
        "hflip_boxes",
        "iou_overlap",
        "nms_vs_soft_nms",
        "pr_curves",
        "reliability_diagram",
        "resolution_compute",
        "tracking_association",
    ]


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_each_generator_has_valid_defaults_and_a_draw_function(name: str) -> None:
    info = GENERATORS[name]

    assert validate(name, {}) == []
    assert validate(name, info.defaults) == []
    assert info.description.endswith(".")
    assert callable(importlib.import_module(info.module).draw)
    assert all(param.help for param in info.params)


def test_importing_the_registry_loads_neither_matplotlib_nor_numpy() -> None:
    code = (
        "import sys, cvcards.diagrams.registry as r\n"
        "r.filename('iou_overlap', {})\n"
        "print(sorted(m for m in ('matplotlib', 'numpy') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"


def test_unknown_generator_lists_the_known_names() -> None:
    (problem,) = validate("iou", {})

    assert problem.startswith("unknown generator 'iou'; ")
    assert problem.endswith("use one of " + ", ".join(NAMES))


def test_misspelt_generator_gets_a_suggestion() -> None:
    (problem,) = validate("focal_los", {})

    assert "did you mean 'focal_loss'?" in problem


@pytest.mark.parametrize(
    ("generator", "params", "fragment"),
    [
        (
            "iou_overlap",
            {"box_a": [10, 0, 5, 10]},
            "box_a: x2 (5) is less than x1 (10)",
        ),
        ("iou_overlap", {"box_b": [0, 9, 10, 3]}, "box_b: y2 (3) is less than y1 (9)"),
        ("focal_loss", {"alpha": 1.5}, "alpha: 1.5 is outside the allowed range"),
        ("nms_vs_soft_nms", {"iou_threshold": -0.2}, "use a probability in [0, 1]"),
        ("pr_curves", {"thresholds": [0.5, 1.2]}, "thresholds[1]: 1.2 is outside"),
        ("pr_curves", {"seed": "seven"}, "seed: 'seven' is not an integer"),
        ("iou_overlap", {"box": [0, 0, 1, 1]}, "unknown param 'box' for iou_overlap"),
        ("fpn_topology", {"levels": [3, 5]}, "levels: the items skip a value"),
        ("reliability_diagram", {"bins": 1}, "bins: 1 is out of range"),
        ("confusion_matrix", {"classes": ["car"]}, "classes: has 1 items"),
        (
            "tracking_association",
            {"high_threshold": 0.3, "low_threshold": 0.5},
            "low_threshold (0.5) is not below high_threshold (0.3)",
        ),
        (
            "hflip_boxes",
            {"width": 100, "box": [50, 10, 120, 40]},
            "box: [50, 10, 120, 40] leaves the 100×480 image",
        ),
        ("detector_pipelines", {"levels": 3}, "detector_pipelines takes no params"),
    ],
    ids=[
        "x2-below-x1",
        "y2-below-y1",
        "alpha-above-one",
        "threshold-below-zero",
        "iou-threshold-of-1.2",
        "seed-not-int",
        "unknown-param",
        "non-consecutive-levels",
        "too-few-bins",
        "one-class",
        "low-above-high",
        "box-outside-image",
        "params-for-paramless",
    ],
)
def test_bad_params_are_explained(
    generator: str, params: dict[str, object], fragment: str
) -> None:
    problems = validate(generator, params)

    assert len(problems) == 1
    assert fragment in problems[0]
    assert "; " in problems[0], "every message says how to fix the value"


def test_cross_checks_wait_for_valid_single_params() -> None:
    # The image-bounds check must not run on a box that is not even a box.
    problems = validate("hflip_boxes", {"box": [5, 0, 1, 1], "width": 0})

    assert [p.split(":")[0] for p in problems] == ["box", "width"]


def test_filename_shape_and_stability() -> None:
    name = filename("iou_overlap", {})

    assert re.fullmatch(r"iou_overlap-[0-9a-f]{10}\.svg", name)
    assert filename("iou_overlap", {}) == name


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({}, GENERATORS["iou_overlap"].defaults),
        ({"box_a": [40, 50, 220, 190]}, {"box_a": [40.0, 50.0, 220.0, 190.0]}),
        ({"box_a": (40, 50, 220, 190)}, {"box_a": [40, 50, 220, 190]}),
    ],
    ids=["defaults-applied", "int-or-float", "tuple-or-list"],
)
def test_equal_figures_get_equal_names(
    first: dict[str, object], second: dict[str, object]
) -> None:
    assert filename("iou_overlap", first) == filename("iou_overlap", second)


def test_a_changed_param_gives_a_new_name() -> None:
    assert filename("iou_overlap", {"box_a": [0, 0, 10, 10]}) != filename(
        "iou_overlap", {"box_a": [0, 0, 10, 11]}
    )


def test_a_version_bump_gives_a_new_name(monkeypatch: pytest.MonkeyPatch) -> None:
    before = filename("focal_loss", {})
    bumped = dataclasses.replace(GENERATORS["focal_loss"], version=2)
    monkeypatch.setitem(GENERATORS, "focal_loss", bumped)

    assert filename("focal_loss", {}) != before


def test_source_digest_follows_content(tmp_path: Path) -> None:
    source = tmp_path / "iou_overlap.py"
    source.write_bytes(b"def draw(params):\n    return 1\n")
    first = source_digest([source])
    source.write_bytes(b"def draw(params):\r\n    return 1\r\n")
    crlf = source_digest([source])
    source.write_bytes(b"def draw(params):\n    return 2\n")

    assert crlf == first, "line endings of a checkout must not matter"
    assert source_digest([source]) != first


def test_generator_names_hash_their_module_the_style_and_the_maths() -> None:
    info = GENERATORS["iou_overlap"]
    vision = registry.DIAGRAMS_DIR.parent / "vision"

    assert info.source.is_file()
    assert registry.code_digest("iou_overlap") == source_digest(
        [info.source, registry.DIAGRAMS_DIR / "style.py", vision / "boxes.py"]
    )
    assert registry.code_digest("iou_overlap") != registry.code_digest("focal_loss")


@pytest.mark.parametrize(
    ("generator", "modules"),
    [
        ("detector_pipelines", []),
        ("iou_overlap", ["boxes"]),
        ("pr_curves", ["ap", "boxes"]),
        ("reliability_diagram", ["boxes", "calibration"]),
    ],
    ids=["none", "direct", "through-ap", "through-calibration"],
)
def test_vision_modules_a_generator_uses_are_found(
    generator: str, modules: list[str]
) -> None:
    found = registry.vision_sources(GENERATORS[generator].source)

    assert [path.stem for path in found] == modules
    assert all(path.is_file() for path in found)


def test_every_import_form_of_the_maths_counts(tmp_path: Path) -> None:
    source = tmp_path / "drawing.py"
    source.write_text(
        "import cvcards.vision.losses\n"
        "from cvcards.vision import segmentation as seg\n"
        "from cvcards.vision import (  # the maths\n"
        "    calibration,  # ECE\n"
        "    augment,\n"
        ")\n"
        "def draw(params):\n"
        "    from cvcards.vision.nms import nms\n",
        encoding="utf-8",
    )

    found = registry.vision_sources(source)

    assert [path.stem for path in found] == [
        "augment",
        "boxes",
        "calibration",
        "losses",
        "nms",
        "segmentation",
    ]


def test_a_change_in_the_maths_renames_exactly_the_figures_using_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vision = tmp_path / "vision"
    shutil.copytree(registry.DIAGRAMS_DIR.parent / "vision", vision)
    monkeypatch.setattr(registry, "VISION_DIR", vision)
    names = ("iou_overlap", "focal_loss", "detector_pipelines")

    def current() -> list[str]:
        registry.code_digest.cache_clear()
        return [filename(name, {}) for name in names]

    before = current()
    losses = vision / "losses.py"
    losses.write_text(losses.read_text(encoding="utf-8") + "\n# edited\n")
    after = current()
    registry.code_digest.cache_clear()

    assert [old != new for old, new in zip(before, after, strict=True)] == [
        False,
        True,
        False,
    ]


def test_missing_source_is_a_diagram_error(tmp_path: Path) -> None:
    with pytest.raises(DiagramError, match="reinstall cvcards"):
        source_digest([tmp_path / "gone.py"])


def test_filename_and_resolve_refuse_invalid_specs() -> None:
    with pytest.raises(DiagramError, match="x2 .5. is less than x1 .10."):
        filename("iou_overlap", {"box_a": [10, 0, 5, 10]})
    with pytest.raises(DiagramError, match="unknown generator"):
        resolve("nope", {})


def test_resolve_fills_defaults_and_normalises() -> None:
    assert resolve("focal_loss", {"gammas": [2]}) == {"gammas": [2.0], "alpha": None}
