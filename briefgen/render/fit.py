"""How a laid-out brief fits its pages: page 1 for the principal, the annex for the staff.

The template marks its regions with `data-region`: `page-one` (everything page 1 must
hold), and inside it the text column (`full`: the side-head grid's one column of text)
and, where a template splits it, a left (`left`) and a right column (`right`); the annex
after it is `annex`. Page 1 fits when nothing of
`page-one` is laid out past the first page; the annex may take up to ANNEX_PAGES pages.

When page 1 does not fit, a second layout with one very tall first page measures each
region at its natural height (nothing split between pages), so the message can say
which region is too long, by how much, and about how many words to cut. That same tall
layout, with page 1's real end marked, is the draft written to `<id>.overflow.pdf`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from briefgen.content.sourcemap import TextSource, section_key

if TYPE_CHECKING:  # WeasyPrint has no type hints: to mypy these are Any, to a reader they say what is meant
    from weasyprint.document import Document
    from weasyprint.formatting_structure.boxes import Box

ANNEX_PAGES = 3               # the annex's own limit, in pages after page 1
WORDS_PER_MINUTE = 250        # reading speed for the reading load of page 1
TALL_PAGE_INCHES = 400
PX_PER_INCH = 96
NOTES_LINES_AT_MOST = 20      # the Notes area's ruled lines the template writes (more than half a page)
REGION_NAMES = {"left": "left column", "right": "right column", "full": "text column"}
_WORD = re.compile(r"\w[\w'’.-]*")
# The sections `annex:` accepts, those a principal needs least on page 1 first: what to
# suggest moving off page 1 (never the length alone: the longest may be the most sensitive).
# `biographies` is never on page 1 (it can only be listed), so it is never a candidate to move.
NEEDED_LEAST_FIRST = ("biographies", "background", "sources", "quotes", "since_last_meeting", "agenda", "deliverables",
                      "press_line", "if_raised", "points", "key_messages", "sensitivities")
ANNEX_CANDIDATES = 3          # how many sections the hint names


@dataclass(frozen=True)
class RegionFill:
    """One region of page 1: its height, the room it has left (negative: lacks), its words."""

    region: str               # "left", "right", "full"
    height_px: float
    room_px: float
    words: int
    sections: tuple[tuple[str, float], ...] = ()    # (name, height px), longest first

    @property
    def name(self) -> str:
        return REGION_NAMES[self.region]

    def words_to_cut(self) -> int:
        """About how many of its words would free the room it lacks (rounded up to 5)."""
        if self.room_px >= 0 or self.height_px <= 0 or not self.words:
            return 0
        words = math.ceil(-self.room_px / self.height_px * self.words * 1.1)
        return max(5, 5 * math.ceil(words / 5))

    def describe(self) -> str:
        """'left column 0.4 in (10 mm) over, about 35 words to cut' or '… 6 mm to spare'."""
        if self.room_px < 0:
            return f"{self.name} {length(-self.room_px)} over, about {self.words_to_cut()} words to cut"
        return f"{self.name} {length(self.room_px)} to spare"


@dataclass(frozen=True)
class Overflow:
    """How far a brief runs past its pages, as data: page 1 by `px` (`at_least` when even
    the tall layout could not hold all of page 1), or, with no amount, past the pages
    another limit allows (the annex's pages, a section's printed lines)."""

    px: float = 0.0
    at_least: bool = False

    def describe(self) -> str:
        """'0.4 in (10 mm)', 'at least 0.4 in (10 mm)', or 'more than its pages hold'."""
        if not self.px:
            return "more than its pages hold"
        return f"{'at least ' if self.at_least else ''}{length(self.px)}"


@dataclass(frozen=True)
class PageFit:
    """What a layout says about the brief's pages, for the build line and the preview."""

    page_one_fits: bool
    annex_pages: int
    words: int                                  # words on page 1
    regions: tuple[RegionFill, ...] = field(default=())
    available_px: float = 0.0                   # the height page 1 has for its content
    body: str = ""                              # the body step laid out at ("10.5pt"), if any

    @property
    def minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE

    @property
    def fits(self) -> bool:
        return self.page_one_fits and self.annex_pages <= ANNEX_PAGES

    @property
    def full(self) -> RegionFill | None:
        """The fill of the page-wide region ("full"), when page 1 has one."""
        return next((fill for fill in self.regions if fill.region == "full"), None)

    def reading_load(self) -> str:
        """'page 1: 480 words, about 2 min to read'."""
        return f"page 1: {self.words} words, about {max(1, round(self.minutes))} min to read"

    def public(self) -> dict[str, Any]:
        """For the preview (JSON-ready): the reading load and a fill gauge per region."""
        return {
            "fits": self.fits,
            "reading": self.reading_load() if self.page_one_fits else "",
            "available_px": round(self.available_px, 1),
            "regions": [self._gauge(fill) for fill in self.regions],
        }

    def _gauge(self, fill: RegionFill) -> dict[str, Any]:
        """One region's entry in the preview's gauge. Beside two columns, the full-width
        blocks are over only when they alone pass the page (else a column is to blame)."""
        beside_columns = fill.region == "full" and len(self.regions) > 1
        over = fill.height_px > self.available_px if beside_columns else fill.room_px < 0
        text = (f"the text column takes {length(fill.height_px)}" if beside_columns and not over
                else fill.describe())
        return {"region": fill.region, "name": fill.name, "over": over, "text": text,
                "room_mm": round(abs(fill.room_px) / PX_PER_INCH * 25.4, 1),
                "fill": round(fill.height_px / max(self.available_px, 1), 3)}


