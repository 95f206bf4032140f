"""The committed ``diagrams/`` folder matches what the code renders today.

Every figure the shipped decks use, and each generator's default instance,
must be present, byte-identical to a fresh render, and nothing else may be
there. When this fails, run ``cvcards diagrams --prune`` in the repository and
commit the ``diagrams/`` folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cvcards.diagrams.cache import stale_files
from cvcards.diagrams.registry import filename
from cvcards.diagrams.render import render
from cvcards.diagrams.specs import all_specs

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "diagrams"
FIX = "run `cvcards diagrams --prune` in the repository and commit diagrams/"


@pytest.fixture(scope="module")
def specs() -> list[tuple[str, dict[str, object]]]:
    return [(g, dict(p)) for g, p in all_specs(REPO / "decks")]


def test_every_figure_is_committed(specs: list[tuple[str, dict[str, object]]]) -> None:
    missing = sorted({filename(*spec) for spec in specs} - set(_committed()))

    assert not missing, f"{len(missing)} figures are not in diagrams/; {FIX}"


def test_no_stale_figures_are_committed(
    specs: list[tuple[str, dict[str, object]]],
) -> None:
    stale = stale_files(COMMITTED, {filename(*spec) for spec in specs})

    assert not stale, f"no spec uses {[p.name for p in stale]}; {FIX}"


def test_committed_figures_match_a_fresh_render(
    specs: list[tuple[str, dict[str, object]]], tmp_path: Path
) -> None:
    fresh = render(specs, tmp_path / "fresh", jobs=2)

    differ = sorted(
        {
            result.path.name
            for result in fresh
            if (COMMITTED / result.path.name).is_file()
            and (COMMITTED / result.path.name).read_bytes() != result.path.read_bytes()
        }
    )
    assert not differ, (
        f"{differ} differ from a fresh render (a changed dependency such as "
        f"matplotlib or NumPy?); run `cvcards diagrams --force` and commit"
    )


def _committed() -> list[str]:
    return [p.name for p in COMMITTED.glob("*.svg")] if COMMITTED.is_dir() else []
