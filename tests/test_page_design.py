"""The principal's page as designed (issue 23, docs/page-spec): read back from the PDFs of
every sample, of two briefs written for meetings the samples do not cover (a one-person
courtesy call; a twelve-member board with a decision, on A4), and of the sample book."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import BOOK, REPO, run_cli
from pdf_utils import (
    drawn_characters,
    filled_rectangles,
    marks_bounds,
    page_count,
    percentile,
    printed_lines,
)

DESIGN = Path(__file__).parent / "design"
SAMPLES = sorted(p.stem for p in (REPO / "content").glob("*.yaml"))
FIXTURES = sorted(p.stem for p in (DESIGN / "content").glob("*.yaml"))
EDGE_INCHES = 0.35
FRAME_INCHES = 0.75      # the live area starts at least this far from the top and bottom
LONGEST_LINE = 88        # characters, 95th percentile of page 1's lines
BANNER_ZONE = 0.65       # inches from the top and bottom edges: the banners' line


@pytest.fixture(scope="module")
def briefs(tmp_path_factory, sample_build: Path) -> dict[str, Path]:
    """Every sample brief's PDF and the two fixtures', by id."""
    root = tmp_path_factory.mktemp("design")
    shutil.copytree(DESIGN / "content", root / "content")
    result = run_cli("build", "--root", root)
    assert result.code == 0, result.err
    return {**{s: sample_build / f"{s}.pdf" for s in SAMPLES},
            **{f: root / "output" / f"{f}.pdf" for f in FIXTURES}}


ALL = SAMPLES + FIXTURES


def _live(chars: list[dict], height: float) -> list[dict]:
    """The characters of the live area: banners and footer left out."""
    return [c for c in chars if c["top"] > FRAME_INCHES * 72 and c["bottom"] < height - FRAME_INCHES * 72]


def _height(pdf: Path) -> float:
    return marks_bounds(pdf)[1]


@pytest.mark.parametrize("brief", ALL)
def test_page_one_lines_keep_a_readable_measure(briefs, brief):
    lengths = [len(line) for line in printed_lines(briefs[brief]) if len(line) > 20]
    assert percentile(lengths, 0.95) <= LONGEST_LINE, sorted(lengths)[-5:]


def _collisions(pdf: Path, page: int) -> list[str]:
    """Characters on one baseline drawn over each other (a label wider than its column)."""
    rows: dict[int, list[dict]] = {}
    for char in drawn_characters(pdf, page):
        rows.setdefault(round(char["bottom"]), []).append(char)
    found = []
    for row in rows.values():
        row.sort(key=lambda c: c["left"])
        for before, after in pairwise(row):
            if abs(before["size"] - after["size"]) < 0.1 \
                    and after["left"] < before["right"] - 0.5 * (before["right"] - before["left"]):
                found.append(f"{before['char']}{after['char']} at {after['left']:.0f},{after['bottom']:.0f}")
    return found


@pytest.mark.parametrize("brief", ALL)
def test_no_text_is_drawn_over_other_text_on_any_page(briefs, brief):
    """Every page, annex included: before, the agenda's 'Wed Nov 15 11:20 PST' ran out of its
    column and over the item's title."""
    for page in range(page_count(briefs[brief])):
        assert _collisions(briefs[brief], page) == [], (brief, page + 1)


@pytest.mark.parametrize("brief", ALL)
def test_page_one_uses_five_type_sizes_at_most(briefs, brief):
    pdf = briefs[brief]
    sizes = Counter(round(c["size"], 1) for c in _live(drawn_characters(pdf), _height(pdf)))
    assert len(sizes) <= 5, dict(sizes)
    assert min(sizes) >= 8.5, dict(sizes)


@pytest.mark.parametrize("brief", ALL)
def test_page_one_carries_no_citation_superscripts(briefs, brief):
    pdf = briefs[brief]
    small = [c["char"] for c in _live(drawn_characters(pdf), _height(pdf)) if c["size"] < 8.5]
    assert not small, small


@pytest.mark.parametrize("brief", ALL)
def test_every_page_is_numbered_and_nothing_is_printed_near_an_edge(briefs, brief):
    _assert_frame(briefs[brief])


def _assert_frame(pdf: Path) -> None:
    count = page_count(pdf)
    for page in range(count):
        assert f"Page {page + 1} of {count}" in "\n".join(printed_lines(pdf, page)), page + 1
        width, height, left, top, right, bottom = marks_bounds(pdf, page)
        nearest = min(left, top, width - right, height - bottom)
        assert nearest >= EDGE_INCHES * 72, (page + 1, nearest / 72)


