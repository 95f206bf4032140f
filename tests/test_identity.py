"""Card identities survive every edit an author makes (compiler and lock file)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cvcards.cards import Card, CardKind
from cvcards.compiler import compile_decks
from cvcards.identity import LOCK_NAME, Candidate, assign

FIRST_BUILD = 1_700_000_000  # in the past, like a real earlier build
LATER = FIRST_BUILD + 86_400


def identities(decks: Path, now: int = FIRST_BUILD) -> dict[str, Card]:
    deck = compile_decks(decks, now=now)
    return {card.identity: card for card in deck.cards}


def by_back(cards: dict[str, Card]) -> dict[str, str]:
    return {card.back: identity for identity, card in cards.items()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unchanged_rebuild_keeps_everything(starter: Path) -> None:
    first = compile_decks(starter, now=FIRST_BUILD)
    lock_before = (starter / LOCK_NAME).read_text()

    second = compile_decks(starter, now=LATER)

    assert [c.identity for c in second.cards] == [c.identity for c in first.cards]
    assert second.created == second.edited == second.retired == []
    assert (starter / LOCK_NAME).read_text() == lock_before
    assert set(second.changed.values()) == {FIRST_BUILD}


def test_typo_fixed_in_an_answer_keeps_the_identity(starter: Path) -> None:
    before = by_back(identities(starter))

    edit(
        starter / "detection.yaml",
        "Duplicate boxes of the same object.",
        "Duplicate boxes of one object.",
    )
    deck = compile_decks(starter, now=LATER)

    after = {card.back: card.identity for card in deck.cards}
    assert (
        after["Duplicate boxes of one object."]
        == before["Duplicate boxes of the same object."]
    )
    assert len(deck.edited) == 1 and deck.created == [] and deck.retired == []
    assert deck.changed[deck.edited[0]] == LATER


def test_reworded_front_keeps_the_identity(starter: Path) -> None:
    before = by_back(identities(starter))

    edit(
        starter / "detection.yaml",
        "What does NMS remove from a detector's output?",
        "Non-maximum suppression exists to get rid of what, exactly?",
    )
    after = by_back(identities(starter, LATER))

    assert after == before


def test_reordered_cards_and_notes_keep_identities(starter: Path) -> None:
    before = identities(starter)
    path = starter / "detection.yaml"
    text = path.read_text()
    basic = (
        "      - front: What does NMS remove from a detector's output?\n"
        "        back: Duplicate boxes of the same object.\n"
        "        diagram: overlap\n"
    )
    assert basic in text
    path.write_text(text.replace(basic, "") + basic.replace("      - ", "      - ", 1))
    # The basic card is now the last card of the note.
    after = identities(starter, LATER)

    assert set(after) == set(before)
    assert [c.identity for c in after.values()] != [c.identity for c in before.values()]


def test_note_moved_to_another_file_and_section_keeps_identities(starter: Path) -> None:
    before = identities(starter)
    source = (starter / "detection.yaml").read_text()
    moved = source.replace(
        "section: detection\ntitle: Detection and segmentation\norder: 1",
        "section: metrics\ntitle: Metrics\norder: 2",
    )
    (starter / "detection.yaml").unlink()
    (starter / "metrics.yaml").write_text(moved)

    after = identities(starter, LATER)

    assert set(after) == set(before)
    assert {card.section for card in after.values()} == {"metrics"}


def test_deleted_card_is_retired_and_the_others_keep_identities(starter: Path) -> None:
    before = by_back(identities(starter))
    edit(
        starter / "detection.yaml",
        "      - front: What does NMS remove from a detector's output?\n"
        "        back: Duplicate boxes of the same object.\n"
        "        diagram: overlap\n",
        "",
    )

    deck = compile_decks(starter, now=LATER)

    gone = before.pop("Duplicate boxes of the same object.")
    assert deck.retired == [gone]
    assert {card.back: card.identity for card in deck.cards} == before
    lock = json.loads((starter / LOCK_NAME).read_text())["cards"]
    assert lock[gone]["retired"] is True


def test_retired_card_that_comes_back_gets_its_identity_back(starter: Path) -> None:
    original = (starter / "detection.yaml").read_text()
    before = by_back(identities(starter))
    edit(
        starter / "detection.yaml",
        "        back: Duplicate boxes of the same object.\n",
        "        back: Duplicate boxes of the same object.\n        id: x\n",
    )
    # With an explicit id the old automatic identity is retired ...
    assert compile_decks(starter, now=LATER).retired == [
        before["Duplicate boxes of the same object."]
    ]
    # ... and restored when the card returns to the lock's keeping.
    (starter / "detection.yaml").write_text(original)
    deck = compile_decks(starter, now=LATER + 1)

    assert deck.restored == [before["Duplicate boxes of the same object."]]
    assert by_back({c.identity: c for c in deck.cards}) == before


def test_inserted_card_and_step_leave_the_others_alone(starter: Path) -> None:
    before = identities(starter)
    edit(
        starter / "detection.yaml",
        "      - kind: cloze\n",
        "      - front: Which score does NMS trust?\n"
        "        back: The classifier's confidence.\n"
        "      - kind: cloze\n",
    )
    edit(
        starter / "detection.yaml",
        "          - Keep the first box in the list.\n",
        "          - Keep the first box in the list.\n"
        "          - Move it to the output.\n",
    )

    deck = compile_decks(starter, now=LATER)

    after = {card.identity for card in deck.cards}
    assert set(before) <= after
    assert len(after - set(before)) == 2
    assert len(deck.created) == 2 and deck.retired == []


def test_identical_text_in_two_notes_gets_two_identities(starter: Path) -> None:
    path = starter / "detection.yaml"
    text = path.read_text()
    note = text[text.index("  - id: nms-basics") :]
    path.write_text(text + note.replace("id: nms-basics", "id: nms-copy"))

    cards = compile_decks(starter, now=FIRST_BUILD).cards

    twins = [
        card for card in cards if card.back == "Duplicate boxes of the same object."
    ]
    assert len(twins) == 2
    assert twins[0].identity != twins[1].identity


def test_cloze_cards_share_an_anki_note_and_keep_numbered_identities(
    starter: Path,
) -> None:
    cards = compile_decks(starter, now=FIRST_BUILD).cards
    cloze = [card for card in cards if card.kind is CardKind.CLOZE]

    assert [card.cloze_number for card in cloze] == [1, 2]
    assert len({card.anki_key for card in cloze}) == 1
    assert [card.identity for card in cloze] == [
        f"{cloze[0].anki_key}#c1",
        f"{cloze[0].anki_key}#c2",
    ]


def test_a_fresh_lock_gives_the_same_identities(starter: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(starter, copy)

    assert list(identities(starter)) == list(identities(copy, LATER))


@pytest.mark.parametrize(
    ("old_front", "new_front", "same"),
    [
        ("What is IoU?", "What does IoU measure?", True),
        ("What is IoU?", "Name the COCO small-object area threshold.", False),
    ],
    ids=["reworded", "unrelated"],
)
def test_similarity_threshold(old_front: str, new_front: str, same: bool) -> None:
    old = Candidate("n", "basic", old_front, "Overlap over union of two boxes", "h1")
    lock = assign([old], {}, now=1).lock
    new_back = "Overlap over union of two boxes" if same else "32 squared pixels"

    card = Candidate("n", "basic", new_front, new_back, "h2")
    assign([card], lock, now=2)

    assert (card.identity == old.identity) is same
