"""Briefing books: the sample trip built into one PDF, read back page by page.

The book's outline, page labels, printed page numbers, contents and the briefs' own pages
must all agree; every page carries the marking; everyone appears once in the biographies;
the calendar parses. A book whose brief does not build is not written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import BOOK, BOOK_BRIEFS, REPO, config_home, copy_trip, edit, run_cli
from icalendar import Calendar
from mail_server import ScriptedHandler, start_server
from pypdf import PdfReader

pytestmark = pytest.mark.slow   # every test builds, checks or sends the sample trip's book

BRIEFS = BOOK_BRIEFS


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) for every outline entry, in order."""
    found = []

    def walk(entries, depth):
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, depth + 1)
            else:
                found.append((depth, str(entry.title), reader.get_destination_page_number(entry) + 1))
    walk(reader.outline, 0)
    return found


def _rows(page) -> list[str]:
    """The page's text as rows: fragments on one baseline joined left to right."""
    fragments: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            fragments.append((round(cm[5] + tm[5] * cm[3]), cm[4] + tm[4] * cm[0], text.strip()))
    page.extract_text(visitor_text=visit)
    rows: dict[float, list[tuple[float, str]]] = {}
    for y, x, text in fragments:
        rows.setdefault(y, []).append((x, text))
    return [" ".join(text for _, text in sorted(parts)) for _, parts in sorted(rows.items(), reverse=True)]


def _texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def test_the_book_holds_each_brief_as_built_alone_with_its_tab_in_the_masthead(built_trip: Path):
    out = built_trip / "output"
    book = PdfReader(out / f"{BOOK}.pdf")
    pages = _texts(out / f"{BOOK}.pdf")
    top = {title: page for depth, title, page in _outline(book) if depth == 0}
    total = len(book.pages)
    own_pages = 0
    for tab, brief in enumerate(BRIEFS, start=1):
        alone = PdfReader(out / f"{brief}.pdf")
        title = alone.metadata.title
        start = top[title]
        masthead = _rows(book.pages[start - 1])[2]      # under the top banner and the book's page number
        assert re.fullmatch(rf"([A-Z]+ )?MEETING BRIEF FOR THE PRESIDENT TAB {tab}", masthead), masthead
        assert "TAB" not in (alone.pages[0].extract_text() or "")      # a brief alone has no tab
        for offset, page in enumerate(alone.pages):
            book_page = book.pages[start - 1 + offset]
            assert book_page.mediabox == page.mediabox
            # the brief's own text, untouched; the book adds only its tab and its footer line
            in_book = pages[start - 1 + offset].replace(f"TAB {tab}\n", "", 1 if offset == 0 else 0)
            assert (page.extract_text() or "") in in_book
        own_pages += len(alone.pages)
    first = top[PdfReader(out / f"{BRIEFS[0]}.pdf").metadata.title]
    assert top["Biographies"] == first + own_pages   # the biographies follow the last brief
    assert total >= top["Biographies"]


def test_contents_outline_labels_and_printed_numbers_agree(built_trip: Path):
    path = built_trip / "output" / f"{BOOK}.pdf"
    reader = PdfReader(path)
    pages = _texts(path)
    total = len(reader.pages)
    assert reader.page_labels == [str(n) for n in range(1, total + 1)]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert "UNCLASSIFIED" in text   # the marking, on every page
    outline = _outline(reader)
    top = [(title, page) for depth, title, page in outline if depth == 0]
    assert [title for title, _ in top] == [
        "Cover", "Contents", "Schedule at a glance",
        "U.S.–Japan Bilateral Meeting, Hiroshima", "U.S.–Japan–Korea Trilateral Meeting, Hiroshima",
        "Biographies"]
    contents = _rows(reader.pages[dict(top)["Contents"] - 1])
    tabs = {title: f"Tab {n} " for n, (title, _) in enumerate(top[3:5], start=1)}
    for title, page in top:
        if title in ("Cover", "Contents"):
            continue
        row = next(row for row in contents if title in row)
        # the tab at the left of a brief's title, the number printed beside the entry
        assert row == f"{tabs.get(title, '')}{title} {page}", (row, page)
    # the contents link to the same pages
    pages_linked = []
    for annotation in reader.pages[dict(top)["Contents"] - 1].get("/Annots") or []:
        destination = annotation.get_object().get("/Dest")
        if destination is not None and not isinstance(destination, str):
            pages_linked.append(reader.get_page_number(destination[0].get_object()) + 1)
    assert sorted(set(pages_linked)) == [page for title, page in top[2:]]
    # a brief's sections are under it, on its pages (page 1 and its annex)
    starts = [page for _, page in top] + [total + 1]
    spans = {title: range(page, starts[i + 1]) for i, (title, page) in enumerate(top)}
    current = None
    for depth, title, page in outline:
        if depth == 0:
            current = title
        elif title in {"Participants", "Key messages", "Agenda", "Sources"}:
            assert current is not None, (title, page)
            assert current.startswith("U.S."), (title, page)
            assert page in spans[current], (title, page)


