"""Benchmark ``cvcards status`` and the time to the first card of ``cvcards review``.

Builds a collection of 100,000 cards and 1,000,000 reviews directly in SQLite
(with a seeded generator, so every run builds the same one), then runs both
commands as real processes, the review in a pseudo-terminal, and prints the
median of several runs. The deck folder is left empty and the collection's
stored fingerprint made to match it, as after a sync with unchanged decks.

Usage:
    python scripts/bench_review.py [--cards 100000] [--reviews 1000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pexpect

from cvcards.collection import Collection
from cvcards.loader import source_fingerprint
from cvcards.scheduler import Scheduler, to_ms

SECTIONS = ("role", "detection", "metrics", "training", "production", "coding")
KINDS = ("basic", "cloze", "step", "table")


def build(path: Path, decks: Path, *, cards: int, reviews: int, seed: int) -> float:
    """Write the generated collection; return the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with Collection.open(path, now=now) as col:
        scheduler_id = col.scheduler_id(Scheduler())
    now_ms = to_ms(now)
    day_ms = 86_400_000

    # About 60 % of the cards have been seen; reviews are spread over them.
    seen = int(cards * 0.6)
    card_rows = []
    for n in range(cards):
        note = n // 4
        row: list[object] = [
            n + 1,
            f"note-{note:06d}/{n:08x}",
            f"note-{note:06d}/{n:08x}",
            f"note-{note:06d}",
            KINDS[n % 4],
            SECTIONS[note % len(SECTIONS)],
            SECTIONS[note % len(SECTIONS)].title(),
            f"topic {note % 97}",
            n,
            f"Front of card {n}: what does this term mean?",
            f"Back of card {n}, with a short **Markdown** answer.",
            "",
            "[]",
            json.dumps([f"section::{SECTIONS[note % len(SECTIONS)]}"]),
            f"{SECTIONS[note % len(SECTIONS)]}.yaml",
            1 + n % 500,
            f"{n:016x}",
            now_ms - 400 * day_ms,
        ]
        if n < seen:
            last = now_ms - rng.randint(1, 200) * day_ms
            state = 2 if rng.random() < 0.97 else 3
            due = last + rng.randint(1, 240) * day_ms
            row += [
                now_ms - 400 * day_ms,
                state,
                None if state == 2 else 0,
                rng.uniform(1, 200),
                rng.uniform(1, 10),
                due,
                last,
            ]
        else:
            row += [None] * 7
        card_rows.append(tuple(row))

    connection = _raw(path)
    with connection:
        connection.executemany(
            "INSERT INTO cards (id, identity, anki_key, note_id, kind, section,"
            " section_title, topic, ord, front, back, context, diagrams, tags,"
            " source_file, line, content_hash, added, introduced, state, step,"
            " stability, difficulty, due, last_review)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?)",
            card_rows,
        )
        connection.executemany(
            "INSERT INTO card_tags (tag, card_id) VALUES (?, ?)",
            ((json.loads(str(row[13]))[0], row[0]) for row in card_rows),
        )
        connection.executemany(
            "INSERT INTO reviews (card_id, session, reviewed_at, rating, duration_ms,"
            " scheduler_id, state_before, step_before, stability_before,"
            " difficulty_before, due_before, last_review_before, state_after,"
            " step_after, stability_after, difficulty_after, due_after,"
            " last_review_after) VALUES (?, 'bench', ?, ?, ?, ?, 2, NULL, ?, ?, ?,"
            " ?, 2, NULL, ?, ?, ?, ?)",
            _reviews(rng, reviews, seen, now_ms, scheduler_id),
        )
        for key, value in (
            ("fingerprint", source_fingerprint(decks)),
            ("decks_dir", str(decks)),
        ):
            connection.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
            )
    connection.execute("PRAGMA journal_mode = WAL")
    connection.close()
    return time.perf_counter() - started


def _reviews(
    rng: random.Random, count: int, seen: int, now_ms: int, scheduler_id: int
) -> Iterator[tuple[object, ...]]:
    day_ms = 86_400_000
    for _ in range(count):
        at = now_ms - rng.randint(1, 700) * day_ms
        stability = rng.uniform(1, 200)
        yield (
            rng.randint(1, seen),
            at,
            rng.choice((1, 3, 3, 3, 4)),
            rng.randint(2000, 20000),
            scheduler_id,
            stability,
            5.0,
            at,
            at - day_ms,
            stability * 1.5,
            5.0,
            at + 3 * day_ms,
            at,
        )


def _raw(path: Path) -> sqlite3.Connection:
    # A bulk load that may be lost on a crash: no journal, no syncing.
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    return connection


def time_status(path: Path, decks: Path, env: dict[str, str]) -> float:
    """Run ``cvcards status`` once; return its wall-clock seconds."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cvcards",
            "status",
            "--collection",
            str(path),
            "--decks",
            str(decks),
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    return time.perf_counter() - started


def time_first_card(path: Path, decks: Path, env: dict[str, str]) -> float:
    """Start ``cvcards review`` in a pseudo-terminal; time until a card is drawn."""
    started = time.perf_counter()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "cvcards", "review", "--collection", str(path), "--decks", str(decks)],
        env=env,
        dimensions=(40, 120),
        encoding="utf-8",
        timeout=60,
    )
    child.expect("space/enter reveal")
    elapsed = time.perf_counter() - started
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    return elapsed


def time_python(env: dict[str, str]) -> float:
    """Time a bare interpreter start, the floor under both figures."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    """Build the collection, run the commands, print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        decks = root / "decks"
        decks.mkdir()
        path = root / "collection.sqlite3"
        built = build(
            path, decks, cards=args.cards, reviews=args.reviews, seed=args.seed
        )
        size = path.stat().st_size / 1e6
        print(
            f"built {args.cards:,} cards and {args.reviews:,} reviews"
            f" ({size:.0f} MB) in {built:.1f} s"
        )

        env = dict(os.environ, TERM="xterm-256color")
        env.pop("CVCARDS_COLLECTION", None)
        # One warm-up run each, so that the figures are for a warm file cache.
        time_status(path, decks, env)
        time_first_card(path, decks, env)
        for name, measure in (
            ("python start-up", lambda: time_python(env)),
            ("cvcards status", lambda: time_status(path, decks, env)),
            ("cvcards review, first card", lambda: time_first_card(path, decks, env)),
        ):
            runs = [measure() for _ in range(args.runs)]
            print(
                f"{name:28s} median {statistics.median(runs):.3f} s"
                f"  (min {min(runs):.3f}, max {max(runs):.3f}, {args.runs} runs)"
            )


if __name__ == "__main__":
    main()
