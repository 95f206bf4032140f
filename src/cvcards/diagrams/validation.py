"""Parameter types of the diagram generators, and how a value is checked.

Deck authors write generator parameters by hand in YAML, so every check reports
what is wrong and how to fix it, in the form ``"<param>: <what>; <fix>"``, and
all problems of a spec are reported together. Checked values are also
normalised (integers written where a float is expected become floats, tuples
become lists) so that equal figures get equal canonical JSON and file names.

Only the standard library is used: the deck compiler and ``cvcards check``
import this module on every run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Coordinates beyond this are surely a typo (an extra digit), not an image.
MAX_COORDINATE = 100_000.0


def _is_int(value: object) -> bool:
    # YAML's true/false are Python bools, which are ints; a flag is never a count.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(
        float(value)  # type: ignore[arg-type]
    )


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _bound(value: float) -> str:
    return f"{value:g}"


class ParamType:
    """A kind of parameter value: how to check it and how to normalise it."""

    @property
    def label(self) -> str:
        """How a valid value is described to a deck author, e.g. "an integer"."""
        return "a value"

    def check(self, name: str, value: object) -> list[str]:
        """Return every problem with ``value`` for the parameter ``name``."""
        raise NotImplementedError

    def normalize(self, value: object) -> object:
        """Return the canonical JSON form of a value that passed ``check``."""
        return value


@dataclass(frozen=True)
class Integer(ParamType):
    """A whole number within ``[low, high]``."""

    low: int = 0
    high: int = 2**31 - 1

    @property
    def label(self) -> str:
        return f"an integer from {self.low} to {self.high}"

    def check(self, name: str, value: object) -> list[str]:
        """Return the problems of ``value`` as this integer parameter."""
        if not _is_int(value):
            return [f"{name}: {_show(value)} is not an integer; write {self.label}"]
        assert isinstance(value, int)
        if not self.low <= value <= self.high:
            return [f"{name}: {value} is out of range; use {self.label}"]
        return []


@dataclass(frozen=True)
class Number(ParamType):
    """A finite real number within bounds (each bound open or closed).

    A number within ``[0, 1]`` is a probability or a threshold, and its message
    says so, because that is how authors think of it.
    """

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    optional: bool = False

    @property
    def label(self) -> str:
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        if math.isinf(self.low) and math.isinf(self.high):
            text = "a number"
        elif math.isinf(self.high):
            relation = ">" if self.low_open else ">="
            text = f"a number {relation} {_bound(self.low)}"
        else:
            text = f"a number in {left}{_bound(self.low)}, {_bound(self.high)}{right}"
        if (self.low, self.high) == (0.0, 1.0):
            text = text.replace("a number", "a probability", 1)
        return text + (", or null for none" if self.optional else "")

    def check(self, name: str, value: object) -> list[str]:
        """Return the problems of ``value`` as this number parameter."""
        if value is None and self.optional:
            return []
        if not _is_number(value):
            return [f"{name}: {_show(value)} is not a number; write {self.label}"]
        number = float(value)  # type: ignore[arg-type]
        too_low = number <= self.low if self.low_open else number < self.low
        too_high = number >= self.high if self.high_open else number > self.high
        if too_low or too_high:
            return [
                f"{name}: {number:g} is outside the allowed range; use {self.label}"
            ]
        return []

    def normalize(self, value: object) -> object:
        """Return the value as a float (None stays None)."""
        return None if value is None else float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Text(ParamType):
    """A short, non-empty string on one line."""

    max_length: int = 24

    @property
    def label(self) -> str:
        return "a short text"

    def check(self, name: str, value: object) -> list[str]:
        """Return the problems of ``value`` as this text parameter."""
        if not isinstance(value, str):
            return [f"{name}: {_show(value)} is not text; write a quoted string"]
        if not value.strip() or "\n" in value:
            return [f"{name}: {_show(value)} is empty or spans lines; write a name"]
        if len(value) > self.max_length:
            return [
                f"{name}: {_show(value)} is longer than {self.max_length} "
                "characters; shorten it so that it fits on the figure"
            ]
        return []


@dataclass(frozen=True)
class Box(ParamType):
    """An axis-aligned box ``[x1, y1, x2, y2]`` with x2 > x1 and y2 > y1."""

    @property
    def label(self) -> str:
        return "a box [x1, y1, x2, y2] with x2 > x1 and y2 > y1"

    def check(self, name: str, value: object) -> list[str]:
        """Return the problems of ``value`` as a box."""
        if not isinstance(value, list | tuple) or len(value) != 4:
            return [f"{name}: {_show(value)} is not four numbers; write {self.label}"]
        bad = [item for item in value if not _is_number(item)]
        if bad:
            return [
                f"{name}: {_show(bad[0])} is not a finite number; write {self.label}"
            ]
        x1, y1, x2, y2 = (float(item) for item in value)
        problems = []
        if any(abs(c) > MAX_COORDINATE for c in (x1, y1, x2, y2)):
            problems.append(
                f"{name}: a coordinate is beyond ±{MAX_COORDINATE:g}; "
                "use pixel coordinates of a real image"
            )
        for low, high, axis in ((x1, x2, "x"), (y1, y2, "y")):
            if high <= low:
                relation = "less than" if high < low else "equal to"
                problems.append(
                    f"{name}: {axis}2 ({high:g}) is {relation} {axis}1 ({low:g}); "
                    f"write the box as [x1, y1, x2, y2] with the larger {axis} second"
                )
        return problems

    def normalize(self, value: object) -> object:
        """Return the box as a list of four floats."""
        return [float(item) for item in value]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Items(ParamType):
    """A list of values of one type, with a length range and ordering rules."""

    item: ParamType
    min_length: int = 1
    max_length: int = 8
    unique: bool = True
    increasing: bool = False
    consecutive: bool = False

    @property
    def label(self) -> str:
        order = " in increasing order" if self.increasing else ""
        if self.consecutive:
            order = " of consecutive values in increasing order"
        count = f"{self.min_length} to {self.max_length}"
        return f"a list of {count} items{order}, each {self.item.label}"

    def check(self, name: str, value: object) -> list[str]:
        """Return the problems of ``value`` and of each of its items."""
        if not isinstance(value, list | tuple):
            return [f"{name}: {_show(value)} is not a list; write {self.label}"]
        if not self.min_length <= len(value) <= self.max_length:
            return [f"{name}: has {len(value)} items; write {self.label}"]
        problems = []
        for index, item in enumerate(value):
            problems.extend(self.item.check(f"{name}[{index}]", item))
        if problems:
            return problems

        items = [self.item.normalize(item) for item in value]
        if self.unique and len({repr(item) for item in items}) != len(items):
            problems.append(f"{name}: an item is repeated; list each value once")
        if self.increasing and items != sorted(items):  # type: ignore[type-var]
            problems.append(f"{name}: the items are not in increasing order; sort them")
        # Gaps are judged in sorted order: [5, 4] is unsorted but skips nothing.
        ordered = sorted(items) if self.consecutive else items  # type: ignore[type-var]
        steps = zip(ordered, ordered[1:], strict=False)
        if self.consecutive and any(b != a + 1 for a, b in steps):  # type: ignore[operator]
            problems.append(
                f"{name}: the items skip a value; list consecutive values such as "
                "[2, 3, 4, 5]"
            )
        return problems

    def normalize(self, value: object) -> object:
        """Return the list with each item normalised."""
        return [self.item.normalize(item) for item in value]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Param:
    """One named parameter of a generator.

    Attributes:
        name: The key deck authors write under ``params``.
        type: How its value is checked and normalised.
        default: The value used when the key is absent (already normalised).
        help: What the parameter changes on the figure.
    """

    name: str
    type: ParamType
    default: object
    help: str


def check_params(generator: str, params: Sequence[Param], values: object) -> list[str]:
    """Check the parameter mapping a deck gives a generator.

    Args:
        generator: Generator name, used in messages.
        params: The generator's declared parameters.
        values: What the deck wrote under ``params``.

    Returns:
        Every problem found, each as "what is wrong; how to fix it".
    """
    import difflib

    if not isinstance(values, dict):
        return [f"params: {_show(values)} is not a mapping; write `params: {{}}`"]
    known = {param.name: param for param in params}
    problems = []
    for key in values:
        if key in known:
            continue
        if not known:
            problems.append(
                f"unknown param {key!r}: {generator} takes no params; remove it"
            )
            continue
        close = difflib.get_close_matches(str(key), list(known), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        problems.append(
            f"unknown param {key!r} for {generator}; {hint}"
            f"use one of {', '.join(known)}"
        )
    for name, value in values.items():
        if name in known:
            problems.extend(known[name].type.check(name, value))
    return problems
