"""`briefgen check`: every problem at once, at its line, in plain English; exit codes; formats.

Golden broken briefs live in tests/errors/<rule>/: `content/summit.yaml` (and, where the
rule is about people, `content/people/<id>.yaml`, laid over the sample's people), an
optional `args` file, an optional house (`house/house.toml`, chosen by `briefgen.toml`),
and `expected.txt`, the exact exit code and output of
`briefgen check` on it. After a deliberate change to a message, refresh them with
`BRIEFGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_check.py` and review the diff.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_ID, copy_sample, edit, run_cli

from briefgen import cli

ERRORS = REPO / "tests" / "errors"
CASES = sorted(p.name for p in ERRORS.iterdir() if p.is_dir())
LOCATED = re.compile(r"^(content/[\w./-]+\.yaml|house/house\.(?:toml|css)):\d+:\d+: (error|warning): \S.*$")


def _project_for_case(case: Path, root: Path) -> Path:
    shutil.copytree(REPO / "content" / "people", root / "content" / "people")
    shutil.copytree(case / "content", root / "content", dirs_exist_ok=True)
    if (case / "house").is_dir():
        shutil.copytree(case / "house", root / "house")
        shutil.copy(case / "briefgen.toml", root / "briefgen.toml")
    return root


def _golden_text(args: list[str], result) -> str:
    return (f"$ briefgen check {' '.join(args)}".rstrip() + f"\nexit {int(result.code)}\n"
            f"--- stdout\n{result.out}--- stderr\n{result.err}")


@pytest.mark.parametrize("name", CASES)
def test_golden_broken_brief(name: str, tmp_path: Path):
    case = ERRORS / name
    args = (case / "args").read_text().split() if (case / "args").exists() else []
    root = _project_for_case(case, tmp_path)
    result = run_cli("check", "--root", root, *args)
    actual = _golden_text(args, result)
    expected_file = case / "expected.txt"
    if os.environ.get("BRIEFGEN_UPDATE_GOLDEN"):
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")
    assert "Traceback" not in result.err
    assert result.code in (0, 1)


def test_every_golden_case_has_its_expected_output():
    for name in CASES:
        assert (ERRORS / name / "expected.txt").is_file(), name
        assert (ERRORS / name / "content" / "summit.yaml").is_file(), name


@pytest.mark.parametrize("name", [n for n in CASES if not (ERRORS / n / "args").exists()])
def test_golden_text_output_is_located_and_sorted(name: str):
    """Every problem line is `path:line:col: error|warning: message`, sorted by file and line."""
    stderr = (ERRORS / name / "expected.txt").read_text().split("--- stderr\n", 1)[1]
    lines = stderr.splitlines()
    assert all(LOCATED.match(line) for line in lines), lines
    places = [(m[0], int(m[1]), int(m[2])) for m in (line.split(":")[:3] for line in lines)]
    assert places == sorted(places)


# --- the rules, through the CLI ---------------------------------------------------------------

def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_sample_content_is_clean(tmp_path: Path):
    result = run_cli("check", "--root", REPO, "--strict", REPO / "content")
    assert (result.code, result.err) == (0, "")
    briefs = len(list((REPO / "content").glob("*.yaml")))             # every sample brief
    assert result.out == f"checked {briefs} briefs: 0 errors, 0 warnings\n"
    everything = run_cli("check", "--root", REPO, "--strict")          # with the book and people
    assert (everything.code, everything.err, everything.out) == (
        0, "", f"checked {briefs} briefs, 1 book: 0 errors, 0 warnings\n")


def test_every_problem_is_reported_at_once(project: Path, brief_file: Path):
    edit(brief_file, "status: expected", "status: expectd")
    edit(brief_file, "    summary: Enhanced cooperation", "    sumary: Enhanced cooperation")
    edit(brief_file, "as_of: 2023-08-18", "as_of: 2023-02-30")
    edit(brief_file, "    role: delegation\n", "", count=1)
    result = run_cli("check", "--root", project)
    path = "content/camp-david-2023.yaml"
    assert result.err.splitlines() == [
        f"{path}:{_line_of(brief_file, 'as_of:')}:8: error: `as_of` is not a real date: 2023-02-30 "
        "(February 2023 has 28 days) (as_of)",
        f"{path}:{_line_of(brief_file, '- person: blinken')}:5: warning: participant `blinken` has no "
        "role (participants[3])",
        f"{path}:{_line_of(brief_file, 'status: expectd')}:13: error: `status` must be one of "
        "expected, confirmed, announced, deferred, dropped; got 'expectd'; did you mean `expected`? "
        "(deliverables[0].status)",
        f"{path}:{_line_of(brief_file, 'sumary:')}:5: error: unknown key `sumary`; did you mean "
        "`summary`? (deliverables[1].sumary)",
    ]
    assert result.out == "checked 1 brief: 3 errors, 1 warning\n"
    assert result.code == 1


def test_yaml_11_values_stay_the_text_written(project: Path, brief_file: Path):
    edit(brief_file, "subtitle: United States · Japan · Republic of Korea", "subtitle: yes")
    edit(brief_file, "    note: the night before the summit", "    note: off")
    edit(brief_file, "  - date: 2023-08-18\n    title: Trilateral discussion",
         "  - date: 2023-08-18\n    time: 10:30\n    title: Trilateral discussion")
    edit(brief_file, "    title: Joint military exercises", "    title: 1e3")
    edit(project / "content" / "people" / "yoon.yaml", "country: KR", "country: NO")
    from briefgen.workflows.brief import Project, check_brief
    validated, result = check_brief(Project.at(project), brief_file)
    assert result.ok, result.errors
    brief = validated.brief
    assert (brief.subtitle, brief.agenda[0].note, brief.agenda[1].time) == ("yes", "off", "10:30")
    assert brief.deliverables[2].title == "1e3"
    assert validated.people["yoon"].country == "NO"


def test_check_never_writes_output(project: Path):
    """Only the cached layout verdict, beside the build's own bookkeeping; never an output."""
    assert run_cli("check", "--root", project, "--no-layout").code == 0
    assert not (project / "output").exists()
    assert run_cli("check", "--root", project).code == 0
    written = [p.relative_to(project / "output") for p in (project / "output").rglob("*") if p.is_file()]
    assert written == [Path(".briefgen") / f"{SAMPLE_ID}.layout.json"]


