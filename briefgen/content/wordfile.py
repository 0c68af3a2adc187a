"""Reading an edited Word file back: each field's text, its tracked changes, comments, strays.

A .docx is a zip of XML parts. Only the parts needed are read (the body, its links, the
comments, the custom properties), each capped in size before it is decompressed, and parsed
with entities, DTDs and the network switched off: a file sent back by a reviewer is as
untrusted as a pull request. For each content control `briefgen docx` wrote (its tag is the
field's key path), the text is read as the editor left it: tracked insertions (`w:ins`) in,
tracked deletions (`w:del`) out, each attributed to its author. Text found outside every
control, tracked or not, and controls that are gone are reported, never applied.

The text outside the controls (labels, dates, names from person files, portion marks, the
marking in the header and footer) is computed, and locked in Word. In case an editor unlocks it,
the file records a digest of each stretch of it (`locked_digests`), named by the control before
it; an import compares them, so an untracked change to a label is reported at its place.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from briefgen.content.files import TooBig, UnsafeFile, read_regular_file
from briefgen.content.wordtext import Paragraph, Span, markdown_of

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PROPERTY_PREFIX = "briefgen."
MAX_DOCX_BYTES = 20 * 1024 * 1024
MAX_PART_BYTES = 8 * 1024 * 1024        # decompressed, per part read
PARTS = {"document": "word/document.xml", "links": "word/_rels/document.xml.rels",
         "comments": "word/comments.xml", "properties": "docProps/custom.xml"}
# The page headers and footers (the marking): read only to compare with what was written.
_PAGE_PART = re.compile(r"word/(header|footer)\d{1,2}\.xml")
MAX_PAGE_PARTS = 6
_TAG = re.compile(r"[a-z_]+(?:\[\d+\]|\.[a-z_]+)*")
_W = f"{{{W_NS}}}"


def w(name: str) -> str:
    return _W + name


class WordFileError(UnsafeFile):
    """A file that is not a Word file briefgen can read (not a zip, too big, broken XML)."""


@dataclass
class WordField:
    """One control's text as the editor left it, and who changed it."""

    tag: str
    paragraphs: list[Paragraph]
    inserted_by: set[str] = field(default_factory=set)
    deleted_by: set[str] = field(default_factory=set)
    untracked: bool = False   # text differs, but no tracked change says who did it

    def text(self, *, markdown_field: bool = True) -> str:
        return markdown_of(self.paragraphs, markdown_field=markdown_field)

    @property
    def authors(self) -> list[str]:
        return sorted(self.inserted_by | self.deleted_by)


@dataclass(frozen=True)
class WordComment:
    author: str
    date: str
    text: str
    anchor: str          # the text it is attached to
    tag: str             # the key path of the control it sits in ('' outside every control)


@dataclass(frozen=True)
class StrayText:
    """Text outside every control: typed (or deleted) by an editor with Track Changes on."""

    text: str
    author: str
    after: str           # the key path of the control before it ('' at the start)
    deleted: bool = False


@dataclass(frozen=True)
class ChangedLockedText:
    """A stretch of computed text changed without Track Changes (its digest differs)."""

    after: str           # the control before it ('' at the start), or the header or footer part
    now: str             # how it reads now
    page_part: bool = False


