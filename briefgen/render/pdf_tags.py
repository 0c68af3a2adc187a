"""The finishing touches WeasyPrint's tagged PDF needs for PDF/UA-1, applied with pikepdf.

WeasyPrint tags the document from the HTML (headings, lists, tables, figures) but leaves
two things to do after layout:

- **Language of parts.** It writes the document's language once, in the catalog, so a
  Japanese or Korean name inside an English page loses its language and a screen reader
  reads it with English rules. Every element of the HTML that carries its own `lang`
  (the native-script names) is found again in the structure tree, by the text it holds,
  and that structure element gets `/Lang`.
- **Page furniture.** Running elements (the classification banners in the page margins)
  are painted as marked content whose structure elements are left out of the tree. The
  first one on the first page becomes real content at the start of the reading order (the
  classification is said once, before the title); every other one becomes a pagination
  artifact, as PDF/UA wants for what repeats on every page.

The structure tree is matched to the text through the content streams themselves
(marked-content ids, each font's ToUnicode map), so nothing depends on WeasyPrint's
internals. The output is saved deterministically (same input, same bytes).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import pikepdf

if TYPE_CHECKING:
    from pikepdf._core import _ObjectList  # the type pikepdf gives an instruction's operands

PAGINATION = pikepdf.Dictionary(Type=pikepdf.Name.Pagination)
# The names the structure tree's walk compares with, made once: `pikepdf.Name.X` makes a
# new name at each use (0.5 µs), a few thousand times over a brief's 400-odd elements.
_THEAD, _TH, _MCR, _OBJR, _DOCUMENT = (pikepdf.Name(f"/{name}")
                                       for name in ("THead", "TH", "MCR", "OBJR", "Document"))


# --- what the HTML says -------------------------------------------------------------------

class _LangParts(HTMLParser):
    """Texts of the elements whose `lang` differs from the page's: [(text, lang)]."""

    _VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                       "source", "track", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.document_lang = ""
        self.parts: list[tuple[str, str]] = []
        self._open: list[tuple[str, str | None, list[str]]] = []   # tag, own lang, text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        lang = dict(attrs).get("lang")
        if tag == "html":
            self.document_lang = lang or ""
            return
        if tag not in self._VOID:
            self._open.append((tag, lang, []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, lang, text = self._open.pop()
            content = "".join(text)
            if self._open:
                self._open[-1][2].append(content)
            if lang and lang != self.document_lang and content.strip():
                self.parts.append((" ".join(content.split()), lang))
            if open_tag == tag:
                return

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)


def language_parts(html: str) -> list[tuple[str, str]]:
    """[(text, BCP 47 tag)] for every element of `html` in another language than the page."""
    parser = _LangParts()
    parser.feed(html)
    parser.close()
    return parser.parts


# --- what the PDF holds -------------------------------------------------------------------

_BDC, _BMC, _EMC, _TF = (pikepdf.Operator(op) for op in ("BDC", "BMC", "EMC", "Tf"))
_SHOW = {pikepdf.Operator(op) for op in ("Tj", "TJ", "'", '"')}


_READ_OPERATORS = "BDC BMC EMC Tf Tj TJ ' \""    # all the reading below looks at
# A marked-content sequence as WeasyPrint opens it: `/Span <</MCID 12>> BDC`.
_MARKED = re.compile(rb"/[A-Za-z]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


@dataclass
class _Page:
    """One page's content stream: the text inside each marked-content id (read only when
    some text is looked for), and the means to make sequences artifacts."""

    page: pikepdf.Page
    texts: dict[int, str] = field(default_factory=dict)

    @classmethod
    def read(cls, page: pikepdf.Page, wanted_chars: set[str]) -> _Page:
        """Text is decoded only in fonts that can show one of `wanted_chars` (the texts
        looked for); text in any other font cannot be part of a match and reads as U+FFFD."""
        parsed = cls(page)
        if not wanted_chars:
            return parsed
        decoders: dict[str, _FontDecoder] = {}
        fonts = page.Resources.get("/Font", pikepdf.Dictionary())
        texts: dict[int, list[str]] = {}
        open_mcids: list[int | None] = []      # the innermost MCID at each nesting level
        font: _FontDecoder | None = None
        mcid: Any
        for instruction in pikepdf.parse_content_stream(page, _READ_OPERATORS):
            operands, operator = instruction.operands, instruction.operator
            if operator in (_BDC, _BMC):
                props = operands[1] if operator == _BDC and len(operands) > 1 else None
                mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
                open_mcids.append(int(mcid) if mcid is not None else open_mcids[-1] if open_mcids else None)
            elif operator == _EMC and open_mcids:
                open_mcids.pop()
            elif operator == _TF:
                name = str(operands[0])
                if name not in decoders and name in fonts:
                    decoders[name] = _FontDecoder(fonts[name], wanted_chars)
                font = decoders.get(name)
            elif operator in _SHOW and font is not None:
                mcid = open_mcids[-1] if open_mcids else None
                if mcid is not None:
                    texts.setdefault(mcid, []).append(
                        font.decode(_shown_bytes(operands)) if font.relevant else "\ufffd")
        parsed.texts = {mcid: "".join(parts) for mcid, parts in texts.items()}
        return parsed

    def make_artifacts(self, pdf: pikepdf.Pdf, mcids: set[int]) -> None:
        """Turn the marked-content sequences `mcids` into pagination artifacts: in the bytes
        as WeasyPrint writes them (fast), or, should they ever look different, through a
        full parse of the content stream."""
        data = self.page.obj.Contents.read_bytes()
        replaced = []

        def artifact(match: re.Match[bytes]) -> bytes:
            if int(match.group(1)) not in mcids:
                whole: bytes = match.group(0)
                return whole
            replaced.append(int(match.group(1)))
            return _ARTIFACT

        data = _MARKED.sub(artifact, data)
        if sorted(replaced) == sorted(mcids):
            self.page.obj.Contents = pdf.make_stream(data)
        else:
            self._make_artifacts_parsed(pdf, mcids)

    def _make_artifacts_parsed(self, pdf: pikepdf.Pdf, mcids: set[int]) -> None:
        instructions: list[Any] = []
        for instruction in pikepdf.parse_content_stream(self.page):
            operands, operator = instruction.operands, instruction.operator
            if operator == _BDC and len(operands) > 1 and isinstance(operands[1], pikepdf.Dictionary) \
                    and int(operands[1].get("/MCID", -1)) in mcids:
                instruction = pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact, PAGINATION], _BDC)
            instructions.append(instruction)
        self.page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))


