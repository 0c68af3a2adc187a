"""Stage 4: HTML to a one-page PDF with WeasyPrint.

The document is laid out once; its pages are counted, and only a one-page layout is
written. WeasyPrint reports missing glyphs and failed fetches through its logger
instead of raising, so we listen to that logger and turn those reports into errors:
a brief with an empty box where a name should be, or a hole where an image was
refused, is never written.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.content.sourcemap import TextSource
from briefgen.errors import ContentError, Diagnostic, RenderError
from briefgen.render.fetcher import SafeFetcher

if TYPE_CHECKING:
    from weasyprint.document import Document

FONT_PACKAGES = "fonts-noto-core fonts-noto-cjk fonts-ipafont-gothic fonts-nanum"
_NOTDEF = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*)" \(U\+([0-9A-F]+)\)')

_font_config = None


def font_configuration():
    """One FontConfiguration per process: building it scans the system fonts."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration
        _font_config = FontConfiguration()
    return _font_config


@dataclass(frozen=True)
class LaidOut:
    """A brief laid out once: its page count, ready to be written without a second layout."""

    document: Document
    pages: int
    fetcher: SafeFetcher
    base_url: str


def write_pdf(html: str, validated: TextSource, asset_roots: tuple[Path, ...]) -> bytes:
    """Lay out `html`, require exactly one page, and return the PDF bytes."""
    laid_out = lay_out(html, validated, asset_roots)
    problems = line_limit_problems(laid_out.document, validated)
    if laid_out.pages != 1:
        problems.append(Diagnostic.of_file(validated.display_path, overflow_message(
            html, laid_out, validated, asset_roots), "overflow"))
    if problems:
        raise ContentError(problems)
    with _weasyprint_log() as log:
        pdf = laid_out.document.write_pdf()  # attachments, if any, are fetched only now
    _raise_for_refusals(laid_out.fetcher, laid_out.base_url, validated)
    _raise_for_log(log, validated)
    return pdf


@dataclass(frozen=True)
class LaidOutDocument:
    """A document of any length laid out once (a book's own pages), written on demand.
    Not tagged: a book is assembled from several PDFs, whose structure trees are not merged."""

    laid_out: LaidOut
    source: TextSource

    @property
    def pages(self) -> int:
        return self.laid_out.pages

    def page_of(self, anchor: str) -> int:
        """The 1-based page an element with this id starts on."""
        for number, page in enumerate(self.laid_out.document.pages, start=1):
            if anchor in page.anchors:
                return number
        raise KeyError(anchor)

    def write(self) -> bytes:
        with _weasyprint_log() as log:
            pdf = self.laid_out.document.write_pdf()
        _raise_for_refusals(self.laid_out.fetcher, self.laid_out.base_url, self.source)
        _raise_for_log(log, self.source)
        return pdf


def lay_out_document(html: str, source: TextSource, asset_roots: tuple[Path, ...]) -> LaidOutDocument:
    return LaidOutDocument(lay_out(html, source, asset_roots), source)


def render_plain_pdf(html: str) -> bytes:
    """A PDF of trusted HTML that briefgen made itself (no content, nothing fetched)."""
    from weasyprint import HTML

    def refuse(url: str, *args, **kwargs):
        raise ValueError(f"nothing is fetched here: {url}")
    return HTML(string=html, url_fetcher=refuse).write_pdf(font_config=font_configuration())


def lay_out(html: str, validated: TextSource, asset_roots: tuple[Path, ...]) -> LaidOut:
    """Lay out once. Relative URLs (images in Markdown) resolve against the brief's folder."""
    from weasyprint import HTML

    fetcher = SafeFetcher(asset_roots)
    base_url = validated.path.resolve().parent.as_uri() + "/"
    with _weasyprint_log() as log:
        document = HTML(string=html, base_url=base_url,
                        url_fetcher=fetcher).render(font_config=font_configuration())
    _raise_for_refusals(fetcher, base_url, validated)
    _raise_for_log(log, validated)
    return LaidOut(document, len(document.pages), fetcher, base_url)


def _raise_for_refusals(fetcher: SafeFetcher, base_url: str, validated: TextSource) -> None:
    """Fail naming every refused URL, as the content wrote it, and where it is written."""
    if not fetcher.refused:
        return
    lines = []
    for url, reason in dict(fetcher.refused).items():
        written = url.removeprefix(base_url)
        lines.append(f"refused to fetch {written}: {reason} (from {validated.locate_text(written)})")
    raise RenderError(validated.display_path, "; ".join(lines), "fetch")


# --- overflow ----------------------------------------------------------------------------

TALL_PAGE_INCHES = 400


