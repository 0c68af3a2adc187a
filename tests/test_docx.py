"""The Word round trip: `briefgen docx` and `briefgen import-docx`, over real git histories.

Edited files are made here the way Word writes edits: tracked insertions and deletions
(w:ins, w:del with an author and a date) inside a control's w:sdtContent, a comments part
anchored with commentRangeStart/End, a paragraph typed outside every control, a control
removed. LibreOffice converts every sample's file, headless, and the PDF is read back.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx as python_docx
import pytest
from conftest import REPO, SAMPLE_ID, copy_sample, run_cli
from lxml import etree
from pypdf import PdfReader
from test_audiences import CONTENT as AUDIENCE_CONTENT
from test_audiences import MARKERS, WITHHELD
from test_diff import commit, git

from briefgen.content.wordtext import canonical, paragraphs_of

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
DATE = "2026-12-07T10:00:00Z"


def q(name: str) -> str:
    return f"{{{W}}}{name}"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "briefs"
    copy_sample(root / "content")
    git(root.parent, "init", "-q", "-b", "main", str(root))
    commit(root, "briefs")
    return root


def brief_path(root: Path) -> Path:
    return root / "content" / f"{SAMPLE_ID}.yaml"


def make_docx(root: Path, *args: str) -> Path:
    result = run_cli("docx", "--root", root, *args)
    assert result.code == 0, result.err
    return root / "output" / f"{SAMPLE_ID}.docx"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_parts(path: Path, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def control(body: etree._Element, tag: str) -> etree._Element:
    [found] = body.xpath(f".//w:sdt[w:sdtPr/w:tag/@w:val='{tag}']", namespaces=NS)
    return found


def all_text(path: Path) -> str:
    document = etree.fromstring(parts(path)["word/document.xml"])
    return "".join(t.text or "" for t in document.iter(q("t")))


# --- the file as written ---------------------------------------------------------------

TEXT_KEYS = {"title", "subtitle", "location", "purpose", "text", "issue", "recommendation", "summary",
             "caveats", "question", "answer", "topic", "context", "guidance", "note", "publisher",
             "public", "defensive", "where", "bottom_line"}


def scalars(data, key=""):
    if isinstance(data, dict):
        for k, v in data.items():
            yield from scalars(v, k)
    elif isinstance(data, list):
        for v in data:
            yield from scalars(v, key)
    elif isinstance(data, str):
        yield key, data


def test_every_fact_of_the_sample_is_in_its_docx(repo: Path):
    import yaml
    path = make_docx(repo)
    text = " ".join(all_text(path).split())
    data = yaml.safe_load(brief_path(repo).read_text(encoding="utf-8"))
    checked = 0
    for key, value in scalars(data):
        if key in TEXT_KEYS:
            for span in (s for p in paragraphs_of(value) for s in p.spans):
                words = " ".join(span.text.split())
                assert words in text, (key, words)
                checked += 1
    assert checked > 40
    for fact in ("Joe Biden", "岸田文雄", "Friday, August 18, 2023", "Expected", "Annex A"):
        assert fact in text
    # python-docx reads it: the marking in the header and footer, the headings as heading styles
    document = python_docx.Document(str(path))
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "UNCLASSIFIED"
    assert section.footer.paragraphs[0].text == "UNCLASSIFIED"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Bottom line", "Purpose"]
    assert "Sources" in headings
    assert headings.index("Deliverables") < headings.index("Annex A: Agenda, background, quotations and sources")
    assert all(t.rows[0]._tr.xpath("./w:trPr/w:tblHeader") for t in document.tables)


def test_fields_are_tagged_controls_and_labels_are_outside(repo: Path):
    document = etree.fromstring(parts(make_docx(repo))["word/document.xml"])
    tags = document.xpath("//w:sdt/w:sdtPr/w:tag/@w:val", namespaces=NS)
    for tag in ("title", "bottom_line", "event.purpose", "objectives[1].text", "deliverables[2].summary",
                "if_raised[0].answer", "sources[0].title"):
        assert tag in tags
    label = document.xpath("//w:t[.='Recommendation: ' or .='Line: ']", namespaces=NS)[0]
    assert not label.xpath("ancestor::w:sdt", namespaces=NS)
    # a citation is a locked control that shows the source's number
    [cite] = control(document, "bottom_line").xpath(".//w:sdt[w:sdtPr/w:tag/@w:val='cite:officials-preview']",
                                                    namespaces=NS)
    assert cite.xpath("./w:sdtPr/w:lock/@w:val", namespaces=NS) == ["sdtContentLocked"]
    assert re.fullmatch(r"\[\d+\]", "".join(cite.itertext()))
    # the Japanese name carries its language
    assert document.xpath("//w:r[w:t='岸田文雄']/w:rPr/w:lang/@w:eastAsia", namespaces=NS) == ["ja"]
    properties = parts(make_docx(repo))["docProps/custom.xml"].decode()
    head = git(repo, "rev-parse", "HEAD").strip()
    assert head in properties
    assert "briefgen.content_sha256" in properties


@pytest.mark.parametrize("markdown", [
    "Plain text with **bold**, *italics*, a [link](https://example.org/a_b) and a citation [@wsj].",
    "First paragraph.\n\nSecond, with `code` and 3 \\* 4.",
    "- one\n- two",
])
def test_inline_markdown_survives_the_trip(markdown: str):
    assert canonical(markdown) == markdown
    assert canonical(canonical(markdown)) == canonical(markdown)


# --- edits, the way Word writes them ------------------------------------------------------

def tracked_replace(sdt: etree._Element, author: str, new_text: str) -> None:
    """Delete the first run of the control (tracked) and insert `new_text` before it."""
    run = sdt.find(f"{q('sdtContent')}//{q('r')}")
    for t in run.iter(q("t")):
        t.tag = q("delText")
    deletion = etree.Element(q("del"), {q("id"): "91", q("author"): author, q("date"): DATE})
    run.addprevious(deletion)
    deletion.append(run)
    insertion = etree.Element(q("ins"), {q("id"): "92", q("author"): author, q("date"): DATE})
    new_run = etree.SubElement(insertion, q("r"))
    etree.SubElement(new_run, q("t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}).text = new_text
    deletion.addprevious(insertion)


def tracked_append(sdt: etree._Element, author: str, text: str) -> None:
    last = sdt.findall(f"{q('sdtContent')}//{q('r')}")[-1]
    insertion = etree.Element(q("ins"), {q("id"): "93", q("author"): author, q("date"): DATE})
    run = etree.SubElement(insertion, q("r"))
    etree.SubElement(run, q("t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}).text = text
    last.addnext(insertion)


def comment_on(files: dict[str, bytes], body: etree._Element, tag: str, author: str, text: str) -> None:
    sdt = control(body, tag)
    runs = sdt.findall(f"{q('sdtContent')}//{q('r')}")
    runs[0].addprevious(etree.Element(q("commentRangeStart"), {q("id"): "0"}))
    runs[-1].addnext(etree.Element(q("commentRangeEnd"), {q("id"): "0"}))
    files["word/comments.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments xmlns:w="{W}">'
        f'<w:comment w:id="0" w:author="{author}" w:date="{DATE}" w:initials="X"><w:p><w:r><w:t>{text}</w:t>'
        "</w:r></w:p></w:comment></w:comments>").encode()
    files["word/_rels/document.xml.rels"] = files["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdC1" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/comments" Target="comments.xml"/></Relationships>')
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.wordprocessingml.comments+xml"/></Types>')


def edit_docx(path: Path, change) -> None:
    files = parts(path)
    document = etree.fromstring(files["word/document.xml"])
    change(files, document.find(q("body")))
    files["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8",
                                                standalone=True)
    write_parts(path, files)


def word_review(files: dict[str, bytes], body: etree._Element) -> None:
    tracked_replace(control(body, "bottom_line"), "Alice Editor",
                    "The leaders will announce a firm pledge to consult one another in any crisis that "
                    "may impact their security ")
    tracked_append(control(body, "objectives[1].text"), "Bob Legal", " See [@no-such-source].")
    comment_on(files, body, "deliverables[1].summary", "Carol Desk", "Is this confirmed by a second outlet?")
    heading = body.xpath(".//w:p[w:r/w:t='Objectives']", namespaces=NS)[0]
    heading.addnext(etree.fromstring(f'<w:p xmlns:w="{W}"><w:ins w:id="94" w:author="Dan Stray" w:date="{DATE}">'
                                     "<w:r><w:t>Please call me about this.</w:t></w:r></w:ins></w:p>"))
    gone = control(body, "sensitivities[1].guidance")
    gone.getparent().remove(gone)


def test_a_word_review_imports_into_the_yaml_with_its_comments(repo: Path):
    path = make_docx(repo)
    edit_docx(path, word_review)
    before = brief_path(repo).read_text(encoding="utf-8")
    result = run_cli("import-docx", "--root", repo, path)
    assert result.code == 1, result.err   # some edits were refused, and said so
    assert "merged `bottom_line`, edited by Alice Editor" in result.out
    after = brief_path(repo).read_text(encoding="utf-8")
    assert "a firm pledge to consult" in after
    assert "# The objectives as the officials stated them." in after    # comments stay
    changed = [line for line in git(repo, "diff", "-U0").splitlines() if line[:1] in "+-"
               and not line.startswith(("+++", "---"))]
    assert changed == [
        "-  The leaders will announce a pledge to consult one another in any crisis that",
        "-  may impact their security [@officials-preview].",
        "+  The leaders will announce a firm pledge to consult one another in any crisis",
        "+  that may impact their security [@officials-preview].",
    ], changed   # the `>-` block stays one, folded as the author folds it
    assert before != after
    err = result.err
    line = before.splitlines().index("  - text: A \"defining trilateral relationship for the 21st century.\"") + 1
    assert re.search(rf"{SAMPLE_ID}\.yaml:{line}:\d+: error: the Word edit by Bob Legal is not applied: "
                     r".*no-such-source.*\(objectives\[1\]\.text\)", err), err
    assert "text typed outside any field after `objectives[0].text`" not in err  # it precedes them
    assert "by Dan Stray, not applied: “Please call me about this.”" in err
    assert "its content control was deleted in Word" in err
    assert "(sensitivities[1].guidance)" in err
    review = (repo / "output" / f"{SAMPLE_ID}.review.md").read_text(encoding="utf-8")
    assert "- `bottom_line` (line 15), by Alice Editor" in review
    assert "**Carol Desk** (2026-12-07T10:00:00Z) on `deliverables[1].summary`: Is this confirmed" in review
    assert "  > Enhanced cooperation on ballistic missile defense." in review


def test_importing_the_same_file_twice_changes_nothing_the_second_time(repo: Path):
    path = make_docx(repo)
    edit_docx(path, lambda files, body: tracked_replace(control(body, "deliverables[0].title"), "Alice Editor",
                                                        "Pledge to consult"))
    first = run_cli("import-docx", "--root", repo, path)
    assert first.code == 0, first.err
    once = brief_path(repo).read_bytes()
    assert b"title: Pledge to consult\n" in once
    second = run_cli("import-docx", "--root", repo, path)
    assert second.code == 0, second.err
    assert "nothing to merge" in second.out
    assert brief_path(repo).read_bytes() == once


def test_a_field_changed_in_both_is_a_conflict_left_for_the_author(repo: Path):
    path = make_docx(repo)
    text = brief_path(repo).read_text(encoding="utf-8")
    brief_path(repo).write_text(text.replace("Enhanced cooperation on ballistic missile defense.",
                                             "Closer cooperation on missile defense."), encoding="utf-8")
    commit(repo, "desk edit after the Word file went out")

    def review(files, body):
        tracked_replace(control(body, "deliverables[1].summary"), "Alice Editor", "Deeper cooperation.")
        tracked_replace(control(body, "deliverables[2].summary"), "Alice Editor", "Joint exercises.")
    edit_docx(path, review)
    result = run_cli("import-docx", "--root", repo, path)
    assert result.code == 1
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "summary: Enhanced cooperation" in t)
    assert re.search(rf":{line}:\d+: error: conflict: changed in the YAML since the Word file was made, and "
                     r"in Word by Alice Editor; Word has “Deeper cooperation.”.*\(deliverables\[1\]\.summary\)",
                     result.err), result.err
    after = brief_path(repo).read_text(encoding="utf-8")
    assert "Closer cooperation on missile defense." in after
    assert "Deeper" not in after
    assert "summary: Joint exercises." in after          # the other field merges


def test_a_docx_of_another_project_or_unsafe_is_refused(repo: Path, tmp_path: Path):
    path = make_docx(repo)
    files = parts(path)
    files["docProps/custom.xml"] = files["docProps/custom.xml"].replace(SAMPLE_ID.encode(), b"../secrets")
    write_parts(path, files)
    result = run_cli("import-docx", "--root", repo, path)
    assert result.code == 2
    assert "was not made from a brief of this project" in result.err
    bomb = tmp_path / "bomb.docx"
    write_parts(bomb, {"word/document.xml": b"<a>" + b" " * (9 * 1024 * 1024) + b"</a>"})
    result = run_cli("import-docx", "--root", repo, bomb)
    assert result.code == 2
    assert "at most" in result.err


# --- audiences and LibreOffice ----------------------------------------------------------

@pytest.mark.parametrize(("brief_id", "audience"), sorted(WITHHELD))
def test_an_audience_s_docx_holds_nothing_it_may_not_see(tmp_path: Path, brief_id: str, audience: str):
    shutil.copytree(AUDIENCE_CONTENT, tmp_path / "content")
    shutil.copytree(REPO / "content" / "people", tmp_path / "content" / "people")
    result = run_cli("docx", "--root", tmp_path, "--audience", audience, tmp_path / "content" / f"{brief_id}.yaml")
    assert result.code == 0, result.err
    files = parts(tmp_path / "output" / f"{brief_id}.{audience}.docx")
    everything = b"\n".join(files.values()).decode("utf-8", "replace") + "\n".join(files)
    withheld = WITHHELD[(brief_id, audience)]
    assert not {m for m in withheld if m in everything}
    assert {m for m in MARKERS[brief_id] - withheld if m in everything} == MARKERS[brief_id] - withheld


@pytest.mark.slow   # LibreOffice in a process
def test_libreoffice_converts_every_sample_headless(tmp_path: Path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    result = run_cli("docx", "--root", tmp_path)
    assert result.code == 0, result.err
    made = sorted((tmp_path / "output").glob("*.docx"))
    assert len(made) == len(list((REPO / "content").glob("*.yaml")))
    profile = tmp_path / "lo-profile"
    done = subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), *map(str, made)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    for docx_path in made:
        reader = PdfReader(io.BytesIO((tmp_path / "pdf" / f"{docx_path.stem}.pdf").read_bytes()))
        first = reader.pages[0].extract_text()
        title = python_docx.Document(str(docx_path)).core_properties.title
        assert " ".join(title.split()[:2]) in " ".join(first.split()), docx_path
