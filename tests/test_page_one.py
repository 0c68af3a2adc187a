"""Page 1 for the principal, the annex for the staff: type sizes read back from the PDF,
what goes where, and fit that authors can see (build, check, draft)."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_ANNEX, SAMPLE_ID, edit, run_cli
from pdf_utils import character_sizes, size_histogram
from pypdf import PdfReader

pytestmark = pytest.mark.slow   # every test lays out page one and reads the PDF back

ROOMY_ANNEX = "agenda, if_raised, sensitivities, background, quotes, sources"   # room on page 1 for badges
CITATION_CHARS = set("0123456789,–")
LONG_MESSAGE = " ".join(["The summit follows a long series of meetings."] * 50)


def _squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _sizes_of(sizes: list[tuple[str, float]], snippet: str) -> list[float]:
    """The sizes the characters of `snippet` are drawn at (the first place it is drawn)."""
    drawn = "".join(char for char, _ in sizes)
    start = drawn.find(_squashed(snippet))
    assert start >= 0, f"{snippet!r} is not drawn on the page"
    return [size for _, size in sizes[start:start + len(_squashed(snippet))]]


# --- the type floor ---------------------------------------------------------------------

BODY_TEXT = [
    "The leaders will announce a pledge to consult one another",
    "through the commitment to consult",
    "It is not intended to be an",
    "The summit is not about",
    "Do not get ahead of the formal statements.",
]
# With the deliverables on page 1 (ROOMY_ANNEX): the bottom line, a deliverable, an objective.
ROOMY_BODY_TEXT = [
    "The leaders will announce a pledge to consult one another",
    "Each nation commits to consult the others in the event of any crisis",
    "through the commitment to consult",
]
LABEL_SIZE = 8.5   # the side heads; nothing on page 1 is smaller (the footer is 9 pt)


def _assert_type_floor(pdf: Path, body: list[str]) -> None:
    """Nothing under the labels' 8.5 pt (no citation marks on paper's page 1 any more), the
    body at 10 pt or more, and most of the page body text."""
    sizes = character_sizes(pdf, page=0)
    histogram = size_histogram(sizes)
    small = {(char, size) for char, size in sizes if size < LABEL_SIZE}
    assert not small, f"text under {LABEL_SIZE} pt: {small} ({histogram})"
    for snippet in body:
        assert min(_sizes_of(sizes, snippet)) >= 10, f"{snippet!r} is under 10 pt ({histogram})"
    at_ten = sum(count for size, count in histogram.items() if size >= 10)
    assert at_ten / len(sizes) >= 0.6, f"most of page 1 should be body text at 10 pt: {histogram}"


def test_page_one_of_the_sample_keeps_the_type_floor(sample_build: Path):
    _assert_type_floor(sample_build / f"{SAMPLE_ID}.pdf", BODY_TEXT)


def test_type_floor_holds_with_status_badges_and_owners(project: Path, brief_file: Path):
    edit(brief_file, SAMPLE_ANNEX, f"annex: [{ROOMY_ANNEX}]\n")
    edit(brief_file, "    status: expected", "    status: confirmed")
    edit(brief_file, "    owners: [biden, kishida, yoon]", "    owners: [biden]")
    assert run_cli("build", "--root", project).code == 0
    pdf = project / "output" / f"{SAMPLE_ID}.pdf"
    page_one = _page_texts(pdf)[0]
    assert "CONFIRMED" in page_one
    assert "EXPECTED" in page_one
    # Owners are staff matter: on the screen's page 1, not on the principal's paper.
    assert "Owners: Biden" not in page_one
    assert "Owners: Biden" in (project / "output" / f"{SAMPLE_ID}.html").read_text()
    _assert_type_floor(pdf, ROOMY_BODY_TEXT)


def test_page_one_is_a_two_minute_read(sample_build: Path):
    """At most about two minutes (520 words), and not an empty page: the sample's page 1
    holds its bottom line, objectives, if-raised lines, participants and sensitivities."""
    words = len(re.findall(r"\w+", PdfReader(sample_build / f"{SAMPLE_ID}.pdf").pages[0].extract_text()))
    assert 180 <= words <= 520, words


# --- what goes on page 1, what goes to the annex -----------------------------------------

def _page_texts(pdf: Path) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(pdf).pages]


def test_the_purpose_leaves_page_one_for_the_annex_when_there_is_a_bottom_line(sample_build: Path):
    """Page 1 opens with the bottom line; the purpose is not lost: it heads the annex."""
    page_one, *annex = _page_texts(sample_build / f"{SAMPLE_ID}.pdf")
    purpose = "A meeting of the leaders of the United States, Japan and the Republic of Korea"
    assert purpose not in page_one
    assert purpose in " ".join(annex)


def test_straight_quotes_print_curly_in_plain_and_markdown_fields(project: Path, brief_file: Path):
    """Authors type straight quotes; the page prints typographic ones, in a plain field (a
    sensitivity's topic) as in a Markdown one (its line), with apostrophes; the YAML is untouched."""
    edit(brief_file, "  - topic: Japan–Korea history", "  - topic: Japan's \"history\" with Korea")
    assert run_cli("build", "--root", project).code == 0
    page_one = _page_texts(project / "output" / f"{SAMPLE_ID}.pdf")[0]
    assert "Japan’s “history” with Korea" in page_one, page_one
    assert "acted “against the advice of their own councilors and staff” to" in page_one, page_one
    assert '"' not in page_one
    assert "'" not in page_one
    assert "Japan's \"history\"" in brief_file.read_text(encoding="utf-8")


def test_the_quote_pass_leaves_tags_styles_and_attributes_alone():
    from briefgen.render.typography import curl_quotes_in_html

    html = ('<style>.a::before { content: "● "; }</style><p title="x \'y\'">He said &#34;<em>no</em>&#34; '
            "and it&#39;s done.</p><code>\"raw\"</code>")
    assert curl_quotes_in_html(html) == ('<style>.a::before { content: "● "; }</style><p title="x \'y\'">He said '
                                         "“<em>no</em>” and it’s done.</p><code>\"raw\"</code>")


def test_annex_key_moves_sections_and_names_them_in_the_heading(project: Path, brief_file: Path):
    edit(brief_file, SAMPLE_ANNEX, "annex: [agenda, sensitivities, background, quotes, sources]\n")
    assert run_cli("build", "--root", project).code == 0
    page_one, *annex_pages = _page_texts(project / "output" / f"{SAMPLE_ID}.pdf")
    annex = " ".join(annex_pages)
    assert "SENSITIVITIES" not in page_one
    assert "SENSITIVITIES" in annex
    assert "Annex A: Agenda, sensitivities, background, quotations and sources" in annex
    html = (project / "output" / f"{SAMPLE_ID}.html").read_text()
    assert html.index('id="if-raised"') < html.index('class="annex"') < html.index('id="sensitivities"')


def test_an_empty_annex_keeps_everything_on_page_one(project: Path, brief_file: Path):
    from briefgen.render.html import render_html
    from briefgen.workflows.brief import Project, check_brief

    edit(brief_file, SAMPLE_ANNEX, "annex: []\n")
    validated, _ = check_brief(Project.at(project), brief_file)
    html = render_html(validated)
    assert 'class="annex"' not in html
    assert html.index('id="background"') < html.index('id="sources"') < html.index('class="colophon"')
    # The whole sample is more than one page: the build says so, region by region.
    result = run_cli("build", "--root", project)
    assert result.code == 1, result.err
    assert "On page 1: text column" in result.err, result.err


def test_the_annex_has_its_own_page_limit(project: Path, brief_file: Path):
    words = " ".join(["Japan and South Korea have met again and again this year."] * 14)
    quotes = "".join(f"  - text: {words}\n    by: campbell\n" for _ in range(24))
    edit(brief_file, "quotes:\n", f"quotes:\n{quotes}")
    result = run_cli("build", "--root", project)
    assert result.code == 1, result.err
    line = brief_file.read_text().splitlines().index("quotes:") + 1
    assert re.search(rf"content/{SAMPLE_ID}\.yaml:{line}:1: error: the annex does not fit on 3 pages: "
                     r"it runs \d+\.\d in \(\d+ mm\) onto page 5 of the brief, about \d+ words to cut\. "
                     r"Longest sections in the annex: "
                     r"Quote \d+\.\d in", result.err), result.err
    assert not re.search(r"Longest sections in the annex: .*nothing was written", result.err), result.err
    assert (project / "output" / f"{SAMPLE_ID}.overflow.pdf").exists()


# --- fit that authors can see ------------------------------------------------------------

def test_overflow_writes_a_stamped_draft_and_keeps_the_last_good_output(project: Path, brief_file: Path):
    assert run_cli("build", "--root", project).code == 0
    pdf = project / "output" / f"{SAMPLE_ID}.pdf"
    good = pdf.read_bytes()
    edit(brief_file, "sensitivities:\n", f"key_messages:\n  - {LONG_MESSAGE}\n\nsensitivities:\n")
    result = run_cli("build", "--root", project)
    assert result.code == 1
    assert "0.0 in" not in result.err
    assert f"failed    content/{SAMPLE_ID}.yaml (draft, not for sending: output/{SAMPLE_ID}.overflow.pdf)" \
        in result.out
    assert pdf.read_bytes() == good
    draft = project / "output" / f"{SAMPLE_ID}.overflow.pdf"
    first = re.sub(r"\s+", " ", PdfReader(draft).pages[0].extract_text())
    assert "DRAFT: DOES NOT FIT, NOT FOR SENDING" in first
    assert "page 1 ends here: what is below does not fit" in first
    assert PdfReader(draft).pages[0].mediabox.height > 792, "page 1 of the draft shows all of it"

    edit(brief_file, f"key_messages:\n  - {LONG_MESSAGE}\n\n", "")
    assert run_cli("build", "--root", project).code == 0
    assert not draft.exists(), "a brief that fits again has no draft"


def test_check_lays_out_and_reports_overflow_at_the_section_line(project: Path, brief_file: Path):
    edit(brief_file, "sensitivities:\n", f"key_messages:\n  - {LONG_MESSAGE}\n\nsensitivities:\n")
    # At the line of the longest section of the region that is over (here, the text column).
    line = brief_file.read_text().splitlines().index("key_messages:") + 1
    result = run_cli("check", "--root", project)
    assert result.code == 1
    assert re.search(rf"^content/{SAMPLE_ID}\.yaml:{line}:1: error: the brief does not fit on one page: "
                     r".* text column \d+\.\d in \(\d+ mm\) over, about \d+ words "
                     r"to cut", result.err,
                     re.MULTILINE), result.err
    assert run_cli("check", "--root", project, "--no-layout").code == 0
    github = run_cli("check", "--root", project, "--format", "github")
    assert f"::error file=content/{SAMPLE_ID}.yaml,line={line},col=1," in github.out
    assert not (project / "output" / f"{SAMPLE_ID}.overflow.pdf").exists(), "check writes no draft"


def test_a_repeated_check_does_not_lay_out_again(project: Path):
    """The verdict is cached by the build's fingerprint: the second run lays out nothing (its
    verdict file is left as it was); a changed input is laid out again. The layouts run on the
    workers: `check` itself never imports WeasyPrint."""
    code = ("import sys; from briefgen.cli.main import main; code = main(['check', '--root', sys.argv[1]]); "
            "print(code, 'weasyprint' in sys.modules)")
    verdict = project / "output" / ".briefgen" / f"{SAMPLE_ID}.layout.json"

    def check() -> list[str]:
        return subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True, text=True,
                              check=True).stdout.split()[-2:]

    assert check() == ["0", "False"]
    first = verdict.stat().st_mtime_ns
    assert check() == ["0", "False"]
    assert verdict.stat().st_mtime_ns == first, "the second check laid the brief out again"
    edit(project / "content" / "people" / "yoon.yaml", "title: President", "title: The President")
    assert check() == ["0", "False"]
    assert verdict.stat().st_mtime_ns != first, "a changed input is laid out again"