def test_warnings_pass_but_fail_under_strict(project: Path, brief_file: Path):
    edit(brief_file, "    role: delegation\n", "", count=1)
    relaxed = run_cli("check", "--root", project)
    strict = run_cli("check", "--root", project, "--strict")
    line = _line_of(brief_file, "- person: blinken")
    message = (f"content/camp-david-2023.yaml:{line}:5: warning: participant `blinken` has no role "
               "(participants[3])\n")
    assert (relaxed.code, relaxed.err) == (0, message)
    assert (strict.code, strict.err) == (1, message)
    assert strict.out == "checked 1 brief: 0 errors, 1 warning (warnings fail with --strict)\n"


def test_a_person_shared_by_two_briefs_is_reported_once(project: Path, brief_file: Path):
    shutil.copy(brief_file, project / "content" / "second.yaml")
    edit(project / "content" / "people" / "kishida.yaml", "country: JP", "country: Japan")
    result = run_cli("check", "--root", project)
    assert result.err == ("content/people/kishida.yaml:7:10: error: 'Japan' is not an ISO 3166-1 "
                          "alpha-2 country code (two capital letters, e.g. US, JP, KR, NO) (country)\n")
    assert result.out == "checked 2 briefs: 1 error, 0 warnings\n"
    assert result.code == 1


def test_json_format_is_a_machine_readable_list(project: Path, brief_file: Path):
    edit(brief_file, "status: expected", "status: expectd")
    result = run_cli("check", "--root", project, "--format", "json")
    assert result.code == 1
    assert result.err == ""
    assert json.loads(result.out) == [{
        "path": "content/camp-david-2023.yaml", "line": _line_of(brief_file, "expectd"), "column": 13,
        "severity": "error", "key": "deliverables[0].status",
        "message": "`status` must be one of expected, confirmed, announced, deferred, dropped; "
                   "got 'expectd'; did you mean `expected`?"}]


