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
