"""``cvcards build``, ``check`` and ``schema`` run as real processes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from conftest import run_cli

GOOD_NOTE = """\
  - id: good
    topic: IoU
    question: What is IoU?
    cards:
      - front: What does IoU divide?
        back: Intersection area by union area.
"""


def write_deck(folder: Path, name: str, notes: str, section: str = "metrics") -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(
        f"section: {section}\ntitle: Metrics\norder: 1\nnotes:\n" + notes,
        encoding="utf-8",
    )
    return path


def test_build_writes_the_package_to_the_path_it_prints(starter: Path) -> None:
    result = run_cli("build", "--decks", str(starter), "-o", "out/deck.apkg")

    assert result.returncode == 0, result.stderr
    assert f"Deck sources: {starter} (from --decks)" in result.stdout
    written = Path("out/deck.apkg").resolve()
    assert f"Wrote {written} (11 notes, 12 cards, 1 media files)" in result.stdout
    assert Path("out/deck.apkg").is_file()
    assert "Detection and segmentation" in result.stdout
    assert "Changes since the last build: 11 new, 0 edited" in result.stdout


def test_second_build_without_changes_reuses_the_package(starter: Path) -> None:
    first = run_cli("build", "--decks", str(starter), "-o", "deck.apkg")
    before = Path("deck.apkg").read_bytes()

    second = run_cli("build", "--decks", str(starter), "-o", "deck.apkg")

    assert first.returncode == second.returncode == 0
    assert f"Up to date: {Path('deck.apkg').resolve()}" in second.stdout
    assert Path("deck.apkg").read_bytes() == before


def test_build_reports_retired_cards(starter: Path) -> None:
    run_cli("build", "--decks", str(starter), "-o", "deck.apkg")
    path = starter / "detection.yaml"
    text = path.read_text()
    # The code card is the last one in the file: cut it off.
    path.write_text(text[: text.index("      - front: Write the IoU of two boxes")])

    result = run_cli("build", "--decks", str(starter), "-o", "deck.apkg")

    assert result.returncode == 0, result.stderr
    assert "0 new, 0 edited, 0 restored, 1 retired" in result.stdout
    assert "  retired: nms-basics/" in result.stdout


BAD_INPUTS = [
    pytest.param(
        "  - id: [unclosed\n",
        "bad.yaml:6:",
        "malformed YAML",
        id="malformed-yaml",
    ),
    pytest.param(
        GOOD_NOTE.replace("    topic: IoU\n", "    topic: IoU\n    colour: red\n"),
        "bad.yaml:7:",
        "unknown field 'colour'; remove it or fix its spelling",
        id="unknown-field",
    ),
    pytest.param(
        GOOD_NOTE.replace("    question: What is IoU?\n", ""),
        "bad.yaml:5:",
        "notes[0].question is missing; add it",
        id="missing-field",
    ),
    pytest.param(
        GOOD_NOTE.replace("id: good", "id: first") * 2,
        "bad.yaml:",
        "duplicate note id 'first'",
        id="duplicate-id",
    ),
    pytest.param(
        GOOD_NOTE + "      - kind: cloze\n        text: IoU has no deletion here.\n",
        "bad.yaml:12:",
        "cloze card has no deletion; mark the answer as {{c1::answer}}",
        id="cloze-without-deletion",
    ),
    pytest.param(
        GOOD_NOTE + "      - kind: cloze\n        text: 'IoU is {{c1::}}'\n",
        "bad.yaml:12:",
        "deletion c1 is empty",
        id="empty-deletion",
    ),
    pytest.param(
        GOOD_NOTE.replace(
            "back: Intersection area by union area.",
            "back: Intersection area by union area.\n        diagram: nowhere",
        ),
        "bad.yaml:11:",
        "unknown diagram 'nowhere'; define it under the note's diagrams",
        id="unknown-diagram",
    ),
    pytest.param(
        GOOD_NOTE.replace(
            "back: Intersection area by union area.",
            "back: Intersection area by union area.\n        media: ../../etc/passwd",
        ),
        "bad.yaml:11:",
        "media path '../../etc/passwd' leaves the decks folder",
        id="media-outside",
    ),
    pytest.param(
        GOOD_NOTE.replace(
            "back: Intersection area by union area.",
            "back: <img src=x onerror=alert(1)>",
        ),
        "bad.yaml:9:",
        "unsafe HTML in the card's back: event handler attribute 'onerror'",
        id="unsafe-html",
    ),
    pytest.param(
        GOOD_NOTE.replace(
            "    cards:\n",
            "    diagrams:\n      boxes:\n"
            "        generator: iou_overlap\n"
            "        params: {box_a: [50, 0, 10, 10], box_b: [0, 0, 5, 5]}\n"
            "    cards:\n",
        ),
        "bad.yaml:10:",
        "diagram 'boxes': box_a: x2 (10) is less than x1 (50)",
        id="bad-diagram-box",
    ),
    pytest.param(
        GOOD_NOTE.replace(
            "    cards:\n",
            "    diagrams:\n      curve:\n"
            "        generator: no_such_figure\n"
            "    cards:\n",
        ),
        "bad.yaml:10:",
        "unknown generator 'no_such_figure'; use one of",
        id="unknown-generator",
    ),
]


@pytest.mark.parametrize(("notes", "where", "message"), BAD_INPUTS)
def test_check_and_build_report_bad_input(
    tmp_path: Path, notes: str, where: str, message: str
) -> None:
    decks = tmp_path / "decks"
    write_deck(decks, "bad.yaml", notes)
    output = Path("deck.apkg")

    checked = run_cli("check", "--decks", str(decks))
    built = run_cli("build", "--decks", str(decks), "-o", str(output))

    for result in (checked, built):
        assert result.returncode == 1, result.stdout + result.stderr
        lines = [line for line in result.stderr.splitlines() if message in line]
        assert lines, result.stderr
        assert lines[0].startswith(f"{decks / where}"), lines[0]
        assert "Traceback" not in result.stderr
    assert "nothing was written" in built.stderr
    assert not output.exists()
    assert not (decks / "cvcards.lock.json").exists()


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    write_deck(decks, "a.yaml", GOOD_NOTE.replace("    topic: IoU\n", "    tpoic: x\n"))
    write_deck(decks, "b.yaml", "notes: [\n")
    write_deck(
        decks,
        "c.yaml",
        GOOD_NOTE.replace("id: good", "id: other")
        + "      - kind: cloze\n        text: none\n",
    )

    result = run_cli("check", "--decks", str(decks))

    problems = [line for line in result.stderr.splitlines() if ".yaml:" in line]
    assert result.returncode == 1
    assert len(problems) == 4, result.stderr
    assert [p.split(":")[0].split("/")[-1] for p in problems] == [
        "a.yaml",
        "a.yaml",
        "b.yaml",
        "c.yaml",
    ]
    assert "Error: 4 problems in the decks" in result.stderr


def test_failed_build_leaves_an_existing_package_untouched(
    starter: Path, tmp_path: Path
) -> None:
    assert run_cli("build", "--decks", str(starter), "-o", "deck.apkg").returncode == 0
    before = Path("deck.apkg").read_bytes()
    lock_before = (starter / "cvcards.lock.json").read_bytes()
    path = starter / "detection.yaml"
    path.write_text(
        path.read_text().replace("front: What does NMS", "frnt: What does NMS")
    )

    result = run_cli("build", "--decks", str(starter), "-o", "deck.apkg")

    assert result.returncode == 1
    assert Path("deck.apkg").read_bytes() == before
    assert (starter / "cvcards.lock.json").read_bytes() == lock_before
    assert [p.name for p in Path.cwd().iterdir()] == ["deck.apkg"]


def test_check_reports_quality_warnings_and_strict_fails(tmp_path: Path) -> None:
    long_answer = " ".join(["word"] * 45)
    decks = tmp_path / "decks"
    write_deck(
        decks,
        "a.yaml",
        GOOD_NOTE.replace(
            "back: Intersection area by union area.", f"back: {long_answer}"
        ),
    )

    relaxed = run_cli("check", "--decks", str(decks))
    strict = run_cli("check", "--decks", str(decks), "--strict")

    assert relaxed.returncode == 0
    assert strict.returncode == 1
    assert "a.yaml:9:1: warning: answer has 45 words (at most 40)" in strict.stderr
    assert "1 cards in 1 notes: no errors, 2 warnings" in strict.stdout


def test_schema_is_a_json_schema_of_deck_files() -> None:
    result = run_cli("schema")

    schema = json.loads(result.stdout)
    assert result.returncode == 0
    assert schema["title"] == "cvcards deck file"
    assert set(schema["required"]) == {"section", "title", "order", "notes"}
    assert {"BasicCard", "ClozeCard", "StepsCard", "TableCard"} <= set(schema["$defs"])


def test_help_does_not_import_heavy_modules() -> None:
    code = textwrap.dedent(
        """
        import sys
        from cvcards.cli import main
        try:
            main(["--help"])
        except SystemExit:
            pass
        heavy = [m for m in ("matplotlib", "genanki", "pydantic", "numpy", "anki",
                             "markdown", "fsrs", "rich", "yaml") if m in sys.modules]
        print("heavy:", ",".join(heavy))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert "Commands:" in result.stdout
    assert result.stdout.splitlines()[-1] == "heavy: "


