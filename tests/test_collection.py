"""Tests of the SQLite collection: safety on open, migrations, sync, the log, queues."""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cvcards import collection as collection_module
from cvcards.cards import CardKind
from cvcards.collection import (
    APPLICATION_ID,
    MIGRATIONS,
    Collection,
    Filters,
    Migration,
    Queue,
    SyncReport,
    check_integrity,
)
from cvcards.errors import CollectionError
from cvcards.scheduler import REVIEW, ReviewConfig, Scheduler, learner_day
from review_factories import T0, corrupted_collection, make_card, make_deck, notes_deck

SCHEDULER = Scheduler(ReviewConfig(fuzz=True))
ALL_CARDS = Filters()


def _open(path: Path) -> Collection:
    return Collection.open(path, now=T0)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _queue(
    now: datetime = T0,
    *,
    filters: Filters = ALL_CARDS,
    new_limit: int = 20,
    review_limit: int = 200,
) -> Queue:
    day = learner_day(now, rollover_hour=4, tz=UTC)
    return Queue(
        now=now,
        day=day,
        filters=filters,
        new_limit=new_limit,
        review_limit=review_limit,
    )


def _rate(col: Collection, card_id: int, rating: int, when: datetime = T0) -> int:
    return col.record(
        card_id,
        rating,
        when=when,
        duration_ms=1500,
        session="test",
        scheduler=SCHEDULER,
        scheduler_id=col.scheduler_id(SCHEDULER),
    )


def _card_row(path: Path, card_id: int) -> tuple[object, ...]:
    with sqlite3.connect(path) as db:
        row: tuple[object, ...] = db.execute(
            "SELECT * FROM cards WHERE id = ?", (card_id,)
        ).fetchone()
    return row


@pytest.fixture
def collection(tmp_path: Path) -> Collection:
    col = _open(tmp_path / "collection.sqlite3")
    col.sync(make_deck(notes_deck(4, 3), tmp_path / "decks"), now=T0)
    return col


# -- opening safely ---------------------------------------------------------


def test_new_collection_is_marked_strict_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "collection.sqlite3"

    with _open(path) as col:
        assert col.migrations() == [m.name for m in MIGRATIONS]

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = db.execute(
            "SELECT name, strict FROM pragma_table_list WHERE schema = 'main'"
            " AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    assert {name for name, _ in tables} >= {"cards", "reviews", "meta", "migrations"}
    assert all(strict for _, strict in tables)


def test_reopening_takes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "collection.sqlite3"
    _open(path).close()
    _open(path).close()

    assert list(tmp_path.glob("*.bak")) == []


def test_migration_runs_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "collection.sqlite3"
    with _open(path) as col:
        col.sync(make_deck(notes_deck(1, 2), tmp_path / "decks"), now=T0)
    extra = Migration("0002_extra", ("CREATE TABLE extra (x INTEGER) STRICT",))

    with Collection.open(path, now=T0, migrations=(*MIGRATIONS, extra)) as col:
        assert col.migrations() == ["0001_initial", "0002_extra"]

    (backup,) = tmp_path.glob("*.bak")
    assert backup.name == "collection.sqlite3.before-0002_extra.20260302T090000Z.bak"
    with sqlite3.connect(backup) as db:
        assert [n for (n,) in db.execute("SELECT name FROM migrations")] == [
            "0001_initial"
        ]
        assert db.execute("SELECT count(*) FROM cards").fetchone()[0] == 2


def test_collection_of_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "collection.sqlite3"
    extra = Migration("0099_future", ("CREATE TABLE future (x INTEGER) STRICT",))
    Collection.open(path, now=T0, migrations=(*MIGRATIONS, extra)).close()
    before = _digest(path)

    with pytest.raises(CollectionError, match="newer cvcards .*0099_future"):
        _open(path)
    assert _digest(path) == before


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        db.execute("INSERT INTO notes (body) VALUES ('not ours')")
    # The context manager commits but does not close.
    db.close()


def _foreign_wal_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.close()


def _text_file(path: Path) -> None:
    path.write_text("shopping list\n" * 500)


def _empty_file(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(_foreign_sqlite, "is not a cvcards collection", id="other-sqlite"),
        pytest.param(
            _foreign_wal_sqlite, "is not a cvcards collection", id="other-sqlite-wal"
        ),
        pytest.param(_text_file, "not an SQLite database", id="text-file"),
        pytest.param(_empty_file, "is empty", id="empty-file"),
    ],
)
def test_foreign_file_is_reported_and_left_untouched(
    tmp_path: Path,
    make: Callable[[Path], None],
    message: str,
) -> None:
    path = tmp_path / "collection.sqlite3"
    make(path)
    before = _digest(path)
    listing = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(CollectionError, match=message) as caught:
        _open(path)

    assert str(path) in str(caught.value)
    assert "left untouched" in str(caught.value)
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_collection_whose_folder_cannot_be_made_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where a folder should be")
    path = blocker / "collection.sqlite3"

    with pytest.raises(CollectionError) as caught:
        _open(path)

    assert str(caught.value) == (
        f"{path} cannot be created: its folder cannot be made (File exists:"
        f" {blocker}). Pass --collection with another path (or set"
        " CVCARDS_COLLECTION)."
    )


