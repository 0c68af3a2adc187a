"""The live preview as an author uses it: save the YAML, watch the page in Chromium follow."""

from __future__ import annotations

import io
import re
from pathlib import Path

from conftest import SAMPLE_ID, edit
from pdf_utils import pdf_text
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from browser.conftest import ARTIFACTS, LiveServer

RELOAD = 15_000         # ms: budgets for waiting, generous so a slow CI machine passes
PDF = 60_000
TITLE = "Camp David Trilateral Summit"
TITLE_LINE = f"title: {TITLE}\n"


def line_of(path: Path, text: str) -> int:
    """The 1-based line number of the first line of `path` that starts with `text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line.startswith(text))


def problems(page: Page):
    """The overlay's problem panel (inside the preview's shadow root; Playwright pierces it)."""
    return page.locator("briefgen-preview #problems")


def test_index_lists_each_brief_with_title_date_status_and_pdf(live: LiveServer, page: Page):
    page.goto(live.url)
    row = page.locator(f"#brief-{SAMPLE_ID}")
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("Friday, August 18, 2023")
    expect(row).to_have_attribute("data-status", "built", timeout=PDF)   # the page reloads itself
    expect(row.locator(".status")).to_have_text("built")
    pdf_href = row.get_by_role("link", name="PDF").get_attribute("href")
    assert pdf_href == f"/briefs/{SAMPLE_ID}.pdf"
    pdf = page.request.get(live.url + pdf_href.lstrip("/"))
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    assert PdfReader(io.BytesIO(pdf.body())).metadata.title == TITLE
    row.get_by_role("link", name=TITLE).click()
    expect(page.locator("h1")).to_have_text(TITLE)


def test_a_saved_change_reloads_the_page_and_then_the_pdf(live: LiveServer, page: Page):
    page.goto(live.brief_url())
    expect(page.locator("h1")).to_have_text(TITLE)
    edit(live.brief_file, TITLE_LINE, "title: Camp David Summit, as revised\n")
    expect(page.locator("h1")).to_have_text("Camp David Summit, as revised", timeout=RELOAD)
    status = page.locator("briefgen-preview #status")
    expect(status).to_have_attribute("data-status", "built", timeout=PDF)
    expect(status).to_have_text("PDF up to date")
    assert "Camp David Summit, as revised" in pdf_text(live.root / "output" / f"{SAMPLE_ID}.pdf")
    written = (live.root / "output" / f"{SAMPLE_ID}.html").read_text(encoding="utf-8")
    assert "Camp David Summit, as revised" in written
    assert "/_preview/" not in written, "the preview script is added when serving, never to output/"
    assert "briefgen-preview" not in written, "the preview script is added when serving, never to output/"


def test_broken_yaml_shows_file_and_line_over_the_last_good_version(live: LiveServer, page: Page):
    page.goto(live.brief_url())
    index = page.context.new_page()
    index.goto(live.url)
    expect(problems(page)).to_have_count(0)
    line = line_of(live.brief_file, "title:")
    edit(live.brief_file, TITLE_LINE, "title: [Camp David\n")
    overlay = problems(page)
    expect(overlay).to_be_visible(timeout=RELOAD)
    expect(overlay).to_contain_text(f"content/{SAMPLE_ID}.yaml (showing the last good version)")
    expect(overlay).to_contain_text(f"content/{SAMPLE_ID}.yaml:{line + 1}:")
    expect(overlay).to_contain_text("YAML syntax error")
    expect(page.locator("h1")).to_have_text(TITLE)          # the last good version, under it
    expect(index.locator(f"#brief-{SAMPLE_ID}")).to_have_attribute("data-status", "failing",
                                                                  timeout=RELOAD)
    expect(index.locator(f"#brief-{SAMPLE_ID} .problem")).to_contain_text("YAML syntax error")

    edit(live.brief_file, "title: [Camp David\n", "titel: Camp David, fixed\n")
    expect(overlay).to_contain_text(f"content/{SAMPLE_ID}.yaml:{line}:1", timeout=RELOAD)
    expect(overlay).to_contain_text("unknown key `titel`; did you mean `title`?")

    edit(live.brief_file, "titel: Camp David, fixed\n", "title: Camp David, fixed\n")
    expect(page.locator("h1")).to_have_text("Camp David, fixed", timeout=RELOAD)
    expect(problems(page)).to_have_count(0)
    expect(index.locator(f"#brief-{SAMPLE_ID}")).not_to_have_attribute("data-status", "failing",
                                                                      timeout=RELOAD)


def test_an_overflowing_brief_says_by_how_much_and_clears_when_shortened(live: LiveServer,
                                                                          page: Page):
    page.goto(live.brief_url())
    expect(page.locator("briefgen-preview #status")).to_have_attribute("data-status", "built",
                                                                       timeout=PDF)
    good_pdf = (live.root / "output" / f"{SAMPLE_ID}.pdf").read_bytes()
    gauge = page.locator("briefgen-preview #fit")
    expect(gauge).to_contain_text(re.compile(r"page 1: \d+ words, about \d min to read"))
    # The sample's page 1 is one text column beside its side heads: one region to gauge.
    expect(gauge.locator('[data-region="full"]')).to_contain_text(re.compile(r"text column .* to spare"))
    padding = " ".join(["The summit follows a long series of meetings."] * 50)
    edit(live.brief_file, "sensitivities:\n", f"key_messages:\n  - {padding}\n\nsensitivities:\n")
    overlay = problems(page)
    expect(overlay).to_contain_text("Too long for one page", timeout=PDF)
    expect(overlay).to_contain_text(re.compile(
        r"does not fit on one page: it runs \d+\.\d in \(\d+ mm\) onto a second page"))
    expect(overlay).to_contain_text("text column")
    expect(overlay).to_contain_text("Key messages")
    expect(page.locator("#key-messages")).to_contain_text("long series of meetings")
    expect(gauge.locator('[data-region="full"].over')).to_contain_text(
        re.compile(r"text column \d\.\d in \(\d+ mm\) over, about \d+ words to cut"))
    expect(page.locator("#briefgen-page-end")).to_have_count(1)
    assert (live.root / "output" / f"{SAMPLE_ID}.overflow.pdf").exists()
    assert (live.root / "output" / f"{SAMPLE_ID}.pdf").read_bytes() == good_pdf

    edit(live.brief_file, f"key_messages:\n  - {padding}\n\n", "")
    expect(problems(page)).to_have_count(0, timeout=PDF)
    expect(page.locator("briefgen-preview #status")).to_have_attribute("data-status", "built",
                                                                       timeout=PDF)


def _inside(inner: dict, outer: dict) -> bool:
    return (outer["x"] <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
            and outer["y"] <= inner["y"] and inner["y"] + inner["height"] <= outer["y"] + outer["height"])


def test_the_status_pill_is_in_the_toolbar_and_the_end_of_page_1_in_the_margin(live: LiveServer, page: Page):
    """The preview's own furniture never lies over the sheet: the status pill (and the page-1
    gauge) in a toolbar above it, the line where page 1 ends in the margin beside it."""
    page.goto(live.brief_url())
    status = page.locator("briefgen-preview #toolbar #status")
    expect(status).to_have_attribute("data-status", "built", timeout=PDF)
    expect(page.locator("briefgen-preview #toolbar #fit")).to_have_count(1)
    toolbar = page.locator("briefgen-preview #toolbar").bounding_box()
    sheet = page.locator(".sheet").bounding_box()
    assert _inside(status.bounding_box(), toolbar), (status.bounding_box(), toolbar)
    assert toolbar["y"] + toolbar["height"] <= sheet["y"], (toolbar, sheet)      # above the sheet
    marker = page.locator("#briefgen-page-end")
    expect(marker).to_have_text("end of page 1 →")
    end = marker.bounding_box()
    assert end["width"] > 40, end                                                # a label, legible
    assert end["x"] + end["width"] <= sheet["x"], (end, sheet)                   # left of the page
    assert sheet["y"] < end["y"] < sheet["y"] + sheet["height"], (end, sheet)    # at its height
    page.screenshot(path=str(ARTIFACTS / "preview-toolbar.png"), full_page=True)
    # a window too narrow for a margin: the marker runs across the sheet rather than vanish
    page.set_viewport_size({"width": 760, "height": 800})
    sheet = page.locator(".sheet").bounding_box()
    expect(marker).to_have_css("width", f"{sheet['width']:g}px")
    toolbar = page.locator("briefgen-preview #toolbar").bounding_box()
    assert toolbar["y"] + toolbar["height"] <= sheet["y"], (toolbar, sheet)      # the toolbar may wrap

    edit(live.brief_file, TITLE_LINE, "title: [Camp David\n")                  # a problem: its panel
    panel = problems(page)
    expect(panel).to_be_visible(timeout=RELOAD)
    assert panel.bounding_box()["y"] >= toolbar["y"] + toolbar["height"]         # under the toolbar


def test_content_cannot_break_out_of_the_preview_page(live: LiveServer, page: Page):
    hostile = "</script><script>window.pwned = 1</script><b>bold</b>"
    edit(live.brief_file, TITLE_LINE, f"title: '{hostile}'\n")
    page.goto(live.brief_url())
    expect(page.locator("h1")).to_have_text(hostile, timeout=RELOAD)
    expect(page.locator("h1 b")).to_have_count(0)
    assert page.evaluate("window.pwned") is None
    page.goto(live.url)
    expect(page.locator(f"#brief-{SAMPLE_ID} a").first).to_have_text(hostile)
    assert page.evaluate("window.pwned") is None
