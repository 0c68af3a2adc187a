"""Markdown fields to safe HTML.

Raw HTML is switched off in the Markdown parser itself (it comes out as escaped text),
and the result is then cleaned by nh3 against an allowlist, so nothing a content author
writes can add a script, a style, a form, an image or an attachment to the page.
Citations written `[@source-id]` become numbered superscript references.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import markdown
import nh3
from markupsafe import Markup

from briefgen.validate import CITATION

ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "a", "ul", "ol", "li", "blockquote", "sup"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "sup": {"class"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
_CITE_OPEN, _CITE_CLOSE = "\ue000", "\ue001"
_CITE_TOKEN = re.compile(f"{_CITE_OPEN}(\\d+){_CITE_CLOSE}")
_TOKEN_RUN = re.compile(f"(?:\\s*{_CITE_OPEN}\\d+{_CITE_CLOSE})+")


class RichText:
    """Renders Markdown fields; one instance per brief (it knows the source numbers)."""

    def __init__(self, source_numbers: Mapping[str, int]):
        self.source_numbers = source_numbers
        self._md = markdown.Markdown(extensions=["sane_lists", "smarty"], output_format="html")
        self._md.preprocessors.deregister("html_block")
        self._md.inlinePatterns.deregister("html")

    def block(self, text: str | None) -> Markup:
        """Markdown as block HTML (paragraphs, lists)."""
        if not text:
            return Markup("")
        self._md.reset()
        html = self._md.convert(self._tokenise_citations(text))
        return Markup(_clean(self._expand_citations(html)))

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


def _clean(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=ALLOWED_URL_SCHEMES, link_rel="noopener noreferrer",
                     strip_comments=True)
