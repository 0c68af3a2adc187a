"""The pipeline end to end on real files: YAML in, real WeasyPrint PDF and HTML out."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_ID, edit, run_cli, tiny_png
from pdf_utils import embedded_fonts, pdf_text
from pypdf import PdfReader

LEADERS = ["Joe Biden", "Fumio Kishida", "岸田文雄", "Yoon Suk Yeol", "윤석열"]
DELIVERABLES = ["Commitment to consult", "Enhanced ballistic missile defense cooperation",
                "Joint military exercises", "Three-way hotline", "Annual trilateral summit",
                "Cooperation in space, education, technology, diplomacy and defense"]


def test_sample_brief_is_page_one_and_an_annex_with_leaders_deliverables_and_marking(sample_build: Path):
    pdf = sample_build / f"{SAMPLE_ID}.pdf"
    pages = PdfReader(pdf).pages
    assert len(pages) == 3, "page 1 and its annex (the deliverables are in the sample's annex)"
    page_one = re.sub(r"\s+", " ", pages[0].extract_text())
    for expected in [*LEADERS, "Antony Blinken", "Jake Sullivan",
                     "Camp David, Maryland", "Fri 18 Aug 2023", "BOTTOM LINE", "IF RAISED"]:
        assert expected in page_one, expected
    annex_pages = [re.sub(r"\s+", " ", page.extract_text()) for page in pages[1:]]
    annex = " ".join(annex_pages)
    assert "Annex A: Agenda, deliverables, background, quotations and sources" in annex, annex[:120]
    for expected in [*DELIVERABLES, "Kurt Campbell", "BACKGROUND", "SOURCES"]:
        assert expected in annex, expected
    assert "BACKGROUND" not in page_one
    assert "SOURCES" not in page_one
    for page in (page_one, *annex_pages):
        assert page.count("UNCLASSIFIED") == 2, "classification banner at top and bottom"


def test_sample_pdf_metadata(sample_build: Path):
    reader = PdfReader(sample_build / f"{SAMPLE_ID}.pdf")
    meta = reader.metadata
    assert meta.title == "Camp David Trilateral Summit"
    assert meta.author == "Briefing staff, from public reporting"
    assert "Camp David, Maryland" in meta.subject
    assert "Friday, August 18, 2023" in meta.subject
    assert "Fumio Kishida" in meta["/Keywords"]
    assert "Commitment to consult" in meta["/Keywords"]
    assert meta.creation_date.date() == dt.date(2023, 8, 18)
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_letter_paper_by_default_and_a4_on_request(sample_build: Path, brief_file: Path, project: Path):
    box = PdfReader(sample_build / f"{SAMPLE_ID}.pdf").pages[0].mediabox
    assert (round(box.width), round(box.height)) == (612, 792)
    edit(brief_file, "paper: letter", "paper: a4")
    assert run_cli("build", "--root", project).code == 0
    box = PdfReader(project / "output" / f"{SAMPLE_ID}.pdf").pages[0].mediabox
    assert (round(box.width), round(box.height)) == (595, 842)


def test_embedded_fonts_cover_every_character_shown(sample_build: Path):
    pdf = sample_build / f"{SAMPLE_ID}.pdf"
    fonts = embedded_fonts(pdf)
    assert any(name.endswith("+IPAGothic") for name in fonts), fonts.keys()
    assert any(name.endswith("+NanumGothic") for name in fonts), fonts.keys()
    covered = set().union(*fonts.values())
    shown = {c for c in pdf_text(pdf) if not c.isspace()}
    assert shown - covered == set()
    assert {"岸", "田", "文", "雄", "윤", "석", "열"} <= covered


def test_two_builds_give_identical_bytes(project: Path, tmp_path: Path):
    first = run_cli("build", "--root", project, "--output", tmp_path / "one")
    second = run_cli("build", "--root", project, "--output", tmp_path / "two")
    assert first.code == second.code == 0
    for suffix in (".pdf", ".html"):
        one = (tmp_path / "one" / f"{SAMPLE_ID}{suffix}").read_bytes()
        assert one == (tmp_path / "two" / f"{SAMPLE_ID}{suffix}").read_bytes()


def test_overfull_brief_fails_with_overflow_message_and_writes_nothing(project: Path, brief_file: Path):
    long_text = " ".join(["The summit follows a long series of meetings."] * 50)
    edit(brief_file, "sensitivities:\n", f"key_messages:\n  - {long_text}\n\nsensitivities:\n")
    result = run_cli("build", "--root", project)
    assert result.code == 1
    line = _line_of(brief_file, "key_messages:")   # the longest section of the region over
    assert re.search(rf"content/camp-david-2023\.yaml:{line}:1: error: the brief does not fit on one "
                     r"page: it runs \d+\.\d in \(\d+ mm\) onto a second page\. On page 1: text "
                     r"column \d+\.\d in \(\d+ mm\) over, about \d+ words to cut\. Longest sections in "
                     r"the text column: Key messages \d+\.\d in \(\d+ mm\), If raised \d+\.\d in",
                     result.err), result.err
    # The same words show in the preview, where nothing needs building: no "build again".
    assert re.search(r"; nothing was written\n", result.err), result.err
    assert "build again" not in result.err, result.err
    assert "Traceback" not in result.err
    assert not (project / "output" / f"{SAMPLE_ID}.pdf").exists()
    assert not (project / "output" / f"{SAMPLE_ID}.html").exists()


def test_failed_build_leaves_last_good_output_untouched(project: Path, brief_file: Path):
    assert run_cli("build", "--root", project).code == 0
    pdf = project / "output" / f"{SAMPLE_ID}.pdf"
    before, mtime = pdf.read_bytes(), pdf.stat().st_mtime_ns
    edit(brief_file, "status: expected", "status: expectd")
    result = run_cli("build", "--root", project)
    assert result.code == 1
    assert pdf.read_bytes() == before
    assert pdf.stat().st_mtime_ns == mtime
    assert "previous output is unchanged" in result.err
    assert [p.name for p in pdf.parent.iterdir() if p.name.endswith(".part")] == []


def test_unknown_key_is_reported_with_line_column_and_suggestion(project: Path, brief_file: Path):
    edit(brief_file, "    summary: Enhanced cooperation", "    sumary: Enhanced cooperation")
    result = run_cli("check", "--root", project)
    assert result.code == 1
    line = _line_of(brief_file, "sumary:")
    assert (f"content/camp-david-2023.yaml:{line}:5: error: unknown key `sumary`; did you mean "
            "`summary`? (deliverables[1].sumary)") in result.err
    assert "Traceback" not in result.err


def test_dangling_ids_are_reported(project: Path, brief_file: Path):
    edit(brief_file, "  host: biden", "  host: obama")
    edit(brief_file, "    sources: [wsj]", "    sources: [nyt]")
    result = run_cli("check", "--root", project)
    assert result.code == 1
    assert (f"content/camp-david-2023.yaml:{_line_of(brief_file, 'host: obama')}:9: error: `obama` is "
            "not among the `participants` of this brief; add them there first (event.host)") in result.err
    assert (f":{_line_of(brief_file, 'sources: [nyt]')}:15: error: no source with id `nyt` in "
            "`sources` (deliverables[1].sources[0])") in result.err


def test_missing_person_file_is_reported_at_the_reference(project: Path, brief_file: Path):
    (project / "content" / "people" / "sullivan.yaml").unlink()
    result = run_cli("check", "--root", project)
    line = _line_of(brief_file, "- person: sullivan")
    assert (f"content/camp-david-2023.yaml:{line}:13: error: no person `sullivan`: expected a file "
            "content/people/sullivan.yaml (also named in 1 other place) (participants[4].person)"
            ) in result.err


def test_unquoted_country_no_means_norway(project: Path, brief_file: Path):
    person = project / "content" / "people" / "blinken.yaml"
    edit(person, "country: US", "country: NO")
    from briefgen.workflows.brief import Project, check_brief
    validated, result = check_brief(Project.at(project), brief_file)
    assert result.ok, result.errors
    assert validated.people["blinken"].country == "NO"


def test_unquoted_time_stays_a_time_of_day(project: Path, brief_file: Path):
    edit(brief_file, "  - date: 2023-08-18\n    title: Trilateral discussion",
         "  - date: 2023-08-18\n    time: 10:30\n    title: Trilateral discussion")
    assert run_cli("build", "--root", project).code == 0
    html = (project / "output" / f"{SAMPLE_ID}.html").read_text()
    assert "Fri Aug 18 10:30" in html
    assert "630" not in html


def test_bad_time_is_a_clear_error(project: Path, brief_file: Path):
    edit(brief_file, "  - date: 2023-08-18\n    title: Trilateral discussion",
         "  - date: 2023-08-18\n    time: 25:00\n    title: Trilateral discussion")
    result = run_cli("check", "--root", project)
    assert result.code == 1
    assert "error: '25:00' is not a time of day; write it as HH:MM on a 24-hour clock" in result.err


def test_character_no_font_covers_fails_naming_it_and_the_field(project: Path):
    edit(project / "content" / "people" / "yoon.yaml", "native_name: 윤석열", "native_name: 윤석열\U0001B000")
    result = run_cli("build", "--root", project)
    assert result.code == 1
    assert "no installed font can show '\U0001B000' (U+1B000) in content/people/yoon.yaml (native_name)" in result.err
    assert "sudo apt-get install fonts-noto-core fonts-noto-cjk fonts-ipafont-gothic fonts-nanum" in result.err
    assert not (project / "output" / f"{SAMPLE_ID}.pdf").exists()


def test_html_is_self_contained(sample_build: Path):
    html = (sample_build / f"{SAMPLE_ID}.html").read_text()
    assert "<style>" in html
    assert "<link" not in html
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert not re.search(r"url\(", html)


def test_markdown_cannot_pass_raw_html(project: Path, brief_file: Path):
    edit(brief_file, "  purpose: |\n", "  purpose: |\n    <script>alert(1)</script>\n")
    result = run_cli("build", "--root", project)
    assert result.code == 1
    assert "raw HTML is not allowed in Markdown text (found `<script>`)" in result.err


def test_golden_html(sample_build: Path):
    """The sample's HTML, byte for byte. Refresh with BRIEFGEN_UPDATE_GOLDEN=1 after a deliberate change."""
    html = (sample_build / f"{SAMPLE_ID}.html").read_text()
    golden = REPO / "tests" / "golden" / f"{SAMPLE_ID}.html"
    if os.environ.get("BRIEFGEN_UPDATE_GOLDEN"):
        golden.write_text(html)
    assert html == golden.read_text()


