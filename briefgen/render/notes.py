"""The ruled Notes area of a short page 1, put into the laid-out page: no second layout.

The template's `<section class="notes">` is laid out beside the page with one ruled line
(position: absolute, at the place it would take in the flow; NOTES_CSS), and taken out of
the laid-out pages before they are measured, so that page 1 fits and measures exactly as
without it. When page 1 leaves room for the area (render/pdf.with_notes decides how many
lines), it is put back where it stands in the flow: its line repeated down to that height,
and everything after it on page 1 moved down by what it takes in the flow, with the margins
between it and what follows collapsed as WeasyPrint collapses them. The page is the one a
second layout with the area in the flow gives, for a fraction of a layout's cost
(docs/performance.md); where the page is not built as this expects (a template or house
style with other boxes around it), the area is left out, never drawn wrong.

WeasyPrint (70, pinned) has no API for this: its laid-out boxes are plain Python objects,
and this module moves them, re-runs WeasyPrint's own background layout for what it moved
and gathers page 1's anchors, links and form fields again, as
WeasyPrint does when it makes a page (document.Page).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NoReturn

from briefgen.render.fit import descendants

if TYPE_CHECKING:  # WeasyPrint has no type hints: to mypy these are Any, to a reader they say what is meant
    from weasyprint.document import Document, Page
    from weasyprint.formatting_structure.boxes import Box

# Added to the page's HTML for the layout: the area beside the flow, one ruled line.
NOTES_CSS = ("<style>@media print { .notes { display: block; position: absolute; left: 0; right: 0; }"
             " .notes .ruled > .line ~ .line { display: none; } }</style>")


@dataclass(frozen=True)
class NotesArea:
    """The Notes area as laid out beside page 1, and where in page 1 it belongs."""

    box: Box            # the section, laid out whole with its heading and one ruled line
    parent: Box         # the box it was laid out in (page 1's `page-one` region)
    index: int          # its place among the parent's children


def take_out(document: Document) -> NotesArea | None:
    """Remove the Notes area from every laid-out page (the page then is the page without
    it) and return it, if page 1 holds it whole: the area split at page 1's end (a page
    with no room for it) is not returned."""
    found: NotesArea | None = None
    split = False
    for number, page in enumerate(document.pages):
        removed = False
        for parent in _parents(page._page_box):
            for index, child in enumerate(parent.children):
                if _has_class(child, "notes"):
                    removed = True
                    parent.children = [*parent.children[:index], *parent.children[index + 1:]]
                    if number == 0 and found is None:
                        found = NotesArea(_laid_out(child), parent, index)
                    else:
                        split = True
                    break
        if removed:
            _gather(page)
    return None if split else found


def put_back(document: Document, area: NotesArea, lines: int) -> bool:
    """Put the area back into page 1 with `lines` ruled lines and move what follows it down;
    False (and the page left as it is) when the page is not built as expected or what
    follows would then pass the page's end."""
    page = document.pages[0]
    page_box = page._page_box
    box = area.box
    ruled = next((child for child in getattr(box, "children", ()) if _has_class(child, "ruled")), None)
    if ruled is None or len(ruled.children) != 1 or lines < 1:
        return False
    line = ruled.children[0]
    pitch = line.margin_height()
    extra = (lines - 1) * pitch
    chain = _ancestors(page_box, area.parent)
    if chain is None:
        return False
    after = _following(chain, area.parent, area.index)
    notes_bottom = box.border_box_y() + box.border_height() + extra
    delta = 0.0
    following = _first_in_flow(after)
    if following is not None:
        closed = _closed_between(chain, following)
        if not all(_margins_collapse_through(parent) for parent in closed):
            return False
        gap = _collapse([box.margin_bottom, *(parent.margin_bottom for parent in closed),
                         *_top_margins(following)])
        delta = notes_bottom + gap - following.border_box_y()
    page_end = page_box.content_box_y() + page_box.height
    lowest = max([notes_bottom + box.margin_bottom,
                  *(b.border_box_y() + b.border_height() + b.margin_bottom + delta
                    for b in after if _in_flow(b))])
    if lowest > page_end or any(_fetches_images(b) for b in [box, *after]):
        return False
    copies = [line.copy() for _ in range(lines - 1)]
    for number, copy in enumerate(copies, start=1):
        copy.translate(0, number * pitch)
    ruled.children = [line, *copies]
    ruled.height += extra
    box.height += extra
    box.style["position"] = "static"     # in the flow now: painted and tagged in its place
    area.parent.children = [*area.parent.children[:area.index], box, *area.parent.children[area.index:]]
    for moved in after:
        moved.translate(0, delta)
    for parent in chain:   # innermost first: each as tall as its content, at least (a box
        # continued on the next page already reaches the page's end)
        parent.height = max(parent.height, _content_bottom(parent) - parent.content_box_y())
    from weasyprint.layout.background import layout_box_backgrounds
    for laid in [box, *after]:
        layout_box_backgrounds(page_box, laid, _no_image)
    _gather(page)
    return True


