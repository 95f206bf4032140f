"""Load deck source files and validate them, keeping line numbers for messages.

YAML is parsed once with PyYAML's safe loader (the C one when available); the
node tree gives every value's position, so that a validation error in
``notes[3].cards[2].back`` is reported at its own line and column. All problems
in all files are collected before anything is raised.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from cvcards.errors import DeckError, Problem

if TYPE_CHECKING:
    from cvcards.model import DeckFile

Loc = tuple[str | int, ...]
CARD_KIND_TAGS = {"basic", "cloze", "steps", "table"}

try:
    _SafeLoader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _SafeLoader = yaml.SafeLoader


@dataclass
class LoadedFile:
    """One validated deck file and the position of each of its values.

    Attributes:
        path: Absolute path of the file.
        shown: The path as messages show it (relative to the working directory
            when the file is below it).
        deck: The validated content.
        positions: 1-based (line, column) of each value, keyed by its location,
            e.g. ``("notes", 0, "cards", 2, "back")``.
    """

    path: Path
    shown: str
    deck: DeckFile
    positions: dict[Loc, tuple[int, int]] = field(repr=False)

    def where(self, loc: Loc) -> tuple[int, int]:
        """Return the position of ``loc``, or of its nearest located parent."""
        return locate(self.positions, loc)

    def problem(self, loc: Loc, message: str, severity: str = "error") -> Problem:
        """Build a problem located at ``loc`` in this file."""
        line, column = self.where(loc)
        return Problem(self.shown, line, column, message, severity)


def shown_path(path: Path, cwd: Path | None = None) -> str:
    """Return ``path`` relative to the working directory when it is below it."""
    base = cwd or Path.cwd()
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def locate(positions: dict[Loc, tuple[int, int]], loc: Loc) -> tuple[int, int]:
    """Return the position of ``loc`` or of its nearest located ancestor."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in positions:
            return positions[loc[:end]]
    return (1, 1)


def deck_files(decks_dir: Path) -> list[Path]:
    """Return the deck source files of a directory, in name order."""
    return sorted(
        p for p in decks_dir.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file()
    )


