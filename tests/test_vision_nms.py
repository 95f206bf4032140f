"""Tests for cvcards.vision.nms against plain-Python reference loops."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvcards.vision.nms import nms, soft_nms, weighted_box_fusion

PROPERTY = settings(max_examples=60, deadline=None)


def iou(a: list[float], b: list[float]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    inter = width * height if width > 0 and height > 0 else 0.0
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def reference_nms(
    boxes: list[list[float]], scores: list[float], threshold: float
) -> list[int]:
    order = sorted(range(len(boxes)), key=lambda i: (-scores[i], i))
    kept: list[int] = []
    for i in order:
        if all(iou(boxes[i], boxes[k]) <= threshold for k in kept):
            kept.append(i)
    return kept


def reference_soft_nms(
    boxes: list[list[float]],
    scores: list[float],
    threshold: float,
    sigma: float,
    method: str,
    floor: float,
) -> tuple[list[int], list[float]]:
    current = {i: s for i, s in enumerate(scores) if s >= floor}
    picked: list[int] = []
    picked_scores: list[float] = []
    while current:
        best = min(current, key=lambda i: (-current[i], i))
        picked.append(best)
        picked_scores.append(current.pop(best))
        for i in list(current):
            overlap = iou(boxes[best], boxes[i])
            if method == "linear":
                factor = 1 - overlap if overlap > threshold else 1.0
            else:
                factor = math.exp(-overlap * overlap / sigma)
            current[i] *= factor
            if current[i] < floor:
                del current[i]
    return picked, picked_scores


def reference_wbf(
    boxes_list: list[list[list[float]]],
    scores_list: list[list[float]],
    weights: list[float],
    threshold: float,
    skip: float,
) -> list[tuple[list[float], float]]:
    pool = [
        (scores_list[m][i] * weights[m], m, i, boxes_list[m][i])
        for m in range(len(boxes_list))
        for i in range(len(boxes_list[m]))
        if scores_list[m][i] >= skip
    ]
    pool.sort(key=lambda item: (-item[0], item[1], item[2]))
    clusters: list[list[tuple[float, list[float]]]] = []
    fused: list[list[float]] = []
    for score, _, _, box in pool:
        best, best_iou = -1, threshold
        for c, f in enumerate(fused):
            overlap = iou(box, f)
            if overlap > best_iou:
                best, best_iou = c, overlap
        if best < 0:
            clusters.append([(score, box)])
            fused.append(list(box))
            continue
        clusters[best].append((score, box))
        total = sum(s for s, _ in clusters[best])
        fused[best] = [
            sum(s * b[k] for s, b in clusters[best]) / total for k in range(4)
        ]
    out = []
    for members, box in zip(clusters, fused, strict=True):
        mean = sum(s for s, _ in members) / len(members)
        out.append((box, mean * min(len(members), len(boxes_list)) / sum(weights)))
    return sorted(out, key=lambda item: -item[1])


@st.composite
def detections(
    draw: st.DrawFn, max_size: int = 12
) -> tuple[list[list[float]], list[float]]:
    count = draw(st.integers(min_value=0, max_value=max_size))
    grid = st.integers(min_value=0, max_value=40)
    side = st.integers(min_value=1, max_value=25)
    boxes = []
    for _ in range(count):
        x, y, w, h = draw(grid), draw(grid), draw(side), draw(side)
        boxes.append([float(x), float(y), float(x + w), float(y + h)])
    # Scores from a small set so that ties happen often.
    scores = draw(
        st.lists(
            st.sampled_from([0.1, 0.3, 0.5, 0.7, 0.9]), min_size=count, max_size=count
        )
    )
    return boxes, scores


threshold = st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.7, 1.0])


@PROPERTY
@given(detections(), threshold)
def test_nms_matches_reference(
    case: tuple[list[list[float]], list[float]], limit: float
) -> None:
    boxes, scores = case

    got = nms(boxes, scores, limit)

    assert got.dtype == np.intp
    assert got.tolist() == reference_nms(boxes, scores, limit)


@PROPERTY
@given(detections(), threshold)
def test_nms_output_is_consistent(
    case: tuple[list[list[float]], list[float]], limit: float
) -> None:
    boxes, scores = case

    kept = nms(boxes, scores, limit).tolist()

    # No two kept boxes overlap above the threshold.
    for a in kept:
        for b in kept:
            if a != b:
                assert iou(boxes[a], boxes[b]) <= limit
    # Every dropped box is covered by a kept box ranked before it.
    rank = {i: (-scores[i], i) for i in range(len(boxes))}
    for dropped in set(range(len(boxes))) - set(kept):
        assert any(
            rank[k] < rank[dropped] and iou(boxes[k], boxes[dropped]) > limit
            for k in kept
        )
    # Kept boxes come out best first.
    assert [rank[k] for k in kept] == sorted(rank[k] for k in kept)


def test_nms_breaks_ties_by_lower_index() -> None:
    boxes = [[0, 0, 10, 10], [0, 0, 10, 10], [1, 0, 11, 10]]

    assert nms(boxes, [0.5, 0.5, 0.5], 0.5).tolist() == [0]
    assert nms(boxes[::-1], [0.5, 0.5, 0.5], 0.5).tolist() == [0]


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        pytest.param(0.5, [0, 1], id="equal-to-threshold-kept"),
        pytest.param(0.49, [0], id="above-threshold-suppressed"),
    ],
)
def test_nms_suppresses_only_strictly_above(limit: float, expected: list[int]) -> None:
    # The two boxes have IoU of exactly 1/2.
    boxes = [[0, 0, 2, 1], [0, 0, 1, 1]]

    assert nms(boxes, [0.9, 0.8], limit).tolist() == expected


def test_nms_of_nothing() -> None:
    assert nms(np.zeros((0, 4)), [], 0.5).tolist() == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"scores": [0.5]}, "one score per box", id="count"),
        pytest.param({"scores": [0.5, np.nan]}, "not finite", id="nan-score"),
        pytest.param({"iou_threshold": 1.5}, r"\[0, 1\]", id="threshold"),
        pytest.param({"boxes": [[0, 0, 1, 1], [1, 1, 0, 0]]}, r"boxes\[1\]", id="box"),
    ],
)
def test_nms_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "boxes": [[0, 0, 1, 1], [0, 0, 2, 2]],
        "scores": [0.5, 0.4],
        "iou_threshold": 0.5,
    }
    arguments.update(kwargs)

    with pytest.raises(ValueError, match=message):
        nms(**arguments)  # type: ignore[arg-type]


@PROPERTY
@given(
    detections(),
    threshold,
    st.sampled_from(["linear", "gaussian"]),
    st.sampled_from([0.0, 0.001, 0.2]),
)
def test_soft_nms_matches_reference(
    case: tuple[list[list[float]], list[float]], limit: float, method: str, floor: float
) -> None:
    boxes, scores = case

    indices, decayed = soft_nms(
        boxes,
        scores,
        iou_threshold=limit,
        sigma=0.5,
        method=method,
        score_threshold=floor,  # type: ignore[arg-type]
    )

    expected_indices, expected_scores = reference_soft_nms(
        boxes, scores, limit, 0.5, method, floor
    )
    assert indices.tolist() == expected_indices
    np.testing.assert_allclose(decayed, expected_scores, rtol=1e-12)


@pytest.mark.parametrize(
    ("method", "decay"),
    [
        pytest.param("linear", 1 - 0.5, id="linear"),
        pytest.param("gaussian", math.exp(-0.25 / 0.5), id="gaussian"),
    ],
)
def test_soft_nms_decays_an_overlapping_box(method: str, decay: float) -> None:
    # IoU of the two boxes is exactly 1/2, above the 0.3 threshold.
    boxes = [[0, 0, 2, 1], [0, 0, 1, 1]]

    indices, scores = soft_nms(boxes, [0.9, 0.8], method=method)  # type: ignore[arg-type]

    assert indices.tolist() == [0, 1]
    np.testing.assert_allclose(scores, [0.9, 0.8 * decay])


def test_soft_nms_leaves_disjoint_boxes_alone() -> None:
    boxes = [[0, 0, 1, 1], [5, 5, 6, 6], [10, 0, 11, 1]]

    indices, scores = soft_nms(boxes, [0.2, 0.9, 0.5], method="gaussian")

    assert indices.tolist() == [1, 2, 0]
    np.testing.assert_array_equal(scores, [0.9, 0.5, 0.2])


def test_soft_nms_drops_boxes_below_the_floor() -> None:
    boxes = [[0, 0, 10, 10], [0, 0, 10, 9]]

    indices, _ = soft_nms(boxes, [0.9, 0.5], score_threshold=0.1)

    # 1 - IoU = 0.1 leaves 0.05, under the floor.
    assert indices.tolist() == [0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"method": "hard"}, "method", id="method"),
        pytest.param({"sigma": 0.0}, "sigma", id="sigma"),
        pytest.param({"score_threshold": -1.0}, "score_threshold", id="floor"),
        pytest.param({"iou_threshold": -0.1}, "iou_threshold", id="threshold"),
    ],
)
def test_soft_nms_rejects_bad_parameters(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        soft_nms([[0, 0, 1, 1]], [0.5], **kwargs)  # type: ignore[arg-type]


def test_soft_nms_rejects_negative_scores() -> None:
    with pytest.raises(ValueError, match="negative"):
        soft_nms([[0, 0, 1, 1]], [-0.5])


@st.composite
def model_predictions(
    draw: st.DrawFn,
) -> tuple[list[list[list[float]]], list[list[float]], list[float]]:
    models = draw(st.integers(min_value=1, max_value=3))
    boxes_list, scores_list = [], []
    for _ in range(models):
        boxes, _ = draw(detections(max_size=6))
        scores = draw(
            st.lists(
                st.floats(min_value=0.01, max_value=1.0),
                min_size=len(boxes),
                max_size=len(boxes),
            )
        )
        boxes_list.append(boxes)
        scores_list.append(scores)
    weights = draw(
        st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=models, max_size=models)
    )
    return boxes_list, scores_list, weights


@PROPERTY
@given(
    model_predictions(), st.sampled_from([0.3, 0.55, 0.8]), st.sampled_from([0.0, 0.3])
)
def test_wbf_matches_reference(
    case: tuple[list[list[list[float]]], list[list[float]], list[float]],
    limit: float,
    skip: float,
) -> None:
    boxes_list, scores_list, weights = case

    boxes, scores = weighted_box_fusion(
        [np.reshape(b, (-1, 4)) for b in boxes_list],
        scores_list,
        weights=weights,
        iou_threshold=limit,
        skip_threshold=skip,
    )

    expected = reference_wbf(boxes_list, scores_list, weights, limit, skip)
    assert boxes.shape == (len(expected), 4)
    np.testing.assert_allclose(scores, [s for _, s in expected], rtol=1e-12)
    np.testing.assert_allclose(
        boxes.reshape(-1, 4),
        np.reshape([b for b, _ in expected], (-1, 4)),
        rtol=1e-12,
        atol=1e-12,
    )


def test_wbf_averages_agreeing_models() -> None:
    first = [[0.0, 0.0, 10.0, 10.0]]
    second = [[2.0, 0.0, 12.0, 10.0]]

    boxes, scores = weighted_box_fusion([first, second], [[0.9], [0.3]])

    # Coordinates are weighted by score: (0.9 * 0 + 0.3 * 2) / 1.2 = 0.5.
    np.testing.assert_allclose(boxes, [[0.5, 0.0, 10.5, 10.0]])
    np.testing.assert_allclose(scores, [(0.9 + 0.3) / 2])


def test_wbf_lowers_the_score_of_a_box_one_model_missed() -> None:
    found = [[0.0, 0.0, 10.0, 10.0], [50.0, 50.0, 60.0, 60.0]]
    partial = [[0.0, 0.0, 10.0, 10.0]]

    boxes, scores = weighted_box_fusion([found, partial], [[0.8, 0.8], [0.8]])

    np.testing.assert_allclose(scores, [0.8, 0.4])
    np.testing.assert_allclose(boxes[1], found[1])


def test_wbf_of_one_model_keeps_disjoint_boxes() -> None:
    boxes = [[0, 0, 1, 1], [5, 5, 6, 6]]

    fused, scores = weighted_box_fusion([boxes], [[0.4, 0.7]])

    np.testing.assert_allclose(fused, [boxes[1], boxes[0]])
    np.testing.assert_allclose(scores, [0.7, 0.4])


def test_wbf_with_nothing_to_fuse() -> None:
    fused, scores = weighted_box_fusion([[[0, 0, 1, 1]]], [[0.1]], skip_threshold=0.5)

    assert fused.shape == (0, 4)
    assert scores.shape == (0,)


def test_wbf_with_all_zero_scores_takes_the_plain_mean() -> None:
    fused, _ = weighted_box_fusion([[[0, 0, 10, 10]], [[2, 0, 12, 10]]], [[0.0], [0.0]])

    np.testing.assert_allclose(fused, [[1, 0, 11, 10]])


@pytest.mark.parametrize(
    ("boxes_list", "scores_list", "kwargs", "message"),
    [
        pytest.param([[[0, 0, 1, 1]]], [], {}, "one scores array", id="lists"),
        pytest.param([], [], {}, "one or more models", id="no-models"),
        pytest.param(
            [[[0, 0, 1, 1]]],
            [[0.5]],
            {"weights": [1, 2]},
            "one weight",
            id="weight-count",
        ),
        pytest.param(
            [[[0, 0, 1, 1]]], [[0.5]], {"weights": [0]}, "positive", id="weight-zero"
        ),
        pytest.param(
            [[[0, 0, 1, 1]]], [[0.5, 0.2]], {}, r"scores_list\[0\]", id="score-count"
        ),
        pytest.param(
            [[[0, 0, 1, 1]], [[1, 1, 0, 0]]],
            [[0.5], [0.5]],
            {},
            r"boxes_list\[1\]\[0\]",
            id="bad-box",
        ),
    ],
)
def test_wbf_rejects_bad_input(
    boxes_list: list[object],
    scores_list: list[object],
    kwargs: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        weighted_box_fusion(boxes_list, scores_list, **kwargs)  # type: ignore[arg-type]
