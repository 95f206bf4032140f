"""Non-maximum suppression and its softer relatives, for one class of boxes.

Greedy NMS keeps the best-scoring box and deletes its close neighbours; Soft-NMS
lowers the neighbours' scores instead of deleting them; weighted box fusion (WBF)
averages overlapping predictions from several models into one box. All three
work on a single class: run them per class for multi-class detections.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvcards.vision.boxes import FloatArray, pairwise_iou, validate_boxes

IndexArray = NDArray[np.intp]


def nms(boxes: ArrayLike, scores: ArrayLike, iou_threshold: float = 0.5) -> IndexArray:
    """Greedy non-maximum suppression.

    Boxes are visited from the highest score down; equal scores are visited in
    index order, so the result is deterministic. A visited box is kept unless a
    box kept before it overlaps it with IoU strictly greater than
    ``iou_threshold``.

    Args:
        boxes: ``(N, 4)`` boxes ``(x1, y1, x2, y2)``.
        scores: ``(N,)`` finite confidence scores.
        iou_threshold: Overlap above which the lower-scoring box is suppressed,
            in ``[0, 1]``.

    Returns:
        Indices of the kept boxes, highest score first.

    Raises:
        ValueError: On invalid boxes, mismatched or non-finite scores, or a
            threshold outside ``[0, 1]``.
    """
    array = validate_boxes(boxes)
    values = _validate_scores(scores, len(array))
    _check_unit_interval("iou_threshold", iou_threshold)

    order = np.argsort(-values, kind="stable")
    kept: list[int] = []
    while order.size:
        best = int(order[0])
        kept.append(best)
        rest = order[1:]
        overlaps = pairwise_iou(array[best], array[rest])[0]
        order = rest[overlaps <= iou_threshold]
    return np.array(kept, dtype=np.intp)


def soft_nms(
    boxes: ArrayLike,
    scores: ArrayLike,
    *,
    iou_threshold: float = 0.3,
    sigma: float = 0.5,
    method: Literal["linear", "gaussian"] = "linear",
    score_threshold: float = 0.001,
) -> tuple[IndexArray, FloatArray]:
    """Soft-NMS: decay the scores of overlapping boxes instead of deleting them.

    At each step the box with the highest current score (lowest index on ties)
    is selected, and every box not yet selected has its score multiplied by a
    decay that depends on its IoU with the selected box:

    - ``"linear"``: ``1 - IoU`` when IoU exceeds ``iou_threshold``, else 1.
    - ``"gaussian"``: ``exp(-IoU**2 / sigma)`` for every box; ``iou_threshold``
      plays no part.

    A box whose current score falls below ``score_threshold`` (including one
    that starts below it) is discarded and never selected.

    Args:
        boxes: ``(N, 4)`` boxes ``(x1, y1, x2, y2)``.
        scores: ``(N,)`` finite, non-negative scores.
        iou_threshold: Overlap above which the linear decay applies, in ``[0, 1]``.
        sigma: Width of the Gaussian decay; must be positive.
        method: ``"linear"`` or ``"gaussian"``.
        score_threshold: Scores below this are dropped; must be non-negative.

    Returns:
        The selected indices in the order they were selected, and their scores at
        the moment of selection (the decayed scores).

    Raises:
        ValueError: On invalid boxes or scores, or an out-of-range parameter.
    """
    array = validate_boxes(boxes)
    current = _validate_scores(scores, len(array), non_negative=True)
    _check_unit_interval("iou_threshold", iou_threshold)
    if method not in ("linear", "gaussian"):
        raise ValueError(f"method must be 'linear' or 'gaussian', got {method!r}")
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be a positive number, got {sigma}")
    if not (np.isfinite(score_threshold) and score_threshold >= 0):
        raise ValueError(
            f"score_threshold must be a non-negative number, got {score_threshold}"
        )

    # ``alive`` stays in index order, so argmax picks the lowest index on ties.
    alive = np.flatnonzero(current >= score_threshold)
    kept: list[int] = []
    kept_scores: list[float] = []
    while alive.size:
        position = int(np.argmax(current[alive]))
        best = int(alive[position])
        kept.append(best)
        kept_scores.append(float(current[best]))
        alive = np.delete(alive, position)

        overlaps = pairwise_iou(array[best], array[alive])[0]
        if method == "linear":
            decay = np.where(overlaps > iou_threshold, 1.0 - overlaps, 1.0)
        else:
            decay = np.exp(-(overlaps**2) / sigma)
        current[alive] *= decay
        alive = alive[current[alive] >= score_threshold]
    return np.array(kept, dtype=np.intp), np.array(kept_scores, dtype=np.float64)


def weighted_box_fusion(
    boxes_list: Sequence[ArrayLike],
    scores_list: Sequence[ArrayLike],
    *,
    weights: Sequence[float] | None = None,
    iou_threshold: float = 0.55,
    skip_threshold: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Fuse one class's boxes predicted by several models (weighted box fusion).

    The rule, as published for WBF with averaged confidences:

    1. Drop every prediction whose raw score is below ``skip_threshold``; the
       others get their score multiplied by their model's weight.
    2. Visit all predictions of all models by weighted score, highest first
       (equal scores: earlier model, then earlier index).
    3. Each prediction joins the cluster whose *current fused box* it overlaps
       most, provided that IoU is strictly above ``iou_threshold``; otherwise it
       starts a new cluster. After each join the cluster's fused box is
       recomputed, so later predictions are matched against the updated average.
    4. A fused box's corners are the average of its members' corners, each
       member weighted by its score (a plain average if all scores are zero).
    5. A fused score is the mean of its members' scores, multiplied by
       ``min(members, models) / sum(weights)``. With unit weights that is
       ``min(members, models) / models``: a box that only some models found is
       trusted less, and several boxes from one model cannot lift a score above
       what agreement between models would give.

    Boxes may be in any coordinate frame (pixels or normalised); nothing is
    clipped.

    Args:
        boxes_list: One ``(N_i, 4)`` array of boxes per model.
        scores_list: One ``(N_i,)`` array of non-negative scores per model.
        weights: One positive weight per model; all ones when omitted.
        iou_threshold: Overlap with a fused box needed to join its cluster.
        skip_threshold: Predictions scoring below this are ignored.

    Returns:
        Fused boxes ``(K, 4)`` and fused scores ``(K,)``, highest score first.

    Raises:
        ValueError: If the lists disagree in length, a model's boxes and scores
            disagree, or a weight or threshold is out of range.
    """
    if len(boxes_list) != len(scores_list):
        raise ValueError(
            f"boxes_list has {len(boxes_list)} models but scores_list has "
            f"{len(scores_list)}; give one scores array per boxes array"
        )
    if not boxes_list:
        raise ValueError(
            "weighted_box_fusion needs the predictions of one or more models"
        )
    model_weights = _validate_weights(weights, len(boxes_list))
    _check_unit_interval("iou_threshold", iou_threshold)

    # Pool the predictions of every model, keeping the weighted scores.
    pooled_boxes: list[FloatArray] = []
    pooled_scores: list[FloatArray] = []
    for model, (boxes, scores) in enumerate(zip(boxes_list, scores_list, strict=True)):
        array = validate_boxes(boxes, name=f"boxes_list[{model}]")
        values = _validate_scores(
            scores, len(array), name=f"scores_list[{model}]", non_negative=True
        )
        keep = values >= skip_threshold
        pooled_boxes.append(array[keep])
        pooled_scores.append(values[keep] * model_weights[model])
    all_boxes = np.concatenate(pooled_boxes)
    all_scores = np.concatenate(pooled_scores)
    if all_boxes.shape[0] == 0:
        return np.zeros((0, 4), dtype=np.float64), np.zeros(0, dtype=np.float64)

    # Cluster greedily against the running fused boxes.
    members: list[list[int]] = []
    fused = np.zeros((0, 4), dtype=np.float64)
    for index in np.argsort(-all_scores, kind="stable"):
        overlaps = pairwise_iou(all_boxes[index], fused)[0]
        if overlaps.size and overlaps.max() > iou_threshold:
            cluster = int(np.argmax(overlaps))
            members[cluster].append(int(index))
            fused[cluster] = _fuse(
                all_boxes[members[cluster]], all_scores[members[cluster]]
            )
        else:
            members.append([int(index)])
            fused = np.vstack([fused, all_boxes[index]])

    # Rescale each cluster's mean score by how many models could have voted.
    num_models = len(boxes_list)
    sizes = np.array([len(cluster) for cluster in members], dtype=np.float64)
    means = np.array([all_scores[cluster].mean() for cluster in members])
    fused_scores = means * np.minimum(sizes, num_models) / model_weights.sum()

    order = np.argsort(-fused_scores, kind="stable")
    return fused[order], fused_scores[order]


