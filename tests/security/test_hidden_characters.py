"""Attack classes: lone surrogates, and private-use characters that forge citations.

A lone surrogate (`"\\ud800"` in double quotes) is not a character at all: nothing can
encode it, so it used to pass `check` and then stop `build` with a traceback (and the
preview's index). A private-use character prints as nothing a reader recognises, and
the renderer uses two of them inside as citation markers, so content could make the page
show a citation number that no source has. Both are refused at their line, like any
invisible character, and the other briefs still build.
"""

from __future__ import annotations

import sys
import threading
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import MINI_BRIEF, make_project

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import run_cli

from briefgen.preview.server import PreviewServer
from briefgen.preview.state import ChangeFeed, Preview
from briefgen.project import Project
from briefgen.workflows.brief import build_brief

SURROGATE = 'title: "Mini \\ud800 brief"'
FORGED_CITATION = 'background: "The background \\ue0007\\ue001."'
RAW_PRIVATE_USE = "background: The background \ue000" + "7\ue001."


def _second_brief(project) -> None:
    (project.root / "content" / "other.yaml").write_text(
        MINI_BRIEF.replace("title: Mini brief", "title: Other brief"), encoding="utf-8")


@pytest.mark.parametrize(('old', 'new', 'what'), [
    ("title: Mini brief", SURROGATE, "U+D800 (lone surrogate"),
    ("background: The background.", FORGED_CITATION, "U+E000 (private-use character"),
    ("background: The background.", RAW_PRIVATE_USE, "U+E000 (private-use character"),
    ("title: Mini brief", 'title: "Mini \\U000F0000 brief"', "U+F0000 (private-use character"),
], ids=["surrogate escape", "private use escape", "private use raw", "plane 15 private use"])
def test_refused_at_its_line_by_check(tmp_path: Path, old: str, new: str, what: str):
    project = make_project(tmp_path)
    line = project.replace_line(old, new)
    result = run_cli("check", "--root", tmp_path)
    assert result.code == 1, result.err
    assert f"content/mini.yaml:{line}:" in result.err, result.err
    assert what in result.err, result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("new", [SURROGATE, FORGED_CITATION])
def test_build_refuses_it_and_builds_the_others(tmp_path: Path, new: str):
    project = make_project(tmp_path)
    _second_brief(project)
    old = "title: Mini brief" if new == SURROGATE else "background: The background."
    project.replace_line(old, new)
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    assert (tmp_path / "output" / "other.pdf").exists()
    assert not project.output(".pdf").exists()


def test_the_preview_index_keeps_answering(tmp_path: Path):
    project = make_project(tmp_path)
    _second_brief(project)
    project.replace_line("title: Mini brief", SURROGATE)
    site = Project.at(tmp_path)
    preview = Preview(site, ChangeFeed(), lambda path, **kw: build_brief(site, path, **kw))
    preview.refresh_all()
    server = PreviewServer(preview, ChangeFeed(), 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(server.url, timeout=30) as response:
            index = response.read().decode()
        assert response.status == 200
        assert "Other brief" in index
        assert "mini" in index
    finally:
        server.shutdown()
        server.server_close()
