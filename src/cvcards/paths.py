"""Where cvcards finds its deck sources, diagrams and caches.

The deck sources and rendered diagrams ship inside the installed package, so
every command works from any directory. Inside a checkout of the repository the
working copies (``./decks``, ``./diagrams``) win, so that edits are picked up.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# In an editable install or a source checkout the data sits at the repository root.
SOURCE_ROOT = PACKAGE_DIR.parent.parent


def _is_repository(root: Path) -> bool:
    pyproject = root / "pyproject.toml"
    return (
        (root / "decks").is_dir()
        and pyproject.is_file()
        and 'name = "cvcards"' in pyproject.read_text(encoding="utf-8")
    )


def repository_root(cwd: Path | None = None) -> Path | None:
    """Return the cvcards checkout the command runs in, if any."""
    here = (cwd or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _is_repository(candidate):
            return candidate
    return None


def packaged_data(name: str) -> Path:
    """Return the shipped copy of ``decks`` or ``diagrams``."""
    installed = PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return SOURCE_ROOT / name


def default_decks_dir(cwd: Path | None = None) -> Path:
    """Return ``./decks`` inside the repository, else the shipped decks."""
    root = repository_root(cwd)
    if root is not None:
        return root / "decks"
    return packaged_data("decks")


def cache_dir() -> Path:
    """Return the per-user cache directory (``CVCARDS_CACHE`` overrides it)."""
    override = os.environ.get("CVCARDS_CACHE")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("cvcards", appauthor=False))


def diagrams_dirs(cwd: Path | None = None) -> list[Path]:
    """Return the directories searched for rendered diagrams, in order.

    The first one is where new renders go: ``./diagrams`` in the repository,
    else a per-user cache (the shipped diagrams are read-only).
    """
    root = repository_root(cwd)
    if root is not None:
        return [root / "diagrams"]
    return [cache_dir() / "diagrams", packaged_data("diagrams")]


def find_diagram(filename: str, cwd: Path | None = None) -> Path | None:
    """Return the path of a rendered diagram file, or None if not rendered."""
    for directory in diagrams_dirs(cwd):
        path = directory / filename
        if path.is_file():
            return path
    return None


def lock_is_writable(decks_dir: Path, *, chosen: bool, cwd: Path | None = None) -> bool:
    """Say whether a command may update the lock file of ``decks_dir``.

    The shipped decks are read-only, even where an editable install makes them
    the repository's own folder: only a folder the user chose (``--decks``) or
    the repository's working copy, used from inside the checkout, is written.
    """
    if not chosen and repository_root(cwd) is None:
        return False
    return os.access(decks_dir, os.W_OK)