def _fuse(boxes: FloatArray, scores: FloatArray) -> FloatArray:
    """Score-weighted average of boxes; a plain average when all scores are 0."""
    total = scores.sum()
    if total > 0:
        return np.asarray((scores[:, None] * boxes).sum(axis=0) / total)
    return np.asarray(boxes.mean(axis=0))


def _validate_scores(
    scores: ArrayLike,
    count: int,
    *,
    name: str = "scores",
    non_negative: bool = False,
) -> FloatArray:
    """Return scores as a float64 copy of shape ``(count,)`` or raise ValueError."""
    try:
        values = np.array(scores, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers ({exc})") from exc
    if values.shape[0] != count:
        raise ValueError(
            f"{name} has {values.shape[0]} values for {count} boxes; "
            "give exactly one score per box"
        )
    if not np.isfinite(values).all():
        index = int(np.argmax(~np.isfinite(values)))
        raise ValueError(f"{name}[{index}] = {values[index]} is not finite")
    if non_negative and (values < 0).any():
        index = int(np.argmax(values < 0))
        raise ValueError(f"{name}[{index}] = {values[index]} is negative")
    return values


def _validate_weights(weights: Sequence[float] | None, num_models: int) -> FloatArray:
    """Return model weights as float64, all ones when omitted."""
    if weights is None:
        return np.ones(num_models, dtype=np.float64)
    values = np.array(weights, dtype=np.float64).reshape(-1)
    if values.shape[0] != num_models:
        raise ValueError(
            f"weights has {values.shape[0]} values for {num_models} models; "
            "give one weight per model"
        )
    if not (np.isfinite(values).all() and (values > 0).all()):
        raise ValueError(f"weights must be positive numbers, got {values.tolist()}")
    return values


def _check_unit_interval(name: str, value: float) -> None:
    """Raise ValueError unless ``value`` is a number in ``[0, 1]``."""
    if not (np.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be in [0, 1], got {value}")
