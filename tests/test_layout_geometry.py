"""A layout that never breaks: generated briefs laid out by WeasyPrint, geometry asserted
from the laid-out boxes (rows start at the left edge, nothing overlaps, nothing leaves
the page)."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.render.fit import content_boxes, measure_fit
from briefgen.render.pdf import lay_out
from briefgen.workflows.brief import Project, prepare_brief

EPSILON = 0.5    # CSS px

LONG_NAME = "Maximiliano Alejandro Fernández de la Vega y Castellanos-Oyarzábal"
LONG_TITLE = ("Deputy Assistant Secretary for Multilateral Affairs, Bureau of East Asian and "
              "Pacific Affairs, and Senior Advisor to the Under Secretary")


def _person(index: int, name: str | None = None, title: str | None = None) -> str:
    return (f"name: {name or f'Participant Number {index}'}\n"
            f"short_name: P{index}\n"
            f"title: {title or f'Minister of Affairs No. {index}'}\n"
            "country: US\n")


def _brief(people: list[str], *, deliverables: str, agenda: str, quotes: str = "",
           annex: str = "[background, quotes, sources]", event_days: str = "  date: 2024-05-02\n") -> str:
    participants = "".join(f"  - person: {p}\n    role: delegation\n" for p in people)
    return f"""title: Generated Summit
classification: UNCLASSIFIED
prepared_by: Test staff
as_of: 2024-05-01
annex: {annex}
event:
  kind: summit
{event_days}  location: Geneva
  purpose: A meeting to test the layout [@src].
participants:
{participants}agenda:
{agenda}deliverables:
{deliverables}key_messages:
  - Keep the message short [@src].
  - A second message, also short.
sensitivities:
  - topic: Timing
    guidance: Say nothing about the date [@src].
{quotes}sources:
  - id: src
    title: A source
"""


def _deliverables(count: int, caveats: bool, statuses=("expected",)) -> str:
    text = ""
    for i in range(count):
        text += (f"  - id: item-{i}\n    title: Deliverable {i}\n"
                 f"    status: {statuses[i % len(statuses)]}\n    summary: What it is, in a line.\n")
        if caveats and i % 2 == 0:
            text += "    caveats: Its limits, in a line.\n"
    return text


ONE_DAY_AGENDA = "".join(f"  - date: 2024-05-02\n    time: \"{9 + i:02d}:00\"\n    title: Session {i}\n"
                         for i in range(3))
MULTI_DAY_AGENDA = "".join(f"  - date: 2024-05-0{1 + i // 2}\n    time: \"{9 + i:02d}:30\"\n"
                           f"    title: Session {i} on the agenda of the day\n    participants: [p1, p2]\n"
                           for i in range(6))


def _lay_out(tmp_path: Path, brief: str, people: dict[str, str]):
    folder = tmp_path / "content"
    (folder / "people").mkdir(parents=True)
    for person_id, text in people.items():
        (folder / "people" / f"{person_id}.yaml").write_text(text, encoding="utf-8")
    path = folder / "generated.yaml"
    path.write_text(brief, encoding="utf-8")
    project = Project.at(tmp_path)
    result, prepared = prepare_brief(project, path)
    assert prepared is not None, result.errors
    laid_out = lay_out(prepared.html, prepared.source, project.asset_roots)
    assert measure_fit(laid_out.document).fits
    return laid_out.document


def _boxes(document, css_class: str, page: int = 0) -> list:
    """The boxes of elements with `css_class` on a page, one per element (its first box)."""
    found, seen = [], set()
    for box in content_boxes(document.pages[page]._page_box):
        element = getattr(box, "element", None)
        if (element is not None and box.element_tag == element.tag
                and css_class in (element.get("class") or "").split() and id(element) not in seen):
            seen.add(id(element))
            found.append(box)
    return found


def _rect(box) -> tuple[float, float, float, float]:
    return (box.position_x, box.position_y, box.position_x + box.margin_width(),
            box.position_y + box.margin_height())


def _overlap(a, b) -> bool:
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = _rect(a), _rect(b)
    return ax0 < bx1 - EPSILON and bx0 < ax1 - EPSILON and ay0 < by1 - EPSILON and by0 < ay1 - EPSILON


def _assert_inside_page(document) -> None:
    """Every box of the content area stays within the page's content width."""
    page = document.pages[0]._page_box
    left, right = page.content_box_x(), page.content_box_x() + page.width
    for box in content_boxes(page):
        if getattr(box, "is_for_root_element", False) or not isinstance(getattr(box, "width", None), float):
            continue
        x0, _, x1, _ = (box.position_x, 0, box.position_x + box.width, 0)
        assert left - EPSILON <= x0, (box, x0, x1, left, right)
        assert x1 <= right + EPSILON, (box, x0, x1, left, right)


def _all_boxes(document, css_class: str, page: int = 0) -> list:
    """Every box of elements with `css_class` on a page (an inline split over lines has several)."""
    return [box for box in content_boxes(document.pages[page]._page_box)
            if type(box).__name__ != "TextBox" and getattr(box, "element", None) is not None
            and box.element_tag == box.element.tag and css_class in (box.element.get("class") or "").split()]


def _section(document, section_id: str):
    return next(box for box in content_boxes(document.pages[0]._page_box)
                if getattr(box, "element", None) is not None and box.element_tag == "section"
                and box.element.get("id") == section_id)