def test_a_build_warms_the_check(project: Path):
    assert run_cli("build", "--root", project).code == 0
    code = ("import sys; from briefgen.cli.main import main; code = main(['check', '--root', sys.argv[1]]); "
            "print(code, 'weasyprint' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True, text=True,
                         check=True).stdout.split()[-2:]
    assert out == ["0", "False"]


@pytest.mark.parametrize(("px", "text"), [(0.4, "under 0.1 in (1 mm)"), (3, "under 0.1 in (1 mm)"),
                                          (6, "0.1 in (2 mm)"), (96, "1.0 in (25 mm)")])
def test_lengths_are_never_zero(px: float, text: str):
    from briefgen.render.fit import length
    assert length(px) == text


# --- page space (issue 18, item 9) -------------------------------------------------------

def test_source_link_shows_its_domain(project: Path, brief_file: Path):
    edit(brief_file, "    date: 2023-08-18\n    note: Cited for the date",
         "    date: 2023-08-18\n    url: https://www.whitehouse.gov/briefing-room/statements-releases/2023/08/18/\n"
         "    note: Cited for the date")
    assert run_cli("build", "--root", project).code == 0
    html = (project / "output" / f"{SAMPLE_ID}.html").read_text()
    assert ('<a href="https://www.whitehouse.gov/briefing-room/statements-releases/2023/08/18/">'
            'whitehouse.gov</a>') in html
    links = [a["/A"]["/URI"] for page in PdfReader(project / "output" / f"{SAMPLE_ID}.pdf").pages
             for a in (x.get_object() for x in page.get("/Annots", [])) if "/URI" in a.get("/A", {})]
    assert "https://www.whitehouse.gov/briefing-room/statements-releases/2023/08/18/" in links