def test_biographies_list_everyone_once_with_protocol_facts(built_trip: Path):
    path = built_trip / "output" / f"{BOOK}.pdf"
    reader = PdfReader(path)
    outline = _outline(reader)
    bios_start = next(page for depth, title, page in outline if depth == 0 and title == "Biographies")
    people = [title for depth, title, page in outline if depth == 1 and page >= bios_start]
    assert people == ["Joe Biden", "Fumio Kishida 岸田文雄", "Yoon Suk Yeol 윤석열"]
    text = "\n".join(_texts(path)[bios_start - 1:])
    for name in ("Joe Biden", "Fumio Kishida", "Yoon Suk Yeol"):
        assert text.count(name) == 1, name
    assert "FOO-mee-oh kee-SHEE-dah" in text
    assert "family name first" in text
    assert "Prime Minister Kishida" in text


def test_cover_and_schedule_show_dates_places_and_home_time(built_trip: Path):
    reader = PdfReader(built_trip / "output" / f"{BOOK}.pdf")
    pages = _texts(built_trip / "output" / f"{BOOK}.pdf")
    cover, schedule = pages[0], pages[2]
    for fact in ("G7 Summit, Hiroshima", "May 18–21, 2023", "Hiroshima, Japan", "Grand Prince Hotel, Hiroshima",
                 "UNCLASSIFIED", "Briefing staff, from public reporting", "May 18, 2023"):
        assert fact in cover, fact
    rows = _rows(reader.pages[2])
    # the two zones named once, in the head; 19:25 in Hiroshima is 06:25 the same morning
    # in Washington (EDT, UTC-4); each step points to its brief's tab and page
    head = next(row for row in rows if row.endswith("WHAT BRIEF"))
    assert re.sub(r"\( ", "(", head) == "LOCAL (JST) NEW YORK (EDT) WHAT BRIEF"
    assert schedule.count("JST") == 1
    assert schedule.count("EDT") == 1
    top = {title: page for depth, title, page in _outline(reader) if depth == 0}
    bilateral = top["U.S.–Japan Bilateral Meeting, Hiroshima"]
    assert f"19:25 06:25 Bilateral meeting; opening remarks before the press (time Tab 1 · p. {bilateral}" in rows
    trilateral = top["U.S.–Japan–Korea Trilateral Meeting, Hiroshima"]
    assert sum(row.startswith("time TBC") and row.endswith(f"Tab 2 · p. {trilateral}") for row in rows) == 2
    assert "Thursday, May 18, 2023" in schedule
    assert "Sunday, May 21, 2023" in schedule
    assert "Local time, with its zone" not in schedule     # no note: the head says it


def test_the_trip_is_on_the_contents_page_not_a_page_of_its_own(built_trip: Path):
    reader = PdfReader(built_trip / "output" / f"{BOOK}.pdf")
    outline = _outline(reader)
    top = {title: page for depth, title, page in outline if depth == 0}
    assert "The trip" not in {title for _, title, _ in outline}
    contents = _rows(reader.pages[top["Contents"] - 1])
    trip = contents.index("The trip")
    assert contents[trip - 1].startswith("Biographies ")           # under the contents
    assert contents[trip + 1].startswith("President Biden visits Hiroshima, Japan, from May 18 to 21, 2023")
    # cover, contents (with the trip), schedule, the two briefs (two pages each), biographies
    assert [top[title] for title in ("Cover", "Contents", "Schedule at a glance", "Biographies")] == [1, 2, 3, 8]
    assert len(reader.pages) == 8


