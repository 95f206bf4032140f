"""Render the figures that are missing from the output directory.

Figures are drawn only when their file is absent (the file name is a hash of
what determines the content), written atomically, and, with ``jobs > 1``,
drawn in parallel worker processes. When everything is cached, matplotlib is
never imported, so a build with unchanged diagrams costs almost nothing.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvcards.diagrams.cache import Planned, Spec, plan, write_atomic
from cvcards.diagrams.registry import GENERATORS, canonical_json
from cvcards.errors import DiagramError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderResult:
    """What happened to one spec.

    Attributes:
        generator: The generator name.
        params: The full, normalised parameters.
        path: The figure's file.
        rendered: True if drawn by this call, False if it was already there.
    """

    generator: str
    params: Mapping[str, object]
    path: Path
    rendered: bool


def draw_file(generator: str, params: Mapping[str, Any], path: Path) -> Path:
    """Draw one figure and write it atomically to ``path``.

    This is what worker processes run, so it takes plain, picklable arguments.

    Raises:
        DiagramError: The generator failed (the message names it and its
            params), or the file could not be written.
    """
    from cvcards.diagrams import style

    module = importlib.import_module(GENERATORS[generator].module)
    try:
        with style.context():
            figure = module.draw(params)
            write_atomic(path, lambda target: style.save_svg(figure, target))
    except OSError as error:
        raise DiagramError(
            f"cannot write {path} ({error.strerror or error}); check that the "
            "directory is writable and has space left"
        ) from error
    except (ValueError, TypeError, ArithmeticError) as error:
        raise DiagramError(
            f"{generator} with params {canonical_json(params)} failed to draw: "
            f"{error}; check the params or report this as a bug"
        ) from error
    log.debug("rendered %s", path)
    return path


def _draw_all(
    todo: list[Planned], jobs: int, progress: Callable[[str], None] | None
) -> None:
    if jobs <= 1 or len(todo) == 1:
        for item in todo:
            draw_file(item.generator, item.params, item.path)
            if progress:
                progress(item.path.name)
        return

    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    # Spawned workers start clean: forking a process that runs a progress-bar
    # thread (as the command line does) can deadlock.
    context = multiprocessing.get_context("spawn")
    workers = min(jobs, len(todo))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            pool.submit(draw_file, item.generator, item.params, item.path)
            for item in todo
        ]
        try:
            for future in as_completed(futures):
                path = future.result()
                if progress:
                    progress(path.name)
        except BrokenProcessPool as error:
            raise DiagramError(
                f"a diagram worker process died ({error}); render with jobs=1 "
                "to see the failure in this process"
            ) from error


def render(
    specs: Sequence[Spec],
    out_dir: Path,
    *,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
) -> list[RenderResult]:
    """Render every spec whose file is missing from ``out_dir``.

    Args:
        specs: ``(generator, params)`` pairs; params may omit defaults.
        out_dir: Where figures are written (created if needed).
        jobs: Number of worker processes; 1 draws in this process.
        progress: Called with the file name after each figure is drawn.
        force: Redraw even the figures whose file exists (after a matplotlib
            upgrade changed the output, for instance).

    Returns:
        One result per spec, in the order given.

    Raises:
        DiagramError: A spec is invalid (all problems are listed before
            anything is drawn), a figure failed to draw, or ``out_dir`` cannot
            be written.
    """
    planned = plan(specs, out_dir)

    # The same figure may be asked for twice; draw it once.
    todo: dict[Path, Planned] = {}
    for item in planned:
        if (force or not item.cached) and item.path not in todo:
            todo[item.path] = item
    if todo:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DiagramError(
                f"cannot create {out_dir} ({error.strerror or error}); choose a "
                "directory you can write to"
            ) from error
        _draw_all(list(todo.values()), jobs, progress)

    return [
        RenderResult(item.generator, item.params, item.path, item.path in todo)
        for item in planned
    ]