def _agenda_whens(html: str) -> list[str]:
    return re.findall(r'<span class="when">([^<]*)</span>', html)


def test_agenda_writes_each_day_once(sample_build: Path):
    html = (sample_build / f"{SAMPLE_ID}.html").read_text()
    assert _agenda_whens(html) == ["Thu Aug 17", "Fri Aug 18", "", "", ""]


def test_one_day_agenda_has_no_dates(project: Path, brief_file: Path):
    edit(brief_file, "  - date: 2023-08-17\n", "  - date: 2023-08-18\n")
    edit(brief_file, "    title: Trilateral discussion\n", "    time: \"10:00\"\n    title: Trilateral discussion\n")
    assert run_cli("build", "--root", project).code == 0
    html = (project / "output" / f"{SAMPLE_ID}.html").read_text()
    assert _agenda_whens(html) == ["", "10:00", "", "", ""]
    assert "Aug 18</span>" not in html


def test_deliverables_heading_follows_the_statuses(project: Path, brief_file: Path, sample_build: Path):
    assert re.search(r"<h2[^>]*>Expected deliverables", (sample_build / f"{SAMPLE_ID}.html").read_text())
    edit(brief_file, SAMPLE_ANNEX, f"annex: [{ROOMY_ANNEX}]\n")
    edit(brief_file, "    status: expected", "    status: announced")
    assert run_cli("build", "--root", project).code == 0
    html = (project / "output" / f"{SAMPLE_ID}.html").read_text()
    assert re.search(r"<h2[^>]*>Deliverables", html)
    assert 'class="badge status-announced"' in html


