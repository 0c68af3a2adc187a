"""The briefing sections on the page, in the text and in the schedule: bottom line, objectives,
decisions, points to make, if-raised lines, press line, and the agenda as a scenario.

The pages are real WeasyPrint PDFs read back with pypdf; the bottom line's limit is measured on
real layouts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_ID, edit, run_cli
from pdf_utils import embedded_fonts, pdf_text
from pypdf import PdfReader

from briefgen.content.models import AgendaItem, Point
from briefgen.content.schedule import (
    clash_problems,
    clock_labels,
    duration_minutes,
    slots,
)
from briefgen.content.sourcemap import ContentText
from briefgen.errors import ContentError, Diagnostic
from briefgen.render.html import point_groups
from briefgen.render.pdf import lay_out, line_limit_problems, printed_lines, write_pdf
from briefgen.render.text import brief_text
from briefgen.workflows.brief import Project, check_brief, prepare_brief

SECOND_ID = "woodside-2023"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


# --- the second sample: every section on page 1 ------------------------------------------

def test_second_sample_is_one_page_with_every_briefing_section(sample_build: Path):
    pdf = sample_build / f"{SECOND_ID}.pdf"
    pages = PdfReader(pdf).pages
    assert 2 <= len(pages) <= 4, "page 1, and the annex the brief asks for (agenda, if raised, press line...)"
    page_one = _flat(pages[0].extract_text())
    for first in ("BOTTOM LINE", "OBJECTIVES", "DECISIONS", "POINTS TO MAKE", "To Xi Jinping"):
        assert first in page_one, first
    text = _flat(pdf_text(pdf))
    for expected in [
        "BOTTOM LINE", "The first meeting of the two leaders in a year.",
        "OBJECTIVES", "Make sure the two militaries “still have contact with one another.”",
        "DECISIONS", "Agree to restore talks under the Military Maritime Consultative",
        "Approve", "Disapprove", "Agree", "Disagree", "Discuss", "DECISION NEEDED BY NOVEMBER 15, 2023",
        "POINTS TO MAKE", "To Xi Jinping", "IF RAISED",
        "Is the United States trying to decouple from China?", "PRESS LINE", "IF PRESSED",
        "Xi Jinping", "习近平", "Wang Yi", "王毅",
    ]:
        assert expected in text, expected
    assert text.count("UNCLASSIFIED") == 2 * len(pages)     # top and bottom of every page


def _heights(pdf: Path) -> dict[str, float]:
    """Where each run of text starts on page 1, as its distance from the top of the page."""
    page = PdfReader(pdf).pages[0]
    top = float(page.mediabox.top)
    found: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.setdefault(text.strip(), top - (tm[5] * cm[3] + cm[5]))
    page.extract_text(visitor_text=visit)
    return found


def test_each_if_raised_question_and_its_line_are_apart_on_the_page(sample_build: Path):
    """The question and its LINE label sit on one line: a space between them, in what is
    seen and in what is read (a screen reader, a copy and paste)."""
    text = pdf_text(sample_build / f"{SAMPLE_ID}.pdf")
    # The line starts a line of its own under the question: apart, in what is read too.
    assert "American adversaries? LINE The" in _flat(text)
    assert "consult an alliance? LINE It is not" in _flat(text)
    assert not re.search(r"\?LINE", text)


def test_chinese_names_are_set_in_a_simplified_chinese_face(sample_build: Path):
    fonts = embedded_fonts(sample_build / f"{SECOND_ID}.pdf")
    chinese = next(chars for name, chars in fonts.items() if "CJK-SC" in name)
    assert set("习近平王毅") <= chinese


def test_page_one_opens_with_bottom_line_then_the_decision_then_objectives(sample_build: Path):
    """Decision first: the masthead, the bottom line, the decision box, then the objectives
    and the points; the purpose paragraph leaves page 1 when there is a bottom line."""
    heights = _heights(sample_build / f"{SECOND_ID}.pdf")

    def y(marker: str) -> float:
        return next(height for text, height in heights.items() if text.startswith(marker))
    order = ["Meeting with President Xi Jinping", "BOTTOM LINE", "DECISIONS", "OBJECTIVES",
             "POINTS TO MAKE", "PARTICIPANTS"]     # page 1; the rest is in the annex
    assert [y(marker) for marker in order] == sorted(y(marker) for marker in order)
    assert y("DECISIONS") < 72 * 3, "the decision starts in the top third of the page"
    assert not any(text.startswith("The leaders discuss") for text in heights), "the purpose is in the annex"


def test_agenda_shows_local_and_home_time_duration_press_lead_and_speakers(sample_build: Path):
    text = _flat(pdf_text(sample_build / f"{SECOND_ID}.pdf"))
    for expected in ["11:20 PST", "14:20 EST home", "4 h", "Pool spray", "Lead: Biden",
                     "Speaking order: Biden, Xi", "Open press"]:
        assert expected in text, expected


def test_decisions_print_a_box_to_tick_per_option(sample_build: Path):
    html = (sample_build / f"{SECOND_ID}.html").read_text()
    decisions = re.findall(r'<div class="decision" .*?</ul>', html, flags=re.DOTALL)
    assert [d.count('class="tick-box"') for d in decisions] == [2, 3]


def test_addressed_points_are_grouped_by_interlocutor_in_their_order():
    points = [Point(text="General one."), Point(text="To Xi, first.", to="xi"),
              Point(text="General two."), Point(text="To Wang.", to="wang-yi"),
              Point(text="To Xi, second.", to="xi")]
    groups = [(to, [p.text for p in listed]) for to, listed in point_groups(points)]
    assert groups == [(None, ["General one.", "General two."]),
                      ("xi", ["To Xi, first.", "To Xi, second."]), ("wang-yi", ["To Wang."])]


def test_each_section_is_a_separable_block_with_its_data_section(sample_build: Path):
    html = (sample_build / f"{SECOND_ID}.html").read_text()
    for section in ("Bottom line", "Objectives", "Decisions", "Points to make", "If raised",
                    "Press line"):
        assert html.count(f'data-section="{section}"') == 1, section


def test_camp_david_carries_the_officials_objectives_and_if_raised_lines(sample_build: Path):
    pdf = sample_build / f"{SAMPLE_ID}.pdf"
    page_one = _flat(PdfReader(pdf).pages[0].extract_text())
    assert "BOTTOM LINE" in page_one, "the principal's lines are on page 1"
    assert "IF RAISED" in page_one, "the principal's lines are on page 1"
    text = _flat(pdf_text(pdf))
    for expected in ["BOTTOM LINE", "OBJECTIVES", "a really fundamental way",
                     "“defining trilateral relationship for the 21st century.”", "IF RAISED",
                     "not about “isolating China”", "Is the commitment to consult an alliance?",
                     "not intended to be an “alliance” or a “collective defense” treaty"]:
        assert expected in text, expected


# --- the bottom line's limit, measured after layout ----------------------------------------

def _bottom_line_page(lines: int) -> str:
    body = "<br>".join(f"line {n}" for n in range(1, lines + 1))
    return ('<html><body><section class="bottom-line" data-section="Bottom line"><p>'
            f"{body}</p></section><ol><li>not counted</li></ol></body></html>")


@pytest.mark.parametrize(("lines", "problems"), [(4, 0), (5, 1)])
def test_at_most_four_printed_lines(tmp_path: Path, lines: int, problems: int):
    source = ContentText(tmp_path / "brief.yaml", "content/brief.yaml", (), (("bottom_line", 7, 1),))
    document = lay_out(_bottom_line_page(lines), source, (tmp_path,)).document
    assert printed_lines(document, "Bottom line") == lines
    found = line_limit_problems(document, source)
    assert len(found) == problems
    if found:
        assert found[0] == Diagnostic("content/brief.yaml", 7, 1, "error", found[0].message)
        assert found[0].kind == "overflow"
        assert found[0].key_path == "bottom_line"
        assert found[0].message.startswith("`bottom_line` takes 5 printed lines on page 1")


def test_a_long_bottom_line_fails_the_build_at_its_key_and_writes_nothing(full_project: Path):
    brief = full_project / "content" / f"{SECOND_ID}.yaml"
    edit(brief, "  [@wh-announcement].\n\nevent:",
         "  [@wh-announcement]. " + "Both sides have managed expectations. " * 9 + "\n\nevent:")
    result = run_cli("build", "--root", full_project, brief)
    line = _line_of(brief, "bottom_line:")
    assert result.code == 1
    assert re.search(rf"^content/{SECOND_ID}\.yaml:{line}:1: error: `bottom_line` takes \d printed "
                     r"lines on page 1; a bottom line up front is read at a glance, so it may take "
                     r"at most 4: shorten it \(bottom_line\)$", result.err, flags=re.MULTILINE), result.err
    assert not (full_project / "output" / f"{SECOND_ID}.pdf").exists()


def test_the_limit_is_reported_as_an_overflow_diagnostic(full_project: Path):
    brief = full_project / "content" / f"{SECOND_ID}.yaml"
    edit(brief, "  [@wh-announcement].\n\nevent:",
         "  [@wh-announcement]. " + "Both sides have managed expectations. " * 9 + "\n\nevent:")
    result, prepared = prepare_brief(Project.at(full_project), brief)
    assert prepared is not None, result.errors
    with pytest.raises(ContentError) as raised:
        write_pdf(prepared.html, prepared.source, Project.at(full_project).asset_roots)
    kinds = {(d.key_path, d.kind) for d in raised.value.diagnostics}
    assert ("bottom_line", "overflow") in kinds


# --- plain text and email -------------------------------------------------------------------

def test_plain_text_opens_with_the_bottom_line_and_keeps_the_page_order(full_project: Path):
    validated, result = check_brief(Project.at(full_project), full_project / "content" / f"{SECOND_ID}.yaml")
    assert validated is not None, result.errors
    text = brief_text(validated, f"{SECOND_ID}.pdf")
    lines = text.splitlines()
    assert lines[0] == "UNCLASSIFIED"
    assert lines[2].startswith("BOTTOM LINE: The first meeting")
    order = ["BOTTOM LINE:", "MEETING WITH PRESIDENT XI JINPING", "OBJECTIVES", "DECISIONS",
             "PARTICIPANTS", "POINTS TO MAKE", "IF RAISED", "PRESS LINE", "AGENDA", "SOURCES"]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "  [ ] Approve   [ ] Disapprove\n" in text
    assert "To Xi Jinping, President of the People’s Republic of China:\n" in text
    assert "If pressed: " in text
    assert "Wed Nov 15 11:20 PST (14:20 EST home): Opening remarks" in _flat(text)
    assert "4 h · Pool spray · Lead: Biden · Speaking order: Biden, Xi" in _flat(text)
    assert all(len(line) <= 72 for line in lines if " " in line.strip())


# --- times, zones and clashes ---------------------------------------------------------------

def _item(**fields) -> AgendaItem:
    return AgendaItem(title="Item", **fields)


def test_clock_labels_show_the_home_zone_only_where_the_clock_differs():
    day = dt.date(2023, 11, 15)
    assert clock_labels(day, _item(time="11:20"), "America/Los_Angeles", "America/New_York") == \
        ("11:20 PST", "14:20 EST")
    assert clock_labels(day, _item(time="11:20"), "America/New_York", "America/New_York") == \
        ("11:20 EST", "")
    assert clock_labels(dt.date(2023, 7, 4), _item(time="09:00", timezone="Asia/Tokyo"),
                        "America/Los_Angeles", "America/New_York") == ("09:00 JST", "Mon 20:00 EDT")
    assert clock_labels(day, _item(time="11:20"), None, "America/New_York") == ("11:20", "")


def test_durations_read_as_minutes():
    assert [duration_minutes(d) for d in ("45 min", "1 h", "1 h 30 min", "90 min")] == [45, 60, 90, 90]


def test_items_in_different_zones_are_compared_as_instants():
    day = dt.date(2023, 11, 15)
    # 09:00 in Tokyo is 19:00 the day before in New York: a 19:30 New York call starts during it.
    items = [(0, _item(time="09:00", duration="1 h", timezone="Asia/Tokyo")),
             (1, _item(time="19:30", timezone="America/New_York", date=dt.date(2023, 11, 14)))]
    found = clash_problems(slots(items, day, None), lambda where, message: message)
    assert found == [("`duration` 1 h runs to 10:00, past the start of the next item (item 2, "
                      "09:30); shorten it or move that item")]


def test_every_sample_checks_clean_under_strict():
    result = run_cli("check", "--root", REPO, "--strict")
    assert (result.code, result.err) == (0, "")