def measure_fit(document: Document) -> PageFit:
    """Page 1's fit and reading load, from the real layout (no second layout)."""
    pages = [page._page_box for page in document.pages]
    spilled = any(region_box(page, "page-one") is not None for page in pages[1:])
    annex_start = next((index for index, page in enumerate(pages)
                        if region_box(page, "annex") is not None), None)
    annex_pages = 0 if annex_start is None else len(pages) - annex_start
    spilled = spilled or (annex_start is None and len(pages) > 1)
    page_one = region_box(pages[0], "page-one")
    words = count_words(page_one) if page_one is not None else 0
    regions = region_fills(pages[0], pages[0].height) if not spilled else ()
    return PageFit(not spilled, annex_pages, words, regions, pages[0].height)


def overflow_at_least(document: Document) -> float:
    """How far page 1 runs past its page at the least, in CSS px, read from the real layout
    (0 when it fits): what of page 1 is laid out on the pages after it, less the room left
    under the last line of page 1 (a block moved whole to page 2 leaves it empty). Margins
    dropped at a page's top make it a little less than the tall layout's measure."""
    pages = [page._page_box for page in document.pages]
    spill = sum(_used_bottom(page, "page-one") - page.content_box_y() for page in pages[1:]
                if region_box(page, "page-one") is not None)
    page_one = region_box(pages[0], "page-one")
    if not spill or page_one is None:
        return 0.0
    first = pages[0]
    last_line = max((box.position_y + box.margin_height() for box in descendants(page_one)
                     if not getattr(box, "children", ()) or type(box).__name__ == "LineBox"),
                    default=first.content_box_y())
    over: float = max(0.0, spill - (first.content_box_y() + first.height - last_line))
    return over


def region_fills(page_box: Box, available_px: float) -> tuple[RegionFill, ...]:
    """Each region of page 1 with the room it has on a page `available_px` high; measured
    on the page that holds all of page 1 (the real one when it fits, the tall one if not)."""
    top = page_box.content_box_y()
    page_one = region_box(page_box, "page-one")
    if page_one is None:
        return ()
    used = _used_bottom(page_box, "page-one") - top
    columns = {region: region_box(page_one, region) for region in ("left", "right")}
    column_heights = {region: box.margin_height() for region, box in columns.items() if box is not None}
    full_height = used - max(column_heights.values(), default=0)
    full_words = count_words(page_one) - sum(count_words(box) for box in columns.values() if box is not None)
    fills = [RegionFill(region, height, available_px - full_height - height,
                        count_words(columns[region]), _longest(section_heights_in(columns[region])))
             for region, height in column_heights.items()]
    in_columns = {name for fill in fills for name, _ in fill.sections}
    full_sections = {name: px for name, px in section_heights_in(page_one).items() if name not in in_columns}
    fills.append(RegionFill("full", full_height, available_px - used, full_words, _longest(full_sections)))
    return tuple(fills)


