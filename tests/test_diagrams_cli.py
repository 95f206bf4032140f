"""``cvcards diagrams`` through click's runner, a pipe and a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner

from conftest import run_cli
from cvcards.cli import cli
from cvcards.diagrams.registry import GENERATORS, filename

STARTER_SPEC = ("iou_overlap", {"box_a": [10, 10, 60, 60], "box_b": [30, 30, 80, 80]})


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diagrams", *args])
    return result.exit_code, result.stdout, result.stderr


def test_named_generator_renders_then_is_cached(starter: Path) -> None:
    args = ("resolution_compute", "--decks", str(starter), "--out", "out")
    name = filename("resolution_compute", {})

    code, first, _ = invoke(*args)
    again, second, _ = invoke(*args)

    assert code == again == 0
    assert first.splitlines() == [
        f"rendered  out/{name}",
        "1 rendered, 0 cached in out",
    ]
    assert second.splitlines() == [
        f"cached    out/{name}",
        "0 rendered, 1 cached in out",
    ]
    assert Path("out", name).is_file()


def test_a_name_includes_the_figures_decks_draw_with_it(starter: Path) -> None:
    code, out, _ = invoke("iou_overlap", "--decks", str(starter), "--out", "out")

    assert code == 0
    assert f"rendered  out/{filename('iou_overlap', {})}" in out
    assert f"rendered  out/{filename(*STARTER_SPEC)}" in out
    assert out.endswith("2 rendered, 0 cached in out\n")


def test_unknown_generator_is_a_usage_error(starter: Path) -> None:
    code, out, err = invoke("iuo_overlap", "--decks", str(starter), "--out", "out")

    assert code == 2
    assert out == ""
    assert "unknown generator 'iuo_overlap'; did you mean 'iou_overlap'? " in err
    assert "use one of " + ", ".join(sorted(GENERATORS)) in err.replace("\n", " ")
    assert not Path("out").exists()


def test_every_unknown_name_is_reported(starter: Path) -> None:
    code, _, err = invoke("nope", "focal_los", "--decks", str(starter), "--out", "o")

    assert code == 2
    assert "unknown generator 'nope'; use one of " in err
    assert "unknown generator 'focal_los'; did you mean 'focal_loss'?" in err


def test_bad_params_in_a_deck_stop_before_rendering(starter: Path) -> None:
    deck = starter / "detection.yaml"
    text = deck.read_text(encoding="utf-8")
    deck.write_text(text.replace("box_a: [10, 10, 60, 60]", "box_a: [60, 10, 10, 60]"))
    line = next(
        n for n, row in enumerate(deck.read_text().splitlines(), 1) if "box_a" in row
    )

    code, out, err = invoke("--decks", str(starter), "--out", "out")

    assert code == 1
    assert out == ""
    assert f"detection.yaml:{line}:" in err
    assert "diagram 'overlap': box_a: x2 (10) is less than x1 (60)" in err
    assert "no diagram was rendered" in err
    assert not Path("out").exists()


def test_an_unusable_output_directory_is_a_one_line_error(starter: Path) -> None:
    Path("taken").write_text("a file, not a directory")

    code, out, err = invoke(
        "resolution_compute", "--decks", str(starter), "--out", "taken/out"
    )

    assert code == 1
    assert out == ""
    assert err.startswith("Error: cannot create taken/out")
    assert "Traceback" not in err


def test_prune_removes_only_unused_renders(starter: Path) -> None:
    out_dir = Path("out")
    out_dir.mkdir()
    stale = out_dir / "iou_overlap-0123456789.svg"
    stale.write_text("<svg/>")
    (out_dir / "notes.txt").write_text("not a render")
    used_elsewhere = out_dir / filename(*STARTER_SPEC)
    used_elsewhere.write_text("<svg/>")

    code, out, _ = invoke(
        "detector_pipelines", "--decks", str(starter), "--out", "out", "--prune"
    )

    assert code == 0
    assert "removed   out/iou_overlap-0123456789.svg" in out
    assert out.endswith("1 stale file removed\n")
    assert not stale.exists()
    assert used_elsewhere.exists(), "a figure a deck uses is kept though not named"
    assert (out_dir / "notes.txt").exists()


def test_default_output_outside_a_checkout_is_the_user_cache(
    starter: Path, shared_cache: Path
) -> None:
    code, out, _ = invoke("resolution_compute", "--decks", str(starter))

    assert code == 0
    assert (shared_cache / "diagrams" / filename("resolution_compute", {})).is_file()
    assert f"cached in {shared_cache / 'diagrams'}" in out


def test_all_figures_in_parallel_as_a_real_process(starter: Path) -> None:
    result = run_cli("diagrams", "--decks", str(starter), "--out", "out", "-j", "2")

    assert result.returncode == 0, result.stderr
    count = len(GENERATORS) + 1
    assert result.stdout.splitlines()[-1] == f"{count} rendered, 0 cached in out"
    assert len(list(Path("out").glob("*.svg"))) == count
    # Piped output gets no progress bar.
    assert result.stderr == ""


def test_a_terminal_gets_a_progress_bar(starter: Path) -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "cvcards", "diagrams", "detector_pipelines", "resolution_compute"]
        + ["--decks", str(starter), "--out", "out"],
        encoding="utf-8",
        timeout=120,
        dimensions=(24, 100),
    )
    child.expect(pexpect.EOF)
    child.close()
    shown = child.before

    assert child.exitstatus == 0, shown
    assert "rendering" in shown
    assert "2/2" in shown
    assert "2 rendered, 0 cached in out" in shown


def test_piped_output_gets_no_bar_even_with_stderr_on_a_terminal(
    starter: Path,
) -> None:
    import os
    import pty
    import subprocess

    leader, follower = pty.openpty()
    result = subprocess.run(
        [sys.executable, "-m", "cvcards", "diagrams", "detector_pipelines"]
        + ["resolution_compute", "--decks", str(starter), "--out", "out"],
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
        timeout=120,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)

    assert result.returncode == 0
    assert "2 rendered, 0 cached in out" in result.stdout
    assert shown == b""


@pytest.mark.parametrize("flag", ["--help", "-h"], ids=["long", "short"])
def test_help_shows_examples(flag: str) -> None:
    code, out, _ = invoke(flag)

    assert code == 0
    assert "cvcards diagrams iou_overlap pr_curves" in out
    assert "--prune" in out
