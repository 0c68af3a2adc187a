"""Markdown fields to safe HTML.

Raw HTML is switched off in the Markdown parser itself (it comes out as escaped text),
and the result is then cleaned by nh3 against an allowlist, so nothing a content author
writes can add a script, a style, a form or an attachment to the page. Links keep
only http(s) and mailto targets; images keep only paths inside the content's assets
folder (`briefgen.content.assets` has the rules, and validation reports breaches with their line).
Citations written `[@source-id]` become numbered superscript references.

Python-Markdown recurses once per level of nesting and slows down quadratically on
runs of `[`, so a field's size, nesting and brackets are bounded before it is parsed.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from html import unescape
from pathlib import Path

import nh3
from markupsafe import Markup

from briefgen.content.assets import image_file_problem, image_reference_problem, link_problem, read_image
from briefgen.content.files import UnsafeFile
from briefgen.content.markdown import CITATION, convert, markdown_limit_problem
from briefgen.errors import BriefgenError

ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "a", "ul", "ol", "li", "blockquote", "sup", "img"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "sup": {"class"}, "img": {"src", "alt", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
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
        html = convert(self._tokenise_citations(text))
        return Markup(self._embed_images(_clean(self._expand_citations(html))))

    def _embed_images(self, html: str) -> str:
        """Replace each cleaned `src="assets/..."` by the image itself, as a data: URL."""
        content_dir = self.content_dir
        if content_dir is None or "<img" not in html:
            return html

        def embed(match: re.Match[str]) -> str:
            reference = unescape(match.group(1))
            if image_file_problem(content_dir, reference):
                return match.group(0)  # validation has reported it; the PDF fetcher refuses it
            try:
                image = read_image(content_dir, reference)  # no link, no pipe, capped
            except UnsafeFile:
                return match.group(0)
            data = base64.b64encode(image).decode("ascii")
            return f' src="data:{IMAGE_TYPES[Path(reference).suffix.lower()]};base64,{data}"'
        return _IMAGE_TAG.sub(lambda tag: _SOURCE_ATTRIBUTE.sub(embed, tag.group(0)), html)

    def inline(self, text: str | None) -> Markup:
        """Markdown for a short field: one paragraph, without the <p> around it."""
        html = str(self.block(text))
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html)

    def cite(self, source_ids: Iterable[str], *written: str | None) -> Markup:
        """Superscript reference numbers for an item's `sources`, but for those its own
        `written` Markdown already cites with `[@id]` (printed there, not twice)."""
        return citation_markup(self.citation_numbers(source_ids, *written))

    def citation_numbers(self, source_ids: Iterable[str], *written: str | None) -> list[int]:
        """The reference numbers of these sources, in order, each once, leaving out the
        sources that the `written` Markdown fields already cite."""
        cited = {source_id for text in written if text for source_id in CITATION.findall(text)}
        return sorted({self.source_numbers[s] for s in source_ids
                       if s in self.source_numbers and s not in cited})

    def _tokenise_citations(self, text: str) -> str:
        # The markers are private-use characters, which validation refuses in content;
        # dropped here too, so no text can forge a citation number.
        text = text.replace(_CITE_OPEN, "").replace(_CITE_CLOSE, "")

        def token(match: re.Match[str]) -> str:
            number = self.source_numbers.get(match.group(1))
            return f"{_CITE_OPEN}{number}{_CITE_CLOSE}" if number else match.group(0)
        return CITATION.sub(token, text)

    def _expand_citations(self, html: str) -> str:
        def run(match: re.Match[str]) -> str:
            numbers = sorted({int(n) for n in _CITE_TOKEN.findall(match.group(0))})
            return str(citation_markup(numbers))
        return _TOKEN_RUN.sub(run, html)


def citation_markup(numbers: list[int]) -> Markup:
    if not numbers:
        return Markup("")
    return Markup('<sup class="cite">{}</sup>').format(",".join(str(n) for n in numbers))


class MarkdownLimitError(BriefgenError):
    """A Markdown field too big or too deeply nested to parse safely (validation reports it first)."""


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
