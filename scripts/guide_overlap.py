"""Report deck text that repeats ten or more consecutive words of the guide.

Usage:
    python scripts/guide_overlap.py GUIDE.txt [DECKS_DIR]
    python scripts/guide_overlap.py GUIDE.txt --write-hashes tests/data/guide-runs.txt

With --write-hashes it stores hashes of the guide's ten-word runs (never the
text) for the test suite, which checks the shipped decks against them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cvcards.wording import copied_runs, guide_hashes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("guide", type=Path)
    parser.add_argument("decks", type=Path, nargs="?", default=Path("decks"))
    parser.add_argument("--write-hashes", type=Path)
    args = parser.parse_args()

    hashes = guide_hashes(args.guide.read_text(encoding="utf-8"))
    if args.write_hashes:
        args.write_hashes.write_text("".join(f"{h}\n" for h in sorted(hashes)))
        print(f"wrote {len(hashes)} run hashes to {args.write_hashes}")
        return 0

    found = 0
    for path in sorted(args.decks.glob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for run in copied_runs(line, hashes):
                found += 1
                print(f"{path}:{number}: copies the guide: {run!r}")
    # Runs can also span YAML lines; check each file as one text too.
    for path in sorted(args.decks.glob("*.yaml")):
        for run in copied_runs(path.read_text(encoding="utf-8"), hashes):
            found += 1
            print(f"{path}: copies the guide across lines: {run!r}")
    print(f"{found} copied runs")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
