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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from briefgen.content.sourcemap import TextSource, section_key
from briefgen.errors import ContentError, Diagnostic, RenderError
from briefgen.render.fetcher import SafeFetcher
from briefgen.render.fit import (
    ANNEX_PAGES,
    NOTES_LINES_AT_MOST,
    PX_PER_INCH,
    TALL_PAGE_INCHES,
    Overflow,
    PageFit,
    RegionFill,
    annex_overflow_message,
    content_boxes,
    measure_fit,
    overflow_at_least,
    overflow_message,
    region_box,
    region_fills,
    worst_region,
)
from briefgen.render.notes import NOTES_CSS, take_out

if TYPE_CHECKING:  # WeasyPrint has no type hints: to mypy these are Any, to a reader they say what is meant
    from weasyprint import Attachment
    from weasyprint.document import Document
    from weasyprint.formatting_structure.boxes import Box
    from weasyprint.text.fonts import FontConfiguration

    from briefgen.render.notes import NotesArea


# Every PDF: tagged, its title shown in the window, its language set (docs/accessibility.md).
PDF_VARIANT = "pdf/ua-1"
# The record copy (`briefgen build --record`): archival, with its sources embedded. One
# variant per file in WeasyPrint: the record is tagged, and pdf_tags adds the PDF/UA claim.
RECORD_VARIANT = "pdf/a-3b"
FONT_PACKAGES = "fonts-noto-core fonts-noto-cjk fonts-ipafont-gothic fonts-nanum"
_NOTDEF = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*)" \(U\+([0-9A-F]+)\)')

_font_config: FontConfiguration | None = None


def font_configuration() -> FontConfiguration:
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

    document: Document
    pages: int
    fetcher: SafeFetcher
    base_url: str
    notes: NotesArea | None = None     # the ruled Notes area, laid out beside the page (notes.py)

    @property
    def fit(self) -> PageFit:
        return measure_fit(self.document)


class PageOverflow(RenderError):
    """Page 1 (or the annex) does not fit. Carries a draft PDF to look at, stamped as not
    fitting, which is never the brief's output."""

    def __init__(self, path: Path | str, message: str, draft: bytes | None,
                 place: tuple[int, int] = (1, 1), fit: PageFit | None = None,
                 overflow: Overflow | None = None):
        super().__init__(path, message, "overflow")
        self.draft = draft
        self.fit = fit
        self.overflow = overflow or Overflow()     # by how much, as data (diff says it)
        # at the section to shorten, so editors and pull requests show it there
        self.diagnostics = [Diagnostic(str(path), *place, "error", message, kind="overflow")]


def write_pdf(html: str, validated: TextSource, asset_roots: tuple[Path, ...]) -> bytes:
    """Lay out `html`, require page 1 (and the annex) to fit, and return the PDF/UA-1 bytes."""
    return write_fitted_pdf(html, validated, asset_roots)[0]


def write_fitted_pdf(html: str, validated: TextSource,
                     asset_roots: tuple[Path, ...]) -> tuple[bytes, PageFit]:
    """The PDF/UA-1 bytes and how its pages fit (reading load, room per region); raises
    PageOverflow when they do not fit. A brief that fits is laid out once."""
    pdf, _, fit = write_pdfs(html, validated, asset_roots)
    return pdf, fit


def write_pdfs(html: str, validated: TextSource, asset_roots: tuple[Path, ...],
               record: RecordFiles | None = None) -> tuple[bytes, bytes | None, PageFit]:
    """The PDF/UA-1 file and, when `record` is given, the PDF/A-3b record copy with those
    files embedded: both written from one layout, both tagged, and both reproducible; and
    how the pages fit. Raises PageOverflow when they do not."""
    html, laid_out, step = lay_out_stepped(html, validated, asset_roots, largest=validated.largest_step)
    fit = replace(check_fit(html, laid_out, validated, asset_roots), body=step)
    with_notes(laid_out, fit)
    pdf, record_pdf = _write_tagged(html, laid_out, validated, record)
    return pdf, record_pdf, fit


NOTES_PITCH_PT = 24           # the ruled lines' pitch (templates/one-pager.css, .notes .line)
NOTES_LINES_AT_LEAST = 3      # less room than this many lines is left blank
NOTES_SLACK_IN = 0.6          # kept free under the notes (the section's head, the colophon)


