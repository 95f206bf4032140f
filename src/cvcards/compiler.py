"""Compile validated deck sources into cards with stable identities.

Each note yields cards of five kinds: basic question and answer; cloze (one
card per deletion number, as Anki groups them); steps (one card per step,
shown between its neighbours); table (one card per filled cell); and one
interview-prompt card per note that has a framework and a sample answer.

The compiler checks what the schema cannot: ids unique across files, cloze
deletions present, diagram references and parameters valid, media inside the
decks folder, and no unsafe HTML. Every problem is reported, then raised
together as one :class:`DeckError`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cvcards.cards import Card, CardKind, CompiledDeck, Diagram
from cvcards.errors import DeckError, Problem
from cvcards.identity import LOCK_NAME, Candidate, assign, dump_lock, read_lock
from cvcards.loader import (
    LoadedFile,
    Loc,
    load_all,
    shown_path,
    source_fingerprint,
)
from cvcards.model import (
    BasicCard,
    ClozeCard,
    DiagramSpec,
    Note,
    StepsCard,
    TableCard,
)

CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
EMPTY_CELLS = {"", "-", "—", "n/a"}


@dataclass
class _Draft:
    """A card before its identity is known."""

    card: Card
    candidate: Candidate
    cloze_numbers: tuple[int, ...] = ()


def cloze_deletions(text: str) -> dict[int, list[tuple[str, str | None]]]:
    """Return each deletion number's (answer, hint) pairs, in number order."""
    found: dict[int, list[tuple[str, str | None]]] = {}
    for match in CLOZE.finditer(text):
        found.setdefault(int(match.group(1)), []).append(
            (match.group(2), match.group(3))
        )
    return dict(sorted(found.items()))


def cloze_side(text: str, number: int, *, reveal: bool) -> str:
    """Render cloze text for one deletion: hidden on the front, shown on the back."""

    def replace_one(match: re.Match[str]) -> str:
        answer, hint = match.group(2), match.group(3)
        if int(match.group(1)) != number:
            return answer
        if reveal:
            return f"**{answer}**"
        return f"**[{hint}]**" if hint else "**[...]**"

    return CLOZE.sub(replace_one, text)


def _diagram(name: str, spec: DiagramSpec) -> Diagram:
    from cvcards.diagrams.registry import filename

    return Diagram(
        name, spec.generator, dict(spec.params), filename(spec.generator, spec.params)
    )


def _hash(*parts: object) -> str:
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _checklist(points: Sequence[str]) -> str:
    return "\n".join(f"{index}. {point}" for index, point in enumerate(points, 1))


