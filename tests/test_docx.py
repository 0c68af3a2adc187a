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
from conftest import REPO, SAMPLE_ID, copy_sample, edit, run_cli, tiny_png
from lxml import etree
from pypdf import PdfReader
from test_audiences import CONTENT as AUDIENCE_CONTENT
from test_audiences import MARKERS, WITHHELD
from test_diff import commit, git

from briefgen.content.wordtext import canonical, paragraphs_of
from briefgen.render.typography import language_quotes

ENGLISH = language_quotes("en")

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


def changed_lines(root: Path) -> list[str]:
    """The lines `git diff` shows removed and added in the working tree."""
    return [line for line in git(root, "diff", "-U0").splitlines() if line[:1] in "+-"
            and not line.startswith(("+++", "---"))]


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
            for span in (s for p in paragraphs_of(value, quotes=ENGLISH) for s in p.spans):
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
    # The sample's annex holds its deliverables: the Word file follows page 1's regions.
    assert headings.index("Annex A: Agenda, deliverables, background, quotations and sources") \
        < headings.index("Deliverables")
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


def test_quotes_come_back_as_their_author_typed_them_in_the_brief_s_language():
    """French quotes (« » with narrow spaces) set in Word go back to the YAML straight; a mark
    an editor set against the rule (an apostrophe before a number) is kept as typed."""
    french = language_quotes("fr")
    value = "Il dit \"oui\" à l'accord de *\"principe\"*."
    word = canonical(value, quotes=french)
    assert word == "Il dit « oui » à l’accord de *« principe »*."   # spaces read back plain
    assert "«\u202foui\u202f»" in "".join(s.text for p in paragraphs_of(value, quotes=french) for s in p.spans)
    assert french.as_typed(word) == value
    assert french.as_typed(word + " « Non ».") == value + " \"Non\"."
    assert canonical("the '90s", quotes=ENGLISH) == "the ‘90s"
    assert ENGLISH.as_typed("the ’90s") == "the ’90s"
    assert ENGLISH.as_typed("It’s “done”", markdown_field=False) == "It's \"done\""


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


def merged_edit(root: Path, path: Path, change):
    """Edit the Word file, import it (every edit merged), and the YAML lines it changed."""
    edit_docx(path, change)
    result = run_cli("import-docx", "--root", root, path)
    assert result.code == 0, result.err
    return result, changed_lines(root)


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
    changed = changed_lines(repo)
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
    assert "- `bottom_line` (line 16), by Alice Editor" in review
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


def test_curly_quotes_in_word_come_back_as_no_edit_and_an_edit_keeps_the_straight_ones(repo: Path):
    """Word sets the fields' quotes as the page does (“ ” ‘ ’); an unchanged file imports as
    nothing, and an edited field reaches the YAML with the straight quotes its author typed."""
    path = make_docx(repo)
    text = all_text(path)
    assert "Take “our security and broader coordination to the next level in a really fundamental way,”" in text
    assert 'Take "our' not in text
    before = brief_path(repo).read_bytes()
    unchanged = run_cli("import-docx", "--root", repo, path)
    assert unchanged.code == 0, unchanged.err
    assert "nothing to merge" in unchanged.out
    assert brief_path(repo).read_bytes() == before
    assert git(repo, "status", "--porcelain", "content") == ""

    merged, changed = merged_edit(repo, path, lambda files, body: tracked_append(
        control(body, "objectives[1].text"), "Alice Editor", " It’s “settled”."))
    assert "merged `objectives[1].text`" in merged.out
    assert changed == [
        "-  - text: A \"defining trilateral relationship for the 21st century.\"",
        "+  - text: A \"defining trilateral relationship for the 21st century.\" It's \"settled\".",
    ], changed


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


