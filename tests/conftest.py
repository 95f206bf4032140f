"""Fixtures shared by the test modules: isolated data, cache and deck folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STARTER = REPO / "tests" / "data" / "starter"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory kept for the session, so diagrams render once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path: Path, shared_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Keep every test away from the user's collection, settings, cache and repository.

    Tests run outside the repository so that ``./decks`` and ``./diagrams`` of
    the checkout are never written to by accident.
    """
    monkeypatch.setenv("CVCARDS_CACHE", str(shared_cache))
    monkeypatch.setenv("CVCARDS_COLLECTION", str(tmp_path / "collection.sqlite3"))
    settings = tmp_path / "no-settings.toml"
    settings.write_text("")
    monkeypatch.setenv("CVCARDS_CONFIG", str(settings))
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    yield


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    """A fresh, writable copy of the starter deck (every card kind)."""
    target = tmp_path / "decks"
    shutil.copytree(STARTER, target)
    return target


def run_cli(
    *args: str, cwd: Path | None = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m cvcards`` as a real process and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "cvcards", *args],
        cwd=cwd or Path.cwd(),
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
        **kwargs,  # type: ignore[call-overload]
    )