def _shown_bytes(operands: _ObjectList) -> bytes:
    shown = operands[-1]
    if isinstance(shown, pikepdf.Array):
        return b"".join(bytes(item) for item in shown if isinstance(item, pikepdf.String))
    return bytes(shown)


class _FontDecoder:
    """Character codes to Unicode through a font's ToUnicode map (bfchar and bfrange)."""

    _HEX = r"<([0-9A-Fa-f]+)>"

    def __init__(self, font: Any, wanted_chars: set[str]) -> None:
        self.width = 2 if font.get("/Subtype") == pikepdf.Name.Type0 else 1
        self.map: dict[int, str] = {}
        if "/ToUnicode" in font:
            self._read(font.ToUnicode.read_bytes().decode("latin-1"))
        self.relevant = not wanted_chars.isdisjoint(self.map.values())

    def _read(self, cmap: str) -> None:
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
            for code, target in re.findall(rf"{self._HEX}\s*{self._HEX}", block):
                self.map[int(code, 16)] = bytes.fromhex(target).decode("utf-16-be", "replace")
        for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
            for low, high, target in re.findall(rf"{self._HEX}\s*{self._HEX}\s*{self._HEX}", block):
                start = int(target, 16)
                for offset in range(int(high, 16) - int(low, 16) + 1):
                    self.map[int(low, 16) + offset] = chr(start + offset)

    def decode(self, data: bytes) -> str:
        width, get = self.width, self.map.get
        return "".join(get(int.from_bytes(data[i:i + width], "big"), "")
                       for i in range(0, len(data), width))