@dataclass
class WordFile:
    properties: dict[str, str]
    fields: dict[str, WordField]
    comments: list[WordComment]
    strays: list[StrayText]
    locked: dict[str, str] = field(default_factory=dict)   # each stretch of locked text, as it reads

    def recorded(self, name: str) -> str:
        return self.properties.get(PROPERTY_PREFIX + name, "")

    @property
    def expected_tags(self) -> list[str]:
        return [t for t in self.recorded("fields").split(",") if t]

    @property
    def plain_tags(self) -> set[str]:
        return {t for t in self.recorded("plain_fields").split(",") if t}

    @property
    def missing_tags(self) -> list[str]:
        """Controls the file was made with that are no longer in it."""
        return [t for t in self.expected_tags if t not in self.fields]

    @property
    def changed_locked_text(self) -> list[ChangedLockedText]:
        """The stretches of locked text whose digest is not the one recorded. A stretch beside a
        deleted control is skipped (it has run into the next one; the deletion is reported)."""
        recorded = [tuple(item.split("=", 1)) for item in self.recorded("locked").split(";") if "=" in item]
        found = []
        for index, (key, digest) in enumerate(recorded):
            following = recorded[index + 1][0] if index + 1 < len(recorded) else None
            if key not in self.locked or (following is not None and following not in self.locked):
                continue
            if _digest(self.locked[key]) != digest:
                found.append(ChangedLockedText(key.removeprefix("@"), self.locked[key], key.startswith("@")))
        return found


def read_word_file(path: Path) -> WordFile:
    """Read an edited .docx. Raises WordFileError when it cannot be read safely."""
    try:
        raw = read_regular_file(path, MAX_DOCX_BYTES)
    except TooBig as exc:
        raise WordFileError(f"{path}: {exc}") from None
    return parse_word_file(raw, str(path))


def parse_word_file(raw: bytes, shown: str) -> WordFile:
    parts = _parts(raw, shown)
    if "document" not in parts:
        raise WordFileError(f"{shown}: not a Word document (it has no word/document.xml)")
    document = _xml(parts["document"], shown)
    links = _links(_xml(parts["links"], shown)) if "links" in parts else {}
    body = document.find(w("body"))
    if body is None:
        raise WordFileError(f"{shown}: the Word document has no body")
    reader = _BodyReader(links)
    reader.read(body)
    comments = _comments(_xml(parts["comments"], shown), body, reader) if "comments" in parts else []
    properties = _properties(_xml(parts["properties"], shown)) if "properties" in parts else {}
    pages = {name: _xml(data, shown) for name, data in parts.items() if _PAGE_PART.fullmatch(name)}
    return WordFile(properties, reader.fields, comments, reader.strays, locked_text(body, pages))


def locked_text(body: etree._Element, pages: dict[str, etree._Element]) -> dict[str, str]:
    """The text outside every field control, stretch by stretch, with tracked changes rejected
    (as it was before any tracked edit): named by the control before it ('' at the start), and
    `@<part>` for each page header and footer."""
    stretches: dict[str, list[str]] = {"": []}
    current = ""
    for element in body.iter(w("sdt"), w("t"), w("delText")):
        if element.tag == w("sdt"):
            tag = _tag_of(element)
            if _TAG.fullmatch(tag) and _field_ancestor(element) is None:
                current = tag
                stretches.setdefault(current, [])
            continue
        if _field_ancestor(element) is None and not _inserted(element):
            stretches[current].append(element.text or "")
    found = {key: "".join(texts) for key, texts in stretches.items()}
    for name, root in sorted(pages.items()):
        found["@" + name] = "".join(t.text or "" for t in root.iter(w("t"), w("delText")) if not _inserted(t))
    return found


def locked_digests(text: dict[str, str]) -> str:
    """`key=digest;...` in document order: what the file records of its locked text."""
    return ";".join(f"{key}={_digest(value)}" for key, value in text.items())


def _digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def _field_ancestor(element: etree._Element) -> str | None:
    for ancestor in element.iterancestors(w("sdt")):
        tag = _tag_of(ancestor)
        if _TAG.fullmatch(tag):
            return tag
    return None


def _inserted(element: etree._Element) -> bool:
    return any(True for _ in element.iterancestors(w("ins"), w("moveTo")))


