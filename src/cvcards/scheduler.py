"""FSRS scheduling, the learner's day, and the review settings.

py-fsrs computes stability, difficulty and the next due time of a card from a
rating. This module wraps it so that the rest of cvcards deals in plain values:
a :class:`CardState` (``None`` for a card never reviewed, since FSRS has no
"new" state), integer ratings 1-4, and UTC datetimes.

Fuzz (the small random spread of review intervals) is applied here rather than
by py-fsrs, from a generator seeded by the card and its previous review, so
that the interval a rating button shows is the one the rating gives, and that
replaying a card's review log gives back exactly the stored state.

The learner's *day* runs from one rollover hour (4 am local time by default) to
the next; daily limits and "due today" are counted in that day.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvcards.errors import ConfigError

if TYPE_CHECKING:
    import fsrs

LEARNING = 1
REVIEW = 2
RELEARNING = 3

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}

# Bumped whenever the way intervals are fuzzed changes, so that logged reviews
# name the exact rule that produced their due time. Version 1 seeded the fuzz
# with the review time, so a button shown a few seconds before the rating could
# promise another interval than the one given; version 2 seeds it with the
# card's previous review. Reviews logged under version 1 replay under it.
FUZZ_VERSION = 2

_STEP_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_STEP_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class CardState:
    """The FSRS memory and schedule of a card that has been reviewed.

    Attributes:
        state: ``LEARNING`` (1), ``REVIEW`` (2) or ``RELEARNING`` (3).
        step: Index of the current (re)learning step; None in review.
        stability: Days until recall probability falls to 90 %.
        difficulty: FSRS difficulty, 1 (easy) to 10 (hard).
        due: When the card is next due (UTC).
        last_review: When it was last reviewed (UTC).
    """

    state: int
    step: int | None
    stability: float
    difficulty: float
    due: datetime
    last_review: datetime


@dataclass(frozen=True)
class ReviewConfig:
    """Settings of the scheduler and of the daily queue.

    Attributes:
        desired_retention: Recall probability FSRS aims for at the due time.
        learning_steps: Intervals between the first reviews of a new card.
        relearning_steps: Intervals after a forgotten review card.
        maximum_interval: Longest interval in days.
        fuzz: Spread review intervals a little so cards learned together
            do not stay together.
        new_per_day: Most new cards introduced per learner's day.
        reviews_per_day: Most review-state cards shown per learner's day.
        rollover_hour: Local hour at which the learner's day starts.
        parameters: The 21 FSRS-6 weights; empty for the defaults.
    """

    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (
        timedelta(minutes=1),
        timedelta(minutes=10),
    )
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500
    fuzz: bool = True
    new_per_day: int = 20
    reviews_per_day: int = 200
    rollover_hour: int = 4
    parameters: tuple[float, ...] = field(default=())


CONFIG_KEYS = tuple(f.name for f in fields(ReviewConfig))


def parse_step(text: str) -> timedelta:
    """Parse a learning step such as ``"10m"``, ``"1h"`` or ``"2d"``.

    Raises:
        ValueError: When the text is not a number followed by s, m, h or d.
    """
    match = _STEP_PATTERN.match(text)
    if match is None:
        raise ValueError(f"expected a duration like 10m, 1h or 1d, got {text!r}")
    return timedelta(seconds=float(match.group(1)) * _STEP_UNITS[match.group(2)])


def format_step(step: timedelta) -> str:
    """Write a learning step the way :func:`parse_step` reads it."""
    seconds = int(step.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _STEP_UNITS[unit] == 0:
            return f"{seconds // _STEP_UNITS[unit]}{unit}"
    return f"{seconds}s"


def _check_int(
    problems: list[str], key: str, value: object, low: int, high: int
) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{key}: expected a whole number, got {value!r}")
        return None
    if not low <= value <= high:
        problems.append(f"{key}: expected {low} to {high}, got {value}")
        return None
    return value


def _check_steps(
    problems: list[str], key: str, value: object
) -> tuple[timedelta, ...] | None:
    if not isinstance(value, list | tuple) or not all(
        isinstance(s, str) for s in value
    ):
        problems.append(f'{key}: expected a list of durations like ["1m", "10m"]')
        return None
    try:
        return tuple(parse_step(s) for s in value)
    except ValueError as error:
        problems.append(f"{key}: {error}")
        return None


def _check_parameters(
    problems: list[str], key: str, value: object
) -> tuple[float, ...] | None:
    if not (
        isinstance(value, list | tuple)
        and len(value) in (0, 21)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        problems.append(f"{key}: expected a list of 21 numbers (FSRS-6 weights)")
        return None
    weights = tuple(float(v) for v in value)
    if weights:
        # py-fsrs refuses weights outside these bounds; say so here, with the
        # other settings, rather than when a session starts.
        from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

        bounds = zip(LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
        for index, (weight, (low, high)) in enumerate(
            zip(weights, bounds, strict=True)
        ):
            if not low <= weight <= high:
                problems.append(
                    f"{key}: weight {index} is {weight}, expected {low} to {high}"
                )
    return weights


def build_config(*layers: Mapping[str, object], origin: str = "") -> ReviewConfig:
    """Build settings from layers of raw values, later layers winning.

    Raw values are what a TOML file or the collection holds: numbers, booleans,
    and steps written as strings (``["1m", "10m"]``).

    Args:
        *layers: Mappings from setting name to raw value.
        origin: Where the values come from, for messages.

    Raises:
        ConfigError: Listing every unknown key and invalid value at once.
    """
    merged: dict[str, object] = {}
    for layer in layers:
        merged.update(layer)

    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in merged.items():
        if key not in CONFIG_KEYS:
            problems.append(f"{key}: unknown setting; known: {', '.join(CONFIG_KEYS)}")
        elif key == "desired_retention":
            if isinstance(value, int | float) and 0.7 <= value <= 0.99:
                values[key] = float(value)
            else:
                problems.append(
                    f"{key}: expected a number from 0.7 to 0.99, got {value!r}"
                )
        elif key in ("learning_steps", "relearning_steps"):
            values[key] = _check_steps(problems, key, value)
        elif key == "maximum_interval":
            values[key] = _check_int(problems, key, value, 1, 36500)
        elif key in ("new_per_day", "reviews_per_day"):
            values[key] = _check_int(problems, key, value, 0, 100_000)
        elif key == "rollover_hour":
            values[key] = _check_int(problems, key, value, 0, 23)
        elif key == "fuzz":
            if isinstance(value, bool):
                values[key] = value
            else:
                problems.append(f"{key}: expected true or false, got {value!r}")
        elif key == "parameters":
            values[key] = _check_parameters(problems, key, value)

    if problems:
        where = f"{origin}: " if origin else ""
        raise ConfigError("\n".join(f"{where}{p}" for p in problems))
    return replace(ReviewConfig(), **values)


def config_to_raw(config: ReviewConfig) -> dict[str, object]:
    """Return the settings as raw values that :func:`build_config` reads back."""
    raw: dict[str, object] = {}
    for key in CONFIG_KEYS:
        value = getattr(config, key)
        if key in ("learning_steps", "relearning_steps"):
            value = [format_step(s) for s in value]
        elif key == "parameters":
            value = list(value)
        raw[key] = value
    return raw


def read_config_file(path: Path) -> dict[str, object]:
    """Read the ``[review]`` table of a TOML settings file.

    Raises:
        ConfigError: When the file cannot be read or is not valid TOML.
    """
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the settings file: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    table = document.get("review", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [review] must be a table of settings")
    return table


def default_config_path() -> Path:
    """Return the settings file path (``CVCARDS_CONFIG`` overrides it)."""
    override = os.environ.get("CVCARDS_CONFIG")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("cvcards", appauthor=False)) / "config.toml"


def _utc(moment: datetime) -> datetime:
    # py-fsrs accepts only tzinfo == timezone.utc, not ZoneInfo("UTC").
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC)


def to_ms(moment: datetime) -> int:
    """Return a UTC-aware datetime as whole milliseconds since the epoch."""
    return round(_utc(moment).timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    """Return the UTC datetime of a millisecond timestamp."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def fuzz_range(days: int, maximum: int) -> tuple[int, int]:
    """Return the smallest and largest fuzzed interval for an interval of days.

    The spread widens with the interval: nothing under 3 days, then about 15 %
    of the part up to a week, 10 % of the part up to 20 days and 5 % beyond.
    """
    if days < 3:
        return days, days
    spread = 1.0
    for start, end, share in ((2.5, 7.0, 0.15), (7.0, 20.0, 0.10), (20.0, 1e9, 0.05)):
        spread += share * max(min(float(days), end) - start, 0.0)
    low = max(2, round(days - spread))
    high = min(round(days + spread), maximum)
    return min(low, high), high