def _longest(heights: dict[str, float]) -> tuple[tuple[str, float], ...]:
    return tuple(sorted(heights.items(), key=lambda item: -item[1]))


def worst_region(fills: tuple[RegionFill, ...]) -> RegionFill:
    """The region to shorten first: the column that lacks the most room, or the full-width
    blocks when there are no columns or they alone overflow."""
    columns = [fill for fill in fills if fill.region != "full"]
    full = next(fill for fill in fills if fill.region == "full")
    if not columns or (full.room_px < 0 and all(fill.room_px < 0 for fill in columns) \
            and full.height_px > -full.room_px):
        candidates = [*columns, full] if columns else [full]
    else:
        candidates = columns
    return min(candidates, key=lambda fill: fill.room_px)


def overflow_message(fills: tuple[RegionFill, ...], overflow_px: float, at_least: bool,
                     available_px: float, source: TextSource | None = None) -> str:
    """The message for a page 1 that does not fit: by how much, which region, what to cut,
    and which sections could go to the annex, with the `annex:` line to write."""
    columns = [fill for fill in fills if fill.region != "full"]
    full = next(fill for fill in fills if fill.region == "full")
    parts = [fill.describe() for fill in columns]
    if not columns or full.height_px > available_px:
        parts.append(full.describe())
    else:
        parts.append(f"the {full.name} takes {length(full.height_px)} of the page's "
                     f"{length(available_px)}")
    worst = worst_region(fills)
    listing = ", ".join(f"{name} {length(px)}" for name, px in worst.sections[:3])
    return (f"the brief does not fit on one page: it runs {'at least ' if at_least else ''}"
            f"{length(overflow_px)} onto a second page. On page 1: {'; '.join(parts)}. "
            f"Longest sections in the {worst.name}: {listing}. Shorten them"
            + annex_hint(fills, source))


def annex_hint(fills: tuple[RegionFill, ...], source: TextSource | None) -> str:
    """', or move to the annex …': the sections on page 1 that `annex:` accepts, those the
    principal needs least first, each at its key's line and column, and the exact `annex:`
    line that moves the first (keeping what the annex holds now: the key replaces the default)."""
    heights: dict[str, tuple[str, float]] = {}
    for fill in fills:
        for name, px in fill.sections:
            key = section_key(name)
            if key in NEEDED_LEAST_FIRST:
                heights[key] = (name, heights.get(key, (name, 0.0))[1] + px)
    accepted = f"`annex:` accepts: {', '.join(NEEDED_LEAST_FIRST)}"
    candidates = sorted(heights, key=NEEDED_LEAST_FIRST.index)[:ANNEX_CANDIDATES]
    if not candidates:
        return f" (no section on page 1 can move to the annex; {accepted})"
    locate = getattr(source, "locate_key", lambda key: (0, 0))
    named = [f"{heights[key][0]} (line {locate(key)[0]}, column {locate(key)[1]}, {length(heights[key][1])})"
             for key in candidates]
    current = tuple(getattr(source, "annex", ()))
    line = f"`annex: [{', '.join([*current, candidates[0]])}]`"
    if getattr(source, "annex_written", False):
        how = f"change `annex:` (line {locate('annex')[0]}) to {line}"
    else:
        kept = f"[{', '.join(current)}]"
        how = f"add {line} (`annex:` replaces the default {kept}, so the line keeps them)"
    return (f", or move one of these sections to the annex, what the principal needs least first: "
            f"{', '.join(named)}. To move {heights[candidates[0]][0]}, {how}; {accepted}")


