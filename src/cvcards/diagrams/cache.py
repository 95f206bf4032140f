"""Which figures are already rendered, atomic writes, and which files are stale.

A rendered file's name is a hash of everything that determines its content
(see ``cvcards.diagrams.registry.filename``), so the output directory is the
cache: a spec whose file exists needs no drawing, and a file no spec names is
stale. Nothing here imports matplotlib.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvcards.diagrams.registry import (
    GENERATORS,
    HASH_LENGTH,
    filename,
    resolve,
    validate,
)
from cvcards.errors import DiagramError

Spec = tuple[str, Mapping[str, object]]
# Only files of this shape are ours to delete when pruning.
RENDERED_NAME = re.compile(
    rf"^(?P<generator>[a-z0-9_]+)-[0-9a-f]{{{HASH_LENGTH}}}\.svg$"
)


@dataclass(frozen=True)
class Planned:
    """A spec resolved to its output file.

    Attributes:
        generator: The generator name.
        params: The full, normalised parameters.
        path: Where the figure is (or will be) written.
        cached: Whether the file already exists.
    """

    generator: str
    params: dict[str, Any]
    path: Path
    cached: bool


def check_specs(specs: Sequence[Spec]) -> None:
    """Validate every spec, reporting all problems together.

    Raises:
        DiagramError: One or more specs are invalid; one line per problem.
    """
    problems = [
        f"{generator}: {problem}"
        for generator, params in specs
        for problem in validate(generator, params)
    ]
    if problems:
        raise DiagramError("\n".join(problems))


def plan(specs: Sequence[Spec], out_dir: Path) -> list[Planned]:
    """Resolve specs to files in ``out_dir`` and note which already exist.

    Args:
        specs: ``(generator, params)`` pairs, as decks give them.
        out_dir: The directory rendered figures go to.

    Returns:
        One entry per spec, in the same order.

    Raises:
        DiagramError: A spec is invalid (all problems are listed).
    """
    check_specs(specs)
    planned = []
    for generator, params in specs:
        path = out_dir / filename(generator, params)
        planned.append(
            Planned(generator, resolve(generator, params), path, path.is_file())
        )
    return planned


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file through a temporary sibling and rename it into place.

    A reader (or a parallel render of the same figure) never sees a partial
    file: the rename is atomic on one file system.

    Args:
        path: The final file.
        write: Writes the content to the path it is given.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def stale_files(out_dir: Path, keep: Iterable[str]) -> list[Path]:
    """Return rendered figures in ``out_dir`` that no current spec produces.

    Only files named like a render of a registered generator are considered,
    so other files in the directory are never reported.
    """
    if not out_dir.is_dir():
        return []
    wanted = set(keep)
    stale = []
    for path in sorted(out_dir.iterdir()):
        match = RENDERED_NAME.match(path.name)
        if match and match["generator"] in GENERATORS and path.name not in wanted:
            stale.append(path)
    return stale
