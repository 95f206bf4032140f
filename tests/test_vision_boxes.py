"""Tests for cvcards.vision.boxes against a loop-by-loop reference IoU."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvcards.vision.boxes import (
    box_area,
    box_iou,
    intersection_over_first,
    pairwise_iou,
    validate_boxes,
    xywh_to_xyxy,
    xyxy_to_xywh,
)

PROPERTY = settings(max_examples=60, deadline=None)


def reference_iou(a: list[float], b: list[float]) -> float:
    """IoU written out with plain Python floats, one coordinate at a time."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    inter = width * height if width > 0 and height > 0 else 0.0
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    union = area_a + area_b - inter
    return inter / union if union > 0 else 0.0


def random_boxes(rng: np.random.Generator, count: int) -> np.ndarray:
    corners = rng.uniform(-50, 50, size=(count, 2))
    sizes = rng.uniform(0, 40, size=(count, 2))
    return np.hstack([corners, corners + sizes])


coordinate = st.floats(min_value=-100, max_value=100)
extent = st.floats(min_value=0.5, max_value=100)


@st.composite
def positive_boxes(draw: st.DrawFn) -> list[float]:
    x, y, w, h = draw(coordinate), draw(coordinate), draw(extent), draw(extent)
    return [x, y, x + w, y + h]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param([0, 0, 2, 2], [0, 0, 2, 2], id="identical"),
        pytest.param([0, 0, 2, 2], [1, 1, 3, 3], id="corner-overlap"),
        pytest.param([0, 0, 4, 4], [1, 1, 2, 2], id="contained"),
        pytest.param([0, 0, 2, 1], [0, 0, 1, 1], id="half"),
        pytest.param([0, 0, 1, 1], [1, 0, 2, 1], id="touching-edge"),
        pytest.param([0, 0, 1, 1], [5, 5, 6, 6], id="disjoint"),
        pytest.param([1, 1, 1, 1], [1, 1, 1, 1], id="two-points"),
        pytest.param([0, 0, 0, 3], [0, 0, 2, 3], id="zero-width-on-edge"),
        pytest.param([0.5, 0.5, 0.5, 0.5], [0, 0, 1, 1], id="point-inside"),
    ],
)
def test_box_iou_matches_reference(a: list[float], b: list[float]) -> None:
    assert box_iou(a, b) == pytest.approx(reference_iou(a, b), abs=1e-15)
    assert box_iou(b, a) == pytest.approx(reference_iou(a, b), abs=1e-15)


def test_zero_area_boxes_have_zero_iou() -> None:
    # The union is empty, so IoU is defined as 0 rather than 0 / 0.
    assert box_iou([3, 3, 3, 3], [3, 3, 3, 3]) == 0.0


def test_pairwise_iou_matches_reference_on_random_boxes() -> None:
    rng = np.random.default_rng(7)
    a, b = random_boxes(rng, 13), random_boxes(rng, 9)
    expected = [[reference_iou(list(p), list(q)) for q in b] for p in a]

    got = pairwise_iou(a, b)

    assert got.shape == (13, 9)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("a", "b", "shape"),
    [
        pytest.param([], [[0, 0, 1, 1]], (0, 1), id="no-rows"),
        pytest.param([[0, 0, 1, 1]], np.zeros((0, 4)), (1, 0), id="no-columns"),
        pytest.param([0, 0, 1, 1], [0, 0, 1, 1], (1, 1), id="single-boxes"),
    ],
)
def test_pairwise_iou_shapes(a: object, b: object, shape: tuple[int, int]) -> None:
    assert pairwise_iou(a, b).shape == shape  # type: ignore[arg-type]


def test_box_area_matches_width_times_height() -> None:
    rng = np.random.default_rng(3)
    boxes = random_boxes(rng, 20)
    expected = [(x2 - x1) * (y2 - y1) for x1, y1, x2, y2 in boxes]

    np.testing.assert_allclose(box_area(boxes), expected, rtol=1e-15)
    assert box_area([0, 0, 2, 3]).shape == (1,)


def test_intersection_over_first_uses_first_area() -> None:
    small, crowd = [0, 0, 1, 1], [0, 0, 10, 10]

    got = intersection_over_first([small, [5, 5, 5, 5]], [crowd])

    assert got[0, 0] == 1.0
    assert got[1, 0] == 0.0


def test_xywh_round_trip() -> None:
    rng = np.random.default_rng(11)
    boxes = random_boxes(rng, 10)

    np.testing.assert_allclose(xywh_to_xyxy(xyxy_to_xywh(boxes)), boxes, atol=1e-12)
    np.testing.assert_array_equal(xyxy_to_xywh([1, 2, 4, 7]), [[1, 2, 3, 5]])


