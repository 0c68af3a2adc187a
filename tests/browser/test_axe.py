"""WCAG 2.1 AA, checked by axe-core (bundled by axe-playwright-python) in the real Chromium:
the one-pager a person opens from output/, the email's HTML body, and the live preview's
index, brief page and problem overlay. Accepted exceptions live in
tests/accessibility/exceptions.py, with their reasons; today there are none."""

from __future__ import annotations

import email
import email.policy
import itertools
import re
from pathlib import Path

from accessibility.exceptions import AXE_RULES
from axe_playwright_python.sync_playwright import Axe
from conftest import SAMPLE_ID, edit, run_cli
from playwright.sync_api import Page, expect

from browser.conftest import LiveServer

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}
TITLE_LINE = "title: Camp David Trilateral Summit\n"
RELOAD = 15_000


def assert_wcag_21_aa(page: Page, what: str) -> None:
    """No axe violation at WCAG 2.1 A or AA on `page`, but the listed exceptions."""
    results = Axe().run(page, options=WCAG_21_AA)
    violations = [v for v in results.response["violations"] if v["id"] not in AXE_RULES]
    assert results.response["testEngine"]["version"], "axe-core did not run"
    assert not violations, f"{what}: " + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(f"{', '.join(map(str, n['target']))}: {n['failureSummary']}" for n in v["nodes"][:5])
        for v in violations)


def test_the_one_pager_passes_axe(page: Page, sample_build: Path):
    page.goto((sample_build / f"{SAMPLE_ID}.html").as_uri(), wait_until="load")
    assert_wcag_21_aa(page, "output/<id>.html")


def test_the_email_body_passes_axe(page: Page, project: Path):
    result = run_cli("email", SAMPLE_ID, "--root", project)
    assert result.code == 0, result.err
    message = email.message_from_bytes((project / "output" / f"{SAMPLE_ID}.eml").read_bytes(),
                                       policy=email.policy.default)
    page.set_content(message.get_body(("html",)).get_content(), wait_until="load")
    assert_wcag_21_aa(page, "the email's HTML body")


def test_the_preview_index_page_and_overlay_pass_axe(live: LiveServer, page: Page):
    page.goto(live.url)
    expect(page.locator(f"#brief-{SAMPLE_ID}")).to_have_attribute("data-status", "built", timeout=60_000)
    assert_wcag_21_aa(page, "the preview's index")
    page.goto(live.brief_url())
    expect(page.locator("h1")).to_have_text("Camp David Trilateral Summit")
    assert_wcag_21_aa(page, "the preview's brief page")
    edit(live.brief_file, TITLE_LINE, "title: [Camp David\n")
    expect(page.locator("briefgen-preview #problems")).to_be_visible(timeout=RELOAD)
    assert_wcag_21_aa(page, "the preview's problem overlay")


def test_the_preview_pages_of_an_audience_s_version_pass_axe(live_versions: LiveServer, page: Page):
    """The full brief's links to its versions, a version's page (its note and status in the
    overlay) and its changes since the last commit (here: not in git, said so)."""
    page.goto(live_versions.brief_url("ally-talks"))
    expect(page.locator("briefgen-preview #versions")).to_contain_text("press")
    assert_wcag_21_aa(page, "the preview's brief page with its versions")
    page.goto(live_versions.brief_url("ally-talks") + "/for/press")
    expect(page.locator("briefgen-preview #status")).to_have_attribute("data-status", "built", timeout=90_000)
    expect(page.locator("briefgen-preview #version")).to_contain_text("Version for Press office")
    assert_wcag_21_aa(page, "the preview's page of an audience's version")
    page.locator("briefgen-preview #version").get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("Changes since the last commit")
    assert_wcag_21_aa(page, "the changes page of an audience's version")


STATUSES = ["expected", "confirmed", "announced", "deferred", "dropped"]
MARKINGS = ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET", "OFFICIAL-SENSITIVE"]


def test_every_banner_and_status_badge_has_aa_contrast(page: Page, project: Path, brief_file: Path):
    """Each classification colour and each status badge, as rendered, at 4.5:1 or more."""
    from briefgen.project import Project
    from briefgen.workflows.brief import prepare_brief

    statuses = itertools.cycle(STATUSES)
    text = re.sub(r"(?m)^    status: expected$", lambda _: f"    status: {next(statuses)}",
                  brief_file.read_text(encoding="utf-8"))
    brief_file.write_text(text, encoding="utf-8")
    for marking in MARKINGS:
        edit(brief_file, "classification: UNCLASSIFIED" if marking == MARKINGS[0] else
             f"classification: {MARKINGS[MARKINGS.index(marking) - 1]}", f"classification: {marking}")
        result, prepared = prepare_brief(Project.at(project), brief_file)
        assert prepared is not None, result.errors
        page.set_content(prepared.html, wait_until="load")
        assert {page.locator(f".status-{status}").count() > 0 for status in STATUSES} == {True}
        results = Axe().run(page, options={"runOnly": ["color-contrast"]}).response
        assert [n["target"] for v in results["violations"] for n in v["nodes"]] == [], marking
        checked = [n["target"] for v in results["passes"] for n in v["nodes"]]
        assert [".banner-top"] in checked or any(".banner" in t[0] for t in checked), checked
