"""A newcomer's first hour (issue 18): the commands the README and the hints print work as
printed, `make new` / `make person` start content, a person file is checked as a person, and
the first `make` says what it is doing instead of sitting silent."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_ID, edit, run_cli

from briefgen.project import briefgen_command

VENV_BIN = Path(sys.executable).parent
README = (REPO / "README.md").read_text(encoding="utf-8")
# The README and the manual under docs/ (its pages link back to the README; the measurement
# reports beside them describe what their scripts run, not what a reader types).
MANUAL = [text for text in (page.read_text(encoding="utf-8") for page in sorted((REPO / "docs").glob("*.md")))
          if "](../README.md)" in text]
PAGES = [README, *MANUAL]
SUBCOMMANDS = ("build", "check", "schema", "email", "new", "serve")


def without_the_venv_on_path(monkeypatch) -> str:
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if Path(p).resolve() != VENV_BIN.resolve())
    monkeypatch.setenv("PATH", path)
    return path


# --- item 2: the command that works -------------------------------------------------------------

@pytest.mark.slow   # runs the command in a process
def test_the_hint_of_new_is_a_command_that_runs_when_the_venv_is_not_on_the_path(
        project: Path, monkeypatch):
    path = without_the_venv_on_path(monkeypatch)
    monkeypatch.chdir(project)
    created = run_cli("new", "g7-summit")
    assert created.code == 0, created.err
    command = re.search(r"check what is left with `([^`]+)`", created.out).group(1)
    assert command == f"{VENV_BIN / 'briefgen'} check --strict content/g7-summit.yaml"
    ran = subprocess.run(shlex.split(command), cwd=project, env={**os.environ, "PATH": path},
                         capture_output=True, text=True, check=False, timeout=120)
    assert ran.returncode == 1, ran.stderr      # it runs, and refuses the placeholders
    assert "placeholder not filled in" in ran.stderr


def test_the_command_is_relative_to_a_checkout_and_plain_once_the_venv_is_on_the_path(monkeypatch):
    without_the_venv_on_path(monkeypatch)
    monkeypatch.chdir(VENV_BIN.parent.parent)
    assert briefgen_command() == str(Path(VENV_BIN.parent.name, "bin", "briefgen"))
    monkeypatch.setenv("PATH", f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}")
    assert briefgen_command() == "briefgen"


def _code_in(page: str) -> list[str]:
    """Every command line in a page's code blocks, and every inline code span."""
    blocks = re.findall(r"```(?:sh|text)\n(.*?)```", page, flags=re.DOTALL)
    lines = [line.removeprefix("$ ") for block in blocks for line in block.splitlines()]
    return lines + re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", page, flags=re.DOTALL))


def test_the_readme_types_every_command_as_it_runs_from_a_fresh_clone():
    """A command with arguments is written `.venv/bin/briefgen ...` (or `make ...`) in the
    README and the manual, and the README says once how to shorten it."""
    assert len(MANUAL) >= 5
    bare = [code for page in PAGES for code in _code_in(page)
            if re.match(rf"briefgen ({'|'.join(SUBCOMMANDS)}) \S", code.strip())]
    assert bare == []
    assert ". .venv/bin/activate" in README
    assert "export PATH=$PWD/.venv/bin:$PATH" in README
    assert "make new ID=" in README
    assert "make person ID=" in README


def _make(project: Path, *targets: str) -> subprocess.CompletedProcess:
    """The real Makefile, run in a copy of the project, with this checkout's virtualenv."""
    shutil.copy2(REPO / "pyproject.toml", project / "pyproject.toml")  # keeps the stamp fresh
    return subprocess.run(["make", "-s", "-f", str(REPO / "Makefile"), f"VENV={VENV_BIN.parent}",
                           *targets], cwd=project, capture_output=True, text=True, check=False, timeout=120)


@pytest.mark.slow   # runs make
def test_make_new_and_make_person_start_a_brief_and_a_person(project: Path):
    brief = _make(project, "new", "ID=g7-summit")
    assert brief.returncode == 0, brief.stderr
    assert (project / "content" / "g7-summit.yaml").is_file()
    person = _make(project, "person", "ID=scholz")
    assert person.returncode == 0, person.stderr
    assert (project / "content" / "people" / "scholz.yaml").is_file()
    missing = _make(project, "person")
    assert missing.returncode == 2
    assert "usage: make person ID=<id>" in missing.stderr


# --- item 3: person files -----------------------------------------------------------------------

