"""Average precision for object detection, the VOC way and the COCO way.

The pieces are public so that each step can be shown on a card or checked in a
drill: :func:`match_detections` marks each detection a hit or a miss,
:func:`precision_recall` turns the marks into a curve, and :func:`voc_ap` or
:func:`coco_interpolated_ap` turn the curve into a number. :func:`coco_evaluate`
strings them together with COCO's rules (ten IoU thresholds, 101 recall points,
area ranges, crowd regions, a cap on detections per image) and agrees with the
official ``pycocotools`` evaluator.

Boxes are corner coordinates ``(x1, y1, x2, y2)`` everywhere, unlike COCO files,
which store ``(x, y, w, h)``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvcards.vision.boxes import (
    FloatArray,
    box_area,
    intersection_over_first,
    pairwise_iou,
    validate_boxes,
)

BoolArray = NDArray[np.bool_]
IndexArray = NDArray[np.intp]

COCO_IOU_THRESHOLDS: FloatArray = np.linspace(0.5, 0.95, 10)
"""The ten IoU thresholds COCO averages over: 0.50, 0.55, ..., 0.95."""
COCO_IOU_THRESHOLDS.flags.writeable = False

COCO_RECALL_POINTS: FloatArray = np.linspace(0.0, 1.0, 101)
"""The 101 recall levels at which COCO samples precision: 0, 0.01, ..., 1."""
COCO_RECALL_POINTS.flags.writeable = False

COCO_AREA_RANGES: dict[str, tuple[float, float]] = {
    "all": (0.0, 1e5**2),
    "small": (0.0, 32.0**2),
    "medium": (32.0**2, 96.0**2),
    "large": (96.0**2, 1e5**2),
}
"""Object area ranges in square pixels, both ends inclusive, as COCO uses them.