class _NoteCompiler:
    """Turns one note into drafts, collecting problems instead of stopping."""

    def __init__(
        self,
        loaded: LoadedFile,
        note_index: int,
        decks_dir: Path,
        problems: list[Problem],
    ) -> None:
        self.loaded = loaded
        self.note: Note = loaded.deck.notes[note_index]
        self.loc: Loc = ("notes", note_index)
        self.decks_dir = decks_dir
        self.problems = problems
        self.diagrams = self._check_diagrams()

    def problem(self, loc: Loc, message: str) -> None:
        self.problems.append(self.loaded.problem((*self.loc, *loc), message))

    def _check_diagrams(self) -> dict[str, Diagram]:
        from cvcards.diagrams.registry import validate

        diagrams: dict[str, Diagram] = {}
        for name, spec in self.note.diagrams.items():
            issues = validate(spec.generator, spec.params)
            for issue in issues:
                self.problem(("diagrams", name), f"diagram {name!r}: {issue}")
            if not issues:
                diagrams[name] = _diagram(name, spec)
        return diagrams

    def base(
        self, card_index: int, kind: CardKind, front: str, back: str, context: str = ""
    ) -> Card:
        deck = self.loaded.deck
        source_card = self.note.cards[card_index] if card_index >= 0 else None
        tags = {
            "cvcards",
            f"section::{deck.section}",
            f"topic::{re.sub(r'[^a-z0-9]+', '-', self.note.topic.lower()).strip('-')}",
            f"kind::{kind.value}",
            *self.note.tags,
        }
        diagrams: tuple[Diagram, ...] = ()
        front_diagrams: tuple[Diagram, ...] = ()
        media: tuple[str, ...] = ()
        source = self.note.source
        loc: Loc = ()
        if source_card is not None:
            loc = ("cards", card_index)
            tags.update(source_card.tags)
            source = source_card.source or source
            if source_card.diagram:
                found = self.diagrams.get(source_card.diagram)
                if source_card.diagram not in self.note.diagrams:
                    known = ", ".join(sorted(self.note.diagrams)) or "none defined"
                    self.problem(
                        (*loc, "diagram"),
                        f"unknown diagram {source_card.diagram!r}; define it under the "
                        f"note's diagrams (defined: {known})",
                    )
                elif found and source_card.diagram_side == "front":
                    front_diagrams = (found,)
                elif found:
                    diagrams = (found,)
            if source_card.media:
                media = self._media(source_card.media, (*loc, "media"))
        else:
            # The interview prompt shows every figure of the note.
            diagrams = tuple(self.diagrams.values())
        line = self.loaded.where((*self.loc, *loc))[0]
        return Card(
            identity="",
            anki_key="",
            note_id=self.note.id,
            kind=kind,
            section=deck.section,
            section_title=deck.title,
            topic=self.note.topic,
            order=0,
            front=front,
            back=back,
            context=context,
            tags=tuple(sorted(tags)),
            diagrams=diagrams,
            front_diagrams=front_diagrams,
            media=media,
            source=source,
            source_file=os.path.relpath(self.loaded.path, self.decks_dir),
            line=line,
        )

    def _media(self, relative: str, loc: Loc) -> tuple[str, ...]:
        root = self.decks_dir.resolve()
        path = (root / relative).resolve()
        if not path.is_relative_to(root):
            self.problem(
                loc,
                f"media path {relative!r} leaves the decks folder; put the file "
                "inside it and give a path relative to it",
            )
            return ()
        if not path.is_file():
            self.problem(
                loc,
                f"media file {relative!r} not found; check the path (relative "
                "to the decks folder)",
            )
            return ()
        return (str(path),)

    def drafts(self) -> list[_Draft]:
        drafts: list[_Draft] = []
        for index, source in enumerate(self.note.cards):
            if isinstance(source, BasicCard):
                card = self.base(index, CardKind.BASIC, source.front, source.back)
                drafts.append(self._draft(card, source.front, source.back, source.id))
            elif isinstance(source, ClozeCard):
                drafts.extend(self._cloze(index, source))
            elif isinstance(source, StepsCard):
                drafts.extend(self._steps(index, source))
            elif isinstance(source, TableCard):
                drafts.extend(self._table(index, source))
        if self.note.framework and self.note.sample_answer:
            drafts.append(self._prompt())
        return drafts

    def _draft(
        self, card: Card, front: str, back: str, explicit: str | None, group: str = ""
    ) -> _Draft:
        content = _hash(
            card.kind.value,
            card.front,
            card.back,
            card.context,
            card.cloze_text,
            card.section,
            card.section_title,
            card.topic,
            card.tags,
            card.source,
            [d.filename for d in card.diagrams],
            [d.filename for d in card.front_diagrams],
            [_file_hash(m) for m in card.media],
        )
        card = replace(card, content_hash=content)
        candidate = Candidate(
            self.note.id, group or card.kind.value, front, back, content, explicit
        )
        return _Draft(card, candidate)

    def _cloze(self, index: int, source: ClozeCard) -> list[_Draft]:
        deletions = cloze_deletions(source.text)
        if not deletions:
            self.problem(
                ("cards", index, "text"),
                "cloze card has no deletion; mark the answer as {{c1::answer}}",
            )
            return []
        for number, items in deletions.items():
            if any(not answer.strip() for answer, _ in items):
                self.problem(
                    ("cards", index, "text"),
                    f"deletion c{number} is empty; put the hidden text after "
                    f"'{{{{c{number}::'",
                )
                return []
        # One Anki note for the text; one card per deletion number. The text's
        # identity is matched as a whole, and each card adds its number to it.
        card = self.base(index, CardKind.CLOZE, source.text, source.text)
        card = replace(card, cloze_text=source.text)
        text_draft = self._draft(card, source.text, "", source.id)
        text_draft.cloze_numbers = tuple(deletions)
        return [text_draft]

    def _steps(self, index: int, source: StepsCard) -> list[_Draft]:
        drafts = []
        total = len(source.steps)
        for number, step in enumerate(source.steps, 1):
            around = []
            if number > 1:
                around.append(f"Step {number - 1}: {source.steps[number - 2]}")
            around.append(f"Step {number}: **?**")
            if number < total:
                around.append(f"Step {number + 1}: {source.steps[number]}")
            front = f"**{source.title}**: what is step {number} of {total}?\n\n" + (
                "\n\n".join(around)
            )
            context = "\n".join(
                f"{i}. {'**' + s + '**' if i == number else s}"
                for i, s in enumerate(source.steps, 1)
            )
            card = self.base(index, CardKind.STEP, front, step, context)
            drafts.append(
                self._draft(card, f"{source.title}\n{step}", step, None, "step")
            )
        return drafts

    def _table(self, index: int, source: TableCard) -> list[_Draft]:
        drafts = []
        for row in source.rows:
            row_context = "\n".join(
                f"- **{system}**: {row.cells[system]}"
                for system in source.systems
                if row.cells.get(system, "").strip().lower() not in EMPTY_CELLS
            )
            for system in source.systems:
                cell = row.cells.get(system, "")
                if cell.strip().lower() in EMPTY_CELLS:
                    continue
                front = f"**{source.title}**: {row.dimension} — **{system}**?"
                context = f"{row.dimension}, compared:\n\n{row_context}"
                card = self.base(index, CardKind.TABLE, front, cell, context)
                drafts.append(
                    self._draft(
                        card, f"{source.title}\n{row.dimension}\n{system}", cell, None
                    )
                )
        return drafts

    def _prompt(self) -> _Draft:
        note = self.note
        back = "**Framework**\n\n" + _checklist(note.framework)
        back += "\n\n**Sample answer**\n\n" + note.sample_answer.strip()
        context_parts = []
        if note.why:
            context_parts.append(f"**Why it is asked:** {note.why.strip()}")
        if note.evaluates:
            context_parts.append(
                "**What is evaluated:**\n\n"
                + "\n".join(f"- {e}" for e in note.evaluates)
            )
        card = self.base(
            -1, CardKind.PROMPT, note.question, back, "\n\n".join(context_parts)
        )
        card = replace(card, line=self.loaded.where(self.loc)[0])
        return self._draft(card, note.question, "", "prompt")


