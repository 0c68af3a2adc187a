"""Several tagged PDFs joined into one tagged PDF: a briefing book from its parts.

Copying pages from one PDF into another keeps what is drawn but drops what makes a PDF
accessible: the structure tree lives in the catalog, not on the pages. Here each part's
structure tree is carried over whole and hung under the book's Document element as a
Part, in the pages' order, so the book reads like its parts read alone:

- The structure elements keep pointing at their pages, because pages and tree are copied
  through one object map (pikepdf's `copy_foreign` remembers what it copied).
- Each part numbers its pages' and links' entries in the parent tree from 0; in the book
  a part's numbers are moved past those of the parts before it.
- Links that name a destination (`#participants`) are made explicit, to the page in the
  book, since a book has no single name table of its parts'; the links the book adds (its
  contents) point where the book says.

Then the book's own furniture: the outline (book → part → section), page labels, a
footer line on every page painted as a pagination artifact (screen readers skip what
repeats on every page; each part's marking is read once, where the part starts), and the
metadata PDF/UA asks for. The result is saved deterministically.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem

from briefgen.render.pdf import IDENTITY_KEYS

FOOTER_ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq\n%s Do\nQ\nEMC\n"


@dataclass(frozen=True)
class JoinPart:
    """A tagged PDF to put in the book, and the outline entry above its own outline (None:
    its own outline entries stand at the top level)."""

    pdf: bytes
    title: str | None = None


@dataclass(frozen=True)
class BookInfo:
    """What the book's metadata says."""

    title: str
    author: str
    subject: str
    lang: str


Footer = Callable[[list[tuple[float, float]]], bytes]


def join_tagged(parts: Sequence[JoinPart], info: BookInfo, *, footer: Footer | None = None,
                destinations: Mapping[str, int] | None = None) -> bytes:
    """The parts as one tagged PDF/UA-1 document. `footer`, given the size of every book
    page (points), makes a PDF with one page per book page, drawn over it as an artifact;
    `destinations` points links with these names at these 0-based book pages."""
    book = pikepdf.new()
    document = _new_structure(book)
    next_key = 0
    sources = [pikepdf.open(io.BytesIO(part.pdf)) for part in parts]
    try:
        copied: list[list[Any]] = []
        for source in sources:
            first = len(book.pages)
            with warnings.catch_warnings():
                # Its named destinations are not carried: links are made explicit below.
                warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
                book.pages.extend(source.pages)
            copied.append([book.pages[n].obj for n in range(first, len(book.pages))])
            next_key = _adopt_structure(book, source, document, copied[-1], next_key)
        with book.open_outline() as outline:
            first = 0
            for part, source, pages in zip(parts, sources, copied, strict=True):
                _make_links_explicit(book, source, pages, destinations or {})
                outline.root.extend(_part_outline(source, part.title, first))
                first += len(pages)
        _finish(book, document, next_key, info, sources[0])
        _carry_identities(book, sources)
        if footer is not None:
            _draw_footer(book, footer([_size(page) for page in book.pages]))
        out = io.BytesIO()
        book.save(out, deterministic_id=True, fix_metadata_version=False)
    finally:
        for source in sources:
            source.close()
    return out.getvalue()


