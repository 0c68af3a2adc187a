"""The second sample's one-pager on screen, in Chromium: the briefing sections are where a
principal looks first, the tick boxes show, and nothing scrolls sideways."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli
from playwright.sync_api import Browser

from browser.conftest import ARTIFACTS, DESKTOP

SECOND_ID = "woodside-2023"


def test_briefing_sections_on_screen(browser: Browser, full_project: Path):
    assert run_cli("build", "--root", full_project).code == 0
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto((full_project / "output" / f"{SECOND_ID}.html").as_uri(), wait_until="load")

    def top(selector: str) -> float:
        return page.locator(selector).first.bounding_box()["y"]

    # Decision first: the bottom line, the decision box, then the objectives; the purpose
    # heads the annex when a bottom line opens the page.
    assert top(".masthead") < top(".bottom-line") < top("section.decisions") < top("section.objectives") \
        < top("#participants") < top(".annex") < top(".purpose")
    boxes = page.locator(".tick-box")
    assert boxes.count() == 5
    for index in range(boxes.count()):
        box = boxes.nth(index).bounding_box()
        assert box["width"] > 5, "a box to tick must show"
        assert box["height"] > 5, "a box to tick must show"
    assert page.locator(".addressee").all_inner_texts() == [
        "To Xi Jinping President of the People’s Republic of China"]      # curly, as printed
    widths = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert widths[0] <= widths[1]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{SECOND_ID}.png", full_page=True)
    context.close()
