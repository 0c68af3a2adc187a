"""Where each piece of a brief's text was written, for errors found after validation.

Laying out the PDF can fail on a piece of text (a character no font has, a refused URL).
The layout runs in a worker process that needs no content model, so the brief's text
travels there as this small index, which points any piece of text back at its file,
line, column and key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class TextSource(Protocol):
    """What the PDF stage needs to know about the content it lays out."""

    path: Path
    display_path: str

    def locate_text(self, needle: str) -> str: ...


@dataclass(frozen=True)
class ContentText:
    """Every text value of a brief and its people, with where it was written."""

    path: Path
    display_path: str
    entries: tuple[tuple[str, str], ...]   # (text, "file:line:col (key.path)")
    sections: tuple[tuple[str, int], ...] = ()   # (top-level key, its line)

    def locate_text(self, needle: str) -> str:
        """Where in the content a piece of text comes from (the first place that has it)."""
        for text, where in self.entries:
            if needle in text:
                return where
        return self.display_path

    def section_line(self, section: str) -> int:
        """The line of the key that holds a section as the page names it ('Key messages'
        -> `key_messages:`; 'Purpose' -> `event:`); 0 when the brief has no such key."""
        key = {"purpose": "event", "quote": "quotes"}.get(section.lower(), section.lower().replace(" ", "_"))
        return dict(self.sections).get(key, 0)
