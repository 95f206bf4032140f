"""Markdown renders to Anki HTML with math, cloze markup and code intact."""

from __future__ import annotations

import pytest

from cvcards.render import pygments_css, to_html, unsafe_html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            r"area \(w_1 * h_1\) and \(w_2 * h_2\)",
            r"area \(w_1 * h_1\) and \(w_2 * h_2\)",
        ),
        (
            r"\[ \text{IoU} = \frac{|A \cap B|}{|A \cup B|} \]",
            r"\[ \text{IoU} = \frac{|A \cap B|}{|A \cup B|} \]",
        ),
        ("*emphasis* stays Markdown", "<em>emphasis</em> stays Markdown"),
    ],
    ids=["inline-math-with-underscores", "display-math", "markdown-still-works"],
)
def test_math_is_untouched_by_markdown(source: str, expected: str) -> None:
    assert to_html(source) == expected


def test_cloze_markup_survives_and_its_answer_is_rendered() -> None:
    html = to_html("keeps the {{c1::*best*::which?}} box \\(s_i\\)", keep_cloze=True)

    assert html == "keeps the {{c1::<em>best</em>::which?}} box \\(s_i\\)"


def test_code_is_highlighted_with_classes_for_day_and_night() -> None:
    html = to_html("```python\nkeep = scores > 0.5\n```")
    css = pygments_css()

    assert '<div class="highlight">' in html and '<span class="n">keep</span>' in html
    assert ".highlight .n" in css
    assert ".nightMode .highlight .n" in css and ".night_mode .highlight .n" in css


@pytest.mark.parametrize(
    ("source", "issue"),
    [
        ("<script>alert(1)</script>", "tag <script> is not allowed"),
        ('<span onclick="x()">a</span>', "event handler attribute 'onclick' on <span>"),
        ('<a href=" JavaScript:x()">a</a>', "script URL in 'href' on <a>"),
        ("<iframe src='x'></iframe>", "tag <iframe> is not allowed"),
    ],
    ids=["script", "event-handler", "javascript-url", "iframe"],
)
def test_unsafe_html_is_found(source: str, issue: str) -> None:
    assert issue in unsafe_html(source)


def test_safe_markup_and_code_about_html_pass() -> None:
    assert unsafe_html("x<sub>1</sub> <b>bold</b> and `<script>` in code") == []
