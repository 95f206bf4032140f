"""Write a compiled deck as an Anki package (.apkg) that re-imports cleanly.

What makes re-importing safe:

- Note type ids and deck ids are constants (deck ids derive from the section id
  alone), so Anki never sees a new note type or deck for the same thing.
- Each note's GUID derives from the card's stable identity, never its text.
- Each note's ``mod`` is the time its content last changed (from the lock
  file), so Anki updates exactly the notes that were edited and leaves the
  rest, including whatever the learner changed inside Anki, alone.
- The fields of each note type are fixed once, with an ``Extra`` field to grow
  into, because Anki refuses updates to notes whose note type changed shape.

The package is byte-identical for identical input: the collection timestamp
is the newest change time, zip entries carry a fixed date, and media are named
by their content hash.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvcards.cards import Card, CardKind, CompiledDeck, Diagram
from cvcards.render import HtmlCache, pygments_css

ROOT_DECK = "CV Interview"
ROOT_DECK_ID = 1_764_800_000_000
BASIC_MODEL_ID = 1_764_800_000_101
CLOZE_MODEL_ID = 1_764_800_000_102
PROMPT_MODEL_ID = 1_764_800_000_103

BASIC_FIELDS = ["Front", "Back", "Context", "FrontDiagram", "Diagram", "Section",
                "Source", "Identity", "Extra"]  # fmt: skip
CLOZE_FIELDS = ["Text", "Context", "Diagram", "Section", "Source", "Identity", "Extra"]
PROMPT_FIELDS = ["Question", "Answer", "Context", "Diagram", "Section", "Source",
                 "Identity", "Extra"]  # fmt: skip
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

CSS = """\
.card { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 19px; line-height: 1.45; text-align: left; color: #1d1d1f;
  background: #ffffff; max-width: 46em; margin: 0 auto; padding: 0 0.6em; }
.nightMode.card, .night_mode.card, .card.nightMode {
  color: #e8e8ea; background: #1e1f22; }
.cv-section { font-size: 12px; letter-spacing: 0.04em; text-transform: uppercase;
  color: #6b6f76; margin-bottom: 0.6em; }
.cv-back { font-weight: 500; }
.cv-context, .cv-source, .cv-extra {
  margin-top: 1em; font-size: 16px; color: #44474d; }
.nightMode .cv-context, .nightMode .cv-source, .nightMode .cv-extra,
.night_mode .cv-context, .night_mode .cv-source, .night_mode .cv-extra {
  color: #b9bcc2; }
.cv-source { font-size: 13px; font-style: italic; }
.cv-diagram { margin: 0.8em 0; text-align: center; }
.cv-diagram img { max-width: 100%; height: auto; border-radius: 6px; }
.cv-caption { font-size: 13px; color: #6b6f76; }
.cloze { font-weight: 600; color: #0b63c5; }
.nightMode .cloze, .night_mode .cloze { color: #7fb6ff; }
code { font-family: "JetBrains Mono", Menlo, Consolas, monospace; font-size: 0.9em;
  background: rgba(127, 127, 127, 0.14); padding: 0.05em 0.3em; border-radius: 3px; }
.highlight { border-radius: 6px; padding: 0.2em 0.8em; overflow-x: auto;
  font-size: 15px; }
.highlight pre { margin: 0.5em 0; }
.highlight code { background: transparent; padding: 0; }
.nightMode .highlight, .night_mode .highlight { background: #272822; }
table { border-collapse: collapse; }
td, th { border: 1px solid #8884; padding: 0.2em 0.5em; }
"""

HEADER = '<div class="cv-section">{{Section}}</div>\n'
FOOTER = (
    '{{#Diagram}}<div class="cv-diagram">{{Diagram}}</div>{{/Diagram}}\n'
    '{{#Context}}<div class="cv-context">{{Context}}</div>{{/Context}}\n'
    '{{#Source}}<div class="cv-source">Source: {{Source}}</div>{{/Source}}\n'
    '{{#Extra}}<div class="cv-extra">{{Extra}}</div>{{/Extra}}'
)


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote."""

    path: Path
    notes: int
    cards: int
    media: int
    sha256: str


def deck_id(section: str) -> int:
    """Return the fixed Anki deck id of a section (a constant per section id)."""
    digest = hashlib.sha256(f"cvcards-deck:{section}".encode()).digest()
    return 1_700_000_000_000 + int.from_bytes(digest[:5], "big") % 10**11


def deck_name(card: Card, sections: list[tuple[str, str]]) -> str:
    """Return the Anki subdeck name of a card's section, numbered in guide order."""
    position = next(
        (index for index, (sid, _) in enumerate(sections, 1) if sid == card.section), 0
    )
    return f"{ROOT_DECK}::{position:02d} {card.section_title}"


def _models() -> dict[str, Any]:
    import genanki

    css = CSS + pygments_css()

    def model(
        model_id: int,
        name: str,
        fields: list[str],
        template: str,
        question: str,
        answer: str,
        model_type: int = genanki.Model.FRONT_BACK,
    ) -> Any:
        return genanki.Model(
            model_id,
            name,
            fields=[{"name": field} for field in fields],
            templates=[{"name": template, "qfmt": question, "afmt": answer}],
            css=css,
            model_type=model_type,
        )

    reveal = '{{FrontSide}}\n<hr id="answer">\n'
    cloze_text = '<div class="cv-front">{{cloze:Text}}</div>'
    return {
        "basic": model(
            BASIC_MODEL_ID,
            "cvcards basic",
            BASIC_FIELDS,
            "Card",
            HEADER + '<div class="cv-front">{{Front}}</div>\n'
            '{{#FrontDiagram}}<div class="cv-diagram">{{FrontDiagram}}</div>'
            "{{/FrontDiagram}}",
            reveal + '<div class="cv-back">{{Back}}</div>\n' + FOOTER,
        ),
        "cloze": model(
            CLOZE_MODEL_ID,
            "cvcards cloze",
            CLOZE_FIELDS,
            "Cloze",
            HEADER + cloze_text,
            HEADER + cloze_text + "\n" + FOOTER,
            genanki.Model.CLOZE,
        ),
        "prompt": model(
            PROMPT_MODEL_ID,
            "cvcards interview prompt",
            PROMPT_FIELDS,
            "Prompt",
            HEADER + '<div class="cv-front"><i>Answer as in an interview:</i><br>'
            "{{Question}}</div>",
            reveal + '<div class="cv-answer">{{Answer}}</div>\n' + FOOTER,
        ),
    }


def _diagram_html(diagrams: tuple[Diagram, ...]) -> str:
    parts = []
    for diagram in diagrams:
        alt = html.escape(diagram.name.replace("_", " "), quote=True)
        parts.append(f'<img src="{diagram.filename}" alt="{alt}">')
    return "".join(parts)


def _source(card: Card, render: HtmlCache) -> str:
    if card.source.strip().lower() == "guide":
        return html.escape(f"the guide, “{card.section_title}”")
    return render.html(card.source)


def media_name(path: Path) -> str:
    """Return the content-hash name a media file travels under in the package."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:20]
    return f"cvcards-{digest}{path.suffix.lower()}"


def _fields(
    card: Card, media_names: Mapping[str, str], render: HtmlCache
) -> tuple[str, list[str]]:
    context = render.html(card.context) if card.context else ""
    diagram = _diagram_html(card.diagrams) + "".join(
        f'<img src="{media_names[path]}" alt="">' for path in card.media
    )
    common = [
        context,
        diagram,
        html.escape(card.section_title),
        _source(card, render),
        html.escape(card.anki_key),
        "",
    ]
    if card.kind is CardKind.CLOZE:
        return "cloze", [render.html(card.cloze_text, keep_cloze=True), *common]
    if card.kind is CardKind.PROMPT:
        return "prompt", [render.html(card.front), render.html(card.back), *common]
    front_diagram = _diagram_html(card.front_diagrams)
    return "basic", [
        render.html(card.front),
        render.html(card.back),
        context,
        front_diagram,
        *common[1:],
    ]


def _zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_package(
    deck: CompiledDeck,
    output: Path,
    diagram_files: Mapping[str, Path],
    *,
    render: HtmlCache | None = None,
) -> ExportReport:
    """Write the deck to ``output`` atomically.

    Args:
        deck: The compiled deck.
        output: Where the .apkg goes; replaced only once fully written.
        diagram_files: Rendered file of each diagram, by file name.
        render: HTML cache to render through; a rebuild that passes the cache
            of the previous build renders only the text that changed.

    Returns:
        Counts and the package's SHA-256.
    """
    import genanki

    render = render if render is not None else HtmlCache()
    models = _models()
    decks: dict[str, Any] = {}
    media: dict[str, Path] = {}
    mod_by_guid: dict[str, int] = {}

    # One Anki note per anki_key: cloze cards of the same text share one note.
    seen: set[str] = set()
    for card in deck.cards:
        if card.anki_key in seen:
            continue
        seen.add(card.anki_key)

        media_names = {path: media_name(Path(path)) for path in card.media}
        for path, name in media_names.items():
            media[name] = Path(path)
        for diagram in (*card.diagrams, *card.front_diagrams):
            media[diagram.filename] = diagram_files[diagram.filename]

        model_name, fields = _fields(card, media_names, render)
        guid = genanki.guid_for("cvcards", card.anki_key)
        note = genanki.Note(
            model=models[model_name],
            fields=fields,
            tags=list(card.tags),
            guid=guid,
            due=card.order,
        )
        name = deck_name(card, deck.sections)
        if name not in decks:
            decks[name] = genanki.Deck(deck_id(card.section), name)
        decks[name].add_note(note)
        mod_by_guid[guid] = deck.changed.get(card.anki_key, 0)

    # The root deck holds no notes but fixes its id, so it never duplicates.
    root = genanki.Deck(ROOT_DECK_ID, ROOT_DECK)
    package = genanki.Package([root, *(decks[name] for name in sorted(decks))])
    timestamp = max(mod_by_guid.values(), default=0)

    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "collection.anki2"
        connection = sqlite3.connect(database)
        cursor = connection.cursor()
        package.write_to_db(cursor, timestamp, itertools.count(timestamp * 1000))
        cursor.executemany(
            "UPDATE notes SET mod = ? WHERE guid = ?",
            [(mod, guid) for guid, mod in mod_by_guid.items()],
        )
        connection.commit()
        connection.close()

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(_zip_entry("collection.anki2"), database.read_bytes())
            names = sorted(media)
            manifest = {str(index): name for index, name in enumerate(names)}
            archive.writestr(_zip_entry("media"), json.dumps(manifest, sort_keys=True))
            for index, name in enumerate(names):
                archive.writestr(_zip_entry(str(index)), media[name].read_bytes())

    data = buffer.getvalue()
    from cvcards.compiler import write_atomically

    write_atomically(output, data)
    return ExportReport(
        path=output,
        notes=len(seen),
        cards=len(deck.cards),
        media=len(media),
        sha256=hashlib.sha256(data).hexdigest(),
    )
