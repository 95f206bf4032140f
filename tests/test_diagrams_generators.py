"""Each generator draws a valid SVG that prints the numbers vision computes.

Every figure is rendered once per module; the expected strings are computed
here with ``cvcards.vision`` and looked for among the SVG's text elements.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from typing import Any

import numpy as np
import pytest

from cvcards.diagrams.generators import (
    confusion_matrix,
    focal_loss,
    nms_vs_soft_nms,
    pr_curves,
    reliability_diagram,
    tracking_association,
)
from cvcards.diagrams.registry import GENERATORS, resolve
from cvcards.diagrams.render import render
from cvcards.vision import ap, augment, boxes, calibration, losses, nms, segmentation

SVG = "{http://www.w3.org/2000/svg}"
SPECS: dict[str, tuple[str, dict[str, object]]] = {
    **{name: (name, {}) for name in GENERATORS},
    "iou_apart": ("iou_overlap", {"box_a": [0, 0, 10, 10], "box_b": [20, 20, 30, 30]}),
    "focal_alpha": ("focal_loss", {"gammas": [0, 2], "alpha": 0.25}),
    "pr_three": ("pr_curves", {"seed": 3, "thresholds": [0.5, 0.6, 0.9]}),
    "fpn_six": ("fpn_topology", {"levels": [2, 3, 4, 5, 6, 7]}),
    "bytetrack_strict": (
        "tracking_association",
        {"high_threshold": 0.85, "low_threshold": 0.3},
    ),
    "coco_perfect": (
        "coco_iou_thresholds",
        {"gt": [0, 0, 50, 50], "pred": [0, 0, 50, 50]},
    ),
}


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Render every spec once; return each SVG's text elements, in order."""
    out_dir = tmp_path_factory.mktemp("generators")
    results = render(list(SPECS.values()), out_dir)

    found = {}
    for key, result in zip(SPECS, results, strict=True):
        root = ElementTree.parse(result.path).getroot()
        assert root.tag == f"{SVG}svg"
        found[key] = ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]
    return found


def params(key: str) -> dict[str, Any]:
    """The full parameters the figure of ``key`` was drawn with."""
    return resolve(*SPECS[key])


@pytest.mark.parametrize("key", sorted(SPECS), ids=sorted(SPECS))
def test_every_figure_is_svg_with_real_text(
    texts: dict[str, list[str]], key: str
) -> None:
    assert len(texts[key]) >= 5, "labels must be SVG text, not paths"


@pytest.mark.parametrize("key", ["iou_overlap", "iou_apart"], ids=["overlap", "apart"])
def test_iou_overlap_prints_the_iou(texts: dict[str, list[str]], key: str) -> None:
    spec = params(key)
    iou = boxes.box_iou(spec["box_a"], spec["box_b"])
    area_a, area_b = boxes.box_area([spec["box_a"], spec["box_b"]])

    assert f"IoU = {iou:.3f}" in texts[key]
    assert f"{area_a:g}" in texts[key]
    assert f"{area_b:g}" in texts[key]


@pytest.mark.parametrize("key", ["pr_curves", "pr_three"], ids=["default", "three"])
def test_pr_curves_legend_gives_each_ap(texts: dict[str, list[str]], key: str) -> None:
    spec = params(key)
    detections, truths = pr_curves.synthetic_detections(spec["seed"])

    aps = []
    for threshold in spec["thresholds"]:
        precision, recall, _ = ap.pr_curve(detections, truths, 0, threshold)
        aps.append(ap.coco_interpolated_ap(recall, precision))
        assert pr_curves.ap_label(threshold, aps[-1]) in texts[key]
    assert aps == sorted(aps, reverse=True), "stricter matching lowers AP"


@pytest.mark.parametrize("seed", [0, 1, 7], ids=["seed-0", "seed-1", "seed-7"])
def test_synthetic_detector_loses_ap_at_075(seed: int) -> None:
    detections, truths = pr_curves.synthetic_detections(seed)

    ap50, ap75 = (
        ap.coco_interpolated_ap(*ap.pr_curve(detections, truths, 0, t)[1::-1])
        for t in (0.5, 0.75)
    )

    assert ap75 < ap50 - 0.05


