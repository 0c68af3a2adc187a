"""Decisions ticked on the PDF: real form check boxes with accessible names, in a PDF that
stays PDF/UA-1, read back by `briefgen decisions` into the YAML (comments kept)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from accessibility.checkers import assert_page_conforms
from conftest import REPO, edit, run_cli
from pypdf import PdfReader, PdfWriter

BRIEF_ID = "woodside-2023"


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A project holding the Woodside brief (two decisions), built."""
    shutil.copytree(REPO / "content" / "people", tmp_path / "content" / "people")
    shutil.copy(REPO / "content" / f"{BRIEF_ID}.yaml", tmp_path / "content")
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 0, result.err
    return tmp_path


def tick(pdf: Path, target: Path, values: dict[str, str]) -> Path:
    """Tick boxes (or type in fields) as a PDF reader saves a filled form."""
    writer = PdfWriter(clone_from=PdfReader(pdf))
    writer.update_page_form_field_values(writer.pages[0], values, auto_regenerate=False)
    with target.open("wb") as handle:
        writer.write(handle)
    return target


def test_each_option_is_a_check_box_named_for_its_decision_and_the_pdf_stays_pdf_ua(built: Path):
    pdf = built / "output" / f"{BRIEF_ID}.pdf"
    fields = PdfReader(pdf).get_fields() or {}
    assert {name: (f["/FT"], f["/TU"]) for name, f in fields.items()} == {
        f"{BRIEF_ID}:decision-1-option-1": ("/Btn", "Decision 1: Approve"),
        f"{BRIEF_ID}:decision-1-option-2": ("/Btn", "Decision 1: Disapprove"),
        f"{BRIEF_ID}:decision-2-option-1": ("/Btn", "Decision 2: Agree"),
        f"{BRIEF_ID}:decision-2-option-2": ("/Btn", "Decision 2: Disagree"),
        f"{BRIEF_ID}:decision-2-option-3": ("/Btn", "Decision 2: Discuss"),
        f"{BRIEF_ID}:decision-1-initials": ("/Tx", "Decision 1: initials"),
        f"{BRIEF_ID}:decision-1-date": ("/Tx", "Decision 1: date (YYYY-MM-DD)"),
        f"{BRIEF_ID}:decision-2-initials": ("/Tx", "Decision 2: initials"),
        f"{BRIEF_ID}:decision-2-date": ("/Tx", "Decision 2: date (YYYY-MM-DD)"),
    }
    assert all(f["/V"] == "/Off" for f in fields.values() if f["/FT"] == "/Btn")
    metadata = PdfReader(pdf).metadata
    assert metadata is not None
    assert metadata["/BriefgenBrief"] == BRIEF_ID
    assert_page_conforms(pdf, "ua1")


def test_a_box_ticked_in_a_reader_is_recorded_as_the_outcome_keeping_comments(built: Path, tmp_path: Path):
    yaml_path = built / "content" / f"{BRIEF_ID}.yaml"
    before = yaml_path.read_text(encoding="utf-8")
    filled = tick(built / "output" / f"{BRIEF_ID}.pdf", tmp_path / "ticked.pdf",
                  {f"{BRIEF_ID}:decision-2-option-1": "/on"})
    result = run_cli("decisions", filled, "--root", built)
    assert result.code == 0, result.err
    assert "decision 2 (Bring U.S. and Chinese experts together" in result.out
    assert ": Agree" in result.out
    assert "no box ticked for decision 1; left as it was" in result.out
    after = yaml_path.read_text(encoding="utf-8")
    assert "    outcome:\n      choice: Agree\n" in after
    assert after.replace("    outcome:\n      choice: Agree\n", "") == before   # nothing else moved
    assert after.count("# ") == before.count("# ") > 0                            # comments kept

    rebuilt = run_cli("build", "--root", built)                  # recorded: the box prints ticked
    assert rebuilt.code == 0, rebuilt.err
    fields = PdfReader(built / "output" / f"{BRIEF_ID}.pdf").get_fields() or {}
    assert fields[f"{BRIEF_ID}:decision-2-option-1"]["/V"] == "/on"

    again = run_cli("decisions", filled, "--root", built)      # the same PDF again: the same outcome
    assert again.code == 0, again.err
    assert yaml_path.read_text(encoding="utf-8") == after


def test_a_pdf_whose_brief_changed_since_is_refused_and_nothing_written(built: Path, tmp_path: Path):
    filled = tick(built / "output" / f"{BRIEF_ID}.pdf", tmp_path / "ticked.pdf",
                  {f"{BRIEF_ID}:decision-1-option-1": "/on"})
    yaml_path = built / "content" / f"{BRIEF_ID}.yaml"
    edit(yaml_path, "Agree to restore talks", "Agree to resume talks")
    changed = yaml_path.read_text(encoding="utf-8")
    result = run_cli("decisions", filled, "--root", built)
    assert result.code == 2
    assert "was made from another version of content/woodside-2023.yaml" in result.err
    assert "nothing was recorded" in result.err
    assert yaml_path.read_text(encoding="utf-8") == changed


def test_a_pdf_not_of_this_project_and_two_boxes_ticked_are_refused(built: Path, tmp_path: Path):
    other = tmp_path / "other"
    (other / "content").mkdir(parents=True)
    result = run_cli("decisions", built / "output" / f"{BRIEF_ID}.pdf", "--root", other)
    assert result.code == 2
    assert "is not a brief of this project (it names 'woodside-2023'" in result.err

    both = tick(built / "output" / f"{BRIEF_ID}.pdf", tmp_path / "both.pdf",
                {f"{BRIEF_ID}:decision-2-option-1": "/on", f"{BRIEF_ID}:decision-2-option-3": "/on"})
    yaml_path = built / "content" / f"{BRIEF_ID}.yaml"
    before = yaml_path.read_text(encoding="utf-8")
    result = run_cli("decisions", both, "--root", built)
    assert result.code == 2
    assert "decision 2 has 2 boxes ticked (Agree, Discuss); tick one" in result.err
    assert yaml_path.read_text(encoding="utf-8") == before


