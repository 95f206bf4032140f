"""Collecting diagram specs from decks, with problems located in the files."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvcards.diagrams.registry import GENERATORS
from cvcards.diagrams.specs import all_specs, deck_specs, default_specs
from cvcards.errors import DeckError
from cvcards.loader import load_decks

DECK = """\
section: metrics
title: Metrics
order: 3
notes:
  - id: iou-basics
    topic: IoU
    question: What is IoU?
    diagrams:
      overlap:
        generator: iou_overlap
        params: {box_a: [0, 0, 10, 10], box_b: [5, 5, 15, 15]}
      curve:
        generator: focal_loss
    cards:
      - front: What does IoU measure?
        back: Overlap over union of two regions.
"""


def write_deck(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "03-metrics.yaml"
    path.write_text(text, encoding="utf-8")
    return folder


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_deck_specs_in_file_order(tmp_path: Path) -> None:
    decks = write_deck(tmp_path / "decks", DECK)

    assert deck_specs(load_decks(decks)) == [
        ("iou_overlap", {"box_a": [0, 0, 10, 10], "box_b": [5, 5, 15, 15]}),
        ("focal_loss", {}),
    ]


def test_default_specs_cover_every_generator_or_the_named_ones() -> None:
    assert default_specs() == [(name, {}) for name in sorted(GENERATORS)]
    assert default_specs(["pr_curves"]) == [("pr_curves", {})]


def test_all_specs_are_defaults_then_decks(tmp_path: Path) -> None:
    decks = write_deck(tmp_path / "decks", DECK)

    specs = all_specs(decks)

    assert specs[: len(GENERATORS)] == default_specs()
    assert specs[len(GENERATORS) :] == deck_specs(load_decks(decks))


def test_bad_params_are_reported_at_their_line(tmp_path: Path) -> None:
    text = DECK.replace("box_b: [5, 5, 15, 15]", "box_b: [15, 5, 5, 15]").replace(
        "generator: focal_loss", "generator: focal_loss\n        params: {alpha: 3}"
    )
    decks = write_deck(tmp_path / "decks", text)

    with pytest.raises(DeckError) as raised:
        deck_specs(load_decks(decks, cwd=tmp_path))

    first, second = raised.value.problems
    assert first.file == "decks/03-metrics.yaml"
    assert first.line == line_of(text, "box_b: [15")
    assert first.message.startswith("diagram 'overlap': box_b: x2 (5) is less than x1")
    assert second.line == line_of(text, "alpha: 3")
    assert second.message.startswith("diagram 'curve': alpha: 3 is outside")


def test_unknown_generator_is_reported_at_its_line(tmp_path: Path) -> None:
    text = DECK.replace("generator: focal_loss", "generator: focal_lost")
    decks = write_deck(tmp_path / "decks", text)

    with pytest.raises(DeckError) as raised:
        deck_specs(load_decks(decks))

    (problem,) = raised.value.problems
    assert problem.line == line_of(text, "focal_lost")
    assert "unknown generator 'focal_lost'; did you mean 'focal_loss'?" in (
        problem.message
    )
