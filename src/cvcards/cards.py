"""The compiled deck: cards with stable identities, ready for Anki or review.

This is the contract between the compiler and everything downstream of it (the
Anki export, the review collection, the terminal session). It imports nothing
heavy so that any command can use it cheaply.

A *card* is one thing to recall. Cards of kind ``cloze`` that come from the same
cloze text share an ``anki_key``: Anki keeps them as one note with several cards,
while the local collection schedules each deletion on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class CardKind(StrEnum):
    """What shape of recall a card asks for."""

    BASIC = "basic"
    CLOZE = "cloze"
    STEP = "step"
    TABLE = "table"
    PROMPT = "prompt"


@dataclass(frozen=True)
class Diagram:
    """A figure a card shows, drawn by a named generator from parameters.

    Attributes:
        name: The note-local name the deck source uses for it.
        generator: Registered generator name, e.g. ``iou_overlap``.
        params: Parameters passed to the generator, as plain JSON values.
        filename: Media file name, derived from generator, parameters and the
            generator's code version, so a changed input gives a new file.
    """

    name: str
    generator: str
    params: dict[str, object]
    filename: str


@dataclass(frozen=True)
class Card:
    """One compiled card.

    Attributes:
        identity: Stable identity, e.g. ``"nms-failure-modes/7f3a9c21"``. Anki's
            GUID and the local review record derive from it; it survives edits,
            reordering and moves between files.
        anki_key: Identity of the Anki note the card belongs to. Equal to
            ``identity`` except for cloze cards, which share their text's key.
        note_id: The ``id`` of the source note (one interview question).
        kind: The card kind.
        section: Section id, e.g. ``"metrics"``; also the Anki subdeck.
        section_title: Human title of the guide section the card comes from.
        topic: Short topic label of the note, e.g. ``"NMS"``.
        order: Position in guide order (sections, then notes, then cards).
        front: Question side as Markdown (cloze: the text with this card's
            deletions hidden as ``[...]`` or ``[hint]``).
        back: Answer side as Markdown (cloze: the text with deletions shown).
        context: Extra Markdown shown with the answer (steps around a step,
            the table a cell comes from, the note's question for a prompt).
        cloze_text: For cloze cards, the raw text with ``{{cN::...}}`` markup.
        cloze_number: For cloze cards, the deletion number N this card asks.
        tags: Anki tags (section, topic and kind are included).
        diagrams: Figures shown on the back of the card.
        front_diagrams: Figures shown on the front of the card.
        media: Author-supplied media files (absolute paths) the card shows.
        source: Where an added fact comes from ("guide" when from the guide).
        source_file: Deck file the card is written in, relative to the decks dir.
        line: 1-based line in ``source_file`` where the card is defined.
        content_hash: Hash of everything the card shows; changes with any edit.
    """

    identity: str
    anki_key: str
    note_id: str
    kind: CardKind
    section: str
    section_title: str
    topic: str
    order: int
    front: str
    back: str
    context: str = ""
    cloze_text: str = ""
    cloze_number: int = 0
    tags: tuple[str, ...] = ()
    diagrams: tuple[Diagram, ...] = ()
    front_diagrams: tuple[Diagram, ...] = ()
    media: tuple[str, ...] = ()
    source: str = "guide"
    source_file: str = ""
    line: int = 0
    content_hash: str = ""


@dataclass
class CompiledDeck:
    """Everything one build produces from the deck sources.

    Attributes:
        cards: All live cards in guide order.
        retired: Identities this build retired: in the lock, but in no source now.
        created: Identities this build saw for the first time.
        edited: Identities whose content changed in this build.
        restored: Retired identities that came back in this build.
        changed: Unix time (seconds) each live identity last changed content.
        fingerprint: Hash of the sources and lock file; equal fingerprints mean
            an identical compiled deck.
        decks_dir: The directory the sources were read from.
        sections: (section id, title) in guide order.
        lock_text: The lock file this build implies, or None when the lock on
            disk is already up to date.
    """

    cards: list[Card]
    retired: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    changed: dict[str, int] = field(default_factory=dict)
    fingerprint: str = ""
    decks_dir: str = ""
    sections: list[tuple[str, str]] = field(default_factory=list)
    lock_text: str | None = None