def _parts(raw: bytes, shown: str) -> dict[str, bytes]:
    """The parts we read, each decompressed only after its declared size is checked, and
    read no further than the cap whatever the zip claims. Keyed by PARTS' names, and a page
    header or footer by its own name."""
    found: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = set(archive.namelist())
            pages = sorted(n for n in names if _PAGE_PART.fullmatch(n))[:MAX_PAGE_PARTS]
            wanted: Iterable[tuple[str, str]] = [*PARTS.items(), *((n, n) for n in pages)]
            for key, name in wanted:
                if name not in names:
                    continue
                info = archive.getinfo(name)
                if info.file_size > MAX_PART_BYTES:
                    raise WordFileError(f"{shown}: its part {name} is {info.file_size:,} bytes "
                                        f"unpacked; at most {MAX_PART_BYTES:,} are read")
                with archive.open(info) as member:
                    data = member.read(MAX_PART_BYTES + 1)
                if len(data) > MAX_PART_BYTES:
                    raise WordFileError(f"{shown}: its part {name} unpacks to more than "
                                        f"{MAX_PART_BYTES:,} bytes")
                found[key] = data
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise WordFileError(f"{shown}: not a Word file (.docx is a zip archive): {exc}") from None
    return found


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)


def _xml(data: bytes, shown: str) -> etree._Element:
    """A part parsed without its DTD, entities or the network; a part that declares a DTD
    (Word never writes one: it is how entity tricks begin) is refused outright."""
    if b"<!DOCTYPE" in data:
        raise WordFileError(f"{shown}: a part of the Word file declares a DTD (<!DOCTYPE>), which Word "
                            "never writes; the file is not read")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise WordFileError(f"{shown}: a part of the Word file is not well-formed XML: {exc}") from None


def _links(rels: etree._Element) -> dict[str, str]:
    return {r.get("Id", ""): r.get("Target", "") for r in rels if r.get("TargetMode") == "External"}


def _properties(root: etree._Element) -> dict[str, str]:
    found = {}
    for prop in root:
        name = prop.get("name") or ""
        if name.startswith(PROPERTY_PREFIX):
            found[name] = "".join(prop.itertext())
    return found


def _tag_of(sdt: etree._Element) -> str:
    tag = sdt.find(f"{w('sdtPr')}/{w('tag')}")
    return (tag.get(w("val")) or "") if tag is not None else ""


class _BodyReader:
    """Walks the body in document order, collecting each field's paragraphs and the strays."""

    def __init__(self, links: dict[str, str]):
        self.links = links
        self.fields: dict[str, WordField] = {}
        self.strays: list[StrayText] = []
        self.last_tag = ""

    def read(self, body: etree._Element) -> None:
        for paragraph in body.iter(w("p")):
            if self._field_of(paragraph) is None:
                self._stray_paragraph(paragraph)
        for sdt in body.iter(w("sdt")):
            tag = _tag_of(sdt)
            if _TAG.fullmatch(tag) and tag not in self.fields:
                self.fields[tag] = self._field(tag, sdt)

    def _field_of(self, element: etree._Element) -> str | None:
        return _field_ancestor(element)

    def _stray_paragraph(self, paragraph: etree._Element) -> None:
        """Tracked insertions and deletions in a paragraph outside every control (inside one
        they are the field's)."""
        for child in paragraph.iter(w("ins"), w("del"), w("sdt")):
            if child.tag == w("sdt"):
                tag = _tag_of(child)
                if _TAG.fullmatch(tag):
                    self.last_tag = tag
                continue
            if self._field_of(child) is not None:
                continue
            deleted = child.tag == w("del")
            text = "".join(t.text or "" for t in child.iter(w("delText") if deleted else w("t")))
            if text.strip():
                self.strays.append(StrayText(text, child.get(w("author")) or "unknown", self.last_tag, deleted))

    def _field(self, tag: str, sdt: etree._Element) -> WordField:
        found = WordField(tag, [])
        content = sdt.find(w("sdtContent"))
        if content is None:
            return found
        paragraphs = [p for p in content if p.tag == w("p")]
        if paragraphs:  # a control around paragraphs
            for paragraph in paragraphs:
                style = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
                bullet = style is not None and "List" in (style.get(w("val")) or "")
                found.paragraphs.append(Paragraph(tuple(self._spans(paragraph, found)), "ul" if bullet else ""))
        else:
            found.paragraphs.append(Paragraph(tuple(self._spans(content, found))))
        return found

    def _spans(self, container: etree._Element, found: WordField) -> list[Span]:
        spans: list[Span] = []
        for element in container.iter(w("r"), w("sdt"), w("del"), w("ins")):
            if element.tag == w("ins"):
                found.inserted_by.add(element.get(w("author")) or "unknown")
                continue
            if element.tag == w("del"):
                found.deleted_by.add(element.get(w("author")) or "unknown")
                continue
            if element.tag == w("sdt"):
                source = _tag_of(element)
                if source.startswith("cite:") and not _deleted(element, container):
                    spans.append(Span("", cite=source.removeprefix("cite:")))
                continue
            if _deleted(element, container) or _in_citation(element, container):
                continue
            spans.append(self._run(element, container))
        return spans

    def _run(self, run: etree._Element, container: etree._Element) -> Span:
        text = []
        for child in run:
            if child.tag == w("t"):
                text.append(child.text or "")
            elif child.tag in (w("tab"), w("br"), w("cr")):
                text.append(" ")
        picture = run.find(f"{w('drawing')}//{{{WP_NS}}}docPr")
        if picture is not None:   # an image: its description, and the path `briefgen docx` gave it
            return Span(picture.get("descr") or "", image=picture.get("name") or "")
        props = run.find(w("rPr"))
        bold = props is not None and _on(props.find(w("b")))
        italic = props is not None and _on(props.find(w("i")))
        link = None
        for ancestor in run.iterancestors(w("hyperlink")):
            link = self.links.get(ancestor.get(f"{{{R_NS}}}id") or "")
            break
        return Span("".join(text), bold=bold, italic=italic, link=link)


