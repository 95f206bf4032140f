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

A matched detection is filled with its pass's colour, and the matches are
listed under each scene with their IoU: at card size a track and its detection
nearly coincide, so a tag on the pair would hide both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cvcards.diagrams import style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BoxT = tuple[float, float, float, float]
WIDTH, HEIGHT = 240.0, 192.0  # the scene, with room under the lowest score tag
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


PASS_COLOURS = (style.GREEN, style.PURPLE)
KIND_COLOURS = {"high": style.BLUE, "low": style.ORANGE, "discarded": style.MUTED}
SCENE_SHARE = 0.47  # of the figure's width, per scene
ROW = 0.24  # inches per line of the match lists
LEGEND, OUTCOME, TITLES = 0.55, 0.5, 0.5  # inches of the bands around the lists


def _scene(
    axes: Axes,
    title: str,
    kinds: list[str],
    passes: list[list[tuple[int, int, float]]],
) -> None:
    """Draw tracks, detections by kind (filled when matched) and their scores."""
    style.scene_panel(axes, WIDTH, HEIGHT, title)

    for index, box in enumerate(TRACKS):
        style.draw_box(axes, box, style.MUTED, linewidth=1.1, linestyle="--", zorder=2)
        axes.text(
            box[0],
            box[1] - 1,
            f"T{index + 1}",
            fontsize=style.SMALL,
            color=style.MUTED,
            va="bottom",
            ha="left",
            zorder=6,
        )

    fills = {d: PASS_COLOURS[n] for n, ms in enumerate(passes) for _, d, _ in ms}
    for detection, ((box, score), kind) in enumerate(
        zip(DETECTIONS, kinds, strict=True)
    ):
        discarded = kind == "discarded"
        if detection in fills:
            style.draw_box(axes, box, fills[detection], fill=0.35, linewidth=0)
        style.draw_box(
            axes,
            box,
            KIND_COLOURS[kind],
            linewidth=0.8 if discarded else 1.8,
            linestyle=":" if discarded else "-",
            zorder=3,
        )
        axes.text(
            box[2],
            box[3],
            f"{score:.2f}",
            fontsize=style.SMALL,
            ha="right",
            va="top",
            color=style.MUTED if discarded else style.on(KIND_COLOURS[kind]),
            zorder=7,
            bbox={
                "boxstyle": "square,pad=0.1",
                "facecolor": style.FAINT if discarded else KIND_COLOURS[kind],
                "linewidth": 0,
            },
        )


def _match_list(
    figure: Figure, left: float, top: float, height: float, passes: list[Any]
) -> None:
    """List a scene's matches under it, one line each: IoU tag, track, score.

    ``left`` is a share of the figure's width, ``top`` the first line's centre
    in inches from the bottom, ``height`` the figure's height in inches.
    """
    y = top
    for number, matches in enumerate(passes):
        for track, detection, value in matches:
            colour = PASS_COLOURS[number]
            figure.text(
                left + 0.01,
                y / height,
                f"IoU {value:.2f}",
                fontsize=style.SMALL,
                fontweight="bold",
                va="center",
                color=style.on(colour),
                bbox={"boxstyle": "round,pad=0.2", "facecolor": colour, "linewidth": 0},
            )
            figure.text(
                left + 0.16,
                y / height,
                f"T{track + 1} ↔ the {DETECTIONS[detection][1]:.2f} box",
                va="center",
            )
            y -= ROW


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
    return f"{len(matches)} matched; unmatched: {', '.join(lost) or 'none'}\n{started}"


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

    columns = (
        (f"SORT: one pass\nscores ≥ {high:g}", sort_kinds, [sort_matches]),
        (
            f"ByteTrack: two passes\n≥ {high:g}, then {low:g}–{high:g}",
            kinds,
            [first, second],
        ),
    )
    rows = max(1, len(sort_matches), len(first) + len(second))
    scene = SCENE_SHARE * style.FIG_WIDTH * HEIGHT / WIDTH
    lists = rows * ROW + 0.1
    height = LEGEND + OUTCOME + lists + scene + TITLES
    figure = style.new_figure(height)

    for left, (title, column_kinds, passes) in zip((0.02, 0.51), columns, strict=True):
        axes = figure.add_axes(
            (left, (LEGEND + OUTCOME + lists) / height, SCENE_SHARE, scene / height)
        )
        _scene(axes, title, column_kinds, passes)
        _match_list(
            figure, left, LEGEND + OUTCOME + lists - 0.1 - ROW / 2, height, passes
        )
        matched = [match for matches in passes for match in matches]
        figure.text(
            left + SCENE_SHARE / 2,
            (LEGEND + OUTCOME / 2) / height,
            _outcome(matched, column_kinds),
            ha="center",
            va="center",
            linespacing=1.3,
        )
    _key(figure)
    return figure


def _key(figure: Figure) -> None:
    """Explain line styles and fills in one legend along the bottom."""
    from matplotlib.patches import Patch

    handles = [
        Patch(
            facecolor="none",
            edgecolor=style.MUTED,
            linestyle="--",
            label="predicted track",
        ),
        Patch(
            facecolor="none", edgecolor=style.BLUE, linewidth=1.8, label="high score"
        ),
        Patch(
            facecolor="none", edgecolor=style.ORANGE, linewidth=1.8, label="low score"
        ),
        Patch(
            facecolor="none", edgecolor=style.MUTED, linestyle=":", label="discarded"
        ),
        Patch(facecolor=style.tint(style.GREEN, 0.65), label="matched, pass 1"),
        Patch(facecolor=style.tint(style.PURPLE, 0.65), label="matched, pass 2"),
    ]
    figure.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=3,
        fontsize=style.SMALL,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.2,
    )