def annex_overflow_message(document: Document) -> tuple[str, str]:
    """The message for an annex longer than ANNEX_PAGES pages (measured on the real layout),
    and the name of its longest section."""
    pages = [page._page_box for page in document.pages]
    start = next(index for index, page in enumerate(pages) if region_box(page, "annex") is not None)
    annex = pages[start:]
    available = annex[0].height
    total = available * (len(annex) - 1) + (_used_bottom(annex[-1], "annex") - annex[-1].content_box_y())
    excess = total - available * ANNEX_PAGES
    words = sum(count_words(region_box(page, "annex")) for page in annex)
    to_cut = max(5, 5 * math.ceil(excess / max(total, 1) * words * 1.1 / 5))
    heights: dict[str, float] = {}
    for page in annex:
        for name, px in section_heights_in(page).items():
            heights[name] = heights.get(name, 0.0) + px
    listing = ", ".join(f"{name} {length(px)}" for name, px in
                        sorted(heights.items(), key=lambda item: -item[1])[:3])
    longest = max(heights, key=lambda name: heights[name], default="")
    return (f"the annex does not fit on {ANNEX_PAGES} pages: it runs {length(excess)} onto page "
            f"{start + ANNEX_PAGES + 1} of the brief, about {to_cut} words to cut. Longest sections "
            f"in the annex: {listing}. Shorten them"), longest


def section_heights_in(page_box: Box) -> dict[str, float]:
    """Height in CSS px of each `data-section` element on one page."""
    heights: dict[str, float] = {}
    for box in content_boxes(page_box):
        element = getattr(box, "element", None)
        if element is not None and box.element_tag == element.tag and element.get("data-section"):
            name = element.get("data-section")
            heights[name] = heights.get(name, 0.0) + box.margin_height()
    return heights


def count_words(box: Box | None) -> int:
    """Words of text laid out in a box and its descendants."""
    if box is None:
        return 0
    return sum(len(_WORD.findall(child.text)) for child in descendants(box)
               if type(child).__name__ == "TextBox")


def length(px: float) -> str:
    """'0.4 in (10 mm)'; never '0.0 in': a sliver is 'under 0.1 in (2 mm)'."""
    inches = abs(px) / PX_PER_INCH
    mm = max(1, round(inches * 25.4))
    if inches < 0.05:
        return f"under 0.1 in ({mm} mm)"
    return f"{inches:.1f} in ({mm} mm)"


def region_box(box: Box, region: str) -> Box | None:
    """The first box laid out for the element marked `data-region=region` under `box`."""
    return next((child for child in descendants(box) if region_box_is(child, region)), None)


def content_boxes(page_box: Box) -> Iterator[Box]:
    """Every box laid out in the page's content area (the margin boxes left out)."""
    for child in page_box.children:
        if type(child).__name__ != "MarginBox":
            yield from descendants(child)


def descendants(box: Box) -> Iterator[Box]:
    """`box` and every box under it, depth first (a laid-out WeasyPrint box tree)."""
    yield box
    for child in getattr(box, "children", ()):
        yield from descendants(child)


def _used_bottom(page_box: Box, region: str) -> float:
    """The bottom of the lowest of the boxes beside `region`'s (the region and its
    siblings, such as the colophon). Their parents are no measure: a parent continued on
    the next page is laid out to the bottom of this one."""
    for box in content_boxes(page_box):
        children = getattr(box, "children", ())
        if any(region_box_is(child, region) for child in children):
            bottom: float = max(child.position_y + child.margin_height() for child in children
                                if isinstance(getattr(child, "height", None), (int, float))
                                and child.style["position"] != "absolute")
            return bottom
    top: float = page_box.content_box_y()
    return top


def region_box_is(box: Box, region: str) -> bool:
    element = getattr(box, "element", None)
    return (element is not None and box.element_tag == element.tag
            and element.get("data-region") == region)