@pytest.mark.parametrize("brief", ALL)
def test_the_banner_is_bold_text_of_10_pt_with_no_bar_behind_it(briefs, brief):
    pdf = briefs[brief]
    for page in range(page_count(pdf)):
        chars = drawn_characters(pdf, page)
        height = _height(pdf)
        for edge in ([c for c in chars if c["bottom"] < BANNER_ZONE * 72],
                     [c for c in chars if c["top"] > height - BANNER_ZONE * 72]):
            width = marks_bounds(pdf, page)[0]   # the banner's box: the middle 28% of the live area
            banner = [c for c in edge if 0.36 * width < (c["left"] + c["right"]) / 2 < 0.64 * width]
            assert "".join(c["char"] for c in banner) == "UNCLASSIFIED", page + 1
            assert all(c["size"] >= 10 and c["bold"] for c in banner), {(c["size"], c["font"]) for c in banner}
            top, bottom = min(c["top"] for c in banner), max(c["bottom"] for c in banner)
            behind = [colour for (_left, t, _right, b), colour in filled_rectangles(pdf, page)
                      if t <= bottom and b >= top]
            assert not behind, (page + 1, behind)


def test_the_marking_is_printed_once_per_page_edge(briefs):
    for brief in ALL:
        text = "\n".join(printed_lines(briefs[brief], 0))
        assert text.count("UNCLASSIFIED") == 2, brief


@pytest.mark.parametrize("brief", [b for b in ALL if b in ("woodside-2023", "board-meeting-2026")])
def test_the_decision_comes_before_the_objectives_with_the_recommendation_on_its_own_line(briefs, brief):
    lines = printed_lines(briefs[brief])
    assert _top_of(briefs[brief], "DECISIONNEEDEDBY") < _top_of(briefs[brief], "OBJECTIVES")
    assert any(line.startswith("Recommend:") for line in lines), lines
    assert any(line.startswith("Initials") for line in lines), lines


@pytest.mark.parametrize(("brief", "masthead"), [
    ("woodside-2023", "BILATERAL MEETING BRIEF FOR THE PRESIDENT"),
    ("board-meeting-2026", "MEETING BRIEF FOR THE CHAIR"),
    ("courtesy-call-2026", "BILATERAL MEETING BRIEF"),        # no addressee: the kind alone
])
def test_the_masthead_names_the_kind_of_brief_and_its_addressee(briefs, brief, masthead):
    lines = printed_lines(briefs[brief])
    first = next(line for line in lines if "BRIEF" in line)
    assert first == masthead, lines[:4]


def test_a_short_page_ends_in_a_ruled_notes_area_of_at_most_half_the_page(briefs):
    """The courtesy call's page 1 is short: what is left becomes a ruled NOTES area, at least
    three ruled lines and at most half the page; the full board brief has no room for one."""
    short = briefs["courtesy-call-2026"]
    top = _top_of(short, "NOTES")
    below = [c["top"] for c in _live(drawn_characters(short), _height(short)) if c["top"] > top + 12]
    area = (min(below) if below else _height(short) - FRAME_INCHES * 72) - top
    assert 3 * 24 <= area <= _height(short) / 2 + 24, area
    drawn = "".join(c["char"] for c in drawn_characters(briefs["board-meeting-2026"]))
    assert "NOTES" not in drawn


def _top_of(pdf: Path, text: str) -> float:
    """How far down page 1 `text` (without spaces) is first drawn, in points."""
    chars = drawn_characters(pdf)
    drawn = "".join(c["char"] for c in chars)
    assert text in drawn, text
    return chars[drawn.index(text)]["top"]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    from conftest import copy_trip
    root = copy_trip(tmp_path_factory.mktemp("book"))
    result = run_cli("book", "--root", root, BOOK)
    assert result.code == 0, result.err
    return root / "output" / f"{BOOK}.pdf"


def test_every_page_of_the_book_is_numbered_and_clear_of_the_edges(book):
    _assert_frame(book)


def test_every_page_of_the_book_s_own_carries_its_title_in_the_footer(book):
    """One frame: the cover, contents, schedule and biographies end in the book's title as
    a brief's pages end in theirs (before: the schedule and biographies had none)."""
    pages = page_count(book)
    own = [1, 2, 3, pages]                                 # cover, contents, schedule, biographies
    for page in own:
        footer = printed_lines(book, page - 1)[-3:]         # the title, the marking, the stamped number
        assert "G7 Summit, Hiroshima" in footer, (page, footer)


def test_every_brief_of_the_book_is_set_at_one_body_size(book):
    from pypdf import PdfReader
    bodies = set()
    for page in range(page_count(book)):
        text = PdfReader(book).pages[page].extract_text()
        if re.search(r"MEETING BRIEF", text):
            chars = _live(drawn_characters(book, page), _height(book))
            bodies.add(Counter(round(c["size"], 1) for c in chars).most_common(1)[0][0])
    assert len(bodies) == 1, bodies