@pytest.mark.parametrize("entities", ["external", "billion laughs"])
def test_a_docx_with_a_dtd_is_refused_and_no_entity_is_read(repo: Path, tmp_path: Path, entities: str):
    """An external entity (a local file) or nested entities (billion laughs) in the body:
    the file is refused for its DTD; nothing is read, expanded or written."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRETFROMDISK", encoding="utf-8")
    path = make_docx(repo)
    files = parts(path)
    document = files["word/document.xml"].decode()
    if entities == "external":
        dtd, use = f'<!DOCTYPE w:document [<!ENTITY disk SYSTEM "{secret.as_uri()}">]>', "&disk;"
    else:
        laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 9))
        dtd, use = f'<!DOCTYPE w:document [<!ENTITY l0 "LOL">{laughs}]>', "&l8;"
    document = document.replace("?>", "?>" + dtd, 1)
    document = document.replace(">The leaders will announce", f">{use}The leaders will announce", 1)
    files["word/document.xml"] = document.encode()
    write_parts(path, files)
    before = brief_path(repo).read_bytes()
    result = run_cli("import-docx", "--root", repo, path)
    assert result.code == 2
    assert "declares a DTD (<!DOCTYPE>), which Word never writes; the file is not read" in result.err
    assert "SECRETFROMDISK" not in result.out + result.err
    assert "LOLLOL" not in result.out + result.err
    assert brief_path(repo).read_bytes() == before
    assert not (repo / "output" / f"{SAMPLE_ID}.review.md").exists()


# --- locked text ---------------------------------------------------------------------------

def test_only_the_fields_can_be_edited_in_word(repo: Path):
    """Word's "Comments" protection: comments anywhere, edits only in the regions open to
    everyone, which are exactly the fields' contents; each field's control cannot be deleted."""
    files = parts(make_docx(repo))
    settings = etree.fromstring(files["word/settings.xml"])
    [protection] = settings.findall(q("documentProtection"))
    assert (protection.get(q("edit")), protection.get(q("enforcement"))) == ("comments", "1")
    assert settings.find(q("trackRevisions")) is not None
    body = etree.fromstring(files["word/document.xml"]).find(q("body"))
    fields = [sdt for sdt in body.iter(q("sdt")) if not sdt.find(f"{q('sdtPr')}/{q('tag')}").get(q("val"))
              .startswith("cite:")]
    assert len(fields) > 40
    for sdt in fields:
        content = sdt.find(q("sdtContent"))
        assert (content[0].tag, content[0].get(q("edGrp"))) == (q("permStart"), "everyone")
        assert (content[-1].tag, content[-1].get(q("id"))) == (q("permEnd"), content[0].get(q("id")))
        assert sdt.find(f"{q('sdtPr')}/{q('lock')}").get(q("val")) == "sdtLocked"
    assert len(body.findall(f".//{q('permStart')}")) == len(fields)   # nothing else is open


def untracked_label_edits(files: dict[str, bytes], body: etree._Element) -> None:
    """A reviewer who switched the protection off and Track Changes off: a label, a date and
    the header's marking retyped; and, with tracking on, a label deleted."""
    [label] = body.xpath(".//w:t[.='Line: ']", namespaces=NS)[:1]
    label.text = "Answer: "
    date = body.xpath(".//w:t[starts-with(., 'Friday, August 18')]", namespaces=NS)[0]
    date.text = date.text.replace("18", "19")
    header_name = next(n for n in files if re.fullmatch(r"word/header\d+\.xml", n))
    files[header_name] = files[header_name].replace(b"UNCLASSIFIED", b"UNCLASSIFIED//FOUO")
    line = body.xpath(".//w:r[w:t='Host: ']", namespaces=NS)[0]
    for t in line.iter(q("t")):
        t.tag = q("delText")
    deletion = etree.Element(q("del"), {q("id"): "95", q("author"): "Erin Labels", q("date"): DATE})
    line.addprevious(deletion)
    deletion.append(line)


def test_a_change_to_locked_text_is_reported_at_its_place(repo: Path):
    path = make_docx(repo)
    edit_docx(path, untracked_label_edits)
    before = brief_path(repo).read_bytes()
    result = run_cli("import-docx", "--root", repo, path)
    assert result.code == 1, result.err
    assert brief_path(repo).read_bytes() == before
    text = before.decode()
    question = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("  - question:"))
    assert re.search(rf"{SAMPLE_ID}\.yaml:{question}:\d+: error: the text outside the fields after "
                     r"`if_raised\[0\]\.question` was changed without Track Changes .*it now reads "
                     r"“Answer:” \(if_raised\[0\]\.question\)", result.err), result.err
    assert re.search(r"error: the text outside the fields after `bottom_line` was changed without Track "
                     r"Changes .*“Date: Friday, August 19, 2023", result.err), result.err
    assert re.search(r"error: the page header was changed without Track Changes .*UNCLASSIFIED//FOUO",
                     result.err), result.err
    assert re.search(r"error: text deleted outside any field after `event\.location` by Erin Labels, "
                     r"not applied: “Host:”", result.err), result.err
    assert result.err.count("was changed without Track Changes") == 3, result.err


# --- images ------------------------------------------------------------------------------------

