"""Attack class 2: markup injection through any field.

Plain-text fields are escaped by Jinja; Markdown fields lose raw HTML in the parser and
everything off the allowlist in nh3; web addresses must be http(s). Checked on the real
HTML and the real PDF of a build.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import embedded_files, image_sizes, link_targets, make_project

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import run_cli
from pdf_utils import pdf_text

from briefgen.render.richtext import RichText

SCRIPT = "<script>alert(1)</script>"
# Each plain-text field gets a different hostile string, quoted so YAML keeps it whole.
PLAIN_FIELDS = [
    ("title: Mini brief", "title: '{}'", '</title><script>alert("title")</script>'),
    ("subtitle: A subtitle", "subtitle: '{}'", '<img src=x onerror=alert("sub")>'),
    ("prepared_by: Test office", "prepared_by: '{}'", '"><meta http-equiv=refresh content=0>'),
    ("  location: Somewhere", "  location: '{}'", "<iframe src=file:///etc/passwd></iframe>"),
    ("    note: A note", "    note: '{}'", "<style>*{{display:none}}</style>"),
    ("    title: An agenda item", "    title: '{}'", '<link rel=attachment href="file:///etc/passwd">'),
    ("    title: A deliverable", "    title: '{}'", "<form action=https://evil/><input></form>"),
    ("  - topic: A topic", "  - topic: '{}'", "<svg onload=alert(1)>"),
    ("    title: A source", "    title: '{}'", "<a href=javascript:alert(1)>x</a>"),
    ("    note: A source note", "    note: '{}'", "<object data=file:///etc/passwd></object>"),
    ("    where: A place", "    where: '{}'", "<base href=file:///etc/>"),
]


def test_plain_fields_are_escaped_everywhere(tmp_path: Path):
    project = make_project(tmp_path)
    for old, template, payload in PLAIN_FIELDS:
        project.replace_line(old, template.format(payload.replace("'", "''")))
    project.replace_line("name: Alice Example", f"name: '{SCRIPT}'", project.person)
    project.replace_line("title: Director", "title: '<b onmouseover=alert(1)>Director</b>'", project.person)
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 0, result.err
    html = project.output(".html").read_text()
    for tag in ("<script", "<img", "<meta http-equiv", "<iframe", "<link", "<form", "<svg", "<object",
                "<base", "<b ", 'href="javascript', "<style>*"):
        assert tag not in html, tag
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    text = pdf_text(project.output(".pdf"))
    # Shown as the words typed (wherever a line wraps).
    assert "<iframesrc=file:///etc/passwd></iframe>" in "".join(text.split())
    assert embedded_files(project.output(".pdf")) == []
    assert image_sizes(project.output(".pdf")) == []
    assert set(link_targets(project.output(".pdf"))) == {"https://example.org/source"}


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
    "vbscript:msgbox(1)", "//evil.example/x", "https://example.org/\" onclick=\"alert(1)",
    "https://example.org/<script>", "JaVaScRiPt:alert(1)", " https://example.org/",
])
def test_source_url_must_be_a_web_address(tmp_path: Path, url: str):
    project = make_project(tmp_path)
    quoted = url.replace("'", "''")
    line = project.replace_line("    url: https://example.org/source", f"    url: '{quoted}'")
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1
    assert (f"content/mini.yaml:{line}:10: error: '{url}' is not a web address; write it in "
            "full, starting with https:// (sources[0].url)") in result.err, result.err


def test_classification_refuses_markup(tmp_path: Path):
    project = make_project(tmp_path)
    line = project.replace_line("classification: UNCLASSIFIED", f"classification: '{SCRIPT}'")
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1
    assert f"content/mini.yaml:{line}:17: error: " in result.err
    assert "is not a classification marking" in result.err


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "&#106;avascript:alert(1)",
                                  "vbscript:x", "data:text/html,x"])
def test_markdown_link_with_a_script_scheme_is_refused(tmp_path: Path, link: str):
    project = make_project(tmp_path)
    line = project.replace_line("  - A message.", f"  - Click [here]({link}).")
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1
    scheme = link.replace("&#106;", "j").split(":")[0].lower()
    assert f"content/mini.yaml:{line}:" in result.err
    assert (f"error: `{scheme}:` links are not allowed; "
            "links must start with https://, http:// or mailto: (key_messages[0])" in result.err)


# The sanitiser on its own (validation stops all of these first; this is the second wall).
SANITISED = [
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ('<link rel="attachment" href="file:///etc/passwd">',
     '<p>&lt;link rel="attachment" href="file:///etc/passwd"&gt;</p>'),
    ("[x](javascript:alert(1))", '<p><a rel="noopener noreferrer">x</a></p>'),
    ("[x](file:///etc/passwd)", '<p><a rel="noopener noreferrer">x</a></p>'),
    ("[x](/etc/passwd)", '<p><a rel="noopener noreferrer">x</a></p>'),
    ("[x](assets/secret.txt)", '<p><a rel="noopener noreferrer">x</a></p>'),
    ("[x](&#106;avascript:alert(1))", '<p><a rel="noopener noreferrer">x</a></p>'),
    ("![x](http://127.0.0.1:9/x.png)", '<p><img alt="x"></p>'),
    ("![x](assets/../../etc/passwd.png)", '<p><img alt="x"></p>'),
    ("![x](assets/red.png)", '<p><img alt="x" src="assets/red.png"></p>'),
    ("[x](https://example.org/)", '<p><a href="https://example.org/" rel="noopener noreferrer">x</a></p>'),
    ('[x](https://example.org/ "t\\" onclick=\\"alert(1)")',
     '<p><a href="https://example.org/" title="t&quot; onclick=&quot;alert(1)" rel="noopener noreferrer">'
     "x</a></p>"),
]


@pytest.mark.parametrize(("markdown", "html"), SANITISED)
def test_sanitiser_output(markdown: str, html: str):
    assert str(RichText({}).block(markdown)) == html


def test_sanitised_html_has_no_event_handlers_or_styles():
    html = str(RichText({}).block("*a* **b** `<x onclick=y>` > q\n\n- [l](https://e.org/ 'onload')"))
    assert not re.search(r"<[^>]+\s(on\w+|style)=", html)
