"""The ``cvcards review`` and ``cvcards status`` commands.

Both open the learner's collection, bring it in line with the decks (compiling
them only when their fingerprint changed since the last sync), and then either
run a review session or print what is due. Heavy modules (fsrs, rich, the
compiler) are imported inside the commands so that start-up stays quick.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from cvcards.collection import Collection, Filters
    from cvcards.scheduler import ReviewConfig

KINDS = ("basic", "cloze", "step", "table", "prompt")
NO_TERMINAL_EXIT = 2


def _now() -> datetime:
    return datetime.now(UTC)


def _options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options review and status share."""
    for option in reversed(
        (
            click.option(
                "--collection",
                "collection_path",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Collection file [default: the user data folder;"
                " env CVCARDS_COLLECTION].",
            ),
            click.option(
                "--decks",
                "decks_dir",
                type=click.Path(file_okay=False, path_type=Path),
                help="Deck sources to sync from [default: ./decks in a checkout,"
                " else the shipped decks].",
            ),
            click.option(
                "--config",
                "config_path",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Settings file (TOML, a [review] table) [default: the user"
                " config folder; env CVCARDS_CONFIG].",
            ),
            click.option(
                "--section", "sections", multiple=True, help="Only this section."
            ),
            click.option(
                "--tag", "tags", multiple=True, help="Only cards with this tag."
            ),
            click.option(
                "--kind",
                "kinds",
                multiple=True,
                type=click.Choice(KINDS),
                help="Only cards of this kind.",
            ),
        )
    ):
        command = option(command)
    return command


def _open(
    collection_path: Path | None,
    decks_dir: Path | None,
    config_path: Path | None,
    now: datetime,
    console: Console,
) -> tuple[Collection, ReviewConfig]:
    """Open the collection, sync it with the decks, and read the settings."""
    from cvcards.collection import Collection, default_collection_path
    from cvcards.errors import DeckError
    from cvcards.loader import source_fingerprint
    from cvcards.paths import default_decks_dir
    from cvcards.scheduler import build_config, default_config_path, read_config_file

    path = collection_path or default_collection_path()
    collection = Collection.open(path, now=now)
    try:
        settings_file = config_path or default_config_path()
        file_values: dict[str, object] = {}
        # A file the learner named (option or environment) must exist; the
        # default one is optional.
        named = config_path is not None or bool(os.environ.get("CVCARDS_CONFIG"))
        if named or settings_file.is_file():
            file_values = read_config_file(settings_file)
        # Each layer is checked on its own first, so that a message names the
        # place that holds the bad value.
        stored = collection.stored_config()
        build_config(stored, origin=f"{path} (settings stored in the collection)")
        config = build_config(stored, file_values, origin=str(settings_file))

        decks = decks_dir or default_decks_dir()
        if collection.meta("fingerprint") != source_fingerprint(decks):
            try:
                _sync(collection, decks, now, console, chosen=decks_dir is not None)
            except DeckError as error:
                if not collection.totals()["live"]:
                    raise
                console.print(
                    "The decks have problems; reviewing the cards of the last sync.",
                    style="yellow",
                )
                console.print(str(error), soft_wrap=True, markup=False)
    except BaseException:
        collection.close()
        raise
    return collection, config


def _sync(
    collection: Collection,
    decks: Path,
    now: datetime,
    console: Console,
    *,
    chosen: bool,
) -> None:
    from cvcards.compiler import compile_decks
    from cvcards.paths import lock_is_writable

    # The lock file keeps identities stable; it is written only for decks the
    # learner edits (the shipped decks are read-only).
    writable = lock_is_writable(decks, chosen=chosen)
    deck = compile_decks(decks, now=int(now.timestamp()), update_lock=writable)
    report = collection.sync(deck, now=now)
    changes = [
        f"{count} {what}"
        for count, what in (
            (report.added, "new"),
            (report.updated, "edited"),
            (report.retired, "retired"),
            (report.restored, "restored"),
        )
        if count
    ]
    if changes:
        console.print(
            f"Synced with {decks}: {', '.join(changes)}.",
            style="dim",
            soft_wrap=True,
            markup=False,
        )


def _filters(
    collection: Collection,
    sections: tuple[str, ...],
    tags: tuple[str, ...],
    kinds: tuple[str, ...],
) -> Filters:
    """Return the filters, or a usage error naming every section or tag no card has.

    A mistyped name would otherwise end the session at once as if nothing
    were due.
    """
    from difflib import get_close_matches

    from cvcards.collection import Filters

    filters = Filters(sections=sections, tags=tags, kinds=kinds)
    unknown_sections, unknown_tags = collection.unmatched(filters)
    if not (unknown_sections or unknown_tags):
        return filters

    known_sections, known_tags = collection.sections_and_tags()
    problems = [
        f"--section {section}: no card is in this section;"
        f" sections: {', '.join(sorted(known_sections))}"
        for section in unknown_sections
    ]
    for tag in unknown_tags:
        close = get_close_matches(tag, known_tags, n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        problems.append(f"--tag {tag}: no card has this tag{hint}")
    raise click.UsageError("\n".join(problems))


@click.command()
@_options
@click.option(
    "--new",
    "new_cards",
    type=click.IntRange(min=0),
    help="New cards allowed today (overrides new_per_day).",
)
@click.pass_context
def review(
    ctx: click.Context,
    collection_path: Path | None,
    decks_dir: Path | None,
    config_path: Path | None,
    sections: tuple[str, ...],
    tags: tuple[str, ...],
    kinds: tuple[str, ...],
    new_cards: int | None,
) -> None:
    """Review today's due cards, one at a time, in the terminal.

    Space or enter reveals the answer; 1 Again, 2 Hard, 3 Good, 4 Easy rate
    it; u undoes the last rating; d opens the card's diagram; e opens its
    source in $EDITOR at the card's line; q quits. Every rating is saved
    before the next card appears.

    \b
    Examples:
      cvcards review
      cvcards review --section metrics --new 5
      cvcards review --kind cloze --tag post-processing
    """
    injected = ctx.obj if isinstance(ctx.obj, dict) else {}
    keys = injected.get("keys")
    if keys is None and not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo(
            "Error: cvcards review reads single key presses and needs a terminal;"
            " its input or output is redirected. Run it in a terminal"
            " (cvcards status prints what is due without one).",
            err=True,
        )
        ctx.exit(NO_TERMINAL_EXIT)

    from rich.console import Console

    from cvcards.paths import find_diagram
    from cvcards.scheduler import Scheduler, local_timezone
    from cvcards.session import ReviewSession, TerminalKeys

    clock: Callable[[], datetime] = injected.get("clock", _now)
    console = Console(highlight=False)
    started = clock()
    collection, config = _open(
        collection_path, decks_dir, config_path, started, console
    )
    with collection:
        stored_decks = collection.meta("decks_dir")
        session = ReviewSession(
            collection=collection,
            scheduler=Scheduler(config),
            console=console,
            keys=keys or TerminalKeys(),
            clock=clock,
            tz=injected.get("tz") or local_timezone(),
            session_id=f"{int(started.timestamp() * 1000):x}-{os.getpid()}",
            filters=_filters(collection, sections, tags, kinds),
            new_limit=config.new_per_day if new_cards is None else new_cards,
            review_limit=config.reviews_per_day,
            decks_dir=Path(stored_decks) if stored_decks else decks_dir,
            find_diagram=find_diagram,
            editor=os.environ.get("VISUAL") or os.environ.get("EDITOR"),
        )
        session.run()


@click.command()
@_options
@click.option(
    "--days",
    type=click.IntRange(min=1, max=365),
    default=7,
    show_default=True,
    help="How many days ahead to show.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Also check the whole collection file for damage (reads all of it).",
)
@click.pass_context
def status(
    ctx: click.Context,
    collection_path: Path | None,
    decks_dir: Path | None,
    config_path: Path | None,
    sections: tuple[str, ...],
    tags: tuple[str, ...],
    kinds: tuple[str, ...],
    days: int,
    check: bool,
) -> None:
    """Print what is due today and in the next days, without reviewing.

    \b
    Examples:
      cvcards status
      cvcards status --days 14 --section metrics
      cvcards status --check
    """
    from rich.console import Console
    from rich.table import Table

    from cvcards.collection import Queue
    from cvcards.scheduler import learner_day, local_timezone

    injected = ctx.obj if isinstance(ctx.obj, dict) else {}
    now: datetime = injected.get("clock", _now)()
    tz = injected.get("tz") or local_timezone()
    console = Console(highlight=False)
    if check:
        from cvcards.collection import check_integrity, default_collection_path

        path = collection_path or default_collection_path()
        if path.exists():
            check_integrity(path)
    collection, config = _open(collection_path, decks_dir, config_path, now, console)
    with collection:
        filters = _filters(collection, sections, tags, kinds)
        today = learner_day(now, rollover_hour=config.rollover_hour, tz=tz)
        counts = collection.counts(
            Queue(
                now=now,
                day=today,
                filters=filters,
                new_limit=config.new_per_day,
                review_limit=config.reviews_per_day,
            )
        )
        totals = collection.totals()

        console.print(
            f"Collection {collection.path}: {totals['live']} cards,"
            f" {totals['new']} never reviewed, {collection.review_count()} reviews.",
            soft_wrap=True,
            markup=False,
        )
        console.print(
            f"[bold]Due today[/bold]: {counts.new} new, {counts.learning} learning,"
            f" {counts.review} review ({counts.total} in all)."
        )

        table = Table(title="Due in the next days", title_justify="left")
        table.add_column("Day")
        table.add_column("Reviews", justify="right")
        for offset in range(1, days + 1):
            day = learner_day(
                now, rollover_hour=config.rollover_hour, tz=tz, offset=offset
            )
            due = collection.due_between(day.start, day.end, filters)
            label = day.start.astimezone(tz).strftime("%a %d %b")
            table.add_row(label, str(due))
        console.print(table)
        if check:
            console.print("Integrity check: ok.")