An object of exactly 32² or 96² pixels therefore counts in two ranges.
"""

# COCO caps the matching threshold just below 1, so that at threshold 1.0 boxes
# equal up to rounding error still match.
_MAX_MATCH_THRESHOLD = 1 - 1e-10


@dataclass(frozen=True)
class Detection:
    """One predicted box.

    Attributes:
        image_id: Image the box belongs to.
        category_id: Predicted class.
        box: Corners ``(x1, y1, x2, y2)``.
        score: Confidence; higher is more confident.
    """

    image_id: Hashable
    category_id: Hashable
    box: tuple[float, float, float, float]
    score: float


@dataclass(frozen=True)
class GroundTruth:
    """One annotated object.

    Attributes:
        image_id: Image the object belongs to.
        category_id: The object's class.
        box: Corners ``(x1, y1, x2, y2)``.
        area: Area used to place the object in COCO's small/medium/large ranges;
            the box area when omitted. (COCO annotations carry the segmentation
            area here, which is smaller than the box area.)
        iscrowd: A crowd region: detections inside it are neither hits nor
            misses, and any number of detections may match it.
    """

    image_id: Hashable
    category_id: Hashable
    box: tuple[float, float, float, float]
    area: float | None = None
    iscrowd: bool = False


def match_detections(
    det_boxes: ArrayLike,
    det_scores: ArrayLike,
    gt_boxes: ArrayLike,
    iou_threshold: float,
    *,
    gt_ignore: ArrayLike | None = None,
) -> BoolArray:
    """Mark each detection of one image and one class as a hit or a miss.

    Detections are taken from the highest score down (equal scores in index
    order). Each takes the still-unmatched ground truth box it overlaps most,
    provided the IoU is at least ``iou_threshold`` (COCO's convention; the VOC
    devkit asks for strictly more). On equal IoU the later ground truth wins, as
    in COCO's evaluator. A detection that finds nothing is a false positive,
    and so is a second detection of an already matched object.

    Ignored ground truths (VOC's "difficult" objects, COCO's out-of-range ones)
    are only matched by a detection that finds no regular box. Such a detection
    is neither a hit nor a miss, so it is left out of the result, which is then
    shorter than ``det_scores``; pass the number of regular boxes as ``num_gt``
    to :func:`precision_recall`.

    Args:
        det_boxes: ``(N, 4)`` detected boxes.
        det_scores: ``(N,)`` detection scores.
        gt_boxes: ``(M, 4)`` ground truth boxes.
        iou_threshold: Minimum IoU for a match, in ``[0, 1]``.
        gt_ignore: Optional ``(M,)`` booleans marking ignored ground truths.

    Returns:
        True-positive flags in descending score order.

    Raises:
        ValueError: On invalid boxes, mismatched lengths or a bad threshold.
    """
    detections = validate_boxes(det_boxes, name="det_boxes")
    scores = _validate_vector(det_scores, len(detections), "det_scores", "detection")
    truths = validate_boxes(gt_boxes, name="gt_boxes")
    ignored = _validate_flags(gt_ignore, len(truths), "gt_ignore")
    _check_unit_interval("iou_threshold", iou_threshold)

    order = np.argsort(-scores, kind="stable")
    ious = pairwise_iou(detections[order], truths)
    crowd = np.zeros(len(truths), dtype=np.bool_)
    matched = _greedy_match(ious, np.array([iou_threshold]), ignored, crowd)[0]

    hits = matched >= 0
    on_ignored = _on_ignored(matched, ignored)
    return np.asarray(hits[~on_ignored], dtype=np.bool_)


def precision_recall(
    tp_sorted: ArrayLike, num_gt: int
) -> tuple[FloatArray, FloatArray]:
    """Precision and recall after each detection, best score first.

    Args:
        tp_sorted: True-positive flags in descending score order, as returned
            by :func:`match_detections`.
        num_gt: Number of (non-ignored) ground truth objects; must be positive.

    Returns:
        ``(precision, recall)``, each of the same length as ``tp_sorted``. Entry
        ``k`` describes the top ``k + 1`` detections.

    Raises:
        ValueError: If ``num_gt`` is not a positive whole number, or there are
            more hits than objects.
    """
    flags = np.asarray(tp_sorted)
    if flags.ndim != 1:
        raise ValueError(f"tp_sorted must be one-dimensional, got shape {flags.shape}")
    if flags.dtype != np.bool_ and not np.isin(flags, (0, 1)).all():
        raise ValueError("tp_sorted must hold booleans (or 0/1), one per detection")
    hits = flags.astype(np.bool_)
    if float(num_gt) != int(num_gt):
        raise ValueError(
            f"num_gt must be a whole number of objects, got {num_gt}; count the "
            "non-ignored ground truth boxes"
        )
    if int(num_gt) <= 0:
        raise ValueError(
            f"num_gt must be positive, got {num_gt}; recall is undefined without "
            "ground truth, so leave such a class out of the mean"
        )
    if hits.sum() > num_gt:
        raise ValueError(
            f"tp_sorted has {int(hits.sum())} hits for only {num_gt} objects; "
            "each object can be matched once"
        )

    true_positives = np.cumsum(hits, dtype=np.float64)
    ranks = np.arange(1, len(hits) + 1, dtype=np.float64)
    return true_positives / ranks, true_positives / float(num_gt)


def voc_ap(recall: ArrayLike, precision: ArrayLike) -> float:
    """Area under the interpolated precision-recall curve (VOC 2010 onwards).

    Precision at each recall is replaced by the best precision at that recall
    or any higher one, which makes the curve a falling staircase; the AP is the
    area under the staircase, summed over every recall value the detections
    reach ("all-point" interpolation). The curve is taken to start at recall 0
    and to have zero precision beyond its last recall.

    Args:
        recall: Recall after each detection, non-decreasing, in ``[0, 1]``.
        precision: Precision after each detection, in ``[0, 1]``.

    Returns:
        The AP in ``[0, 1]``; 0.0 for an empty curve.

    Raises:
        ValueError: If the arrays differ in length, leave ``[0, 1]`` or recall
            decreases.
    """
    rec, prec = _validate_curve(recall, precision)

    padded_recall = np.concatenate([[0.0], rec, [1.0]])
    padded_precision = np.concatenate([[0.0], prec, [0.0]])
    envelope = np.maximum.accumulate(padded_precision[::-1])[::-1]
    steps = np.diff(padded_recall)
    return float(np.sum(steps * envelope[1:]))


def coco_interpolated_ap(recall: ArrayLike, precision: ArrayLike) -> float:
    """AP as COCO computes it: mean interpolated precision at 101 recall levels.

    Precision is first made non-increasing from the right (each point takes the
    best precision at its recall or beyond). Then, for each recall level
    ``r`` in 0, 0.01, ..., 1, the precision of the first point whose recall
    reaches ``r`` is read off, or 0 if no point does. The AP is the mean of the
    101 readings.

    Args:
        recall: Recall after each detection, non-decreasing, in ``[0, 1]``.
        precision: Precision after each detection, in ``[0, 1]``.

    Returns:
        The AP in ``[0, 1]``; 0.0 for an empty curve.

    Raises:
        ValueError: If the arrays differ in length, leave ``[0, 1]`` or recall
            decreases.
    """
    rec, prec = _validate_curve(recall, precision)

    envelope = np.maximum.accumulate(prec[::-1])[::-1]
    positions = np.searchsorted(rec, COCO_RECALL_POINTS, side="left")
    reached = positions < len(rec)
    readings = np.zeros(len(COCO_RECALL_POINTS))
    readings[reached] = envelope[positions[reached]]
    return float(readings.mean())


def coco_evaluate(
    detections: Sequence[Detection | Mapping[str, object]],
    ground_truths: Sequence[GroundTruth | Mapping[str, object]],
    *,
    iou_thresholds: ArrayLike = COCO_IOU_THRESHOLDS,
    max_dets: int = 100,
) -> dict[str, float]:
    """COCO box AP: AP, AP50, AP75 and AP for small, medium and large objects.

    Per image and class, only the ``max_dets`` best detections count, and each
    is matched with :func:`match_detections`'s greedy rule at every IoU
    threshold. Crowd regions and objects outside the area range being scored
    are ignored: detections that match them count neither way, and so do
    unmatched detections whose own box area is outside the range. Each class's
    AP is :func:`coco_interpolated_ap` of its precision-recall curve over all
    images; a class with no ground truth to find is left out. The results are
    the mean over classes and thresholds.

    Args:
        detections: :class:`Detection` objects, or mappings with the keys
            ``image_id``, ``category_id``, ``box`` (corners) and ``score``.
        ground_truths: :class:`GroundTruth` objects, or mappings with the keys
            ``image_id``, ``category_id``, ``box`` (corners) and optionally
            ``area`` and ``iscrowd``.
        iou_thresholds: IoU thresholds to average over; COCO's ten by default.
        max_dets: Detections kept per image and class, highest scores first.

    Returns:
        A dict with keys ``AP`` (mean over all thresholds), ``AP50``, ``AP75``
        (single thresholds) and ``AP_small``, ``AP_medium``, ``AP_large``
        (all thresholds, objects in that area range). A value is -1.0 when it is
        undefined: no class has an object to find in that range, or the
        threshold is not among ``iou_thresholds``.

    Raises:
        ValueError: On a malformed detection or ground truth, bad thresholds or
            a non-positive ``max_dets``.
    """
    thresholds = _validate_thresholds(iou_thresholds)
    if int(max_dets) < 1:
        raise ValueError(f"max_dets must be a positive integer, got {max_dets}")
    dets = [_read_detection(item, index) for index, item in enumerate(detections)]
    gts = [_read_ground_truth(item, index) for index, item in enumerate(ground_truths)]
    groups = _group(dets, gts)
    categories = _sorted_ids({key[1] for key in groups})

    # per_range[range] holds one row of per-threshold APs per defined class.
    per_range: dict[str, list[FloatArray]] = {name: [] for name in COCO_AREA_RANGES}
    for category in categories:
        prepared = _prepare(groups, category, int(max_dets))
        for name, area_range in COCO_AREA_RANGES.items():
            curves = _category_curves(prepared, thresholds, area_range)
            if curves is not None:
                per_range[name].append(
                    np.array([coco_interpolated_ap(r, p) for p, r in curves])
                )

    def mean_ap(name: str, threshold: float | None = None) -> float:
        rows = per_range[name]
        if not rows:
            return -1.0
        table = np.stack(rows)
        if threshold is not None:
            columns = np.flatnonzero(np.isclose(thresholds, threshold, atol=1e-12))
            if columns.size == 0:
                return -1.0
            table = table[:, columns]
        return float(table.mean())

    return {
        "AP": mean_ap("all"),
        "AP50": mean_ap("all", 0.5),
        "AP75": mean_ap("all", 0.75),
        "AP_small": mean_ap("small"),
        "AP_medium": mean_ap("medium"),
        "AP_large": mean_ap("large"),
    }


def pr_curve(
    detections: Sequence[Detection | Mapping[str, object]],
    ground_truths: Sequence[GroundTruth | Mapping[str, object]],
    category_id: Hashable,
    iou_threshold: float,
    *,
    max_dets: int = 100,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The raw precision-recall curve of one class over all images, for plots.

    Matching follows :func:`coco_evaluate` at a single threshold over objects of
    every size. Detections that match a crowd region are left out. The curve is
    not interpolated; pass it to :func:`voc_ap` or :func:`coco_interpolated_ap`
    for a number.

    Args:
        detections: As for :func:`coco_evaluate`.
        ground_truths: As for :func:`coco_evaluate`.
        category_id: The class to plot.
        iou_threshold: Minimum IoU for a match, in ``[0, 1]``.
        max_dets: Detections kept per image, highest scores first.

    Returns:
        ``(precision, recall, scores)``, one entry per counted detection, in
        descending score order: the score is the confidence threshold at which
        that point of the curve is reached.

    Raises:
        ValueError: On malformed input, or when the class has no non-crowd
            ground truth (recall would be undefined).
    """
    thresholds = _validate_thresholds([iou_threshold])
    dets = [_read_detection(item, index) for index, item in enumerate(detections)]
    gts = [_read_ground_truth(item, index) for index, item in enumerate(ground_truths)]
    groups = _group(dets, gts)

    prepared = _prepare(groups, category_id, int(max_dets))
    matched = _category_matches(prepared, thresholds, COCO_AREA_RANGES["all"])
    if matched is None:
        raise ValueError(
            f"category {category_id!r} has no ground truth to find; "
            "a precision-recall curve needs at least one non-crowd object"
        )
    scores, hits, counted, num_gt = matched
    order = np.argsort(-scores[counted[0]], kind="stable")
    precision, recall = precision_recall(hits[0][counted[0]][order], num_gt)
    return precision, recall, scores[counted[0]][order]


