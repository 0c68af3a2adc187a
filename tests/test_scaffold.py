"""`briefgen new`: a new brief builds at once, its placeholders marked on the page, warned of
by check at their lines, and refused by `check --strict` and `email --send` (issue 22)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pypdf
import pytest
from conftest import config_home, copy_sample, run_cli
from mail_server import smtp_server

LOCATED = re.compile(r"^content/(people/)?[\w-]+\.yaml:\d+:\d+: warning: placeholder not filled in: write .+ \(\S+\)$")


@pytest.fixture
def new_brief(tmp_path: Path) -> Path:
    copy_sample(tmp_path / "content")
    created = run_cli("new", "g7-summit", "--root", tmp_path)
    assert created.code == 0, created.err
    assert created.out.startswith("wrote content/g7-summit.yaml and content/people/fill-in-principal.yaml: ")
    return tmp_path


def placeholder_lines(path: Path) -> list[int]:
    """The lines of a file holding a placeholder, read from the file itself: a Markdown
    block's is the line of its key (`key: |`), above the text."""
    lines = path.read_text().splitlines()
    return [number - line.lstrip().startswith("FILL IN") for number, line in enumerate(lines, 1)
            if not line.lstrip().startswith("#") and "FILL IN" in line]


def test_a_new_brief_builds_at_once_with_each_placeholder_marked_on_the_page(new_brief: Path):
    built = run_cli("build", "--root", new_brief, new_brief / "content" / "g7-summit.yaml")
    assert built.code == 0, built.err
    text = "".join(page.extract_text() for page in pypdf.PdfReader(new_brief / "output" / "g7-summit.pdf").pages)
    assert "FILL IN: the title of the meeting" in text
    assert "FILL IN: a talking point" in text
    html = (new_brief / "output" / "g7-summit.html").read_text()
    marks = re.findall(r'<mark class="placeholder"[^>]*>FILL IN</mark>: ([^<]*)', html)
    assert "the title of the meeting" in marks
    assert "where it takes place" in marks
    # In attributes (the PDF's metadata) the text is left as it is: no markup inside quotes.
    assert 'content="FILL IN: one line under the title' in html


def test_check_warns_of_each_placeholder_at_its_line_and_strict_refuses(new_brief: Path):
    brief = new_brief / "content" / "g7-summit.yaml"
    person = new_brief / "content" / "people" / "fill-in-principal.yaml"
    plain = run_cli("check", "--root", new_brief, brief)
    assert plain.code == 0, plain.err
    strict = run_cli("check", "--root", new_brief, "--strict", brief)
    assert strict.code == 1
    lines = strict.err.splitlines()
    assert all(LOCATED.match(line) for line in lines), lines
    assert sorted(int(line.split(":")[1]) for line in lines if line.startswith("content/g7-summit.yaml")) == \
        placeholder_lines(brief)
    assert sorted(int(line.split(":")[1]) for line in lines if line.startswith("content/people/")) == \
        placeholder_lines(person)
    kind = next(line for line in lines if "(event.kind)" in line)
    assert kind.endswith("write the kind of meeting, then delete its `# FILL IN` comment (event.kind)")


def test_email_send_refuses_a_brief_with_placeholders_and_sends_nothing(new_brief: Path, monkeypatch):
    for name in [n for n in os.environ if n.startswith("BRIEFGEN_")]:
        monkeypatch.delenv(name)
    config_home(monkeypatch, new_brief / "config")
    monkeypatch.setenv("BRIEFGEN_MAIL_FROM", "Briefing Staff <staff@example.org>")
    with smtp_server(monkeypatch) as handler:
        sent = run_cli("email", "g7-summit", "--root", new_brief, "--send", "--to", "me@example.org")
    assert sent.code == 1
    left = len(placeholder_lines(new_brief / "content" / "g7-summit.yaml")) + \
        len(placeholder_lines(new_brief / "content" / "people" / "fill-in-principal.yaml"))
    assert (f"content/g7-summit.yaml: error: not sent: {left} placeholders not filled in (listed above); "
            "replace each, then send again") in sent.err.splitlines()
    assert sum(bool(LOCATED.match(line)) for line in sent.err.splitlines()) == left
    assert handler.received == []
    # A draft to look at is still written.
    assert run_cli("email", "g7-summit", "--root", new_brief, "--to", "me@example.org").code == 0
