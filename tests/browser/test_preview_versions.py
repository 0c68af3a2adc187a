"""The preview's page of an audience's version, in Chromium: reached from the full brief,
following saves, and never showing what the audience may not see."""

from __future__ import annotations

from conftest import edit
from playwright.sync_api import Page, expect

from browser.conftest import LiveServer

RELOAD = 15_000
PDF = 90_000          # the full brief and its three versions are laid out in turn


def test_a_version_is_reached_from_the_full_brief_and_follows_saves(live_versions: LiveServer, page: Page):
    brief = live_versions.root / "content" / "ally-talks.yaml"
    page.goto(live_versions.brief_url("ally-talks"))
    versions = page.locator("briefgen-preview #versions")
    expect(versions).to_contain_text("Versions:")
    versions.get_by_role("link", name="press").click()
    expect(page).to_have_url(live_versions.brief_url("ally-talks") + "/for/press", timeout=RELOAD)
    expect(page.locator("briefgen-preview #version")).to_contain_text("Version for Press office")
    expect(page.locator("briefgen-preview #status")).to_have_attribute("data-status", "built", timeout=PDF)
    expect(page.locator("body")).to_contain_text("UNCLASSIFIED")
    expect(page.locator("body")).not_to_contain_text("NARWHALCREST")
    assert page.locator("briefgen-preview #status").get_attribute("href") == "/briefs/ally-talks/for/press.pdf"

    # a withheld portion saved, then a visible one: once the second shows, the first was handled
    edit(brief, "position on NARWHALCREST stays", "position on NARWHALCREST and ORCASPIRAL stays")
    edit(brief, "The alliance is strong", "The alliance is strong and KOALAVERSE")
    expect(page.locator("body")).to_contain_text("KOALAVERSE", timeout=RELOAD)
    expect(page.locator("body")).not_to_contain_text("ORCASPIRAL")
    expect(page.locator("body")).not_to_contain_text("NARWHALCREST")
    expect(page.locator("briefgen-preview #status")).to_have_attribute("data-status", "built", timeout=PDF)

    edit(brief, "  - id: press\n    name: Press office\n", "  - id: media\n    name: Press office\n")
    expect(page.locator("body")).to_contain_text("has no audience `press` (its audiences: staff, partner, "
                                                 "media)", timeout=RELOAD)
