"""Card-quality warnings: long answers, list answers, near-duplicate fronts."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cvcards.cards import CompiledDeck
from cvcards.compiler import compile_decks
from cvcards.lint import lint, summary


def deck_with(tmp_path: Path, cards: str) -> CompiledDeck:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "a.yaml").write_text(
        "section: metrics\ntitle: Metrics\norder: 1\nnotes:\n"
        "  - id: n\n    topic: IoU\n    question: q\n    cards:\n" + cards
    )
    return compile_decks(decks, now=1, update_lock=False)


def messages(deck: CompiledDeck) -> list[str]:
    return [f"{p.line}: {p.message}" for p in lint(deck)]


def test_clean_cards_get_no_warning(tmp_path: Path) -> None:
    deck = deck_with(tmp_path, "      - front: What is IoU?\n        back: Overlap.\n")

    assert messages(deck) == []


def test_long_answer_is_flagged_at_its_line(tmp_path: Path) -> None:
    long = " ".join(["w"] * 41)
    deck = deck_with(tmp_path, f"      - front: What is IoU?\n        back: {long}\n")

    assert "9: answer has 41 words (at most 40); split the card" in messages(deck)[0]


def test_unordered_list_of_four_is_flagged_but_three_is_not(tmp_path: Path) -> None:
    four = "|\n          - a\n          - b\n          - c\n          - d"
    three = "|\n          - a\n          - b\n          - c"
    deck = deck_with(
        tmp_path,
        f"      - front: Name four.\n        back: {four}\n"
        f"      - front: Name three.\n        back: {three}\n",
    )

    found = messages(deck)
    assert len(found) == 1
    assert "answer is an unordered list of 4 items (at most 3)" in found[0]


def test_same_and_nearly_same_fronts_are_flagged(tmp_path: Path) -> None:
    deck = deck_with(
        tmp_path,
        "      - front: What does the IoU threshold of AP50 require?\n"
        "        back: '0.5'\n"
        "      - front: What does the IoU threshold of AP50 require?\n"
        "        back: Half overlap\n"
        "      - front: What does the IoU threshold of AP75 require?\n"
        "        back: '0.75'\n"
        "      - front: Which loss fixes class imbalance in RetinaNet?\n"
        "        back: Focal loss\n",
    )

    found = messages(deck)
    assert len(found) == 2
    assert "front is the same as the card at a.yaml:9" in found[0]
    assert "front is nearly the same as the card at a.yaml:9" in found[1]


def test_summary_counts_cards_per_section_and_kind(tmp_path: Path) -> None:
    deck = deck_with(
        tmp_path,
        "      - front: What is IoU?\n        back: Overlap.\n"
        "      - kind: cloze\n        text: '{{c1::a}} and {{c2::b}} and {{c1::c}}'\n",
    )

    kinds, sections = summary(deck)

    assert kinds == ["basic", "cloze", "step", "table", "prompt"]
    assert sections == {
        "Metrics": {"basic": 1, "cloze": 2, "step": 0, "table": 0, "prompt": 0}
    }


def test_a_number_where_text_is_expected_says_to_quote_it(tmp_path: Path) -> None:
    import pytest

    from cvcards.errors import DeckError

    with pytest.raises(DeckError) as caught:
        deck_with(tmp_path, "      - front: AP50 threshold?\n        back: 0.5\n")

    assert str(caught.value).endswith(
        "a.yaml:10:15: notes[0].cards[0].back must be text, but YAML read 0.5 as "
        "a number or a date; put the value in quotes"
    )


def brute_force_near_duplicates(fronts: list[str]) -> set[int]:
    """The rule written plainly: every pair, the later card flagged."""
    from difflib import SequenceMatcher

    from cvcards.lint import NEAR_DUPLICATE

    return {
        later
        for later, a in enumerate(fronts)
        for earlier, b in enumerate(fronts[:later])
        if a != b
        and SequenceMatcher(None, a, b, autojunk=False).ratio() >= NEAR_DUPLICATE
    }


@st.composite
def similar_fronts(draw: st.DrawFn) -> list[str]:
    """Variants of one text, a character or two apart: many near duplicates."""
    base = draw(st.text(alphabet="abc 12", min_size=20, max_size=40))
    fronts = []
    for _ in range(draw(st.integers(2, 9))):
        text = base
        for _ in range(draw(st.integers(0, 3))):
            position = draw(st.integers(0, len(text)))
            text = (
                text[:position]
                + draw(st.sampled_from("abc 12x"))
                + text[position + 1 :]
            )
        fronts.append(text)
    return fronts


@settings(max_examples=150, deadline=None)
@given(similar_fronts())
def test_fast_near_duplicate_search_agrees_with_brute_force(fronts: list[str]) -> None:
    from cvcards.cards import Card, CardKind
    from cvcards.lint import _duplicate_fronts, _normal_front

    # Each card's line is its position + 1, so a warning names its card.
    cards = [
        Card(
            str(i),
            str(i),
            "n",
            CardKind.BASIC,
            "s",
            "S",
            "t",
            i,
            front,
            "b",
            line=i + 1,
        )
        for i, front in enumerate(fronts)
    ]
    expected = brute_force_near_duplicates([_normal_front(c) for c in cards])

    warnings = _duplicate_fronts(cards, Path("."))

    assert {w.line - 1 for w in warnings if "nearly" in w.message} == expected