# --- the structure tree -------------------------------------------------------------------

def finish_tags(pdf_bytes: bytes, languages: list[tuple[str, str]], *,
                claim_pdf_ua: bool = False, info: Mapping[str, str] | None = None) -> bytes:
    """`pdf_bytes` (a tagged WeasyPrint PDF) with `/Lang` on the structure elements that
    hold each (text, language) of `languages`, column scope on table head cells, and the
    page margins' running content made real content once and artifacts elsewhere.
    `claim_pdf_ua` adds the PDF/UA-1 identification to a PDF/A file's metadata (WeasyPrint
    writes one claim per file), with the extension schema PDF/A asks for. `info` adds
    entries to the document information (which brief this is: workflows/decisions.py).
    Form fields keep the appearances WeasyPrint drew (a viewer is not asked to redraw them:
    PDF/A forbids it)."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        if claim_pdf_ua:
            _claim_pdf_ua(pdf)
        for key, value in (info or {}).items():
            pdf.docinfo[key] = pikepdf.String(value)
        if "/AcroForm" in pdf.Root:
            pdf.Root.AcroForm.NeedAppearances = False
            _form_fonts_without_null_unicode(pdf.Root.AcroForm)
            _draw_text_fields(pdf, pdf.Root.AcroForm)
        tree = pdf.Root.StructTreeRoot
        document = _document_element(tree)
        wanted = {" ".join(text.split()): lang for text, lang in languages}
        wanted_chars = {char for text in wanted for char in text if not char.isspace()}
        pages = [_Page.read(page, wanted_chars) for page in pdf.pages]
        walk = _TreeWalk({page.page.obj.objgen: page.texts for page in pages}, wanted)
        walk.visit(document)
        for element, lang in walk.languages:
            element.Lang = pikepdf.String(lang)
        _handle_running_content(pdf, tree, document, pages, walk.seen)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()


_NULL_UNICODE = re.compile(rb"<[0-9A-Fa-f]+>[ \t]*<(?:0000|[Ff][Ee][Ff][Ff]|[Ff][Ff][Ff][Ee])>[ \t]*\r?\n")
_BFCHAR = re.compile(rb"\d+([ \t]+beginbfchar[ \t]*\r?\n)(.*?)endbfchar", re.S)


def _form_fonts(form: pikepdf.Object) -> dict[str, pikepdf.Object]:
    """The fonts of a form's default resources (/DR), by name ('/HUHQIP')."""
    resources = form.get("/DR")
    fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
    return {str(name): font for name, font in fonts.items()} if isinstance(fonts, pikepdf.Dictionary) else {}


def _form_fonts_without_null_unicode(form: pikepdf.Object) -> None:
    """A text field's font, which WeasyPrint embeds whole in the form's resources, has a
    ToUnicode map that gives two glyphs (.notdef, and the one drawn for a byte-order mark)
    U+0000 and U+FEFF: PDF/UA-1 forbids both (page-validation's FONT-UNICODE-VALUE-001).
    Those entries are dropped (the glyphs map to no text, as they stand for none); the
    font stays embedded, as PDF/UA and PDF/A ask."""
    for font in _form_fonts(form).values():
        cmap = font.get("/ToUnicode")
        if cmap is None:
            continue
        data = cmap.read_bytes()
        cleaned = _BFCHAR.sub(lambda block: str(len(re.findall(rb"\n", block.group(2)))).encode()
                              + block.group(1) + block.group(2) + b"endbfchar", _NULL_UNICODE.sub(b"", data))
        if cleaned != data:
            cmap.write(cleaned)


