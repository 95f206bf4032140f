"""The figures to render: those the decks reference, plus each default instance.

``cvcards diagrams`` and the test that keeps ``diagrams/`` up to date both need
the same list, so it is built here. Parameters a deck gives are checked before
anything is drawn, and each problem is reported at its line in the deck file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cvcards.diagrams.cache import Spec
from cvcards.diagrams.registry import GENERATORS, validate
from cvcards.errors import DeckError, Problem

if TYPE_CHECKING:
    from cvcards.loader import LoadedFile


def default_specs(names: Iterable[str] | None = None) -> list[Spec]:
    """Return the default instance of each generator (or of the named ones)."""
    chosen = sorted(GENERATORS) if names is None else list(names)
    return [(name, {}) for name in chosen]


def deck_specs(files: Sequence[LoadedFile]) -> list[Spec]:
    """Collect the diagram specs of loaded deck files, checking each one.

    Args:
        files: Deck files as ``cvcards.loader.load_decks`` returns them.

    Returns:
        ``(generator, params)`` for every diagram of every note, in file order.

    Raises:
        DeckError: A diagram names an unknown generator or has bad params;
            every problem is listed with its file and line.
    """
    specs: list[Spec] = []
    problems: list[Problem] = []
    for loaded in files:
        for index, note in enumerate(loaded.deck.notes):
            for name, diagram in note.diagrams.items():
                issues = validate(diagram.generator, diagram.params)
                at = "generator" if diagram.generator not in GENERATORS else "params"
                problems.extend(
                    loaded.problem(
                        ("notes", index, "diagrams", name, at),
                        f"diagram {name!r}: {issue}",
                    )
                    for issue in issues
                )
                if not issues:
                    specs.append((diagram.generator, dict(diagram.params)))
    if problems:
        raise DeckError(problems)
    return specs


def all_specs(decks_dir: Path, cwd: Path | None = None) -> list[Spec]:
    """Return every default instance, then every spec the decks reference.

    Raises:
        DeckError: The decks cannot be loaded or a diagram spec is invalid.
    """
    from cvcards.loader import load_decks

    return default_specs() + deck_specs(load_decks(decks_dir, cwd))
