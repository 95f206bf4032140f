"""Measure start-up time and rebuild cost of ``cvcards build``.

Usage:
    python scripts/bench_build.py [--runs 7]

Prints median wall times of:

- ``python -c "import click"`` against ``cvcards --help`` (start-up must not
  pay for matplotlib, genanki or pydantic);
- a cold build of the shipped decks (empty cache, every card compiled, the
  package written), a rebuild with nothing changed, and a rebuild after one
  card was edited.

Every command runs as its own process, as a user would run it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def median_of(runs: int, command: list[str], env: dict[str, str], cwd: Path) -> float:
    return statistics.median(timed(command, env, cwd) for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    python = sys.executable

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        env = dict(os.environ, CVCARDS_CACHE=str(scratch / "cache"))
        decks = scratch / "decks"
        shutil.copytree(REPO / "decks", decks)
        build = [python, "-m", "cvcards", "build", "--decks", str(decks), "-o",
                 str(scratch / "deck.apkg")]  # fmt: skip

        click = median_of(args.runs, [python, "-c", "import click"], env, scratch)
        help_ = median_of(args.runs, [python, "-m", "cvcards", "--help"], env, scratch)

        # Cold: nothing cached, so every build compiles and writes the package.
        # Runs from the repository so the committed diagrams are found, as in
        # a checkout; the decks copy keeps the repository's lock untouched.
        colds = []
        for _ in range(args.runs):
            shutil.rmtree(scratch / "cache", ignore_errors=True)
            colds.append(timed(build, env, REPO))
        cold = statistics.median(colds)
        unchanged = median_of(args.runs, build, env, REPO)

        edits = []
        deck_file = sorted(decks.glob("*.yaml"))[0]
        original = deck_file.read_text(encoding="utf-8")
        for run in range(args.runs):
            deck_file.write_text(original + f"\n# edit {run}\n", encoding="utf-8")
            edits.append(timed(build, env, REPO))
        edited = statistics.median(edits)

    print(f"import click           {click * 1000:7.0f} ms")
    print(
        f"cvcards --help         {help_ * 1000:7.0f} ms  ({help_ / click:.2f}x click)"
    )
    print(f"cold build             {cold * 1000:7.0f} ms")
    print(
        f"rebuild, no change     {unchanged * 1000:7.0f} ms  "
        f"({unchanged / cold:.1%} of cold)"
    )
    print(
        f"rebuild, file edited   {edited * 1000:7.0f} ms  ({edited / cold:.1%} of cold)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