@dataclass(frozen=True)
class _Box:
    """A detection or ground truth after validation."""

    image_id: Hashable
    category_id: Hashable
    box: FloatArray
    score: float
    area: float
    iscrowd: bool


@dataclass
class _Group:
    """Everything of one image and one class."""

    detections: list[_Box]
    truths: list[_Box]


def _greedy_match(
    ious: FloatArray,
    thresholds: FloatArray,
    gt_ignored: BoolArray,
    gt_crowd: BoolArray,
) -> IndexArray:
    """Match detections (rows, best first) to ground truths (columns).

    Every threshold is matched independently but in the same pass over the
    detections. Returns a ``(T, D)`` array holding, per threshold and
    detection, the index of the matched ground truth or -1. A regular box is
    preferred to an ignored one; crowd boxes may be matched repeatedly.
    """
    limits = np.minimum(thresholds, _MAX_MATCH_THRESHOLD)[:, None]
    num_dets, num_gts = ious.shape
    matched = np.full((len(thresholds), num_dets), -1, dtype=np.intp)
    taken = np.zeros((len(thresholds), num_gts), dtype=np.bool_)
    if num_gts == 0:
        return matched
    for row in range(num_dets):
        candidates = (~taken | gt_crowd) & (ious[row] >= limits)
        regular = candidates & ~gt_ignored
        pool = np.where(regular.any(axis=1, keepdims=True), regular, candidates)
        found = np.flatnonzero(pool.any(axis=1))
        if found.size == 0:
            continue

        # Argmax over reversed columns picks the last of equal best IoUs, as
        # COCO's evaluator does; -1 keeps boxes outside the pool from winning.
        scores = np.where(pool[found], ious[row], -1.0)
        best = num_gts - 1 - np.argmax(scores[:, ::-1], axis=1)
        matched[found, row] = best
        taken[found, best] = True
    return matched


