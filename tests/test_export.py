"""The .apkg imports into the real Anki backend, and re-imports never duplicate."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cvcards.cards import CompiledDeck
from cvcards.compiler import compile_decks
from cvcards.export import (
    BASIC_MODEL_ID,
    CLOZE_MODEL_ID,
    PROMPT_MODEL_ID,
    write_package,
)

FIRST_BUILD = 1_700_000_000  # in the past, like a real earlier build
LATER = FIRST_BUILD + 86_400
NOTE_TEXT = "Duplicate boxes of the same object."


def diagram_files(deck: CompiledDeck, out_dir: Path) -> dict[str, Path]:
    from cvcards.diagrams.render import render

    specs = {
        d.filename: (d.generator, d.params)
        for card in deck.cards
        for d in (*card.diagrams, *card.front_diagrams)
    }
    results = render(list(specs.values()), out_dir)
    return {result.path.name: result.path for result in results}


def build(decks: Path, output: Path, now: int, diagrams: Path) -> CompiledDeck:
    deck = compile_decks(decks, now=now)
    write_package(deck, output, diagram_files(deck, diagrams))
    return deck


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Any]:
    from anki.collection import Collection

    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


def import_package(col: Any, package: Path) -> dict[str, int]:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    log = col.import_anki_package(
        ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions()
        )
    ).log
    return {
        "new": len(log.new),
        "updated": len(log.updated),
        "duplicate": len(log.duplicate),
        "conflicting": len(log.conflicting),
    }


def note_by_text(col: Any, text: str) -> Any:
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        if any(text in field for field in note.fields):
            return note
    raise AssertionError(f"no note contains {text!r}")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_import_gives_every_note_card_deck_tag_and_medium(
    starter: Path, tmp_path: Path, collection: Any
) -> None:
    package = tmp_path / "deck.apkg"
    deck = build(starter, package, FIRST_BUILD, tmp_path / "diagrams")

    counts = import_package(collection, package)

    notes = len({card.anki_key for card in deck.cards})
    assert counts == {"new": notes, "updated": 0, "duplicate": 0, "conflicting": 0}
    assert collection.card_count() == len(deck.cards) == 12
    names = {entry.name for entry in collection.decks.all_names_and_ids()}
    assert "CV Interview::01 Detection and segmentation" in names
    models = {collection.get_note(nid).mid for nid in collection.find_notes("")}
    assert models == {BASIC_MODEL_ID, CLOZE_MODEL_ID, PROMPT_MODEL_ID}

    note = note_by_text(collection, NOTE_TEXT)
    assert {"cvcards", "section::detection", "topic::nms", "kind::basic"} <= set(
        note.tags
    )
    media = Path(collection.media.dir())
    image = re.search(r'<img src="([^"]+)"', note["Diagram"])
    assert image and (media / image.group(1)).is_file()
    assert image.group(1).endswith(".svg")


def test_every_card_renders_without_template_errors(
    starter: Path, tmp_path: Path, collection: Any
) -> None:
    package = tmp_path / "deck.apkg"
    build(starter, package, FIRST_BUILD, tmp_path / "diagrams")
    import_package(collection, package)

    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        question, answer = (
            re.sub(r"<style>.*?</style>", "", side, flags=re.DOTALL)
            for side in (card.question(), card.answer())
        )
        for side in (question, answer):
            # Anki writes template problems into the card instead of raising.
            for sign in ("error", "unknown field", "blank", "{{"):
                assert sign not in side.lower(), side
        assert len(answer) > len(question) or "cloze" in answer


def test_fields_keep_math_and_highlight_code(
    starter: Path, tmp_path: Path, collection: Any
) -> None:
    package = tmp_path / "deck.apkg"
    build(starter, package, FIRST_BUILD, tmp_path / "diagrams")
    import_package(collection, package)

    math = note_by_text(collection, "area of a box")
    assert r"\((x_1, y_1, x_2, y_2)\)" in math["Front"]
    assert r"\((x_2 - x_1)(y_2 - y_1)\)" in math["Back"]
    code = note_by_text(collection, "IoU of two boxes in NumPy")
    assert 'class="highlight"' in code["Back"]
    css = collection.models.get(BASIC_MODEL_ID)["css"]
    assert ".nightMode .highlight" in css and ".highlight .k" in css
    cloze = note_by_text(collection, "Greedy NMS keeps")
    assert "{{c1::highest-scoring}}" in cloze["Text"]
    assert "{{c2::the threshold::a parameter}}" in cloze["Text"]


def test_rebuilding_without_changes_is_byte_identical(
    starter: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    build(starter, first, FIRST_BUILD, tmp_path / "diagrams")
    build(starter, second, LATER, tmp_path / "diagrams")

    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {
            (1980, 1, 1, 0, 0, 0)
        }


def test_note_mod_is_the_time_its_content_changed(
    starter: Path, tmp_path: Path, collection: Any
) -> None:
    build(starter, tmp_path / "a.apkg", FIRST_BUILD, tmp_path / "diagrams")
    edit(starter / "detection.yaml", NOTE_TEXT, "Duplicate boxes of one object.")
    package = tmp_path / "b.apkg"
    build(starter, package, LATER, tmp_path / "diagrams")

    import_package(collection, package)

    mods = {
        collection.get_note(nid)["Identity"]: collection.get_note(nid).mod
        for nid in collection.find_notes("")
    }
    edited = note_by_text(collection, "Duplicate boxes of one object.")
    assert edited.mod == LATER
    assert sorted(set(mods.values())) == [FIRST_BUILD, LATER]


def schedule(col: Any, note: Any) -> tuple[int, int, int]:
    """Give the note's card a review history inside Anki; return its schedule."""
    card = note.cards()[0]
    card.type = card.queue = 2
    card.ivl, card.due, card.reps = 21, col.sched.today + 21, 5
    col.update_card(card)
    card = col.get_card(card.id)
    return card.ivl, card.due, card.reps