# --- the build line's reading load (issue 22, point 6) ------------------------------------

def test_the_merged_result_of_a_brief_keeps_the_full_briefs_fit_whichever_version_finishes_first(
        tmp_path: Path):
    """The workers finish a brief's versions in any order; the build line's page-1 words and
    the draft are the full brief's, not those of whichever version came first or last."""
    from briefgen.render.fit import PageFit
    from briefgen.workflows.brief import BriefResult, merge_results

    path = tmp_path / "talks.yaml"
    for order in ("version first", "full first"):
        full = BriefResult(path, "talks", True, fit=PageFit(True, 1, 465), draft=tmp_path / "x.pdf")
        version = BriefResult(path, "talks", True, fit=PageFit(True, 1, 398), audience="press")
        merged = merge_results(version, full) if order == "version first" else merge_results(full, version)
        assert (merged.fit.words, merged.draft, merged.audience) == (465, tmp_path / "x.pdf", ""), order


def test_the_build_line_reports_the_full_briefs_page_one_words(tmp_path: Path):
    import shutil

    from conftest import REPO
    root = tmp_path / "talks"
    shutil.copytree(REPO / "content" / "people", root / "content" / "people")
    shutil.copy(REPO / "tests" / "audiences" / "content" / "ally-talks.yaml", root / "content")
    built = run_cli("build", "--root", root, "--jobs", "2")
    assert built.code == 0, built.err
    import json
    recorded = json.loads((root / "output" / ".briefgen" / "ally-talks.layout.json").read_text())
    [line] = [line for line in built.out.splitlines() if line.startswith("built")]
    assert f"page 1: {recorded['words']} words" in line, (line, recorded["words"])