def test_an_image_is_a_picture_with_its_description_as_alt_text(repo: Path):
    (repo / "content" / "assets").mkdir()
    (repo / "content" / "assets" / "map.png").write_bytes(tiny_png())
    edit(brief_path(repo), "joint-exercises\n", "joint-exercises\n")
    text = brief_path(repo).read_text(encoding="utf-8")
    start = text.index("bottom_line: >-\n")
    end = text.index("\n\n", start)
    brief_path(repo).write_text(text[:start] + "bottom_line: >-\n  The leaders meet at the retreat, "
                                "![the map of the region](assets/map.png) here." + text[end:], encoding="utf-8")
    commit(repo, "a map")
    path = make_docx(repo)
    files = parts(path)
    body = etree.fromstring(files["word/document.xml"])
    [picture] = control(body, "bottom_line").xpath(".//w:drawing//wp:docPr", namespaces={
        **NS, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"})
    assert picture.get("descr") == "the map of the region"
    assert "[image:" not in all_text(path)
    # the picture itself, in word/media, related to the body by the id its blip embeds
    [embed] = picture.getparent().xpath(".//*[local-name()='blip']/@*[local-name()='embed']")
    [target] = etree.fromstring(files["word/_rels/document.xml.rels"]).xpath(f"//*[@Id='{embed}']/@Target")
    assert files["word/" + target] == tiny_png()
    untouched = run_cli("import-docx", "--root", repo, path)
    assert untouched.code == 0, untouched.err
    assert "nothing to merge" in untouched.out
    # the alt text edited in Word (its Alt Text pane) comes back as the image's description
    edit_docx(path, lambda files, body: control(body, "bottom_line").xpath(
        ".//*[local-name()='docPr']")[0].set("descr", "a map of Camp David"))
    result = run_cli("import-docx", "--root", repo, path)
    assert result.code == 0, result.err
    assert "![a map of Camp David](assets/map.png) here." in " ".join(brief_path(repo).read_text().split())


# --- a YAML that already fails validation ------------------------------------------------------

def test_an_unrelated_validation_error_blocks_no_edit_and_is_reported_once(repo: Path):
    path = make_docx(repo)
    edit(brief_path(repo), "status: expected", "status: rumoured")   # the author's own slip
    edit_docx(path, lambda files, body: (
        tracked_replace(control(body, "deliverables[1].summary"), "Alice Editor", "Deeper cooperation."),
        tracked_append(control(body, "objectives[1].text"), "Bob Legal", " See [@no-such-source].")))
    result = run_cli("import-docx", "--root", repo, path)
    assert result.code == 1
    assert "merged `deliverables[1].summary`, edited by Alice Editor" in result.out
    after = brief_path(repo).read_text(encoding="utf-8")
    assert "summary: Deeper cooperation." in after
    assert "status: rumoured" in after
    assert re.search(r"error: the Word edit by Bob Legal is not applied: .*no-such-source", result.err)
    assert "rumoured" not in result.err.split("already failed validation")[0], result.err
    assert result.err.count("already failed validation before the import") == 1
    assert result.err.count("(deliverables[0].status)") == 1, result.err
    review = (repo / "output" / f"{SAMPLE_ID}.review.md").read_text(encoding="utf-8")
    assert "### Already failing validation before the import" in review


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
    # what the file records (the fields, the digests of the locked text) names only its own controls
    document = etree.fromstring(files["word/document.xml"])
    controls = set(document.xpath("//w:sdt/w:sdtPr/w:tag/@w:val", namespaces=NS))
    properties = etree.fromstring(files["docProps/custom.xml"])
    recorded = {p.get("name"): "".join(p.itertext()) for p in properties}
    assert set(recorded["briefgen.fields"].split(",")) <= controls
    locked = {item.split("=")[0] for item in recorded["briefgen.locked"].split(";")}
    assert {key for key in locked if key and not key.startswith("@")} <= controls
    assert recorded["briefgen.audience"] == audience


def test_an_edit_in_an_audience_s_docx_lands_in_the_full_brief(tmp_path: Path):
    root = tmp_path / "briefs"
    shutil.copytree(AUDIENCE_CONTENT, root / "content")
    shutil.copytree(REPO / "content" / "people", root / "content" / "people")
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    commit(root, "briefs")
    result = run_cli("docx", "--root", root, "--audience", "partner", root / "content" / "ally-talks.yaml")
    assert result.code == 0, result.err
    path = root / "output" / "ally-talks.partner.docx"
    # the partner's file holds Blinken's note (the full brief's participants[2]) but not Kishida's
    imported, changed = merged_edit(root, path, lambda files, body: tracked_replace(
        control(body, "participants[2].note"), "Japan Desk", "Leads the afternoon working session"))
    assert "merged `participants[2].note`, edited by Japan Desk" in imported.out
    assert changed == ["-    note: Leads the working session", "+    note: Leads the afternoon working session"]
    assert "QUOKKAVEIL" in (root / "content" / "ally-talks.yaml").read_text(encoding="utf-8")


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
