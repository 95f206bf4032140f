"""Tests for cvcards.vision.ap: loop references, and pycocotools for COCO AP."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from cvcards.vision.ap import (
    Detection,
    GroundTruth,
    coco_evaluate,
    coco_interpolated_ap,
    match_detections,
    pr_curve,
    precision_recall,
    voc_ap,
)

PROPERTY = settings(max_examples=50, deadline=None)
SUMMARY_KEYS = ["AP", "AP50", "AP75", "AP_small", "AP_medium", "AP_large"]


def iou(a: list[float], b: list[float]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    inter = width * height if width > 0 and height > 0 else 0.0
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def reference_match(
    dets: list[list[float]],
    scores: list[float],
    gts: list[list[float]],
    threshold: float,
    ignore: list[bool],
) -> list[bool]:
    """Greedy matching in loops: regular boxes first, later box wins a tie."""
    order = sorted(range(len(dets)), key=lambda i: (-scores[i], i))
    taken = [False] * len(gts)
    flags = []
    for d in order:
        best = -1
        for wanted in (False, True):
            best_iou = threshold
            for g in range(len(gts)):
                if taken[g] or ignore[g] != wanted:
                    continue
                overlap = iou(dets[d], gts[g])
                if overlap >= best_iou:
                    best, best_iou = g, overlap
            if best >= 0:
                break
        if best >= 0:
            taken[best] = True
        if best < 0 or not ignore[best]:
            flags.append(best >= 0)
    return flags


def reference_voc_ap(recall: list[float], precision: list[float]) -> float:
    """All-point VOC AP, one recall step at a time."""
    points = list(zip(recall, precision, strict=True))
    area, previous = 0.0, 0.0
    for r, _ in points:
        if r > previous:
            best = max(p for rr, p in points if rr >= r)
            area += (r - previous) * best
            previous = r
    return area


def reference_coco_ap(recall: list[float], precision: list[float]) -> float:
    """COCO's 101-point AP, one recall level at a time."""
    total = 0.0
    for level in np.linspace(0, 1, 101):
        reaching = [i for i, r in enumerate(recall) if r >= level]
        if reaching:
            total += max(precision[reaching[0] :])
    return total / 101


@st.composite
def curves(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    flags = draw(st.lists(st.booleans(), min_size=0, max_size=30))
    num_gt = sum(flags) + draw(st.integers(min_value=0, max_value=5))
    if num_gt == 0:
        num_gt = 1
    precision, recall = precision_recall(np.array(flags, dtype=bool), num_gt)
    return recall.tolist(), precision.tolist()


@PROPERTY
@given(curves())
def test_voc_ap_matches_reference(curve: tuple[list[float], list[float]]) -> None:
    recall, precision = curve

    assert voc_ap(recall, precision) == pytest.approx(
        reference_voc_ap(recall, precision), abs=1e-12
    )


@PROPERTY
@given(curves())
def test_coco_ap_matches_reference(curve: tuple[list[float], list[float]]) -> None:
    recall, precision = curve

    assert coco_interpolated_ap(recall, precision) == pytest.approx(
        reference_coco_ap(recall, precision), abs=1e-12
    )


@pytest.mark.parametrize("ap", [voc_ap, coco_interpolated_ap], ids=["voc", "coco"])
def test_perfect_and_empty_curves(ap: Any) -> None:
    precision, recall = precision_recall([True, True, True], 3)

    assert ap(recall, precision) == pytest.approx(1.0)
    assert ap([], []) == 0.0


def test_voc_ap_of_a_two_step_curve() -> None:
    # Hits at ranks 1 and 3 of 2 objects: recall 0.5 at precision 1, then 1.0 at 2/3.
    precision, recall = precision_recall([True, False, True], 2)

    np.testing.assert_allclose(precision, [1, 1 / 2, 2 / 3])
    np.testing.assert_allclose(recall, [0.5, 0.5, 1.0])
    assert voc_ap(recall, precision) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)


@pytest.mark.parametrize(
    ("recall", "precision", "message"),
    [
        pytest.param([0.5], [1.0, 0.5], "one of each", id="lengths"),
        pytest.param([0.5, 0.2], [1.0, 1.0], "must not decrease", id="decreasing"),
        pytest.param([1.5], [1.0], r"recall values must lie in \[0, 1\]", id="range"),
        pytest.param([0.5], [np.nan], "precision", id="nan"),
    ],
)
def test_curves_are_validated(
    recall: list[float], precision: list[float], message: str
) -> None:
    for ap in (voc_ap, coco_interpolated_ap):
        with pytest.raises(ValueError, match=message):
            ap(recall, precision)


