"""Incremental and parallel builds, progress output, and the per-brief budgets."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_ID, edit, run_cli

pytestmark = pytest.mark.slow   # every test builds briefs, several in parallel worker processes

SMALL_BRIEF = """\
title: Bilateral call
classification: UNCLASSIFIED
prepared_by: Test office
as_of: 2023-08-10
event:
  kind: call
  date: 2023-08-11
  location: By telephone
  host: biden
  purpose: A short call.
participants:
  - person: biden
    role: host
  - person: yoon
    role: principal
"""


def outputs(project: Path, brief_id: str) -> dict[str, int]:
    return {suffix: (project / "output" / f"{brief_id}{suffix}").stat().st_mtime_ns
            for suffix in (".html", ".pdf")}


def build_lines(result) -> list[str]:
    return [line for line in result.out.splitlines() if line]


def test_second_build_skips_unchanged_briefs_without_touching_outputs(project: Path):
    assert run_cli("build", "--root", project).code == 0
    before = outputs(project, SAMPLE_ID)
    result = run_cli("build", "--root", project)
    assert result.code == 0
    assert build_lines(result)[0] == "unchanged content/camp-david-2023.yaml"
    assert re.fullmatch(r"0 built, 1 unchanged, 0 failed in \d+\.\d\d s", build_lines(result)[-1])
    assert outputs(project, SAMPLE_ID) == before


def test_noop_build_does_not_import_weasyprint_pydantic_or_yaml(project: Path):
    assert run_cli("build", "--root", project).code == 0
    code = ("import sys; from briefgen.cli.main import main; "
            "code = main(['build', '--root', sys.argv[1]]); "
            "print('weasyprint' in sys.modules, 'pydantic' in sys.modules, 'yaml' in sys.modules, code)")
    out = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True,
                         text=True, check=True).stdout.splitlines()[-1]
    assert out == "False False False 0"


def test_the_command_run_as_the_program_leaves_its_objects_to_the_exit(project: Path):
    """Run as `briefgen` (no argv given), the command freezes what it made out of the garbage
    collector's reach before the process exits (the interpreter's last collections took
    30-40 ms of a cold build); a caller in its own process (argv given) keeps its collector."""
    code = ("import gc, sys; from briefgen.cli.main import main; "
            "sys.argv = ['briefgen', 'build', '--root', sys.argv[1]]; "
            "code = main(); "
            "frozen = gc.get_freeze_count() > 0; gc.unfreeze(); "
            "code_in_process = main(sys.argv[1:]); "
            "print(code, frozen, code_in_process, gc.get_freeze_count() > 0)")
    out = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True,
                         text=True, check=True).stdout.splitlines()[-1]
    assert out == "0 True 0 False"


def test_changing_a_person_rebuilds_exactly_the_briefs_naming_them(project: Path):
    (project / "content" / "call.yaml").write_text(SMALL_BRIEF)
    assert run_cli("build", "--root", project).code == 0
    edit(project / "content" / "people" / "kishida.yaml", "title: Prime Minister of Japan",
         "title: Prime Minister of Japan (acting)")
    result = run_cli("build", "--root", project)
    assert result.code == 0
    lines = build_lines(result)
    assert any(line.startswith("built     output/camp-david-2023.html, output/camp-david-2023.pdf")
               for line in lines)
    assert "unchanged content/call.yaml" in lines
    assert "Prime Minister of Japan (acting)" in (project / "output" / f"{SAMPLE_ID}.html").read_text()
    edit(project / "content" / "people" / "yoon.yaml", "title: President of the Republic of Korea",
         "title: President of Korea")
    lines = build_lines(run_cli("build", "--root", project))
    assert lines[-1].startswith("2 built, 0 unchanged")


def test_template_change_rebuilds(project: Path, tmp_path: Path):
    from briefgen.workflows.brief import BuildOptions, Project, build_briefs
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    base = Project.at(project)
    custom = Project(base.root, base.content_dir, base.output_dir, templates)
    assert [r.skipped for r in build_briefs(custom)] == [False]
    assert [r.skipped for r in build_briefs(custom)] == [True]
    edit(templates / "one-pager.css", "--accent: #1f3a5f;", "--accent: #5f1f3a;")
    results = build_briefs(custom)
    assert [r.skipped for r in results] == [False]
    assert results[0].ok
    assert "#5f1f3a" in (project / "output" / f"{SAMPLE_ID}.html").read_text()
    assert [r.skipped for r in build_briefs(custom, options=BuildOptions(force=True))] == [False]


def test_a_deleted_or_edited_output_is_rebuilt(project: Path):
    assert run_cli("build", "--root", project).code == 0
    pdf = project / "output" / f"{SAMPLE_ID}.pdf"
    good = pdf.read_bytes()
    pdf.write_bytes(b"%PDF-1.7 hand-edited")
    assert build_lines(run_cli("build", "--root", project))[-1].startswith("1 built")
    assert pdf.read_bytes() == good
    pdf.unlink()
    assert build_lines(run_cli("build", "--root", project))[-1].startswith("1 built")
    assert pdf.read_bytes() == good


def test_force_rebuilds_everything(project: Path):
    assert run_cli("build", "--root", project).code == 0
    assert build_lines(run_cli("build", "--root", project, "--force"))[-1].startswith("1 built")


def _many_briefs(project: Path, count: int) -> None:
    sample = (project / "content" / f"{SAMPLE_ID}.yaml").read_text()
    for index in range(count):
        text = sample.replace("title: Camp David Trilateral Summit", f"title: Summit number {index}")
        (project / "content" / f"summit-{index}.yaml").write_text(text)


def test_parallel_build_gives_the_same_bytes_as_sequential(project: Path, tmp_path: Path):
    _many_briefs(project, 3)
    one = run_cli("build", "--root", project, "--jobs", "1", "--output", tmp_path / "one")
    two = run_cli("build", "--root", project, "--jobs", "2", "--output", tmp_path / "two")
    assert one.code == two.code == 0
    files = sorted(p.name for p in (tmp_path / "one").glob("*.pdf"))
    assert len(files) == 4
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_one_broken_brief_does_not_stop_the_others(project: Path):
    _many_briefs(project, 2)
    edit(project / "content" / "summit-0.yaml", "status: expected", "status: maybe")
    result = run_cli("build", "--root", project, "--jobs", "2")
    assert result.code == 1
    lines = build_lines(result)
    assert "failed    content/summit-0.yaml" in lines
    assert lines[-1].startswith("2 built, 0 unchanged, 1 failed")
    assert "content/summit-0.yaml:" in result.err
    assert "got 'maybe'" in result.err
    assert (project / "output" / "summit-1.pdf").exists()
    assert not (project / "output" / "summit-0.pdf").exists()


def test_progress_lines_when_not_on_a_terminal(project: Path):
    result = run_cli("build", "--root", project)
    lines = build_lines(result)
    assert re.fullmatch(r"built     output/camp-david-2023\.html, output/camp-david-2023\.pdf "
                        r"\(\d+\.\d\d s\); page 1: \d+ words, about \d+ min to read", lines[0])
    assert re.fullmatch(r"1 built, 0 unchanged, 0 failed in \d+\.\d\d s", lines[1])
    assert "\r" not in result.out + result.err


def test_time_budget_stops_a_brief_and_keeps_going(project: Path):
    result = run_cli("build", "--root", project, "--timeout", "0.001")
    assert result.code == 1
    assert ("content/camp-david-2023.yaml: error: the brief took longer than its time budget "
            "(0.001 s) and was stopped; nothing was written") in result.err
    assert not (project / "output" / f"{SAMPLE_ID}.pdf").exists()


def test_memory_budget_ends_in_a_clear_error(project: Path):
    result = run_cli("build", "--root", project, "--max-memory", "64")
    assert result.code == 1
    assert re.search(r"content/camp-david-2023\.yaml: error: the brief (ran out of its memory "
                     r"budget \(64 MiB\)|could not be built: .* it ran out of its "
                     r"memory budget \(64 MiB\)\))", result.err), result.err
    assert "Traceback" not in result.err
    assert not (project / "output" / f"{SAMPLE_ID}.pdf").exists()


def test_bad_budget_options_are_usage_errors(project: Path):
    result = run_cli("build", "--root", project, "--jobs", "0")
    assert result.code == 2
    assert "argument --jobs/-j: expected a whole number of at least 1, got '0'" in result.err


def test_changing_an_asset_rebuilds(project: Path):
    assert run_cli("build", "--root", project).code == 0
    assets = project / "content" / "assets"
    assets.mkdir()
    (assets / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n not really a map")
    assert build_lines(run_cli("build", "--root", project))[-1].startswith("1 built")
    assert build_lines(run_cli("build", "--root", project))[-1].startswith("0 built, 1 unchanged")


def test_an_older_build_does_not_overwrite_newer_content(project: Path, brief_file: Path):
    """Two builds at once: the one that read newer inputs wins, whichever finishes last."""
    from briefgen.engine.output import write_outputs
    out = project / "output"
    assert write_outputs(out, "x", {".pdf": b"newer"}, version=200) == [out / "x.pdf"]
    assert write_outputs(out, "x", {".pdf": b"older"}, version=100) == []
    assert (out / "x.pdf").read_bytes() == b"newer"
    (out / ".x.pdf.abc123.part").write_bytes(b"left by a killed build")
    assert write_outputs(out, "x", {".pdf": b"newest"}, version=300) == [out / "x.pdf"]
    assert (out / "x.pdf").read_bytes() == b"newest"
    assert not (out / ".x.pdf.abc123.part").exists()
