"""Attack class 1: content tries to read a file or reach the network.

Every payload goes into every Markdown field (and into a person's bio) of a small brief
that otherwise builds. Each is refused at validation with its file:line:col, or, where
it is harmless, built with the reference stripped; either way the trap HTTP server on
127.0.0.1 sees no connection and the PDF carries no embedded file and no foreign image.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import MARKDOWN_FIELDS, embedded_files, http_trap, image_sizes, link_targets, make_project

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import run_cli

FILE_LINK = "`file:` links are not allowed; links must start with https://, http:// or mailto:"
HTTP_IMAGE = ("images may not come from `http:` addresses; put the file in assets/ and write "
              "![description](assets/name.png)")
FILE_IMAGE = HTTP_IMAGE.replace("`http:`", "`file:`")
DATA_IMAGE = HTTP_IMAGE.replace("`http:`", "`data:`")
DATA_LINK = FILE_LINK.replace("`file:`", "`data:`")


@pytest.fixture(scope="module")
def trap():
    with http_trap() as server:
        yield server
    assert server.connections == [], "content reached the network"


# (payload, the text it must be reported at, the message)
REFUSED = [
    ("See [x](file:///etc/passwd)", "file:///etc/passwd", FILE_LINK),
    ("See <file:///etc/passwd>", "file:///etc/passwd", FILE_LINK),
    ("See ![x]({trap}/image.png)", "{trap}/image.png", HTTP_IMAGE),
    ("See ![x](file:///etc/passwd)", "file:///etc/passwd", FILE_IMAGE),
    ("See ![x](data:image/png;base64,iVBORw0KGgo=)", "data:image/png;base64,iVBORw0KGgo=", DATA_IMAGE),
    ("See [x](data:text/html;base64,PHNjcmlwdD4=)", "data:text/html;base64,PHNjcmlwdD4=", DATA_LINK),
    ('"[x][r] and ![y][i]\\n\\n[r]: file:///etc/passwd\\n[i]: {trap}/ref.png"',
     "file:///etc/passwd", FILE_LINK),
    ("See [x](file&#58;///etc/passwd)", None, FILE_LINK),          # entity-encoded colon
    ("See ![x](&#104;ttp://127.0.0.1:9/e.png)", None, HTTP_IMAGE),  # entity-encoded scheme
]


@pytest.mark.parametrize(("field", "line_text"), MARKDOWN_FIELDS, ids=[f for f, _ in MARKDOWN_FIELDS])
@pytest.mark.parametrize(("payload", "at", "message"), REFUSED, ids=range(len(REFUSED)))
def test_reference_to_file_or_network_is_refused_at_its_line(tmp_path, trap, field, line_text,
                                                             payload, at, message):
    project = make_project(tmp_path)
    payload = payload.format(trap=trap.url)
    prefix = line_text[: line_text.index(":") + 2] if ": " in line_text else "  - "
    new_line = prefix + payload
    line = project.replace_line(line_text, new_line)
    column = new_line.index(at.format(trap=trap.url)) + 1 if at else len(prefix) + 1
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1
    assert f"content/mini.yaml:{line}:{column}: error: {message} ({field})" in result.err
    assert not project.output(".pdf").exists()
    assert not project.output(".html").exists()


@pytest.mark.parametrize(("payload", "at", "message"), REFUSED[:5], ids=range(5))
def test_reference_in_a_person_bio_is_refused_in_the_person_file(tmp_path, trap, payload, at, message):
    project = make_project(tmp_path)
    new_line = "bio: " + payload.format(trap=trap.url)
    line = project.replace_line("bio: A short bio.", new_line, project.person)
    column = new_line.index(at.format(trap=trap.url)) + 1
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1
    assert f"content/people/alice.yaml:{line}:{column}: error: {message} (bio)" in result.err
    assert not project.output(".pdf").exists()


@pytest.mark.parametrize(("field", "line_text"), [MARKDOWN_FIELDS[0], MARKDOWN_FIELDS[6]],
                         ids=["required", "optional"])
def test_raw_attachment_link_is_refused_as_raw_html(tmp_path, trap, field, line_text):
    project = make_project(tmp_path)
    prefix = line_text[: line_text.index(":") + 2]
    line = project.replace_line(line_text, prefix + '<link rel="attachment" href="file:///etc/passwd">')
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1
    assert (f"content/mini.yaml:{line}:{len(prefix) + 1}: error: raw HTML is not allowed in Markdown "
            f'text (found `<link rel="attachment" href="file:///etc`); write it in Markdown ({field})'
            in result.err)
    assert not project.output(".pdf").exists()


def test_attachment_and_image_tags_written_with_entities_are_only_text(tmp_path, trap):
    project = make_project(tmp_path)
    project.replace_line("background: The background.",
                         "background: '&lt;link rel=\"attachment\" href=\"file:///etc/passwd\"&gt; "
                         f"&lt;img src=\"{trap.url}/x.png\"&gt;'")
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 0, result.err
    html = project.output(".html").read_text()
    assert "&lt;link rel=”attachment” href=”file:///etc/passwd”&gt;" in html  # smart quotes: text
    assert "<link" not in html
    assert f'src="{trap.url}' not in html
    pdf = project.output(".pdf")
    assert embedded_files(pdf) == []
    assert image_sizes(pdf) == []
    assert b"root:x:0:0" not in pdf.read_bytes()


def test_web_links_stay_links_and_are_never_fetched(tmp_path, trap):
    project = make_project(tmp_path)
    project.replace_line("background: The background.",
                         f"background: See [the page]({trap.url}/page) and <{trap.url}/auto>.")
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 0, result.err
    pdf = project.output(".pdf")
    assert f"{trap.url}/page" in link_targets(pdf)
    assert f"{trap.url}/auto" in link_targets(pdf)
    assert embedded_files(pdf) == []
    assert image_sizes(pdf) == []
    # the module's trap fixture asserts, on teardown, that nothing connected
