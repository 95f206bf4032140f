"""The learner's collection: an SQLite file with card schedules and every review.

The collection keeps a copy of each compiled card (so a session can start
without compiling the decks), the card's current FSRS state, and a review log
complete enough to rebuild every state from it: for each rating the card, the
time, the duration, the state before and after, and the scheduler settings
that were used.

Safety comes before speed here:

- A file is inspected read-only before anything writes to it; a foreign or
  corrupted file is reported and left as it was.
- A new collection is built under a temporary name and linked into place
  whole, so a crash or a second process never meets a half-made one.
- Migrations are an ordered list of named steps recorded in the database, and
  a backup copy is taken before any of them runs on an existing file.
- Every rating is its own ``BEGIN IMMEDIATE`` transaction in WAL mode with
  ``synchronous=FULL``; it is computed from the card's state as stored at that
  moment, so two sessions rating the same card both land in the log.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvcards.errors import CollectionError
from cvcards.scheduler import (
    AGAIN,
    REVIEW,
    CardState,
    LearnerDay,
    Scheduler,
    from_ms,
    to_ms,
)

if TYPE_CHECKING:
    from cvcards.cards import Card, CompiledDeck

log = logging.getLogger(__name__)

# "cvcd" in ASCII, written in the SQLite header so a foreign file is recognised.
APPLICATION_ID = 0x63766364
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 10.0
# Files up to this size get a full structural check each time they are opened.
DEEP_CHECK_LIMIT = 32 * 1024 * 1024

_INITIAL_SCHEMA = (
    """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT""",
    """CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT""",
    """CREATE TABLE cards (
        id INTEGER PRIMARY KEY,
        identity TEXT NOT NULL UNIQUE,
        anki_key TEXT NOT NULL,
        note_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        section TEXT NOT NULL,
        section_title TEXT NOT NULL,
        topic TEXT NOT NULL,
        ord INTEGER NOT NULL,
        front TEXT NOT NULL,
        back TEXT NOT NULL,
        context TEXT NOT NULL,
        diagrams TEXT NOT NULL,
        tags TEXT NOT NULL,
        source_file TEXT NOT NULL,
        line INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        added INTEGER NOT NULL,
        retired INTEGER,
        introduced INTEGER,
        state INTEGER CHECK (state IN (1, 2, 3)),
        step INTEGER,
        stability REAL,
        difficulty REAL,
        due INTEGER,
        last_review INTEGER,
        CHECK ((introduced IS NULL) = (state IS NULL))
    ) STRICT""",
    """CREATE TABLE card_tags (
        tag TEXT NOT NULL,
        card_id INTEGER NOT NULL REFERENCES cards (id),
        PRIMARY KEY (tag, card_id)
    ) STRICT, WITHOUT ROWID""",
    """CREATE TABLE schedulers (
        id INTEGER PRIMARY KEY,
        params TEXT NOT NULL UNIQUE
    ) STRICT""",
    """CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        card_id INTEGER NOT NULL REFERENCES cards (id),
        session TEXT NOT NULL,
        origin TEXT NOT NULL DEFAULT 'terminal',
        reviewed_at INTEGER NOT NULL,
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
        scheduler_id INTEGER NOT NULL REFERENCES schedulers (id),
        state_before INTEGER,
        step_before INTEGER,
        stability_before REAL,
        difficulty_before REAL,
        due_before INTEGER,
        last_review_before INTEGER,
        state_after INTEGER NOT NULL,
        step_after INTEGER,
        stability_after REAL NOT NULL,
        difficulty_after REAL NOT NULL,
        due_after INTEGER NOT NULL,
        last_review_after INTEGER NOT NULL
    ) STRICT""",
    "CREATE INDEX reviews_card ON reviews (card_id, id)",
    "CREATE INDEX reviews_time ON reviews (reviewed_at)",
    "CREATE INDEX reviews_session ON reviews (session, id)",
    # Partial indexes, one per queue, so each queue query reads only its cards.
    "CREATE INDEX cards_learning ON cards (due)"
    " WHERE retired IS NULL AND state IN (1, 3)",
    "CREATE INDEX cards_review ON cards (due) WHERE retired IS NULL AND state = 2",
    "CREATE INDEX cards_new ON cards (ord)"
    " WHERE retired IS NULL AND introduced IS NULL",
    "CREATE INDEX cards_introduced ON cards (introduced) WHERE introduced IS NOT NULL",
    "CREATE INDEX cards_note ON cards (note_id)",
)


@dataclass(frozen=True)
class Migration:
    """One named step of the schema's history.

    Attributes:
        name: Unique, ordered name such as ``0001_initial``.
        statements: SQL statements run in one transaction.
    """

    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (Migration("0001_initial", _INITIAL_SCHEMA),)


@dataclass(frozen=True)
class Filters:
    """Which cards a session or a count is limited to (empty = no limit).

    Attributes:
        sections: Section ids, e.g. ``("metrics",)``.
        tags: Tags; a card matches if it has any of them.
        kinds: Card kinds, e.g. ``("cloze", "basic")``.
    """

    sections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def sql(self) -> tuple[str, list[object]]:
        """Return a SQL condition on ``c`` (the cards table) and its arguments."""
        terms: list[str] = []
        args: list[object] = []
        if self.sections:
            terms.append(f"c.section IN ({_marks(self.sections)})")
            args.extend(self.sections)
        if self.kinds:
            terms.append(f"c.kind IN ({_marks(self.kinds)})")
            args.extend(self.kinds)
        if self.tags:
            terms.append(
                "EXISTS (SELECT 1 FROM card_tags t WHERE t.card_id = c.id"
                f" AND t.tag IN ({_marks(self.tags)}))"
            )
            args.extend(self.tags)
        return "".join(f" AND {term}" for term in terms), args


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


# Columns copied from the compiled card; a sync rewrites them when any differs.
_CONTENT_NAMES = (
    "anki_key",
    "note_id",
    "kind",
    "section",
    "section_title",
    "topic",
    "ord",
    "front",
    "back",
    "context",
    "diagrams",
    "tags",
    "source_file",
    "line",
    "content_hash",
)
_CONTENT = ", ".join(_CONTENT_NAMES)
_HASH = _CONTENT_NAMES.index("content_hash")


def _content(card: Card) -> tuple[object, ...]:
    diagrams = [d.filename for d in (*card.front_diagrams, *card.diagrams)]
    return (
        card.anki_key,
        card.note_id,
        str(card.kind),
        card.section,
        card.section_title,
        card.topic,
        card.order,
        card.front,
        card.back,
        card.context,
        json.dumps(diagrams),
        json.dumps(list(card.tags)),
        card.source_file,
        card.line,
        card.content_hash,
    )


@dataclass(frozen=True)
class CardView:
    """A card as a session shows it, with its current schedule.

    Attributes:
        id: Row id in the collection.
        identity: The compiler's stable identity.
        note_id: The note the card belongs to.
        kind: Card kind (basic, cloze, step, table, prompt).
        section: Section id.
        section_title: Section title.
        topic: Topic label of the note.
        front: Question side, Markdown.
        back: Answer side, Markdown.
        context: Extra Markdown shown with the answer.
        diagrams: File names of the card's diagrams.
        source_file: Deck file, relative to the decks directory.
        line: Line of the card in that file.
        state: The FSRS state, None for a new card.
    """

    id: int
    identity: str
    note_id: str
    kind: str
    section: str
    section_title: str
    topic: str
    front: str
    back: str
    context: str
    diagrams: tuple[str, ...]
    source_file: str
    line: int
    state: CardState | None


_CARD_COLUMNS = (
    "c.id, c.identity, c.note_id, c.kind, c.section, c.section_title, c.topic,"
    " c.front, c.back, c.context, c.diagrams, c.source_file, c.line,"
    " c.state, c.step, c.stability, c.difficulty, c.due, c.last_review"
)


def _state(row: Sequence[Any]) -> CardState | None:
    """Build a state from (state, step, stability, difficulty, due, last_review)."""
    if row[0] is None:
        return None
    return CardState(
        state=row[0],
        step=row[1],
        stability=row[2],
        difficulty=row[3],
        due=from_ms(row[4]),
        last_review=from_ms(row[5]),
    )


def _state_columns(state: CardState | None) -> tuple[object, ...]:
    if state is None:
        return (None,) * 6
    return (
        state.state,
        state.step,
        state.stability,
        state.difficulty,
        to_ms(state.due),
        to_ms(state.last_review),
    )


def _card_view(row: Sequence[Any]) -> CardView:
    return CardView(
        id=row[0],
        identity=row[1],
        note_id=row[2],
        kind=row[3],
        section=row[4],
        section_title=row[5],
        topic=row[6],
        front=row[7],
        back=row[8],
        context=row[9],
        diagrams=tuple(json.loads(row[10])),
        source_file=row[11],
        line=row[12],
        state=_state(row[13:19]),
    )


@dataclass(frozen=True)
class SyncReport:
    """What a sync with the compiled deck changed, as numbers of cards.

    Attributes:
        added: Cards new to the collection.
        updated: Cards whose content was edited (moves are not counted).
        retired: Cards the deck no longer has.
        restored: Retired cards the deck has again.
    """

    added: int = 0
    updated: int = 0
    retired: int = 0
    restored: int = 0


@dataclass(frozen=True)
class QueueCounts:
    """Cards left to show today, by queue."""

    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        """All cards left today."""
        return self.new + self.learning + self.review


@dataclass(frozen=True)
class Queue:
    """What the next card is chosen from, for one moment of a session.

    Attributes:
        now: The current instant (UTC).
        day: The learner's current day.
        filters: Cards the session is limited to.
        new_limit: New cards allowed in the whole day.
        review_limit: Review-state cards allowed in the whole day.
        learn_ahead: How early a learning card may be shown when nothing
            else is left.
    """

    now: datetime
    day: LearnerDay
    filters: Filters = Filters()
    new_limit: int = 20
    review_limit: int = 200
    learn_ahead: timedelta = timedelta(minutes=20)


@dataclass(frozen=True)
class SessionSummary:
    """What one session did."""

    reviewed: int
    again: int
    duration_ms: int


def default_collection_path() -> Path:
    """Return the collection file (``CVCARDS_COLLECTION`` overrides it)."""
    override = os.environ.get("CVCARDS_COLLECTION")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("cvcards", appauthor=False)) / "collection.sqlite3"


def _untouched_hint(path: Path) -> str:
    return (
        f"The file was left untouched. Pass --collection with another path"
        f" (or set CVCARDS_COLLECTION), or move {path.name} away to start afresh."
    )


def _not_a_database(path: Path) -> CollectionError:
    return CollectionError(
        f"{path} is not a cvcards collection (not an SQLite database)."
        f" {_untouched_hint(path)}"
    )


def _corrupted(path: Path, detail: str) -> CollectionError:
    backups = list(path.parent.glob(f"{glob.escape(path.name)}.*.bak"))
    restore = ""
    if backups:
        newest = max(backups, key=lambda p: p.stat().st_mtime)
        restore = f" Its newest backup is {newest.name}, next to it."
    return CollectionError(
        f"{path} is corrupted ({detail}).{restore} {_untouched_hint(path)}"
    )


def _ensure_wal(connection: sqlite3.Connection, *, attempts: int = 50) -> None:
    """Put the database in WAL mode, waiting out a brief lock.

    WAL is a property of the file, set when it was created, so this usually
    only reads it. SQLite can answer "locked" at once, without honouring the
    busy timeout, while another process opens or recovers the log; a short
    retry keeps two sessions started together from failing.
    """
    for attempt in range(attempts):
        try:
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.02)


def _translate(path: Path, error: sqlite3.Error) -> CollectionError:
    """Turn an SQLite error into a message that names the file and a fix."""
    text = str(error)
    # Extended result codes keep the primary code in their low byte.
    code = getattr(error, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return CollectionError(
            f"{path} is locked by another cvcards process; let it finish and try again."
        )
    if primary == sqlite3.SQLITE_NOTADB:
        return _not_a_database(path)
    if primary == sqlite3.SQLITE_CORRUPT:
        return _corrupted(path, text)
    if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN):
        return CollectionError(
            f"{path} cannot be written ({text}). Check that you own the file and"
            " its folder and that the disk is not read-only, or pass --collection"
            " with another path."
        )
    if primary == sqlite3.SQLITE_FULL:
        return CollectionError(
            f"{path} cannot grow: the disk is full. Free some space and try again;"
            " what was saved before is kept."
        )
    return CollectionError(f"{path}: {text}")


def inspect(path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> list[str]:
    """Check, read-only, that a file is a sound cvcards collection.

    Args:
        path: An existing file.
        migrations: The migrations this version of cvcards knows.

    Returns:
        Names of the migrations still to apply.

    Raises:
        CollectionError: When the file is foreign, corrupted, empty, or
            written by a newer cvcards; the file is not modified.
    """
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError as error:
        raise CollectionError(
            f"{path} cannot be read as a cvcards collection ({error.strerror})."
            f" {_untouched_hint(path)}"
        ) from error
    if not header:
        raise CollectionError(
            f"{path} is empty, not a cvcards collection. {_untouched_hint(path)}"
        )
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise _not_a_database(path)
    foreign = CollectionError(
        f"{path} is not a cvcards collection (an SQLite database of"
        f" another program). {_untouched_hint(path)}"
    )
    # Judged from the header where it can be: SQLite, even read-only, would
    # leave -wal and -shm files beside another program's WAL database. The
    # id may still be only in the write-ahead log of a collection whose first
    # session was killed, so a file with a log is asked through SQLite.
    header_id = int.from_bytes(header[68:72], "big")
    if header_id != APPLICATION_ID and not _wal(path).exists():
        raise foreign

    try:
        connection = sqlite3.connect(
            path.resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S
        )
    except sqlite3.Error as error:
        raise _translate(path, error) from error

    try:
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        if application_id != APPLICATION_ID:
            raise foreign
        # A full check reads every page (about 5 ms per MB); on bigger files it
        # runs before migrations only, and damage elsewhere is reported by the
        # first query that meets it, before anything is written.
        deep = path.stat().st_size <= DEEP_CHECK_LIMIT
        check = connection.execute(
            "PRAGMA quick_check(1)" if deep else "PRAGMA quick_check(migrations)"
        ).fetchone()[0]
        if check != "ok":
            raise _corrupted(path, check)
        applied = [
            name
            for (name,) in connection.execute("SELECT name FROM migrations ORDER BY id")
        ]
    except sqlite3.OperationalError as error:
        # Our id on a file without our tables: damaged, not busy or foreign.
        if error.sqlite_errorcode == sqlite3.SQLITE_ERROR:
            raise _corrupted(path, str(error)) from error
        raise _translate(path, error) from error
    except sqlite3.Error as error:
        raise _translate(path, error) from error
    finally:
        connection.close()

    known = [m.name for m in migrations]
    if applied != known[: len(applied)]:
        unknown = next((n for n in applied if n not in known), applied[-1])
        raise CollectionError(
            f"{path} was written by a newer cvcards (it has migration {unknown});"
            " upgrade cvcards to open it."
        )
    return known[len(applied) :]


def _wal(path: Path) -> Path:
    return path.with_name(f"{path.name}-wal")


def _create(path: Path, migrations: Sequence[Migration], *, now: datetime) -> None:
    """Make a new collection at ``path``, unless another process makes it first.

    The collection is built under a temporary name and linked into place in one
    step, so that no process ever finds a half-made file at ``path``: neither
    one started at the same moment, nor the next one after a crash.
    """
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    try:
        connection = sqlite3.connect(draft, isolation_level=None)
        try:
            Collection(draft, connection)._migrate(migrations, now=now)
        finally:
            connection.close()
        try:
            # A hard link never replaces an existing file, unlike a rename.
            os.link(draft, path)
        except FileExistsError:
            log.debug("%s was created by another process meanwhile", path)
    except sqlite3.Error as error:
        raise _translate(path, error) from error
    finally:
        draft.unlink(missing_ok=True)


def check_integrity(path: Path) -> None:
    """Run SQLite's full quick check on a collection, read-only.

    Raises:
        CollectionError: When the file is damaged.
    """
    try:
        connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            check = connection.execute("PRAGMA quick_check(1)").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise _translate(path, error) from error
    if check != "ok":
        raise _corrupted(path, check)


def backup(path: Path, *, label: str, now: datetime) -> Path:
    """Copy a collection next to itself, consistently, and return the copy's path.

    The copy is named ``<name>.<label>.<UTC time>.bak``.
    """
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{label}.{stamp}.bak")
    source = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return target


class Collection:
    """An open collection. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        now: datetime,
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> Collection:
        """Open a collection, creating or migrating it as needed.

        Args:
            path: The collection file; created with its folder if missing.
            now: The current time, used to name backups.
            migrations: The ordered migrations (tests may add some).

        Raises:
            CollectionError: For a foreign, corrupted or locked file, which is
                then left untouched.
        """
        if not path.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise CollectionError(
                    f"{path} cannot be created: its folder cannot be made"
                    f" ({error.strerror}: {error.filename}). Pass --collection"
                    " with another path (or set CVCARDS_COLLECTION)."
                ) from error
            _create(path, migrations, now=now)
        pending = inspect(path, migrations)
        if pending:
            check_integrity(path)
            copy = backup(path, label=f"before-{pending[0]}", now=now)
            log.debug("backed up %s to %s before migrating", path, copy)

        try:
            connection = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_S, isolation_level=None
            )
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            _ensure_wal(connection)
            # FULL syncs the WAL on every commit: a rating survives a power cut,
            # not only a killed process.
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as error:
            raise _translate(path, error) from error

        collection = cls(path, connection)
        if pending:
            collection._migrate(migrations, now=now)
        return collection

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one immediate write transaction."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise _translate(self.path, error) from error
        try:
            yield self._db
        except BaseException as error:
            # A failed statement may already have ended the transaction.
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise _translate(self.path, error) from error
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            raise _translate(self.path, error) from error

    def _read(self, sql: str, args: Sequence[object] = ()) -> list[Any]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as error:
            raise _translate(self.path, error) from error

    def _migrate(self, migrations: Sequence[Migration], *, now: datetime) -> None:
        with self._write() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL UNIQUE, applied_at INTEGER NOT NULL) STRICT"
            )
            # Read again inside the lock: another process may have migrated.
            applied = {n for (n,) in db.execute("SELECT name FROM migrations")}
            for migration in migrations:
                if migration.name in applied:
                    continue
                for statement in migration.statements:
                    db.execute(statement)
                db.execute(
                    "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                    (migration.name, to_ms(now)),
                )
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def migrations(self) -> list[str]:
        """Return the names of the applied migrations, in order."""
        return [n for (n,) in self._read("SELECT name FROM migrations ORDER BY id")]

    # -- metadata and settings ---------------------------------------------

    def meta(self, key: str) -> str | None:
        """Return a metadata value (``fingerprint``, ``decks_dir``), if set."""
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def stored_config(self) -> dict[str, object]:
        """Return the review settings stored in the collection, as raw values."""
        rows = self._read("SELECT key, value FROM config ORDER BY key")
        return {key: json.loads(value) for key, value in rows}

    def set_config(self, key: str, value: object) -> None:
        """Store one review setting (validate it with ``build_config`` first)."""
        with self._write() as db:
            db.execute(
                "INSERT INTO config (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    def scheduler_id(self, scheduler: Scheduler) -> int:
        """Return the id under which reviews name this scheduler's settings."""
        params = scheduler.params_json()
        with self._write() as db:
            db.execute(
                "INSERT OR IGNORE INTO schedulers (params) VALUES (?)", (params,)
            )
            row = db.execute("SELECT id FROM schedulers WHERE params = ?", (params,))
            scheduler_id: int = row.fetchone()[0]
        return scheduler_id

    # -- sync --------------------------------------------------------------

    def sync(self, deck: CompiledDeck, *, now: datetime) -> SyncReport:
        """Bring the cards in line with a compiled deck, keyed by identity.

        New cards arrive unseen; edited cards keep their schedule; cards the
        deck no longer has are retired (hidden, history kept) and restored if
        they come back.
        """
        stamp = to_ms(now)
        with self._write() as db:
            known = {
                row[0]: (row[1], row[2:])
                for row in db.execute(
                    f"SELECT identity, retired, {_CONTENT} FROM cards"
                )
            }
            inserts: list[tuple[object, ...]] = []
            updates: list[tuple[object, ...]] = []
            tagged: list[tuple[str, tuple[str, ...]]] = []
            restored = edited = 0
            for card in deck.cards:
                content = _content(card)
                old = known.get(card.identity)
                if old is None:
                    inserts.append((card.identity, *content, stamp))
                    tagged.append((card.identity, card.tags))
                elif old[0] is not None or old[1] != content:
                    # A card that only moved (a note inserted above it) is
                    # rewritten but not reported as edited.
                    restored += old[0] is not None
                    edited += old[0] is None and old[1][_HASH] != card.content_hash
                    updates.append((*content, card.identity))
                    tagged.append((card.identity, card.tags))

            columns = ", ".join(_CONTENT_NAMES)
            db.executemany(
                f"INSERT INTO cards (identity, {columns}, added)"
                f" VALUES (?, {_marks(_CONTENT_NAMES)}, ?)",
                inserts,
            )
            assignments = ", ".join(f"{name} = ?" for name in _CONTENT_NAMES)
            db.executemany(
                f"UPDATE cards SET {assignments}, retired = NULL WHERE identity = ?",
                updates,
            )
            db.executemany(
                "DELETE FROM card_tags WHERE card_id ="
                " (SELECT id FROM cards WHERE identity = ?)",
                [(identity,) for identity, _ in tagged],
            )
            db.executemany(
                "INSERT OR IGNORE INTO card_tags (tag, card_id)"
                " SELECT ?, id FROM cards WHERE identity = ?",
                [(tag, identity) for identity, tags in tagged for tag in tags],
            )

            live = {card.identity for card in deck.cards}
            gone = [
                (stamp, identity)
                for identity, (retired, _) in known.items()
                if identity not in live and retired is None
            ]
            db.executemany("UPDATE cards SET retired = ? WHERE identity = ?", gone)

            # Absolute, so that a later session started elsewhere finds the
            # sources of the cards (the e key) in the same place.
            for key, value in (
                ("fingerprint", deck.fingerprint),
                ("decks_dir", os.path.abspath(deck.decks_dir)),
            ):
                db.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
        return SyncReport(
            added=len(inserts), updated=edited, retired=len(gone), restored=restored
        )

    # -- queues ------------------------------------------------------------

    def _left_today(self, queue: Queue) -> tuple[int, int]:
        """Return (new, review) cards still allowed today by the daily limits."""
        start = to_ms(queue.day.start)
        introduced = self._read(
            "SELECT count(*) FROM cards WHERE introduced IS NOT NULL"
            " AND introduced >= ?",
            (start,),
        )[0][0]
        reviewed = self._read(
            "SELECT count(DISTINCT card_id) FROM reviews"
            " WHERE reviewed_at >= ? AND state_before = ?",
            (start, REVIEW),
        )[0][0]
        return (
            max(0, queue.new_limit - introduced),
            max(0, queue.review_limit - reviewed),
        )

    _NEW_READY = (
        " AND (c.kind != 'prompt' OR NOT EXISTS (SELECT 1 FROM cards a"
        " WHERE a.note_id = c.note_id AND a.kind != 'prompt'"
        " AND a.retired IS NULL AND a.introduced IS NULL))"
    )

    # Queue queries spell states as literals (1, 3 learning; 2 review) so that
    # SQLite matches them to the partial indexes, whose conditions read alike.

    def counts(self, queue: Queue) -> QueueCounts:
        """Return how many cards are left today in each queue."""
        where, args = queue.filters.sql()
        end = to_ms(queue.day.end)
        new_left, review_left = self._left_today(queue)
        learning = self._read(
            "SELECT count(*) FROM cards c WHERE c.retired IS NULL"
            f" AND c.state IN (1, 3) AND c.due < ?{where}",
            (end, *args),
        )[0][0]
        # Counting stops at the limit, so a huge backlog costs nothing.
        review = self._read(
            "SELECT count(*) FROM (SELECT 1 FROM cards c WHERE c.retired IS NULL"
            f" AND c.state = 2 AND c.due < ?{where} LIMIT ?)",
            (end, *args, review_left),
        )[0][0]
        new = self._read(
            "SELECT count(*) FROM (SELECT 1 FROM cards c WHERE c.retired IS NULL"
            f" AND c.introduced IS NULL{where}{self._NEW_READY} LIMIT ?)",
            (*args, new_left),
        )[0][0]
        return QueueCounts(new=new, learning=learning, review=review)

    def next_card(self, queue: Queue, *, previous_note: str | None) -> CardView | None:
        """Return the card to show next, or None when today's queue is done.

        Learning cards already due come first, then due reviews, then new
        cards in guide order, then learning cards due within ``learn_ahead``.
        A card of the note just shown is taken only when nothing else is left.
        """
        where, args = queue.filters.sql()
        now = to_ms(queue.now)
        new_left, review_left = self._left_today(queue)
        select = f"SELECT {_CARD_COLUMNS} FROM cards c WHERE c.retired IS NULL"
        candidates: list[tuple[str, list[object]]] = [
            (
                f"{select} AND c.state IN (1, 3) AND c.due <= ?{where}{{other}}"
                " ORDER BY c.due",
                [now, *args],
            )
        ]
        if review_left:
            candidates.append(
                (
                    f"{select} AND c.state = 2 AND c.due < ?{where}{{other}}"
                    " ORDER BY c.due",
                    [to_ms(queue.day.end), *args],
                )
            )
        if new_left:
            candidates.append(
                (
                    f"{select} AND c.introduced IS NULL{where}{self._NEW_READY}"
                    "{other} ORDER BY c.ord",
                    list(args),
                )
            )
        candidates.append(
            (
                f"{select} AND c.state IN (1, 3) AND c.due <= ?{where}{{other}}"
                " ORDER BY c.due",
                [to_ms(queue.now + queue.learn_ahead), *args],
            )
        )

        passes = [" AND c.note_id != ?", ""] if previous_note is not None else [""]
        for other in passes:
            for sql, sql_args in candidates:
                extra = [previous_note] if other else []
                rows = self._read(
                    sql.replace("{other}", other) + " LIMIT 1", [*sql_args, *extra]
                )
                if rows:
                    return _card_view(rows[0])
        return None

    def next_learning_due(self, filters: Filters = Filters()) -> datetime | None:
        """Return when the first (re)learning card is due, if there is one."""
        where, args = filters.sql()
        rows = self._read(
            "SELECT min(c.due) FROM cards c WHERE c.retired IS NULL"
            f" AND c.state IN (1, 3){where}",
            args,
        )
        return from_ms(rows[0][0]) if rows[0][0] is not None else None

    def due_between(
        self, start: datetime | None, end: datetime, filters: Filters = Filters()
    ) -> int:
        """Count reviewed cards due from ``start`` (or ever) up to ``end``."""
        where, args = filters.sql()
        low = to_ms(start) if start is not None else -(2**62)
        rows = self._read(
            "SELECT (SELECT count(*) FROM cards c WHERE c.retired IS NULL"
            f" AND c.state IN (1, 3) AND c.due >= ? AND c.due < ?{where})"
            " + (SELECT count(*) FROM cards c WHERE c.retired IS NULL"
            f" AND c.state = 2 AND c.due >= ? AND c.due < ?{where})",
            (low, to_ms(end), *args, low, to_ms(end), *args),
        )
        count: int = rows[0][0]
        return count

    def totals(self) -> dict[str, int]:
        """Return the number of cards: live, new (never seen), retired."""
        row = self._read(
            "SELECT count(*) FILTER (WHERE retired IS NULL),"
            " count(*) FILTER (WHERE retired IS NULL AND introduced IS NULL),"
            " count(*) FILTER (WHERE retired IS NOT NULL) FROM cards"
        )[0]
        return {"live": row[0], "new": row[1], "retired": row[2]}

    def unmatched(self, filters: Filters) -> tuple[list[str], list[str]]:
        """Return the sections and the tags of ``filters`` that no live card has.

        Each is looked up on its own, stopping at the first card, so that a
        big collection answers at once when every name is right.
        """
        sections = [
            section
            for section in filters.sections
            if not self._read(
                "SELECT 1 FROM cards WHERE retired IS NULL AND section = ? LIMIT 1",
                (section,),
            )
        ]
        tags = [
            tag
            for tag in filters.tags
            if not self._read(
                "SELECT 1 FROM card_tags t JOIN cards c ON c.id = t.card_id"
                " WHERE t.tag = ? AND c.retired IS NULL LIMIT 1",
                (tag,),
            )
        ]
        return sections, tags

    def sections_and_tags(self) -> tuple[set[str], set[str]]:
        """Return the section ids and the tags of the live cards."""
        sections = self._read(
            "SELECT DISTINCT section FROM cards WHERE retired IS NULL"
        )
        tags = self._read(
            "SELECT DISTINCT t.tag FROM card_tags t JOIN cards c ON c.id = t.card_id"
            " WHERE c.retired IS NULL"
        )
        return {s for (s,) in sections}, {t for (t,) in tags}

    def card(self, card_id: int) -> CardView:
        """Return one card by row id."""
        rows = self._read(
            f"SELECT {_CARD_COLUMNS} FROM cards c WHERE c.id = ?", (card_id,)
        )
        if not rows:
            raise CollectionError(f"{self.path}: no card with id {card_id}")
        return _card_view(rows[0])

    def card_by_identity(self, identity: str) -> CardView | None:
        """Return one card by its identity, retired or not, if it exists."""
        rows = self._read(
            f"SELECT {_CARD_COLUMNS} FROM cards c WHERE c.identity = ?", (identity,)
        )
        return _card_view(rows[0]) if rows else None

    # -- reviews -----------------------------------------------------------

    def record(
        self,
        card_id: int,
        rating: int,
        *,
        when: datetime,
        duration_ms: int,
        session: str,
        scheduler: Scheduler,
        scheduler_id: int,
    ) -> int:
        """Rate a card and commit the review before returning its id.

        The new state is computed from the card's state as stored now, not as
        the caller last saw it, so that a rating given in another session in
        the meantime is built upon rather than overwritten.

        Args:
            card_id: Row id of the card.
            rating: 1 Again, 2 Hard, 3 Good, 4 Easy.
            when: Time of the rating (UTC-aware).
            duration_ms: Time spent on the card.
            session: Id of the session giving the rating.
            scheduler: The scheduler to apply.
            scheduler_id: Its id from :meth:`scheduler_id`.
        """
        with self._write() as db:
            row = db.execute(
                "SELECT identity, state, step, stability, difficulty, due,"
                " last_review FROM cards WHERE id = ?",
                (card_id,),
            ).fetchone()
            if row is None:
                raise CollectionError(f"{self.path}: no card with id {card_id}")
            before = _state(row[1:])

            # Clocks of two processes may disagree a little; time never runs
            # backwards within one card's history.
            if before is not None and when < before.last_review:
                when = before.last_review
            after = scheduler.review(before, rating, when, seed=row[0])
            when_ms = to_ms(after.last_review)

            cursor = db.execute(
                "INSERT INTO reviews (card_id, session, reviewed_at, rating,"
                " duration_ms, scheduler_id, state_before, step_before,"
                " stability_before, difficulty_before, due_before,"
                " last_review_before, state_after, step_after, stability_after,"
                " difficulty_after, due_after, last_review_after)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    card_id,
                    session,
                    when_ms,
                    rating,
                    max(0, duration_ms),
                    scheduler_id,
                    *_state_columns(before),
                    *_state_columns(after),
                ),
            )
            db.execute(
                "UPDATE cards SET introduced = coalesce(introduced, ?), state = ?,"
                " step = ?, stability = ?, difficulty = ?, due = ?, last_review = ?"
                " WHERE id = ?",
                (when_ms, *_state_columns(after), card_id),
            )
            review_id = cursor.lastrowid
        assert review_id is not None
        return review_id

    def undo(self, review_id: int) -> int | None:
        """Remove a review and put its card back as it was without it.

        When the review is the card's latest, the state before it is restored
        exactly; when another session has rated the card since, the card is
        rebuilt from its remaining log.

        Returns:
            The card's row id, or None if the review no longer exists.
        """
        with self._write() as db:
            row = db.execute(
                "SELECT card_id, state_before, step_before, stability_before,"
                " difficulty_before, due_before, last_review_before"
                " FROM reviews WHERE id = ?",
                (review_id,),
            ).fetchone()
            if row is None:
                return None
            card_id: int = row[0]
            db.execute("DELETE FROM reviews WHERE id = ?", (review_id,))

            later = db.execute(
                "SELECT 1 FROM reviews WHERE card_id = ? AND id > ? LIMIT 1",
                (card_id, review_id),
            ).fetchone()
            state = _state(row[1:]) if later is None else self._replay(card_id)
            self._put_state(card_id, state)
        return card_id

    def _put_state(self, card_id: int, state: CardState | None) -> None:
        """Store a card's state; it was introduced by its first logged review."""
        introduced = None if state is None else self._first_review(card_id)
        self._db.execute(
            "UPDATE cards SET introduced = ?, state = ?, step = ?,"
            " stability = ?, difficulty = ?, due = ?, last_review = ?"
            " WHERE id = ?",
            (introduced, *_state_columns(state), card_id),
        )

    def _first_review(self, card_id: int) -> int | None:
        row = self._db.execute(
            "SELECT min(reviewed_at) FROM reviews WHERE card_id = ?", (card_id,)
        ).fetchone()
        first: int | None = row[0]
        return first

    def _replay(self, card_id: int) -> CardState | None:
        rows = self._db.execute(
            "SELECT c.identity, r.rating, r.reviewed_at, s.params FROM reviews r"
            " JOIN cards c ON c.id = r.card_id"
            " JOIN schedulers s ON s.id = r.scheduler_id"
            " WHERE r.card_id = ? ORDER BY r.id",
            (card_id,),
        ).fetchall()
        schedulers: dict[str, Scheduler] = {}
        state: CardState | None = None
        for identity, rating, reviewed_at, params in rows:
            if params not in schedulers:
                schedulers[params] = Scheduler.from_params_json(params)
            state = schedulers[params].review(
                state, rating, from_ms(reviewed_at), seed=identity
            )
        return state

    def replayed_state(self, card_id: int) -> CardState | None:
        """Return the state a card gets by replaying its review log."""
        try:
            return self._replay(card_id)
        except sqlite3.Error as error:
            raise _translate(self.path, error) from error

    def rebuild_states(self) -> int:
        """Recompute every card's state from the review log.

        Returns:
            The number of cards whose stored state, or the time they were
            introduced, differed and was rewritten.
        """
        changed = 0
        with self._write() as db:
            rows = db.execute(
                "SELECT id, introduced, state, step, stability, difficulty, due,"
                " last_review FROM cards"
            ).fetchall()
            for row in rows:
                state = self._replay(row[0])
                introduced = None if state is None else self._first_review(row[0])
                if (introduced, state) != (row[1], _state(row[2:])):
                    changed += 1
                    self._put_state(row[0], state)
        return changed

    def session_summary(self, session: str) -> SessionSummary:
        """Return what a session did, from the log."""
        row = self._read(
            "SELECT count(*), count(*) FILTER (WHERE rating = ?),"
            " coalesce(sum(duration_ms), 0) FROM reviews WHERE session = ?",
            (AGAIN, session),
        )[0]
        return SessionSummary(reviewed=row[0], again=row[1], duration_ms=row[2])

    def review_count(self) -> int:
        """Return the number of reviews in the log."""
        count: int = self._read("SELECT count(*) FROM reviews")[0][0]
        return count

    def integrity(self) -> str:
        """Run SQLite's full integrity check; ``"ok"`` when sound."""
        result: str = self._read("PRAGMA integrity_check")[0][0]
        return result


__all__ = [
    "APPLICATION_ID",
    "CardView",
    "Collection",
    "Filters",
    "MIGRATIONS",
    "Migration",
    "Queue",
    "QueueCounts",
    "SessionSummary",
    "SyncReport",
    "backup",
    "default_collection_path",
    "inspect",
]
