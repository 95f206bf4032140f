"""Hand-made cards, decks and clocks for the review tests.

The review modules only need :class:`~cvcards.cards.Card` values, so most tests
build them here rather than compiling YAML; the command-line tests use the
starter deck through the real compiler.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cvcards.cards import Card, CardKind, CompiledDeck, Diagram
from cvcards.collection import Collection
from cvcards.loader import source_fingerprint

# A Monday morning, well away from any daylight saving change.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_card(
    note: str,
    number: int,
    *,
    kind: CardKind = CardKind.BASIC,
    section: str = "detection",
    order: int | None = None,
    tags: Iterable[str] = (),
    front: str | None = None,
    diagram: str | None = None,
    line: int = 1,
) -> Card:
    """Return a card of ``note``; ``number`` makes its identity unique."""
    identity = f"{note}/prompt" if kind is CardKind.PROMPT else f"{note}/{number:04d}"
    shown = front or f"Question {number} of {note}?"
    diagrams = ()
    if diagram is not None:
        diagrams = (Diagram("figure", "iou_overlap", {}, diagram),)
    return Card(
        identity=identity,
        anki_key=identity,
        note_id=note,
        kind=kind,
        section=section,
        section_title=section.title(),
        topic=note.upper(),
        order=number if order is None else order,
        front=shown,
        back=f"Answer {number} of {note}.",
        tags=tuple(tags),
        diagrams=diagrams,
        source_file=f"{section}.yaml",
        line=line,
        content_hash=f"{identity}:{shown}",
    )


def make_deck(cards: list[Card], decks_dir: Path) -> CompiledDeck:
    """Return a deck of ``cards`` whose fingerprint matches ``decks_dir``.

    With a matching fingerprint the commands use the collection as synced and
    never compile ``decks_dir``, which may be empty.
    """
    decks_dir.mkdir(parents=True, exist_ok=True)
    return CompiledDeck(
        cards=cards,
        fingerprint=source_fingerprint(decks_dir),
        decks_dir=str(decks_dir),
        sections=sorted({(c.section, c.section_title) for c in cards}),
    )


def notes_deck(notes: int, cards_per_note: int) -> list[Card]:
    """Return ``notes`` notes of ``cards_per_note`` basic cards, in guide order."""
    return [
        make_card(f"n{n:03d}", n * cards_per_note + c)
        for n in range(notes)
        for c in range(cards_per_note)
    ]


class SteppingClock:
    """A clock that moves forward by a fixed step each time it is read."""

    def __init__(self, start: datetime = T0, step: timedelta = timedelta(seconds=5)):
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        current = self.now
        self.now += self.step
        return current


def corrupted_collection(folder: Path) -> Path:
    """Return a collection with one page in its middle overwritten by noise."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "collection.sqlite3"
    with Collection.open(path, now=T0) as col:
        col.sync(make_deck(notes_deck(200, 5), folder / "decks"), now=T0)
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle : middle + page] = random.Random(7).randbytes(page)
    path.write_bytes(bytes(data))
    return path