def test_build_from_anywhere_uses_the_shipped_decks_and_diagrams(
    tmp_path: Path,
) -> None:
    from cvcards.paths import packaged_data

    shipped_lock = packaged_data("decks") / "cvcards.lock.json"
    lock_before = shipped_lock.read_bytes()

    result = run_cli("build", "-o", "cv.apkg")

    assert result.returncode == 0, result.stderr
    assert "(shipped with cvcards" in result.stdout
    assert "Rendering" not in result.stdout, "shipped diagrams must be found"
    assert "Changes since the last build: 0 new, 0 edited, 0 restored, 0 retired" in (
        result.stdout
    )
    with zipfile.ZipFile("cv.apkg") as archive:
        media = json.loads(archive.read("media"))
    assert len(media) >= 12 and all(name.endswith(".svg") for name in media.values())
    # The shipped decks are read-only, even when an editable install makes them
    # the repository's own folder.
    assert shipped_lock.read_bytes() == lock_before


def test_inside_the_repository_the_working_copy_is_used() -> None:
    repo = Path(__file__).resolve().parent.parent

    result = run_cli("check", cwd=repo)

    assert result.returncode == 0, result.stderr
    assert f"Deck sources: {repo / 'decks'} (the repository's working copy)" in (
        result.stdout
    )