def _positions(node: yaml.Node, loc: Loc, out: dict[Loc, tuple[int, int]]) -> None:
    out[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            # The key's own position is where an unknown or duplicate key is shown.
            out[(*loc, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            _positions(value_node, (*loc, key), out)
            # A value on its own lines (a block) is better shown at its key.
            if isinstance(value_node, yaml.ScalarNode):
                out[(*loc, key)] = (
                    value_node.start_mark.line + 1,
                    value_node.start_mark.column + 1,
                )
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _positions(item, (*loc, index), out)


def _duplicate_keys(node: yaml.Node, loc: Loc) -> Iterable[tuple[Loc, str]]:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.value in seen:
                yield (*loc, key_node.value), key_node.value
            seen.add(key_node.value)
            yield from _duplicate_keys(value_node, (*loc, key_node.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*loc, index))


def parse_yaml(text: str, shown: str) -> tuple[Any, dict[Loc, tuple[int, int]]]:
    """Parse YAML safely, returning the data and each value's position.

    Raises:
        DeckError: The text is not well-formed YAML, or repeats a key.
    """
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise DeckError(
                [
                    Problem(
                        shown,
                        1,
                        1,
                        "the file is empty; add section, title, order "
                        "and notes (see `cvcards schema`)",
                    )
                ]
            )
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = " ".join(filter(None, [error.context, error.problem]))
        raise DeckError(
            [
                Problem(
                    shown,
                    line,
                    column,
                    f"malformed YAML: {what}; fix the syntax "
                    "(indentation, quotes, a colon inside an unquoted string)",
                )
            ]
        ) from error
    except yaml.YAMLError as error:
        raise DeckError(
            [Problem(shown, 0, 0, f"malformed YAML: {error}; fix the syntax")]
        ) from error
    finally:
        loader.dispose()

    positions: dict[Loc, tuple[int, int]] = {}
    _positions(node, (), positions)
    duplicates = [
        Problem(
            shown,
            *locate(positions, loc),
            f"key {key!r} appears twice in the "
            "same mapping; keep one (YAML would silently drop the first)",
        )
        for loc, key in _duplicate_keys(node, ())
    ]
    if duplicates:
        raise DeckError(duplicates)
    return data, positions


def _clean_loc(loc: Sequence[str | int]) -> Loc:
    """Drop pydantic's union tags (``cards, 2, 'basic', 'back'``) from a location."""
    cleaned: list[str | int] = []
    for part in loc:
        if (
            isinstance(part, str)
            and part in CARD_KIND_TAGS
            and len(cleaned) >= 2
            and isinstance(cleaned[-1], int)
            and cleaned[-2] == "cards"
        ):
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "file"


def _message(error: dict[str, Any], loc: Loc) -> str:
    kind = error["type"]
    name = _dotted(loc)
    if kind == "missing":
        return f"{name} is missing; add it (see `cvcards schema` for the format)"
    if kind == "extra_forbidden":
        return (
            f"unknown field {loc[-1]!r}; remove it or fix its spelling "
            "(`cvcards schema` lists the fields)"
        )
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag", "?")
        return f"unknown card kind {tag!r}; use one of basic, cloze, steps, table"
    if kind == "string_pattern_mismatch":
        return (
            f"{name} {error.get('input')!r} is not a valid id; use lower-case "
            "letters, digits and hyphens, starting with a letter or digit"
        )
    if kind == "string_type" and error.get("input") is not None:
        return (
            f"{name} must be text, but YAML read {error['input']!r} as a number or "
            "a date; put the value in quotes"
        )
    if kind in {"string_too_short", "too_short"}:
        return f"{name} is empty; {error['msg'].lower()}"
    if kind == "value_error":
        return f"{name}: {str(error['msg']).removeprefix('Value error, ')}"
    return f"{name}: {error['msg']}; fix the value"


def validate(
    data: Any, positions: dict[Loc, tuple[int, int]], path: Path, shown: str
) -> LoadedFile:
    """Validate parsed YAML against the deck model.

    Raises:
        DeckError: With one problem per validation error.
    """
    from pydantic import ValidationError

    from cvcards.model import DeckFile

    try:
        deck = DeckFile.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = _clean_loc(item["loc"])
            problems.append(
                Problem(shown, *locate(positions, loc), _message(dict(item), loc))
            )
        raise DeckError(problems) from error
    return LoadedFile(path=path.resolve(), shown=shown, deck=deck, positions=positions)


def load_file(path: Path, cwd: Path | None = None) -> LoadedFile:
    """Load and validate one deck file.

    Raises:
        DeckError: The file cannot be read, parsed or validated.
    """
    shown = shown_path(path, cwd)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DeckError(
            [
                Problem(
                    shown,
                    0,
                    0,
                    f"cannot read the file ({error}); check that it "
                    "exists and is UTF-8 text",
                )
            ]
        ) from error
    data, positions = parse_yaml(text, shown)
    return validate(data, positions, path, shown)


def load_all(
    decks_dir: Path, cwd: Path | None = None
) -> tuple[list[LoadedFile], list[Problem]]:
    """Load every deck file in a directory, keeping going past bad files.

    Returns:
        The files that loaded and the problems of those that did not, so that
        a caller can check the good files further and report everything.

    Raises:
        DeckError: The directory is missing or holds no deck files.
    """
    if not decks_dir.is_dir():
        raise DeckError(
            [
                Problem(
                    shown_path(decks_dir, cwd),
                    0,
                    0,
                    "no such directory; pass "
                    "--decks with the folder that holds the deck .yaml files",
                )
            ]
        )
    paths = deck_files(decks_dir)
    if not paths:
        raise DeckError(
            [
                Problem(
                    shown_path(decks_dir, cwd),
                    0,
                    0,
                    "no .yaml deck files here; "
                    "pass --decks with the folder that holds them",
                )
            ]
        )

    loaded: list[LoadedFile] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            loaded.append(load_file(path, cwd))
        except DeckError as error:
            problems.extend(error.problems)
    return loaded, problems


def load_decks(decks_dir: Path, cwd: Path | None = None) -> list[LoadedFile]:
    """Load every deck file in a directory, reporting all problems at once.

    Raises:
        DeckError: Any file failed; ``problems`` lists every problem found.
    """
    loaded, problems = load_all(decks_dir, cwd)
    if problems:
        raise DeckError(problems)
    return loaded


def source_fingerprint(decks_dir: Path) -> str:
    """Hash the bytes of every deck file and the lock file, cheaply.

    Equal fingerprints mean an identical compiled deck (for the same version of
    cvcards), so callers can skip compiling.
    """
    import hashlib

    from cvcards import __version__

    digest = hashlib.sha256(__version__.encode())
    names = [p.name for p in deck_files(decks_dir)] if decks_dir.is_dir() else []
    lock = decks_dir / "cvcards.lock.json"
    if lock.is_file():
        names.append(lock.name)
    for name in sorted(names):
        digest.update(name.encode() + b"\0")
        digest.update((decks_dir / name).read_bytes())
        digest.update(b"\0")
    digest.update(os.fsencode(str(decks_dir.resolve())))
    return digest.hexdigest()