def test_an_extra_section_keeps_a_page_of_its_own_after_the_schedule(tmp_path: Path):
    root = copy_trip(tmp_path)
    edit(root / "content" / "books" / f"{BOOK}.yaml", "distribution:",
         "sections:\n  - title: Logistics\n    text: The delegation stays at the Grand Prince Hotel.\n\ndistribution:")
    assert run_cli("book", "--root", root).code == 0
    reader = PdfReader(root / "output" / f"{BOOK}.pdf")
    top = [(title, page) for depth, title, page in _outline(reader) if depth == 0]
    assert [title for title, _ in top][:4] == ["Cover", "Contents", "Schedule at a glance", "Logistics"]
    assert dict(top)["Logistics"] == 4
    assert "The delegation stays at the Grand Prince Hotel." in reader.pages[3].extract_text()
    assert "Logistics 4" in _rows(reader.pages[1])
    assert "The trip" in _rows(reader.pages[1])


def test_a_reordered_book_lays_its_briefs_out_again_with_their_new_tabs(tmp_path: Path):
    """A brief's page in the book is kept (output/.briefgen/) under a key that covers its
    tab: after the briefs swap places, each masthead shows its new tab."""
    root = copy_trip(tmp_path)
    book_file = root / "content" / "books" / f"{BOOK}.yaml"
    pdf = root / "output" / f"{BOOK}.pdf"

    def mastheads() -> dict[str, str]:
        reader = PdfReader(pdf)
        top = {title: page for depth, title, page in _outline(reader) if depth == 0}
        return {title: _rows(reader.pages[top[title] - 1])[2] for title in top if title.startswith("U.S.")}

    assert run_cli("book", "--root", root).code == 0
    kept = _kept_parts(root)
    assert mastheads() == {"U.S.–Japan Bilateral Meeting, Hiroshima": "BILATERAL MEETING BRIEF FOR THE PRESIDENT TAB 1",
                           "U.S.–Japan–Korea Trilateral Meeting, Hiroshima": "MEETING BRIEF FOR THE PRESIDENT TAB 2"}
    edit(book_file, f"  - {BRIEFS[0]}\n  - {BRIEFS[1]}\n", f"  - {BRIEFS[1]}\n  - {BRIEFS[0]}\n")
    assert run_cli("book", "--root", root).code == 0
    assert mastheads() == {"U.S.–Japan Bilateral Meeting, Hiroshima": "BILATERAL MEETING BRIEF FOR THE PRESIDENT TAB 2",
                           "U.S.–Japan–Korea Trilateral Meeting, Hiroshima": "MEETING BRIEF FOR THE PRESIDENT TAB 1"}
    again = _kept_parts(root)
    for brief in BRIEFS:
        assert again[f"{BOOK}.brief-{brief}.pdf"] != kept[f"{BOOK}.brief-{brief}.pdf"]