def _body_size(pdf: Path, page: int) -> float:
    return Counter(round(c["size"], 1) for c in drawn_characters(pdf, page)).most_common(1)[0][0]


def test_a_book_sets_every_brief_at_the_smallest_step_any_of_them_needs(tmp_path: Path):
    """A brief long enough to step down to 10.5 pt takes the whole book with it: the other
    brief, at 11 pt on its own, is set at 10.5 pt in the book (and keeps 11 pt on its own)."""
    from conftest import BOOK_BRIEFS, copy_trip, edit
    from pypdf import PdfReader

    root = copy_trip(tmp_path)
    padding = "".join(f"  - The three leaders will take stock of the work since Camp David and set "
                      f"the next steps, item {i}.\n" for i in range(6))
    edit(root / "content" / f"{BOOK_BRIEFS[1]}.yaml", "key_messages:\n", "key_messages:\n" + padding)
    result = run_cli("book", "--root", root, BOOK)
    assert result.code == 0, result.err
    own = {brief: _body_size(root / "output" / f"{brief}.pdf", 0) for brief in BOOK_BRIEFS}
    assert own == {BOOK_BRIEFS[0]: 11.0, BOOK_BRIEFS[1]: 10.5}, own
    pdf = root / "output" / f"{BOOK}.pdf"
    firsts = [page for page in range(page_count(pdf))
              if "MEETING BRIEF" in PdfReader(pdf).pages[page].extract_text()]
    assert [_body_size(pdf, page) for page in firsts] == [10.5, 10.5]


def test_the_book_names_its_reader_and_no_zone_by_its_iana_name(book):
    """The cover says whom the book is for; the schedule names the home zone as a reader
    does ('New York (EDT)', once, in its head), never 'America/New_York', and an untimed
    step reads 'time TBC'."""
    from pypdf import PdfReader
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(book).pages]
    assert "BRIEFING BOOK FOR THE PRESIDENT" in pages[0]
    schedule = next(page for page in pages if "Schedule at a glance" in page and "LOCAL" in page)
    assert "NEW YORK (EDT)" in schedule
    assert "time TBC" in schedule
    assert not any("America/New_York" in page for page in pages)


ASKED_AGAIN = ("  - question: Will the three leaders meet again next year in the same format, item {i}?\n"
               "    answer: >-\n      {longer}They intend to meet every year, and the officials are preparing"
               " the next meeting with care.\n    sources: [officials-preview]\n")


@pytest.mark.parametrize(("brief", "asked", "longer", "step", "layouts"), [
    ("courtesy-call-2026", 0, 0, "11pt", 1),       # short: its ruled Notes area put in, not laid out again
    ("camp-david-2023", 4, 0, "11pt", 1),
    ("camp-david-2023", 5, 0, "10.5pt", 2),        # a little over at 11 pt: 10.5 pt next
    ("camp-david-2023", 5, 30, "10pt", 2),         # far over: 10 pt next, and 10.5 pt judged from both
    ("camp-david-2023", 7, 0, "", 2),              # fits at no step: 11 and 10 pt (then the measure of the overflow)
])
def test_a_brief_is_laid_out_once_per_step_it_must_try(tmp_path: Path, monkeypatch, brief, asked, longer,
                                                        step, layouts):
    """The layouts a brief's build makes, counted: one when it fits at 11 pt (its Notes area
    included), two when it needs 10.5 or 10 pt or fits at none; and the step is still the
    largest that fits (each step laid out on its own says so)."""
    import briefgen.render.pdf as pdf
    from briefgen.workflows.brief import Project, prepare_brief

    folder = DESIGN / "content" if brief in FIXTURES else REPO / "content"
    shutil.copytree(folder / "people", tmp_path / "content" / "people")
    path = tmp_path / "content" / f"{brief}.yaml"
    text = (folder / f"{brief}.yaml").read_text(encoding="utf-8")
    asked_again = "".join(ASKED_AGAIN.format(i=i, longer="Indeed " * longer if i == 0 else "") for i in range(asked))
    path.write_text(text.replace("if_raised:\n", "if_raised:\n" + asked_again, 1), encoding="utf-8")
    project = Project.at(tmp_path)
    _, prepared = prepare_brief(project, path)
    assert prepared is not None
    made = []
    lay_out = pdf.lay_out
    monkeypatch.setattr(pdf, "lay_out", lambda html, *rest: made.append(html) or lay_out(html, *rest))
    try:
        written, _, fit = pdf.write_pdfs(prepared.html, prepared.source, project.asset_roots)
    except pdf.PageOverflow:
        written, fit = b"", None
        made.pop()     # the tall layout that measures the overflow for the message
    assert len(made) == layouts, [re.findall(r"--body: ([\d.]+pt)", html) for html in made]
    assert (fit.body if fit else "") == step
    monkeypatch.setattr(pdf, "lay_out", lay_out)
    fitting = [each for each in pdf.BODY_STEPS if _fits_at(pdf, prepared, project, each)]
    assert step == (fitting[0] if fitting else "")
    if brief == "courtesy-call-2026":
        from io import BytesIO

        from pypdf import PdfReader
        assert "NOTES" in PdfReader(BytesIO(written)).pages[0].extract_text()