def test_github_format_escapes_what_would_break_an_annotation(tmp_path: Path):
    root = _project_for_case(ERRORS / "clean", tmp_path)
    target = root / "content" / "a,b:c%.yaml"
    (root / "content" / "summit.yaml").rename(target)
    edit(target, "status: expected", "status: 100%")
    result = run_cli("check", "--root", root, "--format", "github")
    line = _line_of(target, "100%")
    assert result.out.splitlines()[1] == (   # after the error that the name is not an id
        f"::error file=content/a%2Cb%3Ac%25.yaml,line={line},col=13,title=briefgen check::`status` "
        "must be one of expected, confirmed, announced, deferred, dropped; got '100%25' "
        "(deliverables[0].status)")
    assert result.code == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _check_on_a_terminal(project: Path) -> tuple[int, str]:
    out, err = io.StringIO(), _Terminal()
    code = cli.main(["check", "--root", str(project)], stdout=out, stderr=err)
    return code, err.getvalue()


def test_colour_only_on_a_terminal_and_never_with_no_color(project: Path, brief_file: Path, monkeypatch):
    edit(brief_file, "status: expected", "status: expectd")
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, coloured = _check_on_a_terminal(project)
    assert code == 1
    assert "\033[1;31merror:\033[0m `status` must be one of" in coloured
    assert "\033[" not in run_cli("check", "--root", project).err
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in _check_on_a_terminal(project)[1]


# --- exit codes -----------------------------------------------------------------------------

def test_usage_errors_exit_2(project: Path):
    missing = run_cli("check", "--root", project, project / "content" / "nope.yaml")
    assert (missing.code, missing.err) == (2, f"error: no such file: {project / 'content' / 'nope.yaml'}\n")
    bad_format = run_cli("check", "--format", "xml")
    assert bad_format.code == 2
    assert bad_format.err.endswith("briefgen check: error: argument --format: invalid choice: 'xml' "
                                   "(choose from 'text', 'json', 'github')\n")


def test_no_content_folder_is_a_usage_error(tmp_path: Path):
    result = run_cli("check", "--root", tmp_path)
    assert result.code == 2
    assert result.err == (f"error: no content folder at {tmp_path.resolve() / 'content'}; run briefgen "
                          "from a project, or name the brief files\n")


def test_an_internal_bug_shows_a_traceback_and_says_it_is_a_bug(project: Path, monkeypatch):
    from briefgen.content import validate

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug in validation")

    monkeypatch.setattr(validate, "brief_warnings", broken)
    result = run_cli("check", "--root", project)
    assert result.code == 70
    assert "Traceback (most recent call last)" in result.err
    assert "RuntimeError: simulated bug in validation" in result.err
    assert "this is a bug in briefgen, not in your content" in result.err


def test_a_file_too_large_is_refused_before_parsing(project: Path, brief_file: Path):
    brief_file.write_text("title: x\n" + "# padding\n" * 30_000)
    result = run_cli("check", "--root", project)
    assert result.code == 1
    assert result.err == ("content/camp-david-2023.yaml:1:1: error: the file is 300,009 bytes; a "
                          "content file may be at most 262,144 bytes\n")


# --- briefgen new ---------------------------------------------------------------------------

def _fill_placeholders(text: str) -> str:
    """Replace every "FILL IN: ..." of a new brief with a value valid for its key."""
    values = {"title": "Trilateral Summit", "classification": "UNCLASSIFIED", "prepared_by": "Staff",
              "as_of": "2023-08-17", "kind": "summit", "date": "2023-08-18", "location": "Camp David",
              "host": "biden", "person": "biden", "role": "host", "time": "10:00", "status": "expected",
              "by": "biden", "source": "preview", "url": "https://www.whitehouse.gov/",
              "participants": "[biden]", "owners": "[biden]", "sources": "[preview]",
              "home_timezone": "America/New_York", "timezone": "America/New_York",
              "duration": "45 min", "press": "pool-spray", "lead": "biden",
              "speaking_order": "[biden]", "to": "biden", "due": "2023-08-18"}
    section, filled = "", []
    text = re.sub(r"  # FILL IN.*", "", text).replace("fill-in-principal", "biden")
    for line in text.splitlines():
        section = line.split(":")[0] if re.match(r"^[a-z_]+:", line) else section
        match = re.match(r'^(\s*(?:- )?)(\w+): (\["FILL IN[^"]*"\]|"FILL IN[^"]*")$', line)
        if match:
            indent, key, _ = match.groups()
            value = values.get(key, "Some text.")
            if key == "id":
                value = "preview" if section == "sources" else "hotline"
            line = f"{indent}{key}: {value}"
        elif line.strip().startswith("FILL IN:"):
            line = line[: len(line) - len(line.lstrip())] + "Some text."
        filled.append(line)
    return "\n".join(filled) + "\n"


