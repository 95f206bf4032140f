"""Semantic segmentation metrics, all derived from one confusion matrix.

Per-class IoU, Dice and pixel accuracy are ratios of counts in the same
``(C, C)`` table, so the table is built once and every metric reads from it. The
matrix convention is fixed throughout: **rows are ground truth, columns are
prediction**, so ``cm[i, j]`` counts pixels of true class ``i`` predicted as
``j``; row sums are true class sizes, column sums predicted sizes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvcards.vision.boxes import FloatArray

IntArray = NDArray[np.int64]


def confusion_matrix(
    pred: ArrayLike,
    gt: ArrayLike,
    num_classes: int,
    *,
    ignore_index: int | None = None,
) -> IntArray:
    """Count pixels by (true class, predicted class).

    Args:
        pred: Predicted class per pixel, integers, any shape.
        gt: True class per pixel, same shape as ``pred``.
        num_classes: Number of classes ``C``; labels run from 0 to ``C - 1``.
        ignore_index: A ground truth label (often 255, "void") whose pixels are
            not counted, whatever was predicted there.

    Returns:
        An int64 ``(C, C)`` matrix; rows are ground truth, columns prediction.

    Raises:
        ValueError: If the shapes differ, labels are not integers, or a label
            (other than ``ignore_index`` in ``gt``) is outside ``[0, C)``.
    """
    if int(num_classes) < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes}")
    predicted = _labels(pred, "pred")
    truth = _labels(gt, "gt")
    if predicted.shape != truth.shape:
        raise ValueError(
            f"pred has shape {predicted.shape} but gt has {truth.shape}; "
            "give one predicted label per ground truth pixel"
        )

    counted = np.ones(truth.shape, dtype=np.bool_)
    if ignore_index is not None:
        counted = truth != ignore_index
    predicted, truth = predicted[counted], truth[counted]
    for name, labels in (("gt", truth), ("pred", predicted)):
        outside = (labels < 0) | (labels >= num_classes)
        if outside.any():
            hint = "" if ignore_index is not None else "; set ignore_index for void"
            raise ValueError(
                f"{name} holds label {int(labels[outside][0])}, outside "
                f"[0, {num_classes}){hint}"
            )

    flat = truth * num_classes + predicted
    counts = np.bincount(flat, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(np.int64)


def per_class_iou(cm: ArrayLike) -> FloatArray:
    """IoU of each class: ``TP / (TP + FP + FN)``.

    Args:
        cm: A ``(C, C)`` confusion matrix, rows ground truth, columns prediction.

    Returns:
        ``(C,)`` IoUs; NaN for a class absent from both prediction and ground
        truth, whose IoU is undefined rather than zero.

    Raises:
        ValueError: If ``cm`` is not a square matrix of non-negative counts.
    """
    table = _validate_cm(cm)
    true_positives = np.diag(table)
    union = table.sum(axis=0) + table.sum(axis=1) - true_positives
    return _ratio_or_nan(true_positives, union)


def per_class_dice(cm: ArrayLike) -> FloatArray:
    """Dice (F1) of each class: ``2 TP / (2 TP + FP + FN)``.

    Args:
        cm: A ``(C, C)`` confusion matrix, rows ground truth, columns prediction.

    Returns:
        ``(C,)`` Dice scores; NaN for a class absent from both.

    Raises:
        ValueError: If ``cm`` is not a square matrix of non-negative counts.
    """
    table = _validate_cm(cm)
    true_positives = np.diag(table)
    sizes = table.sum(axis=0) + table.sum(axis=1)
    return _ratio_or_nan(2.0 * true_positives, sizes)


def pixel_accuracy(cm: ArrayLike) -> float:
    """Fraction of counted pixels whose class was predicted correctly.

    Args:
        cm: A ``(C, C)`` confusion matrix.

    Returns:
        ``trace / total``; NaN for an empty matrix.

    Raises:
        ValueError: If ``cm`` is not a square matrix of non-negative counts.
    """
    table = _validate_cm(cm)
    total = table.sum()
    return float(np.trace(table) / total) if total > 0 else float("nan")


def mean_iou(
    pred: ArrayLike,
    gt: ArrayLike,
    num_classes: int,
    *,
    ignore_index: int | None = None,
) -> float:
    """Mean IoU over the classes present in prediction or ground truth.

    Classes absent from both are skipped (their IoU is NaN), so a model is not
    rewarded or punished for classes the images do not contain. Compute the
    confusion matrix over a whole dataset before averaging: averaging per-image
    mIoU gives a different, noisier number.

    Args:
        pred: Predicted class per pixel.
        gt: True class per pixel, same shape.
        num_classes: Number of classes.
        ignore_index: Ground truth label whose pixels are not counted.

    Returns:
        The mean IoU, or NaN if no class occurs at all.

    Raises:
        ValueError: As for :func:`confusion_matrix`.
    """
    ious = per_class_iou(
        confusion_matrix(pred, gt, num_classes, ignore_index=ignore_index)
    )
    present = ious[~np.isnan(ious)]
    return float(present.mean()) if present.size else float("nan")


def dice(pred_mask: ArrayLike, gt_mask: ArrayLike) -> float:
    """Dice coefficient of two binary masks: ``2 |A ∩ B| / (|A| + |B|)``.

    Args:
        pred_mask: Predicted foreground, booleans or 0/1, any shape.
        gt_mask: True foreground, same shape.

    Returns:
        The Dice score in ``[0, 1]``; 1.0 when both masks are empty, since the
        prediction then agrees perfectly with the ground truth.

    Raises:
        ValueError: If the shapes differ or a mask holds values other than 0/1.
    """
    predicted = _binary(pred_mask, "pred_mask")
    truth = _binary(gt_mask, "gt_mask")
    if predicted.shape != truth.shape:
        raise ValueError(
            f"pred_mask has shape {predicted.shape} but gt_mask has {truth.shape}"
        )

    sizes = int(predicted.sum()) + int(truth.sum())
    if sizes == 0:
        return 1.0
    return 2.0 * int((predicted & truth).sum()) / sizes


def _labels(values: ArrayLike, name: str) -> IntArray:
    """Integer labels as int64, or ValueError."""
    array = np.asarray(values)
    if array.dtype == np.bool_:
        return array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        if np.issubdtype(array.dtype, np.floating) and np.all(
            np.isfinite(array) & (array == np.round(array))
        ):
            return array.astype(np.int64)
        raise ValueError(
            f"{name} must hold integer class labels, got dtype {array.dtype}; "
            "take the argmax over class scores first"
        )
    return array.astype(np.int64)


def _binary(values: ArrayLike, name: str) -> NDArray[np.bool_]:
    """A boolean mask from booleans or 0/1 values, or ValueError."""
    array = np.asarray(values)
    if array.dtype == np.bool_:
        return array
    if not np.isin(array, (0, 1)).all():
        raise ValueError(
            f"{name} must be a binary mask (booleans or 0/1); threshold "
            "probabilities first"
        )
    return array.astype(np.bool_)


def _validate_cm(cm: ArrayLike) -> FloatArray:
    """A square confusion matrix of non-negative counts, as float64."""
    table = np.asarray(cm, dtype=np.float64)
    if table.ndim != 2 or table.shape[0] != table.shape[1] or table.shape[0] == 0:
        raise ValueError(f"cm must be a square (C, C) matrix, got shape {table.shape}")
    if not (np.isfinite(table).all() and (table >= 0).all()):
        raise ValueError("cm must hold non-negative finite counts")
    return table


def _ratio_or_nan(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """Elementwise ratio with NaN where the denominator is 0."""
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out
