"""The email's HTML body in Chromium at a phone's width (390 px) and a desktop mail window's
(800 px): the marking first, then the title, one column no wider than 600 px, names that do not break word by
word, nothing to scroll sideways, nothing fetched. Screenshots go to test-artifacts/."""

from __future__ import annotations

import email
import email.policy
import os
import re
from pathlib import Path

import pytest
from conftest import SAMPLE_ID, config_home, run_cli
from playwright.sync_api import Browser

from browser.conftest import ARTIFACTS

WIDTHS = (390, 800)
FIRST_VISIBLE_TEXT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let first = null;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (!first || box.top < first.top - 0.5
        || (Math.abs(box.top - first.top) <= 0.5 && box.left < first.left)) {
      first = {text: node.textContent.trim(), top: box.top, left: box.left};
    }
  }
  return first && first.text;
}"""


def _email_body(root: Path, brief_id: str, tmp_path: Path, monkeypatch) -> Path:
    """The HTML part of `briefgen email`'s draft of a brief, as a file."""
    for name in [n for n in os.environ if n.startswith("BRIEFGEN_")]:
        monkeypatch.delenv(name)
    config_home(monkeypatch, tmp_path / "config")
    result = run_cli("email", brief_id, "--root", root, "--to", "desk@example.org")
    assert result.code == 0, result.err
    raw = (root / "output" / f"{brief_id}.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = tmp_path / f"{brief_id}-email-body.html"
    body.write_text(message.get_body(("html",)).get_content(), encoding="utf-8")
    return body


@pytest.fixture
def email_body(project: Path, tmp_path: Path, monkeypatch) -> Path:
    return _email_body(project, SAMPLE_ID, tmp_path, monkeypatch)


PHONE = {"width": 390, "height": 844}    # a phone's first screen, in CSS px


def test_a_phone_s_first_screen_holds_the_marking_the_bottom_line_and_the_first_decision(
        full_project: Path, tmp_path: Path, monkeypatch, browser: Browser):
    """The marking comes first; at 390 px the marking, the bottom line and decision 1 (with
    its recommendation and the reply that stands for the boxes) are seen without scrolling."""
    body = _email_body(full_project, "woodside-2023", tmp_path, monkeypatch)
    html = body.read_text(encoding="utf-8")
    assert "☐" not in html
    assert "Reply APPROVE or DISAPPROVE" in html
    assert "Reply AGREE, DISAGREE or DISCUSS" in html
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(body.as_uri(), wait_until="load")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "email-decision-390.png")
    assert page.evaluate(FIRST_VISIBLE_TEXT) == "UNCLASSIFIED"
    for selector in ("#marking", "#bottom-line", "#decision-1"):
        bottom = page.locator(selector).evaluate("e => e.getBoundingClientRect().bottom")
        assert bottom <= PHONE["height"], f"{selector} ends at {bottom} px, below the first screen"
    assert "Reply APPROVE or DISAPPROVE" in page.locator("#decision-1").inner_text()
    context.close()


def test_the_email_body_uses_relative_sizes_and_tables_not_floats(email_body: Path):
    html = email_body.read_text(encoding="utf-8")
    assert not re.search(r"\d\s*pt\b", html), "print sizes (pt) in the email body"
    assert not re.search(r"font-size:\s*[\d.]+px", html), "font sizes must be relative (em, %)"
    for layout in ("float:", "columns:", "display: flex", "display:flex", "display: grid"):
        assert layout not in html, f"{layout} is ignored by Outlook's Word engine; use a table"
    assert html.count("<table") >= 3


@pytest.mark.parametrize("width", WIDTHS)
def test_the_email_body_reads_as_one_column_with_the_title_first(
        width: int, browser: Browser, email_body: Path):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(email_body.as_uri(), wait_until="load")

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"email-{width}.png"
    page.screenshot(path=shot, full_page=True)
    print(f"screenshot: {shot}")

    assert requests == [email_body.as_uri()], "the email body must fetch nothing"
    assert page.evaluate(FIRST_VISIBLE_TEXT) == "UNCLASSIFIED", "the marking first"
    assert page.locator("h1").inner_text() == "Camp David Trilateral Summit"
    marking, title = (page.locator(s).evaluate("e => e.getBoundingClientRect().top") for s in ("#marking", "h1"))
    assert marking < title, "then the title"
    scroll, client = page.evaluate("[document.scrollingElement.scrollWidth, "
                                   "document.scrollingElement.clientWidth]")
    assert scroll <= client, f"horizontal scroll: content {scroll} px in a {client} px window"
    column = page.locator("h1").evaluate("h => h.closest('td').getBoundingClientRect().width")
    assert column <= 600
    assert column >= min(600, width - 2 * 12 - 1), "the column uses the width there is"
    names = page.locator("[id^=participant-] strong")
    assert names.count() == 5
    for index in range(names.count()):
        lines = names.nth(index).evaluate("name => name.getClientRects().length")
        assert lines == 1, f"{names.nth(index).inner_text()} wraps over {lines} lines at {width} px"
    context.close()