def make_book(root: Path, *brief_ids: str) -> Path:
    """A book of these briefs, built: its PDF."""
    (root / "content" / "books").mkdir()
    (root / "content" / "books" / "trip.yaml").write_text(
        "title: A trip\nclassification: UNCLASSIFIED\nprepared_by: Briefing staff\nas_of: 2023-11-15\n"
        "briefs:\n" + "".join(f"  - {brief_id}\n" for brief_id in brief_ids), encoding="utf-8")
    result = run_cli("book", "--root", root, "trip")
    assert result.code == 0, result.err
    return root / "output" / "trip.pdf"


def test_in_a_briefing_book_the_boxes_stay_form_fields(built: Path):
    book = make_book(built, BRIEF_ID)
    fields = PdfReader(book).get_fields() or {}
    assert fields[f"{BRIEF_ID}:decision-2-option-3"]["/TU"] == "Decision 2: Discuss"
    assert_page_conforms(book, "ua1")


def test_the_record_copy_with_its_boxes_stays_pdf_a_3b(built: Path):
    result = run_cli("build", "--root", built, "--record", "--force")
    assert result.code == 0, result.err
    record = built / "output" / f"{BRIEF_ID}.record.pdf"
    assert f"{BRIEF_ID}:decision-1-option-2" in (PdfReader(record).get_fields() or {})
    assert_page_conforms(record, "3b")


def test_a_book_of_two_briefs_with_decisions_has_unique_fields_and_records_each_brief(built: Path,
                                                                                       tmp_path: Path):
    """Each brief's boxes are named for the brief, so in a book ticking one ticks only it,
    and `briefgen decisions` records a book's ticks into each brief."""
    woodside = built / "content" / f"{BRIEF_ID}.yaml"
    second = built / "content" / "woodside-follow-up.yaml"
    second.write_text(woodside.read_text(encoding="utf-8").replace(
        "title: ", "title: Follow-up to ", 1), encoding="utf-8")
    book = make_book(built, BRIEF_ID, "woodside-follow-up")
    reader = PdfReader(book)
    names = [str(annot.get_object()["/T"]) for page in reader.pages
             for annot in page.get("/Annots") or [] if annot.get_object().get("/FT") == "/Btn"]
    assert len(names) == 10
    assert len(set(names)) == 10, names
    assert f"{BRIEF_ID}:decision-2-option-1" in names
    assert "woodside-follow-up:decision-2-option-1" in names
    assert_page_conforms(book, "ua1")

    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        writer.update_page_form_field_values(page, {"woodside-follow-up:decision-2-option-1": "/on"},
                                             auto_regenerate=False)
    with (tmp_path / "ticked.pdf").open("wb") as handle:
        writer.write(handle)
    values = {name: field.get("/V") for name, field in (PdfReader(tmp_path / "ticked.pdf").get_fields() or {}).items()}
    assert [name for name, value in values.items() if value == "/on"] == ["woodside-follow-up:decision-2-option-1"]
    before = woodside.read_text(encoding="utf-8")
    recorded = run_cli("decisions", tmp_path / "ticked.pdf", "--root", built)
    assert recorded.code == 0, recorded.err
    assert "content/woodside-follow-up.yaml: decision 2 (" in recorded.out
    assert "content/woodside-2023.yaml: nothing recorded" in recorded.out
    assert "    outcome:\n      choice: Agree\n" in second.read_text(encoding="utf-8")
    assert woodside.read_text(encoding="utf-8") == before


def test_initials_and_date_typed_on_the_pdf_are_recorded_and_the_pdf_stays_pdf_ua(built: Path, tmp_path: Path):
    """The initials and date are text fields of the page: typed in a reader, read back with
    the tick; their font maps no glyph to U+0000 or U+FEFF, so the PDF stays PDF/UA-1."""
    pdf = built / "output" / f"{BRIEF_ID}.pdf"
    assert_page_conforms(pdf, "ua1")
    filled = tick(pdf, tmp_path / "signed.pdf", {f"{BRIEF_ID}:decision-1-option-1": "/on",
                                                  f"{BRIEF_ID}:decision-1-initials": "JRB",
                                                  f"{BRIEF_ID}:decision-1-date": "2023-11-15"})
    result = run_cli("decisions", filled, "--root", built)
    assert result.code == 0, result.err
    assert ": Approve (JRB, 15 Nov 2023)" in result.out
    text = (built / "content" / f"{BRIEF_ID}.yaml").read_text(encoding="utf-8")
    assert "    outcome:\n      choice: Approve\n      initials: JRB\n      on: '2023-11-15'\n" in text \
        or "    outcome:\n      choice: Approve\n      initials: JRB\n      on: 2023-11-15\n" in text
    rebuilt = run_cli("build", "--root", built, "--record")
    assert rebuilt.code == 0, rebuilt.err
    fields = PdfReader(pdf).get_fields() or {}
    assert fields[f"{BRIEF_ID}:decision-1-initials"]["/V"] == "JRB"         # recorded: printed in its field
    assert fields[f"{BRIEF_ID}:decision-1-date"]["/V"] == "2023-11-15"
    assert_page_conforms(pdf, "ua1")
    assert_page_conforms(built / "output" / f"{BRIEF_ID}.record.pdf", "3b")
