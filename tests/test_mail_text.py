"""The plain-text alternative is written from the content: Markdown reduced to text, sources numbered."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLE_ANNEX, edit, tiny_png

from briefgen.render.text import brief_text
from briefgen.workflows.brief import Project, check_brief

BACKGROUND = """background: |
  Read **this first**: the *history* matters, see
  [the statement](https://example.org/statement) and `Camp David` [@news-report] [@wsj].

  - first point [@wsj]
  - second point, long enough to wrap onto a second line of the plain text so that the hanging indent shows

  1. numbered
"""


def text_of(project: Path, brief_file: Path) -> str:
    validated, result = check_brief(Project.at(project), brief_file)
    assert validated is not None, result.errors
    return brief_text(validated, "camp-david-2023.pdf")


def test_markdown_becomes_plain_text_with_numbered_citations(project: Path, brief_file: Path):
    edit(brief_file, "background: |\n", BACKGROUND + "\n  ")
    text = text_of(project, brief_file)
    section = text[text.index("BACKGROUND\n"):text.index("AGENDA\n")]
    flowing = " ".join(section.split())
    assert ("Read this first: the history matters, see the statement (https://example.org/statement) "
            "and Camp David [2,5].") in flowing
    assert "- first point [2]\n" in section
    assert ("- second point, long enough to wrap onto a second line of the plain text\n"
            "  so that the hanging indent shows\n") in section
    assert "1. numbered\n" in section
    for markup in ("**", "`", "[@", "](", "<"):
        assert markup not in section, markup


def test_every_line_fits_and_the_marking_frames_the_text(project: Path, brief_file: Path):
    text = text_of(project, brief_file)
    lines = text.splitlines()
    assert lines[0] == lines[-1] == "UNCLASSIFIED"
    long_lines = [line for line in lines if len(line) > 72 and " " in line.strip()]
    assert long_lines == []
    assert text.index("PARTICIPANTS") < text.index("EXPECTED DELIVERABLES") < text.index("SOURCES")


def test_images_and_reference_links_read_as_the_page_reads_them(project: Path, brief_file: Path):
    """One parse for page and text: an image becomes its description, a reference link keeps
    its target, and a line the page folds into a list item stays in that item."""
    from briefgen.render.html import brief_view
    (project / "content" / "assets").mkdir()
    (project / "content" / "assets" / "map.png").write_bytes(tiny_png())
    edit(brief_file, "background: |\n", """background: |
  See the [WH][1] readout and ![the map of the region](assets/map.png) here.
  - bullet
  1. not a new list: the page folds this line into the bullet

  [1]: https://www.whitehouse.gov/

  """)
    validated, result = check_brief(Project.at(project), brief_file)
    assert validated is not None, result.errors
    page = str(brief_view(validated)["background"])
    assert '<a href="https://www.whitehouse.gov/"' in page
    assert 'alt="the map of the region"' in page
    text = brief_text(validated, "camp-david-2023.pdf")
    flowing = " ".join(text[text.index("BACKGROUND\n"):text.index("AGENDA\n")].split())
    assert "See the WH (https://www.whitehouse.gov/) readout and the map of the region here." in flowing
    assert "- bullet 1. not a new list: the page folds this line into the bullet" in flowing
    assert "[WH][1]" not in text
    assert "!the map" not in text
    assert "assets/map.png" not in text


def test_the_deliverables_heading_follows_the_statuses_as_on_the_page(project: Path, brief_file: Path):
    """Issue 22: 'EXPECTED DELIVERABLES' only over items that are all expected; then no item
    repeats it. With mixed statuses the heading is 'DELIVERABLES' and each item says its own."""
    text = text_of(project, brief_file)
    assert "\nEXPECTED DELIVERABLES\n" in text
    assert "- Commitment to consult [1]. Each nation commits to consult" in text
    assert "[Expected]" not in text
    edit(brief_file, "    title: Three-way hotline\n    status: expected",
         "    title: Three-way hotline\n    status: announced")
    text = text_of(project, brief_file)
    assert "\nDELIVERABLES\n============\n" in text
    assert "EXPECTED DELIVERABLES" not in text
    assert "- [Announced] Three-way hotline" in text
    assert "- [Expected] Commitment to consult [1]." in text


def test_the_text_says_what_is_attached_from_its_pages(project: Path, brief_file: Path):
    """Issue 22: 'The one-page brief is attached' only for a one-page PDF."""
    validated, _ = check_brief(Project.at(project), brief_file)
    assert validated is not None

    def closing(pages: int | None) -> str:
        text = brief_text(validated, "camp-david-2023.pdf", pages=pages)
        return " ".join(text.split("\n--\n")[1].split())

    assert "The one-page brief is attached as camp-david-2023.pdf. UNCLASSIFIED" in closing(1)
    assert "The brief is attached as camp-david-2023.pdf (3 pages: page 1, then Annex A)." in closing(3)
    assert "one-page" not in closing(3)
    assert "The brief is attached as camp-david-2023.pdf. UNCLASSIFIED" in closing(None)
    edit(brief_file, SAMPLE_ANNEX, "annex: []\n")
    validated, _ = check_brief(Project.at(project), brief_file)
    assert validated is not None
    assert "The brief is attached as camp-david-2023.pdf (2 pages)." in closing(2)


def test_a_source_cited_in_the_text_and_listed_under_sources_is_printed_once(project: Path, brief_file: Path):
    """`[@wsj]` in a deliverable's summary and `sources: [wsj]` on it: one citation [2], on the
    page and in the text, where it is written."""
    from briefgen.render.html import brief_view
    edit(brief_file, "    summary: Enhanced cooperation on ballistic missile defense.\n",
         "    summary: Enhanced cooperation on ballistic missile defense [@wsj].\n")
    validated, result = check_brief(Project.at(project), brief_file)
    assert validated is not None, result.errors
    row = next(d for d in brief_view(validated)["deliverables"] if d["id"] == "missile-defense")
    assert '<sup class="cite">2</sup>' in row["summary"]
    assert row["cite"] == ""
    text = " ".join(brief_text(validated, "camp-david-2023.pdf").split())
    assert ("Enhanced ballistic missile defense cooperation. Enhanced cooperation on ballistic "
            "missile defense [2].") in text


def test_quotes_are_set_curly_as_on_the_page_but_not_in_addresses(project: Path, brief_file: Path):
    """Every text field by the page's rule, the plain ones (a title, an agenda item) as well as
    Markdown; an address written out keeps its straight quote (an attribute on the page, and
    it must still work when clicked)."""
    edit(brief_file, "subtitle: United States · Japan · Republic of Korea",
         "subtitle: The leaders' \"new era\" of cooperation")
    edit(brief_file, "    title: Trilateral discussion", "    title: 'Trilateral \"discussion\" at Aspen'")
    edit(brief_file, "background: |\n", "background: |\n  The host's [readout](https://example.org/it's) "
         "and 'this'.\n\n  ")
    text = text_of(project, brief_file)
    flowing = " ".join(text.split())
    assert "The leaders’ “new era” of cooperation" in flowing
    assert "Trilateral “discussion” at Aspen" in flowing
    assert "The host’s readout (https://example.org/it's) and ‘this’." in flowing
    assert '"' not in text
    assert "'" not in text.replace("https://example.org/it's", "")