def test_folder_in_place_of_the_collection_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "collection.sqlite3"
    path.mkdir()

    with pytest.raises(CollectionError) as caught:
        _open(path)

    assert str(caught.value).startswith(
        f"{path} cannot be read as a cvcards collection (Is a directory)."
    )
    assert list(path.iterdir()) == []


def test_collection_whose_id_is_still_in_the_log_opens(tmp_path: Path) -> None:
    # A first session killed before SQLite copied its log into the file.
    live = tmp_path / "live" / "collection.sqlite3"
    live.parent.mkdir()
    with sqlite3.connect(live, isolation_level=None) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA wal_autocheckpoint = 0")
        Collection(live, db)._migrate(MIGRATIONS, now=T0)
        path = tmp_path / "collection.sqlite3"
        for suffix in ("", "-wal"):
            Path(f"{path}{suffix}").write_bytes(Path(f"{live}{suffix}").read_bytes())
    db.close()
    assert int.from_bytes(path.read_bytes()[68:72], "big") == 0

    with _open(path) as col:
        assert col.migrations() == [m.name for m in MIGRATIONS]


KILLED_WHILE_CREATING = textwrap.dedent(
    """
    import os, signal, sqlite3, sys
    from datetime import UTC, datetime
    from pathlib import Path
    from cvcards import collection

    connect = sqlite3.connect

    def connect_with_die(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.create_function("die", 0, lambda: os.kill(os.getpid(), signal.SIGKILL))
        return db

    sqlite3.connect = connect_with_die
    dying = collection.Migration("0002_die", ("SELECT die()",))
    collection.Collection.open(
        Path(sys.argv[1]), now=datetime.now(UTC),
        migrations=(*collection.MIGRATIONS, dying),
    )
    """
)


def test_killed_while_creating_leaves_no_half_made_collection(
    tmp_path: Path,
) -> None:
    path = tmp_path / "collection.sqlite3"

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_CREATING, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert killed.returncode == -9, killed.stderr
    assert not path.exists()
    with _open(path) as col:
        assert col.migrations() == [m.name for m in MIGRATIONS]