# --- the overflow hint (issue 22, points 5 and 9) -----------------------------------------

def test_the_overflow_hint_prints_the_annex_line_to_write_keeping_the_default(project: Path,
                                                                             brief_file: Path):
    """Without `annex:`, the line to add keeps the default sections (the key replaces them)
    and adds the section the principal needs least, at its line and column; the hint lists
    every section `annex:` accepts. `check` never says it wrote nothing."""
    from briefgen.render.fit import NEEDED_LEAST_FIRST

    edit(brief_file, SAMPLE_ANNEX, "")
    edit(brief_file, "sensitivities:\n", f"key_messages:\n  - {LONG_MESSAGE}\n\nsensitivities:\n")
    result = run_cli("check", "--root", project)
    assert result.code == 1
    [error] = [line for line in result.err.splitlines() if "does not fit on one page" in line]
    assert re.match(rf"content/{SAMPLE_ID}\.yaml:\d+:\d+: error: ", error), error
    agenda = brief_file.read_text().splitlines().index("agenda:") + 1
    assert f"needs least first: Agenda (line {agenda}, column 1, " in error, error
    hint = ("To move Agenda, add `annex: [background, quotes, biographies, sources, agenda]` (`annex:` "
            "replaces the default [background, quotes, biographies, sources], so the line keeps them)")
    assert hint in error, error
    accepted = ", ".join(NEEDED_LEAST_FIRST)
    assert f"`annex:` accepts: {accepted}" in error, error
    assert "nothing was written" not in result.err


def test_the_overflow_hint_ranks_sections_by_what_the_principal_needs_least(project: Path,
                                                                           brief_file: Path):
    """Key messages are longer than the if-raised lines, but the principal needs them more:
    they come after, and the line to write extends the brief's own `annex:`."""
    edit(brief_file, "sensitivities:\n", f"key_messages:\n  - {LONG_MESSAGE}\n\nsensitivities:\n")
    result = run_cli("check", "--root", project)
    [error] = [line for line in result.err.splitlines() if "does not fit on one page" in line]
    names = re.search(r"needs least first: (.*?)\. To move", error)
    assert names, error
    order = re.findall(r"(\w[\w ]*?) \(line \d+, column \d+", names.group(1))
    assert order == ["If raised", "Key messages", "Sensitivities"], error
    assert re.search(r"Key messages \d\.\d in \(\d+ mm\), If raised", error), "longer, yet after"
    annex_line = brief_file.read_text().splitlines().index(SAMPLE_ANNEX.strip()) + 1
    assert (f"To move If raised, change `annex:` (line {annex_line}) to "
            "`annex: [agenda, deliverables, background, quotes, sources, if_raised]`") in error, error


def test_the_ranking_covers_every_section_annex_accepts():
    from briefgen.content.models import AnnexSection
    from briefgen.render.fit import NEEDED_LEAST_FIRST

    assert sorted(NEEDED_LEAST_FIRST) == sorted(section.value for section in AnnexSection)
    assert NEEDED_LEAST_FIRST.index("background") < NEEDED_LEAST_FIRST.index("sensitivities")