def _on_ignored(matched: IndexArray, gt_ignored: BoolArray) -> BoolArray:
    """Flags of the detections whose match is an ignored ground truth."""
    flags = np.zeros(matched.shape, dtype=np.bool_)
    found = matched >= 0
    flags[found] = gt_ignored[matched[found]]
    return flags


@dataclass(frozen=True)
class _Image:
    """One image's kept detections and ground truths of one class, ready to match.

    Detections are best first; ``ious`` is ``(D, G)``, with crowd columns
    holding intersection over the detection's area.
    """

    scores: FloatArray
    det_area: FloatArray
    gt_area: FloatArray
    crowd: BoolArray
    ious: FloatArray


def _prepare(
    groups: dict[tuple[Hashable, Hashable], _Group],
    category: Hashable,
    max_dets: int,
) -> list[_Image]:
    """The images holding anything of one class, in sorted image order."""
    images = _sorted_ids({key[0] for key in groups if key[1] == category})
    prepared = []
    for image in images:
        group = groups[(image, category)]
        # sorted() is stable, so equal scores keep their input order, as in COCO.
        dets = sorted(group.detections, key=lambda d: -d.score)[:max_dets]
        det_boxes = np.array([d.box for d in dets]).reshape(-1, 4)
        gt_boxes = np.array([g.box for g in group.truths]).reshape(-1, 4)
        crowd = np.array([g.iscrowd for g in group.truths], dtype=np.bool_)

        # A crowd region is scored by how much of the detection lies inside it.
        ious = pairwise_iou(det_boxes, gt_boxes)
        ious[:, crowd] = intersection_over_first(det_boxes, gt_boxes[crowd])
        prepared.append(
            _Image(
                scores=np.array([d.score for d in dets], dtype=np.float64),
                det_area=np.array([d.area for d in dets], dtype=np.float64),
                gt_area=np.array([g.area for g in group.truths], dtype=np.float64),
                crowd=crowd,
                ious=ious,
            )
        )
    return prepared


