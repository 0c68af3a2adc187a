"""Attack class: one flat output name space with no owner per name (issue 29, class 1).

A version's files are output/<brief>.<audience>.*, and the build puts its own words after an
id too (output/<id>.record.pdf, the archival record copy; output/<id>.overflow.pdf; the
stamps output/.briefgen/<id>.json and <id>.layout.json). An audience called by one of those
words wrote over that file, and a book with a brief's id shared its output/<id>.pdf. Every
name is made by engine/names.py from a typed key; `check` refuses an audience named by a
reserved word at its id's line, and a book with a brief's id at the book's file; `email`
attaches only bytes its own build recorded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import Project, briefgen, make_project

from briefgen.content.ids import RESERVED_WORDS
from briefgen.engine.names import BOOKKEEPING_SUFFIXES, OUTPUT_SUFFIXES, Kind, OutputKey, path_of

MARKINGS = "markings:\n  scheme: custom\n  levels: [PUBLIC, INTERNAL]\n  default: PUBLIC\n"
AUDIENCE = "audiences:\n  - id: {id}\n    name: Some readers\n    ceiling: PUBLIC\n"
BOOK = "title: A trip\nclassification: UNCLASSIFIED\nprepared_by: Test office\nas_of: 2023-08-18\nbriefs:\n  - mini\n"


def _run(root: Path, *args: str) -> tuple[int, str]:
    process = briefgen(*args, cwd=root)
    out, err = process.communicate(timeout=300)
    return process.returncode, out + err


def _with_audience(root: Path, audience_id: str) -> tuple[Project, int]:
    """The mini brief with a marking scheme and one audience; returns the audience id's line."""
    project = make_project(root)
    text = project.brief.read_text(encoding="utf-8").replace("classification: UNCLASSIFIED\n", MARKINGS)
    project.brief.write_text(text + AUDIENCE.format(id=audience_id), encoding="utf-8")
    line = project.brief.read_text(encoding="utf-8").split("\n").index(f"  - id: {audience_id}") + 1
    return project, line


@pytest.mark.parametrize("word", ["record", "overflow", "layout", "sent", "diff", "mail", "review",
                                  "readout", "public-readout", "docx", "lock", "version", "html"])
def test_an_audience_named_by_a_word_of_the_build_is_refused_at_its_line(tmp_path: Path, word: str):
    project, line = _with_audience(tmp_path, word)
    code, text = _run(tmp_path, "check")
    assert code == 1, text
    assert f"content/mini.yaml:{line}:9: error:" in text, text
    assert f"`{word}` is a word briefgen uses in its own output names" in text, text
    code, text = _run(tmp_path, "build")              # and nothing is written under its name
    assert code != 0, text
    assert not project.output(f".{word}.pdf").exists()
    assert not project.output(".record.pdf").exists()


def test_an_audience_record_cannot_overwrite_the_record_copy(tmp_path: Path):
    """The attack itself: `build --record` with an audience `record` would have written the
    audience's version over output/mini.record.pdf (or the record copy over the version)."""
    project, _ = _with_audience(tmp_path, "record")
    code, text = _run(tmp_path, "build", "--record")
    assert code != 0, text
    assert "`record` is a word briefgen uses" in text, text
    assert not project.output(".record.pdf").exists()


def test_an_ordinary_audience_still_builds(tmp_path: Path):
    project, _ = _with_audience(tmp_path, "press-office")
    code, text = _run(tmp_path, "build")
    assert code == 0, text
    assert project.output(".press-office.pdf").is_file()


def test_a_book_with_a_brief_s_id_is_refused_at_the_book(tmp_path: Path):
    project = make_project(tmp_path)
    (tmp_path / "content" / "books").mkdir()
    (tmp_path / "content" / "books" / "mini.yaml").write_text(BOOK, encoding="utf-8")
    code, text = _run(tmp_path, "check")
    assert code == 1, text
    assert "content/books/mini.yaml:1:1: error: the book `mini` has the same id as the brief" in text, text
    code, text = _run(tmp_path, "book", "mini")
    assert code != 0, text
    assert not project.output(".ics").exists()        # the book wrote nothing over the brief's name


def test_no_two_keys_make_the_same_name():
    """The allocator: every owner/audience/suffix combination gives a distinct file, and no
    audience can be a word of a suffix."""
    owners, audiences = ["mini", "mini-record", "a"], [None, "press", "record-office"]
    seen: dict[Path, OutputKey] = {}
    for owner in owners:
        for audience in audiences:
            for suffix in OUTPUT_SUFFIXES:
                key = OutputKey(owner, suffix, audience)
                path = path_of(Path("output"), key)
                assert path not in seen, (key, seen.get(path))
                seen[path] = key
            for suffix in BOOKKEEPING_SUFFIXES:
                key = OutputKey(owner, suffix, audience, Kind.BOOKKEEPING)
                path = path_of(Path("output"), key)
                assert path not in seen, (key, seen.get(path))
                seen[path] = key
    words = {word for suffix in OUTPUT_SUFFIXES | BOOKKEEPING_SUFFIXES for word in suffix.split(".") if word}
    assert words <= RESERVED_WORDS
    for word in words:
        with pytest.raises(ValueError):
            OutputKey("mini", ".pdf", word)
    for bad in ["mini.press", "../x", "Mini", ""]:
        with pytest.raises(ValueError):
            OutputKey(bad, ".pdf")


@pytest.mark.parametrize(("lines", "refusal"), [
    # issue 27's editions are output/<brief>.<lang>.*: an audience `fr` beside `editions: [fr]`
    ("editions: [fr]\naudiences:\n  - id: fr\n", "`fr` is also one of this brief's `editions`"),
    # output/<brief>.bilingual.pdf is the bilingual version the build makes itself
    ("audiences:\n  - id: bilingual\n", "`bilingual` is a word briefgen uses in its own output names"),
])
def test_an_audience_named_like_a_version_the_build_makes_is_refused(tmp_path: Path, lines: str, refusal: str):
    from conftest import SAMPLE_ID, copy_sample, edit, run_cli

    copy_sample(tmp_path / "content")
    brief = tmp_path / "content" / f"{SAMPLE_ID}.yaml"
    edit(brief, "annex:", f"{lines}    ceiling: UNCLASSIFIED\nannex:")
    result = run_cli("check", "--root", tmp_path, "--no-layout", brief)
    assert result.code == 1, result.out + result.err
    assert refusal in result.err, result.err