def overflow_message(html: str, laid_out: LaidOut, source: TextSource,
                     asset_roots: tuple[Path, ...]) -> str:
    """How far a brief runs past one page, and which sections are the longest.

    Measured on a second layout with one very tall page of the same width, so nothing is
    split between pages (WeasyPrint does not split every float across pages, so summing
    the pages of the real layout could understate the overflow)."""
    first = laid_out.document.pages[0]._page_box
    tall_page = (f"<style>@page {{ size: {first.margin_width():.2f}px {TALL_PAGE_INCHES}in; }}"
                 "</style></head>")
    tall = lay_out(html.replace("</head>", tall_page, 1), source, asset_roots).document
    overflow_px = _used_height(tall.pages[0]._page_box) - first.height
    at_least = "at least " if len(tall.pages) > 1 else ""
    longest = sorted(section_heights(tall).items(), key=lambda item: -item[1])[:3]
    listing = ", ".join(f"{name} {_length(px)}" for name, px in longest)
    pages = laid_out.pages
    return (f"the brief does not fit on one page: it runs {at_least}{_length(overflow_px)} onto "
            f"{'a second page' if pages == 2 else f'{pages - 1} more pages'}. "
            f"Longest sections: {listing}. Shorten them; nothing was written")


# Sections with a limit on their printed lines: (data-section, content key, most lines, why).
LINE_LIMITS = (("Bottom line", "bottom_line", 4, "a bottom line up front is read at a glance"),)


def line_limit_problems(document, source: TextSource) -> list[Diagnostic]:
    """A section printed on more lines than it may have, at the line of its key."""
    problems = []
    for section, key, most, why in LINE_LIMITS:
        lines = printed_lines(document, section)
        if lines > most:
            line, column = source.locate_key(key)
            problems.append(Diagnostic(source.display_path, line, column, "error",
                                       f"`{key}` takes {lines} printed lines on page 1; {why}, so "
                                       f"it may take at most {most}: shorten it", key,
                                       kind="overflow"))
    return problems


def printed_lines(document, section: str) -> int:
    """How many lines the `data-section` element prints on page 1 (0 when absent)."""
    from weasyprint.formatting_structure.boxes import LineBox

    def count(box) -> int:
        if box.element_tag.endswith("::marker"):
            return 0   # a list item's number or bullet sits on the item's first line
        if isinstance(box, LineBox):
            return 1   # a line box inside it (an inline-block) is part of the same line
        return sum(count(child) for child in getattr(box, "children", ()))

    for box in _content_boxes(document.pages[0]._page_box):
        element = getattr(box, "element", None)
        if element is not None and box.element_tag == element.tag and \
                element.get("data-section") == section:
            return count(box)
    return 0


def section_heights(document) -> dict[str, float]:
    """Height in CSS px of each `data-section` element, summed over pages."""
    heights: dict[str, float] = defaultdict(float)
    for page in document.pages:
        for box in _content_boxes(page._page_box):
            element = getattr(box, "element", None)
            # The element's own box: not a ::before/::after or anonymous box made for it.
            if element is not None and box.element_tag == element.tag and element.get("data-section"):
                heights[element.get("data-section")] += box.margin_height()
    return dict(heights)


def _content_boxes(page_box) -> Iterator:
    """Every box laid out in the page's content area (the margin boxes left out)."""
    for child in page_box.children:
        if type(child).__name__ != "MarginBox":
            yield from _boxes(child)


def _boxes(box) -> Iterator:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _used_height(page_box) -> float:
    """From the top of the content area to the bottom of the lowest box in it."""
    top = page_box.content_box_y()
    bottoms = (box.position_y + box.margin_height() for box in _content_boxes(page_box)
               if not getattr(box, "is_for_root_element", False)
               and isinstance(getattr(box, "height", None), (int, float)))
    return max(0.0, max(bottoms, default=top) - top)


def page_fill(laid_out: LaidOut) -> str:
    """How full page 1 is, as a reader would say it: '87%', or 'overflows onto 2 pages'."""
    if laid_out.pages != 1:
        return f"overflows onto {laid_out.pages} pages"
    page_box = laid_out.document.pages[0]._page_box
    return f"{_used_height(page_box) / page_box.height:.0%}"


def _length(px: float) -> str:
    inches = px / 96
    return f"{inches:.1f} in ({inches * 25.4:.0f} mm)"


# --- WeasyPrint's log --------------------------------------------------------------------

class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _weasyprint_log():
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    logger.addHandler(collector)
    previous, logger.propagate = logger.propagate, False
    try:
        yield collector.records
    finally:
        logger.removeHandler(collector)
        logger.propagate = previous


def _raise_for_log(records: list[logging.LogRecord], validated: TextSource) -> None:
    missing: dict[str, str] = {}
    others = []
    for record in records:
        message = record.getMessage()
        match = _NOTDEF.search(message)
        if match:
            missing.setdefault(match.group(1), match.group(2))
        else:
            others.append(message)
    if missing:
        lines = [f"'{char}' (U+{code}) in {validated.locate_text(char)}" for char, code in missing.items()]
        raise RenderError(validated.display_path, "no installed font can show "
                          + "; ".join(lines) + f". Install a font that covers it (for the scripts "
                          f"briefgen supports: sudo apt-get install {FONT_PACKAGES}) or remove "
                          "the character", "font")
    if others:
        raise RenderError(validated.display_path, "the PDF engine reported a problem: "
                          + "; ".join(dict.fromkeys(others)), "fetch")
