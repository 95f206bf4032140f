"""Tests of the terminal session, driven by scripted keys and a stepping clock."""

from __future__ import annotations

import io
import sqlite3
import stat
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from cvcards.collection import Collection
from cvcards.scheduler import ReviewConfig, Scheduler
from cvcards.session import (
    ReviewSession,
    ScriptedKeys,
    SessionResult,
    editor_command,
    format_elapsed,
)
from review_factories import T0, SteppingClock, make_card, make_deck, notes_deck


def _session(
    tmp_path: Path,
    keys: str | list[str],
    *,
    cards: int = 3,
    config: ReviewConfig | None = None,
    **options: object,
) -> tuple[ReviewSession, io.StringIO]:
    collection = Collection.open(tmp_path / "collection.sqlite3", now=T0)
    if collection.totals()["live"] == 0:
        collection.sync(make_deck(notes_deck(cards, 1), tmp_path / "decks"), now=T0)
    output = io.StringIO()
    session = ReviewSession(
        collection=collection,
        scheduler=Scheduler(config or ReviewConfig()),
        console=Console(file=output, width=100),
        keys=ScriptedKeys(keys),
        clock=SteppingClock(),
        tz=UTC,
        session_id="s1",
        decks_dir=tmp_path / "decks",
        **options,  # type: ignore[arg-type]
    )
    return session, output


def _log(path: Path) -> list[tuple[int, int, int]]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT card_id, rating, duration_ms FROM reviews ORDER BY id"
        )
        log = [tuple(row) for row in rows]
    db.close()
    return log  # type: ignore[return-value]


def test_reveal_rate_undo_and_quit(tmp_path: Path) -> None:
    session, output = _session(tmp_path, ["u", " ", "3", " ", "u", " ", "4", "q"])

    result = session.run()

    assert _log(tmp_path / "collection.sqlite3") == [(1, 4, 5000)]
    assert result.reviewed == 1 and result.quit
    text = output.getvalue()
    assert "Nothing to undo yet." in text
    assert "Undone: the rating of n000/0000" in text
    assert "Stopped early; every rating given so far is saved." in text


def test_deck_text_is_shown_as_written_never_as_markup(tmp_path: Path) -> None:
    collection = Collection.open(tmp_path / "collection.sqlite3", now=T0)
    card = make_card("x[/b]", 0, diagram="d[/i].svg")
    collection.sync(make_deck([card], tmp_path / "decks"), now=T0)
    session, output = _session(tmp_path, ["d", " ", "3", "u", "q"])

    session.run()

    text = output.getvalue()
    assert "Detection · X[/B]" in text
    assert "Diagram d[/i].svg is not rendered yet" in text
    assert "Undone: the rating of x[/b]/0000" in text


def test_rating_buttons_show_the_scheduler_intervals(tmp_path: Path) -> None:
    session, output = _session(tmp_path, [" ", "q"], config=ReviewConfig(fuzz=False))

    session.run()

    text = output.getvalue()
    for shown in ("1  Again 1m", "2  Hard 6m", "3  Good 10m", "4  Easy 8d"):
        assert shown in text
    assert "New 3  Learning 0  Review 0" in text
    assert "Question 0 of n000?" in text and "Answer 0 of n000." in text


def test_session_ends_when_the_queue_is_done(tmp_path: Path) -> None:
    session, output = _session(tmp_path, [" ", "4", " ", "4", " ", "1"] + ["x"] * 3)
    session.new_limit = 2

    result = session.run()

    assert result == SessionResult(
        reviewed=2,
        again=0,
        elapsed=result.elapsed,
        due_tomorrow=0,
        quit=False,
    )
    assert "Nothing more is due today." in output.getvalue()
    assert "Cards reviewed  2" in output.getvalue()


def test_learning_cards_due_later_are_announced(tmp_path: Path) -> None:
    config = ReviewConfig(learning_steps=(timedelta(hours=1),))
    session, output = _session(tmp_path, [" ", "1"], config=config)
    session.new_limit = 1

    result = session.run()

    assert result.learning_later is not None
    assert result.learning_later - T0 == timedelta(hours=1, seconds=15)
    assert result.again == 1 and result.due_tomorrow == 1
    assert "next at 10:00" in output.getvalue()