def test_calendar_has_every_timed_item_with_its_zone(built_trip: Path):
    calendar = Calendar.from_ical((built_trip / "output" / f"{BOOK}.ics").read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1  # the only agenda item in the trip with a time
    start = events[0].decoded("dtstart")
    assert start == dt.datetime(2023, 5, 18, 19, 25, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert str(events[0]["summary"]) == "Bilateral meeting; opening remarks before the press"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]


def test_book_html_is_self_contained(built_trip: Path):
    html = (built_trip / "output" / f"{BOOK}.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert html.count('<iframe title="') == len(BRIEFS)
    assert 'sandbox=""' in html
    assert "Schedule at a glance" in html
    assert "Biographies" in html


def test_unchanged_book_is_skipped_and_a_changed_brief_reassembles_it(tmp_path: Path):
    root = copy_trip(tmp_path)
    assert run_cli("book", "--root", root).code == 0
    pdf = root / "output" / f"{BOOK}.pdf"
    before = pdf.read_bytes()
    again = run_cli("book", "--root", root)
    # nothing changed: decided from the book's record alone, without reading the briefs
    assert again.out.splitlines()[0] == f"unchanged content/books/{BOOK}.yaml"
    edit(root / "content" / f"{BRIEFS[1]}.yaml", "title: Trilateral meeting", "title: Trilateral leaders' meeting")
    changed = run_cli("book", "--root", root)
    assert changed.code == 0, changed.err
    lines = changed.out.splitlines()
    assert lines[0] == f"unchanged content/{BRIEFS[0]}.yaml"
    assert lines[1].startswith(f"built     output/{BRIEFS[1]}.html")   # only the changed brief
    assert lines[2].startswith(f"built     output/{BOOK}.html, output/{BOOK}.pdf, output/{BOOK}.ics")
    assert pdf.read_bytes() != before
    assert "Trilateral leaders’ meeting" in "\n".join(_texts(pdf))   # typed straight, printed curly


def _kept_parts(root: Path) -> dict[str, int]:
    """The book's own parts as kept beside the outputs: name -> when last written (ns)."""
    folder = root / "output" / ".briefgen"
    return {path.name: path.stat().st_mtime_ns for path in folder.glob(f"{BOOK}.*.pdf")}


def test_a_change_inside_a_brief_lays_out_none_of_the_book_s_own_pages_again(tmp_path: Path):
    """A new deliverable status leaves cover, schedule, biographies and footer as they were:
    they are taken as kept, the book is only joined again, and it holds the change. A change
    to an agenda item's title makes the schedule again (and the front, whose page numbers
    do not move, stays). A kept part that is not what its record says is not used."""
    root = copy_trip(tmp_path)
    assert run_cli("book", "--root", root).code == 0
    pdf = root / "output" / f"{BOOK}.pdf"
    first = _kept_parts(root)
    assert set(first) == {f"{BOOK}.{name}.pdf" for name in ("front", "middle", "biographies", "footer",
                                                            *(f"brief-{brief}" for brief in BRIEFS))}
    assert "CONFIRMED" not in "\n".join(_texts(pdf)).upper()

    edit(root / "content" / f"{BRIEFS[1]}.yaml", "    title: A further meeting in Washington\n    status: announced",
         "    title: A further meeting in Washington\n    status: confirmed")
    code = ("import sys; from briefgen.cli.main import main; "
            "code = main(['book', '--root', sys.argv[1]]); print('weasyprint' in sys.modules, code)")
    run = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    assert run.stdout.splitlines()[-1] == "False 0"       # the brief is laid out by a worker
    changed = f"{BOOK}.brief-{BRIEFS[1]}.pdf"              # the changed brief, with its tab, again
    assert _kept_parts(root)[changed] != first[changed]
    assert {k: v for k, v in _kept_parts(root).items() if k != changed} == {
        k: v for k, v in first.items() if k != changed}    # and nothing else of the book's again
    assert "CONFIRMED" in "\n".join(_texts(pdf)).upper()

    edit(root / "content" / f"{BRIEFS[1]}.yaml", "title: Trilateral meeting", "title: Trilateral leaders' meeting")
    assert run_cli("book", "--root", root).code == 0
    again = _kept_parts(root)
    assert again[f"{BOOK}.middle.pdf"] != first[f"{BOOK}.middle.pdf"]           # the schedule
    assert again[f"{BOOK}.biographies.pdf"] == first[f"{BOOK}.biographies.pdf"]
    schedule = _texts(pdf)[2]
    assert "Trilateral leaders’ meeting" in schedule

    kept = root / "output" / ".briefgen" / f"{BOOK}.middle.pdf"
    kept.write_bytes((root / "output" / ".briefgen" / f"{BOOK}.biographies.pdf").read_bytes())
    edit(root / "content" / f"{BRIEFS[1]}.yaml", "status: confirmed", "status: announced")
    assert run_cli("book", "--root", root).code == 0
    assert "Schedule at a glance" in _texts(pdf)[2]       # the swapped file was not used


def test_build_builds_books_too(tmp_path: Path):
    root = copy_trip(tmp_path)
    result = run_cli("build", "--root", root)
    assert result.code == 0, result.err
    assert (root / "output" / f"{BOOK}.pdf").is_file()
    assert result.out.splitlines()[-1].startswith("3 built, 0 unchanged, 0 failed")


def test_a_book_whose_brief_does_not_build_gets_its_errors_and_no_book(tmp_path: Path):
    root = copy_trip(tmp_path)
    assert run_cli("book", "--root", root).code == 0
    pdf = root / "output" / f"{BOOK}.pdf"
    before = pdf.read_bytes()
    brief = root / "content" / f"{BRIEFS[0]}.yaml"
    edit(brief, "    role: principal", "    role: chief")
    result = run_cli("book", "--root", root)
    assert result.code == 1
    assert (f"content/{BRIEFS[0]}.yaml:26:11: error: `role` must be one of host, principal, delegation, "
            "staff, guest; got 'chief' (participants[0].role)") in result.err
    assert (f"content/books/{BOOK}.yaml:15:5: error: brief `{BRIEFS[0]}` has errors (above), so the "
            "book cannot be built (briefs[0])") in result.err
    assert pdf.read_bytes() == before   # the last good book stays


def test_a_brief_that_overflows_stops_the_book(tmp_path: Path):
    root = copy_trip(tmp_path)
    brief = root / "content" / f"{BRIEFS[1]}.yaml"
    # Page 1 must hold it: an empty annex keeps the background there.
    edit(brief, "background: |\n", "annex: []\nbackground: |\n" + "  A long paragraph of background. " * 140 + "\n\n")
    result = run_cli("book", "--root", root)
    assert result.code == 1
    assert re.search(rf"content/{BRIEFS[1]}\.yaml:\d+:1: error: the brief does not fit on one page", result.err)
    assert (f"content/books/{BOOK}.yaml:16:5: error: brief `{BRIEFS[1]}` did not build, so the book was "
            "not built (briefs[1])") in result.err
    assert not (root / "output" / f"{BOOK}.pdf").exists()


def test_sample_trip_checks_clean():
    result = run_cli("check", "--root", REPO)
    assert result.code == 0, result.err
    assert result.err == ""
    assert re.fullmatch(r"checked \d+ briefs, 1 book: 0 errors, 0 warnings\n", result.out)


# --- email ---------------------------------------------------------------------------------

@pytest.fixture
def smtp(monkeypatch, tmp_path):
    """A real SMTP server on 127.0.0.1, and only its settings in the environment."""
    for name in [n for n in os.environ if n.startswith("BRIEFGEN_")]:
        monkeypatch.delenv(name)
    config_home(monkeypatch, tmp_path / "config")
    monkeypatch.setenv("BRIEFGEN_MAIL_FROM", "Briefing Staff <briefs@example.org>")
    handler = ScriptedHandler()
    controller = start_server(handler)
    monkeypatch.setenv("BRIEFGEN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BRIEFGEN_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("BRIEFGEN_SMTP_TLS", "none")
    yield handler
    controller.stop()


def test_email_sends_the_book_with_its_calendar_once(built_trip: Path, smtp):
    result = run_cli("email", BOOK, "--root", built_trip, "--send")
    assert result.code == 0, result.err
    assert "delivered     to   principal.office@example.org" in result.out
    assert "delivered     cc   trip.lead@example.org" in result.out
    [received] = smtp.received
    message = received.message
    assert message["Subject"] == "[UNCLASSIFIED] G7 Summit, Hiroshima, May 18–21, 2023"
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf",
        "text/calendar"]
    pdf, calendar = list(message.iter_attachments())
    assert pdf.get_filename() == f"{BOOK}.pdf"
    assert pdf.get_content() == (built_trip / "output" / f"{BOOK}.pdf").read_bytes()
    assert Calendar.from_ical(calendar.get_content()).walk("VEVENT")[0]["summary"] == (
        "Bilateral meeting; opening remarks before the press")
    text = message.get_body(("plain",)).get_content()
    assert "Local (JST) [New York (EDT)]" in text.splitlines()     # the zones once, as on the page
    assert re.search(r"19:25 \[06:25\] +Bilateral meeting", text), text
    top = {title: page for depth, title, page in _outline(PdfReader(built_trip / "output" / f"{BOOK}.pdf"))
           if depth == 0}
    for title in ("U.S.–Japan Bilateral Meeting, Hiroshima", "U.S.–Japan–Korea Trilateral Meeting, Hiroshima",
                  "Biographies"):
        assert f"{title}, page {top[title]}" in text, (title, top, text)   # the pages the PDF has
    assert "Tab 2: U.S.–Japan–Korea Trilateral Meeting, Hiroshima" in text
    html = message.get_body(("html",)).get_content()
    assert "<iframe" not in html
    assert "Biographies" in html
    again = run_cli("email", BOOK, "--root", built_trip, "--send")
    assert again.code == 0
    assert "already sent  to   principal.office@example.org" in again.out
    assert len(smtp.received) == 1   # no second send
    (built_trip / "output" / f"{BOOK}.sent.json").unlink()


# --- preview -------------------------------------------------------------------------------

def test_preview_lists_books_and_reassembles_them_when_a_brief_is_built(tmp_path: Path):
    import threading

    from briefgen.preview.state import ChangeFeed, Preview
    from briefgen.workflows.brief import Project, build_brief

    root = copy_trip(tmp_path)
    project = Project.at(root)
    feed = ChangeFeed()
    events = feed.subscribe()
    preview = Preview(project, feed, lambda path, **kw: build_brief(project, path, **kw))
    preview.refresh_all()
    [book] = preview.all_books()
    assert (book["book"], book["title"], book["briefs"]) == (BOOK, "G7 Summit, Hiroshima", BRIEFS)
    thread = threading.Thread(target=preview.build_pdfs_until_stopped, daemon=True)
    thread.start()
    try:
        def wait_for_book_built() -> None:
            while True:
                event = events.get(timeout=180)
                if event["brief"] == BOOK and preview.all_books()[0]["status"] != "building":
                    return
        wait_for_book_built()
        assert preview.all_books()[0]["status"] == "built"
        pdf = preview.book_pdf_path(BOOK)
        assert pdf is not None
        brief = root / "content" / f"{BRIEFS[1]}.yaml"
        edit(brief, "title: Trilateral meeting", "title: Trilateral meeting (preview)")
        preview.files_changed([brief])
        wait_for_book_built()
        assert "Trilateral meeting (preview)" in "\n".join(_texts(pdf))
    finally:
        preview.stop()
        thread.join(timeout=60)


def test_noop_build_of_a_book_imports_neither_weasyprint_nor_pydantic(tmp_path: Path):
    root = copy_trip(tmp_path)
    assert run_cli("build", "--root", root).code == 0
    code = ("import sys; from briefgen.cli.main import main; "
            "code = main(['build', '--root', sys.argv[1]]); "
            "print('weasyprint' in sys.modules, 'pydantic' in sys.modules, code)")
    run = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    assert run.stdout.splitlines()[-1] == "False False 0"
    assert run.stdout.splitlines()[-2].startswith("0 built, 3 unchanged, 0 failed")


def test_overlapping_items_warn_and_fail_with_strict(tmp_path: Path):
    root = copy_trip(tmp_path)
    edit(root / "content" / f"{BRIEFS[1]}.yaml", "  - date: 2023-05-21\n    title: Trilateral meeting",
         '  - date: 2023-05-18\n    time: "19:25"\n    title: Trilateral meeting')
    warning = (f"content/books/{BOOK}.yaml:16:5: warning: agenda item 'Trilateral meeting' of brief "
               f"`{BRIEFS[1]}` starts at the same time (2023-05-18 19:25 JST) as 'Bilateral meeting; opening "
               f"remarks before the press' of brief `{BRIEFS[0]}`; is the schedule right? (briefs[1])")
    strict = run_cli("build", "--root", root, "--strict")
    assert strict.code == 1
    assert warning in strict.err
    assert f"content/books/{BOOK}.yaml: error: warnings are errors with --strict" in strict.err
    assert not (root / "output" / f"{BOOK}.pdf").exists()
    relaxed = run_cli("book", "--root", root)
    assert relaxed.code == 0, relaxed.err
    assert warning in relaxed.err
    calendar = Calendar.from_ical((root / "output" / f"{BOOK}.ics").read_bytes())
    assert len(calendar.walk("VEVENT")) == 2


def test_without_a_timezone_the_calendar_has_floating_times_and_no_home_column(tmp_path: Path):
    from briefgen.render.book import PagePlan, book_view, render_book_part
    from briefgen.render.calendar import book_calendar
    from briefgen.workflows.book import check_book
    from briefgen.workflows.brief import Project

    root = copy_trip(tmp_path)
    book_file = root / "content" / "books" / f"{BOOK}.yaml"
    edit(book_file, "timezone: Asia/Tokyo\nhome_timezone: America/New_York\n", "")
    checked, result = check_book(Project.at(root), book_file)
    assert checked is not None, result.errors
    calendar = Calendar.from_ical(book_calendar(checked.book, checked.briefs))
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == dt.datetime(2023, 5, 18, 19, 25)   # floating: no zone
    assert calendar.walk("VTIMEZONE") == []
    view = book_view(checked.book, checked.briefs, PagePlan(3, (), (4, 6), 8, 8))
    html = render_book_part(view, "middle")
    assert "Home</th>" not in html
    assert 'class="zones"' not in html


def test_a_trip_across_time_zones_is_ordered_by_instant_and_overlaps_use_durations(tmp_path: Path):
    """One item in Los Angeles time, on the evening of the Hiroshima bilateral: the schedule
    orders them by the moment they start, labels each with its zone, and the calendar gives
    each its own zone. Five minutes after the bilateral's start overlaps only when the
    bilateral lasts that long."""
    from briefgen.content.book_checks import overlap_warnings
    from briefgen.render.book import PagePlan, book_view
    from briefgen.render.calendar import book_calendar
    from briefgen.workflows.book import check_book
    from briefgen.workflows.brief import Project

    root = copy_trip(tmp_path)
    # 03:30 in Los Angeles on May 18 (PDT, UTC-7) is 19:30 in Hiroshima (JST, UTC+9)
    edit(root / "content" / f"{BRIEFS[1]}.yaml", "  - date: 2023-05-21\n    title: Trilateral meeting",
         '  - date: 2023-05-18\n    time: "03:30"\n    timezone: America/Los_Angeles\n'
         '    title: Trilateral meeting')
    book_file = root / "content" / "books" / f"{BOOK}.yaml"
    project = Project.at(root)

    checked, result = check_book(project, book_file)
    assert checked is not None, result.errors
    assert overlap_warnings(checked.book, checked.briefs) == []      # no duration: 19:25 and 19:30 do not meet
    view = book_view(checked.book, checked.briefs, PagePlan(3, (), (4, 6), 8, 8))
    [thursday] = [day for day in view["schedule"] if day["day"] == "Thursday, May 18, 2023"]
    # two local zones: each row names its own; one home zone, named once in the head
    assert [(row["time"], row["home_time"]) for row in thursday["entries"][:2]] == [
        ("19:25 JST", "06:25"), ("03:30 PDT", "06:30")]
    assert (view["local_heading"], view["home_heading"]) == ("Local", "New York (EDT)")
    assert view["zones_note"] == "Local time, with its zone; home time: New York."
    calendar = Calendar.from_ical(book_calendar(checked.book, checked.briefs))
    starts = sorted(event.decoded("dtstart") for event in calendar.walk("VEVENT"))
    assert starts[1] - starts[0] == dt.timedelta(minutes=5)
    assert {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")} == {"Asia/Tokyo", "America/Los_Angeles"}

    edit(root / "content" / f"{BRIEFS[0]}.yaml", '    time: "19:25"\n', '    time: "19:25"\n    duration: 1 h\n')
    checked, result = check_book(project, book_file)
    assert checked is not None, result.errors
    [warning] = overlap_warnings(checked.book, checked.briefs)
    assert warning.severity == "warning"
    assert warning.message == (
        f"agenda item 'Trilateral meeting' of brief `{BRIEFS[1]}` starts at 2023-05-18 03:30 PDT, while "
        f"'Bilateral meeting; opening remarks before the press' of brief `{BRIEFS[0]}` "
        "(2023-05-18 19:25 JST–20:25) is still on; is the schedule right?")
    [bilateral] = [e for e in Calendar.from_ical(book_calendar(checked.book, checked.briefs)).walk("VEVENT")
                   if str(e["summary"]).startswith("Bilateral")]
    assert bilateral.decoded("dtend") - bilateral.decoded("dtstart") == dt.timedelta(hours=1)


def test_bookmarks_are_the_headings_own_text_without_the_owners_line(tmp_path: Path):
    """Deliverables that share their owners print them beside the heading ("Owners: ...");
    the bookmark of that section is the heading alone, in the brief and in the book."""
    root = copy_trip(tmp_path)
    edit(root / "content" / f"{BRIEFS[1]}.yaml", "    owners: [biden]\n", "    owners: [biden, kishida, yoon]\n")
    result = run_cli("book", "--root", root, BOOK)
    assert result.code == 0, result.err
    for name in (BRIEFS[1], BOOK):
        titles = [title for _, title, _ in _outline(PdfReader(root / "output" / f"{name}.pdf"))]
        assert "Deliverables" in titles, (name, titles)
        assert not [title for title in titles if "Owners" in title], (name, titles)
    html = (root / "output" / f"{BRIEFS[1]}.html").read_text(encoding="utf-8")
    assert "Owners: Biden, Kishida, Yoon" in html   # the owners line is still printed


def test_each_calendar_event_keeps_its_own_zone_and_only_items_without_one_float(tmp_path: Path):
    """Item, event, book, in that order: an item with no zone anywhere floats alone (with a
    warning at its line and 'time zone not given' on the schedule), and does not make the
    book's other items float (imported in Sydney, the summit would be hours off)."""
    from briefgen.render.book import PagePlan, book_view
    from briefgen.render.calendar import book_calendar
    from briefgen.workflows.book import check_book
    from briefgen.workflows.brief import Project

    root = copy_trip(tmp_path)
    book_file = root / "content" / "books" / f"{BOOK}.yaml"
    trilateral = root / "content" / f"{BRIEFS[1]}.yaml"
    edit(book_file, "timezone: Asia/Tokyo\n", "")
    edit(trilateral, "  date: 2023-05-21\n  location:", "  date: 2023-05-21\n  timezone: Asia/Tokyo\n  location:")
    edit(trilateral, "  - date: 2023-05-21\n    title: Prime Minister",
         '  - date: 2023-05-21\n    time: "09:00"\n    timezone: Asia/Seoul\n    title: Prime Minister')
    edit(trilateral, "  - date: 2023-05-21\n    title: Trilateral meeting",
         '  - date: 2023-05-21\n    time: "15:00"\n    title: Trilateral meeting')

    def starts() -> dict[str, tuple[dt.datetime, str | None]]:
        checked, result = check_book(Project.at(root), book_file)
        assert checked is not None, result.errors
        calendar = Calendar.from_ical(book_calendar(checked.book, checked.briefs))
        found = {}
        for event in calendar.walk("VEVENT"):
            tzid = event["dtstart"].params.get("TZID")
            found[str(event["summary"]).split(";")[0]] = (event.decoded("dtstart"), tzid and str(tzid))
        return found

    assert starts() == {
        "Bilateral meeting": (dt.datetime(2023, 5, 18, 19, 25), None),      # no zone anywhere: floating
        "Prime Minister Kishida and President Yoon meet bilaterally": (
            dt.datetime(2023, 5, 21, 9, 0, tzinfo=ZoneInfo("Asia/Seoul")), "Asia/Seoul"),   # the item's
        "Trilateral meeting": (dt.datetime(2023, 5, 21, 15, 0, tzinfo=ZoneInfo("Asia/Tokyo")), "Asia/Tokyo"),
    }
    checked, result = check_book(Project.at(root), book_file)
    assert [d.format() for d in result.diagnostics if "time zone" in d.message] == [
        f"content/{BRIEFS[0]}.yaml:32:11: warning: agenda item 1 ('Bilateral meeting; opening remarks before "
        "the press') has a time but no time zone (none on the item, its event or its book), so the "
        "book's calendar shows 19:25 on whatever clock it is opened; add `timezone` to the item or the "
        "event, or to the book (agenda[0].time)"]
    assert checked is not None
    view = book_view(checked.book, checked.briefs, PagePlan(3, (), (4, 6), 8, 8))
    times = {row["title"].split(";")[0]: row["time"] for day in view["schedule"] for row in day["entries"]}
    assert times["Bilateral meeting"] == "19:25, time zone not given"
    assert times["Trilateral meeting"] == "15:00 JST"
    checked_cli = run_cli("check", "--root", root)
    assert f"content/{BRIEFS[0]}.yaml:32:11: warning: agenda item 1" in checked_cli.err

    # the book's zone, for the item that has none of its own or its event's
    edit(book_file, "home_timezone:", "timezone: Asia/Shanghai\nhome_timezone:")
    assert starts()["Bilateral meeting"] == (dt.datetime(2023, 5, 18, 19, 25, tzinfo=ZoneInfo("Asia/Shanghai")),
                                             "Asia/Shanghai")
    assert starts()["Trilateral meeting"][1] == "Asia/Tokyo"


def test_the_book_s_banner_has_the_colours_its_briefs_scheme_gives_its_marking(tmp_path: Path):
    """The same marking in one colour and size on the book's pages and its briefs' (the book
    used to print UK OFFICIAL as a marking it did not know; the UK scheme's banner is 12 pt
    black text, no filled bar)."""
    from briefgen.render.book import PagePlan, book_view, render_book_part
    from briefgen.render.html import render_html
    from briefgen.workflows.book import check_book
    from briefgen.workflows.brief import Project

    root = copy_trip(tmp_path)
    for brief in BRIEFS:
        edit(root / "content" / f"{brief}.yaml", "classification: UNCLASSIFIED\n",
             "classification: OFFICIAL\nmarkings:\n  scheme: uk\n  default: OFFICIAL\n")
    book_file = root / "content" / "books" / f"{BOOK}.yaml"
    edit(book_file, "classification: UNCLASSIFIED", "classification: OFFICIAL")
    checked, result = check_book(Project.at(root), book_file)
    assert checked is not None, result.errors
    brief_banner = re.search(r'<div class="banner banner-top[^"]*"[^>]*>', render_html(checked.briefs[0]))
    assert brief_banner is not None
    assert 'style="color: #000000; font-size: 12pt"' in brief_banner.group(0)
    assert "background" not in brief_banner.group(0)
    book_html = render_book_part(book_view(checked.book, checked.briefs, PagePlan(3, (), (4, 6), 8, 8)), "middle")
    book_banner = re.search(r'<div class="banner banner-top[^"]*"[^>]*>', book_html)
    assert book_banner is not None
    assert book_banner.group(0) == brief_banner.group(0), book_banner.group(0)
