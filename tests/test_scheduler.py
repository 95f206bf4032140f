"""Tests of the FSRS wrapper, the learner's day and the review settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zoneinfo
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvcards.errors import ConfigError
from cvcards.scheduler import (
    LEARNING,
    RELEARNING,
    REVIEW,
    CardState,
    ReviewConfig,
    Scheduler,
    build_config,
    config_to_raw,
    format_interval,
    from_ms,
    fuzz_range,
    learner_day,
    parse_step,
    read_config_file,
    to_ms,
)
from review_factories import T0

SEED = "nms-basics/e31146f9"


def _span(interval: timedelta) -> str:
    # Whole days once past a day, else minutes: the units FSRS schedules in.
    if interval.days:
        return f"{interval.days}d"
    return f"{int(interval.total_seconds() // 60)}m"


def _intervals(ratings: list[int], *, fuzz: bool, seed: str = SEED) -> list[str]:
    """Rate a new card at each due time; return the interval each rating gave."""
    scheduler = Scheduler(ReviewConfig(fuzz=fuzz))
    state: CardState | None = None
    when = T0
    spans = []
    for rating in ratings:
        state = scheduler.review(state, rating, when, seed=seed)
        spans.append(_span(state.due - when))
        when = state.due
    return spans


# Golden sequences: default FSRS-6 weights, retention 0.9, steps 1m 10m,
# relearning 10m, each review on time. Fuzz never touches the learning steps.
GOLDEN = [
    pytest.param(
        [3, 3, 3, 3, 3, 3],
        False,
        ["10m", "2d", "11d", "46d", "163d", "498d"],
        id="good-always",
    ),
    pytest.param(
        [4, 3, 3, 1, 3, 3],
        False,
        ["8d", "39d", "153d", "10m", "5d", "13d"],
        id="easy-then-lapse",
    ),
    pytest.param(
        [1, 1, 3, 3, 2, 3],
        False,
        ["1m", "1m", "10m", "1d", "1d", "1d"],
        id="hard-start",
    ),
    pytest.param(
        [3, 3, 3, 3, 1, 1, 3, 3],
        False,
        ["10m", "2d", "11d", "46d", "10m", "10m", "1d", "2d"],
        id="relearning-twice",
    ),
    pytest.param(
        [3, 3, 3, 3, 3, 3],
        True,
        ["10m", "2d", "11d", "49d", "166d", "519d"],
        id="good-always-fuzzed",
    ),
    pytest.param(
        [4, 3, 3, 1, 3, 3],
        True,
        ["6d", "33d", "123d", "10m", "5d", "13d"],
        id="easy-then-lapse-fuzzed",
    ),
]


@pytest.mark.parametrize(("ratings", "fuzz", "expected"), GOLDEN)
def test_golden_interval_sequences(
    ratings: list[int], fuzz: bool, expected: list[str]
) -> None:
    assert _intervals(ratings, fuzz=fuzz) == expected


def test_fuzz_is_reproducible_and_depends_on_the_card() -> None:
    ratings = [3, 3, 3, 3, 3]

    first = _intervals(ratings, fuzz=True, seed="a/1")
    again = _intervals(ratings, fuzz=True, seed="a/1")
    others = {tuple(_intervals(ratings, fuzz=True, seed=f"b/{n}")) for n in range(20)}

    assert first == again
    assert len(others) > 1


@pytest.mark.parametrize(
    ("days", "low", "high"),
    [
        pytest.param(1, 1, 1, id="one-day-untouched"),
        pytest.param(2, 2, 2, id="two-days-untouched"),
        pytest.param(3, 2, 4, id="three-days"),
        pytest.param(10, 8, 12, id="ten-days"),
        pytest.param(100, 93, 107, id="hundred-days"),
        pytest.param(36500, 34673, 36500, id="capped-at-maximum"),
    ],
)
def test_fuzz_range(days: int, low: int, high: int) -> None:
    assert fuzz_range(days, 36500) == (low, high)


ratings_lists = st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=12)
delays = st.lists(
    st.integers(min_value=0, max_value=60 * 24 * 90), min_size=12, max_size=12
)


@settings(max_examples=60, deadline=None)
@given(ratings=ratings_lists, minutes=delays)
def test_unfuzzed_reviews_agree_with_py_fsrs(
    ratings: list[int], minutes: list[int]
) -> None:
    ours = Scheduler(ReviewConfig(fuzz=False))
    theirs = fsrs.Scheduler(enable_fuzzing=False)
    state: CardState | None = None
    card = fsrs.Card(card_id=1, due=T0)
    when = T0

    for rating, delay in zip(ratings, minutes, strict=False):
        state = ours.review(state, rating, when, seed="x")
        card, _ = theirs.review_card(card, fsrs.Rating(rating), when)

        assert (state.state, state.step) == (int(card.state), card.step)
        assert state.stability == pytest.approx(card.stability, rel=1e-12)
        assert state.difficulty == pytest.approx(card.difficulty, rel=1e-12)
        assert state.due == card.due
        when += timedelta(minutes=delay)


@settings(max_examples=60, deadline=None)
@given(ratings=ratings_lists)
def test_fuzz_moves_only_review_due_dates_within_range(ratings: list[int]) -> None:
    plain = Scheduler(ReviewConfig(fuzz=False))
    fuzzed = Scheduler(ReviewConfig(fuzz=True))
    state: CardState | None = None
    when = T0

    for rating in ratings:
        expected = plain.review(state, rating, when, seed="x")
        state = fuzzed.review(state, rating, when, seed="x")

        assert (state.state, state.stability, state.difficulty) == (
            expected.state,
            expected.stability,
            expected.difficulty,
        )
        if state.state == REVIEW:
            low, high = fuzz_range((expected.due - when).days, 36500)
            assert low <= (state.due - when).days <= high
        else:
            assert state.due == expected.due
        when = state.due


def test_preview_gives_each_rating_its_interval() -> None:
    scheduler = Scheduler(ReviewConfig(fuzz=False))
    state = None
    when = T0
    for rating in (3, 3):
        state = scheduler.review(state, rating, when, seed="x")
        when = state.due

    previews = scheduler.preview(state, when, seed="x")

    assert {r: format_interval(i) for r, i in previews.items()} == {
        1: "10m",
        2: "8d",
        3: "11d",
        4: "19d",
    }
    for rating, interval in previews.items():
        assert scheduler.review(state, rating, when, seed="x").due - when == interval


def test_rating_gives_the_interval_its_button_showed() -> None:
    scheduler = Scheduler(ReviewConfig(fuzz=True))
    state = None
    when = T0
    for rating in (3, 3, 3):
        state = scheduler.review(state, rating, when, seed="x")
        when = state.due

    for pause in range(0, 120, 7):
        shown = when + timedelta(seconds=pause)
        previews = scheduler.preview(state, shown, seed="x")
        rated = shown + timedelta(seconds=6)

        given = {
            r: scheduler.review(state, r, rated, seed="x").due - rated for r in previews
        }
        assert given == previews


def test_reviews_logged_under_the_first_fuzz_rule_replay_under_it() -> None:
    current = Scheduler(ReviewConfig(fuzz=True))
    described = json.loads(current.params_json())
    described["fuzz_version"] = 1
    first = Scheduler.from_params_json(json.dumps(described))
    state = None
    when = T0
    for rating in (3, 3, 3):
        state = current.review(state, rating, when, seed="x")
        when = state.due

    # The first rule drew the fuzz from the review time, the current one does not.
    old = {
        first.review(state, 3, when + timedelta(seconds=s), seed="x").due - when
        for s in range(0, 40, 3)
    }
    new = {
        current.review(state, 3, when + timedelta(seconds=s), seed="x").due - when
        for s in range(0, 40, 3)
    }
    assert json.loads(first.params_json())["fuzz_version"] == 1
    assert len({i.days for i in old}) > 1
    assert len({i.days for i in new}) == 1
    with pytest.raises(ValueError, match="fuzz_version must be 1 or 2"):
        Scheduler(fuzz_version=3)


def test_new_card_states_follow_the_learning_steps() -> None:
    scheduler = Scheduler(ReviewConfig(fuzz=False))

    again = scheduler.review(None, 1, T0, seed="x")
    good = scheduler.review(None, 3, T0, seed="x")
    lapse = scheduler.review(
        scheduler.review(None, 4, T0, seed="x"), 1, T0 + timedelta(days=8), seed="x"
    )

    assert (again.state, again.step, again.due - T0) == (
        LEARNING,
        0,
        timedelta(minutes=1),
    )
    assert (good.state, good.step, good.due - T0) == (
        LEARNING,
        1,
        timedelta(minutes=10),
    )
    assert (lapse.state, lapse.step) == (RELEARNING, 0)


def test_review_rejects_naive_times_and_bad_ratings() -> None:
    scheduler = Scheduler()

    with pytest.raises(ValueError, match="timezone-aware"):
        scheduler.review(None, 3, datetime(2026, 3, 2, 9), seed="x")
    with pytest.raises(ValueError, match="rating must be"):
        scheduler.review(None, 5, T0, seed="x")


def test_review_accepts_any_utc_representation() -> None:
    scheduler = Scheduler(ReviewConfig(fuzz=False))
    paris = T0.astimezone(ZoneInfo("Europe/Paris"))

    assert scheduler.review(None, 3, paris, seed="x") == scheduler.review(
        None, 3, T0, seed="x"
    )


def test_scheduler_settings_round_trip_through_json() -> None:
    config = ReviewConfig(
        desired_retention=0.85,
        learning_steps=(timedelta(minutes=5),),
        relearning_steps=(),
        maximum_interval=365,
        fuzz=False,
    )
    scheduler = Scheduler(config)

    rebuilt = Scheduler.from_params_json(scheduler.params_json())

    assert rebuilt.params_json() == scheduler.params_json()
    assert rebuilt.review(None, 3, T0, seed="x") == scheduler.review(
        None, 3, T0, seed="x"
    )


def test_milliseconds_round_trip() -> None:
    moment = datetime(2026, 3, 2, 9, 0, 0, 123000, tzinfo=UTC)

    assert from_ms(to_ms(moment)) == moment


@pytest.mark.parametrize(
    ("interval", "shown"),
    [
        pytest.param(timedelta(seconds=45), "45s", id="seconds"),
        pytest.param(timedelta(minutes=10), "10m", id="minutes"),
        pytest.param(timedelta(hours=3), "3h", id="hours"),
        pytest.param(timedelta(days=2), "2d", id="days"),
        pytest.param(timedelta(days=91), "3mo", id="months"),
        pytest.param(timedelta(days=46), "1.5mo", id="months-decimal"),
        pytest.param(timedelta(days=438), "1.2y", id="years"),
        pytest.param(timedelta(days=730), "2y", id="whole-years"),
    ],
)
def test_format_interval(interval: timedelta, shown: str) -> None:
    assert format_interval(interval) == shown


PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("local", "start", "hours"),
    [
        pytest.param(
            datetime(2026, 3, 3, 3, 59, tzinfo=PARIS),
            datetime(2026, 3, 2, 4, tzinfo=PARIS),
            24,
            id="before-rollover-is-yesterday",
        ),
        pytest.param(
            datetime(2026, 3, 3, 4, 0, tzinfo=PARIS),
            datetime(2026, 3, 3, 4, tzinfo=PARIS),
            24,
            id="at-rollover-is-today",
        ),
        pytest.param(
            datetime(2026, 3, 29, 12, tzinfo=PARIS),
            datetime(2026, 3, 29, 4, tzinfo=PARIS),
            24,
            id="spring-forward-before-rollover",
        ),
        pytest.param(
            datetime(2026, 3, 28, 12, tzinfo=PARIS),
            datetime(2026, 3, 28, 4, tzinfo=PARIS),
            23,
            id="day-losing-an-hour",
        ),
        pytest.param(
            datetime(2026, 10, 24, 12, tzinfo=PARIS),
            datetime(2026, 10, 24, 4, tzinfo=PARIS),
            25,
            id="day-gaining-an-hour",
        ),
    ],
)
def test_learner_day_follows_local_rollover(
    local: datetime, start: datetime, hours: int
) -> None:
    day = learner_day(local.astimezone(UTC), rollover_hour=4, tz=PARIS)

    assert day.start == start
    assert day.start.tzinfo is UTC and day.end.tzinfo is UTC
    assert day.end - day.start == timedelta(hours=hours)


def test_learner_day_offset() -> None:
    today = learner_day(T0, rollover_hour=4, tz=UTC)
    tomorrow = learner_day(T0, rollover_hour=4, tz=UTC, offset=1)

    assert tomorrow.start == today.end


_OFFSETS = (
    "from datetime import UTC, datetime;"
    " from cvcards.scheduler import local_timezone;"
    " zone = local_timezone();"
    " print([str(datetime(2026, m, 15, 12, tzinfo=UTC).astimezone(zone).utcoffset())"
    " for m in (1, 7)])"
)
PARIS_FILE = next(
    Path(root) / "Europe" / "Paris"
    for root in zoneinfo.TZPATH
    if (Path(root) / "Europe" / "Paris").is_file()
)


@pytest.mark.parametrize(
    ("setting", "offsets"),
    [
        pytest.param("Europe/Paris", "['1:00:00', '2:00:00']", id="zone-name"),
        pytest.param(":Europe/Paris", "['1:00:00', '2:00:00']", id="colon-name"),
        pytest.param(str(PARIS_FILE), "['1:00:00', '2:00:00']", id="zone-file"),
        pytest.param("JST-9", "['9:00:00', '9:00:00']", id="posix-rule"),
        pytest.param("UTC", "['0:00:00', '0:00:00']", id="utc"),
    ],
)
def test_local_timezone_follows_tz_like_the_c_library(
    setting: str, offsets: str
) -> None:
    # A child process, so that the C library reads TZ afresh.
    result = subprocess.run(
        [sys.executable, "-c", _OFFSETS],
        env={**os.environ, "TZ": setting},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == offsets


def test_build_config_layers_and_defaults() -> None:
    config = build_config(
        {"new_per_day": 5, "learning_steps": ["2m"]},
        {"new_per_day": 7, "fuzz": False},
    )

    assert config.new_per_day == 7
    assert config.learning_steps == (timedelta(minutes=2),)
    assert config.fuzz is False
    assert config.desired_retention == 0.9
    assert build_config(config_to_raw(config)) == config


def test_build_config_reports_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        build_config(
            {
                "desired_retention": 1.5,
                "learning_steps": ["ten minutes"],
                "rollover_hour": 24,
                "colour": "blue",
                "parameters": [1, 2],
            },
            origin="config.toml",
        )

    lines = str(caught.value).splitlines()
    assert len(lines) == 5
    assert all(line.startswith("config.toml: ") for line in lines)
    assert any(
        "desired_retention: expected a number from 0.7 to 0.99" in m for m in lines
    )
    assert any("colour: unknown setting" in m for m in lines)


def test_weights_outside_the_fsrs_bounds_are_each_reported() -> None:
    weights = list(fsrs.scheduler.DEFAULT_PARAMETERS)
    weights[0], weights[20] = -1.0, 0.95

    with pytest.raises(ConfigError) as caught:
        build_config({"parameters": weights}, origin="config.toml")

    assert str(caught.value).splitlines() == [
        "config.toml: parameters: weight 0 is -1.0, expected 0.001 to 100.0",
        "config.toml: parameters: weight 20 is 0.95, expected 0.1 to 0.8",
    ]
    fitted = build_config({"parameters": list(fsrs.scheduler.DEFAULT_PARAMETERS)})
    assert Scheduler(fitted).review(None, 3, T0, seed="x").state == LEARNING


def test_read_config_file(tmp_path: Path) -> None:
    good = tmp_path / "config.toml"
    good.write_text('[review]\nnew_per_day = 3\nlearning_steps = ["1m", "1h"]\n')
    broken = tmp_path / "broken.toml"
    broken.write_text("[review\n")

    assert build_config(read_config_file(good)).new_per_day == 3
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_config_file(broken)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        pytest.param("30s", 30, id="seconds"),
        pytest.param("10m", 600, id="minutes"),
        pytest.param("1.5h", 5400, id="hours"),
        pytest.param("1d", 86400, id="days"),
    ],
)
def test_parse_step(text: str, seconds: int) -> None:
    assert parse_step(text).total_seconds() == seconds
