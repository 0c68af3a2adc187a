"""The ledger of deliverables across briefs, from a real git history, and a brief that
`follows` an earlier one: its "Since the last meeting" section."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, edit, run_cli
from pdf_utils import pdf_text

FIRST = """\
title: First talks
classification: UNCLASSIFIED
prepared_by: Briefing staff
as_of: 2023-08-01
event:
  kind: meeting
  date: 2023-08-02
  location: Washington
  purpose: The first round of talks.
decisions:
  - issue: Open a hotline between the two leaders?
    recommendation: Approve.
    options: [Approve, Disapprove]
participants:
  - person: biden
    role: principal
deliverables:
  - id: hotline
    title: Leaders' hotline
    status: expected
    summary: A direct line between the leaders.
  - id: working-group
    title: Working group on supply chains
    status: expected
    summary: Officials meet every quarter.
"""

SECOND = """\
title: Second talks
classification: UNCLASSIFIED
prepared_by: Briefing staff
as_of: 2024-02-01
follows: first-talks
event:
  kind: meeting
  date: 2024-02-02
  location: Tokyo
  purpose: The second round of talks.
participants:
  - person: biden
    role: principal
deliverables:
  - id: summit-date
    title: Date of the next summit
    status: expected
    summary: The leaders set a date.
"""


def git(root: Path, *args: str, author: str = "Test") -> str:
    return subprocess.run(["git", "-C", str(root), "-c", f"user.name={author}", "-c",
                           f"user.email={author.split()[0].lower()}@example.org", *args],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Two briefs, the second following the first; then, by another author, the first's
    hotline announced and its decision recorded."""
    root = tmp_path / "briefs"
    shutil.copytree(REPO / "content" / "people", root / "content" / "people")
    (root / "content" / "first-talks.yaml").write_text(FIRST, encoding="utf-8")
    (root / "content" / "second-talks.yaml").write_text(SECOND, encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "two briefs", author="Ada Desk")
    first = root / "content" / "first-talks.yaml"
    edit(first, "status: expected\n    summary: A direct", "status: announced\n    summary: A direct")
    edit(first, "options: [Approve, Disapprove]\n",
         "options: [Approve, Disapprove]\n    outcome: {choice: Approve, initials: JRB, on: 2023-08-02}\n")
    git(root, "commit", "-q", "-am", "after the first talks", author="Ben Records")
    edit(first, "status: expected\n    summary: Officials", "status: deferred\n    summary: Officials")
    return root


def test_the_ledger_lists_every_deliverable_across_briefs_with_who_changed_it(repo: Path):
    result = run_cli("ledger", "--root", repo, "--format", "json")
    assert result.code == 0, result.err
    ledger = {(e["brief"], e["deliverable"]): e for e in json.loads(result.out)}
    assert set(ledger) == {("first-talks", "hotline"), ("first-talks", "working-group"),
                           ("second-talks", "summit-date")}
    hotline = ledger[("first-talks", "hotline")]
    assert hotline["status"] == "announced"
    assert [(c["status"], c["who"]) for c in hotline["history"]] == [("expected", "Ada Desk"),
                                                                      ("announced", "Ben Records")]
    assert all(c["when"] and len(c["commit"]) == 40 for c in hotline["history"])
    group = ledger[("first-talks", "working-group")]
    assert [(c["status"], c["who"], c["commit"]) for c in group["history"]] == [
        ("expected", "Ada Desk", group["history"][0]["commit"]), ("deferred", "not committed", None)]

    text = run_cli("ledger", "--root", repo).out
    assert "first-talks/hotline: Leaders' hotline: announced\n  expected (Ada Desk, " in text
    rows = list(csv.DictReader(io.StringIO(run_cli("ledger", "--root", repo, "--format", "csv").out)))
    assert [(r["deliverable"], r["status"], r["who"]) for r in rows][:2] == [
        ("hotline", "expected", "Ada Desk"), ("hotline", "announced", "Ben Records")]
    markdown = run_cli("ledger", "--root", repo, "--format", "markdown").out
    assert "| first-talks | Leaders' hotline (`hotline`) | announced | expected (Ada Desk, " in markdown


def test_a_brief_that_follows_another_prints_since_the_last_meeting_in_its_annex(repo: Path):
    result = run_cli("build", "--root", repo, repo / "content" / "second-talks.yaml")
    assert result.code == 0, result.err
    pages = pdf_text(repo / "output" / "second-talks.pdf")
    words = " ".join(pages.split())
    annex = words[words.index("Annex A"):]
    assert "SINCE THE LAST MEETING" in annex
    assert "First talks · Wednesday, August 2, 2023" in annex
    # statuses as words with a shape that survives grey, and curly quotes (issue 23)
    assert "Leaders\u2019 hotline. A direct line between the leaders. \u25cf ANNOUNCED" in annex
    assert "Working group on supply chains. Officials meet every quarter. \u2013 DEFERRED" in annex
    assert "Open a hotline between the two leaders? Approve (JRB, 2 Aug 2023)" in annex


def test_follows_naming_no_brief_is_an_error_at_its_line(repo: Path):
    second = repo / "content" / "second-talks.yaml"
    edit(second, "follows: first-talks", "follows: frist-talks")
    result = run_cli("check", "--root", repo, "--no-layout", second)
    assert result.code == 1
    assert ("content/second-talks.yaml:5:10: error: 'frist-talks' is not a brief here (there is no "
            "content/frist-talks.yaml)") in result.err


def test_a_change_to_the_brief_followed_rebuilds_the_brief_that_follows_it(repo: Path):
    """The earlier brief is an input of the later one: its new status is printed by the next
    build, without --force."""
    second = repo / "content" / "second-talks.yaml"
    assert run_cli("build", "--root", repo, second).out.splitlines()[-1].startswith("1 built")
    assert run_cli("build", "--root", repo, second).out.splitlines()[-1].startswith("0 built, 1 unchanged")
    edit(repo / "content" / "first-talks.yaml", "status: deferred\n    summary: Officials",
         "status: dropped\n    summary: Officials")
    result = run_cli("build", "--root", repo, second)
    assert result.out.splitlines()[-1].startswith("1 built"), result.out
    printed = " ".join(pdf_text(repo / "output" / "second-talks.pdf").split())
    assert "Officials meet every quarter. \u00d7 DROPPED" in printed
