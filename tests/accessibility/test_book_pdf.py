"""The briefing book is tagged and accessible like the briefs: checked by page-validation's
PDF/UA-1 profile and pdfua, and its joined structure tree read back with pikepdf: one
Document, one Part per part of the book in page order, each brief's Part holding the
brief's own tags (and its tab's paragraph), the parent tree consistent with every page, the footer an artifact."""

from __future__ import annotations

import difflib
import itertools
from pathlib import Path

import pikepdf
import pytest
from conftest import BOOK, BOOK_BRIEFS

from accessibility.checkers import assert_catalog_claims_pdf_ua, assert_page_conforms, assert_pdfua_finds_nothing


@pytest.fixture(scope="module")
def book_pdf(built_trip: Path) -> Path:
    return built_trip / "output" / f"{BOOK}.pdf"


def test_book_passes_page_validation_pdf_ua_1(book_pdf: Path):
    assert_page_conforms(book_pdf, "ua1")


def test_book_passes_pdfua_second_opinion(book_pdf: Path):
    assert_pdfua_finds_nothing(book_pdf)


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _elements(element):
    """Every structure element under `element`, in reading order."""
    for kid in _kids(element):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") not in (pikepdf.Name.MCR, pikepdf.Name.OBJR) \
                and "/S" in kid:
            yield kid
            yield from _elements(kid)


def _pages_of(element, pages: dict) -> list[int]:
    """The 0-based pages the marked content under `element` is on."""
    found = []
    page = element.get("/Pg")
    for kid in _kids(element):
        if isinstance(kid, int) and page is not None:
            found.append(pages[page.objgen])
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found += _pages_of(kid, pages)
    return found


def _headings(element) -> list:
    return [e for e in _elements(element) if str(e.S) in ("/H1", "/H2")]


def test_one_document_with_a_part_per_part_of_the_book_in_page_order(book_pdf: Path, built_trip: Path):
    with pikepdf.open(book_pdf) as pdf:
        pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        document = pdf.Root.StructTreeRoot.K
        assert isinstance(document, pikepdf.Dictionary)
        assert document.S == "/Document"
        parts = _kids(document)
        assert [str(part.S) for part in parts] == ["/Part"] * (3 + len(BOOK_BRIEFS))
        spans = [sorted(set(_pages_of(part, pages))) for part in parts]
        assert all(spans), "every part has content in the tree"
        for before, after in itertools.pairwise(spans):
            assert before[-1] < after[0], spans     # parts follow each other, pages never shared
        assert spans[-1][-1] == len(pdf.pages) - 1
        # each brief's Part is the brief's own tree, whose first heading is its title, with
        # one paragraph more in its masthead: its tab
        for part, brief in zip(parts[2:-1], BOOK_BRIEFS, strict=True):
            with pikepdf.open(built_trip / "output" / f"{brief}.pdf") as alone:
                own = _kids(alone.Root.StructTreeRoot)[0]
                in_book, as_alone = [str(e.S) for e in _elements(part)], [str(e.S) for e in _elements(own)]
                [(tag, start, end)] = [(tag, j1, j2) for tag, _, _, j1, j2 in
                                       difflib.SequenceMatcher(None, as_alone, in_book).get_opcodes() if tag != "equal"]
                assert tag == "insert"
                assert in_book[start] == "/P"
                assert start < 10, in_book[:12]
                assert set(in_book[start + 1:end]) <= {"/Span"}
                assert len(_headings(part)) == len(_headings(own)) > 0


def test_parent_tree_agrees_with_every_page_and_link(book_pdf: Path):
    with pikepdf.open(book_pdf) as pdf:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert len(keys) == len(set(keys)), "a parent-tree key used twice"
        assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) > max(keys)
        entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        links = 0
        for page in pdf.pages:
            marked = entries[int(page.obj.StructParents)]
            own = [e for e in marked if isinstance(e, pikepdf.Dictionary)]
            assert own, f"page {page.index + 1} has no tagged content"
            assert all(e.Pg.objgen == page.obj.objgen for e in own if "/Pg" in e)
            for annotation in page.obj.get("/Annots") or []:
                element = entries[int(annotation.StructParent)]
                assert element.S == "/Link"
                assert any(kid.get("/Obj") is not None and kid.Obj.objgen == annotation.objgen
                           for kid in _kids(element) if isinstance(kid, pikepdf.Dictionary))
                links += 1
        assert links >= 4          # the contents' links at least


def test_the_contents_links_point_at_the_book_pages(book_pdf: Path):
    with pikepdf.open(book_pdf) as pdf:
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots") or []:
                if annotation.get("/Subtype") == pikepdf.Name.Link and "/Dest" in annotation:
                    destination = annotation.Dest
                    assert isinstance(destination, pikepdf.Array), "a named destination the book does not have"
                    assert destination[0].objgen in {p.obj.objgen for p in pdf.pages}


def test_book_metadata_claims_pdf_ua_with_its_title_and_language(book_pdf: Path):
    assert_catalog_claims_pdf_ua(book_pdf, "G7 Summit, Hiroshima")


def test_native_names_in_the_biographies_carry_their_language(book_pdf: Path):
    with pikepdf.open(book_pdf) as pdf:
        biographies = _kids(pdf.Root.StructTreeRoot.K)[-1]
        languages = {str(e.Lang) for e in _elements(biographies) if "/Lang" in e}
        assert {"ja", "ko"} <= languages


def test_the_footer_is_a_pagination_artifact_on_every_page(book_pdf: Path):
    with pikepdf.open(book_pdf) as pdf:
        for page in pdf.pages:
            operators = pikepdf.parse_content_stream(page)
            artifact = [n for n, (operands, op) in enumerate(operators)
                        if str(op) == "BDC" and operands[0] == pikepdf.Name.Artifact
                        and operands[1].get("/Type") == pikepdf.Name.Pagination]
            assert artifact, f"page {page.index + 1}: no footer artifact"
            drawn = [str(operands[0]) for operands, op in operators[artifact[-1]:] if str(op) == "Do"]
            assert drawn
            assert drawn[0].startswith("/Footer")