def test_missing_file_is_a_usage_error(project: Path):
    result = run_cli("build", "--root", project, project / "content" / "nope.yaml")
    assert result.code == 2
    assert result.err.strip().endswith("nope.yaml")
    assert "Traceback" not in result.err


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.mark.parametrize("module", ["briefgen", "briefgen.workflows.check"])
def test_validation_does_not_import_weasyprint(module: str):
    """`check` must stay fast: WeasyPrint is imported only when a PDF is written."""
    import subprocess
    import sys
    code = (f"import {module}, sys; from briefgen.workflows.check import Project, check_briefs; "
            "check_briefs(Project.at(__import__('pathlib').Path(sys.argv[1]))); "
            "print('weasyprint' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_images_from_assets_are_embedded_so_the_html_stays_self_contained(project: Path, brief_file: Path):
    import base64
    assets = project / "content" / "assets"
    assets.mkdir()
    png = tiny_png()
    (assets / "dot.png").write_bytes(png)
    edit(brief_file, "background: |\n  Japan", "background: |\n  ![A red dot](assets/dot.png) Japan")
    assert run_cli("build", "--root", project).code == 0
    html = (project / "output" / f"{SAMPLE_ID}.html").read_text()
    assert f'<img alt="A red dot" src="data:image/png;base64,{base64.b64encode(png).decode()}">' in html
    assert "assets/dot.png" not in html
    page = PdfReader(project / "output" / f"{SAMPLE_ID}.pdf").pages[0]
    images = [x for x in page["/Resources"]["/XObject"].values() if x.get_object()["/Subtype"] == "/Image"]
    assert len(images) == 1
