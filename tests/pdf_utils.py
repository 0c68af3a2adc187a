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