def _category_matches(
    prepared: list[_Image],
    thresholds: FloatArray,
    area_range: tuple[float, float],
) -> tuple[FloatArray, BoolArray, BoolArray, int] | None:
    """Match one class in every image at every threshold.

    Returns the scores ``(D,)``, hit flags ``(T, D)`` and counted flags
    ``(T, D)`` of all kept detections (images in sorted order, each image's
    detections best first), and the number of objects to find; None when there
    is no object to find.
    """
    low, high = area_range
    all_hits: list[BoolArray] = []
    all_counted: list[BoolArray] = []
    num_gt = 0
    for image in prepared:
        ignored = image.crowd | (image.gt_area < low) | (image.gt_area > high)
        det_outside = (image.det_area < low) | (image.det_area > high)
        num_gt += int((~ignored).sum())

        matched = _greedy_match(image.ious, thresholds, ignored, image.crowd)
        found = matched >= 0
        on_ignored = _on_ignored(matched, ignored)
        all_hits.append(found & ~on_ignored)
        # An unmatched detection of an out-of-range size is not held against
        # the model: it may be a fine detection of an object not scored here.
        all_counted.append(~on_ignored & ~(~found & det_outside))

    if num_gt == 0:
        return None
    return (
        np.concatenate([image.scores for image in prepared]),
        np.concatenate(all_hits, axis=1),
        np.concatenate(all_counted, axis=1),
        num_gt,
    )


def _category_curves(
    prepared: list[_Image],
    thresholds: FloatArray,
    area_range: tuple[float, float],
) -> list[tuple[FloatArray, FloatArray]] | None:
    """Precision-recall curves of one class, one per threshold, or None."""
    matched = _category_matches(prepared, thresholds, area_range)
    if matched is None:
        return None

    scores, hits, counted, num_gt = matched
    order = np.argsort(-scores, kind="stable")
    curves = []
    for t in range(len(thresholds)):
        keep = counted[t][order]
        curves.append(precision_recall(hits[t][order][keep], num_gt))
    return curves


def _group(
    dets: list[_Box], gts: list[_Box]
) -> dict[tuple[Hashable, Hashable], _Group]:
    """Collect detections and ground truths by (image, class), keeping input order."""
    groups: dict[tuple[Hashable, Hashable], _Group] = {}
    for det in dets:
        key = (det.image_id, det.category_id)
        groups.setdefault(key, _Group([], [])).detections.append(det)
    for gt in gts:
        key = (gt.image_id, gt.category_id)
        groups.setdefault(key, _Group([], [])).truths.append(gt)
    return groups


def _sorted_ids(ids: set[Hashable]) -> list[Hashable]:
    """Sort ids the way COCO does (numerically for numbers), tolerating mixtures."""
    return sorted(ids, key=lambda value: (type(value).__name__, value))


def _field(item: object, key: str, where: str) -> object:
    """Read ``key`` from a mapping or an attribute of a dataclass."""
    if isinstance(item, Mapping):
        if key in item:
            return item[key]
        if key == "box" and "bbox" in item:
            raise ValueError(
                f"{where} has 'bbox' but no 'box'; give corners (x1, y1, x2, y2) as "
                "'box' (convert COCO's (x, y, w, h) with xywh_to_xyxy)"
            )
    elif hasattr(item, key):
        return getattr(item, key)
    raise ValueError(f"{where} has no {key!r}")


def _read_detection(item: object, index: int) -> _Box:
    """Validate one detection."""
    where = f"detections[{index}]"
    box = validate_boxes(_field(item, "box", where), name=f"{where}.box")  # type: ignore[arg-type]
    if box.shape[0] != 1:
        raise ValueError(f"{where}.box must be one box, got {box.shape[0]}")
    score = _number(_field(item, "score", where), f"{where}.score")
    return _Box(
        image_id=_hashable(_field(item, "image_id", where), f"{where}.image_id"),
        category_id=_hashable(
            _field(item, "category_id", where), f"{where}.category_id"
        ),
        box=box[0],
        score=score,
        area=float(box_area(box)[0]),
        iscrowd=False,
    )


