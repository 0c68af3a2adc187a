"""Attack class: escaping per output, and file names as content.

A carriage return written as a YAML escape ("\\r") passed `check`, reached the reviewer's
terminal through `diff` and the calendar's header raw; a file name broke out of its code span
in the pull request's Markdown summary; file names with bidi overrides or zero-width
characters passed. CR (and the other foreign line breaks) is refused in every text field, in
the model, at file:line:col; a content file's name is held to the rules of an id; and each
sink (terminal, Markdown, HTML, calendar, CI log) has one escaping function
(briefgen/render/escape.py), tested here on its own and through the CLI and a git history.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import MINI_BRIEF, REPO, make_project

from briefgen.render import escape


def cli(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=root, capture_output=True,
                          text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(root),
                                                       "PYTHONPATH": str(REPO), **(env or {})})


# --- CR and its kin, refused in the model ---------------------------------------------------

@pytest.mark.parametrize("escape_text", ["\\r", "\\x0d", "\\u000d", "\\r\\n"])
@pytest.mark.parametrize(("old", "new"), [
    ("title: Mini brief", 'title: "Mini{}brief"'),
    ("    title: An agenda item", '    title: "An agenda{}item"'),
    ("  location: Somewhere", '  location: "Some{}where"'),
    ("  - A message.", '  - "A{}message."'),
])
def test_a_carriage_return_in_text_is_an_error_at_its_place(tmp_path: Path, escape_text: str,
                                                                old: str, new: str):
    project = make_project(tmp_path)
    line = project.replace_line(old, new.format(escape_text))
    column = new.index('"') + 1
    (tmp_path / "content" / "other.yaml").write_text(MINI_BRIEF)
    result = cli(tmp_path, "check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"content/mini.yaml:{line}:{column}: error:" in result.stderr, result.stderr
    assert "\r" not in result.stderr
    assert "1 error" in result.stdout


def test_a_cr_in_a_person_s_name_and_a_book_s_title_is_an_error(tmp_path: Path):
    project = make_project(tmp_path)
    project.replace_line("name: Alice Example", 'name: "Alice\\rExample"', project.person)
    (tmp_path / "content" / "books").mkdir()
    (tmp_path / "content" / "books" / "trip.yaml").write_text(
        'title: "A\\rtrip"\nclassification: UNCLASSIFIED\nprepared_by: Staff\nas_of: 2023-08-18\n'
        "briefs: [mini]\n")
    result = cli(tmp_path, "check")
    assert "content/people/alice.yaml:1:7: error:" in result.stderr, result.stderr
    assert "content/books/trip.yaml:1:8: error:" in result.stderr, result.stderr


# --- file names held to the rules of an id ---------------------------------------------------

HOSTILE_NAMES = ["evil\u202egnp", "zero\u200bwidth", "Upper", "dots.in.it", "back`tick", "esc\x1b[2Jx",
                 "-leading", "space name", "x" * 65]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_content_file_name_that_is_not_an_id_is_an_error(tmp_path: Path, name: str):
    make_project(tmp_path)
    (tmp_path / "content" / f"{name}.yaml").write_text(MINI_BRIEF)
    result = cli(tmp_path, "check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "is not a valid id" in result.stderr
    assert "rename the file" in result.stderr
    assert "1 error" in result.stdout          # the other brief is fine
    for char in ("\u202e", "\u200b", "\x1b"):  # shown as escapes, never raw, on the terminal
        assert char not in result.stderr


@pytest.mark.parametrize("name", ["evil\u202egnp", "esc\x1b[2Jx"])
def test_a_hostile_file_name_never_reaches_a_github_annotation_raw(tmp_path: Path, name: str):
    make_project(tmp_path)
    (tmp_path / "content" / f"{name}.yaml").write_text(MINI_BRIEF)
    result = cli(tmp_path, "check", "--format", "github", env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("::error file=content/"), result.stdout
    for char in ("\u202e", "\x1b"):
        assert char not in result.stdout


@pytest.mark.parametrize("name", ["evil\u202egnp", "zero\u200bwidth"])
def test_a_person_file_and_a_book_file_are_held_to_the_same_rule(tmp_path: Path, name: str):
    make_project(tmp_path)
    (tmp_path / "content" / "people" / f"{name}.yaml").write_text("name: B\ntitle: T\ncountry: NO\n")
    (tmp_path / "content" / "books").mkdir()
    (tmp_path / "content" / "books" / f"{name}.yaml").write_text(
        "title: T\nclassification: UNCLASSIFIED\nprepared_by: S\nas_of: 2023-08-18\nbriefs: [mini]\n")
    result = cli(tmp_path, "check")
    assert result.stderr.count("is not a valid id") == 2, result.stderr


# --- each sink's own function ------------------------------------------------------------------

def test_terminal_shows_every_invisible_character_as_an_escape():
    shown = escape.terminal("a\rb\x1b[31mc\u202ed\u200be\x07f\nnext")
    assert shown == "a\\rb\\u001b[31mc\\u202ed\\u200be\\u0007f\nnext"


@pytest.mark.parametrize("text", ["a`b", "``", "`", "a ``` b", "x\n</code><details>", "` lead", "\u202e"])
def test_markdown_code_is_a_span_no_text_leaves(text: str):
    import markdown

    span = escape.markdown_code(text)
    html = markdown.markdown(span)
    assert html.count("<code>") == 1, html
    assert html.endswith("</code></p>"), html
    assert "<details>" not in html
    assert "\u202e" not in html
    assert "\n" not in span


def test_markdown_text_shows_markup_as_written():
    import markdown

    html = markdown.markdown(escape.markdown_text("**bold** <details> [x](y) `c`\r\nnext"))
    assert "<strong>" not in html
    assert "<details>" not in html
    assert "<a " not in html
    assert "<code>" not in html
    assert "\r" not in html
    assert "\n" not in escape.markdown_text("a\nb")


def test_html_text_escapes_markup():
    assert str(escape.html_text("<b a=\"1\">&'")) == "&lt;b a=&#34;1&#34;&gt;&amp;&#39;"


def test_calendar_text_is_one_line_without_controls():
    from icalendar import Event

    event = Event()
    event.add("summary", escape.calendar_text("A\rDTSTART:19700101T000000\nB\x1b"))
    ical = event.to_ical()
    assert b"\r\nDTSTART" not in ical
    assert b"\x1b" not in ical
    assert b"\rDTSTART" not in ical


def test_ci_data_and_property_escape_commands():
    assert escape.ci_data("a%\r\n::x") == "a%25%0D%0A::x"
    assert escape.ci_property("f:1,2") == "f%3A1%2C2"


# --- through a git history: diff's terminal and Markdown outputs ------------------------------

def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
                   check=True, capture_output=True)


def test_diff_never_prints_a_raw_cr_or_escape_from_a_committed_base(tmp_path: Path):
    project = make_project(tmp_path)
    project.replace_line("  - A message.", '  - "Old\\rmessage \\e[2J here"')
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "base")
    project.replace_line('  - "Old\\rmessage \\e[2J here"', "  - A new message.")
    result = cli(tmp_path, "diff")
    assert "\r" not in result.stdout, repr(result.stdout)
    assert "\x1b" not in result.stdout, repr(result.stdout)


def test_diff_s_terminal_output_escapes_every_value():
    from briefgen.content.compare import BriefDiff, Change
    from briefgen.render.changes import as_text

    hostile = "A\rB\x1b[2J\u202eC"
    diff = BriefDiff("mini", f"content/{hostile}.yaml", "changed", files=[hostile], changes=[
        Change(hostile, "added", hostile, after=hostile + "!", origin=hostile),
        Change("S", "changed", hostile, "summary", before=hostile, after="x"),
        Change("S", "changed", hostile, "summary", words=(("same", hostile), ("added", hostile)))])
    for colour in (False, True):
        text = as_text([diff], hostile, [hostile], colour=colour)
        assert "\r" not in text, repr(text)
        assert "\u202e" not in text, repr(text)
        assert "\x1b[2J" not in text, repr(text)
        assert "A\\rB\\u001b[2J\\u202eC" in text


def test_a_file_name_cannot_leave_its_code_span_in_the_markdown_summary(tmp_path: Path):
    make_project(tmp_path)
    name = "a`<details><summary>x"
    (tmp_path / "content" / f"{name}.yaml").write_text(MINI_BRIEF)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "base")
    (tmp_path / "content" / f"{name}.yaml").write_text(MINI_BRIEF.replace("Mini brief", "Changed brief"))
    result = cli(tmp_path, "diff", "--format", "markdown")
    import markdown

    html = markdown.markdown(result.stdout)
    assert "<details>" not in html, result.stdout
    assert f"Files changed: ``content/{name}.yaml``" in result.stdout, result.stdout