def _assert_in_text_column(section, boxes) -> None:
    """Each box lies in the section's text column, right of its side head, never under it."""
    left, right = section.content_box_x(), section.content_box_x() + section.width
    labels = [child for child in section.children if getattr(child, "element_tag", "") == "h2"]
    for box in boxes:
        assert left - EPSILON <= box.position_x, (box, left)
        assert box.position_x + box.margin_width() <= right + EPSILON, (box, right)
        assert not any(_overlap(box, label) for label in labels), (box, labels)


@pytest.mark.parametrize("count", range(1, 13))
def test_participants_are_listed_in_order_in_the_text_column(tmp_path: Path, count: int):
    """Participants by side, one run of names per side: every person printed, in the brief's
    order (reading left to right, top to bottom), none over another, all in the text column
    beside the PARTICIPANTS side head, however long a name or title."""
    people = {f"p{i}": _person(i) for i in range(1, count + 1)}
    if count >= 3:
        people["p2"] = _person(2, name=LONG_NAME, title=LONG_TITLE)
    document = _lay_out(tmp_path, _brief(list(people), deliverables=_deliverables(3, True),
                                         agenda=ONE_DAY_AGENDA), people)
    persons = _boxes(document, "person")
    assert len(persons) == count
    assert sorted(persons, key=lambda box: (round(box.position_y, 1), box.position_x)) == persons
    names = ["".join(box.element.itertext()) for box in _boxes(document, "name")]
    assert names == [LONG_NAME if p == "p2" and count >= 3 else f"Participant Number {p[1:]}" for p in people]
    every_box = _all_boxes(document, "person")
    for i, a in enumerate(every_box):
        for b in every_box[i + 1:]:
            assert not _overlap(a, b), (a, b)
    _assert_in_text_column(_section(document, "participants"), every_box)
    _assert_inside_page(document)


@pytest.mark.parametrize(("caveats", "statuses", "cells"), [
    (True, ("expected",), ["what", "caveat"]),
    (False, ("expected",), ["what"]),
    (True, ("confirmed", "expected"), ["status", "what", "caveat"]),
    (False, ("announced", "deferred", "dropped"), ["status", "what"]),
])
@pytest.mark.parametrize("where", ["page 1", "annex"])
def test_deliverables_waste_no_column(tmp_path: Path, caveats: bool, statuses, cells, where: str):
    """Every row fills its table with the cells it needs; on paper's page 1 the caveats (staff
    matter) are left to the annex, so no row there has a caveat cell."""
    people = {f"p{i}": _person(i) for i in range(1, 4)}
    annex = "[deliverables, background, quotes, sources]" if where == "annex" else "[background, quotes, sources]"
    document = _lay_out(tmp_path, _brief(list(people), deliverables=_deliverables(4, caveats, statuses),
                                         agenda=ONE_DAY_AGENDA, annex=annex), people)
    page = 1 if where == "annex" else 0
    if where == "page 1":
        cells = [cell for cell in cells if cell != "caveat"]
    table = _boxes(document, "deliverables", page)[0]
    rows = _boxes(document, "deliverable", page)
    assert len(rows) == 4
    for row in rows:
        tds = [cell for cell in row.children if getattr(cell, "element_tag", "") == "td"]
        assert [cell.element.get("class") for cell in tds] == cells
        right = max(cell.position_x + cell.margin_width() for cell in tds)
        assert abs(right - (table.position_x + table.margin_width())) < 1, "the row fills the table"
        for i, a in enumerate(tds):
            for b in tds[i + 1:]:
                assert not _overlap(a, b)
    _assert_inside_page(document)


def test_multi_day_agenda_and_several_quotes_stay_in_the_text_column(tmp_path: Path):
    people = {"p1": _person(1, name=LONG_NAME), "p2": _person(2, title=LONG_TITLE)}
    quotes = "quotes:\n" + "".join(f"  - text: Quotation number {i}, short enough.\n    by: p{1 + i % 2}\n"
                                   for i in range(3))
    brief = _brief(list(people), deliverables=_deliverables(2, True), agenda=MULTI_DAY_AGENDA,
                   quotes=quotes, annex="[background, sources]",
                   event_days="  start: 2024-05-01\n  end: 2024-05-03\n")
    document = _lay_out(tmp_path, brief, people)
    whens = list(_boxes(document, "when"))
    texts = [" ".join(t.text.strip() for t in _text_boxes(box)) for box in whens]
    assert texts == ["Wed May 1 09:30", "10:30", "Thu May 2 11:30", "12:30", "Fri May 3 13:30", "14:30"]
    agenda = _section(document, "agenda")
    _assert_in_text_column(agenda, _boxes(document, "when") + _boxes(document, "what") + _boxes(document, "agenda"))
    for when in _boxes(document, "when"):
        for what in _boxes(document, "what"):
            assert not _overlap(when, what), (when, what)
    quote_boxes = _boxes(document, "quote")
    assert len(quote_boxes) == 3
    for quote in quote_boxes:
        quoted = [child for child in quote.children if getattr(child, "element_tag", "") == "blockquote"]
        _assert_in_text_column(quote, quoted)
    for i, a in enumerate(quote_boxes):
        for b in quote_boxes[i + 1:]:
            assert not _overlap(a, b)
    _assert_inside_page(document)


def _text_boxes(box):
    if type(box).__name__ == "TextBox":
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)