def _collapse(margins: list[float]) -> float:
    """Adjoining vertical margins as one (CSS 2, 8.3.1)."""
    return max([0.0, *margins]) + min([0.0, *margins])


def _top_margins(box: Box) -> list[float]:
    """The top margins that collapse with a box's own: its first block children's while it
    has no top border or padding."""
    margins = [box.margin_top]
    while box.border_top_width == 0 and box.padding_top == 0 and _establishes_no_context(box):
        children = [child for child in getattr(box, "children", ()) if _in_flow(child)]
        if not children or type(children[0]).__name__ == "LineBox":
            break
        box = children[0]
        margins.append(box.margin_top)
    return margins


def _margins_collapse_through(box: Box) -> bool:
    return box.border_bottom_width == 0 and box.padding_bottom == 0 and _establishes_no_context(box)


def _establishes_no_context(box: Box) -> bool:
    return (type(box).__name__ == "BlockBox" and box.style["overflow"] == "visible"
            and box.style["display"] == ("block", "flow"))


def _ancestors(page_box: Box, box: Box) -> list[Box] | None:
    """`box` and its ancestors up to (not including) the page box, innermost first."""
    def path(current: Box) -> list[Box] | None:
        if current is box:
            return [current]
        for child in getattr(current, "children", ()):
            found = path(child)
            if found is not None:
                return [*found, current]
        return None
    found = path(page_box)
    return found[:-1] if found else None


def _following(chain: list[Box], parent: Box, index: int) -> list[Box]:
    """Every box after the area's place in the flow of page 1, in order."""
    boxes = list(parent.children[index:])
    for inner, outer in pairwise(chain):
        position = next(number for number, child in enumerate(outer.children) if child is inner)
        boxes += outer.children[position + 1:]
    return boxes


def _first_in_flow(boxes: list[Box]) -> Box | None:
    return next((box for box in boxes if _in_flow(box)), None)


def _closed_between(chain: list[Box], following: Box) -> list[Box]:
    """The ancestors of the area that end between it and `following`."""
    closed = []
    for inner in chain:
        if any(child is following for child in inner.children):
            break
        closed.append(inner)
    return closed


def _content_bottom(box: Box) -> float:
    bottoms = [child.border_box_y() + child.border_height() for child in box.children if _in_flow(child)]
    bottom: float = max(bottoms, default=box.content_box_y())
    return bottom


def _in_flow(box: Box) -> bool:
    if type(box).__name__ == "AbsolutePlaceholder":
        return False
    style = getattr(box, "style", None)
    return style is not None and style["position"] not in ("absolute", "fixed") and style["float"] == "none"


def _fetches_images(box: Box) -> bool:
    """Whether laying out this box's backgrounds again would fetch an image."""
    for each in descendants(box):
        style = each.style
        if any(kind == "url" for kind, _ in style["background_image"]) or \
                style["border_image_source"][0] == "url" or style["mask_border_source"][0] == "url":
            return True
    return False


def _no_image(**_: Any) -> NoReturn:
    raise AssertionError("no image is fetched for the Notes area (checked before)")


def _laid_out(box: Box) -> Box:
    """The box itself, not WeasyPrint's placeholder for an absolutely positioned box."""
    return box._box if type(box).__name__ == "AbsolutePlaceholder" else box


def _has_class(box: Box, name: str) -> bool:
    element = getattr(box, "element", None)
    return (element is not None and box.element_tag == element.tag
            and name in (element.get("class") or "").split())


def _parents(box: Box) -> Iterator[Box]:
    children = getattr(box, "children", None)
    if children:
        yield box
        for child in children:
            yield from _parents(child)


def _gather(page: Page) -> None:
    """The page's anchors, links, bookmarks and form fields as its boxes now place them."""
    from weasyprint.anchors import gather_anchors

    page.anchors, page.links, page.bookmarks, page.forms = {}, [], [], {None: []}
    gather_anchors(page._page_box, page.anchors, page.links, page.bookmarks, page.forms)