MORE_BAD_INPUTS = [
    pytest.param(
        GOOD_NOTE.replace("    topic: IoU\n", "    topic: IoU\n    topic: Boxes\n"),
        "bad.yaml:7:",
        "key 'topic' appears twice in the same mapping; keep one",
        id="duplicate-key",
    ),
    pytest.param(
        GOOD_NOTE.replace(
            "        back: Intersection area by union area.\n",
            "        back: Intersection area by union area.\n        id: same\n"
            "      - front: Why?\n        back: Because.\n        id: same\n",
        ),
        "bad.yaml:14:",
        "card id 'same' is used twice in note 'good'",
        id="duplicate-card-id",
    ),
    pytest.param(
        GOOD_NOTE.replace(
            "back: Intersection area by union area.",
            "back: Intersection area by union area.\n        media: missing.png",
        ),
        "bad.yaml:11:",
        "media file 'missing.png' not found; check the path",
        id="missing-media",
    ),
    pytest.param(
        GOOD_NOTE.replace("back: Intersection area by union area.", "back: 0.5"),
        "bad.yaml:10:",
        "must be text, but YAML read 0.5 as a number or a date; put the value in "
        "quotes",
        id="number-for-text",
    ),
]


@pytest.mark.parametrize(("notes", "where", "message"), MORE_BAD_INPUTS)
def test_check_reports_more_bad_input(
    tmp_path: Path, notes: str, where: str, message: str
) -> None:
    decks = tmp_path / "decks"
    write_deck(decks, "bad.yaml", notes)

    result = run_cli("check", "--decks", str(decks))

    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if message in line]
    assert lines and lines[0].startswith(f"{decks / where}"), result.stderr


def test_sections_split_over_files_must_share_a_title(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    write_deck(decks, "a.yaml", GOOD_NOTE)
    (decks / "b.yaml").write_text(
        "section: metrics\ntitle: Evaluation\norder: 1\nnotes:\n"
        + GOOD_NOTE.replace("id: good", "id: other")
    )

    result = run_cli("check", "--decks", str(decks))

    assert result.returncode == 1
    assert (
        f"{decks / 'b.yaml'}:2:8: section 'metrics' is titled 'Metrics' in "
        f"{decks / 'a.yaml'}; use the same title in every file of a section"
    ) in result.stderr


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "no such directory; pass --decks with the folder"),
        ("empty", "no .yaml deck files here; pass --decks with the folder"),
        ("bad-lock", "not a valid cvcards lock file"),
    ],
    ids=["missing-folder", "empty-folder", "damaged-lock"],
)
def test_unusable_decks_folder_is_explained(
    tmp_path: Path, setup: str, message: str
) -> None:
    decks = tmp_path / "decks"
    if setup != "missing":
        decks.mkdir()
    if setup == "bad-lock":
        write_deck(decks, "a.yaml", GOOD_NOTE)
        (decks / "cvcards.lock.json").write_text("{not json")

    result = run_cli("build", "--decks", str(decks), "-o", "deck.apkg")

    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not Path("deck.apkg").exists()
