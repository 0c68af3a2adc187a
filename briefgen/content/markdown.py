"""Markdown as content uses it: the citation syntax, the parser, the limits, no raw HTML.

One Markdown parser per thread serves validation (which looks for links and images) and
the page (render.richtext); the plain text is made from the page's HTML, so every output
reads a field the same way.

Python-Markdown recurses once per level of nesting and slows down quadratically on runs
of `[`, so a field's size, nesting and brackets are bounded before it is parsed.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Literal

import markdown

from briefgen.content.fields import markdown_texts

if TYPE_CHECKING:
    from pydantic import BaseModel

    from briefgen.content.loader import LoadedDocument
    from briefgen.errors import Diagnostic

CITATION = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_-]*)\]")
MAX_MARKDOWN_CHARS = 5_000
MAX_MARKDOWN_NESTING = 16
MAX_MARKDOWN_BRACKETS = 50
_NESTING_MARK = re.compile(r"\s{0,3}(?:>|[-*+](?=\s)|\d{1,9}[.)](?=\s))")
# Linear: no two neighbouring parts can match the same characters, so a failed match
# backtracks over each character once (`<` and 250,000 spaces took minutes before).
RAW_HTML = re.compile(r"<\s*(?:/\s*)?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?(?:/\s*)?>"
                      r"|<!--|<!\[CDATA\[|<![A-Za-z]")


@dataclass(frozen=True)
class Reference:
    """An image or a link in a Markdown field, with its target as a browser would read it."""

    kind: Literal["image", "link"]
    url: str
    alt: str = ""  # an image's description (its Markdown ![...] text)


def markdown_limit_problem(text: str) -> str | None:
    """Why a Markdown field is too big to parse safely, or None."""
    if len(text) > MAX_MARKDOWN_CHARS:
        return (f"is {len(text):,} characters long; a Markdown field may have at most "
                f"{MAX_MARKDOWN_CHARS:,}")
    brackets = CITATION.sub("", text).count("[")
    if brackets > MAX_MARKDOWN_BRACKETS:
        return (f"has {brackets:,} '[' characters; a Markdown field may have at most "
                f"{MAX_MARKDOWN_BRACKETS} (each link or image uses one)")
    depth = max((_nesting(line) for line in text.splitlines()), default=0)
    if depth > MAX_MARKDOWN_NESTING:
        return (f"nests quotes, lists or indentation {depth} levels deep; a Markdown field may "
                f"nest at most {MAX_MARKDOWN_NESTING}")
    return None


def references(text: str) -> list[Reference]:
    """Every image and link the Markdown in `text` produces, in order, before sanitising."""
    if not _may_reference(text):
        return []
    collector = _ReferenceCollector()
    collector.feed(convert(text))
    collector.close()
    return collector.found


def _may_reference(text: str) -> bool:
    """Every Markdown link or image needs a '[' (inline, reference, definition) or a '<'
    (autolink); text with neither, once citations are set aside, cannot hold one. Most
    fields are such text, and parsing is most of what checking them costs."""
    plain = CITATION.sub("", text)
    return "[" in plain or "<" in plain


_local = threading.local()


def convert(text: str) -> str:
    """Markdown to HTML (not yet sanitised) with this thread's parser: one per thread, reused,
    as building one costs more than converting a short field."""
    if not hasattr(_local, "parser"):
        _local.parser = _markdown()
    _local.parser.reset()
    html: str = _local.parser.convert(text)
    return html


def _nesting(line: str) -> int:
    """Quote and list markers at the start of a line, plus one level per 4 columns of indent."""
    expanded = line.expandtabs(4)
    depth = (len(expanded) - len(expanded.lstrip(" "))) // 4
    rest = expanded.lstrip(" ")
    while match := _NESTING_MARK.match(rest):
        depth += 1
        rest = rest[match.end():]
    return depth


def _markdown() -> markdown.Markdown:
    """A Markdown parser with raw HTML switched off (it comes out as escaped text). Dashes and
    ellipses are set here; quotes are left straight for the page's pass in the brief's
    language (render/typography.py), which knows « » and 「」 as well as “ ”."""
    md = markdown.Markdown(extensions=["sane_lists", "smarty"], output_format="html",
                           extension_configs={"smarty": {"smart_quotes": False}})
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


class _ReferenceCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Reference] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"img": ("src", "image"), "a": ("href", "link")}.get(tag)
        if wanted:
            url = dict(attrs).get(wanted[0])
            if url is not None:
                self.found.append(Reference("image" if tag == "img" else "link", url, dict(attrs).get("alt") or ""))


def raw_html_problems(doc: LoadedDocument, model: type[BaseModel]) -> list[Diagnostic]:
    """Raw HTML written in any Markdown field of a file (the page would show it escaped)."""
    problems = []
    for key_path, text in markdown_texts(model, doc.data):
        if len(text) > MAX_MARKDOWN_CHARS:
            continue  # refused for its length (assets.asset_problems), and never scanned
        match = RAW_HTML.search(text)
        if match:
            snippet = match.group(0)[:40]
            problems.append(doc.diagnostic(key_path, f"raw HTML is not allowed in Markdown text "
                                           f"(found `{snippet}`); write it in Markdown",
                                           offset=match.start()))
    return problems

