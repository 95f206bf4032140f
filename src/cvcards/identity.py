"""Stable card identities that survive edits, kept in a lock file by the decks.

A card's identity is ``<note id>/<key>``. An author may give the key (a card's
``id`` field); otherwise the lock file ``cvcards.lock.json`` next to the deck
sources remembers every identity with the card's last content, and each build
matches the cards it compiles against it:

1. within the same note and card kind, a card whose content hash is unchanged
   keeps its identity (so reordering and moving notes between files or
   sections change nothing);
2. remaining cards are paired with remaining lock entries by text similarity,
   best pairs first: the mean of the front's and the back's similarity must
   reach ``MATCH_THRESHOLD``, so a fixed typo or a reworded front keeps the
   identity while an unrelated new card does not steal one;
3. cards still unmatched are new and get a key from a hash of their text;
   lock entries still unmatched are retired, and stay in the lock so that a
   card which comes back gets its identity (and its history) back.

The lock also records when each card's content last changed, which becomes
the note's modification time in Anki.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from cvcards.errors import CvcardsError

LOCK_NAME = "cvcards.lock.json"
LOCK_VERSION = 1
MATCH_THRESHOLD = 0.5


@dataclass
class LockEntry:
    """What the lock remembers of one card identity."""

    note: str
    kind: str
    hash: str
    front: str
    back: str
    changed: int
    retired: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "note": self.note,
            "kind": self.kind,
            "hash": self.hash,
            "front": self.front,
            "back": self.back,
            "changed": self.changed,
        }
        if self.retired:
            data["retired"] = True
        return data


@dataclass
class Candidate:
    """A compiled card waiting for its identity.

    Attributes:
        note: The note id.
        kind: Card kind, or the name of a group of kinds that share keys.
        front: Text the card asks (used for similarity).
        back: Text the card answers (used for similarity).
        content_hash: Hash of everything the card shows.
        explicit: The author's key, if given.
    """

    note: str
    kind: str
    front: str
    back: str
    content_hash: str
    explicit: str | None = None
    identity: str = ""


@dataclass
class Assignment:
    """The outcome of matching a build's cards against the lock."""

    lock: dict[str, LockEntry]
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    changed: bool = False


def short_hash(*parts: str, length: int = 8) -> str:
    """Return a short hex digest of text parts."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return digest[:length]


def read_lock(decks_dir: Path) -> dict[str, LockEntry]:
    """Read the lock file of a decks directory (empty when there is none).

    Raises:
        CvcardsError: The lock file exists but is not a valid cvcards lock.
    """
    path = decks_dir / LOCK_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != LOCK_VERSION:
            raise ValueError(f"unsupported version {data.get('version')!r}")
        return {key: LockEntry(**value) for key, value in data["cards"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise CvcardsError(
            f"{path}: not a valid cvcards lock file ({error}); restore it from "
            "version control (deleting it loses the link between cards and their "
            "review history)"
        ) from error


def dump_lock(lock: dict[str, LockEntry]) -> str:
    """Serialise a lock deterministically (sorted, one entry per line block)."""
    body = {key: lock[key].to_json() for key in sorted(lock)}
    return (
        json.dumps(
            {"version": LOCK_VERSION, "cards": body},
            indent=1,
            ensure_ascii=False,
            sort_keys=True,
        )
        + "\n"
    )


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.2:
        return matcher.real_quick_ratio()
    return matcher.ratio()


def _score(card: Candidate, entry: LockEntry) -> float:
    return (
        _similarity(card.front, entry.front) + _similarity(card.back, entry.back)
    ) / 2


def assign(
    candidates: Iterable[Candidate], lock: dict[str, LockEntry], *, now: int
) -> Assignment:
    """Give every candidate an identity, updating a copy of the lock.

    Args:
        candidates: The build's cards, in guide order; ``identity`` is set.
        lock: The lock as read from disk (left unchanged).
        now: Unix time recorded as the change time of new or edited cards.

    Returns:
        The updated lock and what changed.
    """
    cards = list(candidates)
    new_lock = {key: LockEntry(**vars(entry)) for key, entry in lock.items()}
    result = Assignment(lock=new_lock)
    claimed: set[str] = set()

    # Explicit keys first: the author has decided.
    for card in cards:
        if card.explicit:
            card.identity = f"{card.note}/{card.explicit}"
            claimed.add(card.identity)

    # Group the rest by note and kind; identities never cross those borders.
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for card in cards:
        if not card.identity:
            groups.setdefault((card.note, card.kind), []).append(card)
    entries: dict[tuple[str, str], list[str]] = {}
    for key, entry in new_lock.items():
        if key not in claimed:
            entries.setdefault((entry.note, entry.kind), []).append(key)

    for group, members in groups.items():
        free = list(entries.get(group, []))

        # Unchanged content keeps its identity.
        by_hash: dict[str, list[str]] = {}
        for key in free:
            by_hash.setdefault(new_lock[key].hash, []).append(key)
        for card in members:
            keys = by_hash.get(card.content_hash)
            while keys:
                key = keys.pop(0)
                if key not in claimed:
                    card.identity = key
                    claimed.add(key)
                    break

        # Edited content: pair by similarity, best pairs first.
        open_cards = [card for card in members if not card.identity]
        open_keys = [key for key in free if key not in claimed]
        pairs = sorted(
            (
                (_score(card, new_lock[key]), index, key)
                for index, card in enumerate(open_cards)
                for key in open_keys
            ),
            key=lambda pair: (-pair[0], pair[1], pair[2]),
        )
        for score, index, key in pairs:
            card = open_cards[index]
            if score < MATCH_THRESHOLD:
                break
            if card.identity or key in claimed:
                continue
            card.identity = key
            claimed.add(key)

        # Whatever is left is new; its key comes from its text, so a lock
        # rebuilt from scratch gives the same identities.
        for card in members:
            if card.identity:
                continue
            base = f"{card.note}/{short_hash(card.kind, card.front, card.back)}"
            identity, suffix = base, 2
            while identity in claimed or identity in new_lock:
                identity, suffix = f"{base}-{suffix}", suffix + 1
            card.identity = identity
            claimed.add(identity)

    # Record contents and change times.
    for card in cards:
        known = new_lock.get(card.identity)
        if known is None:
            result.created.append(card.identity)
            new_lock[card.identity] = LockEntry(
                card.note, card.kind, card.content_hash, card.front, card.back, now
            )
            continue
        if known.retired:
            result.restored.append(card.identity)
            known.retired = False
        if known.hash != card.content_hash:
            result.edited.append(card.identity)
            known.changed = now
        known.hash, known.front, known.back = card.content_hash, card.front, card.back
        known.note, known.kind = card.note, card.kind

    for key, entry in new_lock.items():
        if key not in claimed and not entry.retired:
            entry.retired = True
            result.retired.append(key)

    result.changed = dump_lock(new_lock) != dump_lock(lock)
    return result