def test_new_person_explains_every_key_of_the_model_and_is_warned_of_until_filled(project: Path):
    from briefgen.content.models import Person

    created = run_cli("new", "--person", "scholz", "--root", project)
    assert created.code == 0, created.err
    path = project / "content" / "people" / "scholz.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/person.schema.json\n")
    comments = " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
    for name, field in Person.model_fields.items():
        assert re.search(rf"^(# )?{name}: ", text, flags=re.MULTILINE), name   # optional codes: commented
        assert field.description in comments, name

    check = run_cli("check", "--root", project, "--strict", path)
    assert check.code == 1
    # One placeholder a key, each a warning until filled; but the optional codes (lang,
    # reads, name_order), commented out, as a placeholder there would not be valid.
    keys = len(Person.model_fields) - 3
    assert check.out == f"checked 1 person file: 0 errors, {keys} warnings (warnings fail with --strict)\n"
    lines = check.err.splitlines()
    assert len(lines) == keys
    assert all("warning: placeholder not filled in: write " in line for line in lines), lines
    assert "is required but missing" not in check.err, "checked as a person, not as a brief"

    path.write_text("# yaml-language-server: $schema=../../schema/person.schema.json\n"
                    "name: Olaf Scholz\nshort_name: Scholz\ntitle: Chancellor of Germany\n"
                    "country: DE\n", encoding="utf-8")
    assert run_cli("check", "--root", project, path).out == "checked 1 person file: 0 errors, 0 warnings\n"


def test_a_person_file_checked_by_name_is_validated_as_a_person(project: Path):
    kishida = project / "content" / "people" / "kishida.yaml"
    edit(kishida, "country: JP", "country: JPN")
    result = run_cli("check", "--root", project, kishida, project / "content" / f"{SAMPLE_ID}.yaml")
    assert result.code == 1
    assert result.err == ("content/people/kishida.yaml:7:10: error: 'JPN' is not an ISO 3166-1 "
                          "alpha-2 country code (two capital letters, e.g. US, JP, KR, NO) (country)\n")
    assert result.out == "checked 1 brief and 1 person file: 1 error, 0 warnings\n"
    build = run_cli("build", "--root", project, kishida)
    assert build.code == 2
    assert "is a person file, not a brief" in build.err


def test_a_missing_person_named_many_times_is_one_error_with_the_count(project: Path, brief_file: Path):
    text = re.sub(r"(?<![\w-])kishida(?![\w-])", "nobody", brief_file.read_text(encoding="utf-8"))
    brief_file.write_text(text, encoding="utf-8")
    uses = len(re.findall(r"(?<![\w-])nobody(?![\w-])", text))
    assert uses > 10
    result = run_cli("check", "--root", project)
    lines = [line for line in result.err.splitlines() if "`nobody`" in line]
    first = next(n for n, line in enumerate(text.splitlines(), 1) if "person: nobody" in line)
    expected = (f"content/{SAMPLE_ID}.yaml:{first}:13: error: no person `nobody`: expected a file "
                f"content/people/nobody.yaml (also named in {uses - 1} other places) "
                "(participants[1].person)")
    assert lines == [expected], result.err


# --- item 10: the first make --------------------------------------------------------------------

def _makefile_variable(name: str) -> str:
    return re.search(rf"^{name}\s*:?=\s*(.*)$", (REPO / "Makefile").read_text(), flags=re.MULTILINE).group(1)


def test_the_install_says_what_it_does_and_how_long_before_pip_runs():
    dry = subprocess.run(["make", "-n", "-B", f"{VENV_BIN.parent}/.installed", f"VENV={VENV_BIN.parent}"],
                         cwd=REPO, capture_output=True, text=True, check=False, timeout=60).stdout.splitlines()
    pip_lines = [n for n, line in enumerate(dry) if "pip install" in line]
    said = " ".join(line for line in dry[:pip_lines[0]] if line.startswith("echo"))
    assert "Installing briefgen" in said, dry
    assert re.search(r"about a minute", said), dry
    assert all("PYTHONWARNINGS=" in dry[n] for n in pip_lines), dry


def test_the_filter_silences_setuptools_editable_box_and_nothing_else():
    """setuptools words the box `Editable installation.\\n!!\\n****...` (SetuptoolsWarning.emit);
    pip re-raises it in its own process. The Makefile's filter drops exactly that."""
    box = ("Editable installation.\n!!\n\n" + "*" * 80 + "\nPlease be careful with folders in your "
           "working directory with the same\nname as your package as they may take precedence "
           "during imports.\n" + "*" * 80 + "\n\n!!")
    script = ("import warnings\nclass BuildBackendWarning(UserWarning): pass\n"
              f"warnings.warn_explicit({box!r}, BuildBackendWarning, 'editable_wheel.py', 1)\n"
              "warnings.warn_explicit('something else', BuildBackendWarning, 'other.py', 1)\n")
    env = {**os.environ, "PYTHONWARNINGS": _makefile_variable("QUIET_SETUPTOOLS")}
    ran = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False)
    assert "Editable installation" not in ran.stderr
    assert "something else" in ran.stderr
    assert "Invalid -W option" not in ran.stderr