def test_an_overflow_error_always_has_a_line_and_column(tmp_path: Path):
    """A brief whose page-1 overflow comes from a section with no key of its own (the
    participants, named by `participants:`) still points at a line and column."""
    from briefgen.content.sourcemap import ContentText
    from briefgen.render.pdf import section_place

    source = ContentText(tmp_path / "x.yaml", "content/x.yaml", (), (("title", 2, 1), ("annex", 9, 1)))
    assert section_place(source, "Points to make") == (9, 1)       # no `points:`: at `annex:`
    assert section_place(ContentText(tmp_path / "x.yaml", "content/x.yaml", (), ()), "Agenda") == (1, 1)
    with_points = ContentText(tmp_path / "x.yaml", "content/x.yaml", (), (("points", 5, 1),))
    assert section_place(with_points, "Points to make") == (5, 1)


def test_the_manual_and_the_scaffold_list_every_section_annex_accepts():
    """The lists an author reads (docs/authoring.md, the `briefgen new` file's comment) are the model's."""
    from conftest import REPO

    from briefgen.content.models import AnnexSection
    from briefgen.content.scaffold import new_brief_text

    accepted = [section.value for section in AnnexSection]
    manual = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
    listed = re.search(r"`annex:` accepts any of: (.*?)\. The list", manual, re.DOTALL)
    assert listed
    assert re.findall(r"`(\w+)`", listed.group(1)) == accepted
    comment = re.search(r"Any of: (.*?)\.\n", new_brief_text("talks"), re.DOTALL)
    assert comment
    assert [w.strip(" #\n") for w in comment.group(1).split(",")] == accepted


WORD_BREAK = 0.1   # a gap wider than this share of the type size starts a new word (poppler, most viewers)


def test_the_banner_is_copied_and_extracted_as_the_word_it_is(sample_build: Path):
    """Letters spaced apart read as 'U N C L A S S I F I E D' where a reader copies or extracts
    text by the gaps between letters: every gap in the banner stays below a word break."""
    import pypdfium2

    pdf = sample_build / f"{SAMPLE_ID}.pdf"
    # The bottom banner shares the footer's line (short title · marking · page number).
    assert "UNCLASSIFIED" in PdfReader(pdf).pages[0].extract_text().splitlines()[-1].split()
    size = _sizes_of(character_sizes(pdf), "UNCLASSIFIED")[0]
    document = pypdfium2.PdfDocument(pdf)
    try:
        text_page = document[0].get_textpage()
        start = text_page.get_text_range().rfind("UNCLASSIFIED")
        boxes = [text_page.get_charbox(start + i, loose=True) for i in range(len("UNCLASSIFIED"))]
    finally:
        document.close()
    gaps = [round(right[0] - left[2], 2) for left, right in itertools.pairwise(boxes)]
    assert max(gaps) < WORD_BREAK * size, (gaps, size)


BIO = "bio: Prime Minister since October 2021, after serving as FLAMINGOLEDGER foreign minister.\n"


def test_a_bio_is_printed_in_the_annex_never_on_page_one(project: Path, brief_file: Path):
    """A biography written for the book costs page 1 no room: it goes to the annex's
    biographies when the annex lists them, and nowhere in the brief when it does not."""
    kishida = project / "content" / "people" / "kishida.yaml"
    kishida.write_text(kishida.read_text(encoding="utf-8") + BIO, encoding="utf-8")
    assert run_cli("build", "--root", project).code == 0
    page_one, *annex_pages = _page_texts(project / "output" / f"{SAMPLE_ID}.pdf")
    annex = " ".join(annex_pages)
    assert "FLAMINGOLEDGER" not in page_one + annex
    edit(brief_file, SAMPLE_ANNEX, "annex: [agenda, deliverables, background, quotes, biographies, sources]\n")
    assert run_cli("build", "--root", project).code == 0
    page_one, *annex_pages = _page_texts(project / "output" / f"{SAMPLE_ID}.pdf")
    annex = " ".join(annex_pages)
    assert "FLAMINGOLEDGER" not in page_one
    flowing = " ".join(annex.split())
    assert "Annex A: Agenda, deliverables, background, quotations, biographies and sources" in flowing
    # The side head (the label column) is extracted apart from the text beside it.
    assert "BIOGRAPHIES" in flowing
    assert ("Fumio Kishida Prime Minister of Japan Prime Minister since October 2021, "
            "after serving as FLAMINGOLEDGER foreign minister.") in flowing
