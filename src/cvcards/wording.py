"""Detect runs of words that a deck shares with the guide it was written from.

Cards must be written in our own words: the guide is a source of facts, not of
sentences. Texts are compared as lower-case word sequences (punctuation and
Markdown ignored), and any run of ``RUN`` consecutive words found in both is a
copy. Only hashes of the guide's runs are stored in the repository.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator

RUN = 10
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Split text into lower-case words, dropping punctuation and markup."""
    return _WORD.findall(text.lower().replace("'", ""))


def run_hash(run: Iterable[str]) -> str:
    """Return a short, stable hash of a run of words."""
    return hashlib.sha1(" ".join(run).encode()).hexdigest()[:16]


def runs(text: str, length: int = RUN) -> Iterator[tuple[int, list[str]]]:
    """Yield (word offset, words) for every run of ``length`` words in text."""
    ws = words(text)
    for start in range(len(ws) - length + 1):
        yield start, ws[start : start + length]


def guide_hashes(guide_text: str) -> set[str]:
    """Hash every run of ``RUN`` words in the guide."""
    return {run_hash(run) for _, run in runs(guide_text)}


def copied_runs(text: str, hashes: set[str]) -> list[str]:
    """Return the runs of ``text`` whose hash is among the guide's, joined."""
    return [" ".join(run) for _, run in runs(text) if run_hash(run) in hashes]
