"""Markdown to the HTML that Anki shows, with math and code handled with care.

Math between ``\\( \\)`` or ``\\[ \\]`` is lifted out before Markdown runs and
put back afterwards, so underscores and asterisks inside formulas never turn
into emphasis and MathJax in Anki sees exactly what the author wrote. Code
blocks are highlighted by Pygments into CSS classes; the note types carry a
light and a night-mode palette for them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
CLOZE_MARK = re.compile(r"\{\{c\d+::.*?\}\}", re.DOTALL)
# Letters and digits only: Markdown leaves them alone (it uses \x02..\x03 itself).
PLACEHOLDER = "cvcardskeep{}x"

LIGHT_STYLE = "friendly"
NIGHT_STYLE = "monokai"

SAFE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul", "var",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction"}


@lru_cache(maxsize=1)
def _markdown() -> Any:
    import markdown

    return markdown.Markdown(
        extensions=["fenced_code", "codehilite", "tables", "sane_lists"],
        extension_configs={
            "codehilite": {"css_class": "highlight", "guess_lang": False},
        },
        output_format="html",
    )


def _lift(text: str, pattern: re.Pattern[str], saved: list[str]) -> str:
    def stash(match: re.Match[str]) -> str:
        saved.append(match.group(0))
        return PLACEHOLDER.format(len(saved) - 1)

    return pattern.sub(stash, text)


def _restore(text: str, saved: list[str]) -> str:
    for index in range(len(saved) - 1, -1, -1):
        text = text.replace(PLACEHOLDER.format(index), saved[index])
    return text


def to_html(text: str, *, keep_cloze: bool = False) -> str:
    """Render Markdown to HTML, passing math (and cloze markup) through untouched.

    Args:
        text: Markdown source.
        keep_cloze: Protect ``{{cN::...}}`` markup so Anki can still read it;
            Markdown inside a deletion is rendered by rendering its parts.
    """
    saved: list[str] = []
    if keep_cloze:
        text = CLOZE_MARK.sub(lambda m: _cloze_inner_html(m.group(0), saved), text)
    text = _lift(text, MATH, saved)
    engine = _markdown()
    engine.reset()
    rendered = str(engine.convert(text))
    # A single paragraph needs no <p> wrapper; it only adds margins on a card.
    if (
        rendered.startswith("<p>")
        and rendered.endswith("</p>")
        and rendered.count("<p>") == 1
    ):
        rendered = rendered[3:-4]
    return _restore(rendered, saved)


def _cloze_inner_html(mark: str, saved: list[str]) -> str:
    # Keep the deletion's braces away from Markdown while rendering its answer.
    inner = mark[2:-2]
    number, _, rest = inner.partition("::")
    answer, separator, hint = rest.partition("::")
    answer_html = to_html(answer)
    saved.append("{{" + number + "::" + answer_html + (separator + hint) + "}}")
    return PLACEHOLDER.format(len(saved) - 1)


def pygments_css() -> str:
    """Return CSS for highlighted code: a day palette and a night-mode one."""
    from pygments.formatters import HtmlFormatter

    formatter = HtmlFormatter(style=LIGHT_STYLE)
    light = formatter.get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    night = HtmlFormatter(style=NIGHT_STYLE)
    night_rules = night.get_style_defs(  # type: ignore[no-untyped-call]
        [".nightMode .highlight", ".night_mode .highlight"]
    )
    return f"{light}\n{night_rules}\n"


class _SafetyScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.issues: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SAFE_TAGS:
            self.issues.append(f"tag <{tag}> is not allowed")
        for name, value in attrs:
            if name.startswith("on"):
                self.issues.append(f"event handler attribute {name!r} on <{tag}>")
            elif name in URL_ATTRIBUTES and value:
                scheme = re.sub(r"[\s\x00-\x1f]", "", html.unescape(value)).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text")):
                    self.issues.append(f"script URL in {name!r} on <{tag}>")


def unsafe_html(markdown_text: str) -> list[str]:
    """Return what is unsafe in the HTML that a Markdown text renders to."""
    # Only raw HTML, entities and links can produce tags or URLs; plain text
    # cannot, so it needs no rendering.
    if not any(sign in markdown_text for sign in ("<", "&", "](", "]:")):
        return []
    scanner = _SafetyScanner()
    scanner.feed(to_html(markdown_text))
    scanner.close()
    return scanner.issues


def render_key() -> str:
    """Identify this renderer: its code and the versions of what it calls."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"{version('markdown')} {version('pygments')}".encode())
    return digest.hexdigest()[:16]


class HtmlCache:
    """Rendered HTML remembered by source text, so a rebuild renders only edits.

    Args:
        known: HTML from earlier builds, keyed as :meth:`key` makes keys.
    """

    def __init__(self, known: Mapping[str, str] | None = None) -> None:
        self.known = dict(known or {})
        self.used: dict[str, str] = {}
        self.renderer = render_key()
        self.rendered = 0

    def key(self, text: str, keep_cloze: bool) -> str:
        import hashlib

        source = f"{self.renderer}\0{int(keep_cloze)}\0{text}"
        return hashlib.sha256(source.encode()).hexdigest()[:24]

    def html(self, text: str, *, keep_cloze: bool = False) -> str:
        """Return ``to_html(text)``, rendering only text not seen before."""
        key = self.key(text, keep_cloze)
        rendered = self.used.get(key) or self.known.get(key)
        if rendered is None:
            rendered = to_html(text, keep_cloze=keep_cloze)
            self.rendered += 1
        self.used[key] = rendered
        return rendered