@pytest.mark.parametrize(
    ("flags", "num_gt", "message"),
    [
        pytest.param([True], 0, "num_gt must be positive", id="no-objects"),
        pytest.param([True], 1.5, "whole number of objects", id="fractional-count"),
        pytest.param([True, True], 1, "2 hits for only 1", id="too-many-hits"),
        pytest.param([[True]], 1, "one-dimensional", id="shape"),
        pytest.param([0.5], 1, "booleans", id="not-flags"),
    ],
)
def test_precision_recall_rejects(
    flags: list[object], num_gt: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        precision_recall(flags, num_gt)


@st.composite
def image_case(
    draw: st.DrawFn,
) -> tuple[list[list[float]], list[float], list[list[float]], list[bool]]:
    def box() -> list[float]:
        x, y = draw(st.integers(0, 20)), draw(st.integers(0, 20))
        w, h = draw(st.integers(1, 12)), draw(st.integers(1, 12))
        return [float(x), float(y), float(x + w), float(y + h)]

    dets = [box() for _ in range(draw(st.integers(0, 8)))]
    gts = [box() for _ in range(draw(st.integers(0, 6)))]
    scores = [draw(st.sampled_from([0.2, 0.4, 0.6, 0.8])) for _ in dets]
    ignore = [draw(st.booleans()) for _ in gts]
    return dets, scores, gts, ignore


@PROPERTY
@given(image_case(), st.sampled_from([0.1, 0.3, 0.5, 0.75]))
def test_match_detections_matches_reference(
    case: tuple[list[list[float]], list[float], list[list[float]], list[bool]],
    threshold: float,
) -> None:
    dets, scores, gts, ignore = case

    got = match_detections(
        np.reshape(dets, (-1, 4)),
        scores,
        np.reshape(gts, (-1, 4)),
        threshold,
        gt_ignore=ignore,
    )

    assert got.tolist() == reference_match(dets, scores, gts, threshold, ignore)
    assert got.sum() <= sum(not flag for flag in ignore)


def test_duplicate_detection_is_a_false_positive() -> None:
    gt = [[0, 0, 10, 10]]
    dets = [[0, 0, 10, 10], [1, 0, 10, 10], [50, 50, 60, 60]]

    got = match_detections(dets, [0.7, 0.9, 0.8], gt, 0.5)

    # Order by score: det 1 (hit), det 2 (nowhere near), det 0 (duplicate).
    assert got.tolist() == [True, False, False]


def test_match_threshold_is_inclusive() -> None:
    # IoU is exactly 1/2.
    assert match_detections([[0, 0, 2, 1]], [0.9], [[0, 0, 1, 1]], 0.5).tolist() == [
        True
    ]


def test_detection_takes_the_best_overlap_not_the_first() -> None:
    gts = [[0, 0, 10, 10], [2, 0, 12, 10]]
    dets = [[2, 0, 12, 10], [0, 0, 10, 10]]

    got = match_detections(dets, [0.9, 0.8], gts, 0.5)

    assert got.tolist() == [True, True]


TIE_TRUTHS = [[0, 0, 10, 10], [10, 0, 20, 10]]
# The first detection straddles both objects with IoU 1/3 each; the second fits
# the first object only, so who gets the tie decides whether it is a hit.
TIE_DETECTIONS = [[5, 0, 15, 10], [0, 0, 10, 10]]


def test_equal_overlaps_go_to_the_later_object() -> None:
    got = match_detections(TIE_DETECTIONS, [0.9, 0.8], TIE_TRUTHS, 0.3)

    assert got.tolist() == [True, True]


def test_detection_on_an_ignored_object_is_left_out() -> None:
    gts = [[0, 0, 10, 10], [40, 40, 50, 50]]
    dets = [[40, 40, 50, 50], [0, 0, 10, 10], [80, 80, 90, 90]]

    got = match_detections(dets, [0.9, 0.8, 0.7], gts, 0.5, gt_ignore=[False, True])

    assert got.tolist() == [True, False]


def test_match_detections_rejects_mismatched_scores() -> None:
    with pytest.raises(ValueError, match="one per detection"):
        match_detections([[0, 0, 1, 1]], [0.5, 0.4], [[0, 0, 1, 1]], 0.5)
    with pytest.raises(ValueError, match="one flag per box"):
        match_detections([[0, 0, 1, 1]], [0.5], [[0, 0, 1, 1]], 0.5, gt_ignore=[])


# --- COCO evaluation against pycocotools ------------------------------------------


def synthetic_dataset(
    seed: int, *, crowds: bool, tied_scores: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Ground truths and detections over 8 images and 3 classes, integer corners.

    Integer corners keep the (x, y, w, h) round trip exact, so both evaluators
    see the same boxes bit for bit.
    """
    rng = np.random.default_rng(seed)
    truths: list[dict[str, Any]] = []
    dets: list[dict[str, Any]] = []
    for image in range(1, 9):
        for category in (1, 2, 3):
            for _ in range(int(rng.integers(0, 5))):
                # Sides from 4 to 200 pixels cover small, medium and large objects.
                w, h = (int(v) for v in rng.integers(4, 200, size=2))
                x, y = int(rng.integers(0, 400)), int(rng.integers(0, 400))
                box = [x, y, x + w, y + h]
                crowd = bool(crowds and rng.random() < 0.15)
                # A segmentation area is smaller than its box: vary the ratio.
                area = float(w * h * rng.uniform(0.5, 1.0))
                truths.append(
                    {
                        "image_id": image,
                        "category_id": category,
                        "box": box,
                        "area": area,
                        "iscrowd": crowd,
                    }
                )
                for _ in range(int(rng.choice([0, 1, 1, 2]))):
                    jitter = rng.integers(-8, 9, size=4)
                    x1, y1 = box[0] + int(jitter[0]), box[1] + int(jitter[1])
                    x2 = max(x1 + 1, box[2] + int(jitter[2]))
                    y2 = max(y1 + 1, box[3] + int(jitter[3]))
                    dets.append(
                        {
                            "image_id": image,
                            "category_id": category,
                            "box": [x1, y1, x2, y2],
                            "score": float(rng.random()),
                        }
                    )
            for _ in range(int(rng.integers(0, 3))):
                w, h = (int(v) for v in rng.integers(4, 150, size=2))
                x, y = int(rng.integers(0, 400)), int(rng.integers(0, 400))
                dets.append(
                    {
                        "image_id": image,
                        "category_id": category,
                        "box": [x, y, x + w, y + h],
                        "score": float(rng.random()),
                    }
                )
    if tied_scores:
        for det in dets:
            det["score"] = round(det["score"], 1)
    return truths, dets


def pycocotools_precision(
    truths: list[dict[str, Any]], dets: list[dict[str, Any]], max_dets: int
) -> COCOeval:
    """Run the official evaluator on the same data, given in COCO's xywh form."""
    dataset = {
        "images": [
            {"id": i}
            for i in sorted(
                {t["image_id"] for t in truths} | {d["image_id"] for d in dets}
            )
        ],
        "categories": [{"id": c} for c in (1, 2, 3)],
        "annotations": [
            {
                "id": k + 1,
                "image_id": t["image_id"],
                "category_id": t["category_id"],
                "bbox": xywh(t["box"]),
                "area": t["area"],
                "iscrowd": int(t["iscrowd"]),
            }
            for k, t in enumerate(truths)
        ],
    }
    results = [
        {
            "image_id": d["image_id"],
            "category_id": d["category_id"],
            "bbox": xywh(d["box"]),
            "score": d["score"],
        }
        for d in dets
    ]
    # pycocotools reports progress on stdout; keep the test output clean.
    with contextlib.redirect_stdout(io.StringIO()):
        ground = COCO()
        ground.dataset = dataset
        ground.createIndex()
        evaluator = COCOeval(ground, ground.loadRes(results), "bbox")
        evaluator.params.maxDets = [1, 10, max_dets]
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return evaluator


def xywh(box: list[int]) -> list[int]:
    return [box[0], box[1], box[2] - box[0], box[3] - box[1]]


def official_summary(evaluator: COCOeval, max_dets: int) -> dict[str, float]:
    """The six AP numbers read from pycocotools' precision table at ``max_dets``."""
    # evaluate() sorts params.maxDets, so look the column up rather than assume it.
    column = list(evaluator.params.maxDets).index(max_dets)
    precision = evaluator.eval["precision"][..., column]
    thresholds = evaluator.params.iouThrs

    def mean(table: np.ndarray) -> float:
        defined = table[table > -1]
        return float(defined.mean()) if defined.size else -1.0

    return {
        "AP": mean(precision[:, :, :, 0]),
        "AP50": mean(precision[thresholds == 0.5][:, :, :, 0]),
        "AP75": mean(precision[thresholds == 0.75][:, :, :, 0]),
        "AP_small": mean(precision[:, :, :, 1]),
        "AP_medium": mean(precision[:, :, :, 2]),
        "AP_large": mean(precision[:, :, :, 3]),
    }


@pytest.mark.parametrize(
    ("seed", "crowds", "tied_scores", "max_dets"),
    [
        pytest.param(0, False, False, 100, id="plain"),
        pytest.param(1, False, False, 100, id="plain-other-seed"),
        pytest.param(2, True, False, 100, id="with-crowds"),
        pytest.param(3, False, True, 100, id="tied-scores"),
        pytest.param(4, True, True, 2, id="two-detections-per-image"),
        pytest.param(7, False, False, 1, id="one-detection-per-image"),
    ],
)
def test_coco_evaluate_agrees_with_pycocotools(
    seed: int, crowds: bool, tied_scores: bool, max_dets: int
) -> None:
    truths, dets = synthetic_dataset(seed, crowds=crowds, tied_scores=tied_scores)
    evaluator = pycocotools_precision(truths, dets, max_dets)

    ours = coco_evaluate(dets, truths, max_dets=max_dets)

    expected = official_summary(evaluator, max_dets)
    for key in SUMMARY_KEYS:
        assert ours[key] == pytest.approx(expected[key], abs=1e-6), key
    # Every range holds objects, so no value is the "undefined" -1.
    assert min(ours.values()) >= 0
    if max_dets == 100:
        np.testing.assert_allclose(
            [ours[key] for key in SUMMARY_KEYS], evaluator.stats[:6], atol=1e-6
        )


def test_tie_rule_agrees_with_pycocotools() -> None:
    truths = [
        {"image_id": 1, "category_id": 1, "box": box, "area": 100.0, "iscrowd": False}
        for box in TIE_TRUTHS
    ]
    dets = [
        {"image_id": 1, "category_id": 1, "box": box, "score": score}
        for box, score in zip(TIE_DETECTIONS, [0.9, 0.8], strict=True)
    ]
    evaluator = pycocotools_precision(truths, dets, 100)
    thresholds = np.linspace(0.3, 0.95, 14)
    evaluator.params.iouThrs = thresholds
    with contextlib.redirect_stdout(io.StringIO()):
        evaluator.evaluate()
        evaluator.accumulate()

    ours = coco_evaluate(dets, truths, iou_thresholds=thresholds)

    assert ours["AP"] == pytest.approx(official_summary(evaluator, 100)["AP"])


@pytest.mark.parametrize("side", [32, 96], ids=["32-squared", "96-squared"])
def test_area_range_ends_count_in_both_ranges(side: int) -> None:
    truths = [
        {
            "image_id": 1,
            "category_id": 1,
            "box": [0, 0, side, side],
            "area": float(side * side),
            "iscrowd": False,
        },
        {
            "image_id": 1,
            "category_id": 1,
            "box": [200, 200, 210, 210],
            "area": 100.0,
            "iscrowd": False,
        },
    ]
    dets = [{"image_id": 1, "category_id": 1, "box": [0, 0, side, side], "score": 0.9}]
    evaluator = pycocotools_precision(truths, dets, 100)

    ours = coco_evaluate(dets, truths)

    expected = official_summary(evaluator, 100)
    for key in SUMMARY_KEYS:
        assert ours[key] == pytest.approx(expected[key]), key
    below, above = (
        ("AP_small", "AP_medium") if side == 32 else ("AP_medium", "AP_large")
    )
    assert ours[above] == 1.0
    assert ours[below] > 0


def test_pr_curve_agrees_with_pycocotools_per_class() -> None:
    truths, dets = synthetic_dataset(5, crowds=True, tied_scores=False)
    evaluator = pycocotools_precision(truths, dets, 100)

    for k, category in enumerate((1, 2, 3)):
        precision, recall, scores = pr_curve(dets, truths, category, 0.5)

        official = evaluator.eval["precision"][0, :, k, 0, 2].mean()
        assert coco_interpolated_ap(recall, precision) == pytest.approx(
            official, abs=1e-9
        )
        assert (np.diff(scores) <= 0).all()


def test_dataclasses_and_dicts_give_the_same_result() -> None:
    truths, dets = synthetic_dataset(6, crowds=True, tied_scores=False)
    truth_objects = [
        GroundTruth(
            t["image_id"], t["category_id"], tuple(t["box"]), t["area"], t["iscrowd"]
        )
        for t in truths
    ]
    det_objects = [
        Detection(d["image_id"], d["category_id"], tuple(d["box"]), d["score"])
        for d in dets
    ]

    assert coco_evaluate(det_objects, truth_objects) == coco_evaluate(dets, truths)


def test_coco_evaluate_of_a_perfect_detector() -> None:
    truths = [
        {"image_id": "a", "category_id": "cat", "box": [0, 0, 20, 20]},
        {"image_id": "b", "category_id": "cat", "box": [0, 0, 50, 50]},
    ]
    dets = [dict(t, score=0.9) for t in truths]

    got = coco_evaluate(dets, truths)

    assert got == {
        "AP": 1.0,
        "AP50": 1.0,
        "AP75": 1.0,
        "AP_small": 1.0,
        "AP_medium": 1.0,
        "AP_large": -1.0,
    }


def test_coco_evaluate_without_detections_scores_zero() -> None:
    truths = [{"image_id": 1, "category_id": 1, "box": [0, 0, 20, 20]}]

    got = coco_evaluate([], truths)

    assert got["AP"] == 0.0
    assert got["AP_large"] == -1.0


def test_classes_without_ground_truth_are_left_out() -> None:
    truths = [{"image_id": 1, "category_id": 1, "box": [0, 0, 20, 20]}]
    dets = [
        {"image_id": 1, "category_id": 1, "box": [0, 0, 20, 20], "score": 0.9},
        {"image_id": 1, "category_id": 2, "box": [50, 50, 70, 70], "score": 0.9},
    ]

    assert coco_evaluate(dets, truths)["AP"] == 1.0


def test_single_thresholds_missing_from_the_list_are_undefined() -> None:
    truths = [{"image_id": 1, "category_id": 1, "box": [0, 0, 20, 20]}]
    dets = [{"image_id": 1, "category_id": 1, "box": [0, 0, 20, 18], "score": 0.9}]

    got = coco_evaluate(dets, truths, iou_thresholds=[0.5, 0.95])

    assert got["AP50"] == 1.0
    assert got["AP75"] == -1.0
    assert got["AP"] == 0.5


@pytest.mark.parametrize(
    ("dets", "truths", "kwargs", "message"),
    [
        pytest.param(
            [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "score": 0.5}],
            [],
            {},
            "xywh_to_xyxy",
            id="bbox-key",
        ),
        pytest.param(
            [{"image_id": 1, "category_id": 1, "box": [0, 0, 5, 5]}],
            [],
            {},
            r"detections\[0\] has no 'score'",
            id="no-score",
        ),
        pytest.param(
            [],
            [{"image_id": 1, "category_id": 1, "box": [5, 0, 0, 5]}],
            {},
            r"ground_truths\[0\]\.box",
            id="inverted-box",
        ),
        pytest.param(
            [],
            [{"image_id": 1, "category_id": 1, "box": [0, 0, 5, 5], "area": -1}],
            {},
            "negative",
            id="negative-area",
        ),
        pytest.param(
            [],
            [{"image_id": [1], "category_id": 1, "box": [0, 0, 5, 5]}],
            {},
            "image_id",
            id="unhashable-id",
        ),
        pytest.param([], [], {"max_dets": 0}, "max_dets", id="max-dets"),
        pytest.param([], [], {"iou_thresholds": [1.2]}, "thresholds", id="threshold"),
    ],
)
def test_coco_evaluate_rejects_bad_input(
    dets: list[dict[str, Any]],
    truths: list[dict[str, Any]],
    kwargs: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        coco_evaluate(dets, truths, **kwargs)


def test_pr_curve_needs_ground_truth() -> None:
    with pytest.raises(ValueError, match="no ground truth"):
        pr_curve([], [], 1, 0.5)