def with_notes(laid_out: LaidOut, fit: PageFit) -> None:
    """The room a short page 1 has left, as a ruled Notes area of at most half the page, put
    into the laid-out page (render/notes.py: no second layout); the page as it was when the
    room is too small, the template has no notes, or the area would not fit after all."""
    from briefgen.render.notes import put_back

    full = fit.full
    if laid_out.notes is None or not fit.fits or full is None:
        return
    pitch = NOTES_PITCH_PT * PX_PER_INCH / 72
    height = min(full.room_px - NOTES_SLACK_IN * PX_PER_INCH, fit.available_px / 2)
    lines = min(int(height // pitch), NOTES_LINES_AT_MOST)
    if lines >= NOTES_LINES_AT_LEAST:
        put_back(laid_out.document, laid_out.notes, lines)


def write_pdf_at_step(html: str, source: TextSource, asset_roots: tuple[Path, ...], step: str) -> bytes:
    """The brief's PDF/UA-1 at a given body step (a book sets all its briefs at the smallest
    step any of them needs). A step smaller than its own still fits; should it not, the
    brief's own overflow error says so."""
    html, laid_out, _ = lay_out_stepped(html, source, asset_roots, largest=step)
    with_notes(laid_out, check_fit(html, laid_out, source, asset_roots, draft=False))
    return _write_tagged(html, laid_out, source)[0]


def _write_tagged(html: str, laid_out: LaidOut, source: TextSource,
                  record: RecordFiles | None = None) -> tuple[bytes, bytes | None]:
    """A layout written as PDF/UA-1 and, with `record`, as the PDF/A-3b record copy too,
    both with their structure trees finished (pdf_tags). Refused fetches and missing glyphs
    raise, naming where the content wrote them."""
    with _weasyprint_log() as log:
        # Attachments, if any, are fetched only now.
        pdf = laid_out.document.write_pdf(pdf_variant=PDF_VARIANT, pdf_forms=True)
        record_pdf = None if record is None else laid_out.document.write_pdf(
            pdf_variant=RECORD_VARIANT, pdf_tags=True, pdf_forms=True, attachments=record.attachments())
    _raise_for_refusals(laid_out.fetcher, laid_out.base_url, source)
    _raise_for_log(log, source)
    from briefgen.render.pdf_tags import finish_tags, language_parts  # pikepdf: only here
    languages, info = language_parts(html), identity(html)
    return (finish_tags(pdf, languages, info=info),
            None if record_pdf is None else finish_tags(record_pdf, languages, claim_pdf_ua=True, info=info))


IDENTITY_KEYS = {"briefgen-brief": "/BriefgenBrief", "briefgen-content": "/BriefgenContent"}
_IDENTITY_META = re.compile(r'<meta name="(briefgen-brief|briefgen-content)" content="([^"<>&]*)">')


def identity(html: str) -> dict[str, str]:
    """The brief's id and content hash, from the page's head (the one-pager writes them), as
    the PDF's document information entries: `briefgen decisions` reads them back."""
    head = html.partition("</head>")[0]
    return {IDENTITY_KEYS[name]: value for name, value in _IDENTITY_META.findall(head)}


# Page 1's body sizes, largest first: type moves in steps, never a stretch, and never under
# the 10 pt floor (docs/page-spec.md). The HTML sets --body; the PDF is laid out at each step
# until page 1 fits.
BODY_STEPS = ("11pt", "10.5pt", "10pt")


def at_body_step(html: str, step: str) -> str:
    return html.replace("</head>", f"<style>:root {{ --body: {step}; }}</style></head>", 1)


def smallest_step(steps: list[str]) -> str:
    """The smallest of these body steps ("" for a brief laid out without steps is ignored)."""
    known = [step for step in steps if step in BODY_STEPS]
    return max(known, key=BODY_STEPS.index) if known else ""


def lay_out_stepped(html: str, source: TextSource, asset_roots: tuple[Path, ...],
                    largest: str | None = None) -> tuple[str, LaidOut, str]:
    """The HTML at the largest body step (no larger than `largest`) at which page 1 (and the
    annex, and every line limit) fits, its layout and that step; at the smallest step when
    none fits, for check_fit to report. Steps are laid out as few times as the search allows
    (StepSearch). A brief with no --body of its own (a project's older template) is laid out
    once, at no step ("")."""
    if 'class="notes"' in html:   # laid out beside the page, put in by with_notes
        html = html.replace("</head>", NOTES_CSS + "</head>", 1)
    if "--body" not in html:
        return html, lay_out(html, source, asset_roots), ""
    steps = BODY_STEPS[BODY_STEPS.index(largest):] if largest in BODY_STEPS else BODY_STEPS
    return StepSearch(html, source, asset_roots).largest_that_fits(list(steps))


# Over by no more than this share of page 1 at a step, the next step down is laid out next
# (a step saves 3.5-5% of the sample's page); over by more, the smallest step is laid out
# next and the steps between are judged from the two (StepSearch).
NEAR_SHARE = 0.03
# A step between is not laid out only when the straight line between the two measures puts
# it over by more than this (CSS px, about 2 mm): the line is exact to a pixel on the
# samples, and the overflow read from a paginated layout is, if anything, too small.
BETWEEN_MARGIN_PX = 8.0


@dataclass
class StepSearch:
    """The search for the largest body step at which page 1 fits, laying out as few steps
    as it can. The largest step comes first (most briefs fit at it: one layout). When it
    does not fit, the room page 1 lacks there (fit.overflow_at_least) says which step next:
    the next one down when it lacks little; else the smallest, and a step between the two is
    laid out only if it could fit: page 1's height follows the type size in a straight line
    (the line through the two measures is exact to a pixel on the samples). A brief that
    needs 10 pt, or fits at none, is laid out twice instead of three times."""

    html: str
    source: TextSource
    asset_roots: tuple[Path, ...]

    def largest_that_fits(self, steps: list[str]) -> tuple[str, LaidOut, str]:
        first, laid_out = steps[0], self.lay_out(steps[0])
        if self.fits(laid_out) or len(steps) == 1:
            return at_body_step(self.html, first), laid_out, first
        over = overflow_at_least(laid_out.document)
        if len(steps) == 2 or over <= NEAR_SHARE * laid_out.document.pages[0]._page_box.height:
            return self.largest_that_fits(steps[1:])
        smallest, smallest_laid_out = steps[-1], self.lay_out(steps[-1])
        fit = smallest_laid_out.fit
        full = fit.full
        if self.fits(smallest_laid_out) and full is not None:
            for step in steps[1:-1]:
                if self.over_between(first, over, smallest, -full.room_px, step) > BETWEEN_MARGIN_PX:
                    continue     # lacks room, by the line: not laid out
                laid_out = self.lay_out(step)
                if self.fits(laid_out):
                    return at_body_step(self.html, step), laid_out, step
        return at_body_step(self.html, smallest), smallest_laid_out, smallest

    @staticmethod
    def over_between(large: str, large_over: float, small: str, small_over: float, step: str) -> float:
        """The room page 1 lacks at `step`, on the line through the two measures."""
        size, high, low = (float(s.removesuffix("pt")) for s in (step, large, small))
        return small_over + (large_over - small_over) * (size - low) / (high - low)

    def lay_out(self, step: str) -> LaidOut:
        return lay_out(at_body_step(self.html, step), self.source, self.asset_roots)

    def fits(self, laid_out: LaidOut) -> bool:
        return laid_out.fit.fits and not line_limit_problems(laid_out.document, self.source)


def check_fit(html: str, laid_out: LaidOut, validated: TextSource,
              asset_roots: tuple[Path, ...], *, draft: bool = True) -> PageFit:
    """How the layout fits; PageOverflow (with a draft PDF unless `draft` is false) when not."""
    fit = laid_out.fit
    too_many_lines = line_limit_problems(laid_out.document, validated)
    if not fit.page_one_fits:
        message, draft_pdf, place, fills, by = page_one_overflow(html, laid_out, validated, asset_roots, draft)
        overflow = PageOverflow(validated.display_path, message, draft_pdf, place,
                                PageFit(False, fit.annex_pages, 0, fills,
                                        laid_out.document.pages[0]._page_box.height), by)
        overflow.diagnostics = [*too_many_lines, *overflow.diagnostics]
        raise overflow
    if too_many_lines:
        raise ContentError(too_many_lines)
    if fit.annex_pages > ANNEX_PAGES:
        message, longest = annex_overflow_message(laid_out.document)
        draft_pdf = (lay_out(html.replace("</head>", _stamp_css(None), 1), validated,
                             asset_roots).document.write_pdf() if draft else None)
        raise PageOverflow(validated.display_path, message, draft_pdf, section_place(validated, longest), fit)
    return fit


@dataclass(frozen=True)
class LaidOutDocument:
    """A document of any length laid out once (a book's own pages), written on demand as
    PDF/UA-1, tagged like a brief (render/pdf_join.py joins the tagged parts into a book)."""

    html: str
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
        return _write_tagged(self.html, self.laid_out, self.source)[0]


def lay_out_document(html: str, source: TextSource, asset_roots: tuple[Path, ...]) -> LaidOutDocument:
    return LaidOutDocument(html, lay_out(html, source, asset_roots), source)


def render_plain_pdf(html: str) -> bytes:
    """A PDF of trusted HTML that briefgen made itself (no content, nothing fetched), not
    tagged: what it draws is painted into other pages as an artifact (a book's footer)."""
    from weasyprint import HTML

    def refuse(url: str, *args: object, **kwargs: object) -> NoReturn:
        raise ValueError(f"nothing is fetched here: {url}")
    pdf: bytes = HTML(string=html, url_fetcher=refuse).write_pdf(font_config=font_configuration())
    return pdf


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

    def attachments(self) -> list[Attachment]:
        from weasyprint import Attachment
        return [Attachment(string=file.data, name=file.name, description=file.description,
                           created=self.date, modified=self.date, relationship=file.relationship)
                for file in self.files]


def lay_out(html: str, validated: TextSource, asset_roots: tuple[Path, ...]) -> LaidOut:
    """Lay out once. Relative URLs (images in Markdown) resolve against the brief's folder."""
    from weasyprint import HTML

    fetcher = SafeFetcher(asset_roots)
    base_url = validated.path.resolve().parent.as_uri() + "/"
    page, stylesheets = parsed_styles(html)
    with _weasyprint_log() as log:
        document = HTML(string=page, base_url=base_url, url_fetcher=fetcher).render(
            font_config=font_configuration(), pdf_forms=True, stylesheets=stylesheets)
    _raise_for_refusals(fetcher, base_url, validated)
    _raise_for_log(log, validated)
    notes = take_out(document) if NOTES_CSS in html else None
    return LaidOut(document, len(document.pages), fetcher, base_url, notes)


_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_OTHER_STYLE = re.compile(r'<style (?!media="screen[^"]*">)')
_FETCHES = ("url(", "@import", "@font-face", "@counter-style")
_parsed: dict[str, Any] = {}     # WeasyPrint CSS objects by their text
PARSED_AT_MOST = 32


def parsed_styles(html: str) -> tuple[str, list[Any]]:
    """The page without its head's `<style>` elements, and those as WeasyPrint stylesheets,
    in their order, each parsed once per process: a build lays out many pages of one
    template, and parsing its 18 KB of CSS again for each took a tenth of a layout. Given
    to WeasyPrint as user stylesheets, they lose only to the author's, and the page has
    none left for print (a `<style media="screen…">` stays and is not printed). Nothing
    is moved when the CSS could fetch or register something (each document would need its
    own), or the head has another kind of `<style>`."""
    head, end, body = html.partition("</head>")
    texts = _STYLE.findall(head)
    if not end or not texts or _OTHER_STYLE.search(head) or \
            any(fetch in text for text in texts for fetch in _FETCHES):
        return html, []
    from weasyprint import CSS

    if len(_parsed) > PARSED_AT_MOST:
        _parsed.clear()
    sheets = [_parsed.get(text) or _parsed.setdefault(text, CSS(string=text, font_config=font_configuration()))
              for text in texts]
    return _STYLE.sub("", head) + end + body, sheets


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
                      ) -> tuple[str, bytes | None, tuple[int, int], tuple[RegionFill, ...], Overflow]:
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
    message = overflow_message(fills, max(overflow_px, 0.0), at_least, available, source)
    # The draft's page 1 is cut just below its content (or its real end), not 400 in tall.
    used = available - full.room_px
    tall.pages[0].height = tall_first.content_box_y() + max(used, available) + PX_PER_INCH * 0.6
    worst = worst_region(fills).sections
    place = section_place(source, worst[0][0] if worst else "")
    return (message, (tall.write_pdf() if draft else None), place, fills,
            Overflow(max(overflow_px, 0.0), at_least))


def section_place(source: TextSource, section: str) -> tuple[int, int]:
    """Line and column of the brief's key for a section as the page names it; without one,
    those of `annex:` (where a section is moved off the page), else the file's first line:
    an overflow is always reported at a place."""
    for key in (section_key(section) if section else "", "annex"):
        line, column = source.locate_key(key) if key else (0, 0)
        if line:
            return line, column
    return 1, 1


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


# Sections with a limit on their printed lines: (data-section, content key, most lines, why).
LINE_LIMITS = (("Bottom line", "bottom_line", 4, "a bottom line up front is read at a glance"),)


def line_limit_problems(document: Document, source: TextSource) -> list[Diagnostic]:
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


def printed_lines(document: Document, section: str) -> int:
    """How many lines the `data-section` element prints on page 1 (0 when absent)."""
    from weasyprint.formatting_structure.boxes import LineBox

    def count(box: Box) -> int:
        if box.element_tag.endswith("::marker"):
            return 0   # a list item's number or bullet sits on the item's first line
        if isinstance(box, LineBox):
            return 1   # a line box inside it (an inline-block) is part of the same line
        return sum(count(child) for child in getattr(box, "children", ()))

    for box in content_boxes(document.pages[0]._page_box):
        element = getattr(box, "element", None)
        if element is not None and box.element_tag == element.tag and \
                element.get("data-section") == section:
            return count(box)
    return 0


def page_fill(laid_out: LaidOut) -> str:
    """How full page 1 is, as a reader would say it: '87%', or 'overflows page 1' (the
    annex pages after it are the staff's, and do not count)."""
    fit = laid_out.fit
    if not fit.page_one_fits:
        return "overflows page 1"
    full = fit.full
    used = fit.available_px - full.room_px if full is not None else 0.0
    return f"{used / max(fit.available_px, 1):.0%}"


# --- WeasyPrint's log --------------------------------------------------------------------

class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _weasyprint_log() -> Iterator[list[logging.LogRecord]]:
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
