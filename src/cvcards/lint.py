"""Card-quality checks that can be measured: the minimum-information principle.

Good cards ask one thing and have short answers; lists to recall as a whole
are hard to learn; two cards with nearly the same front interfere with each
other. These checks return warnings located at the card's line; the shipped
decks pass them all.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from cvcards.cards import Card, CardKind, CompiledDeck
from cvcards.errors import Problem
from cvcards.loader import shown_path

MAX_ANSWER_WORDS = 40
MAX_MEDIAN_ANSWER_WORDS = 12
MAX_LIST_ITEMS = 3
NEAR_DUPLICATE = 0.92

_BULLET = re.compile(r"^\s*[-*+]\s+\S", re.MULTILINE)
_FENCE = re.compile(r"^\s*```.*$", re.MULTILINE)
_MARKUP = re.compile(r"\*\*|__|`")


def answer_text(card: Card) -> str:
    """Return the part of a card the learner must produce."""
    if card.kind is CardKind.CLOZE:
        from cvcards.compiler import cloze_deletions

        items = cloze_deletions(card.cloze_text).get(card.cloze_number, [])
        return " ".join(answer for answer, _ in items)
    return card.back


def answer_words(card: Card) -> int:
    """Count the words of a card's answer (code fences and emphasis ignored)."""
    text = _MARKUP.sub("", _FENCE.sub("", answer_text(card)))
    return len(text.split())


def _normal_front(card: Card) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", card.front.lower()))


def _warning(card: Card, decks_dir: Path, message: str) -> Problem:
    return Problem(
        shown_path(decks_dir / card.source_file), card.line, 1, message, "warning"
    )


def lint(deck: CompiledDeck) -> list[Problem]:
    """Return quality warnings for a compiled deck."""
    decks_dir = Path(deck.decks_dir)
    warnings: list[Problem] = []
    atomic = [card for card in deck.cards if card.kind is not CardKind.PROMPT]

    lengths = []
    for card in atomic:
        count = answer_words(card)
        lengths.append(count)
        if count > MAX_ANSWER_WORDS:
            warnings.append(
                _warning(
                    card,
                    decks_dir,
                    f"answer has {count} words (at most {MAX_ANSWER_WORDS}); split the "
                    "card into several facts or shorten the answer",
                )
            )
        items = len(_BULLET.findall(answer_text(card)))
        if items > MAX_LIST_ITEMS:
            warnings.append(
                _warning(
                    card,
                    decks_dir,
                    f"answer is an unordered list of {items} items (at most "
                    f"{MAX_LIST_ITEMS}); split it, use ordered steps, or a cloze "
                    "per item",
                )
            )
    if lengths and statistics.median(lengths) > MAX_MEDIAN_ANSWER_WORDS:
        warnings.append(
            Problem(
                shown_path(decks_dir),
                0,
                0,
                f"median answer is {statistics.median(lengths):g} words (at most "
                f"{MAX_MEDIAN_ANSWER_WORDS}); shorten answers or split cards",
                "warning",
            )
        )

    warnings.extend(_duplicate_fronts(deck.cards, decks_dir))
    return warnings


def _duplicate_fronts(cards: Sequence[Card], decks_dir: Path) -> list[Problem]:
    warnings: list[Problem] = []
    first_by_front: dict[str, Card] = {}
    for card in cards:
        front = _normal_front(card)
        other = first_by_front.setdefault(front, card)
        if other is not card and other.anki_key != card.anki_key:
            warnings.append(
                _warning(
                    card,
                    decks_dir,
                    "front is the same as the card at "
                    f"{other.source_file}:{other.line}; "
                    "make each front ask something distinct",
                )
            )

    # Near duplicates among fronts that authors write in full. Generated fronts
    # (steps, table cells, sibling deletions) differ by design in a word or two.
    written = sorted(
        (
            (_normal_front(card), card)
            for card in cards
            if card.kind in {CardKind.BASIC, CardKind.PROMPT}
        ),
        key=lambda pair: (len(pair[0]), pair[1].order),
    )
    flagged: set[str] = set()
    counts = _character_counts([front for front, _ in written])
    lengths = [len(front) for front, _ in written]
    for index, (front, card) in enumerate(written):
        # Sorted by length: only the following fronts short enough for a near
        # match are candidates (the bound SequenceMatcher.real_quick_ratio uses).
        end = index + 1
        while end < len(written) and (
            2 * lengths[index] >= NEAR_DUPLICATE * (lengths[index] + lengths[end])
        ):
            end += 1
        if end == index + 1:
            continue
        # The multiset of characters bounds the ratio from above (this is
        # SequenceMatcher.quick_ratio), computed for all candidates at once.
        shared = _shared_characters(counts, index, end)
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(front)
        for offset, other_index in enumerate(range(index + 1, end)):
            other_front, other = written[other_index]
            total = lengths[index] + lengths[other_index]
            if other_front == front or 2 * shared[offset] < NEAR_DUPLICATE * total:
                continue
            matcher.set_seq1(other_front)
            if matcher.ratio() >= NEAR_DUPLICATE:
                later, earlier = sorted((card, other), key=lambda c: -c.order)
                if later.identity in flagged:
                    continue
                flagged.add(later.identity)
                warnings.append(
                    _warning(
                        later,
                        decks_dir,
                        "front is nearly the same as the card at "
                        f"{earlier.source_file}:{earlier.line}; reword one so they "
                        "do not interfere",
                    )
                )
    return warnings


def _character_counts(fronts: Sequence[str]) -> Any:
    """Count each byte value in each (ASCII, normalised) front, one row a front."""
    import numpy as np

    counts = np.zeros((len(fronts), 128), dtype=np.int32)
    for row, front in enumerate(fronts):
        counts[row] = np.bincount(
            np.frombuffer(front.encode("ascii"), dtype=np.uint8), minlength=128
        )
    return counts


def _shared_characters(counts: Any, index: int, end: int) -> list[int]:
    """Size of the character multiset shared by front ``index`` and each next one."""
    import numpy as np

    shared = np.minimum(counts[index], counts[index + 1 : end]).sum(axis=1)
    return [int(value) for value in shared]


def summary(deck: CompiledDeck) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Count cards per section and kind: (kinds in use, section title -> counts)."""
    kinds = [kind.value for kind in CardKind]
    counts: dict[str, dict[str, int]] = {
        title: dict.fromkeys(kinds, 0) for _, title in deck.sections
    }
    for card in deck.cards:
        counts[card.section_title][card.kind.value] += 1
    return kinds, counts