def test_cards_of_one_note_alternate_with_another(tmp_path: Path) -> None:
    collection = Collection.open(tmp_path / "collection.sqlite3", now=T0)
    collection.sync(make_deck(notes_deck(2, 2), tmp_path / "decks"), now=T0)
    session, _ = _session(tmp_path, [" ", "4"] * 4)

    session.run()

    with sqlite3.connect(tmp_path / "collection.sqlite3") as db:
        notes = [
            n
            for (n,) in db.execute(
                "SELECT c.note_id FROM reviews r JOIN cards c ON c.id = r.card_id"
                " ORDER BY r.id"
            )
        ]
    db.close()
    assert notes == ["n000", "n001", "n000", "n001"]


def test_diagram_path_is_printed_without_a_viewer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    figure = tmp_path / "figure.svg"
    figure.write_text("<svg/>")
    collection = Collection.open(tmp_path / "collection.sqlite3", now=T0)
    cards = [
        make_card("a", 0, diagram="figure.svg"),
        make_card("b", 1, diagram="x.svg"),
    ]
    collection.sync(make_deck([*cards, make_card("c", 2)], tmp_path / "decks"), now=T0)
    found = {"figure.svg": figure}
    session, output = _session(
        tmp_path,
        ["d", " ", "3", "d", " ", "3", "d", "q"],
        find_diagram=found.get,
    )

    session.run()

    text = output.getvalue()
    assert f"Diagram: {figure}" in text
    assert "Diagram x.svg is not rendered yet" in text
    assert "This card has no diagram." in text


def test_diagram_opens_in_the_viewer_when_there_is_one(tmp_path: Path) -> None:
    figure = tmp_path / "figure.svg"
    figure.write_text("<svg/>")
    collection = Collection.open(tmp_path / "collection.sqlite3", now=T0)
    card = make_card("a", 0, diagram="figure.svg")
    collection.sync(make_deck([card], tmp_path / "decks"), now=T0)
    opened: list[Path] = []

    def viewer(path: Path) -> bool:
        opened.append(path)
        return True

    session, output = _session(
        tmp_path, ["d", "q"], find_diagram={"figure.svg": figure}.get, viewer=viewer
    )
    session.run()

    assert opened == [figure]
    assert "Diagram:" not in output.getvalue()


def test_edit_opens_the_source_at_the_card_line(tmp_path: Path) -> None:
    record = tmp_path / "editor-args.txt"
    editor = tmp_path / "fake-editor"
    editor.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    collection = Collection.open(tmp_path / "collection.sqlite3", now=T0)
    collection.sync(make_deck([make_card("a", 0, line=42)], tmp_path / "decks"), now=T0)
    session, output = _session(tmp_path, ["e", "q"], editor=str(editor))

    session.run()

    assert record.read_text().splitlines() == [
        "+42",
        str(tmp_path / "decks" / "detection.yaml"),
    ]
    assert "Saved edits show from the next session." in output.getvalue()


def test_edit_without_an_editor_says_where_the_card_is(tmp_path: Path) -> None:
    session, output = _session(tmp_path, ["e", "q"])

    session.run()

    assert f"{tmp_path / 'decks' / 'detection.yaml'}:1" in output.getvalue()
    assert "Set $EDITOR" in output.getvalue()


@pytest.mark.parametrize(
    ("editor", "expected"),
    [
        pytest.param("vim", ["vim", "+7", "f.yaml"], id="vim"),
        pytest.param("nano -w", ["nano", "-w", "+7", "f.yaml"], id="with-arguments"),
        pytest.param(
            "/usr/bin/code --wait",
            ["/usr/bin/code", "--wait", "-g", "f.yaml:7"],
            id="vscode",
        ),
        pytest.param("subl", ["subl", "f.yaml:7"], id="sublime"),
    ],
)
def test_editor_command(editor: str, expected: list[str]) -> None:
    assert editor_command(editor, Path("f.yaml"), 7) == expected


@pytest.mark.parametrize(
    ("elapsed", "shown"),
    [
        pytest.param(timedelta(seconds=12), "12s", id="seconds"),
        pytest.param(timedelta(minutes=4, seconds=5), "4m 05s", id="minutes"),
        pytest.param(timedelta(hours=1, minutes=2), "1h 02m", id="hours"),
    ],
)
def test_format_elapsed(elapsed: timedelta, shown: str) -> None:
    assert format_elapsed(elapsed) == shown


def test_end_of_keys_quits_keeping_ratings(tmp_path: Path) -> None:
    session, _ = _session(tmp_path, [" ", "2", " "])

    result = session.run()

    assert result.quit and result.reviewed == 1
    assert _log(tmp_path / "collection.sqlite3")[0][:2] == (1, 2)