class Scheduler:
    """Schedule reviews with FSRS-6 under one set of settings."""

    def __init__(
        self, config: ReviewConfig | None = None, *, fuzz_version: int = FUZZ_VERSION
    ) -> None:
        """Build the FSRS scheduler (imports py-fsrs on first use).

        Args:
            config: The settings; the defaults when None.
            fuzz_version: The fuzz rule; older ones only to replay old reviews.
        """
        import fsrs
        from fsrs.scheduler import DEFAULT_PARAMETERS

        if fuzz_version not in (1, 2):
            raise ValueError(f"fuzz_version must be 1 or 2, got {fuzz_version!r}")
        self.config = config or ReviewConfig()
        self.fuzz_version = fuzz_version
        self._fsrs = fsrs
        # Fuzz is applied by _fuzz with a seeded generator, never by py-fsrs,
        # whose fuzz draws from the process-wide random generator.
        self._scheduler = fsrs.Scheduler(
            parameters=self.config.parameters or DEFAULT_PARAMETERS,
            desired_retention=self.config.desired_retention,
            learning_steps=self.config.learning_steps,
            relearning_steps=self.config.relearning_steps,
            maximum_interval=self.config.maximum_interval,
            enable_fuzzing=False,
        )

    def params_json(self) -> str:
        """Return everything that determines this scheduler's results, as JSON.

        Each logged review points at one of these, so a review can be replayed
        exactly, and parameters can later be fitted to the log.
        """
        described = dict(self._scheduler.to_dict())
        described["enable_fuzzing"] = self.config.fuzz
        described["fuzz_version"] = self.fuzz_version
        return json.dumps(described, sort_keys=True)

    @classmethod
    def from_params_json(cls, text: str) -> Scheduler:
        """Rebuild the scheduler that :meth:`params_json` described."""
        described = json.loads(text)
        config = ReviewConfig(
            desired_retention=described["desired_retention"],
            learning_steps=tuple(
                timedelta(seconds=s) for s in described["learning_steps"]
            ),
            relearning_steps=tuple(
                timedelta(seconds=s) for s in described["relearning_steps"]
            ),
            maximum_interval=described["maximum_interval"],
            fuzz=described["enable_fuzzing"],
            parameters=tuple(described["parameters"]),
        )
        return cls(config, fuzz_version=described["fuzz_version"])

    def review(
        self, before: CardState | None, rating: int, when: datetime, *, seed: str
    ) -> CardState:
        """Return the state of a card after a rating.

        Args:
            before: The card's state, None if it has never been reviewed.
            rating: 1 Again, 2 Hard, 3 Good, 4 Easy.
            when: Time of the review, timezone-aware; it is rounded to the
                millisecond, the precision of the collection.
            seed: Stable text naming the card (its identity); with the time
                of the card's previous review it seeds the fuzz, so a rating
                gives the same interval whenever in the sitting it is given.

        Raises:
            ValueError: For a rating outside 1-4 or a naive datetime.
        """
        if rating not in RATING_NAMES:
            raise ValueError(f"rating must be 1, 2, 3 or 4, got {rating!r}")
        when = from_ms(to_ms(when))

        card = self._to_fsrs(before, when)
        after, _ = self._scheduler.review_card(card, self._fsrs.Rating(rating), when)

        due = after.due
        if self.config.fuzz and after.state == self._fsrs.State.Review:
            if self.fuzz_version == 1:
                key = f"{seed}|{to_ms(when)}"
            else:
                previous = "new" if before is None else to_ms(before.last_review)
                key = f"{seed}|{previous}"
            due = when + timedelta(days=self._fuzz((due - when).days, key))

        assert after.stability is not None and after.difficulty is not None
        return CardState(
            state=int(after.state),
            step=after.step,
            stability=after.stability,
            difficulty=after.difficulty,
            due=from_ms(to_ms(due)),
            last_review=when,
        )

    def preview(
        self, before: CardState | None, when: datetime, *, seed: str
    ) -> dict[int, timedelta]:
        """Return the interval each rating would give, keyed by rating."""
        when = from_ms(to_ms(when))
        return {
            rating: self.review(before, rating, when, seed=seed).due - when
            for rating in RATING_NAMES
        }

    def retrievability(self, state: CardState, when: datetime) -> float:
        """Return the probability of recalling the card at ``when``."""
        card = self._to_fsrs(state, _utc(when))
        return float(self._scheduler.get_card_retrievability(card, _utc(when)))

    def _to_fsrs(self, state: CardState | None, when: datetime) -> fsrs.Card:
        # py-fsrs sleeps a millisecond per card when no id is given.
        if state is None:
            return self._fsrs.Card(card_id=1, due=when)
        return self._fsrs.Card(
            card_id=1,
            state=self._fsrs.State(state.state),
            step=state.step,
            stability=state.stability,
            difficulty=state.difficulty,
            due=_utc(state.due),
            last_review=_utc(state.last_review),
        )

    def _fuzz(self, days: int, key: str) -> int:
        low, high = fuzz_range(days, self.config.maximum_interval)
        if low == high:
            return days
        digest = hashlib.sha256(key.encode()).digest()
        return random.Random(digest).randint(low, high)


