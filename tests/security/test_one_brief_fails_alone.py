"""Attack class: one brief stops every build.

Valid dates at the edges (year 9999 with a duration, year 1 with a home zone) raised an
overflow inside the schedule, and the exception escaped `check` and `build` for the whole
project. Dates are bounded in the model to a window the schedule can compute (an error at
file:line:col), and any exception inside one brief's pipeline is that brief's failure: it is
reported as a bug with its traceback, the exit is non-zero, and the other briefs are written.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import MINI_BRIEF, REPO, briefgen, make_project

from briefgen.errors import ExitCode
from briefgen.project import Project
from briefgen.workflows.brief import BuildOptions, build_briefs
from briefgen.workflows.check import check_briefs


def _two_briefs(root: Path):
    project = make_project(root)
    (root / "content" / "other.yaml").write_text(MINI_BRIEF.replace("Mini brief", "Other brief"))
    return project


EDGES = [
    # (line in MINI_BRIEF, its replacement, the extra lines after it)
    ("  date: 2023-08-18", "  date: 9999-12-31\n  timezone: Pacific/Kiritimati",
     "    time: \"23:00\"\n    duration: 99 h 59 min\n"),
    ("  date: 2023-08-18", "  date: 0001-01-01\n  timezone: America/New_York",
     "    time: \"00:00\"\n"),
    ("  date: 2023-08-18", "  date: 0001-01-01\n  timezone: Pacific/Kiritimati",
     "    time: \"00:30\"\n"),
]


def _edge_brief(project, case) -> int:
    old, new, agenda_extra = case
    text = project.brief.read_text()
    text = text.replace(f"event:\n  kind: meeting\n{old}\n", f"event:\n  kind: meeting\n{new}\n", 1)
    day = new.split("\n")[0].split(": ")[1]
    text = text.replace("  - date: 2023-08-18\n    title: An agenda item\n",
                        f"  - date: {day}\n{agenda_extra}    title: An agenda item\n", 1)
    text = text.replace("as_of: 2023-08-18", f"as_of: {day}")
    text += "home_timezone: Etc/GMT+12\n"
    project.brief.write_text(text)
    return text.split("\n").index(f"  date: {day}") + 1


@pytest.mark.parametrize("case", EDGES, ids=["year-9999-duration", "year-1-new-york", "year-1-kiritimati"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_date_at_the_edge_is_an_error_at_its_line(tmp_path: Path, case, command: str):
    project = _two_briefs(tmp_path)
    line = _edge_brief(project, case)
    process = briefgen(command, cwd=tmp_path)
    out, err = process.communicate(timeout=300)
    assert process.returncode == ExitCode.CONTENT_ERROR, out + err
    assert "Traceback" not in err, err
    assert f"content/mini.yaml:{line}:9: error:" in err, err
    assert "year" in err, err
    if command == "build":
        assert (tmp_path / "output" / "other.pdf").is_file()


@pytest.fixture
def boom(monkeypatch):
    """A bug injected into one brief's rendering: render_html raises for `mini` only."""
    import briefgen.render.html as html

    real = html.render_html

    def render_html(validated, *args, **kwargs):
        if validated.brief_id == "mini":
            raise ZeroDivisionError("injected bug for one brief")
        return real(validated, *args, **kwargs)

    monkeypatch.setattr(html, "render_html", render_html)


def test_a_bug_in_one_brief_fails_that_brief_in_build(tmp_path: Path, boom):
    _two_briefs(tmp_path)
    results = build_briefs(Project.at(tmp_path), options=BuildOptions(jobs=1))
    by_id = {r.brief_id: r for r in results}
    assert by_id["other"].ok
    assert (tmp_path / "output" / "other.pdf").is_file()
    assert not by_id["mini"].ok
    assert by_id["mini"].kinds() == {"bug"}
    assert "ZeroDivisionError: injected bug for one brief" in by_id["mini"].errors[0]
    assert "Traceback" in by_id["mini"].errors[0]


def test_a_bug_in_one_brief_fails_that_brief_in_check(tmp_path: Path, boom):
    _two_briefs(tmp_path)
    results = check_briefs(Project.at(tmp_path), layout=True)
    by_id = {r.brief_id: r for r in results}
    assert by_id["other"].ok
    assert not by_id["mini"].ok
    assert by_id["mini"].kinds() == {"bug"}
    assert "injected bug for one brief" in by_id["mini"].errors[0]


INJECT = """\
import sys
import briefgen.render.html as html
real = html.render_html
def render_html(validated, *args, **kwargs):
    if validated.brief_id == "mini":
        raise ZeroDivisionError("injected bug for one brief")
    return real(validated, *args, **kwargs)
html.render_html = render_html
from briefgen.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_bug_in_one_brief_through_the_cli(tmp_path: Path, command: str):
    _two_briefs(tmp_path)
    process = subprocess.run([sys.executable, "-c", INJECT, command, "--jobs", "1"] if command == "build"
                             else [sys.executable, "-c", INJECT, command], cwd=tmp_path,
                             capture_output=True, text=True, timeout=300,
                             env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert process.returncode == ExitCode.INTERNAL_ERROR, process.stdout + process.stderr
    assert "content/mini.yaml" in process.stderr, process.stderr
    assert "ZeroDivisionError" in process.stderr, process.stderr
    assert "Traceback" in process.stderr, process.stderr
    assert "bug in briefgen" in process.stderr, process.stderr
    if command == "build":
        assert (tmp_path / "output" / "other.pdf").is_file()
