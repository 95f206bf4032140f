"""The ``build``, ``check`` and ``schema`` commands."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from cvcards import __version__

if TYPE_CHECKING:
    from cvcards.cards import CompiledDeck
    from cvcards.errors import DeckError, Problem

DECKS_OPTION = click.option(
    "--decks",
    "decks",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of deck .yaml files (default: ./decks in the repository, "
    "else the decks shipped with cvcards).",
)


def resolve_decks(decks: Path | None) -> tuple[Path, str]:
    """Return the decks directory and a phrase saying where it came from."""
    from cvcards.paths import default_decks_dir, repository_root

    if decks is not None:
        return decks, "from --decks"
    found = default_decks_dir()
    if repository_root() is not None:
        return found, "the repository's working copy"
    return found, f"shipped with cvcards {__version__}"


def fail_with_problems(error: DeckError, action: str) -> NoReturn:
    """Print every problem, one per line, and exit with status 1."""
    for problem in error.problems:
        click.echo(str(problem), err=True)
    count = len(error.problems)
    click.echo(
        f"Error: {count} problem{'s' if count != 1 else ''} in the decks; {action}.",
        err=True,
    )
    sys.exit(1)


def _code_version() -> str:
    # A build is reusable only if the code that made it is unchanged too.
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _manifest_path() -> Path:
    from cvcards.paths import cache_dir

    return cache_dir() / "builds.json"


def _html_cache_path() -> Path:
    from cvcards.paths import cache_dir

    return cache_dir() / "html-cache.json"


def _read_json(path: Path) -> dict[str, Any]:
    # A missing or damaged cache only costs time, never a wrong build.
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    from cvcards.compiler import write_atomically

    try:
        write_atomically(path, json.dumps(data, indent=1, sort_keys=True).encode())
    except OSError:
        pass  # A read-only cache directory costs a full build next time.


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _print_summary(summary: dict[str, Any]) -> None:
    kinds: list[str] = summary["kinds"]
    rows: dict[str, dict[str, int]] = summary["sections"]
    used = [kind for kind in kinds if any(row[kind] for row in rows.values())]
    width = max([len("section"), *(len(title) for title in rows)])
    click.echo(
        "  "
        + "section".ljust(width)
        + "".join(f"{k:>8}" for k in used)
        + f"{'total':>8}"
    )
    for title, row in rows.items():
        cells = "".join(f"{row[k]:>8}" for k in used)
        click.echo(f"  {title.ljust(width)}{cells}{sum(row.values()):>8}")
    totals = "".join(f"{sum(r[k] for r in rows.values()):>8}" for k in used)
    grand = sum(sum(r.values()) for r in rows.values())
    click.echo(f"  {'all sections'.ljust(width)}{totals}{grand:>8}")


def _summary(deck: CompiledDeck) -> dict[str, Any]:
    from cvcards.lint import summary

    kinds, sections = summary(deck)
    return {"kinds": kinds, "sections": sections}


def _diagram_files(deck: CompiledDeck, jobs: int) -> dict[str, Path]:
    """Find each diagram the cards show, rendering only the missing ones."""
    from cvcards.paths import diagrams_dirs, find_diagram

    specs = {}
    for card in deck.cards:
        for diagram in (*card.diagrams, *card.front_diagrams):
            specs[diagram.filename] = diagram
    found: dict[str, Path] = {}
    missing = []
    for filename, diagram in sorted(specs.items()):
        path = find_diagram(filename)
        if path is None:
            missing.append((diagram.generator, diagram.params))
        else:
            found[filename] = path
    if missing:
        from cvcards.diagrams.render import render

        out_dir = diagrams_dirs()[0]
        click.echo(f"Rendering {len(missing)} diagram(s) into {out_dir}")
        for result in render(missing, out_dir, jobs=jobs):
            found[result.path.name] = result.path
    return found


@click.command()
@DECKS_OPTION
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("cvcards.apkg"),
    show_default=True,
    help="Where to write the Anki package.",
)
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
@click.option(
    "--jobs",
    type=click.IntRange(1),
    default=2,
    show_default=True,
    help="Diagrams rendered in parallel when some are missing.",
)
def build(decks: Path | None, output: Path, force: bool, jobs: int) -> None:
    """Compile the decks into an Anki package (.apkg).

    Import the package in Anki with File > Import. After editing the decks,
    build and import again: edited cards update in place and keep their
    review history, new cards are added, and nothing is duplicated.

    \b
    Example:
        cvcards build -o ~/Desktop/cv-interview.apkg
    """
    from cvcards.errors import DeckError
    from cvcards.loader import source_fingerprint

    decks_dir, origin = resolve_decks(decks)
    click.echo(f"Deck sources: {decks_dir} ({origin})")
    output = output.expanduser()
    key = str(output.resolve())

    # Nothing changed since the last build of this output: reuse it. The code
    # is part of the fingerprint, since a new cvcards may compile differently.
    code = _code_version()

    def build_fingerprint(sources: str) -> str:
        return hashlib.sha256((sources + code).encode()).hexdigest()

    fingerprint = build_fingerprint(source_fingerprint(decks_dir))
    manifest = _read_json(_manifest_path())
    previous = manifest.get(key)
    if (
        not force
        and previous
        and previous.get("fingerprint") == fingerprint
        and previous.get("sha256") == _file_sha256(output)
    ):
        click.echo(
            f"Up to date: {output.resolve()} (nothing changed since the last build)"
        )
        _print_summary(previous["summary"])
        return

    from cvcards.compiler import compile_decks, save_lock
    from cvcards.export import write_package
    from cvcards.lint import lint
    from cvcards.paths import lock_is_writable

    try:
        deck = compile_decks(decks_dir, now=int(time.time()), update_lock=False)
    except DeckError as error:
        fail_with_problems(error, "nothing was written")
    for warning in lint(deck):
        click.echo(str(warning), err=True)

    from cvcards.render import HtmlCache

    render = HtmlCache(_read_json(_html_cache_path()))
    report = write_package(deck, output, _diagram_files(deck, jobs), render=render)
    # Identities are committed to the lock only once the package exists, and
    # never into the shipped decks.
    if lock_is_writable(decks_dir, chosen=decks is not None):
        save_lock(deck)
    click.echo(
        f"Wrote {output.resolve()} ({report.notes} notes, {report.cards} cards, "
        f"{report.media} media files)"
    )
    changes = [
        (len(deck.created), "new"),
        (len(deck.edited), "edited"),
        (len(deck.restored), "restored"),
        (len(deck.retired), "retired"),
    ]
    click.echo(
        "Changes since the last build: " + ", ".join(f"{n} {w}" for n, w in changes)
    )
    for identity in deck.retired:
        click.echo(f"  retired: {identity}")
    summary = _summary(deck)
    _print_summary(summary)

    # The deck's fingerprint is current: save_lock refreshes it when the lock
    # file changes.
    manifest[key] = {
        "fingerprint": build_fingerprint(deck.fingerprint),
        "sha256": report.sha256,
        "summary": summary,
    }
    _write_cache(_manifest_path(), manifest)
    # Only this build's entries are kept, so the cache never outgrows the deck.
    _write_cache(_html_cache_path(), render.used)


@click.command()
@DECKS_OPTION
@click.option("--strict", is_flag=True, help="Exit with status 1 on warnings too.")
def check(decks: Path | None, strict: bool) -> None:
    """Check the decks and report every problem, one per line.

    Each line reads ``file:line:column: what is wrong; how to fix it``.
    Errors (the deck cannot be built) exit with status 1; quality warnings
    (long answers, list answers, near-duplicate fronts) do too with --strict.
    Nothing is written, not even the lock file.

    \b
    Example:
        cvcards check --decks ./my-decks --strict
    """
    from cvcards.compiler import compile_decks
    from cvcards.errors import DeckError
    from cvcards.lint import lint

    decks_dir, origin = resolve_decks(decks)
    click.echo(f"Deck sources: {decks_dir} ({origin})")
    try:
        deck = compile_decks(decks_dir, now=int(time.time()), update_lock=False)
    except DeckError as error:
        fail_with_problems(error, "fix them and run cvcards check again")
    warnings: list[Problem] = lint(deck)
    for warning in warnings:
        click.echo(str(warning), err=True)
    notes = len({card.note_id for card in deck.cards})
    click.echo(
        f"{len(deck.cards)} cards in {notes} notes: no errors, "
        f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    )
    if warnings and strict:
        sys.exit(1)


@click.command()
def schema() -> None:
    """Print the JSON Schema of a deck file.

    \b
    Example (for editors that validate YAML against a schema):
        cvcards schema > cvcards-deck.schema.json
    """
    from cvcards.model import json_schema

    click.echo(json.dumps(json_schema(), indent=2, sort_keys=True))