def format_interval(interval: timedelta) -> str:
    """Write an interval the short way rating buttons show it.

    Examples: ``45s``, ``10m``, ``3h``, ``2d``, ``3mo``, ``1.5mo``, ``1.2y``.
    """
    seconds = interval.total_seconds()
    if seconds < 60:
        return f"{max(0, round(seconds))}s"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    days = seconds / 86400
    if days < 1:
        return f"{round(seconds / 3600)}h"
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return _one_decimal(days / 30.4375) + "mo"
    return _one_decimal(days / 365.25) + "y"


def _one_decimal(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class LearnerDay:
    """One learner's day: from a rollover to the next, as UTC instants.

    Attributes:
        start: The rollover that began the day.
        end: The next rollover.
    """

    start: datetime
    end: datetime


def learner_day(
    now: datetime, *, rollover_hour: int, tz: tzinfo, offset: int = 0
) -> LearnerDay:
    """Return the learner's day that contains ``now``, or one ``offset`` days on.

    Days follow the local wall clock, so across a change of daylight saving
    time a day lasts 23 or 25 hours.

    Args:
        now: The current instant, timezone-aware.
        rollover_hour: Local hour at which each day starts.
        tz: The learner's time zone.
        offset: Days after (or before, when negative) the current one.
    """
    local = _utc(now).astimezone(tz)
    today: date = local.date()
    if local.hour < rollover_hour:
        today -= timedelta(days=1)
    today += timedelta(days=offset)

    def rollover(day: date) -> datetime:
        return datetime.combine(day, time(rollover_hour), tzinfo=tz).astimezone(UTC)

    return LearnerDay(rollover(today), rollover(today + timedelta(days=1)))


def local_timezone() -> tzinfo:
    """Return the machine's time zone, with its daylight saving rules if known.

    ``TZ`` wins, as it does for the C library: a zone name, or a path to a
    zone file; a rule the zone database does not name (``JST-9``) gives the
    current fixed offset, which the C library has read from it. Without
    ``TZ``, the zone of ``/etc/localtime``; else the current fixed offset.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    setting = os.environ.get("TZ")
    if setting is not None:
        names = [setting.lstrip(":")]
    else:
        names = ["/etc/localtime"]
        try:
            # The link names the zone, which reads better than the file.
            names.insert(0, os.readlink(names[0]).split("zoneinfo/", 1)[-1])
        except OSError:
            pass
    for name in names:
        try:
            if name.startswith("/"):
                with open(name, "rb") as file:
                    return ZoneInfo.from_file(file, key=name)
            if name:
                return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    fixed = datetime.now().astimezone().tzinfo
    return fixed if fixed is not None else UTC
