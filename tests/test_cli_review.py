"""Tests of ``cvcards review`` and ``cvcards status`` through the command line.

Most run in-process with click's CliRunner and scripted keys; the last ones
start real processes in a pseudo-terminal, one of them killed with SIGKILL.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import sys
from datetime import UTC
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner, Result

from cvcards import collection as collection_module
from cvcards.cli import cli
from cvcards.collection import Collection
from cvcards.session import ScriptedKeys
from review_factories import T0, SteppingClock, corrupted_collection

FIRST_FRONT = "remove from a detector"


@pytest.fixture(autouse=True)
def no_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the learner's own settings file out of every command run here."""
    empty = tmp_path / "empty-settings.toml"
    empty.write_text("")
    monkeypatch.setenv("CVCARDS_CONFIG", str(empty))


def _collection() -> Path:
    return Path(os.environ["CVCARDS_COLLECTION"])


def _invoke(args: list[str], keys: str | list[str] | None = None) -> Result:
    obj: dict[str, object] = {"clock": SteppingClock(), "tz": UTC}
    if keys is not None:
        obj["keys"] = ScriptedKeys(keys)
    return CliRunner().invoke(cli, args, obj=obj)


def _reviews() -> list[tuple[str, int]]:
    with sqlite3.connect(_collection()) as db:
        rows = db.execute(
            "SELECT c.identity, r.rating FROM reviews r"
            " JOIN cards c ON c.id = r.card_id ORDER BY r.id"
        ).fetchall()
    db.close()
    return [(identity, rating) for identity, rating in rows]


def test_review_session_through_the_command_line(starter: Path) -> None:
    result = _invoke(["review", "--decks", str(starter)], [" ", "3", " ", "1", "q"])

    assert result.exit_code == 0, result.output
    assert "Synced with" in result.output and "12 new" in result.output
    assert FIRST_FRONT in result.output
    assert "Cards reviewed  2" in result.output
    assert "Again           1" in result.output
    assert [rating for _, rating in _reviews()] == [3, 1]


def test_second_run_uses_the_synced_cards(starter: Path) -> None:
    _invoke(["review", "--decks", str(starter)], [" ", "4", "q"])

    again = _invoke(["review", "--decks", str(starter)], ["q"])

    assert again.exit_code == 0
    assert "Synced" not in again.output
    assert FIRST_FRONT not in again.output


def test_edited_deck_is_synced_and_keeps_the_schedule(starter: Path) -> None:
    _invoke(["review", "--decks", str(starter)], [" ", "4", "q"])
    deck = starter / "detection.yaml"
    deck.write_text(
        deck.read_text().replace("Duplicate boxes of the same object.", "Duplicates.")
    )

    result = _invoke(["status", "--decks", str(starter)])

    assert result.exit_code == 0, result.output
    assert "1 edited" in result.output
    with Collection.open(_collection(), now=T0) as col:
        assert col.totals() == {"live": 12, "new": 11, "retired": 0}


def test_review_without_a_terminal_exits_with_status_2(starter: Path) -> None:
    result = CliRunner().invoke(cli, ["review", "--decks", str(starter)], input="3\n")

    assert result.exit_code == 2
    assert "needs a terminal" in result.output
    assert not _collection().exists()


def test_filters_limit_the_session(starter: Path) -> None:
    result = _invoke(
        ["review", "--decks", str(starter), "--kind", "cloze"], [" ", "4"] * 3
    )

    assert result.exit_code == 0, result.output
    assert [identity.split("#")[-1] for identity, _ in _reviews()] == ["c1", "c2"]


@pytest.mark.parametrize("command", ["review", "status"])
def test_filters_no_card_matches_are_usage_errors(starter: Path, command: str) -> None:
    result = _invoke(
        [command, "--decks", str(starter), "--section", "detecton"]
        + ["--tag", "post-procesing", "--tag", "zzz", "--tag", "post-processing"],
        [" ", "4"],
    )

    assert result.exit_code == 2, result.output
    assert result.output.endswith(
        "Error: --section detecton: no card is in this section; sections: detection\n"
        "--tag post-procesing: no card has this tag; did you mean post-processing?\n"
        "--tag zzz: no card has this tag\n"
    )
    assert _reviews() == []