_FONT_OF = re.compile(r"/(\S+)\s+([\d.]+)\s+Tf")
_COLOUR_OF = re.compile(r"[\d.]+\s+[\d.]+\s+[\d.]+\s+rg")
_UNICODE_OF = re.compile(rb"<([0-9A-Fa-f]{4})>[ \t]*<([0-9A-Fa-f]{4})>")


def _draw_text_fields(pdf: pikepdf.Pdf, form: pikepdf.Object) -> None:
    """Each text field without an appearance (WeasyPrint draws none) gets one: its value
    (a recorded initials or date), in the field's own embedded font, size and colour, or
    nothing. PDF/A asks every widget for an appearance, and a viewer is not asked to draw
    one (NeedAppearances is false)."""
    for widget in form.get("/Fields", []):
        if widget.get("/FT") != pikepdf.Name.Tx or "/AP" in widget:
            continue
        x1, y1, x2, y2 = (float(n) for n in widget.Rect)
        width, height = abs(x2 - x1), abs(y2 - y1)
        da = str(widget.get("/DA", ""))
        font_match, colour = _FONT_OF.search(da), _COLOUR_OF.search(da)
        font = _form_fonts(form).get(f"/{font_match.group(1)}") if font_match else None
        codes = _glyph_codes(font, str(widget.get("/V", ""))) if font is not None else None
        content = b"/Tx BMC\n"
        resources = pikepdf.Dictionary()
        if font_match and codes:
            size = float(font_match.group(2))
            baseline = max(1.0, (height - size) / 2 + size * 0.25)
            content += (f"q BT {colour.group(0) if colour else '0 g'} /{font_match.group(1)} {size:g} Tf "
                        f"1 {baseline:.2f} Td <{codes}> Tj ET Q\n").encode()
            resources = pikepdf.Dictionary(Font=pikepdf.Dictionary({f"/{font_match.group(1)}": font}))
        content += b"EMC\n"
        appearance = pikepdf.Stream(pdf, content)
        appearance.Type, appearance.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        appearance.BBox = pikepdf.Array([0, 0, width, height])
        appearance.Resources = resources
        widget.AP = pikepdf.Dictionary(N=appearance)


def _glyph_codes(font: pikepdf.Object, text: str) -> str | None:
    """`text` as the hex codes of a two-byte (Identity) font, from its ToUnicode map; None
    when the text is empty or a character has no glyph there."""
    cmap = font.get("/ToUnicode") if isinstance(font, pikepdf.Dictionary) else None
    if not text or cmap is None or font.get("/Subtype") != pikepdf.Name.Type0:
        return None
    codes = {chr(int(unicode, 16)): code.decode() for code, unicode in _UNICODE_OF.findall(cmap.read_bytes())}
    if any(char not in codes for char in text):
        return None
    return "".join(codes[char] for char in text)


