"""Attack class: a quadratic regular expression on Markdown fields before the length limit.

One 250 KB field (`<` and a quarter of a million spaces) used to keep `check` busy for
minutes, and the preview's index with it (a regular expression holds the interpreter
lock). Limits are applied before any scan, and every scan of content is linear. The
bounds below are far above what the work needs (well under a second), so they fail only
when the cost is quadratic again.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import MINI_BRIEF, briefgen, make_project

from briefgen.preview.server import PreviewServer
from briefgen.preview.state import ChangeFeed, Preview
from briefgen.project import Project
from briefgen.workflows.brief import build_brief

pytestmark = pytest.mark.slow   # a 250 KB field checked in a process, against the preview

GENEROUS = 30  # seconds
HOSTILE_FIELD = '"<' + " " * 250_000 + 'x"'


def _hostile_project(tmp_path: Path):
    project = make_project(tmp_path)
    line = project.replace_line("background: The background.", f"background: {HOSTILE_FIELD}")
    (project.root / "content" / "other.yaml").write_text(
        MINI_BRIEF.replace("title: Mini brief", "title: Other brief"), encoding="utf-8")
    return project, line


def test_check_reports_the_limit_at_once(tmp_path: Path):
    project, line = _hostile_project(tmp_path)
    assert 250_000 < project.brief.stat().st_size < 256 * 1024
    process = briefgen("check", "--root", tmp_path)
    try:
        _, err = process.communicate(timeout=GENEROUS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"check took more than {GENEROUS} s on one 250 KB field") from None
    assert process.returncode == 1
    assert (f"content/mini.yaml:{line}:13: error: is 250,002 characters long; a Markdown field may "
            "have at most 5,000 (background)" in err), err
    assert "raw HTML" not in err


def test_the_raw_html_scan_is_linear():
    """In a process of its own, so a quadratic scan is stopped at the bound."""
    script = ("from briefgen.content.markdown import RAW_HTML\n"
              "for text in ['<' + ' ' * 250_000, '<a' + ' ' * 250_000, '</' + ' ' * 250_000 + '/',\n"
              "             '<a ' + '/ ' * 125_000]:\n"
              "    RAW_HTML.search(text)\n")
    try:
        subprocess.run([sys.executable, "-c", script], check=True, timeout=GENEROUS)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"RAW_HTML took more than {GENEROUS} s on 250 KB") from None
    from briefgen.content.markdown import RAW_HTML
    assert RAW_HTML.search("text <b>bold</b>")
    assert RAW_HTML.search("<br/ >")
    assert RAW_HTML.search("< / a href='x' / >")


def test_the_preview_keeps_answering_while_the_brief_is_checked(tmp_path: Path):
    project, _ = _hostile_project(tmp_path)
    site = Project.at(tmp_path)
    preview = Preview(site, ChangeFeed(), lambda path, **kw: build_brief(site, path, **kw))
    preview.refresh(site.content_dir / "other.yaml")
    server = PreviewServer(preview, ChangeFeed(), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    checking = threading.Thread(target=preview.refresh, args=(project.brief,), daemon=True)
    try:
        checking.start()
        time.sleep(0.2)
        answered = threading.Event()

        def fetch() -> None:
            with urllib.request.urlopen(server.url, timeout=GENEROUS) as response:
                if response.status == 200 and "Other brief" in response.read().decode():
                    answered.set()

        threading.Thread(target=fetch, daemon=True).start()
        assert answered.wait(GENEROUS), f"the index did not answer within {GENEROUS} s"
        checking.join(GENEROUS)
        assert not checking.is_alive()
    finally:
        server.shutdown()
        server.server_close()