def _on(toggle: etree._Element | None) -> bool:
    return toggle is not None and (toggle.get(w("val")) or "true") not in ("0", "false", "off")


def _deleted(element: etree._Element, container: etree._Element) -> bool:
    """Inside a tracked deletion (below `container`)."""
    for ancestor in element.iterancestors():
        if ancestor is container:
            return False
        if ancestor.tag in (w("del"), w("moveFrom")):
            return True
    return False


def _in_citation(element: etree._Element, container: etree._Element) -> bool:
    for ancestor in element.iterancestors(w("sdt")):
        if ancestor is container:
            return False
        if _tag_of(ancestor).startswith("cite:"):
            return True
    return False


def _comments(root: etree._Element, body: etree._Element, reader: _BodyReader) -> list[WordComment]:
    """Each comment with the text it anchors and the control that text sits in."""
    anchors: dict[str, list[str]] = {}
    tags: dict[str, str] = {}
    open_ids: list[str] = []
    for element in body.iter(w("commentRangeStart"), w("commentRangeEnd"), w("t"), w("commentReference")):
        comment_id = element.get(w("id")) or ""
        if element.tag == w("commentRangeStart"):
            open_ids.append(comment_id)
            anchors[comment_id] = []
            tags[comment_id] = reader._field_of(element) or ""
        elif element.tag == w("commentRangeEnd"):
            if comment_id in open_ids:
                open_ids.remove(comment_id)
        elif element.tag == w("commentReference"):
            tags.setdefault(comment_id, reader._field_of(element) or "")
        elif not _deleted(element, body):
            for open_id in open_ids:
                anchors[open_id].append(element.text or "")
    found = []
    for comment in root.iter(w("comment")):
        comment_id = comment.get(w("id")) or ""
        text = "\n".join("".join(t.text or "" for t in p.iter(w("t"))) for p in comment.iter(w("p")))
        found.append(WordComment(comment.get(w("author")) or "unknown", comment.get(w("date")) or "",
                                 text.strip(), "".join(anchors.get(comment_id, [])).strip(),
                                 tags.get(comment_id, "")))
    return found