CREATOR = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from cvcards.collection import Collection

    path, go = Path(sys.argv[1]), Path(sys.argv[2])
    (go.parent / f"ready-{sys.argv[3]}").touch()
    while not go.exists():
        time.sleep(0.001)
    with Collection.open(path, now=datetime.now(UTC)) as col:
        print(col.migrations())
    """
)


def test_sessions_started_together_share_one_new_collection(tmp_path: Path) -> None:
    names = [str(n) for n in range(4)]
    for attempt in range(3):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        path, go = folder / "collection.sqlite3", folder / "go"
        creators = [
            subprocess.Popen(
                [sys.executable, "-c", CREATOR, str(path), str(go), name],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in names
        ]
        deadline = time.monotonic() + 60
        while not all((folder / f"ready-{n}").exists() for n in names):
            assert time.monotonic() < deadline, "creators did not start"
            time.sleep(0.005)
        go.touch()
        outputs = [c.communicate(timeout=60) for c in creators]

        assert [c.returncode for c in creators] == [0] * len(names), outputs
        assert {out.strip() for out, _ in outputs} == {"['0001_initial']"}
        assert sorted(p.name for p in folder.iterdir() if p.suffix == ".new") == []


def test_a_write_blocked_too_long_is_reported_as_locked(
    collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collection_module, "BUSY_TIMEOUT_S", 0.05)
    blocked = _open(collection.path)
    other = sqlite3.connect(collection.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(CollectionError) as caught:
            _rate(blocked, 1, 3)
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert str(caught.value) == (
        f"{collection.path} is locked by another cvcards process;"
        " let it finish and try again."
    )
    assert _rate(blocked, 1, 3) > 0
    blocked.close()


def test_corrupted_collection_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = corrupted_collection(tmp_path)
    before = _digest(path)

    with pytest.raises(CollectionError, match="is corrupted") as caught:
        _open(path)
    # No backup exists, so none is offered.
    assert "backup" not in str(caught.value)
    assert "left untouched" in str(caught.value)
    assert _digest(path) == before

    for stamp in ("20260101T000000Z", "20260301T000000Z"):
        copy = tmp_path / f"{path.name}.before-0002_x.{stamp}.bak"
        copy.write_bytes(b"copy")
    os.utime(tmp_path / f"{path.name}.before-0002_x.20260101T000000Z.bak", (0, 0))
    with pytest.raises(CollectionError) as caught:
        _open(path)
    assert (
        "Its newest backup is collection.sqlite3.before-0002_x.20260301T000000Z.bak"
        in str(caught.value)
    )


def test_collection_without_its_tables_is_reported_as_corrupted(
    tmp_path: Path,
) -> None:
    path = tmp_path / "collection.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("CREATE TABLE cards (id INTEGER PRIMARY KEY) STRICT")
    db.close()

    with pytest.raises(CollectionError) as caught:
        _open(path)

    assert str(caught.value).startswith(
        f"{path} is corrupted (no such table: migrations)."
    )


def test_read_only_collection_is_not_called_corrupted(
    collection: Collection,
) -> None:
    path = collection.path
    read_only = sqlite3.connect(
        path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None
    )

    with pytest.raises(CollectionError) as caught:
        Collection(path, read_only).set_config("new_per_day", 5)
    read_only.close()

    assert str(caught.value).startswith(
        f"{path} cannot be written (attempt to write a readonly database)."
        " Check that you own the file and its folder"
    )


def test_big_collection_gets_the_full_check_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collection_module, "DEEP_CHECK_LIMIT", 0)
    path = corrupted_collection(tmp_path)
    before = _digest(path)

    with pytest.raises(CollectionError, match="is corrupted"):
        check_integrity(path)
    assert _digest(path) == before


# -- sync -------------------------------------------------------------------


def test_sync_adds_edits_retires_and_restores(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    cards = notes_deck(2, 2)
    col = _open(tmp_path / "collection.sqlite3")

    first = col.sync(make_deck(cards, decks), now=T0)
    reviewed = col.card_by_identity(cards[0].identity)
    assert reviewed is not None and reviewed.state is None
    _rate(col, reviewed.id, 3)
    schedule = col.card(reviewed.id).state

    edited = make_card("n000", 0, front="A clearer question?")
    second = col.sync(make_deck([edited, *cards[1:3]], decks), now=T0)
    after_edit = col.card(reviewed.id)

    third = col.sync(make_deck(cards, decks), now=T0)

    assert (first.added, first.updated, first.retired) == (4, 0, 0)
    assert (second.updated, second.retired) == (1, 1)
    assert after_edit.front == "A clearer question?"
    assert after_edit.state == schedule
    assert (third.restored, third.updated) == (1, 1)
    assert col.totals() == {"live": 4, "new": 3, "retired": 0}


def test_cards_that_only_moved_are_not_reported_as_edited(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    cards = [make_card("n", i, line=10 * i) for i in range(3)]
    col = _open(tmp_path / "collection.sqlite3")
    col.sync(make_deck(cards, decks), now=T0)
    # A card inserted first moves every other one down in order and lines.
    inserted = [make_card("m", 9, order=-1, line=1)]
    moved = [make_card("n", i, order=i + 1, line=10 * i + 8) for i in range(3)]
    moved[2] = make_card("n", 2, order=3, line=28, front="Edited question?")

    report = col.sync(make_deck(inserted + moved, decks), now=T0)

    assert report == SyncReport(added=1, updated=1)
    shown = col.card_by_identity(cards[1].identity)
    assert shown is not None and shown.line == 18


def test_sources_are_remembered_by_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    col = _open(tmp_path / "collection.sqlite3")
    deck = make_deck([make_card("n", 1)], tmp_path / "decks")

    col.sync(replace(deck, decks_dir="decks"), now=T0)

    assert col.meta("decks_dir") == str(tmp_path / "decks")


def test_retired_cards_are_hidden_and_keep_their_history(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    cards = notes_deck(2, 1)
    col = _open(tmp_path / "collection.sqlite3")
    col.sync(make_deck(cards, decks), now=T0)
    gone = col.card_by_identity(cards[0].identity)
    assert gone is not None
    _rate(col, gone.id, 1)

    col.sync(make_deck(cards[1:], decks), now=T0)
    shown = col.next_card(_queue(T0 + timedelta(minutes=5)), previous_note=None)

    assert shown is not None and shown.identity == cards[1].identity
    assert col.totals()["retired"] == 1
    assert col.review_count() == 1
    assert col.counts(_queue(T0 + timedelta(minutes=5))).learning == 0


def test_sync_records_fingerprint_and_tags(tmp_path: Path) -> None:
    col = _open(tmp_path / "collection.sqlite3")
    deck = make_deck([make_card("n", 1, tags=["a", "b"])], tmp_path / "decks")

    col.sync(deck, now=T0)

    assert col.meta("fingerprint") == deck.fingerprint
    assert col.meta("decks_dir") == str(tmp_path / "decks")
    assert col.counts(_queue(filters=Filters(tags=("b",)))).new == 1
    assert col.counts(_queue(filters=Filters(tags=("c",)))).new == 0


def test_sections_and_tags_of_live_cards(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    col = _open(tmp_path / "collection.sqlite3")
    kept = make_card("d", 0, tags=["nms"])
    gone = make_card("m", 1, section="metrics", tags=["ap"])
    col.sync(make_deck([kept, gone], decks), now=T0)

    col.sync(make_deck([kept], decks), now=T0)

    assert col.sections_and_tags() == ({"detection"}, {"nms"})
    asked = Filters(sections=("detection", "metrics"), tags=("ap", "nms", "x"))
    assert col.unmatched(asked) == (["metrics"], ["ap", "x"])


# -- the review log ------------------------------------------------------------


def test_rating_is_logged_in_full(collection: Collection) -> None:
    card = collection.next_card(_queue(), previous_note=None)
    assert card is not None

    _rate(collection, card.id, 3)

    with sqlite3.connect(collection.path) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM reviews").fetchone()
        params = db.execute("SELECT params FROM schedulers").fetchone()[0]
    assert row["card_id"] == card.id
    assert row["rating"] == 3
    assert row["duration_ms"] == 1500
    assert row["reviewed_at"] == int(T0.timestamp() * 1000)
    assert row["state_before"] is None
    assert (row["state_after"], row["step_after"]) == (1, 1)
    assert json.loads(params)["desired_retention"] == 0.9


def test_undo_restores_the_card_exactly(collection: Collection) -> None:
    card = collection.next_card(_queue(), previous_note=None)
    assert card is not None
    first = _rate(collection, card.id, 3)
    after_first = _card_row(collection.path, card.id)

    second = _rate(collection, card.id, 4, when=T0 + timedelta(minutes=12))
    collection.undo(second)
    assert _card_row(collection.path, card.id) == after_first

    collection.undo(first)
    row = _card_row(collection.path, card.id)
    assert collection.card(card.id).state is None
    assert collection.review_count() == 0
    assert collection.undo(first) is None
    assert row[-7:] == (None,) * 7


def test_states_can_be_rebuilt_from_the_log(collection: Collection) -> None:
    rng = random.Random(3)
    ids = [c.id for c in (collection.card(i) for i in range(1, 13))]
    when = T0
    for _ in range(150):
        card_id = rng.choice(ids)
        state = collection.card(card_id).state
        # Review roughly on time, sometimes early, sometimes late.
        if state is not None:
            when = max(when, state.last_review) + (state.due - state.last_review) * (
                rng.uniform(0.2, 1.8)
            )
        _rate(collection, card_id, rng.choice([1, 2, 3, 3, 3, 4]), when=when)

    stored = {i: collection.card(i).state for i in ids}
    assert all(collection.replayed_state(i) == stored[i] for i in ids)
    assert collection.rebuild_states() == 0

    introduced = _introduced(collection.path)
    with sqlite3.connect(collection.path) as db:
        db.execute("UPDATE cards SET stability = 1.0, due = 0 WHERE state IS NOT NULL")
    db.close()
    assert collection.rebuild_states() == sum(s is not None for s in stored.values())
    assert {i: collection.card(i).state for i in ids} == stored
    assert _introduced(collection.path) == introduced

    # A card whose only fault is the time it was introduced is mended too.
    with sqlite3.connect(collection.path) as db:
        db.execute("UPDATE cards SET introduced = 0 WHERE id = ?", (ids[0],))
    db.close()
    assert collection.rebuild_states() == 1
    assert _introduced(collection.path) == introduced


def _introduced(path: Path) -> list[int | None]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT introduced FROM cards ORDER BY id").fetchall()
    db.close()
    return [introduced for (introduced,) in rows]


def test_undo_after_another_session_rebuilds_from_the_log(
    collection: Collection,
) -> None:
    card = collection.next_card(_queue(), previous_note=None)
    assert card is not None
    mine = _rate(collection, card.id, 3)
    _rate(collection, card.id, 3, when=T0 + timedelta(minutes=11))

    collection.undo(mine)

    assert collection.review_count() == 1
    assert collection.card(card.id).state == collection.replayed_state(card.id)
    assert collection.card(card.id).state is not None


# -- queues -----------------------------------------------------------------


def test_learning_then_reviews_then_new_in_guide_order(tmp_path: Path) -> None:
    col = _open(tmp_path / "collection.sqlite3")
    cards = [make_card(f"n{i}", i, order=10 - i) for i in range(5)]
    col.sync(make_deck(cards, tmp_path / "decks"), now=T0)
    review_card, learning_card = 1, 2
    _rate(col, review_card, 4, when=T0 - timedelta(days=40))
    _rate(col, learning_card, 1, when=T0 - timedelta(minutes=5))

    shown = []
    previous = None
    for _ in range(5):
        card = col.next_card(_queue(), previous_note=previous)
        assert card is not None
        shown.append(card.identity)
        _rate(col, card.id, 4)
        previous = card.note_id

    assert shown == [
        cards[1].identity,
        cards[0].identity,
        cards[4].identity,
        cards[3].identity,
        cards[2].identity,
    ]


def test_cards_of_one_note_are_not_shown_back_to_back(collection: Collection) -> None:
    first = collection.next_card(_queue(), previous_note=None)
    assert first is not None

    second = collection.next_card(_queue(), previous_note=first.note_id)

    assert second is not None and second.note_id != first.note_id


def test_sibling_is_shown_when_nothing_else_is_left(tmp_path: Path) -> None:
    col = _open(tmp_path / "collection.sqlite3")
    col.sync(make_deck(notes_deck(1, 2), tmp_path / "decks"), now=T0)

    card = col.next_card(_queue(), previous_note="n000")

    assert card is not None and card.note_id == "n000"


def test_prompt_waits_until_the_atomic_cards_are_seen(tmp_path: Path) -> None:
    col = _open(tmp_path / "collection.sqlite3")
    prompt = make_card("nms", 0, kind=CardKind.PROMPT)
    atomic = [make_card("nms", 1), make_card("nms", 2)]
    col.sync(make_deck([prompt, *atomic], tmp_path / "decks"), now=T0)

    seen = []
    for _ in range(3):
        card = col.next_card(_queue(), previous_note=None)
        assert card is not None
        seen.append(card.kind)
        counts = col.counts(_queue())
        _rate(col, card.id, 4)

    assert seen == ["basic", "basic", "prompt"]
    assert counts.new == 1


def test_daily_new_limit_counts_cards_introduced_today(collection: Collection) -> None:
    queue = _queue(new_limit=2)
    for _ in range(2):
        card = collection.next_card(queue, previous_note=None)
        assert card is not None
        _rate(collection, card.id, 4)

    assert collection.counts(queue).new == 0
    assert collection.next_card(queue, previous_note=None) is None
    assert collection.counts(_queue(T0 + timedelta(days=1), new_limit=2)).new == 2


def test_daily_new_limit_resets_at_the_local_rollover(
    collection: Collection,
) -> None:
    paris = ZoneInfo("Europe/Paris")
    # 03:30 in Paris, before the 4 am rollover: still the learner's 2 March.
    late_evening = datetime(2026, 3, 3, 2, 30, tzinfo=UTC)
    for card_id in (1, 4):
        _rate(collection, card_id, 3, when=late_evening)

    def new_left(now: datetime, tz: tzinfo) -> int:
        day = learner_day(now, rollover_hour=4, tz=tz)
        return collection.counts(Queue(now=now, day=day, new_limit=2)).new

    before_rollover = datetime(2026, 3, 3, 2, 50, tzinfo=UTC)
    after_rollover = datetime(2026, 3, 3, 3, 10, tzinfo=UTC)
    assert new_left(before_rollover, paris) == 0
    assert new_left(after_rollover, paris) == 2
    # At the same instants it is not yet 4 am in UTC.
    assert new_left(after_rollover, UTC) == 0


def test_daily_review_limit(tmp_path: Path) -> None:
    col = _open(tmp_path / "collection.sqlite3")
    col.sync(make_deck(notes_deck(3, 1), tmp_path / "decks"), now=T0)
    for card_id in (1, 2, 3):
        _rate(col, card_id, 4, when=T0 - timedelta(days=60))
    queue = _queue(new_limit=0, review_limit=2)

    assert col.counts(queue).review == 2
    for _ in range(2):
        card = col.next_card(queue, previous_note=None)
        assert card is not None and card.state is not None
        assert card.state.state == REVIEW
        _rate(col, card.id, 3)

    assert col.next_card(queue, previous_note=None) is None


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param(Filters(sections=("metrics",)), {"m/0001"}, id="section"),
        pytest.param(Filters(kinds=("cloze",)), {"c/0002"}, id="kind"),
        pytest.param(Filters(tags=("nms",)), {"d/0000", "c/0002"}, id="tag"),
        pytest.param(
            Filters(tags=("nms",), kinds=("basic",)), {"d/0000"}, id="tag-and-kind"
        ),
    ],
)
def test_filters(tmp_path: Path, filters: Filters, expected: set[str]) -> None:
    col = _open(tmp_path / "collection.sqlite3")
    cards = [
        make_card("d", 0, tags=["nms"]),
        make_card("m", 1, section="metrics"),
        make_card("c", 2, kind=CardKind.CLOZE, tags=["nms"]),
    ]
    col.sync(make_deck(cards, tmp_path / "decks"), now=T0)

    shown = set()
    while (
        card := col.next_card(_queue(filters=filters), previous_note=None)
    ) is not None:
        shown.add(card.identity)
        _rate(col, card.id, 4)

    assert shown == expected


def test_due_between_counts_each_day(collection: Collection) -> None:
    _rate(collection, 1, 4)
    _rate(collection, 2, 1)
    state = collection.card(1).state
    assert state is not None

    assert collection.due_between(None, T0 + timedelta(hours=1)) == 1
    assert (
        collection.due_between(
            state.due - timedelta(hours=1), state.due + timedelta(hours=1)
        )
        == 1
    )


# -- two sessions at once ----------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from cvcards.collection import Collection
    from cvcards.scheduler import Scheduler

    path, go = Path(sys.argv[1]), Path(sys.argv[2])
    name, rounds = sys.argv[3], int(sys.argv[4])
    scheduler = Scheduler()
    with Collection.open(path, now=datetime.now(UTC)) as col:
        scheduler_id = col.scheduler_id(scheduler)
        (go.parent / f"ready-{name}").touch()
        while not go.exists():
            time.sleep(0.005)
        for n in range(rounds):
            for card_id in range(1, 7):
                col.record(card_id, 1 + (n + card_id) % 4, when=datetime.now(UTC),
                           duration_ms=10, session=name, scheduler=scheduler,
                           scheduler_id=scheduler_id)
                # A pause between ratings, as a person makes, lets the other in.
                time.sleep(0.003)
    """
)


