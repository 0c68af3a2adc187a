"""Markdown fields to safe HTML.

Raw HTML is switched off in the Markdown parser itself (it comes out as escaped text),
and the result is then cleaned by nh3 against an allowlist, so nothing a content author
writes can add a script, a style, a form or an attachment to the page. Links keep
only http(s) and mailto targets; images keep only paths inside the content's assets
folder (`briefgen.assets` has the rules, and validation reports breaches with their line).
Citations written `[@source-id]` become numbered superscript references.

Python-Markdown recurses once per level of nesting and slows down quadratically on
runs of `[`, so a field's size, nesting and brackets are bounded before it is parsed.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import markdown
import nh3
from markupsafe import Markup

from briefgen.content.assets import image_file_problem, image_reference_problem, link_problem
from briefgen.errors import BriefgenError
from briefgen.content.validate import CITATION

ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "a", "ul", "ol", "li", "blockquote", "sup", "img"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "sup": {"class"}, "img": {"src", "alt", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
MAX_MARKDOWN_CHARS = 5_000
MAX_MARKDOWN_NESTING = 16
MAX_MARKDOWN_BRACKETS = 50
_NESTING_MARK = re.compile(r"\s{0,3}(?:>|[-*+](?=\s)|\d{1,9}[.)](?=\s))")
_CITE_OPEN, _CITE_CLOSE = "\ue000", "\ue001"
_CITE_TOKEN = re.compile(f"{_CITE_OPEN}(\\d+){_CITE_CLOSE}")
_TOKEN_RUN = re.compile(f"(?:\\s*{_CITE_OPEN}\\d+{_CITE_CLOSE})+")
_IMAGE_TAG = re.compile(r"<img\b[^<>]*>")
_SOURCE_ATTRIBUTE = re.compile(r'\ssrc="([^"]*)"')
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}


class RichText:
    """Renders Markdown fields; one instance per brief (it knows the source numbers)."""

    def __init__(self, source_numbers: Mapping[str, int], content_dir: Path | None = None):
        """`content_dir` is the brief's folder: images (`assets/...`, checked at validation)
        are read from it and embedded, so the HTML stays self-contained. Without it, images
        keep their relative paths."""
        self.source_numbers = source_numbers
        self.content_dir = content_dir

    def block(self, text: str | None) -> Markup:
        """Markdown as block HTML (paragraphs, lists)."""
        if not text:
            return Markup("")
        problem = markdown_limit_problem(text)
        if problem:
            raise MarkdownLimitError(f"a Markdown field starting {text[:40]!r} {problem}")
        html = _convert(self._tokenise_citations(text))
        return Markup(self._embed_images(_clean(self._expand_citations(html))))

    def _embed_images(self, html: str) -> str:
        """Replace each cleaned `src="assets/..."` by the image itself, as a data: URL."""
        if self.content_dir is None or "<img" not in html:
            return html

        def embed(match: re.Match) -> str:
            reference = unescape(match.group(1))
            if image_file_problem(self.content_dir, reference):
                return match.group(0)  # validation has reported it; the PDF fetcher refuses it
            path = (self.content_dir / reference).resolve()
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            return f' src="data:{IMAGE_TYPES[path.suffix.lower()]};base64,{data}"'
        return _IMAGE_TAG.sub(lambda tag: _SOURCE_ATTRIBUTE.sub(embed, tag.group(0)), html)

    def inline(self, text: str | None) -> Markup:
        """Markdown for a short field: one paragraph, without the <p> around it."""
        html = str(self.block(text))
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html)

    def cite(self, source_ids) -> Markup:
        """Superscript reference numbers for a list of source ids."""
        numbers = sorted({self.source_numbers[s] for s in source_ids if s in self.source_numbers})
        return citation_markup(numbers)

    def _tokenise_citations(self, text: str) -> str:
        def token(match: re.Match) -> str:
            number = self.source_numbers.get(match.group(1))
            return f"{_CITE_OPEN}{number}{_CITE_CLOSE}" if number else match.group(0)
        return CITATION.sub(token, text)

    def _expand_citations(self, html: str) -> str:
        def run(match: re.Match) -> str:
            numbers = sorted({int(n) for n in _CITE_TOKEN.findall(match.group(0))})
            return str(citation_markup(numbers))
        return _TOKEN_RUN.sub(run, html)


def citation_markup(numbers: list[int]) -> Markup:
    if not numbers:
        return Markup("")
    return Markup('<sup class="cite">{}</sup>').format(",".join(str(n) for n in numbers))


class MarkdownLimitError(BriefgenError):
    """A Markdown field too big or too deeply nested to parse safely (validation reports it first)."""


@dataclass(frozen=True)
class Reference:
    """An image or a link in a Markdown field, with its target as a browser would read it."""

    kind: str  # "image" | "link"
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
    collector.feed(_convert(text))
    collector.close()
    return collector.found


def _may_reference(text: str) -> bool:
    """Every Markdown link or image needs a '[' (inline, reference, definition) or a '<'
    (autolink); text with neither, once citations are set aside, cannot hold one. Most
    fields are such text, and parsing is most of what checking them costs."""
    plain = CITATION.sub("", text)
    return "[" in plain or "<" in plain


_local = threading.local()


def _convert(text: str) -> str:
    """Markdown to HTML (not yet sanitised) with this thread's parser: one per thread, reused,
    as building one costs more than converting a short field."""
    if not hasattr(_local, "parser"):
        _local.parser = _markdown()
    _local.parser.reset()
    return _local.parser.convert(text)


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
    """A Markdown parser with raw HTML switched off (it comes out as escaped text)."""
    md = markdown.Markdown(extensions=["sane_lists", "smarty"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


class _ReferenceCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[Reference] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"img": ("src", "image"), "a": ("href", "link")}.get(tag)
        if wanted:
            url = dict(attrs).get(wanted[0])
            if url is not None:
                self.found.append(Reference(wanted[1], url, dict(attrs).get("alt") or ""))


def _allowed_attribute(element: str, attribute: str, value: str) -> str | None:
    """nh3's last word on URLs: images only from assets/, links only http(s) and mailto."""
    if attribute == "src":
        return value if element == "img" and image_reference_problem(value) is None else None
    if attribute == "href":
        return value if link_problem(value) is None else None
    return value


def _clean(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=ALLOWED_URL_SCHEMES, link_rel="noopener noreferrer",
                     strip_comments=True, attribute_filter=_allowed_attribute)
