"""Attack class: views that repeat a portion drop its mark.

The book's schedule printed a secret agenda item without its portion mark, and its
calendar event had no mark and no `CLASS` (which calendar programs read as PUBLIC). Every
view that repeats a portion prints the mark the brief's own page prints (`Rules.printed_mark`),
and a calendar event above the lowest level is `CLASS:CONFIDENTIAL`. Built through the CLI,
read back from the real PDF (pypdf), the HTML and the .ics (icalendar).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from icalendar import Calendar
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).parent))
from hostile import briefgen, make_project

AGENDA = """\
agenda:
  - date: 2023-08-18
    time: "09:00"
    title: Open session
  - time: "10:00"
    title: Working lunch on SECRETTOPIC
    marking: S//NOFORN
  - time: "11:00"
    title: Partner session on RELTOPIC
    marking: C//REL TO USA, JPN
"""
BOOK = """\
title: A trip
classification: SECRET//NOFORN
prepared_by: Test office
as_of: 2023-08-18
timezone: Asia/Tokyo
briefs:
  - mini
"""
EXPECTED = {"Open session": "(U)", "Working lunch on SECRETTOPIC": "(S//NOFORN)",
            "Partner session on RELTOPIC": "(C//REL TO USA, JPN)"}


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repeated")
    project = make_project(root)
    text = project.brief.read_text()
    start = text.index("agenda:\n")
    end = text.index("deliverables:\n")
    text = text[:start] + AGENDA + text[end:]
    text = text.replace("classification: UNCLASSIFIED\n", "")
    text += "markings:\n  scheme: us\n"
    project.brief.write_text(text)
    (root / "content" / "books").mkdir()
    (root / "content" / "books" / "trip.yaml").write_text(BOOK)
    process = briefgen("book", "trip", cwd=root)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, out + err
    return root


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("title", EXPECTED)
def test_the_book_s_schedule_prints_each_item_s_mark(book: Path, title: str):
    pdf = _words("\n".join(p.extract_text() for p in PdfReader(book / "output" / "trip.pdf").pages))
    html = (book / "output" / "trip.html").read_text()
    assert f"{EXPECTED[title]} {title}" in pdf
    assert f'<span class="portion">{EXPECTED[title]}</span> <span class="what">{title}</span>' in html


@pytest.mark.parametrize("title", EXPECTED)
def test_each_calendar_event_carries_its_mark_and_class(book: Path, title: str):
    calendar = Calendar.from_ical((book / "output" / "trip.ics").read_bytes())
    events = {str(e["summary"]).split(") ", 1)[-1]: e for e in calendar.walk("VEVENT")}
    event = events[title]
    assert str(event["summary"]) == f"{EXPECTED[title]} {title}"
    expected_class = None if EXPECTED[title] == "(U)" else "CONFIDENTIAL"
    assert (str(event["class"]) if "class" in event else None) == expected_class


def test_an_event_of_a_brief_without_a_scheme_is_confidential_unless_unclassified(tmp_path: Path):
    """Without a scheme a portion carries the brief's word marking: fails closed."""
    from briefgen.content.audiences import above_lowest
    from briefgen.content.models import Brief

    make_project(tmp_path)
    import yaml
    data = yaml.safe_load((tmp_path / "content" / "mini.yaml").read_text())
    for marking, expected in [("UNCLASSIFIED", False), ("SECRET", True), ("PUBLIC", True)]:
        brief = Brief.model_validate({**data, "classification": marking})
        assert above_lowest(brief, None) is expected, marking
