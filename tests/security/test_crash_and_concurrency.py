"""Attack class 4: nothing lost. A build killed with SIGKILL at any moment, or two builds of
the same brief at once, never leave a truncated or mixed output where a good one was.

These start real `python -m briefgen build` processes (each in its own process group, so
kill -9 takes its workers too, as a cancelled CI job would).
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).parent))
from hostile import briefgen, make_project

sys.path.insert(0, str(Path(__file__).parents[1]))
from pdf_utils import pdf_text

pytestmark = pytest.mark.slow   # builds in processes killed with SIGKILL, or racing

KILLS = 6


def set_version(project, version: int) -> None:
    text = project.brief.read_text()
    start = text.index("title: ") + len("title: ")
    end = text.index("\n", start)
    project.brief.write_text(text[:start] + f"Mini brief version {version}" + text[end:])


def complete_version(project) -> tuple[int | None, int | None]:
    """The version each output holds, after checking that each is complete and valid."""
    html = project.output(".html").read_text()
    assert html.rstrip().endswith("</html>"), "truncated HTML"
    reader = PdfReader(project.output(".pdf"), strict=True)
    assert len(reader.pages) == 2      # page 1 and its annex
    return _version(html), _version(pdf_text(project.output(".pdf")))


def _version(text: str) -> int | None:
    found = re.search(r"Mini brief version (\d+)", text)
    return int(found.group(1)) if found else None


def leftovers(output: Path) -> list[str]:
    """Files in output/ other than the outputs themselves and briefgen's own state."""
    return sorted(p.name for p in output.iterdir() if p.name not in ("mini.html", "mini.pdf", ".briefgen"))


def build_to_end(root: Path) -> subprocess.CompletedProcess:
    process = briefgen("build", "--root", root, "--jobs", "1")
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_kill_9_at_random_moments_never_leaves_a_broken_output(tmp_path: Path):
    project = make_project(tmp_path)
    set_version(project, 0)
    started = time.monotonic()
    assert build_to_end(tmp_path).returncode == 0
    duration = time.monotonic() - started
    versions_seen = {0}
    chooser = random.Random(4)
    for version in range(1, KILLS + 1):
        set_version(project, version)
        process = briefgen("build", "--root", tmp_path, "--jobs", "1")
        time.sleep(chooser.uniform(0.3, 1.1) * duration)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        html_version, pdf_version = complete_version(project)
        assert html_version in (version - 1, version) or html_version in versions_seen
        assert pdf_version in (version - 1, version) or pdf_version in versions_seen
        versions_seen |= {html_version, pdf_version}
        for name in leftovers(project.output("").parent):
            assert name.startswith(".mini."), name
            assert name.endswith(".part"), name
    final = build_to_end(tmp_path)
    assert final.returncode == 0, final.stderr
    assert complete_version(project) == (KILLS, KILLS)


def test_kill_9_while_the_pdf_is_being_written_keeps_the_previous_pdf(tmp_path: Path):
    """Deterministic: a writer of a large file is killed as soon as its temporary file exists."""
    project = make_project(tmp_path)
    assert build_to_end(tmp_path).returncode == 0
    output = project.output(".pdf").parent
    good = project.output(".pdf").read_bytes()
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from briefgen.engine.output import "
         "write_outputs; write_outputs(Path(sys.argv[1]), 'mini', {'.pdf': b'%PDF-broken' * 12_000_000})",
         str(output)], start_new_session=True)
    deadline = time.monotonic() + 30
    while not any(file.name.endswith(".part") for file in output.iterdir()):
        assert writer.poll() is None, "the writer finished first"
        assert time.monotonic() < deadline, "the writer finished first"
        time.sleep(0.0005)
    os.killpg(writer.pid, signal.SIGKILL)
    writer.wait()
    assert project.output(".pdf").read_bytes() == good
    part_files = leftovers(output)
    assert len(part_files) == 1
    assert part_files[0].startswith(".mini.pdf.")
    assert part_files[0].endswith(".part")
    rebuilt = build_to_end(tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert project.output(".pdf").read_bytes() == good  # same inputs, same bytes, written again or kept
    assert PdfReader(project.output(".pdf"), strict=True).pages


def test_two_builds_at_once_give_one_complete_pdf(tmp_path: Path):
    project = make_project(tmp_path)
    set_version(project, 1)
    first = briefgen("build", "--root", tmp_path, "--force", "--jobs", "1")
    second = briefgen("build", "--root", tmp_path, "--force", "--jobs", "1")
    for process in (first, second):
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert complete_version(project) == (1, 1)
    assert leftovers(project.output("").parent) == []
