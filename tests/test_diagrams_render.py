"""Rendering: only missing files, reproducible bytes, parallel workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cvcards.diagrams.generators import resolution_compute
from cvcards.diagrams.registry import filename
from cvcards.diagrams.render import render
from cvcards.errors import DiagramError

# The two cheapest figures to draw keep these tests fast.
CHEAP = [("resolution_compute", {}), ("detector_pipelines", {})]


def test_renders_missing_then_nothing(tmp_path: Path) -> None:
    first = render(CHEAP, tmp_path)
    second = render(CHEAP, tmp_path)

    assert [r.rendered for r in first] == [True, True]
    assert [r.rendered for r in second] == [False, False]
    assert [r.path.name for r in second] == [filename(*spec) for spec in CHEAP]
    assert all(r.path.is_file() for r in second)


def test_a_changed_param_renders_one_figure(tmp_path: Path) -> None:
    render(CHEAP, tmp_path)
    changed = [("resolution_compute", {"reference": 512}), CHEAP[1]]

    results = render(changed, tmp_path)

    assert [r.rendered for r in results] == [True, False]
    assert len(list(tmp_path.glob("*.svg"))) == 3


def test_the_same_figure_asked_twice_is_drawn_once(tmp_path: Path) -> None:
    drawn: list[str] = []
    specs = [
        ("resolution_compute", {}),
        ("resolution_compute", {"reference": 640}),
    ]

    results = render(specs, tmp_path, progress=drawn.append)

    assert drawn == [filename("resolution_compute", {})]
    assert results[0].path == results[1].path


def test_force_redraws_existing_files(tmp_path: Path) -> None:
    render(CHEAP[:1], tmp_path)
    path = tmp_path / filename(*CHEAP[0])
    path.write_text("stale")

    (result,) = render(CHEAP[:1], tmp_path, force=True)

    assert result.rendered
    assert path.read_text().startswith("<?xml")


def test_invalid_specs_stop_everything_before_drawing(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    specs = [*CHEAP, ("focal_loss", {"alpha": 2})]

    with pytest.raises(DiagramError, match="alpha: 2 is outside"):
        render(specs, out_dir)

    assert not out_dir.exists()


def test_an_unusable_output_directory_is_a_diagram_error(tmp_path: Path) -> None:
    blocker = tmp_path / "figures"
    blocker.write_text("a file where the directory should be")

    with pytest.raises(DiagramError, match="cannot create .*figures.*; choose"):
        render(CHEAP, blocker / "out")


def test_a_failed_write_is_a_diagram_error(tmp_path: Path) -> None:
    # A directory squatting on the figure's name makes the final rename fail.
    out_dir = tmp_path / "out"
    (out_dir / filename(*CHEAP[0])).mkdir(parents=True)

    with pytest.raises(DiagramError, match="cannot write .*resolution_compute"):
        render(CHEAP[:1], out_dir, force=True)

    assert [p.name for p in out_dir.iterdir()] == [filename(*CHEAP[0])]


def test_a_generator_that_fails_names_itself_and_its_params(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(params: object) -> None:
        raise ValueError("the maths refused")

    monkeypatch.setattr(resolution_compute, "draw", broken)

    out_dir = tmp_path / "out"
    with pytest.raises(DiagramError) as raised:
        render(CHEAP[:1], out_dir)

    assert str(raised.value).startswith(
        'resolution_compute with params {"reference":640,'
    )
    assert "failed to draw: the maths refused; check the params" in str(raised.value)
    assert list(out_dir.iterdir()) == []


def test_same_params_give_identical_bytes(tmp_path: Path) -> None:
    (first,) = render(CHEAP[:1], tmp_path / "a")
    (second,) = render(CHEAP[:1], tmp_path / "b")

    data = first.path.read_bytes()
    assert data == second.path.read_bytes()
    assert b"<dc:date>" not in data
    assert b"Matplotlib v" not in data, "the creator string carries no version"


def test_parallel_workers_write_the_same_files(tmp_path: Path) -> None:
    serial = render(CHEAP, tmp_path / "serial")
    seen: list[str] = []

    parallel = render(CHEAP, tmp_path / "parallel", jobs=2, progress=seen.append)

    assert sorted(seen) == sorted(r.path.name for r in serial)
    for one, other in zip(serial, parallel, strict=True):
        assert one.path.read_bytes() == other.path.read_bytes()


def test_nothing_to_render_does_not_import_matplotlib(tmp_path: Path) -> None:
    render(CHEAP, tmp_path)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from cvcards.diagrams.render import render\n"
        f"results = render({CHEAP!r}, Path({str(tmp_path)!r}))\n"
        "assert not any(r.rendered for r in results)\n"
        "print(sorted(m for m in ('matplotlib', 'numpy') if m in sys.modules))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"
