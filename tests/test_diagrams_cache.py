"""The output directory as a cache: planning, atomic writes, stale files."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvcards.diagrams.cache import plan, stale_files, write_atomic
from cvcards.diagrams.registry import filename
from cvcards.errors import DiagramError


def test_plan_resolves_names_and_sees_existing_files(tmp_path: Path) -> None:
    specs = [("iou_overlap", {}), ("focal_loss", {"alpha": 0.25})]
    (tmp_path / filename("focal_loss", {"alpha": 0.25})).write_text("<svg/>")

    first, second = plan(specs, tmp_path)

    assert first.path == tmp_path / filename("iou_overlap", {})
    assert not first.cached
    assert second.cached
    assert second.params == {"gammas": [0.0, 0.5, 1.0, 2.0, 5.0], "alpha": 0.25}


def test_plan_reports_every_bad_spec(tmp_path: Path) -> None:
    specs = [("iou_overlap", {"box_a": [5, 0, 1, 1]}), ("nope", {})]

    with pytest.raises(DiagramError) as raised:
        plan(specs, tmp_path)

    lines = str(raised.value).splitlines()
    assert lines[0].startswith("iou_overlap: box_a: x2 (1) is less than x1 (5)")
    assert lines[1].startswith("nope: unknown generator 'nope'")


def test_write_atomic_replaces_the_file_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "out" / "figure.svg"
    target.parent.mkdir()
    target.write_text("old")

    write_atomic(target, lambda path: path.write_text("new"))

    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["figure.svg"]


def test_write_atomic_leaves_nothing_behind_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out" / "figure.svg"
    target.parent.mkdir()

    def half_write(path: Path) -> None:
        path.write_text("<svg")
        raise ValueError("drawing failed")

    with pytest.raises(ValueError, match="drawing failed"):
        write_atomic(target, half_write)

    assert list(target.parent.iterdir()) == []


def test_stale_files_lists_only_unused_renders(tmp_path: Path) -> None:
    used = filename("iou_overlap", {})
    old = "iou_overlap-0123456789.svg"
    for name in (used, old, "README.md", "notes.svg", "unknown_thing-0123456789.svg"):
        (tmp_path / name).write_text("x")

    assert stale_files(tmp_path, {used}) == [tmp_path / old]


def test_stale_files_of_a_missing_directory_is_empty(tmp_path: Path) -> None:
    assert stale_files(tmp_path / "absent", set()) == []