def _file_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def _check_unique_ids(files: Sequence[LoadedFile], problems: list[Problem]) -> None:
    seen: dict[str, str] = {}
    sections: dict[str, tuple[str, str]] = {}
    for loaded in files:
        deck = loaded.deck
        first = sections.setdefault(deck.section, (deck.title, loaded.shown))
        if first[0] != deck.title:
            problems.append(
                loaded.problem(
                    ("title",),
                    f"section {deck.section!r} is titled {first[0]!r} in {first[1]}; "
                    "use the same title in every file of a section",
                )
            )
        for index, note in enumerate(deck.notes):
            where = "{}:{}".format(
                loaded.shown, loaded.where(("notes", index, "id"))[0]
            )
            if note.id in seen:
                problems.append(
                    loaded.problem(
                        ("notes", index, "id"),
                        f"duplicate note id {note.id!r} (first used at "
                        f"{seen[note.id]}); "
                        "give this note a new id",
                    )
                )
            else:
                seen[note.id] = where
            card_ids: set[str] = set()
            for card_index, card in enumerate(note.cards):
                if card.id is None:
                    continue
                if card.id in card_ids or card.id == "prompt":
                    problems.append(
                        loaded.problem(
                            ("notes", index, "cards", card_index, "id"),
                            f"card id {card.id!r} is used twice in note {note.id!r} "
                            "(or is the reserved 'prompt'); pick another",
                        )
                    )
                card_ids.add(card.id)


