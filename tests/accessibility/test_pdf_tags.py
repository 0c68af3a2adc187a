"""The PDF/UA finishing step on its own: which HTML parts have their own language, and the
banners made artifacts whatever shape the content stream's marked content takes."""

from __future__ import annotations

import io

import pikepdf

from briefgen.render.pdf_tags import finish_tags, language_parts


def test_language_parts_are_the_elements_in_another_language_than_the_page():
    html = ('<!DOCTYPE html><html lang="en"><body><p>Fumio Kishida <span class="native" lang="ja">'
            '岸田 文雄</span></p><p lang="en">English again</p><br><img alt="x">'
            '<div lang="ko"><b>윤석열</b> 대통령</div></body></html>')
    assert language_parts(html) == [("岸田 文雄", "ja"), ("윤석열 대통령", "ko")]


def _tagged_pdf(marked: bytes) -> bytes:
    """A one-page tagged PDF: MCID 0 real content, MCIDs 1 and 2 orphans (as WeasyPrint
    leaves the page-margin boxes), MCID 2 opened with the given BDC operands."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(b"/P <</MCID 0>> BDC EMC /Span <</MCID 1>> BDC EMC "
                                        + marked + b" BDC EMC")
    page.obj.StructParents = 0

    def element(role: str, parent, kids) -> pikepdf.Dictionary:
        return pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name(role),
                                                    P=parent, Pg=page.obj, K=kids))

    document = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem,
                                                    S=pikepdf.Name.Document, K=pikepdf.Array()))
    real, top, bottom = element("/P", document, 0), element("/Div", document, 1), element("/Div", document, 2)
    document.K.append(real)
    pdf.Root.StructTreeRoot = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([document]),
        ParentTree=pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Array([real, top, bottom])]))))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_an_orphan_becomes_a_pagination_artifact_in_either_shape_of_marked_content():
    for marked in (b"/Span <</MCID 2>>", b"/Span <</MCID 2 /ActualText (x)>>"):
        with pikepdf.open(io.BytesIO(finish_tags(_tagged_pdf(marked), []))) as pdf:
            operators = [(list(operands), str(op)) for operands, op
                         in pikepdf.parse_content_stream(pdf.pages[0], "BDC")]
            assert operators[-1] == ([pikepdf.Name.Artifact, {"/Type": pikepdf.Name.Pagination}], "BDC"), marked
            assert [operands[1].MCID for operands, _ in operators[:2]] == [0, 1]
            document = pdf.Root.StructTreeRoot.K[0]
            assert [str(kid.S) for kid in document.K] == ["/P", "/P"], "the first orphan reads first"
            assert [int(kid.K) for kid in document.K] == [1, 0]
            assert pdf.Root.StructTreeRoot.ParentTree.Nums[1][2] is None
