"""Geometric augmentations that move an image and its boxes together.

The classic bug in detection pipelines is transforming the pixels but not the
labels (or transforming them with an off-by-one). Each function here takes the
image and its ``(x1, y1, x2, y2)`` boxes and returns both, in pixel coordinates
where the image spans ``[0, W] x [0, H]``. Images are ``H x W`` or
``H x W x C`` NumPy arrays of any dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvcards.vision.boxes import FloatArray, validate_boxes

Image = NDArray[Any]


def hflip_boxes(boxes: ArrayLike, width: float) -> FloatArray:
    """Mirror boxes left-right in an image of the given width.

    The new left edge is where the old right edge lands: ``x1' = W - x2`` and
    ``x2' = W - x1``. Swapping the roles keeps ``x1' <= x2'``.

    Args:
        boxes: ``(N, 4)`` boxes (or one box).
        width: Image width ``W``, positive.

    Returns:
        The mirrored ``(N, 4)`` boxes.

    Raises:
        ValueError: On invalid boxes or a non-positive width.
    """
    array = validate_boxes(boxes)
    if not (np.isfinite(width) and width > 0):
        raise ValueError(f"width must be a positive number, got {width}")

    flipped = array.copy()
    flipped[:, 0] = width - array[:, 2]
    flipped[:, 2] = width - array[:, 0]
    return flipped


def hflip(image: ArrayLike, boxes: ArrayLike) -> tuple[Image, FloatArray]:
    """Mirror an image and its boxes left-right.

    Args:
        image: ``H x W`` or ``H x W x C`` array.
        boxes: ``(N, 4)`` boxes in the image's pixel coordinates.

    Returns:
        The mirrored image (a new array) and the mirrored boxes.

    Raises:
        ValueError: On a malformed image or invalid boxes.
    """
    pixels = _validate_image(image)
    return pixels[:, ::-1].copy(), hflip_boxes(boxes, pixels.shape[1])


def crop(
    image: ArrayLike,
    boxes: ArrayLike,
    window: ArrayLike,
    *,
    min_area: float = 1.0,
    min_visibility: float = 0.0,
) -> tuple[Image, FloatArray, NDArray[np.intp]]:
    """Cut a window out of an image and keep the boxes that survive.

    Each box is clipped to the window and shifted so the window's top-left
    corner becomes the origin. A box is dropped when it does not touch the
    window, when its clipped area is below ``min_area``, or when the visible
    fraction of its area (clipped over original) is below ``min_visibility``.
    A zero-area box counts as fully visible when it lies in the window.

    Args:
        image: ``H x W`` or ``H x W x C`` array.
        boxes: ``(N, 4)`` boxes in the image's pixel coordinates.
        window: Integer corners ``(x1, y1, x2, y2)`` of the crop, inside the
            image, with positive width and height.
        min_area: Smallest clipped area kept, in pixels; non-negative.
        min_visibility: Smallest visible fraction kept, in ``[0, 1]``.

    Returns:
        The cropped image (a new array), the kept boxes in window coordinates,
        and the indices of the kept boxes in the input.

    Raises:
        ValueError: On a malformed image, invalid boxes, a window that is not
            integer or leaves the image, or out-of-range thresholds.
    """
    pixels = _validate_image(image)
    array = validate_boxes(boxes)
    left, top, right, bottom = _validate_window(
        window, pixels.shape[1], pixels.shape[0]
    )
    if not (np.isfinite(min_area) and min_area >= 0):
        raise ValueError(f"min_area must be a non-negative number, got {min_area}")
    if not (np.isfinite(min_visibility) and 0 <= min_visibility <= 1):
        raise ValueError(f"min_visibility must be in [0, 1], got {min_visibility}")

    touching = (
        (array[:, 2] >= left)
        & (array[:, 0] <= right)
        & (array[:, 3] >= top)
        & (array[:, 1] <= bottom)
    )
    clipped = array.copy()
    clipped[:, [0, 2]] = np.clip(array[:, [0, 2]], left, right) - left
    clipped[:, [1, 3]] = np.clip(array[:, [1, 3]], top, bottom) - top
    original_area = (array[:, 2] - array[:, 0]) * (array[:, 3] - array[:, 1])
    clipped_area = (clipped[:, 2] - clipped[:, 0]) * (clipped[:, 3] - clipped[:, 1])
    visibility = np.ones(len(array))
    np.divide(clipped_area, original_area, out=visibility, where=original_area > 0)

    keep = touching & (clipped_area >= min_area) & (visibility >= min_visibility)
    kept = np.flatnonzero(keep).astype(np.intp)
    return pixels[top:bottom, left:right].copy(), clipped[keep], kept


def resize(
    image: ArrayLike, boxes: ArrayLike, size: tuple[int, int]
) -> tuple[Image, FloatArray]:
    """Resize an image with nearest-neighbour sampling and scale its boxes.

    Output pixel ``(u, v)`` samples the input pixel whose centre is nearest to
    the centre of ``(u, v)`` mapped back, so the two images cover the same
    extent and boxes scale by ``sx = new_w / W`` and ``sy = new_h / H``.

    Args:
        image: ``H x W`` or ``H x W x C`` array.
        boxes: ``(N, 4)`` boxes in the image's pixel coordinates.
        size: ``(new_w, new_h)``, positive integers (width first, as in most
            image libraries, unlike the array's ``(H, W)`` shape).

    Returns:
        The resized image (same dtype) and the scaled boxes.

    Raises:
        ValueError: On a malformed image, invalid boxes or a bad size.
    """
    pixels = _validate_image(image)
    array = validate_boxes(boxes)
    new_w, new_h = _validate_size(size)

    height, width = pixels.shape[:2]
    rows = _nearest_indices(height, new_h)
    columns = _nearest_indices(width, new_w)
    resized = pixels[rows[:, None], columns[None, :]]

    scale = np.array([new_w / width, new_h / height, new_w / width, new_h / height])
    return resized, array * scale


def _nearest_indices(old: int, new: int) -> NDArray[np.intp]:
    """Source index for each of ``new`` output positions along one axis."""
    centres = (np.arange(new) + 0.5) * (old / new)
    return np.asarray(np.clip(np.floor(centres), 0, old - 1), dtype=np.intp)


def _validate_image(image: ArrayLike) -> Image:
    """An ``H x W`` or ``H x W x C`` array with at least one pixel."""
    pixels = np.asarray(image)
    if pixels.ndim not in (2, 3):
        raise ValueError(f"image must be H x W or H x W x C, got shape {pixels.shape}")
    if pixels.shape[0] == 0 or pixels.shape[1] == 0:
        raise ValueError(f"image has no pixels (shape {pixels.shape})")
    return pixels


def _validate_window(
    window: ArrayLike, width: int, height: int
) -> tuple[int, int, int, int]:
    """Integer crop corners inside a ``width`` x ``height`` image."""
    corners = np.asarray(window, dtype=np.float64).reshape(-1)
    if corners.shape != (4,):
        raise ValueError(f"window must be (x1, y1, x2, y2), got {corners.size} values")
    if not (np.isfinite(corners).all() and (corners == np.round(corners)).all()):
        raise ValueError(
            f"window corners must be whole pixels, got {corners.tolist()}; round them"
        )
    left, top, right, bottom = (int(value) for value in corners)
    if not (0 <= left < right <= width and 0 <= top < bottom <= height):
        raise ValueError(
            f"window {[left, top, right, bottom]} must have positive size and lie "
            f"inside the {width} x {height} image"
        )
    return left, top, right, bottom


def _validate_size(size: tuple[int, int]) -> tuple[int, int]:
    """A ``(new_w, new_h)`` pair of positive integers."""
    values = tuple(size)
    if len(values) != 2 or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) and v > 0
        for v in values
    ):
        raise ValueError(f"size must be (new_w, new_h) positive integers, got {size!r}")
    return int(values[0]), int(values[1])