def coco_readings(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Read a "pre" step plot at COCO's 101 recall levels (0 past its end)."""
    index = np.searchsorted(x, ap.COCO_RECALL_POINTS, side="left")
    inside = index < len(x)
    return np.where(inside, y[np.minimum(index, len(x) - 1)], 0.0)


@pytest.mark.parametrize(
    ("seed", "threshold"),
    [(0, 0.5), (0, 0.75), (7, 0.5), (7, 0.75), (3, 0.9)],
    ids=["seed-0-at-0.5", "seed-0-at-0.75", "seed-7-at-0.5", "seed-7-at-0.75", "0.9"],
)
def test_shaded_curve_is_the_one_ap_averages(seed: int, threshold: float) -> None:
    detections, truths = pr_curves.synthetic_detections(seed)
    precision, recall, _ = ap.pr_curve(detections, truths, 0, threshold)

    x, y = pr_curves.interpolated_curve(recall, precision)

    # Its mean height at the 101 levels is the AP printed in the legend ...
    assert coco_readings(x, y).mean() == pytest.approx(
        ap.coco_interpolated_ap(recall, precision), abs=1e-12
    )
    # ... it starts at recall 0, and ends by dropping to 0 at the last recall
    # reached, never to the precision of the trailing false positives.
    assert (x[0], y[-1]) == (0.0, 0.0)
    assert x[-1] == x[-2] == recall[-1]
    assert y[-2] == precision[recall == recall[-1]].max()


@pytest.mark.parametrize(
    ("flags", "num_gt"),
    [([False, False, True], 2), ([True, True], 2), ([False], 1)],
    ids=["false-positives-first", "perfect", "no-hit"],
)
def test_interpolated_curve_edge_cases(flags: list[bool], num_gt: int) -> None:
    precision, recall = ap.precision_recall(flags, num_gt)

    x, y = pr_curves.interpolated_curve(recall, precision)

    assert coco_readings(x, y).mean() == pytest.approx(
        ap.coco_interpolated_ap(recall, precision), abs=1e-12
    )


@pytest.mark.parametrize("key", ["fpn_topology", "fpn_six"], ids=["default", "six"])
def test_fpn_labels_each_level_with_its_stride(
    texts: dict[str, list[str]], key: str
) -> None:
    levels = params(key)["levels"]

    for level in levels:
        assert f"P{level}" in texts[key]
        assert f"stride {2**level}" in texts[key]
        assert f"C{level}  (1/{2**level})" in texts[key]
    assert texts[key].count("1×1 conv") == len(levels)
    assert texts[key].count("3×3 conv") == len(levels)
    assert texts[key].count("2× upsample") == len(levels) - 1
    # The coarsest level has nothing above it to add.
    assert texts[key].count("+") == len(levels) - 1


def test_nms_panel_shows_soft_nms_scores(texts: dict[str, list[str]]) -> None:
    spec = params("nms_vs_soft_nms")
    scene = [list(box) for box, *_ in nms_vs_soft_nms.SCENE]
    scores = [score for _, score, *_ in nms_vs_soft_nms.SCENE]
    kept = nms.nms(scene, scores, iou_threshold=spec["iou_threshold"])
    _, decayed = nms.soft_nms(
        scene,
        scores,
        sigma=spec["sigma"],
        method="gaussian",
        score_threshold=nms_vs_soft_nms.SCORE_FLOOR,
    )
    shown = texts["nms_vs_soft_nms"]

    assert (
        f"IoU > {spec['iou_threshold']:g}: {len(scores) - len(kept)} removed" in shown
    )
    assert len(kept) < len(scores), "the default scene must lose a box to NMS"
    for score in decayed:
        assert f"{score:.2f}" in shown


@pytest.mark.parametrize("key", ["focal_loss", "focal_alpha"], ids=["default", "alpha"])
def test_focal_loss_legend_gives_loss_at_easy_example(
    texts: dict[str, list[str]], key: str
) -> None:
    spec = params(key)

    alpha = spec["alpha"]

    for gamma in spec["gammas"]:
        value = float(losses.focal_loss(0.9, gamma=gamma, alpha=alpha))
        assert focal_loss.legend_label(gamma, value, alpha) in texts[key]
    ce = float(losses.cross_entropy(0.9))
    if alpha is None:
        assert f"γ = 0 (cross-entropy): {ce:.3g}" in texts[key]
    else:
        # Scaled by alpha, the gamma = 0 curve is no longer plain cross-entropy.
        assert not any("(cross-entropy)" in text for text in texts[key])
        assert f"γ = 0 (α-balanced CE): {alpha * ce:.3g}" in texts[key]


def test_reliability_diagram_prints_ece_and_temperature(
    texts: dict[str, list[str]],
) -> None:
    spec = params("reliability_diagram")
    logits, labels = reliability_diagram.synthetic_logits(spec["seed"])
    half = len(labels) // 2
    temperature = calibration.fit_temperature(logits[:half], labels[:half])

    eces = []
    for scale in (1.0, temperature):
        probabilities = calibration.softmax(logits[half:] / scale)
        correct = probabilities.argmax(axis=1) == labels[half:]
        eces.append(
            calibration.expected_calibration_error(
                probabilities.max(axis=1), correct, spec["bins"]
            )
        )
        assert f"ECE = {eces[-1]:.3f}" in texts["reliability_diagram"]
    assert f"after: T = {temperature:.2f}" in texts["reliability_diagram"]
    assert temperature > 1.5, "the synthetic classifier is overconfident"
    assert eces[1] < eces[0] / 3


def test_confusion_matrix_prints_class_iou_and_miou(
    texts: dict[str, list[str]],
) -> None:
    spec = params("confusion_matrix")
    classes = spec["classes"]
    pred, gt = confusion_matrix.synthetic_labels(len(classes), spec["seed"])
    cm = segmentation.confusion_matrix(pred, gt, len(classes))
    shown = texts["confusion_matrix"]

    assert f"mIoU = {segmentation.mean_iou(pred, gt, len(classes)):.3f}" in shown
    for iou in segmentation.per_class_iou(cm):
        assert f"{iou:.3f}" in shown
    for name in classes:
        assert name in shown
    assert str(cm[0, 0]) in shown


def test_detector_pipelines_names_every_stage(texts: dict[str, list[str]]) -> None:
    shown = texts["detector_pipelines"]

    for stage in ("backbone", "NMS", "RPN", "RoI Align", "dense head", "proposals"):
        assert any(text.startswith(stage) for text in shown), stage
    assert shown.count("NMS") == 2


@pytest.mark.parametrize(
    "key", ["tracking_association", "bytetrack_strict"], ids=["default", "strict"]
)
def test_tracking_shows_each_match_iou(texts: dict[str, list[str]], key: str) -> None:
    spec = params(key)
    tracks = tracking_association.TRACKS
    detections = tracking_association.DETECTIONS
    iou = boxes.pairwise_iou(list(tracks), [box for box, _ in detections])
    high = [i for i, (_, s) in enumerate(detections) if s >= spec["high_threshold"]]
    low = [
        i
        for i, (_, s) in enumerate(detections)
        if spec["low_threshold"] <= s < spec["high_threshold"]
    ]

    first = tracking_association.associate(iou.tolist(), range(len(tracks)), high)
    rest = [t for t in range(len(tracks)) if t not in {m[0] for m in first}]
    second = tracking_association.associate(iou.tolist(), rest, low)

    for _, _, value in first + second:
        assert f"IoU {value:.2f}" in texts[key]
    assert any(t.startswith(f"{len(first)} matched") for t in texts[key])
    assert any(t.startswith(f"{len(first) + len(second)} matched") for t in texts[key])


def test_default_scene_gives_bytetrack_an_extra_match() -> None:
    spec = params("tracking_association")
    detections = tracking_association.DETECTIONS
    iou = boxes.pairwise_iou(
        list(tracking_association.TRACKS), [b for b, _ in detections]
    ).tolist()
    low = [
        i
        for i, (_, s) in enumerate(detections)
        if spec["low_threshold"] <= s < spec["high_threshold"]
    ]

    assert tracking_association.associate(iou, range(4), low)


def test_hflip_prints_the_flipped_edges(texts: dict[str, list[str]]) -> None:
    spec = params("hflip_boxes")
    flipped = augment.hflip_boxes([spec["box"]], spec["width"])[0]

    assert f"x1′ = {flipped[0]:g}" in texts["hflip_boxes"]
    assert f"x2′ = {flipped[2]:g}" in texts["hflip_boxes"]
    assert flipped[0] == spec["width"] - spec["box"][2]


def test_resolution_compute_labels_each_ratio(texts: dict[str, list[str]]) -> None:
    spec = params("resolution_compute")

    for size in spec["sizes"]:
        ratio = np.square(size / spec["reference"])
        assert f"{ratio:.2f}×" in texts["resolution_compute"]


@pytest.mark.parametrize(
    "key", ["coco_iou_thresholds", "coco_perfect"], ids=["default", "perfect"]
)
def test_coco_thresholds_mark_tp_and_fp(texts: dict[str, list[str]], key: str) -> None:
    spec = params(key)
    iou = boxes.box_iou(spec["gt"], spec["pred"])
    thresholds = ap.COCO_IOU_THRESHOLDS
    hits = int(np.sum(iou >= thresholds - 1e-12))
    shown = texts[key]

    assert f"IoU = {iou:.3f}" in shown
    assert f"TP at {hits} of 10 thresholds" in shown
    assert shown.count("TP") == hits
    assert shown.count("FP") == 10 - hits
