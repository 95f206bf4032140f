"""The review session in the terminal: show a card, reveal it, rate it, repeat.

This is the only module besides the command line that talks to the terminal.
It reads single key presses through a :class:`KeyReader` (a real terminal in
cbreak mode, or a scripted list of keys for tests and demos), draws with rich,
and leaves all storage to the collection: every rating is committed there
before the next card is drawn, so quitting or being killed loses nothing.

Keys: space or enter reveals; 1-4 rate (Again, Hard, Good, Easy); ``u`` undoes
the last rating; ``d`` opens the card's diagram; ``e`` opens the card's source
in ``$EDITOR``; ``q`` quits.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from cvcards.collection import CardView, Collection, Filters, Queue, QueueCounts
from cvcards.scheduler import (
    RATING_NAMES,
    Scheduler,
    format_interval,
    learner_day,
    to_ms,
)

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

REVEAL_KEYS = {" ", "\r", "\n"}
RATING_KEYS = {str(r): r for r in RATING_NAMES}
RATING_STYLES = {1: "bold red", 2: "bold yellow", 3: "bold green", 4: "bold cyan"}
HELP_FRONT = "space/enter reveal · u undo · d diagram · e edit · q quit"
HELP_BACK = "1-4 rate · u undo · d diagram · e edit · q quit"


class KeyReader(Protocol):
    """Where key presses come from."""

    def read_key(self) -> str:
        """Return the next key as a one-character string, "" at end of input."""
        ...


class TerminalKeys:
    """Read single key presses from a terminal, one at a time.

    The terminal is put in cbreak mode only while a key is awaited, so that an
    editor or viewer started between keys finds it as usual.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdin

    def read_key(self) -> str:
        """Wait for one key press and return it ("" at end of input)."""
        import termios
        import tty

        fd = self._stream.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            data = os.read(fd, 1)
        except KeyboardInterrupt:
            # Ctrl-C ends the session like q, with its summary.
            return "\x03"
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        return data.decode("utf-8", errors="replace")