@pytest.mark.parametrize("target", ["new", "person"])
def test_make_help_lists_the_new_targets(target: str):
    help_text = subprocess.run(["make", "-s", "help"], cwd=REPO, capture_output=True, text=True, check=False).stdout
    assert f"make {target} ID=<id>" in help_text


# --- item 6: times ------------------------------------------------------------------------------

def test_a_one_digit_hour_is_read_as_two_digits(project: Path, brief_file: Path):
    from briefgen.render.html import render_html
    from briefgen.workflows.brief import Project, check_brief

    text = brief_file.read_text(encoding="utf-8")
    item = "  - date: 2023-08-17\n"
    assert item in text
    brief_file.write_text(text.replace(item, item + "    time: 9:30\n"), encoding="utf-8")
    assert run_cli("check", "--root", project, "--strict").code == 0
    validated, _ = check_brief(Project.at(project), brief_file)
    assert validated.brief.agenda[0].time == "09:30"
    assert "Thu Aug 17 09:30" in render_html(validated)
    brief_file.write_text(text.replace(item, item + "    time: 9:3\n"), encoding="utf-8")
    assert "'9:3' is not a time of day" in run_cli("check", "--root", project).err


# --- item 11: wording ---------------------------------------------------------------------------

@pytest.mark.slow   # lays out the briefs
def test_the_failure_line_says_its_or_their_and_nothing_was_written_when_never_built(
        project: Path, brief_file: Path):
    edit(brief_file, "status: expected", "status: expectd")
    never_built = run_cli("build", "--root", project)
    assert never_built.code == 1
    assert never_built.err.splitlines()[-1] == "1 of 1 brief failed; nothing was written"

    edit(brief_file, "status: expectd", "status: expected")
    assert run_cli("build", "--root", project).code == 0
    shutil.copy(brief_file, brief_file.with_name("second.yaml"))
    edit(brief_file, "status: expected", "status: expectd")
    one_of_two = run_cli("build", "--root", project)
    assert one_of_two.err.splitlines()[-1] == "1 of 2 briefs failed; its previous output is unchanged"

    edit(brief_file.with_name("second.yaml"), "status: expected", "status: expectd")
    (project / "output" / "second.pdf").unlink()
    mixed = run_cli("build", "--root", project)
    assert mixed.err.splitlines()[-1] == ("2 of 2 briefs failed; nothing was written, and earlier "
                                          "output is unchanged")


def test_the_preview_log_does_not_promise_a_last_good_version_it_never_had(project: Path,
                                                                          brief_file: Path):
    from briefgen.preview.state import ChangeFeed, Preview
    from briefgen.workflows.brief import Project, build_brief

    edit(brief_file, "status: expected", "status: expectd")
    lines: list[str] = []
    site = Project.at(project)
    preview = Preview(site, ChangeFeed(), lambda path, **kw: build_brief(site, path, **kw), lines.append)
    preview.refresh_all()
    assert lines[0] == (f"content/{SAMPLE_ID}.yaml: 1 problem; there is no good version to show yet")
    edit(brief_file, "status: expectd", "status: expected")
    preview.files_changed([brief_file])
    edit(brief_file, "status: expected", "status: expectd")
    preview.files_changed([brief_file])
    assert f"content/{SAMPLE_ID}.yaml: 1 problem; the preview shows the last good version" in lines



@pytest.mark.slow   # runs the bench in a process
def test_the_accessibility_bench_runs():
    """`bench/bench.py` drives briefgen's internals (it switches tagging off to measure its
    cost); this keeps it in step with them, on one brief and one run. Nothing is timed."""
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench.py"), "--accessibility-only",
                           "--briefs", "1", "--runs", "1"], capture_output=True, text=True, check=False,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "7. per brief (CPU), PDF/UA-1 (default) ÷ untagged" in done.stdout
    assert "7c. per brief (CPU) with `--record`" in done.stdout


@pytest.mark.slow   # lays out the briefs
def test_the_failure_line_does_not_say_nothing_was_written_when_another_brief_was(
        project: Path, brief_file: Path):
    shutil.copy(brief_file, brief_file.with_name("second.yaml"))
    edit(brief_file, "status: expected", "status: expectd")
    result = run_cli("build", "--root", project)
    assert result.code == 1
    assert (project / "output" / "second.pdf").is_file()
    assert result.err.splitlines()[-1] == "1 of 2 briefs failed; it was not written, the other was"
