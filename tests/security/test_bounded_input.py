"""Attack class 3: input built to exhaust memory or time.

YAML alias bombs, deep nesting and huge files stop in the loader, with their line.
Markdown that would make Python-Markdown recurse or go quadratic stops before it is
parsed, with its line. What is still expensive (a brief of thousands of agenda items)
ends in the build's own per-brief time and memory budget, and the other briefs of the
run are built all the same.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import briefgen, make_project

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import CliRun, run_cli

from briefgen.render.richtext import MarkdownLimitError, RichText

ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9) if previous else ', '.join(['lol'] * 9)}]\n"
    for previous, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True))


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


@pytest.mark.parametrize(("name", "text", "message"), [
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


# Long enough that no machine, however busy, reaches it: the memory test must end at the
# memory budget, not at whichever budget a slow CPU happens to reach first.
NO_TIME_LIMIT = str(7 * 24 * 3600)


def build_in_a_fresh_process(root: Path, *options: str, wait: float = 600) -> CliRun:
    """The CLI as CI runs it: workers are forked from a small process, so the memory
    budget measures the brief, not everything the test session has loaded. `wait` is only a
    safety net against a hung test, never an assertion about speed."""
    process = briefgen("build", "--root", root, "--jobs", "2", *options)
    out, err = process.communicate(timeout=wait)
    return CliRun(process.returncode, out, err)


@pytest.mark.slow   # builds in worker processes up to their budget
def test_huge_brief_stops_at_the_time_budget_and_the_others_build(tmp_path: Path):
    project = make_project(tmp_path)
    write_huge_brief(project)
    result = build_in_a_fresh_process(tmp_path, "--timeout", "3")
    assert result.code == 1
    assert ("content/huge.yaml: error: the brief took longer than its time budget (3 s) and was "
            "stopped; nothing was written") in result.err
    assert not (tmp_path / "output" / "huge.pdf").exists()
    # The small brief has a budget of its own, on its own worker: it is built, or, on a
    # machine too busy to lay it out in 3 s, it fails for its own time and nothing else.
    mini_timed_out = ("content/mini.yaml: error: the brief took longer than its time budget (3 s)"
                      in result.err)
    assert project.output(".pdf").exists() != mini_timed_out, result.err
    assert "Traceback" not in result.err


def peak_address_space_of_the_small_brief(root: Path) -> float:
    """What a worker's address space reaches while it lays out the small brief, measured on
    this machine (fonts and libraries differ between machines), in a fresh process."""
    code = ("import sys; from pathlib import Path; from briefgen.workflows.brief import BuildOptions, build_briefs; "
            "from briefgen.project import Project; root = Path(sys.argv[1]); "
            "[r] = build_briefs(Project.at(root, root / 'measure'), [root / 'content' / 'mini.yaml'], "
            "BuildOptions(force=True, jobs=1)); assert r.ok, r.errors; print(r.peak_address_space_mb)")
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    return float(out.stdout)


@pytest.mark.slow   # builds in worker processes up to their budget
def test_huge_brief_stops_at_the_memory_budget_and_the_others_build(tmp_path: Path):
    project = make_project(tmp_path)
    small = peak_address_space_of_the_small_brief(tmp_path)
    assert small > 50, small
    write_huge_brief(project)
    # The budget lets the small brief through with room to spare; laying out 4,000 agenda
    # items needs far more. No time budget to speak of: on a busy machine the layout is slow,
    # and the test must still see the memory budget stop it, not a race between the two.
    budget = str(int(small + 48))
    result = build_in_a_fresh_process(tmp_path, "--max-memory", budget, "--timeout", NO_TIME_LIMIT,
                                      wait=3600)
    assert result.code == 1
    assert "time budget" not in result.err, result.err
    # Under the address-space cap either Python raises MemoryError, GLib aborts the worker,
    # or the worker exits with the code that says it had no room even to report its MemoryError.
    assert re.search(rf"content/huge\.yaml: error: the brief (ran out of its memory budget \({budget} MiB\)|"
                     r"could not be built: the process building it died \((killed by SIG\w+; most "
                     rf"likely )?it ran out of its memory budget \({budget} MiB\)\)); nothing was written",
                     result.err), result.err
    assert not (tmp_path / "output" / "huge.pdf").exists()
    assert project.output(".pdf").exists()