def test_two_sessions_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "collection.sqlite3"
    with _open(path) as col:
        col.sync(make_deck(notes_deck(2, 3), tmp_path / "decks"), now=T0)
    go = tmp_path / "go"
    rounds = 25

    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), str(go), name, str(rounds)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    # Start both at once, so that their ratings really interleave.
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{n}").exists() for n in ("a", "b")):
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.01)
    go.touch()
    errors = [w.communicate(timeout=120)[1] for w in workers]

    assert [w.returncode for w in workers] == [0, 0], errors
    with _open(path) as col:
        assert col.integrity() == "ok"
        assert col.review_count() == 2 * rounds * 6
        assert col.session_summary("a").reviewed == rounds * 6
        for card_id in range(1, 7):
            assert col.card(card_id).state == col.replayed_state(card_id)
    with sqlite3.connect(path) as db:
        # Each review was computed from the state the previous one left.
        broken = db.execute(
            "SELECT count(*) FROM reviews r JOIN reviews p ON p.card_id = r.card_id"
            " AND p.id = (SELECT max(id) FROM reviews WHERE card_id = r.card_id"
            " AND id < r.id) WHERE r.stability_before IS NOT p.stability_after"
        ).fetchone()[0]
        sessions = [
            name for (name,) in db.execute("SELECT session FROM reviews ORDER BY id")
        ]
    db.close()
    assert broken == 0
    switches = sum(a != b for a, b in zip(sessions, sessions[1:], strict=False))
    assert switches > 2


def test_wal_mode_waits_out_a_brief_exclusive_lock(tmp_path: Path) -> None:
    import threading

    from cvcards.collection import _ensure_wal

    path = tmp_path / "plain.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    opener = sqlite3.connect(path, isolation_level=None, timeout=0)
    opener.execute("PRAGMA busy_timeout = 0")
    release = threading.Timer(0.2, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            opener.execute("PRAGMA journal_mode").fetchone()

        _ensure_wal(opener)

        assert opener.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        release.join()
        opener.close()
        holder.close()
