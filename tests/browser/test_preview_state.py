"""The preview's state without a browser: what a save of each kind of file re-renders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_ID, edit

from briefgen.preview.state import ChangeFeed, Preview
from briefgen.workflows.brief import Project, build_brief


@pytest.fixture
def preview(project: Path, tmp_path: Path) -> Preview:
    """A preview of the sample project with its own copy of the templates, PDFs built in-process."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    site = Project(project, project / "content", project / "output", templates)
    preview = Preview(site, ChangeFeed(), lambda path, **kw: build_brief(site, path, **kw))
    preview.refresh_all()
    return preview


def html_of(preview: Preview) -> str:
    return preview.snapshot(SAMPLE_ID)[0]


def test_a_person_file_re_renders_the_briefs_that_name_that_person(preview: Preview, project: Path):
    kishida = project / "content" / "people" / "kishida.yaml"
    edit(kishida, "Fumio Kishida", "Fumio Kishida (edited)")
    preview.files_changed([kishida])
    assert "Fumio Kishida (edited)" in html_of(preview)


def test_a_broken_template_is_shown_with_its_file_and_line_and_keeps_the_last_page(
        preview: Preview):
    template = preview.project.templates_dir / "one-pager.html.j2"
    good = html_of(preview)
    masthead_kind = '  <p class="kind">{{ brief.document_kind }}</p>'
    line = template.read_text(encoding="utf-8").splitlines().index(masthead_kind) + 1
    edit(template, "{{ brief.document_kind }}</p>", "{{ brief.document_kind </p>")
    preview.files_changed([template])
    html, state = preview.snapshot(SAMPLE_ID)
    assert html == good
    assert state["status"] == "failing"
    [problem] = state["problems"]
    assert problem["where"] == f"templates/one-pager.html.j2:{line}"
    assert problem["message"].startswith("template error: ")


def test_a_deleted_brief_leaves_the_index(preview: Preview, brief_file: Path):
    brief_file.unlink()
    preview.files_changed([brief_file])
    assert preview.snapshot(SAMPLE_ID) is None
    assert preview.all_states() == []


# What editors write beside the file they save (issue 18): vim's write probe and backup, its
# swap file, `sed -i`'s temporary file, Emacs' lock and autosave files, a Kate swap file.
EDITOR_LEFTOVERS = ["4913", f"{SAMPLE_ID}.yaml~", f".{SAMPLE_ID}.yaml.swp", "sedX3k9Qa",
                    f".#{SAMPLE_ID}.yaml", f"#{SAMPLE_ID}.yaml#", f".{SAMPLE_ID}.yaml.kate-swp",
                    "people/4913", "people/sedQ1w2e3", "assets/4913", "notes.txt"]


@pytest.mark.parametrize("name", EDITOR_LEFTOVERS)
def test_a_stray_file_an_editor_writes_in_content_rebuilds_nothing(preview: Preview, project: Path,
                                                                   name: str):
    stray = project / "content" / name
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text("scratch", encoding="utf-8")
    before = preview.snapshot(SAMPLE_ID)[1]
    generation = preview._briefs[SAMPLE_ID].generation     # goes up with every render
    events = preview.feed.subscribe()
    preview.files_changed([stray])
    stray.unlink()
    preview.files_changed([stray])
    assert events.empty(), "a stray save told open pages something changed"
    state = preview.snapshot(SAMPLE_ID)[1]
    assert state == before
    assert preview._briefs[SAMPLE_ID].generation == generation, "a stray save re-rendered the brief"


def test_the_files_that_are_inputs_still_rebuild(preview: Preview, project: Path, brief_file: Path):
    events = preview.feed.subscribe()
    generation = preview._briefs[SAMPLE_ID].generation
    for path in (brief_file, project / "content" / "people" / "kishida.yaml",
                 preview.project.templates_dir / "one-pager.css"):
        preview.files_changed([path])
        assert events.get_nowait()["brief"] == SAMPLE_ID, path
        while not events.empty():
            events.get_nowait()
    assert preview._briefs[SAMPLE_ID].generation == generation + 3
