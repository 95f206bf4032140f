"""Every exception cvcards raises on purpose.

The library raises these and never prints or exits; the command line turns them
into messages and exit statuses. A message names what went wrong, where, and how
to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass


class CvcardsError(Exception):
    """Base class of every error cvcards raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a deck source, located for an editor.

    Attributes:
        file: Path of the source file, as the user should see it.
        line: 1-based line number (0 when the whole file is at fault).
        column: 1-based column number (0 when unknown).
        message: What is wrong and how to fix it, separated by "; ".
        severity: "error" stops a build; "warning" is reported by ``cvcards check``.
    """

    file: str
    line: int
    column: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


class DeckError(CvcardsError):
    """The deck sources have problems; all of them are listed in ``problems``."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DiagramError(CvcardsError):
    """A diagram could not be validated or rendered."""


class CollectionError(CvcardsError):
    """The review collection is missing, foreign, corrupted or locked."""


class ConfigError(CvcardsError):
    """A configuration value is invalid."""
