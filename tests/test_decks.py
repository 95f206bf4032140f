"""The shipped decks: complete, clean under ``cvcards check``, in our own words."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

import pytest
import yaml

from cvcards.cards import CardKind, CompiledDeck
from cvcards.compiler import compile_decks
from cvcards.lint import answer_words, lint
from cvcards.wording import copied_runs

REPO = Path(__file__).resolve().parent.parent
DECKS = REPO / "decks"
GUIDE_RUNS = REPO / "tests" / "data" / "guide-runs.txt"
SECTIONS = [
    "role", "detection", "metrics", "training", "production", "domains",
    "coding", "behavioural", "faq",
]  # fmt: skip


@pytest.fixture(scope="module")
def deck() -> CompiledDeck:
    # update_lock=False: the test must never write into the repository.
    return compile_decks(DECKS, now=2_000_000_000, update_lock=False)


def test_the_committed_lock_file_is_up_to_date(deck: CompiledDeck) -> None:
    assert deck.lock_text is None, (
        "decks/cvcards.lock.json is stale: run `cvcards build` in the repository "
        "and commit the lock file"
    )
    assert deck.created == deck.edited == deck.retired == []


def test_check_finds_no_problem_and_no_warning(deck: CompiledDeck) -> None:
    assert [str(w) for w in lint(deck)] == []


def test_every_section_of_the_guide_is_covered(deck: CompiledDeck) -> None:
    counts = Counter(card.section for card in deck.cards)

    assert [section for section, _ in deck.sections] == SECTIONS
    assert all(counts[section] >= 20 for section in SECTIONS), counts
    assert len(deck.cards) >= 350


def test_every_card_names_its_section(deck: CompiledDeck) -> None:
    titles = dict(deck.sections)
    for card in deck.cards:
        assert card.section_title == titles[card.section]
        assert f"section::{card.section}" in card.tags


def test_every_interview_question_has_four_atomic_cards(deck: CompiledDeck) -> None:
    atomic = Counter(
        card.note_id for card in deck.cards if card.kind is not CardKind.PROMPT
    )
    prompts = [card for card in deck.cards if card.kind is CardKind.PROMPT]

    assert len(prompts) >= 28
    assert [p.note_id for p in prompts if atomic[p.note_id] < 4] == []


def test_every_card_kind_is_used(deck: CompiledDeck) -> None:
    assert {card.kind for card in deck.cards} == set(CardKind)


def test_answers_are_short(deck: CompiledDeck) -> None:
    lengths = [answer_words(c) for c in deck.cards if c.kind is not CardKind.PROMPT]

    assert statistics.median(lengths) <= 12
    assert max(lengths) <= 40


def test_added_facts_name_their_source(deck: CompiledDeck) -> None:
    sourced = [card for card in deck.cards if card.source.strip().lower() != "guide"]

    assert len(sourced) >= 30
    assert all(len(card.source.strip()) >= 4 for card in sourced)


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


@pytest.mark.parametrize("path", sorted(DECKS.glob("*.yaml")), ids=lambda p: p.name)
def test_no_ten_word_run_is_copied_from_the_guide(path: Path) -> None:
    hashes = set(GUIDE_RUNS.read_text().split())
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    copied = [run for text in _texts(data) for run in copied_runs(text, hashes)]

    assert copied == []