def test_new_option_sets_todays_new_cards(starter: Path) -> None:
    result = _invoke(["review", "--decks", str(starter), "--new", "1"], [" ", "4"] * 3)

    assert result.exit_code == 0, result.output
    assert len(_reviews()) == 1
    assert "Nothing more is due today." in result.output


def test_status_prints_today_and_the_next_days(starter: Path) -> None:
    _invoke(["review", "--decks", str(starter)], [" ", "4", " ", "1", "q"])

    result = _invoke(["status", "--decks", str(starter), "--days", "3"])

    assert result.exit_code == 0, result.output
    assert "Due today: 9 new, 1 learning, 0 review (10 in all)." in result.output
    assert "12 cards, 10 never reviewed, 2 reviews" in result.output
    rows = [line for line in result.output.splitlines() if line.startswith("│")]
    assert len(rows) == 3


def test_status_reads_the_settings_file(starter: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[review]\nnew_per_day = 4\n")

    result = _invoke(["status", "--decks", str(starter), "--config", str(config)])

    assert result.exit_code == 0, result.output
    assert "Due today: 4 new" in result.output


def test_a_settings_file_named_in_the_environment_must_exist(
    starter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "typo-config.toml"
    monkeypatch.setenv("CVCARDS_CONFIG", str(missing))

    result = _invoke(["status", "--decks", str(starter)])

    assert result.exit_code == 1
    assert f"Error: {missing}: cannot read the settings file" in result.output
    assert not missing.exists()


def test_invalid_settings_are_reported(starter: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[review]\nnew_per_day = -1\nrollover_hour = 25\n")

    result = _invoke(["status", "--decks", str(starter), "--config", str(config)])

    assert result.exit_code == 1
    assert (
        f"Error: {config}: new_per_day: expected 0 to 100000, got -1" in result.output
    )
    assert "rollover_hour: expected 0 to 23, got 25" in result.output


def test_invalid_settings_in_the_collection_are_reported_as_such(
    starter: Path,
) -> None:
    _invoke(["status", "--decks", str(starter)])
    with Collection.open(_collection(), now=T0) as col:
        col.set_config("new_per_day", -3)

    result = _invoke(["status", "--decks", str(starter)])

    assert result.exit_code == 1
    assert result.output == (
        f"Error: {_collection()} (settings stored in the collection): new_per_day:"
        " expected 0 to 100000, got -3\n"
    )


def test_broken_decks_fall_back_to_the_synced_cards(starter: Path) -> None:
    _invoke(["status", "--decks", str(starter)])
    deck = starter / "detection.yaml"
    deck.write_text(deck.read_text().replace("topic: NMS", "topic: [NMS"))

    result = _invoke(["status", "--decks", str(starter)])

    assert result.exit_code == 0, result.output
    assert "The decks have problems; reviewing the cards of the last sync." in (
        result.output
    )
    assert "detection.yaml" in result.output
    assert "Due today: 11 new" in result.output


def test_paths_and_messages_are_printed_as_written(starter: Path) -> None:
    decks = starter.rename(starter.with_name("decks [b]"))
    synced = _invoke(["status", "--decks", str(decks)])
    deck = decks / "detection.yaml"
    deck.write_text(deck.read_text().replace("topic: NMS", "topic: [NMS"))

    broken = _invoke(["status", "--decks", str(decks)])

    assert synced.exit_code == 0, synced.output
    assert f"Synced with {decks}: 12 new." in synced.output
    assert broken.exit_code == 0, broken.output
    assert f"{deck}:" in broken.output


def test_broken_decks_without_synced_cards_are_an_error(starter: Path) -> None:
    deck = starter / "detection.yaml"
    deck.write_text(deck.read_text().replace("topic: NMS", "topic: [NMS"))

    result = _invoke(["status", "--decks", str(starter)])

    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "detection.yaml" in result.output


def test_foreign_collection_is_refused_and_untouched(
    starter: Path, tmp_path: Path
) -> None:
    foreign = tmp_path / "notes.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
    db.close()
    before = hashlib.sha256(foreign.read_bytes()).hexdigest()

    result = _invoke(["status", "--decks", str(starter), "--collection", str(foreign)])

    assert result.exit_code == 1
    assert f"Error: {foreign} is not a cvcards collection" in result.output
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == before


# -- real processes in a pseudo-terminal ------------------------------------------


def _spawn(starter: Path) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "cvcards", "review", "--decks", str(starter)],
        env=dict(os.environ),
        dimensions=(40, 120),
        encoding="utf-8",
        timeout=30,
    )


def test_pseudo_terminal_reveal_rate_undo_quit_and_resume(starter: Path) -> None:
    child = _spawn(starter)
    child.expect(FIRST_FRONT)
    child.send(" ")
    child.expect("Again")
    child.send("3")
    child.expect("1/12")
    child.send("u")
    child.expect("the rating of")
    child.expect(FIRST_FRONT)
    child.send(" ")
    child.expect("Again")
    child.send("4")
    child.expect("1/11")
    child.send("q")
    child.expect("Stopped early")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    resumed = _spawn(starter)
    resumed.expect("0/10")
    resumed.send("q")
    resumed.expect("Cards reviewed")
    resumed.expect(pexpect.EOF)
    resumed.close()

    assert resumed.exitstatus == 0
    assert FIRST_FRONT not in (resumed.before or "")
    assert [rating for _, rating in _reviews()] == [4]


def test_ctrl_c_in_a_terminal_ends_with_the_summary(starter: Path) -> None:
    child = _spawn(starter)
    child.expect("reveal")
    child.send(" ")
    child.expect("Again")
    child.send("4")
    child.expect("1/")
    child.sendintr()
    child.expect("Cards reviewed")
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == 0
    assert [rating for _, rating in _reviews()] == [4]


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param("after-next-card", id="after-next-card-shown"),
        pytest.param("after-key", id="right-after-the-rating-key"),
        pytest.param("after-reveal", id="with-an-answer-revealed"),
    ],
)
def test_sigkill_loses_no_rating(starter: Path, moment: str) -> None:
    child = _spawn(starter)
    ratings = [3, 1, 4]
    for done, rating in enumerate(ratings, start=1):
        child.expect("reveal")
        child.send(" ")
        child.expect("Again")
        child.send(str(rating))
        if done < len(ratings) or moment == "after-next-card":
            child.expect(f"{done}/")
    if moment == "after-reveal":
        child.expect("reveal")
        child.send(" ")
        child.expect("Again")

    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()

    assert child.signalstatus == signal.SIGKILL
    kept = [rating for _, rating in _reviews()]
    if moment == "after-key":
        # The last key may have been read or not; what was shown must be kept.
        assert kept in (ratings[:-1], ratings)
    else:
        assert kept == ratings
    with Collection.open(_collection(), now=T0) as col:
        assert col.integrity() == "ok"
        for card_id in range(1, 13):
            assert col.card(card_id).state == col.replayed_state(card_id)


def test_status_check_reports_damage(
    starter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collection_module, "DEEP_CHECK_LIMIT", 0)
    damaged = corrupted_collection(tmp_path / "damaged")

    plain = _invoke(["status", "--decks", str(starter)])
    result = _invoke(
        ["status", "--decks", str(starter), "--collection", str(damaged), "--check"]
    )

    assert plain.exit_code == 0 and "Integrity check" not in plain.output
    assert result.exit_code == 1
    assert f"Error: {damaged} is corrupted" in result.output
