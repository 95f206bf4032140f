"""SORT's single association pass against ByteTrack's two, on one frame.

Four tracks (their Kalman-predicted boxes, dashed) meet five detections. SORT
keeps only detections scoring at least ``high_threshold`` and matches them to
tracks once by IoU. ByteTrack first does the same with the high-score
detections, then matches the tracks still unmatched to the low-score detections
(between ``low_threshold`` and ``high_threshold``), which recovers an occluded
object whose detector score dropped. Detections below ``low_threshold`` are
discarded by both.

Matching is greedy by highest IoU, which gives the same pairs as the Hungarian
algorithm on this well-separated scene; IoUs come from ``cvcards.vision.boxes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BoxT = tuple[float, float, float, float]
WIDTH, HEIGHT = 240.0, 180.0
MIN_IOU = 0.3  # SORT's minimum IoU for a match
TRACKS: tuple[BoxT, ...] = (
    (15, 35, 60, 125),
    (80, 45, 120, 135),
    (140, 55, 175, 145),
    (195, 25, 230, 85),
)
# (box, score): two clear people, an occluded one, a noise blob, a newcomer.
DETECTIONS: tuple[tuple[BoxT, float], ...] = (
    ((18, 39, 63, 127), 0.92),
    ((84, 43, 124, 131), 0.81),
    ((143, 75, 176, 143), 0.38),
    ((98, 147, 124, 173), 0.06),
    ((188, 113, 232, 167), 0.74),
)


def associate(
    iou: Sequence[Sequence[float]], tracks: Sequence[int], detections: Sequence[int]
) -> list[tuple[int, int, float]]:
    """Match tracks to detections greedily by IoU, at least ``MIN_IOU``.

    Args:
        iou: IoU of every track (row) with every detection (column).
        tracks: Track indices still open for matching.
        detections: Detection indices taking part in this pass.

    Returns:
        ``(track, detection, iou)`` for each match, best IoU first.
    """
    pairs = sorted(
        ((iou[t][d], t, d) for t in tracks for d in detections if iou[t][d] >= MIN_IOU),
        reverse=True,
    )
    used_tracks: set[int] = set()
    used_detections: set[int] = set()
    matches = []
    for value, track, detection in pairs:
        if track in used_tracks or detection in used_detections:
            continue
        used_tracks.add(track)
        used_detections.add(detection)
        matches.append((track, detection, value))
    return matches


def _centre(box: BoxT) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def _scene(
    axes: Axes,
    title: str,
    kinds: list[str],
    passes: list[list[tuple[int, int, float]]],
) -> None:
    """Draw tracks, detections by kind, and each pass's matches with IoU."""
    style.image_axes(axes, WIDTH, HEIGHT)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(True)
        spine.set_color(style.FAINT)
    axes.set_title(title, fontsize=8.5, fontweight="normal", pad=4)

    for index, box in enumerate(TRACKS):
        style.draw_box(axes, box, style.MUTED, linewidth=1.1, linestyle="--", zorder=2)
        axes.text(
            box[0],
            box[1] - 1,
            f"T{index + 1}",
            fontsize=7.5,
            color=style.MUTED,
            va="bottom",
            ha="left",
            zorder=6,
        )
    colours = {"high": style.BLUE, "low": style.ORANGE, "discarded": style.FAINT}
    for (box, score), kind in zip(DETECTIONS, kinds, strict=True):
        colour = colours[kind]
        style.draw_box(
            axes,
            box,
            colour if kind != "discarded" else style.MUTED,
            linewidth=1.8 if kind != "discarded" else 0.8,
            linestyle="-" if kind != "discarded" else ":",
            zorder=3,
        )
        axes.text(
            box[2],
            box[3],
            f"{score:.2f}",
            fontsize=7.5,
            ha="right",
            va="top",
            color=style.on(colour) if kind != "discarded" else style.MUTED,
            zorder=7,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": colour, "linewidth": 0},
        )

    for number, matches in enumerate(passes):
        colour = style.GREEN if number == 0 else style.PURPLE
        for track, detection, value in matches:
            (tx, ty), (dx, dy) = (
                _centre(TRACKS[track]),
                _centre(DETECTIONS[detection][0]),
            )
            axes.plot(
                [tx, dx],
                [ty, dy],
                color=colour,
                linewidth=2.2,
                zorder=5,
                solid_capstyle="round",
            )
            axes.text(
                dx,
                dy,
                f"IoU {value:.2f}",
                fontsize=6.5,
                ha="center",
                va="center",
                color=style.on(colour),
                fontweight="bold",
                zorder=7,
                bbox={
                    "boxstyle": "round,pad=0.15",
                    "facecolor": colour,
                    "linewidth": 0,
                },
            )


def _outcome(matches: list[tuple[int, int, float]], kinds: list[str]) -> str:
    matched_tracks = {t for t, _, _ in matches}
    matched_detections = {d for _, d, _ in matches}
    lost = [f"T{t + 1}" for t in range(len(TRACKS)) if t not in matched_tracks]
    new = [
        f"{DETECTIONS[d][1]:.2f}"
        for d, kind in enumerate(kinds)
        if kind == "high" and d not in matched_detections
    ]
    started = f"new track from the {', '.join(new)} box" if new else "no new track"
    if len(new) > 1:
        started = f"new tracks from the {', '.join(new)} boxes"
    return (
        f"{len(matches)} matched · unmatched tracks: {', '.join(lost) or 'none'}\n"
        f"{started}"
    )


def draw(params: Mapping[str, Any]) -> Figure:
    """Draw the same frame associated by SORT and by ByteTrack."""
    from cvcards.vision.boxes import pairwise_iou

    high, low = params["high_threshold"], params["low_threshold"]
    iou = pairwise_iou(list(TRACKS), [box for box, _ in DETECTIONS]).tolist()
    kinds = [
        "high" if score >= high else "low" if score >= low else "discarded"
        for _, score in DETECTIONS
    ]
    everyone = range(len(TRACKS))
    high_ones = [d for d, kind in enumerate(kinds) if kind == "high"]
    low_ones = [d for d, kind in enumerate(kinds) if kind == "low"]

    first = associate(iou, everyone, high_ones)
    # SORT's only pass is the same as ByteTrack's first one.
    sort_matches = first
    left_over = [t for t in everyone if t not in {t for t, _, _ in first}]
    second = associate(iou, left_over, low_ones)
    sort_kinds = [kind if kind == "high" else "discarded" for kind in kinds]

    figure = style.new_figure(3.2)
    left = figure.add_axes((0.025, 0.28, 0.465, 0.6))
    _scene(left, f"SORT: one pass, scores ≥ {high:g}", sort_kinds, [sort_matches])
    right = figure.add_axes((0.51, 0.28, 0.465, 0.6))
    _scene(
        right,
        f"ByteTrack: ≥ {high:g} first, then {low:g}–{high:g}",
        kinds,
        [first, second],
    )
    figure.text(
        0.2575,
        0.21,
        _outcome(sort_matches, sort_kinds),
        ha="center",
        va="top",
        fontsize=7.5,
    )
    figure.text(
        0.7425,
        0.21,
        _outcome(first + second, kinds),
        ha="center",
        va="top",
        fontsize=7.5,
    )
    figure.text(
        0.5,
        0.06,
        "dashed: predicted tracks · blue: high-score · orange: low-score · "
        "dotted: discarded\ngreen: first-pass match · purple: second-pass match",
        ha="center",
        va="center",
        fontsize=7,
        color=style.MUTED,
    )
    return figure
