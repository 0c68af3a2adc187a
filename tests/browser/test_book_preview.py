"""Briefing books in the live preview, in Chromium: listed in the index, re-assembled when a
brief of theirs is saved, their PDF served."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from conftest import REPO, copy_sample, edit
from pdf_utils import pdf_text
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from browser.conftest import LiveServer

BOOK = "hiroshima-g7-2023"
BRIEF = "hiroshima-trilateral-2023"
PDF = 120_000   # ms: the book waits for its briefs' PDFs, then is assembled


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The sample brief and the sample trip with its book (overrides the shared fixture, so
    `live` serves this project)."""
    copy_sample(tmp_path / "content")
    shutil.copytree(REPO / "content" / "books", tmp_path / "content" / "books")
    for brief in ("hiroshima-bilateral-2023", BRIEF):
        shutil.copy(REPO / "content" / f"{brief}.yaml", tmp_path / "content")
    return tmp_path


def test_index_lists_the_book_and_it_follows_a_saved_brief(live: LiveServer, page: Page, tmp_path: Path):
    page.goto(live.url)
    row = page.locator(f"#book-{BOOK}")
    expect(row).to_contain_text("G7 Summit, Hiroshima")
    expect(row).to_contain_text(BRIEF)
    expect(row).to_have_attribute("data-status", "built", timeout=PDF)
    href = row.get_by_role("link", name="PDF").get_attribute("href")
    assert href == f"/books/{BOOK}.pdf"
    response = page.request.get(live.url.rstrip("/") + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    book = PdfReader(io.BytesIO(response.body()))
    assert len(book.pages) == len(book.page_labels) >= 7    # cover ... briefs with their annexes ... bios

    edit(live.root / "content" / f"{BRIEF}.yaml", "title: Trilateral meeting",
         "title: Trilateral meeting, as saved in the preview")
    saved = tmp_path / "book.pdf"
    for _ in range(PDF // 500):                  # until the book has been re-assembled
        saved.write_bytes(page.request.get(live.url.rstrip("/") + href).body())
        if "Trilateral meeting, as saved in the preview" in pdf_text(saved):
            break
        page.wait_for_timeout(500)
    else:
        pytest.fail("the book was not re-assembled after its brief was saved:\n" + live.log())
    expect(row).to_have_attribute("data-status", "built", timeout=PDF)


def test_the_book_html_passes_axe(page: Page, built_trip: Path):
    """output/<book>.html, the book for screens (cover, contents, schedule, each brief in a
    sandboxed frame, biographies), meets WCAG 2.1 AA as axe-core judges it."""
    from browser.test_axe import assert_wcag_21_aa

    page.goto((built_trip / "output" / f"{BOOK}.html").as_uri(), wait_until="load")
    assert_wcag_21_aa(page, "output/<book>.html")
