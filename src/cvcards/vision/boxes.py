"""Axis-aligned boxes: validation, area and intersection over union (IoU).

Boxes are corner coordinates ``(x1, y1, x2, y2)`` as floats, one box of shape
``(4,)`` or many of shape ``(N, 4)``, with ``x1 <= x2`` and ``y1 <= y2``. Every
other module in :mod:`cvcards.vision` goes through :func:`validate_boxes`, so a
learner who passes ``(x, y, w, h)`` boxes or swapped corners gets told so at the
first bad box instead of receiving a silently wrong IoU.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

_CORNERS_HINT = (
    "boxes are (x1, y1, x2, y2) with x1 <= x2 and y1 <= y2; swap the corners, or "
    "convert (x, y, w, h) boxes with xywh_to_xyxy"
)


def validate_boxes(boxes: ArrayLike, *, name: str = "boxes") -> FloatArray:
    """Check boxes and return them as a new float64 array of shape ``(N, 4)``.

    Zero-area boxes (``x1 == x2`` or ``y1 == y2``) are valid. An empty input
    gives an array of shape ``(0, 4)``.

    Args:
        boxes: One box ``(x1, y1, x2, y2)`` or a sequence of them.
        name: How the caller's argument is called in error messages.

    Returns:
        A float64 copy of shape ``(N, 4)``; a single box becomes ``(1, 4)``.

    Raises:
        ValueError: The input is not numeric, has the wrong shape, or a box has a
            non-finite coordinate or inverted corners. The message names the first
            bad box and says how to fix it.
    """
    try:
        array = np.array(boxes, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be numbers shaped (4,) or (N, 4); "
            f"could not read them as floats ({exc})"
        ) from exc

    # An empty list has shape (0,): treat it as "no boxes" rather than bad shape.
    if array.size == 0 and array.ndim <= 2:
        return np.zeros((0, 4), dtype=np.float64)
    if array.ndim == 1 and array.shape[0] == 4:
        array = array.reshape(1, 4)
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(
            f"{name} must have shape (4,) or (N, 4), got {array.shape}; "
            "give one row of four corner coordinates per box"
        )

    non_finite = np.logical_not(np.isfinite(array).all(axis=1))
    inverted_x = array[:, 2] < array[:, 0]
    inverted_y = array[:, 3] < array[:, 1]
    bad = non_finite | inverted_x | inverted_y
    if bad.any():
        index = int(np.argmax(bad))
        box = array[index].tolist()
        if non_finite[index]:
            raise ValueError(
                f"{name}[{index}] = {box} has a non-finite coordinate; "
                "drop the box or replace NaN/inf with real coordinates"
            )
        axis = "x2 < x1" if inverted_x[index] else "y2 < y1"
        raise ValueError(f"{name}[{index}] = {box} has {axis}; {_CORNERS_HINT}")
    return array


def xywh_to_xyxy(boxes: ArrayLike) -> FloatArray:
    """Convert ``(x, y, w, h)`` boxes (COCO's ``bbox``) to corner form.

    Args:
        boxes: One box or ``(N, 4)`` boxes as top-left corner, width, height.

    Returns:
        ``(N, 4)`` float64 boxes ``(x, y, x + w, y + h)``.

    Raises:
        ValueError: Wrong shape, non-finite values or a negative width or height.
    """
    try:
        array = np.array(boxes, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"xywh boxes must be numbers shaped (4,) or (N, 4); "
            f"could not read them as floats ({exc})"
        ) from exc
    if array.ndim == 1 and array.shape[0] == 4:
        array = array.reshape(1, 4)
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(
            f"xywh boxes must have shape (4,) or (N, 4), got {array.shape}"
        )

    # Checked here, not after conversion: the corner check would name the wrong
    # problem (x2 < x1) and suggest calling this very function.
    negative = (array[:, 2:] < 0).any(axis=1)
    if negative.any():
        index = int(np.argmax(negative))
        x, y, w, h = array[index].tolist()
        size = f"width {w:g}" if w < 0 else f"height {h:g}"
        raise ValueError(
            f"boxes[{index}] = {[x, y, w, h]} has {size}; (x, y, w, h) boxes need "
            "w >= 0 and h >= 0 (boxes that are already corners need no conversion)"
        )

    corners = array.copy()
    corners[:, 2:] += corners[:, :2]
    return validate_boxes(corners)


def xyxy_to_xywh(boxes: ArrayLike) -> FloatArray:
    """Convert corner boxes to ``(x, y, w, h)``, the form COCO files use.

    Args:
        boxes: One box or ``(N, 4)`` boxes ``(x1, y1, x2, y2)``.

    Returns:
        ``(N, 4)`` float64 boxes ``(x1, y1, x2 - x1, y2 - y1)``.

    Raises:
        ValueError: If the boxes are not valid corner boxes.
    """
    array = validate_boxes(boxes)
    array[:, 2:] -= array[:, :2]
    return array


def box_area(boxes: ArrayLike) -> FloatArray:
    """Return the area of each box.

    Args:
        boxes: One box or ``(N, 4)`` boxes ``(x1, y1, x2, y2)``.

    Returns:
        Areas of shape ``(N,)`` (``(1,)`` for a single box).

    Raises:
        ValueError: If the boxes are not valid corner boxes.
    """
    array = validate_boxes(boxes)
    return _area(array)


def box_iou(a: ArrayLike, b: ArrayLike) -> float:
    """Return the IoU of two boxes.

    IoU is the area of the intersection over the area of the union. It is 0.0
    for boxes that do not overlap or only touch, and 0.0 when the union is empty
    (two zero-area boxes), where the ratio itself would be undefined.

    Args:
        a: One box ``(x1, y1, x2, y2)``.
        b: One box ``(x1, y1, x2, y2)``.

    Returns:
        The IoU, in ``[0, 1]``.

    Raises:
        ValueError: If either argument is not exactly one valid box.
    """
    first = validate_boxes(a, name="a")
    second = validate_boxes(b, name="b")
    for label, array in (("a", first), ("b", second)):
        if array.shape[0] != 1:
            raise ValueError(
                f"{label} must be a single box, got {array.shape[0]}; "
                "use pairwise_iou for many boxes"
            )
    return float(_iou_matrix(first, second)[0, 0])


def pairwise_iou(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Return the IoU of every box in ``a`` with every box in ``b``.

    Args:
        a: ``(N, 4)`` boxes (or one box).
        b: ``(M, 4)`` boxes (or one box).

    Returns:
        An ``(N, M)`` matrix; entry ``[i, j]`` is the IoU of ``a[i]`` and ``b[j]``,
        following the conventions of :func:`box_iou`.

    Raises:
        ValueError: If either argument holds an invalid box.
    """
    return _iou_matrix(validate_boxes(a, name="a"), validate_boxes(b, name="b"))


def intersection_over_first(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Return the intersection of each pair over the area of the box from ``a``.

    COCO scores a detection against a crowd region this way: covering part of a
    crowd is not penalised for the rest of the crowd's area. The value is 0.0
    where the box from ``a`` has zero area.

    Args:
        a: ``(N, 4)`` boxes whose areas are the denominators.
        b: ``(M, 4)`` boxes.

    Returns:
        An ``(N, M)`` matrix in ``[0, 1]``.

    Raises:
        ValueError: If either argument holds an invalid box.
    """
    first = validate_boxes(a, name="a")
    second = validate_boxes(b, name="b")
    inter = _intersection(first, second)
    area = np.broadcast_to(_area(first)[:, None], inter.shape)
    return _safe_ratio(inter, area)


def _area(boxes: FloatArray) -> FloatArray:
    """Areas of already validated ``(N, 4)`` boxes."""
    widths = boxes[:, 2] - boxes[:, 0]
    heights = boxes[:, 3] - boxes[:, 1]
    return np.asarray(widths * heights, dtype=np.float64)


def _intersection(a: FloatArray, b: FloatArray) -> FloatArray:
    """Intersection areas of validated boxes, ``(N, M)``."""
    left = np.maximum(a[:, None, 0], b[None, :, 0])
    top = np.maximum(a[:, None, 1], b[None, :, 1])
    right = np.minimum(a[:, None, 2], b[None, :, 2])
    bottom = np.minimum(a[:, None, 3], b[None, :, 3])
    widths = np.clip(right - left, 0.0, None)
    heights = np.clip(bottom - top, 0.0, None)
    return np.asarray(widths * heights, dtype=np.float64)


def _safe_ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """Divide elementwise, giving 0.0 where the denominator is 0."""
    out = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _iou_matrix(a: FloatArray, b: FloatArray) -> FloatArray:
    """IoU of validated ``(N, 4)`` and ``(M, 4)`` boxes, ``(N, M)``."""
    inter = _intersection(a, b)
    union = _area(a)[:, None] + _area(b)[None, :] - inter
    return _safe_ratio(inter, union)