def test_new_brief_warns_at_each_placeholder_until_filled(project: Path, monkeypatch):
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    created = run_cli("new", "g7-summit", "--root", project)
    path = project / "content" / "g7-summit.yaml"
    assert created.code == 0, created.err
    assert created.out == ('wrote content/g7-summit.yaml and content/people/fill-in-principal.yaml: 48 '
                           '"FILL IN" placeholders to replace; see the page now with `briefgen build '
                           'content/g7-summit.yaml`, and check what is left with `briefgen check --strict '
                           'content/g7-summit.yaml`\n')
    first = run_cli("check", "--root", project, "--strict", path)
    assert first.code == 1
    lines = first.err.splitlines()
    assert len(lines) == 48
    assert all(LOCATED.match(line) for line in lines)
    assert all(": warning: placeholder not filled in: write " in line for line in lines), lines
    assert ("content/g7-summit.yaml:16:8: warning: placeholder not filled in: write the title of the "
            "meeting (title)") in lines
    assert (f"content/g7-summit.yaml:{_line_of(path, 'kind: ')}:9: warning: placeholder not filled in: "
            "write the kind of meeting, then delete its `# FILL IN` comment (event.kind)") in lines

    path.write_text(_fill_placeholders(path.read_text()))
    filled = run_cli("check", "--root", project, "--strict", path)
    assert (filled.code, filled.err) == (0, "")
    from briefgen.workflows.brief import Project, check_brief
    validated, _ = check_brief(Project.at(project), path)
    assert validated.brief.title == "Trilateral Summit"
    assert validated.brief.sources[0].id == "source-1"


def test_new_brief_has_every_section_of_the_model(project: Path):
    from briefgen.content.models import Brief
    assert run_cli("new", "every-section", "--root", project).code == 0
    text = (project / "content" / "every-section.yaml").read_text()
    keys = set(re.findall(r"^#? ?([a-z_]+):", text, flags=re.MULTILINE))
    assert set(Brief.model_fields) <= keys
    assert text.startswith("# yaml-language-server: $schema=../schema/brief.schema.json\n")


def test_new_refuses_to_overwrite_or_a_bad_id(project: Path, brief_file: Path):
    before = brief_file.read_bytes()
    existing = run_cli("new", SAMPLE_ID, "--root", project)
    assert (existing.code, existing.err) == (2, f"error: content/{SAMPLE_ID}.yaml already exists; "
                                                "choose another id, or edit that file\n")
    assert brief_file.read_bytes() == before
    bad = run_cli("new", "G7 Summit", "--root", project)
    assert (bad.code, bad.err) == (2, "error: 'G7 Summit' cannot be the id of a brief: use lower-case "
                                      "letters, digits and hyphens, starting with a letter or digit "
                                      "(e.g. g7-summit-2024)\n")


def test_checking_the_project_also_checks_person_files_no_brief_names(tmp_path: Path):
    copy_sample(tmp_path / "content")
    (tmp_path / "content" / "people" / "macron.yaml").write_text(
        "name: Emmanuel Macron\ntitle: President of France\ncountry: France\n")
    result = run_cli("check", "--root", tmp_path)
    assert result.code == 1
    assert ("content/people/macron.yaml:3:10: error: 'France' is not an ISO 3166-1 alpha-2 country "
            "code (two capital letters, e.g. US, JP, KR, NO) (country)") in result.err
    named = run_cli("check", "--root", tmp_path, tmp_path / "content" / "camp-david-2023.yaml")
    assert named.code == 0, named.err


def test_as_of_within_a_multi_day_event_is_not_after_it(project: Path, brief_file: Path):
    """A brief dated on the second day of a three-day event is not a read-out; one dated
    after its last day is, and the warning quotes the whole span, not only its start."""
    edit(brief_file, "  date: 2023-08-18\n", "  start: 2023-08-17\n  end: 2023-08-19\n")
    during = run_cli("check", "--root", project, "--no-layout")
    assert "`as_of`" not in during.err, during.err
    edit(brief_file, "as_of: 2023-08-18", "as_of: 2023-08-20")
    after = run_cli("check", "--root", project, "--no-layout")
    expected = ("warning: `as_of` (2023-08-20) is after the event (2023-08-17 to 2023-08-19); "
                "is this a brief or a read-out? (as_of)")
    assert expected in after.err, after.err