def _check_html(
    cards: Sequence[Card], problems: list[Problem], decks_dir: Path
) -> None:
    from cvcards.render import unsafe_html

    seen: set[tuple[str, str]] = set()
    for card in cards:
        for name, text in (
            ("front", card.front),
            ("back", card.back),
            ("context", card.context),
        ):
            # Cloze siblings and step neighbours repeat text; report it once.
            if (card.source_file, text) in seen:
                continue
            seen.add((card.source_file, text))
            for issue in unsafe_html(text):
                problems.append(
                    Problem(
                        shown_path(decks_dir / card.source_file),
                        card.line,
                        1,
                        f"unsafe HTML in the card's {name}: {issue}; remove it "
                        "(Markdown and plain tags such as <b>, <sub> or <br> are fine)",
                    )
                )


def compile_files(
    files: Sequence[LoadedFile],
    decks_dir: Path,
    *,
    now: int,
    problems: Sequence[Problem] = (),
) -> CompiledDeck:
    """Compile loaded deck files (the lock file is read, not written).

    Args:
        files: The deck files that loaded.
        decks_dir: Their folder, which holds the lock file.
        now: Unix time recorded as the change time of edited cards.
        problems: Problems already found in files that did not load; they are
            reported together with what the compiler finds.

    Raises:
        DeckError: With every problem found across all files.
    """
    problems = list(problems)
    _check_unique_ids(files, problems)

    ordered = sorted(files, key=lambda f: (f.deck.order, f.path.name))
    drafts: list[_Draft] = []
    for loaded in ordered:
        for note_index in range(len(loaded.deck.notes)):
            drafts.extend(
                _NoteCompiler(loaded, note_index, decks_dir, problems).drafts()
            )
    if problems:
        raise DeckError(problems)

    lock = read_lock(decks_dir)
    assignment = assign((d.candidate for d in drafts), lock, now=now)

    cards: list[Card] = []
    for draft in drafts:
        identity = draft.candidate.identity
        if draft.card.kind is CardKind.CLOZE:
            text = draft.card.cloze_text
            for number in draft.cloze_numbers:
                cards.append(
                    replace(
                        draft.card,
                        identity=f"{identity}#c{number}",
                        anki_key=identity,
                        front=cloze_side(text, number, reveal=False),
                        back=cloze_side(text, number, reveal=True),
                        cloze_number=number,
                        order=len(cards),
                    )
                )
        else:
            cards.append(
                replace(
                    draft.card, identity=identity, anki_key=identity, order=len(cards)
                )
            )

    _check_html(cards, problems, decks_dir)
    if problems:
        raise DeckError(problems)

    sections: list[tuple[str, str]] = []
    for loaded in ordered:
        pair = (loaded.deck.section, loaded.deck.title)
        if pair not in sections:
            sections.append(pair)

    changed = {
        key: entry.changed
        for key, entry in assignment.lock.items()
        if not entry.retired
    }
    deck = CompiledDeck(
        cards=cards,
        retired=sorted(assignment.retired),
        created=assignment.created,
        edited=assignment.edited,
        restored=assignment.restored,
        changed=changed,
        decks_dir=str(decks_dir),
        sections=sections,
    )
    deck.lock_text = dump_lock(assignment.lock) if assignment.changed else None
    return deck


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file through a temporary file and a rename, so it is never partial."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def compile_decks(
    decks_dir: Path, *, now: int, update_lock: bool = True, cwd: Path | None = None
) -> CompiledDeck:
    """Load, check and compile a decks directory.

    Args:
        decks_dir: Folder holding the deck ``.yaml`` files and the lock file.
        now: Unix time (seconds) recorded as the change time of edited cards.
        update_lock: Write the lock file when identities or contents changed.
            A caller that writes other outputs first passes False and calls
            :func:`save_lock` once they are written.
        cwd: Directory that paths in messages are shown relative to.

    Raises:
        DeckError: With every problem found in the sources.
    """
    files, problems = load_all(decks_dir, cwd)
    deck = compile_files(files, decks_dir, now=now, problems=problems)
    if update_lock:
        save_lock(deck)
    deck.fingerprint = source_fingerprint(decks_dir)
    return deck


def save_lock(deck: CompiledDeck) -> bool:
    """Write the deck's lock file if the build changed it; say whether it did."""
    if deck.lock_text is None:
        return False
    write_atomically(Path(deck.decks_dir) / LOCK_NAME, deck.lock_text.encode())
    deck.lock_text = None
    deck.fingerprint = source_fingerprint(Path(deck.decks_dir))
    return True
