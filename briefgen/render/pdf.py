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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from briefgen.content.sourcemap import TextSource
from briefgen.errors import Diagnostic, RenderError
from briefgen.render.fetcher import SafeFetcher
from briefgen.render.fit import (
    ANNEX_PAGES,
    PX_PER_INCH,
    TALL_PAGE_INCHES,
    PageFit,
    RegionFill,
    annex_overflow_message,
    measure_fit,
    overflow_message,
    region_box,
    region_fills,
    section_heights_in,
    worst_region,
)

PT_PER_PX = 0.75          # WeasyPrint lays out in CSS pixels (96 per inch)
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
    """A brief laid out once: its pages and how they fit, ready to be written without a
    second layout."""

    document: object
    pages: int
    fetcher: SafeFetcher
    base_url: str

    @property
    def fit(self) -> PageFit:
        return measure_fit(self.document)


class PageOverflow(RenderError):
    """Page 1 (or the annex) does not fit. Carries a draft PDF to look at, stamped as not
    fitting, which is never the brief's output."""

    def __init__(self, path: Path | str, message: str, draft: bytes | None, line: int = 0,
                 fit: PageFit | None = None):
        super().__init__(path, message, "overflow")
        self.draft = draft
        self.fit = fit
        if line:   # at the section to shorten, so editors and pull requests show it there
            self.diagnostics = [Diagnostic(str(path), line, 1, "error", message, kind="overflow")]


def write_pdf(html: str, validated: TextSource, asset_roots: tuple[Path, ...]) -> bytes:
    """Lay out `html`, require page 1 (and the annex) to fit, and return the PDF bytes."""
    return write_fitted_pdf(html, validated, asset_roots)[0]


def write_fitted_pdf(html: str, validated: TextSource,
                     asset_roots: tuple[Path, ...]) -> tuple[bytes, PageFit]:
    """The PDF bytes and how its pages fit (reading load, room per region); raises
    PageOverflow when they do not fit. A brief that fits is laid out once."""
    laid_out = lay_out(html, validated, asset_roots)
    fit = check_fit(html, laid_out, validated, asset_roots)
    with _weasyprint_log() as log:
        pdf = laid_out.document.write_pdf()  # attachments, if any, are fetched only now
    _raise_for_refusals(laid_out.fetcher, laid_out.base_url, validated)
    _raise_for_log(log, validated)
    return pdf, fit


def check_fit(html: str, laid_out: LaidOut, validated: TextSource,
              asset_roots: tuple[Path, ...], *, draft: bool = True) -> PageFit:
    """How the layout fits; PageOverflow (with a draft PDF unless `draft` is false) when not."""
    fit = laid_out.fit
    if not fit.page_one_fits:
        message, draft_pdf, line, fills = page_one_overflow(html, laid_out, validated, asset_roots, draft)
        raise PageOverflow(validated.display_path, message, draft_pdf, line,
                           PageFit(False, fit.annex_pages, 0, fills, laid_out.document.pages[0]._page_box.height))
    if fit.annex_pages > ANNEX_PAGES:
        message, longest = annex_overflow_message(laid_out.document)
        draft_pdf = (lay_out(html.replace("</head>", _stamp_css(None), 1), validated,
                             asset_roots).document.write_pdf() if draft else None)
        raise PageOverflow(validated.display_path, message, draft_pdf, _section_line(validated, longest), fit)
    return fit


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

def page_one_overflow(html: str, laid_out: LaidOut, source: TextSource,
                      asset_roots: tuple[Path, ...], draft: bool = True
                      ) -> tuple[str, bytes | None, int, tuple[RegionFill, ...]]:
    """How far page 1 runs past its page, region by region, and a draft PDF showing it.

    Measured on a second layout whose first page is very tall, so nothing is split
    between pages (WeasyPrint does not split every box across pages, so summing the pages
    of the real layout could understate the overflow). The draft is that tall layout,
    with the real page's end marked and the part below it tinted."""
    first = laid_out.document.pages[0]._page_box
    available = first.height
    # Page 1 alone is measured (and drawn in the draft): the annex is left out.
    tall_css = (f"<style>@page {{ size: {first.margin_width():.2f}px {TALL_PAGE_INCHES}in; }}"
                ".annex, .annex ~ .colophon { display: none; }</style>" + _stamp_css(available)
                + "</head>")
    tall = lay_out(html.replace("</head>", tall_css, 1), source, asset_roots).document
    tall_first = tall.pages[0]._page_box
    fills = region_fills(tall_first, available)
    full = next(fill for fill in fills if fill.region == "full")
    overflow_px = -full.room_px
    at_least = any(region_box(page._page_box, "page-one") is not None for page in tall.pages[1:])
    message = overflow_message(fills, max(overflow_px, 0.0), at_least, available)
    # The draft's page 1 is cut just below its content (or its real end), not 400 in tall.
    used = available - full.room_px
    tall.pages[0].height = tall_first.content_box_y() + max(used, available) + PX_PER_INCH * 0.6
    worst = worst_region(fills).sections
    line = _section_line(source, worst[0][0]) if worst else 0
    return message, (tall.write_pdf() if draft else None), line, fills


def _section_line(source: TextSource, section: str) -> int:
    """The line of the brief's key for a section as the page names it, when known."""
    locate = getattr(source, "section_line", None)
    return locate(section) if locate and section else 0


def _stamp_css(page_px: float | None) -> str:
    """Marks a draft as not fitting: a stamp on every page and, on a tall page 1, a line
    where the real page ends with the part below it tinted."""
    css = ("@page { @top-left { content: 'DRAFT: DOES NOT FIT, NOT FOR SENDING'; color: #c8102e;"
           " font: 700 9pt 'Noto Sans', sans-serif; } @top-center { width: 60%; } }")
    if page_px is not None:
        css += (".page-one { position: relative; }"
                f".page-one::after {{ content: 'page 1 ends here: what is below does not fit';"
                f" position: absolute; left: -6pt; right: -6pt; top: {page_px:.1f}px; bottom: 0;"
                " border-top: 2pt dashed #c8102e; background: rgba(200, 16, 46, 0.10);"
                " color: #c8102e; font: 700 9pt 'Noto Sans', sans-serif; text-align: right; }")
    return f"<style>{css}</style>"


def section_heights(document) -> dict[str, float]:
    """Height in CSS px of each `data-section` element, summed over pages."""
    heights: dict[str, float] = defaultdict(float)
    for page in document.pages:
        for name, px in section_heights_in(page._page_box).items():
            heights[name] += px
    return dict(heights)


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
