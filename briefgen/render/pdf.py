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
from datetime import datetime
from pathlib import Path

from briefgen.content.sourcemap import TextSource
from briefgen.errors import RenderError
from briefgen.render.fetcher import SafeFetcher

PT_PER_PX = 0.75          # WeasyPrint lays out in CSS pixels (96 per inch)
# Every PDF: tagged, its title shown in the window, its language set (README: Accessibility).
PDF_VARIANT = "pdf/ua-1"
# The record copy (`briefgen build --record`): archival, with its sources embedded. One
# variant per file in WeasyPrint: the record is tagged, and pdf_tags adds the PDF/UA claim.
RECORD_VARIANT = "pdf/a-3b"
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

    document: object
    pages: int
    fetcher: SafeFetcher
    base_url: str


def write_pdf(html: str, validated: TextSource, asset_roots: tuple[Path, ...]) -> bytes:
    """Lay out `html`, require exactly one page, and return the PDF/UA-1 bytes."""
    return write_pdfs(html, validated, asset_roots)[0]


def write_pdfs(html: str, validated: TextSource, asset_roots: tuple[Path, ...],
               record: RecordFiles | None = None) -> tuple[bytes, bytes | None]:
    """The PDF/UA-1 file and, when `record` is given, the PDF/A-3b record copy with those
    files embedded: both written from one layout, both tagged, and both reproducible."""
    laid_out = lay_out(html, validated, asset_roots)
    if laid_out.pages != 1:
        raise RenderError(validated.display_path,
                          overflow_message(html, laid_out, validated, asset_roots), "overflow")
    with _weasyprint_log() as log:
        # Attachments, if any, are fetched only now.
        pdf = laid_out.document.write_pdf(pdf_variant=PDF_VARIANT)
        record_pdf = None if record is None else laid_out.document.write_pdf(
            pdf_variant=RECORD_VARIANT, pdf_tags=True, attachments=record.attachments())
    _raise_for_refusals(laid_out.fetcher, laid_out.base_url, validated)
    _raise_for_log(log, validated)
    from briefgen.render.pdf_tags import finish_tags, language_parts  # pikepdf: only here
    languages = language_parts(html)
    return (finish_tags(pdf, languages),
            None if record_pdf is None else finish_tags(record_pdf, languages, claim_pdf_ua=True))


@dataclass(frozen=True)
class EmbeddedFile:
    """A file carried inside the record copy, as a PDF/A-3 associated file."""

    name: str              # a plain file name; `briefgen extract` refuses anything else
    data: bytes
    description: str
    relationship: str      # ISO 32000-2 AFRelationship: Source, Data, Supplement, ...


@dataclass(frozen=True)
class RecordFiles:
    """What the record copy embeds, and the date its embedded files carry."""

    files: tuple[EmbeddedFile, ...]
    date: datetime

    def attachments(self) -> list:
        from weasyprint import Attachment
        return [Attachment(string=file.data, name=file.name, description=file.description,
                           created=self.date, modified=self.date, relationship=file.relationship)
                for file in self.files]


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
            f"Longest sections: {listing}. Shorten them and build again; nothing was written")


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
