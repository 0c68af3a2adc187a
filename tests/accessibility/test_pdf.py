"""Every PDF briefgen writes is PDF/UA-1, checked, not claimed: page-validation's PDF/UA-1
profile (and pdfua as a second opinion) over the sample and over variants of it, and the
structure tree read back with pikepdf for what the checkers cannot judge: the language of
the native-script names, the table's headers, the banners, an image's description."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import zlib
from collections import defaultdict
from pathlib import Path

import pikepdf
import pytest
from conftest import REPO, SAMPLE_ID, edit, run_cli
from pypdf import PdfReader

from accessibility.checkers import assert_catalog_claims_pdf_ua, assert_page_conforms, assert_pdfua_finds_nothing

NATIVE_NAMES = {"岸田文雄": "ja", "윤석열": "ko"}
MAP_DESCRIPTION = "Map of Camp David and the road from Thurmont"


def png(width: int, height: int) -> bytes:
    rows = b"".join(b"\x00" + b"\x1f\x3a\x5f" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def variant_build(tmp_path_factory) -> Path:
    """The sample on A4, with an image in its background and without its quote."""
    root = tmp_path_factory.mktemp("variant")
    shutil.copytree(REPO / "content", root / "content")
    (root / "content" / "assets").mkdir()
    (root / "content" / "assets" / "map.png").write_bytes(png(40, 12))
    brief = root / "content" / f"{SAMPLE_ID}.yaml"
    edit(brief, "paper: letter", "paper: a4")
    edit(brief, "joint military exercises [@wsj].\n",
         f"joint military exercises [@wsj]. ![{MAP_DESCRIPTION}](assets/map.png)\n")
    text = brief.read_text(encoding="utf-8")
    brief.write_text(re.sub(r"\nquotes:\n(  .*\n|    .*\n)+", "\n", text), encoding="utf-8")
    result = run_cli("build", "--root", root)
    assert result.code == 0, result.err
    return root / "output"


def built(sample_build: Path, variant_build: Path, which: str) -> Path:
    return (sample_build if which == "sample" else variant_build) / f"{SAMPLE_ID}.pdf"


@pytest.mark.parametrize("which", ["sample", "variant"])
def test_pdf_passes_page_validation_pdf_ua_1(sample_build: Path, variant_build: Path, which: str):
    assert_page_conforms(built(sample_build, variant_build, which), "ua1")


@pytest.mark.parametrize("which", ["sample", "variant"])
def test_pdf_passes_pdfua_second_opinion(sample_build: Path, variant_build: Path, which: str):
    assert_pdfua_finds_nothing(built(sample_build, variant_build, which))


def test_the_ci_script_checks_every_built_pdf(sample_build: Path, tmp_path: Path):
    """scripts/check-pdf-accessibility, as the pull-request workflow runs it after a build."""
    script = [sys.executable, str(REPO / "scripts" / "check-pdf-accessibility")]
    done = subprocess.run([*script, str(sample_build / f"{SAMPLE_ID}.pdf")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{SAMPLE_ID}.pdf: PDF_UA_1: 104 of 104 rules pass" in done.stdout
    untagged = tmp_path / "untagged.pdf"
    with pikepdf.open(sample_build / f"{SAMPLE_ID}.pdf") as pdf:
        del pdf.Root.StructTreeRoot
        del pdf.Root.MarkInfo
        pdf.save(untagged)
    done = subprocess.run([*script, str(untagged)], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "PDFUA1-STRUCT-TREE-ROOT-001" in done.stdout


def test_catalog_claims_pdf_ua_1_shows_the_title_and_says_the_language(sample_build: Path):
    assert_catalog_claims_pdf_ua(sample_build / f"{SAMPLE_ID}.pdf", "Camp David Trilateral Summit")


def test_native_script_names_carry_their_own_language(sample_build: Path):
    pdf_path = sample_build / f"{SAMPLE_ID}.pdf"
    texts = marked_texts(pdf_path)
    with pikepdf.open(pdf_path) as pdf:
        tagged = {text_of(element, texts).strip(): str(element.Lang)
                  for element in structure(pdf) if "/Lang" in element}
    assert tagged == NATIVE_NAMES


def test_deliverables_table_has_column_headers_linked_to_every_cell(sample_build: Path):
    with pikepdf.open(sample_build / f"{SAMPLE_ID}.pdf") as pdf:
        elements = list(structure(pdf))
        headers = [e for e in elements if e.S == "/TH"]
        cells = [e for e in elements if e.S == "/TD"]
        # One header a column (the status column only when statuses differ), one cell a column a row.
        rows = 6
        assert len(headers) in (2, 3)
        assert len(cells) == len(headers) * rows
        assert all(h.A.Scope == "/Column" for h in headers)
        ids = {str(h.ID) for h in headers}
        assert all({str(i) for i in cell.A.Headers} <= ids and len(cell.A.Headers) == 1 for cell in cells)


def test_classification_is_read_first_and_the_repeated_banner_is_an_artifact(sample_build: Path):
    pdf_path = sample_build / f"{SAMPLE_ID}.pdf"
    texts = marked_texts(pdf_path)
    with pikepdf.open(pdf_path) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        first = document.K[0]
        assert first.S == "/P"
        assert text_of(first, texts).strip() == "UNCLASSIFIED"
        reading = [text_of(kid, texts) for kid in document.K]
        assert "UNCLASSIFIED" not in "".join(reading[1:]), "said once in the reading order"
    # The bottom banner shares the footer's line: the repeated marking, the short title and
    # the page number are all pagination artifacts, never read twice.
    assert artifact_texts(pdf_path) == ["Camp David Trilateral Summit", "UNCLASSIFIED", "Page 1 of 3"]


def test_the_title_is_read_before_the_facts(sample_build: Path):
    pdf_path = sample_build / f"{SAMPLE_ID}.pdf"
    texts = marked_texts(pdf_path)
    with pikepdf.open(pdf_path) as pdf:
        order = [text_of(e, texts).strip() for e in structure(pdf) if e.S in ("/H1", "/L")]
    assert order[0] == "Camp David Trilateral Summit"
    # The masthead's one when/where line comes right after the title (and its participants'
    # line), before the bottom line: the facts follow the title in the reading order.
    with pikepdf.open(pdf_path) as pdf:
        paragraphs = [text_of(e, texts).strip() for e in structure(pdf) if e.S in ("/H1", "/P")]
    after_title = paragraphs[paragraphs.index("Camp David Trilateral Summit") + 1:]
    assert after_title[:2] == ["United States · Japan · Republic of Korea", "Fri 18 Aug 2023 · Camp David, Maryland"]
    assert after_title[2].startswith("BOTTOM LINE")


def test_an_image_is_a_figure_with_its_description(variant_build: Path):
    with pikepdf.open(variant_build / f"{SAMPLE_ID}.pdf") as pdf:
        figures = [e for e in structure(pdf) if e.S == "/Figure"]
        assert [str(f.Alt) for f in figures] == [MAP_DESCRIPTION]


# --- reading the tree back ----------------------------------------------------------------

def structure(pdf: pikepdf.Pdf):
    """Every structure element under the document, depth first, in reading order."""
    def walk(element):
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                yield kid
                yield from walk(kid)
    yield from walk(pdf.Root.StructTreeRoot)


class PageTexts(dict):
    """Text per marked-content id of one page, and that page's object id: marked-content
    ids are numbered per page, so an element on another page has ids of its own."""

    page_id: tuple[int, int] | None = None


def text_of(element, texts: dict[int, str], page: tuple[int, int] | None = None) -> str:
    """The text of an element's marked content on the page `texts` was read from."""
    kids = element.get("/K")
    parts = []
    if "/Pg" in element:
        page = element.Pg.objgen
    own_page = getattr(texts, "page_id", None)
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, int):
            if own_page is None or page is None or page == own_page:
                parts.append(texts.get(kid, ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            parts.append(text_of(kid, texts, page))
    return "".join(parts)


def marked_texts(pdf_path: Path) -> dict[int, str]:
    """Text per marked-content id of the first page, decoded by pypdf (not by briefgen)."""
    texts = PageTexts(_content_texts(pdf_path)[0])
    with pikepdf.open(pdf_path) as pdf:
        texts.page_id = pdf.pages[0].obj.objgen
    return texts


def artifact_texts(pdf_path: Path) -> list[str]:
    return [text.strip() for text in _content_texts(pdf_path)[1] if text.strip()]


def _content_texts(pdf_path: Path) -> tuple[dict[int, str], list[str]]:
    page = PdfReader(pdf_path).pages[0]
    open_marks: list = []
    texts: dict[int, str] = defaultdict(str)
    artifacts: list[str] = []

    def before(operator, args, cm, tm):
        if operator == b"BDC":
            props = args[1] if len(args) > 1 and hasattr(args[1], "get") else {}
            if args[0] == "/Artifact" and props.get("/Type") == "/Pagination":
                artifacts.append("")
                open_marks.append("artifact")
            else:
                open_marks.append(props.get("/MCID"))
        elif operator == b"BMC":
            open_marks.append(None)
        elif operator == b"EMC":
            open_marks.pop()

    def on_text(text, cm, tm, font, size):
        if open_marks and open_marks[-1] == "artifact":
            artifacts[-1] += text
        elif open_marks and open_marks[-1] is not None:
            texts[int(open_marks[-1])] += text

    page.extract_text(visitor_operand_before=before, visitor_text=on_text)
    return dict(texts), artifacts