class ScriptedKeys:
    """Keys given in advance, for tests and demonstrations."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._keys = list(keys)

    def read_key(self) -> str:
        """Return the next scripted key, "" when the script is used up."""
        return self._keys.pop(0) if self._keys else ""


def open_in_viewer(path: Path) -> bool:
    """Open a file with the system's viewer, without waiting for it.

    Returns:
        False when there is no graphical viewer to use (e.g. over SSH).
    """
    if sys.platform == "win32":  # pragma: no cover - not run on the test machines
        os.startfile(path)  # type: ignore[attr-defined]
        return True
    if sys.platform == "darwin":
        command = ["open", str(path)]
    else:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return False
        command = ["xdg-open", str(path)]
    if shutil.which(command[0]) is None:
        return False
    subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return True


def editor_command(editor: str, path: Path, line: int) -> list[str]:
    """Return the command that opens ``path`` at ``line`` in ``editor``.

    Most terminal editors (vi, vim, nano, emacs, micro, kak) take ``+LINE``;
    VS Code and its forks take ``-g path:line``; Sublime Text and Zed take
    ``path:line``.
    """
    words = shlex.split(editor)
    name = Path(words[0]).name if words else ""
    if name in {"code", "codium", "cursor", "code-insiders"}:
        return [*words, "-g", f"{path}:{line}"]
    if name in {"subl", "zed", "hx"}:
        return [*words, f"{path}:{line}"]
    return [*words, f"+{max(line, 1)}", str(path)]


@dataclass(frozen=True)
class SessionResult:
    """How a session ended.

    Attributes:
        reviewed: Ratings given and kept (undone ones excluded).
        again: Of those, ratings of Again.
        elapsed: Wall-clock time of the session.
        due_tomorrow: Cards due by the end of the learner's next day.
        quit: Whether the learner quit before the queue was done.
        learning_later: When the next learning card is due, if later today.
    """

    reviewed: int
    again: int
    elapsed: timedelta
    due_tomorrow: int
    quit: bool
    learning_later: datetime | None = None


@dataclass
class ReviewSession:
    """One sitting of reviews on a collection.

    Attributes:
        collection: The open collection; every rating is committed to it.
        scheduler: The FSRS scheduler with the learner's settings.
        console: Where to draw.
        keys: Where key presses come from.
        clock: Returns the current UTC time (fixed or stepped in tests).
        tz: The learner's time zone, for the day and times shown.
        session_id: Name under which this session's reviews are logged.
        filters: Cards the session is limited to.
        new_limit: New cards allowed today.
        review_limit: Review-state cards allowed today.
        decks_dir: Where the cards' source files are, for ``e``.
        viewer: Opens a diagram; returns False when there is no viewer.
        find_diagram: Returns a rendered diagram's path from its file name.
        editor: The editor command; None to say how to set one.
    """

    collection: Collection
    scheduler: Scheduler
    console: Console
    keys: KeyReader
    clock: Callable[[], datetime]
    tz: tzinfo
    session_id: str
    filters: Filters = field(default_factory=Filters)
    new_limit: int = 20
    review_limit: int = 200
    decks_dir: Path | None = None
    viewer: Callable[[Path], bool] = open_in_viewer
    find_diagram: Callable[[str], Path | None] = lambda name: None
    editor: str | None = None

    def __post_init__(self) -> None:
        self._history: list[tuple[int, int]] = []
        self._scheduler_id = self.collection.scheduler_id(self.scheduler)

    def queue(self) -> Queue:
        """Return the queue as it stands now."""
        now = self.clock()
        day = learner_day(
            now, rollover_hour=self.scheduler.config.rollover_hour, tz=self.tz
        )
        return Queue(
            now=now,
            day=day,
            filters=self.filters,
            new_limit=self.new_limit,
            review_limit=self.review_limit,
        )

    def run(self) -> SessionResult:
        """Show cards until the queue is empty or the learner quits."""
        started = self.clock()
        previous_note: str | None = None
        again_card: CardView | None = None
        quit_early = False

        while True:
            queue = self.queue()
            card = again_card or self.collection.next_card(
                queue, previous_note=previous_note
            )
            again_card = None
            if card is None:
                break

            outcome = self._show_card(card, self.collection.counts(queue))
            if outcome == "quit":
                quit_early = True
                break
            if outcome == "undo":
                again_card = self._undo()
                continue
            previous_note = card.note_id

        return self._finish(started, quit_early)

    def _show_card(self, card: CardView, counts: QueueCounts) -> str:
        """Show one card until it is rated, or undo or quit is asked for."""
        shown_at = self.clock()
        self._draw(card, counts, revealed=False)
        key = self._wait_for(card, REVEAL_KEYS)
        if key in ("quit", "undo"):
            return key

        previews = self.scheduler.preview(card.state, shown_at, seed=card.identity)
        self._draw(card, counts, revealed=True, previews=previews)
        key = self._wait_for(card, RATING_KEYS)
        if key in ("quit", "undo"):
            return key
        rated_at = self.clock()
        review_id = self.collection.record(
            card.id,
            RATING_KEYS[key],
            when=rated_at,
            duration_ms=to_ms(rated_at) - to_ms(shown_at),
            session=self.session_id,
            scheduler=self.scheduler,
            scheduler_id=self._scheduler_id,
        )
        self._history.append((review_id, card.id))
        return "rated"

    def _wait_for(self, card: CardView, wanted: Container[str]) -> str:
        """Read keys until one in ``wanted``, "quit" or "undo"; serve d and e."""
        while True:
            key = self.keys.read_key()
            if key in ("", "q", "\x03", "\x04"):
                return "quit"
            if key == "u" and self._history:
                return "undo"
            if key == "u":
                self.console.print("[dim]Nothing to undo yet.[/dim]")
            elif key in wanted:
                return key
            else:
                self._side_key(key, card)

    def _undo(self) -> CardView | None:
        from rich.markup import escape

        review_id, card_id = self._history.pop()
        self.collection.undo(review_id)
        card = self.collection.card(card_id)
        self.console.print(
            f"[yellow]Undone:[/yellow] the rating of {escape(card.identity)}"
        )
        return card

    def _side_key(self, key: str, card: CardView) -> None:
        if key == "d":
            self._open_diagram(card)
        elif key == "e":
            self._edit(card)

    def _open_diagram(self, card: CardView) -> None:
        from rich.markup import escape

        if not card.diagrams:
            self.console.print("[dim]This card has no diagram.[/dim]")
            return
        for name in card.diagrams:
            path = self.find_diagram(name)
            if path is None:
                self.console.print(
                    f"Diagram {escape(name)} is not rendered yet; run [bold]cvcards"
                    " diagrams[/bold] to draw it."
                )
            elif not self.viewer(path):
                self.console.print(f"Diagram: {path}", soft_wrap=True, markup=False)

    def _edit(self, card: CardView) -> None:
        if self.decks_dir is None or not card.source_file:
            self.console.print("[dim]The source of this card is not known.[/dim]")
            return
        path = self.decks_dir / card.source_file
        if not self.editor:
            self.console.print(
                f"Set $EDITOR to edit cards from here; this one is at"
                f" {path}:{card.line}",
                soft_wrap=True,
                markup=False,
            )
            return
        try:
            subprocess.run(editor_command(self.editor, path, card.line), check=False)
        except OSError as error:
            self.console.print(
                f"Could not start {self.editor!r}: {error}", markup=False
            )
            return
        self.console.print("[dim]Saved edits show from the next session.[/dim]")

    def _draw(
        self,
        card: CardView,
        counts: QueueCounts,
        *,
        revealed: bool,
        previews: dict[int, timedelta] | None = None,
    ) -> None:
        from rich.console import Group
        from rich.markdown import Markdown
        from rich.panel import Panel
        from rich.text import Text

        parts: list[RenderableType] = [self._header(counts)]
        # Deck text is never read as rich markup: "[/b]" in a topic would raise.
        title = f"{card.section_title} · {card.topic}" if card.topic else card.section
        parts.append(
            Panel(
                Markdown(card.front),
                title=Text(title),
                subtitle=Text(card.kind),
                expand=True,
            )
        )
        if revealed:
            parts.append(Panel(Markdown(card.back), border_style="green"))
            if card.context:
                parts.append(Panel(Markdown(card.context), border_style="dim"))
            assert previews is not None
            buttons = Text()
            for rating, name in RATING_NAMES.items():
                buttons.append(f" {rating} ", style=f"reverse {RATING_STYLES[rating]}")
                buttons.append(f" {name} {format_interval(previews[rating])}   ")
            parts.append(buttons)
        parts.append(Text(HELP_BACK if revealed else HELP_FRONT, style="dim"))

        self.console.clear()
        self.console.print(Group(*parts))

    def _header(self, counts: QueueCounts) -> RenderableType:
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        done = len(self._history)
        grid = Table.grid(padding=(0, 2))
        grid.add_row(
            Text.assemble(
                ("New ", "bold"),
                (str(counts.new), "blue"),
                ("  Learning ", "bold"),
                (str(counts.learning), "red"),
                ("  Review ", "bold"),
                (str(counts.review), "green"),
            ),
            ProgressBar(total=max(done + counts.total, 1), completed=done, width=30),
            Text(f"{done}/{done + counts.total}"),
        )
        return grid

    def _finish(self, started: datetime, quit_early: bool) -> SessionResult:
        queue = self.queue()
        tomorrow = learner_day(
            queue.now,
            rollover_hour=self.scheduler.config.rollover_hour,
            tz=self.tz,
            offset=1,
        )
        summary = self.collection.session_summary(self.session_id)
        later = self.collection.next_learning_due(self.filters)
        result = SessionResult(
            reviewed=summary.reviewed,
            again=summary.again,
            elapsed=queue.now - started,
            due_tomorrow=self.collection.due_between(None, tomorrow.end, self.filters),
            quit=quit_early,
            learning_later=later
            if later is not None and later < queue.day.end
            else None,
        )
        self._print_summary(result)
        return result

    def _print_summary(self, result: SessionResult) -> None:
        from rich.table import Table

        table = Table(title="Session summary", show_header=False, box=None)
        table.add_row("Cards reviewed", str(result.reviewed))
        table.add_row("Again", str(result.again))
        table.add_row("Time spent", format_elapsed(result.elapsed))
        table.add_row("Due tomorrow", str(result.due_tomorrow))
        self.console.print(table)
        if result.quit:
            self.console.print("Stopped early; every rating given so far is saved.")
        elif result.learning_later is not None:
            at = result.learning_later.astimezone(self.tz).strftime("%H:%M")
            self.console.print(
                f"Learning cards come back later today (next at {at}); run"
                " cvcards review again then."
            )
        else:
            self.console.print("Nothing more is due today.")


def format_elapsed(elapsed: timedelta) -> str:
    """Write a duration as ``1h 02m``, ``4m 05s`` or ``12s``."""
    seconds = max(0, int(elapsed.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {seconds:02d}s"
    return f"{seconds}s"


__all__ = [
    "KeyReader",
    "ReviewSession",
    "ScriptedKeys",
    "SessionResult",
    "TerminalKeys",
    "editor_command",
    "format_elapsed",
    "open_in_viewer",
]
