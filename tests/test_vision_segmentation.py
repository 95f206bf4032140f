"""Tests for cvcards.vision.segmentation against per-pixel and set-based loops."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cvcards.vision.segmentation import (
    confusion_matrix,
    dice,
    mean_iou,
    per_class_dice,
    per_class_iou,
    pixel_accuracy,
)

PROPERTY = settings(max_examples=50, deadline=None)
VOID = 255


def random_labels(seed: int, classes: int, void: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    gt = rng.integers(0, classes, size=(12, 17))
    # Mostly right, sometimes wrong, like a real model.
    pred = np.where(rng.random(gt.shape) < 0.7, gt, rng.integers(0, classes, gt.shape))
    if void:
        gt[rng.random(gt.shape) < 0.1] = VOID
    return pred, gt


def reference_counts(pred: np.ndarray, gt: np.ndarray, classes: int) -> list[list[int]]:
    counts = [[0] * classes for _ in range(classes)]
    for p, g in zip(pred.ravel().tolist(), gt.ravel().tolist(), strict=True):
        if g != VOID:
            counts[g][p] += 1
    return counts


def reference_iou(pred: np.ndarray, gt: np.ndarray, cls: int) -> float:
    valid = gt != VOID
    predicted = set(np.flatnonzero((pred == cls) & valid).tolist())
    truth = set(np.flatnonzero((gt == cls) & valid).tolist())
    union = predicted | truth
    return len(predicted & truth) / len(union) if union else math.nan


@pytest.mark.parametrize("void", [False, True], ids=["no-void", "void"])
def test_confusion_matrix_matches_pixel_loop(void: bool) -> None:
    pred, gt = random_labels(1, 4, void)

    cm = confusion_matrix(pred, gt, 4, ignore_index=VOID if void else None)

    assert cm.dtype == np.int64
    assert cm.tolist() == reference_counts(pred, gt, 4)


def test_rows_are_ground_truth_and_columns_prediction() -> None:
    cm = confusion_matrix([[1]], [[0]], 3)

    assert cm[0, 1] == 1
    assert cm.sum() == 1


def test_per_class_iou_matches_sets() -> None:
    # Class 4 never occurs, so its IoU must be NaN, not 0.
    pred, gt = random_labels(2, 4, void=True)

    ious = per_class_iou(confusion_matrix(pred, gt, 5, ignore_index=VOID))

    expected = [reference_iou(pred, gt, c) for c in range(5)]
    np.testing.assert_allclose(ious, expected, rtol=1e-12)
    assert math.isnan(ious[4])


def test_mean_iou_skips_absent_classes() -> None:
    pred, gt = random_labels(3, 3, void=True)

    got = mean_iou(pred, gt, 6, ignore_index=VOID)

    expected = [reference_iou(pred, gt, c) for c in range(3)]
    assert got == pytest.approx(sum(expected) / 3, rel=1e-12)


def test_mean_iou_of_nothing_is_nan() -> None:
    assert math.isnan(mean_iou([[VOID]], [[VOID]], 2, ignore_index=VOID))


def test_pixel_accuracy_is_fraction_correct() -> None:
    pred, gt = random_labels(4, 3, void=True)
    valid = gt != VOID

    got = pixel_accuracy(confusion_matrix(pred, gt, 3, ignore_index=VOID))

    assert got == pytest.approx(float((pred[valid] == gt[valid]).mean()))
    assert math.isnan(pixel_accuracy(np.zeros((2, 2))))


@pytest.mark.parametrize(
    ("pred", "gt", "expected"),
    [
        pytest.param([0, 0, 0], [0, 0, 0], 1.0, id="both-empty"),
        pytest.param([1, 0, 0], [0, 0, 0], 0.0, id="false-alarm"),
        pytest.param([1, 1, 0], [1, 1, 0], 1.0, id="perfect"),
        pytest.param([1, 1, 0, 0], [0, 1, 1, 0], 0.5, id="half"),
    ],
)
def test_dice_cases(pred: list[int], gt: list[int], expected: float) -> None:
    assert dice(pred, gt) == expected


masks = hnp.arrays(np.bool_, st.tuples(st.integers(1, 6), st.integers(1, 6)))


@PROPERTY
@given(st.data())
def test_dice_relates_to_iou_and_per_class_dice(data: st.DataObject) -> None:
    pred = data.draw(masks)
    gt = data.draw(hnp.arrays(np.bool_, pred.shape))
    inter, union = int((pred & gt).sum()), int((pred | gt).sum())

    score = dice(pred, gt)

    assert score == dice(gt, pred)
    if union:
        iou = inter / union
        assert score == pytest.approx(2 * iou / (1 + iou))
        cm = confusion_matrix(pred.astype(int), gt.astype(int), 2)
        assert per_class_dice(cm)[1] == pytest.approx(score)


@PROPERTY
@given(st.data())
def test_per_class_scores_stay_in_range(data: st.DataObject) -> None:
    gt = data.draw(hnp.arrays(np.int64, (5, 5), elements=st.integers(0, 3)))
    pred = data.draw(hnp.arrays(np.int64, (5, 5), elements=st.integers(0, 3)))
    cm = confusion_matrix(pred, gt, 4)

    ious, dices = per_class_iou(cm), per_class_dice(cm)

    present = ~np.isnan(ious)
    assert np.array_equal(present, ~np.isnan(dices))
    assert ((ious[present] >= 0) & (ious[present] <= dices[present] + 1e-12)).all()
    assert (dices[present] <= 1).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(lambda: confusion_matrix([0, 1], [0], 2), "shape", id="shapes"),
        pytest.param(
            lambda: confusion_matrix([0], [VOID], 2),
            "ignore_index",
            id="void-without-ignore",
        ),
        pytest.param(
            lambda: confusion_matrix([5], [0], 2), "pred holds label 5", id="pred-range"
        ),
        pytest.param(lambda: confusion_matrix([0.5], [0], 2), "argmax", id="float"),
        pytest.param(
            lambda: confusion_matrix([0], [0], 0), "num_classes", id="no-classes"
        ),
        pytest.param(lambda: per_class_iou(np.zeros((2, 3))), "square", id="cm-shape"),
        pytest.param(
            lambda: per_class_iou([[1, -1], [0, 0]]), "non-negative", id="cm-negative"
        ),
        pytest.param(lambda: dice([0.3], [1]), "binary", id="soft-mask"),
        pytest.param(lambda: dice([1, 0], [1]), "shape", id="mask-shapes"),
    ],
)
def test_bad_input_is_rejected(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def test_whole_float_labels_are_accepted() -> None:
    assert confusion_matrix(np.array([1.0]), np.array([1.0]), 2)[1, 1] == 1