def test_typo_fix_updates_one_note_and_keeps_its_scheduling(
    starter: Path, tmp_path: Path, collection: Any
) -> None:
    first = tmp_path / "a.apkg"
    build(starter, first, FIRST_BUILD, tmp_path / "diagrams")
    import_package(collection, first)
    note = note_by_text(collection, NOTE_TEXT)
    card_id = note.cards()[0].id
    scheduled = schedule(collection, note)

    edit(starter / "detection.yaml", NOTE_TEXT, "Duplicate boxes of one object.")
    second = tmp_path / "b.apkg"
    build(starter, second, LATER, tmp_path / "diagrams")
    notes_before = len(collection.find_notes(""))
    counts = import_package(collection, second)

    # Anki lists unchanged notes it already has as "duplicate": skipped, not added.
    assert counts == {"new": 0, "updated": 1, "duplicate": 10, "conflicting": 0}
    assert len(collection.find_notes("")) == notes_before
    updated = collection.get_note(note.id)
    assert updated["Back"] == "Duplicate boxes of one object."
    card = collection.get_card(card_id)
    assert (card.ivl, card.due, card.reps) == scheduled


def test_reimporting_an_unchanged_build_changes_nothing(
    starter: Path, tmp_path: Path, collection: Any
) -> None:
    package = tmp_path / "a.apkg"
    build(starter, package, FIRST_BUILD, tmp_path / "diagrams")
    first = import_package(collection, package)
    note = note_by_text(collection, NOTE_TEXT)
    # The learner edits a field inside Anki; a re-import must not undo that.
    note["Extra"] = "my own mnemonic"
    collection.update_note(note)

    counts = import_package(collection, package)

    assert first["new"] == 11
    assert counts == {"new": 0, "updated": 0, "duplicate": 11, "conflicting": 0}
    assert len(collection.find_notes("")) == 11
    assert collection.get_note(note.id)["Extra"] == "my own mnemonic"


def test_reworded_front_and_inserted_card_through_anki(
    starter: Path, tmp_path: Path, collection: Any
) -> None:
    first = tmp_path / "a.apkg"
    build(starter, first, FIRST_BUILD, tmp_path / "diagrams")
    import_package(collection, first)
    before = set(collection.find_notes(""))

    edit(
        starter / "detection.yaml",
        "What does NMS remove from a detector's output?",
        "Non-maximum suppression exists to remove what?",
    )
    edit(
        starter / "detection.yaml",
        "      - kind: cloze\n",
        "      - front: Which score does NMS sort by?\n"
        "        back: The detector's confidence.\n      - kind: cloze\n",
    )
    second = tmp_path / "b.apkg"
    build(starter, second, LATER, tmp_path / "diagrams")
    counts = import_package(collection, second)

    assert counts == {"new": 1, "updated": 1, "duplicate": 10, "conflicting": 0}
    assert before < set(collection.find_notes(""))
    assert len(collection.find_notes("")) == len(before) + 1


def test_media_travel_under_content_hash_names(starter: Path, tmp_path: Path) -> None:
    (starter / "media").mkdir()
    image = starter / "media" / "photo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(64)))
    edit(
        starter / "detection.yaml",
        "        diagram: overlap\n",
        "        diagram: overlap\n        media: media/photo.png\n",
    )
    package = tmp_path / "a.apkg"
    build(starter, package, FIRST_BUILD, tmp_path / "diagrams")

    with zipfile.ZipFile(package) as archive:
        names = set(json.loads(archive.read("media")).values())
    digest = hashlib.sha256(image.read_bytes()).hexdigest()[:20]
    assert f"cvcards-{digest}.png" in names


