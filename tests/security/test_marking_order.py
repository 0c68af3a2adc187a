"""Attack class: marking comparisons that fail open.

A book marked with a word outside the known order (`PUBLIC`, `OFFICIAL`, `NONE`) held a
SECRET brief and passed `check` with a warning, and its marking went on every page. A
recipient whose clearance carries caveats was compared by level only. Every comparison of
markings is total and fails closed: what cannot be ordered is an error saying how to fix it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import briefgen, make_project

BOOK = """\
title: A trip
classification: {marking}
prepared_by: Test office
as_of: 2023-08-18
briefs:
  - mini
"""


def _check(root: Path) -> tuple[int, str]:
    process = briefgen("check", cwd=root)
    out, err = process.communicate(timeout=120)
    return process.returncode, out + err


def _book_of(root: Path, brief_marking: str, book_marking: str) -> tuple[int, str]:
    """`check` of the mini brief marked `brief_marking` in a book marked `book_marking`."""
    project = make_project(root)
    project.replace_line("classification: UNCLASSIFIED", f"classification: {brief_marking}")
    (root / "content" / "books").mkdir()
    (root / "content" / "books" / "trip.yaml").write_text(BOOK.format(marking=book_marking))
    return _check(root)


@pytest.mark.parametrize("book_marking", ["PUBLIC", "OFFICIAL", "NONE", "SECRETS", "U"])
def test_a_book_marked_outside_the_order_is_an_error(tmp_path: Path, book_marking: str):
    code, text = _book_of(tmp_path, "SECRET", book_marking)
    assert code != 0, text
    assert "content/books/trip.yaml:2:" in text, text
    assert "error:" in text, text
    assert "cannot be compared" in text, text
    assert "mark the book" in text, text


@pytest.mark.parametrize("brief_marking", ["PUBLIC", "OFFICIAL-SENSITIVE", "NONE"])
def test_a_brief_marked_outside_the_order_is_an_error_in_its_book(tmp_path: Path, brief_marking: str):
    code, text = _book_of(tmp_path, brief_marking, "UNCLASSIFIED")
    assert code != 0, text
    assert "cannot be compared" in text, text


@pytest.mark.parametrize("brief_marking", ["UNCLASSIFIED//SECRET", "CONFIDENTIAL SECRET", "UNCLASSIFIED/TOP SECRET"])
def test_a_higher_word_further_on_in_a_brief_s_marking_counts(tmp_path: Path, brief_marking: str):
    code, text = _book_of(tmp_path, brief_marking, "CONFIDENTIAL")
    assert code != 0, text
    assert "lower than its brief" in text, text


def test_the_same_word_on_book_and_brief_is_fine(tmp_path: Path):
    code, text = _book_of(tmp_path, "PUBLIC", "PUBLIC")
    assert code == 0, text


MARKED = """\
markings:
  scheme: us
distribution:
  to:
    - person: alice
      address: alice@example.org
"""


def _sent_to(root: Path, clearance: str) -> tuple[int, str]:
    """`check` of the mini brief marked S//NOFORN, sent to alice, who has `clearance`."""
    project = make_project(root)
    project.replace_line("classification: UNCLASSIFIED", "classification: S//NOFORN")
    project.replace_line("  - A message.", "  - text: A message.\n    marking: S//NOFORN")
    with project.brief.open("a") as brief:
        brief.write(MARKED)
    with project.person.open("a") as person:
        person.write(f"clearance: {clearance}\n")
    return _check(root)


@pytest.mark.parametrize("clearance", ["S//REL TO GBR", "S", "C//NOFORN"])
def test_a_recipient_cleared_below_the_caveats_is_an_error(tmp_path: Path, clearance: str):
    """The brief is S//NOFORN: a clearance of the same level without NOFORN, or released to
    foreign readers, or of a lower level, may not receive it."""
    code, text = _sent_to(tmp_path, clearance)
    assert code != 0, text
    assert "`alice`" in text, text
    assert "NOFORN" in text, text


def test_a_recipient_cleared_for_the_caveats_receives(tmp_path: Path):
    code, text = _sent_to(tmp_path, "TS//NOFORN")
    assert code == 0, text