def _fits_at(pdf, prepared, project, step: str) -> bool:
    laid_out = pdf.lay_out(pdf.at_body_step(prepared.html, step), prepared.source, project.asset_roots)
    return laid_out.fit.fits and not pdf.line_limit_problems(laid_out.document, prepared.source)


def test_the_page_s_css_is_parsed_once_per_process_and_prints_the_same(tmp_path: Path, monkeypatch):
    """Laid out twice, a brief's 18 KB of CSS is parsed the first time only (the stylesheets
    WeasyPrint is given are the same objects), and the page printed from them is the one
    its own `<style>` elements print (same text at the same places, same type sizes)."""
    import weasyprint

    import briefgen.render.pdf as pdf
    from briefgen.workflows.brief import Project, prepare_brief

    shutil.copytree(DESIGN / "content", tmp_path / "content")
    project = Project.at(tmp_path)
    _, prepared = prepare_brief(project, tmp_path / "content" / "courtesy-call-2026.yaml")
    assert prepared is not None
    html = pdf.at_body_step(prepared.html, "11pt")
    parsed = []
    css = weasyprint.CSS
    monkeypatch.setattr(weasyprint, "CSS", lambda *args, **kwargs: parsed.append(kwargs) or css(*args, **kwargs))
    pdf._parsed.clear()
    first = pdf.lay_out(html, prepared.source, project.asset_roots)
    parsed_first = len(parsed)
    again = pdf.lay_out(html, prepared.source, project.asset_roots)
    assert parsed_first == html.partition("</head>")[0].count("<style>") >= 2
    assert len(parsed) == parsed_first
    page, sheets = pdf.parsed_styles(html)
    assert "<style>" not in page.partition("</head>")[0]
    assert sheets

    def drawn(laid_out) -> list[tuple[str, float, float, float]]:
        return [(box.text, round(box.position_x, 2), round(box.position_y, 2), box.style["font_size"])
                for box in laid_out.document.pages[0]._page_box.descendants() if type(box).__name__ == "TextBox"]

    monkeypatch.setattr(pdf, "parsed_styles", lambda html: (html, []))   # the page's own <style>s
    inline = pdf.lay_out(html, prepared.source, project.asset_roots)
    assert drawn(first) == drawn(again) == drawn(inline)
    assert len(drawn(first)) > 20


@pytest.mark.parametrize("brief", ["courtesy-call-2026", "camp-david-2023"])
def test_the_notes_area_is_put_where_a_layout_with_it_in_the_flow_puts_it(tmp_path: Path, brief):
    """The Notes area put into the laid-out page 1 (render/notes.py) leaves every box where
    a second layout with the area in the flow, as many lines long, puts it: the area, its
    label and lines, and what follows it (the colophon after a short page; the annex
    pointer after the sample's page)."""
    import briefgen.render.pdf as pdf
    from briefgen.workflows.brief import Project, prepare_brief

    folder = DESIGN / "content" if brief in FIXTURES else REPO / "content"
    shutil.copytree(folder, tmp_path / "content", ignore=shutil.ignore_patterns("books"))
    project = Project.at(tmp_path)
    _, prepared = prepare_brief(project, tmp_path / "content" / f"{brief}.yaml")
    assert prepared is not None
    html, laid_out, step = pdf.lay_out_stepped(prepared.html, prepared.source, project.asset_roots)
    pdf.with_notes(laid_out, pdf.check_fit(html, laid_out, prepared.source, project.asset_roots))
    lines = sum(1 for box in laid_out.document.pages[0]._page_box.descendants()
                if getattr(box, "element", None) is not None and box.element.get("class") == "line")
    assert lines >= 3
    flowed_html = pdf.at_body_step(prepared.html, step).replace("</head>", (
        "<style>@media print { .notes { display: block; } "
        f".notes .line:nth-child(n+{lines + 1}) {{ display: none; }} }}</style></head>"), 1)
    flowed = pdf.lay_out(flowed_html, prepared.source, project.asset_roots)

    def boxes(laid) -> list[tuple[str, str, str, float, float, float, float]]:
        return [(type(box).__name__, box.element_tag, getattr(box, "text", ""), round(box.position_x, 2),
                 round(box.position_y, 2), round(box.margin_width(), 2), round(box.margin_height(), 2))
                for box in laid.document.pages[0]._page_box.descendants()]

    assert boxes(laid_out) == boxes(flowed)
