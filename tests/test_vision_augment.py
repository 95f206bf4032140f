"""Tests for cvcards.vision.augment: boxes must follow the pixels they label."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvcards.vision.augment import crop, hflip, hflip_boxes, resize

PROPERTY = settings(max_examples=50, deadline=None)


def labelled_image(seed: int, height: int = 30, width: int = 40) -> np.ndarray:
    """An H x W x 3 image of random pixels, so every patch is recognisable."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)


def patch(image: np.ndarray, box: np.ndarray) -> np.ndarray:
    x1, y1, x2, y2 = (int(v) for v in box)
    return image[y1:y2, x1:x2]


@st.composite
def image_and_boxes(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    height, width = draw(st.integers(1, 20)), draw(st.integers(1, 20))
    count = draw(st.integers(0, 5))
    boxes = []
    for _ in range(count):
        x1, x2 = sorted(draw(st.integers(0, width)) for _ in range(2))
        y1, y2 = sorted(draw(st.integers(0, height)) for _ in range(2))
        boxes.append([x1, y1, x2, y2])
    image = np.arange(height * width).reshape(height, width)
    return image, np.array(boxes, dtype=np.float64).reshape(-1, 4)


def test_hflip_boxes_formula() -> None:
    got = hflip_boxes([[1, 2, 4, 6], [0, 0, 10, 1]], 10)

    np.testing.assert_array_equal(got, [[6, 2, 9, 6], [0, 0, 10, 1]])


@PROPERTY
@given(image_and_boxes())
def test_hflip_twice_is_identity(case: tuple[np.ndarray, np.ndarray]) -> None:
    image, boxes = case

    once_image, once_boxes = hflip(image, boxes)
    twice_image, twice_boxes = hflip(once_image, once_boxes)

    np.testing.assert_array_equal(twice_image, image)
    np.testing.assert_array_equal(twice_boxes, boxes)


@PROPERTY
@given(image_and_boxes())
def test_hflipped_box_holds_the_mirrored_patch(
    case: tuple[np.ndarray, np.ndarray],
) -> None:
    image, boxes = case

    flipped, moved = hflip(image, boxes)

    for before, after in zip(boxes, moved, strict=True):
        np.testing.assert_array_equal(
            patch(flipped, after), patch(image, before)[:, ::-1]
        )


def test_hflip_keeps_channels_and_copies() -> None:
    image = labelled_image(0)

    flipped, _ = hflip(image, [[0, 0, 5, 5]])

    assert flipped.shape == image.shape
    np.testing.assert_array_equal(flipped[:, 0], image[:, -1])
    flipped[0, 0] = 0
    assert not np.shares_memory(flipped, image)


def test_crop_moves_boxes_with_their_pixels() -> None:
    image = labelled_image(1)
    boxes = np.array([[12, 8, 20, 16], [15, 10, 30, 25]], dtype=np.float64)
    window = (10, 5, 35, 28)

    cropped, moved, kept = crop(image, boxes, window)

    assert cropped.shape == (23, 25, 3)
    assert kept.tolist() == [0, 1]
    for before, after in zip(boxes, moved, strict=True):
        np.testing.assert_array_equal(patch(cropped, after), patch(image, before))


def reference_crop(
    boxes: np.ndarray,
    window: tuple[int, int, int, int],
    min_area: float,
    min_visibility: float,
) -> tuple[list[list[float]], list[int]]:
    left, top, right, bottom = window
    kept_boxes, kept = [], []
    for i, (x1, y1, x2, y2) in enumerate(boxes.tolist()):
        if x2 < left or x1 > right or y2 < top or y1 > bottom:
            continue
        cx1, cx2 = min(max(x1, left), right) - left, min(max(x2, left), right) - left
        cy1, cy2 = min(max(y1, top), bottom) - top, min(max(y2, top), bottom) - top
        area = (cx2 - cx1) * (cy2 - cy1)
        original = (x2 - x1) * (y2 - y1)
        visible = area / original if original > 0 else 1.0
        if area >= min_area and visible >= min_visibility:
            kept_boxes.append([cx1, cy1, cx2, cy2])
            kept.append(i)
    return kept_boxes, kept


@PROPERTY
@given(
    st.lists(
        st.tuples(
            st.floats(-10, 50), st.floats(-10, 50), st.floats(0, 30), st.floats(0, 30)
        ),
        max_size=8,
    ),
    st.sampled_from([0.0, 1.0, 20.0]),
    st.sampled_from([0.0, 0.3, 0.9]),
)
def test_crop_matches_reference(
    raw: list[tuple[float, float, float, float]], min_area: float, min_visibility: float
) -> None:
    boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in raw]).reshape(-1, 4)
    window = (5, 4, 30, 25)

    _, moved, kept = crop(
        np.zeros((30, 40)),
        boxes,
        window,
        min_area=min_area,
        min_visibility=min_visibility,
    )

    expected_boxes, expected_kept = reference_crop(
        boxes, window, min_area, min_visibility
    )
    assert kept.tolist() == expected_kept
    np.testing.assert_allclose(
        moved.reshape(-1, 4), np.reshape(expected_boxes, (-1, 4))
    )


