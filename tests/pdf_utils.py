"""Reading the PDFs we write: text, fonts and what each embedded font can show."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def embedded_fonts(path: Path) -> dict[str, set[str]]:
    """Each embedded font's base name -> the characters its ToUnicode map covers."""
    fonts: dict[str, set[str]] = {}
    reader = PdfReader(path)
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).get_object().values():
            font = font.get_object()
            name = str(font["/BaseFont"])
            chars = fonts.setdefault(name, set())
            if "/ToUnicode" in font:
                chars |= _cmap_characters(font["/ToUnicode"].get_object().get_data().decode("latin-1"))
    return fonts


def _cmap_characters(cmap: str) -> set[str]:
    chars: set[str] = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for _, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            chars.update(bytes.fromhex(target).decode("utf-16-be"))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(target, 16)
            for offset in range(int(high, 16) - int(low, 16) + 1):
                chars.add(chr(start + offset))
    return chars


def character_sizes(path: Path, page: int = 0) -> list[tuple[str, float]]:
    """Each visible character drawn on a page, with the size it is drawn at in points
    (the font size scaled by the text and graphics matrices, as a reader sees it)."""
    import math

    drawn: list[tuple[str, float]] = []

    def visit(text, cm, tm, font_dict, font_size):
        # The vertical scale of the text space in user space: (tm x cm) applied to (0, 1).
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
        drawn.extend((char, round(font_size * scale, 2)) for char in text if not char.isspace())

    PdfReader(path).pages[page].extract_text(visitor_text=visit)
    return drawn


def size_histogram(sizes: list[tuple[str, float]]) -> dict[float, int]:
    histogram: dict[float, int] = {}
    for _, size in sizes:
        histogram[round(size, 1)] = histogram.get(round(size, 1), 0) + 1
    return dict(sorted(histogram.items()))


# --- page geometry, read back with pdfium (positions in points from the page's top left) ---

POINTS_PER_INCH = 72


def _pdfium():
    import pypdfium2
    import pypdfium2.raw as pdfium_c
    return pypdfium2, pdfium_c


def drawn_characters(path: Path, page: int = 0, with_spaces: bool = False) -> list[dict]:
    """Each visible character on a page: char, size (pt), left, top, right, bottom (pt from
    the page's top left, of the font's box), the font's name and whether it is bold, and its
    fill colour. With `with_spaces`, the word spaces the reader infers too."""
    import ctypes
    import math

    pypdfium2, pdfium_c = _pdfium()
    document = pypdfium2.PdfDocument(path)
    try:
        pdf_page = document[page]
        height = pdf_page.get_height()
        text_page = pdf_page.get_textpage()
        chars = []
        name = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        r, g, b, a = (ctypes.c_uint() for _ in range(4))
        matrix = pdfium_c.FS_MATRIX()
        for index in range(text_page.count_chars()):
            char = text_page.get_text_range(index, 1)
            if not char or char in "\ufffe\r\n" or (char.isspace() and not with_spaces):
                continue
            left, bottom, right, top = text_page.get_charbox(index, loose=True)
            pdfium_c.FPDFText_GetFontInfo(text_page.raw, index, name, 256, ctypes.byref(flags))
            weight = pdfium_c.FPDFText_GetFontWeight(text_page.raw, index)
            pdfium_c.FPDFText_GetFillColor(text_page.raw, index, *(ctypes.byref(c) for c in (r, g, b, a)))
            pdfium_c.FPDFText_GetMatrix(text_page.raw, index, ctypes.byref(matrix))
            scale = math.hypot(matrix.c, matrix.d)   # the vertical scale of text space
            size = round(pdfium_c.FPDFText_GetFontSize(text_page.raw, index) * scale, 2)
            chars.append({"char": char, "size": size,
                          "left": left, "right": right, "top": height - top, "bottom": height - bottom,
                          "font": name.value.decode("latin-1"), "bold": weight >= 600 or b"Bold" in name.value,
                          "colour": (r.value, g.value, b.value)})
        return chars
    finally:
        document.close()


def printed_lines(path: Path, page: int = 0, gap_ems: float = 2.0) -> list[str]:
    """The page's lines as a reader meets them: characters in reading order on one line, a
    new line where the baseline moves or a gap wider than `gap_ems` of the type size
    separates two columns; word spaces counted as characters."""
    lines: list[list[dict]] = []
    for char in drawn_characters(path, page, with_spaces=True):
        current = lines[-1] if lines else None
        if current and abs(current[-1]["bottom"] - char["bottom"]) < 0.4 * max(char["size"], current[-1]["size"]) \
                and -1 <= char["left"] - current[-1]["right"] < gap_ems * char["size"]:
            current.append(char)
        else:
            lines.append([char])
    texts = (re.sub(r"\s+", " ", "".join(c["char"] for c in line)).strip() for line in lines)
    return [text for text in texts if text]


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


Box = tuple[float, float, float, float]


def filled_rectangles(path: Path, page: int = 0) -> list[tuple[Box, tuple[int, int, int]]]:
    """Every filled, non-white path on a page: (left, top, right, bottom) in pt from the top
    left, and its fill colour."""
    import ctypes

    pypdfium2, pdfium_c = _pdfium()
    document = pypdfium2.PdfDocument(path)
    found = []
    try:
        pdf_page = document[page]
        height = pdf_page.get_height()
        fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
        r, g, b, a = (ctypes.c_uint() for _ in range(4))
        for obj in pdf_page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
            pdfium_c.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill_mode), ctypes.byref(stroke))
            if not fill_mode.value:
                continue
            pdfium_c.FPDFPageObj_GetFillColor(obj.raw, *(ctypes.byref(c) for c in (r, g, b, a)))
            colour = (r.value, g.value, b.value)
            if colour == (255, 255, 255) or a.value == 0:
                continue
            left, bottom, right, top = obj.get_bounds()
            found.append(((left, height - top, right, height - bottom), colour))
        return found
    finally:
        document.close()


def marks_bounds(path: Path, page: int = 0) -> tuple[float, float, float, float, float, float]:
    """The page's width and height and the outermost extent of everything drawn on it
    (text, paths, images): (width, height, left, top, right, bottom) in pt from the top left."""
    pypdfium2, _ = _pdfium()
    document = pypdfium2.PdfDocument(path)
    try:
        pdf_page = document[page]
        width, height = pdf_page.get_width(), pdf_page.get_height()
        boxes = [obj.get_bounds() for obj in pdf_page.get_objects(max_depth=5)]
        boxes = [box for box in boxes if box[2] - box[0] < width - 1 or box[3] - box[1] < height - 1]
        return (width, height, min(b[0] for b in boxes), height - max(b[3] for b in boxes),
                max(b[2] for b in boxes), height - min(b[1] for b in boxes))
    finally:
        document.close()


def page_count(path: Path) -> int:
    return len(PdfReader(path).pages)