# The PDF/UA identification, and its description as a PDF/A extension schema: PDF/A-2 and
# -3 accept in XMP only the predefined schemas and those described in the file itself.
_PDF_UA_XMP = b"""<rdf:Description xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" rdf:about=""
  xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>1</pdfuaid:part></rdf:Description>
<rdf:Description xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" rdf:about=""
  xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
  xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
  xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
 <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
  <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
  <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
  <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
  <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
   <pdfaProperty:name>part</pdfaProperty:name>
   <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
   <pdfaProperty:category>internal</pdfaProperty:category>
   <pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
  </rdf:li></rdf:Seq></pdfaSchema:property>
 </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""


def _claim_pdf_ua(pdf: pikepdf.Pdf) -> None:
    xmp = pdf.Root.Metadata.read_bytes()
    end = xmp.rindex(b"</rdf:RDF>")
    pdf.Root.Metadata.write(xmp[:end] + _PDF_UA_XMP + xmp[end:])


def _document_element(tree: Any) -> Any:
    kids = tree.K
    return kids[0] if isinstance(kids, pikepdf.Array) else kids


class _TreeWalk:
    """One pass over the structure tree: every element reached, the text under each, the
    highest elements whose whole text is in another language, and table head cells."""

    def __init__(self, page_texts: Mapping[tuple[int, int], dict[int, str]],
                 wanted: Mapping[str, str]) -> None:
        self.page_texts = page_texts
        self.wanted = wanted
        self.seen: set[tuple[int, int]] = set()
        self.languages: list[tuple[Any, str]] = []

    def visit(self, element: Any, in_head: bool = False) -> str:
        """The text under `element`. An element whose whole text is wanted takes the
        language, and the elements under it, which inherit it, are not set as well."""
        self.seen.add(element.objgen)
        role = element.get("/S")
        in_head = in_head or role == _THEAD
        if in_head and role == _TH:
            _scope_column(element)
        page = element.get("/Pg")
        texts = self.page_texts.get(page.objgen, {}) if page is not None else {}
        found_before = len(self.languages)
        parts: list[str] = []
        for kid in _kids(element):
            if isinstance(kid, int):
                parts.append(texts.get(kid, ""))
            elif kid.get("/Type") == _MCR and "/MCID" in kid:
                kid_page = kid.get("/Pg", page)
                parts.append(self.page_texts.get(kid_page.objgen, {}).get(int(kid.MCID), ""))
            elif kid.get("/Type") != _OBJR and "/S" in kid:
                parts.append(self.visit(kid, in_head))
        text = "".join(parts)
        lang = self.wanted.get(" ".join(text.split())) if self.wanted else None
        if lang and role != _DOCUMENT:
            del self.languages[found_before:]
            self.languages.append((element, lang))
        return text


def _scope_column(cell: Any) -> None:
    """`/Scope /Column` on a header cell in a table's head. WeasyPrint links each data cell
    to its headers (`/Headers`); the scope says the same for tools that read only that."""
    attributes = cell.get("/A")
    if isinstance(attributes, pikepdf.Dictionary) and "/Scope" not in attributes:
        attributes.Scope = pikepdf.Name.Column


def _kids(element: Any) -> Iterator[Any]:
    kids = element.get("/K")
    if kids is not None:
        yield from (kids if isinstance(kids, pikepdf.Array) else [kids])


# --- running content: the banners ---------------------------------------------------------

def _handle_running_content(pdf: pikepdf.Pdf, tree: Any,
                            document: Any, pages: list[_Page],
                            in_tree: set[tuple[int, int]]) -> None:
    """Structure elements outside the tree (WeasyPrint's margin boxes): the first on the
    first page joins the reading order at its start; the rest become artifacts."""
    parent_tree = _parent_tree(tree)
    kept_first = False
    for number, page in enumerate(pages):
        key = page.page.obj.get("/StructParents")
        elements = parent_tree.get(int(key)) if key is not None else None
        if elements is None:
            continue
        orphans: dict[tuple[int, int], list[int]] = {}
        for mcid, element in enumerate(elements):
            if isinstance(element, pikepdf.Dictionary) and element.objgen not in in_tree:
                orphans.setdefault(_top_element(element, document).objgen, []).append(mcid)
        artifacts: set[int] = set()
        for root_id, mcids in orphans.items():
            if number == 0 and not kept_first:
                root = pdf.get_object(root_id)
                root.S = pikepdf.Name.P
                document.K.insert(0, root)
                kept_first = True
            else:
                artifacts.update(mcids)
        if artifacts:
            page.make_artifacts(pdf, artifacts)
            for mcid in artifacts:
                elements[mcid] = pikepdf.Object.parse(b"null")


def _parent_tree(tree: Any) -> dict[int, Any]:
    nums = tree.ParentTree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)
            if isinstance(nums[i + 1], pikepdf.Array)}


def _top_element(element: Any, document: Any) -> Any:
    """The ancestor of `element` just under the Document element."""
    while "/P" in element and element.P.objgen != document.objgen \
            and element.P.get("/Type") == pikepdf.Name.StructElem:
        element = element.P
    return element