@pytest.mark.parametrize(
    ("box", "kwargs", "kept"),
    [
        pytest.param([100, 100, 110, 110], {}, False, id="outside"),
        pytest.param([0, 0, 10, 10], {"min_area": 0.0}, True, id="fully-inside"),
        pytest.param(
            [0, 0, 20, 10], {"min_visibility": 0.6}, False, id="half-visible-needs-more"
        ),
        pytest.param(
            [0, 0, 20, 10], {"min_visibility": 0.5}, True, id="half-visible-enough"
        ),
        pytest.param([9.5, 0, 20, 1], {"min_area": 1.0}, False, id="sliver"),
    ],
)
def test_crop_drop_rules(
    box: list[float], kwargs: dict[str, float], kept: bool
) -> None:
    _, _, indices = crop(np.zeros((20, 20)), [box], (0, 0, 10, 10), **kwargs)

    assert (indices.tolist() == [0]) is kept


def test_resize_doubles_pixels_and_boxes() -> None:
    image = labelled_image(2, 6, 8)
    boxes = np.array([[1, 2, 5, 6], [0, 0, 8, 6]], dtype=np.float64)

    bigger, scaled = resize(image, boxes, (16, 12))

    np.testing.assert_array_equal(bigger, image.repeat(2, axis=0).repeat(2, axis=1))
    np.testing.assert_array_equal(scaled, boxes * 2)
    for before, after in zip(boxes, scaled, strict=True):
        np.testing.assert_array_equal(
            patch(bigger, after),
            patch(image, before).repeat(2, axis=0).repeat(2, axis=1),
        )


def test_resize_to_own_size_is_identity() -> None:
    image = labelled_image(3, 7, 9)

    same, boxes = resize(image, [[1, 1, 3, 3]], (9, 7))

    np.testing.assert_array_equal(same, image)
    np.testing.assert_array_equal(boxes, [[1, 1, 3, 3]])


def test_resize_scales_axes_separately() -> None:
    image = labelled_image(4, 10, 20)

    smaller, boxes = resize(image[..., 0], [[4, 2, 20, 10]], (5, 20))

    assert smaller.shape == (20, 5)
    assert smaller.dtype == np.uint8
    np.testing.assert_allclose(boxes, [[1, 4, 5, 20]])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(lambda: hflip_boxes([[0, 0, 1, 1]], 0), "width", id="width"),
        pytest.param(lambda: hflip(np.zeros(5), []), "H x W", id="flat-image"),
        pytest.param(lambda: hflip(np.zeros((0, 3)), []), "no pixels", id="empty"),
        pytest.param(
            lambda: crop(np.zeros((5, 5)), [], (0, 0, 6, 5)),
            "inside",
            id="window-outside",
        ),
        pytest.param(
            lambda: crop(np.zeros((5, 5)), [], (0, 0, 2.5, 5)),
            "whole",
            id="window-fraction",
        ),
        pytest.param(
            lambda: crop(np.zeros((5, 5)), [], (3, 0, 3, 5)),
            "positive size",
            id="window-empty",
        ),
        pytest.param(
            lambda: crop(np.zeros((5, 5)), [], (0, 0, 5, 5), min_visibility=2.0),
            "min_visibility",
            id="visibility",
        ),
        pytest.param(
            lambda: crop(np.zeros((5, 5)), [[3, 0, 1, 1]], (0, 0, 5, 5)),
            r"boxes\[0\]",
            id="bad-box",
        ),
        pytest.param(
            lambda: resize(np.zeros((5, 5)), [], (0, 5)), "positive", id="size-zero"
        ),
        pytest.param(
            lambda: resize(np.zeros((5, 5)), [], (2.5, 5)), "integers", id="size-float"
        ),
    ],
)
def test_bad_input_is_rejected(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]
