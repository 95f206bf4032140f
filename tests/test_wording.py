"""The copy detector finds any run of ten words shared with a source text."""

from __future__ import annotations

from cvcards.wording import copied_runs, guide_hashes, words

SOURCE = (
    "The quick brown fox jumps over the lazy dog while the farmer sleeps "
    "soundly under an old oak tree near the river."
)


def test_words_ignore_case_punctuation_and_markup() -> None:
    assert words("**Don't** stop: IoU-0.5!") == ["dont", "stop", "iou", "0", "5"]


def test_a_copied_run_of_ten_words_is_found_despite_formatting() -> None:
    hashes = guide_hashes(SOURCE)
    text = "As *they* say, the QUICK brown fox jumps over the lazy dog; while the..."

    # Eleven shared words hold two overlapping runs of ten.
    assert copied_runs(text, hashes) == [
        "the quick brown fox jumps over the lazy dog while",
        "quick brown fox jumps over the lazy dog while the",
    ]


def test_nine_shared_words_are_not_a_copy() -> None:
    hashes = guide_hashes(SOURCE)

    assert copied_runs("quick brown fox jumps over the lazy dog while", hashes) == []
    assert copied_runs("A fox, quick and brown, jumped the sleeping dog.", hashes) == []