def page_count(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def top_outline_pages(pdf: bytes) -> tuple[list[int], int]:
    """The 1-based page of each top-level outline entry, and the number of pages."""
    with pikepdf.open(io.BytesIO(pdf)) as document, document.open_outline() as outline:
        starts = [(_destination_page(document, entry.destination) or 0) + 1 for entry in outline.root]
        return starts, len(document.pages)


def _size(page: pikepdf.Page) -> tuple[float, float]:
    """Width and height in points."""
    box = page.mediabox
    return float(box[2] - box[0]), float(box[3] - box[1])


# --- the structure tree ----------------------------------------------------------------------

def _new_structure(book: pikepdf.Pdf) -> Any:
    root = book.make_indirect(Dictionary(Type=Name.StructTreeRoot, ParentTree=Dictionary(Nums=Array())))
    document = book.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
    root.K = document
    book.Root.StructTreeRoot = root
    return document


def _adopt_structure(book: pikepdf.Pdf, source: pikepdf.Pdf, document: Any, pages: list[Any],
                     key_offset: int) -> int:
    """Copy the part's structure tree under the book's Document element as a Part, with its
    parent-tree keys moved past `key_offset`; the next free key."""
    tree = source.Root.get("/StructTreeRoot")
    if tree is None:
        raise ValueError("a part of the book is not tagged")
    copied = book.copy_foreign(tree)
    for kid in _kids(copied):
        if kid.get("/S") == Name.Document:
            kid.S = Name.Part
        kid.P = document
        document.K.append(kid)
    own = list(_number_tree(copied.get("/ParentTree")))
    nums = book.Root.StructTreeRoot.ParentTree.Nums
    for key, value in own:
        nums.extend(Array([key + key_offset, value]))
    for page in pages:
        if "/StructParents" in page:
            page.StructParents = int(page.StructParents) + key_offset
        for annotation in page.get("/Annots") or []:
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + key_offset
    for name in ("/RoleMap", "/ClassMap"):
        if name in copied:
            merged = book.Root.StructTreeRoot.get(name) or Dictionary()
            for role, value in copied[name].items():
                merged[role] = value
            book.Root.StructTreeRoot[name] = merged
    past_last = max((key for key, _ in own), default=-1) + 1
    return key_offset + max(int(copied.get("/ParentTreeNextKey", 0)), past_last)


def _number_tree(node: Any) -> Iterator[tuple[int, Any]]:
    """Every (key, value) of a number tree, flat or with kids, in key order."""
    if node is None:
        return
    nums = node.get("/Nums")
    if nums is not None:
        for index in range(0, len(nums), 2):
            yield int(nums[index]), nums[index + 1]
    for kid in node.get("/Kids") or []:
        yield from _number_tree(kid)


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


# --- links and the outline --------------------------------------------------------------------

def _named_destinations(source: pikepdf.Pdf) -> Mapping[str, Any]:
    names = source.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    return pikepdf.NameTree(names.Dests)


def _make_links_explicit(book: pikepdf.Pdf, source: pikepdf.Pdf, pages: list[Any],
                         destinations: Mapping[str, int]) -> None:
    """Links to named destinations point at the book's pages (a given name at the page the
    book says; any other at its place in this part)."""
    named = _named_destinations(source)
    for page in pages:
        for annotation in page.get("/Annots") or []:
            target = annotation.get("/Dest")
            if not isinstance(target, pikepdf.String | Name):
                continue
            name = str(target).lstrip("/")
            if name in destinations:
                annotation.Dest = Array([book.pages[destinations[name]].obj, Name.XYZ, None, None, None])
            elif name in named:
                annotation.Dest = book.copy_foreign(named[name])


def _part_outline(source: pikepdf.Pdf, title: str | None, first_page: int) -> list[OutlineItem]:
    """The part's own outline, moved to its pages in the book; under one entry when the part
    has a title (a brief's outline is its title with its sections below: the sections go
    under the entry)."""
    with source.open_outline() as own:
        entries = list(own.root)
        if title is not None and len(entries) == 1:
            entries = list(entries[0].children)
        copied = [item for entry in entries for item in _copy_item(source, entry, first_page)]
    if title is None:
        return copied
    top = OutlineItem(title, first_page)
    top.children.extend(copied)
    return [top]


def _copy_item(source: pikepdf.Pdf, entry: OutlineItem, first_page: int) -> list[OutlineItem]:
    page = _destination_page(source, entry.destination)
    if page is None:
        return []
    item = OutlineItem(entry.title, first_page + page)
    for child in entry.children:
        item.children.extend(_copy_item(source, child, first_page))
    return [item]


def _destination_page(source: pikepdf.Pdf, destination: Any) -> int | None:
    """The 0-based page a destination (an array, or a name in the part's table) points at."""
    if isinstance(destination, pikepdf.String | Name):
        destination = _named_destinations(source).get(str(destination).lstrip("/"))
    if not isinstance(destination, Array) or len(destination) == 0:
        return None
    target = destination[0]
    for number, page in enumerate(source.pages):
        if page.obj.objgen == target.objgen:
            return number
    return None


# --- the book's own furniture ----------------------------------------------------------------

def _finish(book: pikepdf.Pdf, document: Any, next_key: int, info: BookInfo, front: pikepdf.Pdf) -> None:
    """Catalog and metadata: tagged, PDF/UA-1 claimed, the title shown, the language said,
    the outline open, pages labelled 1..N."""
    root = book.Root
    root.StructTreeRoot.ParentTreeNextKey = next_key
    root.MarkInfo = Dictionary(Marked=True)
    root.Lang = pikepdf.String(info.lang)
    root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    root.PageMode = Name.UseOutlines
    root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.D)]))
    document.Lang = pikepdf.String(info.lang)
    # WeasyPrint's PDF/UA-1 metadata of the first part (the cover), which is the book's.
    root.Metadata = book.copy_foreign(front.Root.Metadata)
    with book.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = info.title
        meta["dc:creator"] = [info.author]
        meta["dc:description"] = info.subject
        meta["pdf:Producer"] = "briefgen with WeasyPrint and pikepdf"
        meta["xmp:CreatorTool"] = "briefgen"
    fields = Array()
    for page in book.pages:
        if "/Annots" in page.obj:
            page.obj.Tabs = Name.S
            fields.extend(a for a in page.obj.Annots if a.get("/Subtype") == Name.Widget)
    if len(fields):             # the briefs' decision boxes stay form fields in the book
        root.AcroForm = book.make_indirect(Dictionary(Fields=fields, NeedAppearances=False))


BRIEFS_KEY = "/BriefgenBriefs"


def _carry_identities(book: pikepdf.Pdf, sources: list[pikepdf.Pdf]) -> None:
    """The id and content fingerprint of each brief in the book (each brief's PDF says its
    own in `/BriefgenBrief` and `/BriefgenContent`: pdf.IDENTITY_KEYS), as one document information entry
    BRIEFS_KEY, 'id content id content...': `briefgen decisions` reads a book's boxes
    back into each brief by it."""
    keys = list(IDENTITY_KEYS.values())
    found = [" ".join(str(source.docinfo[key]) for key in keys)
             for source in sources if all(key in source.docinfo for key in keys)]
    if found:
        book.docinfo[BRIEFS_KEY] = pikepdf.String(" ".join(found))


def _draw_footer(book: pikepdf.Pdf, footer: bytes) -> None:
    """Each footer page drawn over its book page, inside a pagination artifact."""
    with pikepdf.open(io.BytesIO(footer)) as lines:
        if len(lines.pages) != len(book.pages):
            raise ValueError(f"{len(lines.pages)} footer pages for {len(book.pages)} book pages")
        for page, line in zip(book.pages, lines.pages, strict=True):
            form = book.copy_foreign(line.as_form_xobject())
            name = page.add_resource(form, Name.XObject, prefix="Footer")
            page.contents_add(book.make_stream(b"q\n"), prepend=True)
            page.contents_add(book.make_stream(b"Q\n" + FOOTER_ARTIFACT % str(name).encode()))
