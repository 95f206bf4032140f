"""The README stays true: its images exist and CI runs its test command."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_image_the_readme_shows_exists() -> None:
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)

    assert images
    assert [image for image in images if not (REPO / image).is_file()] == []


def test_ci_runs_the_test_command_the_readme_gives() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = 'python -m pip install ".[test]" && python -m pytest'

    assert command in README
    assert command in ci.splitlines()


def test_the_deck_table_matches_the_compiled_decks() -> None:
    from cvcards.compiler import compile_decks
    from cvcards.lint import summary

    deck = compile_decks(REPO / "decks", now=0, update_lock=False)
    kinds, sections = summary(deck)
    expected = [
        f"| {title} | "
        + " | ".join(str(row[k]) for k in kinds)
        + f" | {sum(row.values())} |"
        for title, row in sections.items()
    ]

    rows = [line for line in README.splitlines() if line.startswith("| ")]
    assert [row for row in expected if row not in rows] == []
    assert f"compiled into {len(deck.cards)} cards" in " ".join(README.split())
