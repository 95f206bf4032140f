"""The ``diagrams`` command: render the figures the decks use, and the defaults."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cvcards.cli.build import DECKS_OPTION, fail_with_problems, resolve_decks

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from cvcards.diagrams.cache import Spec


def _shown(path: Path) -> str:
    from cvcards.loader import shown_path

    return shown_path(path)


def _known_names(names: tuple[str, ...]) -> None:
    from cvcards.diagrams.registry import GENERATORS, validate

    # The registry words the message, with a suggestion for a near miss.
    problems = [
        problem
        for name in names
        if name not in GENERATORS
        for problem in validate(name, {})
    ]
    if problems:
        raise click.BadParameter("\n".join(problems), param_hint="NAMES")


class _Progress:
    """A rich progress bar on a terminal; nothing when output is piped."""

    def __init__(self, total: int) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.total = total
        # Quiet when the output goes to a pipe or file, even if stderr is a
        # terminal: a bar would mix with what the reader of that output sees.
        self.enabled = self.console.is_terminal and sys.stdout.isatty() and total > 1

    def __enter__(self) -> Callable[[str], None] | None:
        if not self.enabled:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.bar = Progress(
            TextColumn("rendering"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("", total=self.total)

        def advance(name: str) -> None:
            self.bar.update(task, advance=1, description=name)

        return advance

    def __exit__(self, *exc_info: object) -> None:
        if self.enabled:
            self.bar.stop()


def _render_specs(
    specs: list[Spec], out_dir: Path, jobs: int, force: bool
) -> Iterator[tuple[str, Path]]:
    """Render and yield ``(status, path)`` once per distinct file, by name."""
    from cvcards.diagrams.cache import plan
    from cvcards.diagrams.render import render

    missing = {p.path for p in plan(specs, out_dir) if force or not p.cached}
    with _Progress(len(missing)) as progress:
        results = render(specs, out_dir, jobs=jobs, progress=progress, force=force)
    statuses = {r.path: "rendered" if r.rendered else "cached" for r in results}
    for path in sorted(statuses):
        yield statuses[path], path


@click.command()
@click.argument("names", nargs=-1)
@DECKS_OPTION
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the figures here (default: ./diagrams in the repository, "
    "else a per-user cache).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Render this many figures in parallel.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Delete rendered figures that neither a deck nor a default instance uses.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Render again even the figures that exist (e.g. after a matplotlib upgrade).",
)
def diagrams(
    names: tuple[str, ...],
    decks: Path | None,
    out: Path | None,
    jobs: int,
    prune: bool,
    force: bool,
) -> None:
    """Render the diagrams that the decks use, plus each generator's default.

    With NAMES, only those generators are rendered: their default instance
    and every figure the decks draw with them. A figure is drawn only if its
    file is missing, since the file name is a hash of everything that
    determines it. Each file is listed as "rendered" or "cached".

    \b
    Examples:
        cvcards diagrams
        cvcards diagrams iou_overlap pr_curves
        cvcards diagrams --jobs 2 --prune
    """
    from cvcards.diagrams.cache import stale_files
    from cvcards.diagrams.registry import filename
    from cvcards.diagrams.specs import deck_specs, default_specs
    from cvcards.errors import DeckError
    from cvcards.loader import load_decks
    from cvcards.paths import diagrams_dirs

    _known_names(names)
    decks_dir, _ = resolve_decks(decks)
    out_dir = out if out is not None else diagrams_dirs()[0]

    # Every deck spec is checked before anything is drawn.
    try:
        from_decks = deck_specs(load_decks(decks_dir))
    except DeckError as error:
        fail_with_problems(error, "no diagram was rendered")
    everything = default_specs() + from_decks
    chosen = everything
    if names:
        chosen = default_specs(names) + [s for s in from_decks if s[0] in names]

    statuses = list(_render_specs(chosen, out_dir, jobs, force))
    for status, path in statuses:
        click.echo(f"{status:<9} {_shown(path)}")
    rendered = sum(status == "rendered" for status, _ in statuses)
    click.echo(
        f"{rendered} rendered, {len(statuses) - rendered} cached in {_shown(out_dir)}"
    )

    if prune:
        # Keep what any spec uses, even when only some generators were named.
        keep = {filename(*spec) for spec in everything}
        stale = stale_files(out_dir, keep)
        for path in stale:
            path.unlink()
            click.echo(f"removed   {_shown(path)}")
        click.echo(f"{len(stale)} stale file{'s' if len(stale) != 1 else ''} removed")
