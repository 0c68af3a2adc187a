"""Attack class 3: input built to exhaust memory or time.

YAML alias bombs, deep nesting and huge files stop in the loader, with their line.
Markdown that would make Python-Markdown recurse or go quadratic stops before it is
parsed, with its line. What is still expensive (a brief of thousands of agenda items)
ends in the build's own per-brief time and memory budget, and the other briefs of the
run are built all the same.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import briefgen, make_project  # noqa: E402

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import CliRun, run_cli  # noqa: E402

from briefgen.render.richtext import MarkdownLimitError, RichText  # noqa: E402

ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9) if previous else ', '.join(['lol'] * 9)}]\n"
    for previous, name in zip([None, *"abcdefgh"], "abcdefghi"))


def test_alias_bomb_is_refused_at_each_anchor_and_alias(tmp_path: Path):
    assert len(ALIAS_BOMB.encode()) < 450  # the size the issue measured
    project = make_project(tmp_path)
    project.brief.write_text(ALIAS_BOMB + project.brief.read_text())
    result = run_cli("check", "--root", tmp_path)
    assert result.code == 1
    assert ("content/mini.yaml:1:4: error: YAML anchors (&a) are not allowed in briefs; write each "
            "value out in full") in result.err
    assert ("content/mini.yaml:9:8: error: YAML aliases (*h) are not allowed in briefs; write the "
            "value out in full") in result.err
    assert result.err.count("YAML aliases") == 8 * 9


def test_deep_yaml_nesting_is_refused_at_its_line(tmp_path: Path):
    project = make_project(tmp_path)
    project.replace_line("subtitle: A subtitle", "subtitle: " + "[" * 5000 + "]" * 5000)
    result = run_cli("check", "--root", tmp_path)
    assert result.code == 1
    assert "content/mini.yaml:2:42: error: the content is nested more than 32 levels deep" in result.err


def test_huge_file_is_refused_before_it_is_read(tmp_path: Path):
    project = make_project(tmp_path)
    with project.brief.open("a") as handle:
        handle.write("# padding\n" * 30_000)
    result = run_cli("check", "--root", tmp_path)
    assert result.code == 1
    size = project.brief.stat().st_size
    assert size > 256 * 1024
    assert (f"content/mini.yaml:1:1: error: the file is {size:,} bytes; a content file may be at most "
            "262,144 bytes") in result.err


@pytest.mark.parametrize("name, text, message", [
    ("blockquotes", "> " * 2000 + "x",
     "nests quotes, lists or indentation 2000 levels deep; a Markdown field may nest at most 16"),
    ("lists", "".join("  " * i + "- x\\n" for i in range(40)),
     "nests quotes, lists or indentation 20 levels deep; a Markdown field may nest at most 16"),
    ("brackets", "[" * 2000 + "x",
     "has 2,000 '[' characters; a Markdown field may have at most 50 (each link or image uses one)"),
    ("length", "word " * 1200, "is 6,000 characters long; a Markdown field may have at most 5,000"),
])
def test_pathological_markdown_is_refused_at_its_line(tmp_path: Path, name: str, text: str, message: str):
    project = make_project(tmp_path)
    line = project.replace_line("background: The background.", f'background: "{text}"')
    result = run_cli("check", "--root", tmp_path)
    assert result.code == 1
    assert f"content/mini.yaml:{line}:13: error: {message} (background)" in result.err
    assert "Traceback" not in result.err


def test_renderer_refuses_what_validation_would_have_stopped():
    """The second wall: the renderer never hands such text to Python-Markdown."""
    with pytest.raises(MarkdownLimitError, match="2000 levels deep"):
        RichText({}).block("- " * 2000 + "x")


def write_huge_brief(project) -> Path:
    """A brief of 3,000 deliverables (about 200 KB): a long time and much memory to lay out
    without a budget. (Deliverables run full width; thousands of agenda items in a column
    are split over pages slowly but in little memory, so they would test only the time.)"""
    items = "".join(f"  - id: d{i}\n    title: D{i} x\n    status: expected\n    summary: S.\n"
                    for i in range(3000))
    huge = project.brief.with_name("huge.yaml")
    huge.write_text(project.brief.read_text().replace("deliverables:\n", "deliverables:\n" + items))
    return huge


def build_in_a_fresh_process(root: Path, *options: str) -> CliRun:
    """The CLI as CI runs it: workers are forked from a small process, so the memory
    budget measures the brief, not everything the test session has loaded."""
    process = briefgen("build", "--root", root, "--jobs", "2", *options)
    out, err = process.communicate(timeout=300)
    return CliRun(process.returncode, out, err)


def test_huge_brief_stops_at_the_time_budget_and_the_others_build(tmp_path: Path):
    project = make_project(tmp_path)
    write_huge_brief(project)
    result = build_in_a_fresh_process(tmp_path, "--timeout", "3")
    assert result.code == 1
    assert ("content/huge.yaml: error: the brief took longer than its time budget (3 s) and was "
            "stopped; nothing was written") in result.err
    assert not (tmp_path / "output" / "huge.pdf").exists()
    assert project.output(".pdf").exists()


def test_huge_brief_stops_at_the_memory_budget_and_the_others_build(tmp_path: Path):
    project = make_project(tmp_path)
    write_huge_brief(project)
    # A worker laying out a small brief peaks near 335 MB of address space (fonts mapped,
    # WeasyPrint loaded); this one needs about 510 MB. 420 MB lets one through, not the other.
    result = build_in_a_fresh_process(tmp_path, "--max-memory", "420", "--timeout", "120")
    assert result.code == 1
    # Under the address-space cap either Python raises MemoryError, GLib aborts the worker,
    # or the worker exits with status 1 when even reporting its MemoryError fails.
    assert re.search(r"content/huge\.yaml: error: the brief (ran out of its memory budget \(420 MiB\)|"
                     r"could not be built: the process building it died \((killed by SIG\w+; most "
                     r"likely it ran out of its memory budget \(420 MiB\)|exit code 1)\)); nothing was written",
                     result.err), result.err
    assert not (tmp_path / "output" / "huge.pdf").exists()
    assert project.output(".pdf").exists()