def test_a_rebuild_renders_only_the_edited_text(starter: Path, tmp_path: Path) -> None:
    from cvcards.render import HtmlCache

    first = HtmlCache()
    deck = compile_decks(starter, now=FIRST_BUILD)
    files = diagram_files(deck, tmp_path / "diagrams")
    write_package(deck, tmp_path / "a.apkg", files, render=first)
    edit(starter / "detection.yaml", NOTE_TEXT, "Duplicate boxes of one object.")
    second = HtmlCache(first.used)
    fresh = HtmlCache()

    deck = compile_decks(starter, now=LATER)
    write_package(deck, tmp_path / "b.apkg", files, render=second)
    write_package(deck, tmp_path / "c.apkg", files, render=fresh)

    assert first.rendered > 20
    assert second.rendered == 1
    assert (tmp_path / "b.apkg").read_bytes() == (tmp_path / "c.apkg").read_bytes()


def test_note_types_keep_their_fields_and_templates(
    starter: Path, tmp_path: Path, collection: Any
) -> None:
    # Anki refuses updates to notes whose note type changed shape, so these
    # names are a promise to every learner who imported an earlier build.
    package = tmp_path / "deck.apkg"
    build(starter, package, FIRST_BUILD, tmp_path / "diagrams")
    import_package(collection, package)

    shapes = {
        model["id"]: (
            model["name"],
            [field["name"] for field in model["flds"]],
            [template["name"] for template in model["tmpls"]],
        )
        for model in collection.models.all()
        if model["name"].startswith("cvcards")
    }

    assert shapes == {
        BASIC_MODEL_ID: (
            "cvcards basic",
            [
                "Front",
                "Back",
                "Context",
                "FrontDiagram",
                "Diagram",
                "Section",
                "Source",
                "Identity",
                "Extra",
            ],
            ["Card"],
        ),
        CLOZE_MODEL_ID: (
            "cvcards cloze",
            ["Text", "Context", "Diagram", "Section", "Source", "Identity", "Extra"],
            ["Cloze"],
        ),
        PROMPT_MODEL_ID: (
            "cvcards interview prompt",
            [
                "Question",
                "Answer",
                "Context",
                "Diagram",
                "Section",
                "Source",
                "Identity",
                "Extra",
            ],
            ["Prompt"],
        ),
    }


def test_reorder_and_move_to_another_file_change_no_note_in_anki(
    starter: Path, tmp_path: Path, collection: Any
) -> None:
    build(starter, tmp_path / "a.apkg", FIRST_BUILD, tmp_path / "diagrams")
    import_package(collection, tmp_path / "a.apkg")
    before = {nid: collection.get_note(nid).guid for nid in collection.find_notes("")}
    # Move the whole note into another file, with its cards in reverse order.
    source = starter / "detection.yaml"
    text = source.read_text()
    head, cards = text.split("    cards:\n")
    items = ["      - " + item for item in re.split(r"(?m)^      - ", cards)[1:]]
    source.unlink()
    (starter / "moved.yaml").write_text(head + "    cards:\n" + "".join(items[::-1]))

    build(starter, tmp_path / "b.apkg", LATER, tmp_path / "diagrams")
    counts = import_package(collection, tmp_path / "b.apkg")

    assert counts["new"] == counts["conflicting"] == 0
    assert {
        nid: collection.get_note(nid).guid for nid in collection.find_notes("")
    } == (before)


def test_deleted_card_leaves_the_other_notes_alone_in_anki(
    starter: Path, tmp_path: Path, collection: Any
) -> None:
    build(starter, tmp_path / "a.apkg", FIRST_BUILD, tmp_path / "diagrams")
    import_package(collection, tmp_path / "a.apkg")
    edit(
        starter / "detection.yaml",
        "      - front: What does NMS remove from a detector's output?\n"
        "        back: Duplicate boxes of the same object.\n"
        "        diagram: overlap\n",
        "",
    )

    deck = build(starter, tmp_path / "b.apkg", LATER, tmp_path / "diagrams")
    counts = import_package(collection, tmp_path / "b.apkg")

    assert len(deck.retired) == 1
    assert counts == {"new": 0, "updated": 0, "duplicate": 10, "conflicting": 0}


def test_identical_text_in_two_notes_makes_two_anki_notes(
    starter: Path, tmp_path: Path, collection: Any
) -> None:
    path = starter / "detection.yaml"
    text = path.read_text()
    note = text[text.index("  - id: nms-basics") :]
    path.write_text(text + note.replace("id: nms-basics", "id: nms-copy"))

    build(starter, tmp_path / "a.apkg", FIRST_BUILD, tmp_path / "diagrams")
    counts = import_package(collection, tmp_path / "a.apkg")

    assert counts["new"] == 22
    notes = [collection.get_note(nid) for nid in collection.find_notes("")]
    twins = [n for n in notes if "Back" in n.keys() and n["Back"] == NOTE_TEXT]
    assert len(twins) == 2 and twins[0].guid != twins[1].guid
