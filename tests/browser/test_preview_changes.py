"""The preview's "changes since the last commit" page, in Chromium, for a project kept in git."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from conftest import SAMPLE_ID, edit
from playwright.sync_api import Page, expect

from browser.conftest import LiveServer

LOAD = 15_000


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=Test", "-c", "user.email=test@example.org",
                    *args], check=True, capture_output=True)


def test_changes_since_the_last_commit_on_demand(live: LiveServer, page: Page):
    git(live.root, "init", "-q", "-b", "main")
    git(live.root, "add", "content")
    git(live.root, "commit", "-q", "-m", "briefs")
    built = live.log().count(f"built content/{SAMPLE_ID}.yaml")
    edit(live.brief_file, "  - id: hotline\n    title: Three-way hotline\n    status: expected",
         "  - id: hotline\n    title: Three-way <b>hotline</b>\n    status: announced")
    # The index reloads itself when the save is built: open it once that has happened, so
    # the click is not swallowed by a reload (seen under load).
    deadline = time.monotonic() + LOAD / 1000
    while live.log().count(f"built content/{SAMPLE_ID}.yaml") <= built and time.monotonic() < deadline:
        time.sleep(0.05)
    page.goto(live.url)
    page.locator(f"#brief-{SAMPLE_ID} a.changes-link").click()
    expect(page).to_have_url(f"{live.brief_url()}/changes", timeout=LOAD)
    expect(page.locator("h1")).to_have_text("Changes since the last commit")
    deliverable = page.locator("main li", has_text="Three-way")
    expect(deliverable.first).to_contain_text("Three-way <b>hotline</b>")   # shown as text, not markup
    expect(page.locator("main b")).to_have_count(0)
    expect(page.locator("main ins", has_text="announced").first).to_be_visible()
    expect(page.locator("main del", has_text="expected").first).to_be_visible()


def test_changes_page_outside_git_says_so(live: LiveServer, page: Page):
    page.goto(f"{live.brief_url()}/changes")
    expect(page.locator("p.problem")).to_contain_text("is not in a git repository")