def _read_ground_truth(item: object, index: int) -> _Box:
    """Validate one ground truth object."""
    where = f"ground_truths[{index}]"
    box = validate_boxes(_field(item, "box", where), name=f"{where}.box")  # type: ignore[arg-type]
    if box.shape[0] != 1:
        raise ValueError(f"{where}.box must be one box, got {box.shape[0]}")
    area = _optional_field(item, "area")
    iscrowd = _optional_field(item, "iscrowd")
    if area is None:
        area_value = float(box_area(box)[0])
    else:
        area_value = _number(area, f"{where}.area")
        if area_value < 0:
            raise ValueError(f"{where}.area = {area_value} is negative")
    if iscrowd not in (None, True, False, 0, 1):
        raise ValueError(f"{where}.iscrowd must be true/false or 0/1, got {iscrowd!r}")
    return _Box(
        image_id=_hashable(_field(item, "image_id", where), f"{where}.image_id"),
        category_id=_hashable(
            _field(item, "category_id", where), f"{where}.category_id"
        ),
        box=box[0],
        score=0.0,
        area=area_value,
        iscrowd=bool(iscrowd),
    )


def _optional_field(item: object, key: str) -> object:
    """Read an optional field, None when absent."""
    if isinstance(item, Mapping):
        return item.get(key)
    return getattr(item, key, None)


def _number(value: object, where: str) -> float:
    """A finite float, or ValueError naming ``where``."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where} must be a number, got {value!r}") from exc
    if not np.isfinite(number):
        raise ValueError(f"{where} must be finite, got {number}")
    return number


def _hashable(value: object, where: str) -> Hashable:
    """An id usable as a dictionary key, or ValueError naming ``where``."""
    if not isinstance(value, Hashable):
        raise ValueError(f"{where} must be an int or a string, got {value!r}")
    return value


def _validate_vector(values: ArrayLike, count: int, name: str, unit: str) -> FloatArray:
    """A finite float vector of length ``count``."""
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.shape[0] != count:
        raise ValueError(
            f"{name} has {array.shape[0]} values for {count} boxes; give one per {unit}"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite numbers")
    return array


def _validate_flags(values: ArrayLike | None, count: int, name: str) -> BoolArray:
    """Boolean flags of length ``count``; all False when omitted."""
    if values is None:
        return np.zeros(count, dtype=np.bool_)
    array = np.asarray(values).reshape(-1)
    if array.shape[0] != count:
        raise ValueError(
            f"{name} has {array.shape[0]} values for {count} ground truth boxes; "
            "give one flag per box"
        )
    if array.dtype != np.bool_ and not np.isin(array, (0, 1)).all():
        raise ValueError(f"{name} must hold booleans (or 0/1)")
    return array.astype(np.bool_)


def _validate_curve(
    recall: ArrayLike, precision: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Check a precision-recall curve; return float64 copies."""
    rec = np.asarray(recall, dtype=np.float64).reshape(-1)
    prec = np.asarray(precision, dtype=np.float64).reshape(-1)
    if rec.shape != prec.shape:
        raise ValueError(
            f"recall has {rec.size} points but precision has {prec.size}; "
            "give one of each per detection"
        )
    for name, values in (("recall", rec), ("precision", prec)):
        if not ((values >= 0) & (values <= 1)).all():
            raise ValueError(f"{name} values must lie in [0, 1]")
    if (np.diff(rec) < 0).any():
        raise ValueError(
            "recall must not decrease; sort the detections by descending score "
            "before computing the curve"
        )
    return rec, prec


def _validate_thresholds(values: ArrayLike) -> FloatArray:
    """IoU thresholds as a non-empty float vector in [0, 1]."""
    thresholds = np.asarray(values, dtype=np.float64).reshape(-1)
    if thresholds.size == 0:
        raise ValueError("iou_thresholds must hold one or more thresholds")
    if not ((thresholds >= 0) & (thresholds <= 1)).all():
        raise ValueError(
            f"IoU thresholds must lie in [0, 1], got {thresholds.tolist()}"
        )
    return thresholds


def _check_unit_interval(name: str, value: float) -> None:
    """Raise ValueError unless ``value`` is a number in ``[0, 1]``."""
    if not (np.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be in [0, 1], got {value}")
