"""The one-pager a person opens from output/, in Chromium: self-contained, clean, and as wide
as the page it stands for, on Letter and on A4."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE_ID, edit, run_cli
from playwright.sync_api import Browser

from browser.conftest import ARTIFACTS, DESKTOP

PAPERS = {"letter": 8.5 * 96, "a4": 210 / 25.4 * 96}    # sheet widths in CSS px


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_the_one_pager_from_disk_is_self_contained_and_fits_the_width(
        paper: str, browser: Browser, project: Path, brief_file: Path):
    if paper != "letter":
        edit(brief_file, "paper: letter", f"paper: {paper}")
    assert run_cli("build", "--root", project).code == 0
    html_file = project / "output" / f"{SAMPLE_ID}.html"
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    requests, console_errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    page.goto(html_file.as_uri(), wait_until="load")

    assert page.locator("h1").inner_text() == "Camp David Trilateral Summit"
    assert requests == [html_file.as_uri()], "the one-pager must fetch nothing but itself"
    assert console_errors == []
    widths = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert widths[0] <= widths[1], f"horizontal scroll: content {widths[0]} px in a {widths[1]} px window"
    sheet = page.locator(".sheet").bounding_box()
    assert sheet["width"] == pytest.approx(PAPERS[paper], abs=1)
    assert page.locator("body").get_attribute("class") == f"paper-{paper}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"one-pager-{paper}.png", full_page=True)
    context.close()