@pytest.mark.parametrize(
    ("boxes", "fragments"),
    [
        pytest.param([5, 5, -2, 3], ["boxes[0]", "width -2"], id="negative-width"),
        pytest.param(
            [[0, 0, 1, 1], [5, 5, 2, -3]],
            ["boxes[1]", "height -3"],
            id="negative-height",
        ),
        pytest.param([0, 0, np.nan, 1], ["boxes[0]", "non-finite"], id="nan"),
        pytest.param([["a", 0, 1, 1]], ["floats"], id="not-numbers"),
    ],
)
def test_xywh_to_xyxy_rejects_bad_input(boxes: object, fragments: list[str]) -> None:
    with pytest.raises(ValueError) as caught:
        xywh_to_xyxy(boxes)  # type: ignore[arg-type]

    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    # The caller already converts: pointing them at this function would mislead.
    assert "xywh_to_xyxy" not in message


def test_validate_boxes_returns_float_copy() -> None:
    source = np.array([[0, 0, 2, 2]], dtype=np.int32)

    got = validate_boxes(source)
    got[0, 0] = 99

    assert got.dtype == np.float64
    assert source[0, 0] == 0
    assert validate_boxes([]).shape == (0, 4)
    assert validate_boxes([1, 1, 1, 1]).shape == (1, 4)


@pytest.mark.parametrize(
    ("boxes", "fragments"),
    [
        pytest.param(
            [[0, 0, 1, 1], [2, 0, 1, 1]],
            ["boxes[1]", "x2 < x1", "swap"],
            id="inverted-x",
        ),
        pytest.param(
            [[0, 0, 1, 1], [0, 0, 1, 1], [0, 5, 1, 1]],
            ["boxes[2]", "y2 < y1"],
            id="inverted-y",
        ),
        pytest.param([[0, 0, 1, np.nan]], ["boxes[0]", "non-finite"], id="nan"),
        pytest.param([[0, 0, np.inf, 1]], ["boxes[0]", "non-finite"], id="inf"),
        pytest.param([[0, 0, 1]], ["shape", "(1, 3)"], id="three-columns"),
        pytest.param([0, 0, 1, 1, 2], ["shape", "(5,)"], id="flat-five"),
        pytest.param(np.zeros((2, 2, 4)), ["shape"], id="three-dims"),
        pytest.param([["a", 0, 1, 1]], ["floats"], id="not-numbers"),
    ],
)
def test_validate_boxes_rejects_bad_input(boxes: object, fragments: list[str]) -> None:
    with pytest.raises(ValueError) as caught:
        validate_boxes(boxes)  # type: ignore[arg-type]
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_first_bad_box_is_named() -> None:
    with pytest.raises(ValueError, match=r"boxes\[1\]"):
        validate_boxes([[0, 0, 1, 1], [0, 0, np.nan, 1], [3, 0, 1, 1]])


def test_box_iou_rejects_many_boxes() -> None:
    with pytest.raises(ValueError, match="pairwise_iou"):
        box_iou([[0, 0, 1, 1], [0, 0, 1, 1]], [0, 0, 1, 1])


@PROPERTY
@given(positive_boxes(), positive_boxes())
def test_iou_is_symmetric_and_bounded(a: list[float], b: list[float]) -> None:
    forward, backward = box_iou(a, b), box_iou(b, a)

    assert forward == backward
    assert 0.0 <= forward <= 1.0


@PROPERTY
@given(positive_boxes())
def test_iou_with_itself_is_one(a: list[float]) -> None:
    assert box_iou(a, a) == 1.0


@PROPERTY
@given(
    positive_boxes(),
    positive_boxes(),
    st.floats(min_value=-1000, max_value=1000),
    st.floats(min_value=-1000, max_value=1000),
)
def test_iou_is_translation_invariant(
    a: list[float], b: list[float], dx: float, dy: float
) -> None:
    shift = np.array([dx, dy, dx, dy])

    moved = box_iou(np.add(a, shift), np.add(b, shift))

    assert moved == pytest.approx(box_iou(a, b), abs=1e-9)


@PROPERTY
@given(positive_boxes(), positive_boxes(), st.floats(min_value=0.01, max_value=100))
def test_iou_is_scale_invariant(a: list[float], b: list[float], factor: float) -> None:
    scaled = box_iou(np.multiply(a, factor), np.multiply(b, factor))

    assert scaled == pytest.approx(box_iou(a, b), abs=1e-9)


@PROPERTY
@given(
    st.lists(positive_boxes(), min_size=1, max_size=6),
    st.lists(positive_boxes(), min_size=1, max_size=6),
)
def test_pairwise_iou_agrees_with_box_iou(
    a: list[list[float]], b: list[list[float]]
) -> None:
    matrix = pairwise_iou(a, b)

    for i, first in enumerate(a):
        for j, second in enumerate(b):
            assert matrix[i, j] == box_iou(first, second)
